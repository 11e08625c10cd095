/**
 * A watched source root moved away (or removed) under `--watch --delete`:
 * the events of files below it (written just before the move) come as a
 * batch of their own, which finds the files gone; while the root is gone,
 * nothing may be deleted for it, so their objects stay.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { openDeleteMirror, storeContents, tempDir } from "./mirror_helpers.ts";

Deno.test("mirror --delete: a batch of events for files below a source root that is gone deletes nothing", async () => {
  await using w = await tempDir();
  const { mirror, store, src } = await openDeleteMirror(w.dir);
  await using m = mirror;
  await Deno.rename(src, join(w.dir, "moved"));
  const r = await m.syncPaths([join(src, "a.txt"), join(src, "sub", "b.txt")]);
  assertEquals(r.deleted, 0);
  assertStringIncludes(r.deletesSkipped ?? "", `${src} is missing`);
  assertEquals(await storeContents(store), { "a.txt": "a", "sub/b.txt": "b" });
  // Back again: its events are mirrored as before.
  await Deno.rename(join(w.dir, "moved"), src);
  await Deno.remove(join(src, "a.txt"));
  const back = await m.syncPaths([join(src, "a.txt")]);
  assertEquals([back.deleted, back.deletesSkipped], [1, undefined]);
});
