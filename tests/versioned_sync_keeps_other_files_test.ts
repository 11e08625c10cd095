/**
 * `vc sync` removes nothing from DEST (as `aws s3 sync` without `--delete`),
 * as its help and the README say: the copy of an entry since removed from
 * the manifest stays, and so does a file of the user's.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

Deno.test("vc sync: files of entries since removed from the manifest stay in DEST", async () => {
  await using ws = await workspace();
  for (const name of ["a.csv", "b.csv"]) {
    await Deno.writeTextFile(join(ws.dir, name), `${name}\n`);
    await ws.vc.add(`/d/${name}`, join(ws.dir, name));
  }
  const out = join(ws.dir, "out");
  assertEquals((await ws.vc.syncSettled(out)).copied.length, 2);
  await Deno.writeTextFile(join(out, "d", "mine.txt"), "mine\n");
  await Deno.writeTextFile(ws.manifest, '{"/d/a.csv": "1.0.0"}\n');
  const r = await ws.vc.syncSettled(out);
  // Already there, as the last sync wrote it: left unchanged.
  assertEquals(r.unchanged.map((c) => c.path), ["/d/a.csv"]);
  assertEquals(r.copied, []);
  assertEquals(r.failed, []);
  const left = [...Deno.readDirSync(join(out, "d"))].map((e) => e.name).sort();
  assertEquals(left, ["a.csv", "b.csv", "mine.txt"]);
  assertEquals(await Deno.readTextFile(join(out, "d", "b.csv")), "b.csv\n");
});
