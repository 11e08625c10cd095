/**
 * `vc mirror --watch` into a `file://` target: a batch looked its files up
 * by listing a directory above them when that took fewer 1,000-object pages
 * than a HEAD each, the cost of an S3 listing. A directory store's listing
 * reads each object's sidecar, as its HEAD reads one: two files changed
 * among 300 read 300 sidecars to look them up and 300 more to confirm the
 * uploads, where a HEAD each reads two. For a `file://` target a listed
 * object now costs what a HEAD does.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const SIBLINGS = 300;

Deno.test("mirror --watch into file://: two changed files among many read a sidecar or two each, not the directory's", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, {
    "d/f1.txt": "1",
    "d/f2.txt": "2",
    ...Object.fromEntries(Array.from({ length: SIBLINGS }, (_, i) => [`d/x${i}.txt`, `${i}`])),
  });
  const store = new FsStore(join(w.dir, "bucket"));
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  assertEquals((await m.run()).transferred, SIBLINGS + 2);
  await Deno.writeTextFile(join(src, "d/f1.txt"), "changed 1");
  await Deno.remove(join(src, "d/f2.txt"));
  // The store reads a sidecar whole with Deno.readFile: those reads, counted.
  const sidecars: string[] = [];
  const readFile = Deno.readFile;
  Deno.readFile = (path, options) => {
    if (String(path).includes(".vc~meta~")) sidecars.push(String(path));
    return readFile(path, options);
  };
  let r;
  try {
    r = await m.syncPaths([join(src, "d/f1.txt"), join(src, "d/f2.txt")]);
  } finally {
    Deno.readFile = readFile;
  }
  assertEquals([r.failed, r.transferred, r.deleted], [[], 1, 1]);
  // A lookup and a confirmation of the one upload: a few sidecars, not hundreds.
  assert(sidecars.length <= 6, `${sidecars.length} sidecar reads`);
  const stored = await storeContents(store);
  assertEquals([stored["d/f1.txt"], stored["d/f2.txt"]], ["changed 1", undefined]);
});
