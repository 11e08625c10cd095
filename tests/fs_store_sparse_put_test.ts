/**
 * A sparse file (a VM disk image: 2 GiB of which a few MB are data) put into
 * a directory store (`vc mirror DIR file:///backup`) was written out whole:
 * 2 GiB of zeros on the target disk and its time, where `cp` and rclone keep
 * the holes. Runs of zeros (64 KiB or more, as read) are now left as holes:
 * the object reads the same, byte for byte, and takes the space of its data.
 * Linux only: where the file system makes holes of a seek past the end
 * (ext4, xfs, btrfs, tmpfs), as `du` shows.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

/** Blocks the file takes on disk, in bytes (`du --block-size=1`). */
async function onDisk(path: string): Promise<number> {
  const out = await new Deno.Command("du", { args: ["--block-size=1", path] }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return Number(new TextDecoder().decode(out.stdout).split("\t")[0]);
}

Deno.test({
  name: "FsStore put: a sparse file keeps its holes and reads the same",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "disk.img");
    const MiB = 1024 * 1024;
    // 64 MiB: data at its start and in its middle, then a hole to its end.
    {
      using f = await Deno.open(src, { write: true, create: true });
      await f.write(new Uint8Array(4096).fill(7));
      await f.seek(32 * MiB + 100, Deno.SeekMode.Start);
      await f.write(new Uint8Array(10).fill(9));
      await f.truncate(64 * MiB);
    }
    const store = new FsStore(join(w.dir, "bucket"));
    try {
      await store.put("disk.img", { path: src });
      const stored = join(w.dir, "bucket", "disk.img");
      assertEquals((await Deno.stat(stored)).size, 64 * MiB);
      assertEquals(await Deno.readFile(stored), await Deno.readFile(src));
      const used = await onDisk(stored);
      assert(used < 8 * MiB, `the stored file takes ${used} bytes on disk`);
    } finally {
      await store.close();
    }
  },
});
