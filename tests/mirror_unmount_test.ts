/**
 * A source whose disk is unmounted (or mounted over) while a mirror is open,
 * as under `vc mirror --watch --delete`: its mount point reads as an empty
 * directory, and the target must not be emptied to match it. Needs to mount
 * a tmpfs (root on Linux, where the container allows it); ignored elsewhere.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { openDeleteMirror, storeContents, tempDir } from "./mirror_helpers.ts";
import { canMount, run } from "./mounts.ts";

Deno.test({
  name:
    "mirror --delete: a source mounted over (or unmounted) since the mirror opened deletes nothing",
  ignore: !canMount,
  async fn() {
    await using w = await tempDir();
    const { mirror, store, src } = await openDeleteMirror(w.dir);
    await using m = mirror;
    // Another filesystem at the source's path: an empty directory, as a
    // mount point is once its disk is unmounted.
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", src))) {
      throw new Error(`mounting a tmpfs at ${src} failed (the probe's mount worked)`);
    }
    try {
      const report = await m.run();
      assertEquals(report.deleted, 0);
      assertStringIncludes(report.deletesSkipped ?? "", "another filesystem");
      assertStringIncludes(report.deletesSkipped ?? "", src);
      // An event for a file that "vanished" with the disk deletes nothing either.
      const one = await m.syncPath(join(src, "a.txt"));
      assertEquals(one.deleted, 0);
      assertEquals(Object.keys(await storeContents(store)).sort(), ["a.txt", "sub/b.txt"]);
    } finally {
      await run("umount", src);
    }
    // The disk back: an ordinary delete goes ahead.
    await Deno.remove(join(src, "a.txt"));
    assertEquals((await m.run()).deleted, 1);
  },
});
