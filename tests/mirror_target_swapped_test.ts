/**
 * A store → local mirror kept open (`vc mirror s3://b/p ./dir --delete
 * --watch`) whose target path comes to name another directory: the
 * directory moved away and a link to another one put in its place (or a
 * `current` link switched). The next full pass wrote into that directory
 * and, with --delete, removed every file of it the store does not have: a
 * user's files, far from the mirror's. The target is the directory the
 * mirror writes into: a pass now refuses another one, writing and deleting
 * nothing; a target removed is made again, as at the first run.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror store → local: a target path that names another directory since the last pass is refused, nothing written or deleted in it", async () => {
  await using w = await tempDir();
  const bucket = join(w.dir, "bucket");
  await writeTree(bucket, { "x.txt": "x" });
  const target = join(w.dir, "target");
  await using m = await Mirror.open({
    sources: [new FsStore(bucket)],
    target,
    delete: true,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals((await m.run()).transferred, 1);
  const precious = join(w.dir, "precious");
  await writeTree(precious, { "important.doc": "keep" });
  await Deno.rename(target, join(w.dir, "target.old"));
  await Deno.symlink(precious, target);
  const refused = await assertRejects(() => m.run(), Error, `mirror target ${target}`);
  assertStringIncludes(refused.message, "another directory");
  assertEquals([...Deno.readDirSync(precious)].map((e) => e.name), ["important.doc"]);
  // Removed: made again by the pass, as at the first run, and kept to.
  await Deno.remove(target);
  assertEquals((await m.run()).transferred, 1);
  assertEquals(await Deno.readTextFile(join(target, "x.txt")), "x");
  assertEquals((await m.run()).unchanged, 1);
});
