/**
 * A download killed (`kill -9`) after it wrote its copy's record and before it
 * removed its lock file's name (`.<name>.vc-tmp-0-shared`, the data path's
 * second name from its commit) leaves a complete, recorded copy. An offline
 * lookup right after (within the 5 s a younger unlocked temp file is kept for
 * a writer between its create and its lock, which no committed file is)
 * removes that dead name under its lock and serves the copy, instead of
 * refusing it as "not cached ... where a file with another name (a hard
 * link) is" until a later run online.
 */
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { sharedTempPathFor } from "../src/atomic_write.ts";

Deno.test("offline: a copy recorded by a download killed before it removed its lock file's name is served at once", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.csv", "a,b\n1,2\n");
    const path = await make().cache("s3://b/k.csv");
    // The state the kill leaves: the committed file under both names, its record written.
    const lock = sharedTempPathFor(path);
    await Deno.link(path, lock);
    assertEquals((await Deno.lstat(path)).nlink, 2);
    assertEquals(await make({ offline: true }).cache("s3://b/k.csv"), path);
    assertEquals(await Deno.readTextFile(path), "a,b\n1,2\n");
    assertEquals((await Deno.lstat(path)).nlink, 1, "the dead download's name is gone");
    assert(!(await Deno.lstat(lock).then(() => true, () => false)));
  });
});

Deno.test("offline: a file committed without its record (killed before the record) is still not served", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.csv", "old");
    const path = await make().cache("s3://b/k.csv");
    // Another download's committed file, whose record was never written: not the recorded copy.
    const lock = sharedTempPathFor(path);
    await Deno.writeTextFile(lock, "new!");
    await Deno.rename(lock, path);
    await Deno.link(path, lock);
    const error = await make({ offline: true }).cache("s3://b/k.csv").then(
      () => undefined,
      (e: Error) => e,
    );
    assert(error !== undefined, "a copy its record does not describe was served");
    assertEquals(await Deno.readTextFile(path), "new!");
  });
});

Deno.test("offline: a dead download's lock name taken meanwhile by a new download's lock file is not removed", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.csv", "a,b\n1,2\n");
    const path = await make().cache("s3://b/k.csv");
    const lock = sharedTempPathFor(path);
    await Deno.link(path, lock);
    // Between this lookup's open of the dead name and its lock, another
    // lookup removed that name and a new download created and locked its own
    // lock file there: that file's name is the new download's, not debris.
    let live: Deno.FsFile | undefined;
    const open = Deno.openSync;
    Deno.openSync = (file: string | URL, options?: Deno.OpenOptions) => {
      const opened = open(file, options);
      if (live === undefined && String(file) === lock) {
        Deno.removeSync(lock);
        live = open(lock, { read: true, write: true, createNew: true });
        live.lockSync(true);
      }
      return opened;
    };
    try {
      await make({ offline: true }).cache("s3://b/k.csv").catch(() => undefined);
    } finally {
      Deno.openSync = open;
    }
    try {
      assert(live !== undefined, "the lookup never opened the lock file");
      const there = await Deno.lstat(lock).catch(() => undefined);
      assert(there !== undefined, "the new download's lock file was removed");
      assertEquals(there.ino, live.statSync().ino);
      assertEquals(await Deno.readTextFile(path), "a,b\n1,2\n");
    } finally {
      live?.close();
    }
  });
});
