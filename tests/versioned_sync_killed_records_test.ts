/**
 * A `vc sync` killed (kill -9) after copying files but before its records
 * (`DEST/.vc-sync.json`) were written back: the copies it made are still
 * vc's. A re-sync after the pins moved on replaced neither; each was
 * refused as the user's ("changed since vc sync wrote it" for a file synced
 * before, "was not written by vc sync" for a new one), with no edit to keep.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { runKilledSync } from "./repo_killed_helpers.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("vc sync killed before saving its records: the next sync still replaces what it copied", async () => {
  await using ws = await workspace();
  const out = join(ws.dir, "out");
  await ws.vc.add("/a.csv", await writeFile(ws.dir, "src/a1.csv", "a,1\n"));
  await ws.vc.sync(out); // recorded: a.csv as version 1
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a2.csv", "a,22\n"), { patch: true });
  await ws.vc.add("/n.csv", await writeFile(ws.dir, "src/n1.csv", "n,1\n"));

  // A sync that dies once every entry is copied, before the records are saved.
  await runKilledSync(ws, out, {
    syncOptions: `{
      onProgress: (p) => { if (p.total > 0 && p.done === p.total) Deno.exit(137); },
    }`,
  });
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,22\n", "the premise: copied");
  assertEquals(await Deno.readTextFile(join(out, "n.csv")), "n,1\n", "the premise: copied");

  // The pins move on; no one touched DEST.
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a3.csv", "a,333\n"), { patch: true });
  await ws.vc.update("/n.csv", await writeFile(ws.dir, "src/n2.csv", "n,22\n"), { patch: true });
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.failed.map((f) => [f.path, (f.error as Error).message]), []);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,333\n");
  assertEquals(await Deno.readTextFile(join(out, "n.csv")), "n,22\n");
});
