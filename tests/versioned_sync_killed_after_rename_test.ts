/**
 * A `vc sync` killed (kill -9) in the window between a copy's rename into
 * place and the journal line that records it: DEST holds the new bytes, and
 * nothing said vc wrote them. Once the pins moved on, the next sync refused
 * the file as the user's ("changed since vc sync wrote it" for a file synced
 * before, "was not written by vc sync" for a new one): a wrong state, with
 * no edit to keep, that only `--force` got past. A journal line written
 * before the rename (the bytes' SHA-256) lets the next sync tell that the
 * file holds what the killed sync put there.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { runKilledSync } from "./repo_killed_helpers.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

type Workspace = Awaited<ReturnType<typeof workspace>>;

/**
 * Runs `vc sync` into `out` in a child that dies right after `victim` is
 * renamed into place (or, `before`, right before: its journal line about the
 * rename written, the rename not done).
 */
async function syncKilledAfterRename(
  ws: Workspace,
  out: string,
  victim: string,
  before = false,
): Promise<void> {
  await runKilledSync(ws, out, {
    setup: `
    const rename = Deno.renameSync;
    Deno.renameSync = (from, to) => {
      const victim = String(to) === ${JSON.stringify(join(out, victim))};
      if (victim && ${before}) Deno.exit(137);
      rename(from, to);
      if (victim) Deno.exit(137);
    };`,
  });
}

Deno.test("vc sync killed after renaming a file it synced before: the next sync replaces it", async () => {
  await using ws = await workspace();
  const out = join(ws.dir, "out");
  await ws.vc.add("/a.csv", await writeFile(ws.dir, "src/a1.csv", "a,1\n"));
  await ws.vc.sync(out); // recorded: a.csv as version 1
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a2.csv", "a,22\n"), { patch: true });

  await syncKilledAfterRename(ws, out, "a.csv");
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,22\n", "the premise: renamed");

  // The pins move on; no one touched DEST.
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a3.csv", "a,333\n"), { patch: true });
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.failed.map((f) => [f.path, (f.error as Error).message]), []);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,333\n");
});

Deno.test("vc sync killed after renaming a new file: the next sync replaces it", async () => {
  await using ws = await workspace();
  const out = join(ws.dir, "out");
  await ws.vc.add("/n.csv", await writeFile(ws.dir, "src/n1.csv", "n,1\n"));

  await syncKilledAfterRename(ws, out, "n.csv");
  assertEquals(await Deno.readTextFile(join(out, "n.csv")), "n,1\n", "the premise: renamed");

  await ws.vc.update("/n.csv", await writeFile(ws.dir, "src/n2.csv", "n,22\n"), { patch: true });
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.failed.map((f) => [f.path, (f.error as Error).message]), []);
  assertEquals(await Deno.readTextFile(join(out, "n.csv")), "n,22\n");
});

Deno.test("vc sync killed after renaming: a file edited since is still refused, and a re-sync records it once", async () => {
  await using ws = await workspace();
  const out = join(ws.dir, "out");
  await ws.vc.add("/a.csv", await writeFile(ws.dir, "src/a1.csv", "a,1\n"));
  await ws.vc.sync(out);
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a2.csv", "a,22\n"), { patch: true });

  await syncKilledAfterRename(ws, out, "a.csv");
  // The user edits the file the killed sync left: theirs now, not replaced.
  await Deno.writeTextFile(join(out, "a.csv"), "mine\n");
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a3.csv", "a,333\n"), { patch: true });
  const refused = await ws.vc.syncSettled(out);
  assertEquals(refused.failed.map((f) => f.path), ["/a.csv"]);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "mine\n");

  // Forced, then synced again: recorded, so the following sync is a no-op refusal-free run.
  await ws.vc.sync(out, { force: true });
  const again = await ws.vc.syncSettled(out);
  assertEquals(again.failed, []);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,333\n");
});

Deno.test("vc sync killed right before a rename: the file it did not replace is still vc's", async () => {
  await using ws = await workspace();
  const out = join(ws.dir, "out");
  await ws.vc.add("/a.csv", await writeFile(ws.dir, "src/a1.csv", "a,1\n"));
  await ws.vc.sync(out);
  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a2.csv", "a,22\n"), { patch: true });

  await syncKilledAfterRename(ws, out, "a.csv", true);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,1\n", "the premise: not renamed");

  await ws.vc.update("/a.csv", await writeFile(ws.dir, "src/a3.csv", "a,333\n"), { patch: true });
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.failed.map((f) => [f.path, (f.error as Error).message]), []);
  assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a,333\n");
});
