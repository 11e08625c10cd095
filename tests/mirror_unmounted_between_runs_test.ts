/**
 * A one-shot `vc mirror DISK s3://… --delete` (a cron job, a systemd timer)
 * whose source is a mount point: once the disk is not mounted, the path is
 * an empty directory of the parent filesystem, and the next run must not
 * empty the target to match it. The state file remembers the device of each
 * source that held something; an empty source on another device than that
 * deletes nothing. Needs to mount a tmpfs (root on Linux, where the
 * container allows it); ignored elsewhere.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";
import { canMount, run } from "./mounts.ts";

async function once(options: MirrorOptions) {
  await using m = await Mirror.open(options);
  return await m.run();
}

Deno.test({
  name: "mirror --delete: a run after the source's disk was unmounted (its empty mount point) " +
    "deletes nothing; an emptied source on its own disk still is emptied",
  ignore: !canMount,
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "disk");
    await Deno.mkdir(src);
    const store = new FsStore(join(w.dir, "bucket"));
    const options = { sources: [src], target: store, delete: true, statePath: join(w.dir, "s.db") };
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", src))) {
      throw new Error(`mounting a tmpfs at ${src} failed (the probe's mount worked)`);
    }
    try {
      await writeTree(src, { "a.txt": "a", "sub/b.txt": "b" });
      assertEquals((await once(options)).transferred, 2);
    } finally {
      await run("umount", src);
    }
    // The disk is gone: its mount point, an empty directory, is all there is.
    const dry = await once({ ...options, dryRun: true });
    assertEquals(dry.deleted, 0);
    const report = await once(options);
    assertEquals(report.deleted, 0);
    assertStringIncludes(report.deletesSkipped ?? "", "another filesystem");
    assertStringIncludes(report.deletesSkipped ?? "", src);
    assertEquals(Object.keys(await storeContents(store)).sort(), ["a.txt", "sub/b.txt"]);
    // Said again at the next run: the refusal does not become the new normal.
    assertEquals((await once(options)).deleted, 0);

    // Files on the parent filesystem at that path (the user's own choice):
    // mirrored, the device remembered, and emptying it later is obeyed.
    await writeTree(src, { "c.txt": "c" });
    const moved = await once(options);
    assertEquals([moved.transferred, moved.deleted], [1, 2]);
    await Deno.remove(join(src, "c.txt"));
    assertEquals((await once(options)).deleted, 1);
    assertEquals(Object.keys(await storeContents(store)), []);
  },
});

Deno.test({
  name: "mirror --delete: opened while the source's disk was not mounted (a watch started " +
    "before the mount), its deletes go ahead once that disk is mounted",
  ignore: !canMount,
  async fn() {
    await using w = await tempDir();
    // The disk: a directory of a tmpfs, bind-mounted at the source, so it
    // has the same device each time it is mounted there (as a real disk's
    // partition does, a new tmpfs would not).
    const disk = join(w.dir, "fs");
    const src = join(w.dir, "disk");
    await Deno.mkdir(disk);
    await Deno.mkdir(src);
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk))) {
      throw new Error(`mounting a tmpfs at ${disk} failed (the probe's mount worked)`);
    }
    try {
      await writeTree(join(disk, "data"), { "a.txt": "a", "b.txt": "b" });
      const mountDisk = async () => {
        if (!(await run("mount", "--bind", join(disk, "data"), src))) {
          throw new Error(`bind-mounting ${disk}/data at ${src} failed`);
        }
      };
      const store = new FsStore(join(w.dir, "bucket"));
      const options = {
        sources: [src],
        target: store,
        delete: true,
        statePath: join(w.dir, "s.db"),
      };
      await mountDisk();
      try {
        assertEquals((await once(options)).transferred, 2);
      } finally {
        await run("umount", src);
      }
      await using m = await Mirror.open(options);
      const unmounted = await m.run();
      assertEquals(unmounted.deleted, 0);
      assertStringIncludes(unmounted.deletesSkipped ?? "", "another filesystem");
      await mountDisk();
      try {
        await Deno.remove(join(src, "b.txt"));
        const back = await m.run();
        assertEquals(back.deletesSkipped, undefined);
        assertEquals(back.deleted, 1);
        assertEquals(Object.keys(await storeContents(store)), ["a.txt"]);
      } finally {
        await run("umount", src);
      }
    } finally {
      await run("umount", disk);
    }
  },
});
