/**
 * A store → local mirror that finds a file's content already equal to its
 * object (same size and MD5: not downloaded) gives it the object's
 * last-modified time, as it gives a file it downloads and as `rclone sync`
 * does. Before, such a file kept its own, newer time (a copy made with `cp`,
 * a checkout, a file written again with the same bytes): the mirror said
 * "unchanged", and `aws s3 sync s3://… DIR`, which compares sizes and times
 * only, downloaded every one of them again.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test("mirror store → local: a file found equal takes the object's time, not downloaded", async () => {
  await using w = await tempDir();
  const storeDir = join(w.dir, "store");
  const fs = new FsStore(storeDir);
  try {
    await fs.put("d/a.txt", new TextEncoder().encode("hello"));
    const old = new Date("2001-02-03T04:05:06Z");
    await Deno.utime(join(storeDir, "d/a.txt"), old, old);
    const objectTime = (await fs.head("d/a.txt"))!.lastModified.getTime();
    const dl = join(w.dir, "dl");
    const dest = join(dl, "d/a.txt");
    // The same bytes, written later (as `cp -r` of an earlier download leaves them).
    await Deno.mkdir(join(dl, "d"), { recursive: true });
    await Deno.writeTextFile(dest, "hello");
    const newer = new Date("2020-01-01T00:00:00Z");
    await Deno.utime(dest, newer, newer);

    const statePath = join(w.dir, "s.db");
    const dryRun = await mirror({ sources: [fs], target: dl, statePath, dryRun: true });
    assertEquals([dryRun.transferred, dryRun.unchanged], [0, 1]);
    assertEquals(
      (await Deno.lstat(dest)).mtime!.getTime(),
      newer.getTime(),
      "a dry run changes nothing",
    );

    const r = await mirror({ sources: [fs], target: dl, statePath });
    assertEquals(r.failed, []);
    assertEquals([r.transferred, r.unchanged], [0, 1], "equal content is not downloaded");
    assertEquals((await Deno.lstat(dest)).mtime!.getTime(), objectTime, "the object's time");
    assertEquals(await Deno.readTextFile(dest), "hello");

    // Later runs leave it so.
    for (let i = 0; i < 2; i++) {
      const again = await mirror({ sources: [fs], target: dl, statePath });
      assertEquals([again.transferred, again.unchanged], [0, 1]);
      assertEquals((await Deno.lstat(dest)).mtime!.getTime(), objectTime);
    }

    // An object written again with the same bytes (a newer time, the same
    // ETag): the state vouches for the file, which takes the new time too.
    const later = new Date("2024-05-06T07:08:09Z");
    await Deno.utime(join(storeDir, "d/a.txt"), later, later);
    const third = await mirror({ sources: [fs], target: dl, statePath });
    assertEquals([third.transferred, third.unchanged], [0, 1]);
    assertEquals((await Deno.lstat(dest)).mtime!.getTime(), later.getTime());
  } finally {
    await fs.close?.();
  }
});
