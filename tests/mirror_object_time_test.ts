/**
 * A store → local mirror gives a downloaded file the object's last-modified
 * time before the file takes its name: `vc mirror` killed between the
 * commit and a later `utime` left files with the download's time, newer than
 * the object, which `aws s3 sync` downloads again and the next mirror (same
 * size and MD5: unchanged) never repaired.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test("mirror store → local: a file has the object's time when it takes its name", async () => {
  await using w = await tempDir();
  const storeDir = join(w.dir, "store");
  const fs = new FsStore(storeDir);
  await fs.put("d/a.txt", new TextEncoder().encode("hello"));
  const old = new Date("2001-02-03T04:05:06Z");
  await Deno.utime(join(storeDir, "d/a.txt"), old, old);
  const objectTime = (await fs.head("d/a.txt"))!.lastModified.getTime();
  const dl = join(w.dir, "dl");
  const dest = join(dl, "d/a.txt");
  // What a process killed right after the rename leaves: the temp file's
  // time at the moment it takes the destination's name.
  const atRename: number[] = [];
  const renameSync = Deno.renameSync;
  Deno.renameSync = (from: string | URL, to: string | URL) => {
    if (String(to) === dest) atRename.push(Deno.lstatSync(from).mtime!.getTime());
    renameSync(from, to);
  };
  try {
    const r = await mirror({ sources: [fs], target: dl, statePath: join(w.dir, "s.db") });
    assertEquals(r.failed, []);
    assertEquals(r.transferred, 1);
  } finally {
    Deno.renameSync = renameSync;
  }
  assertEquals(atRename, [objectTime]);
  assertEquals((await Deno.lstat(dest)).mtime!.getTime(), objectTime);
  await fs.close?.();
});
