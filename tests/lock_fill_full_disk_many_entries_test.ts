/**
 * `vc lock` (fillLock) adding many entries to a lock file on a nearly full
 * disk. Its try of the lock file's write, before any download, asked for
 * room for the file's current size and one entry's line (4 KiB), whatever
 * the number of entries it was about to add: with a few hundred new
 * entries, the try passed, every object was downloaded and hashed, and
 * only then did the lock file's write fail for want of space. The try now
 * asks for room for every entry it adds, so such a disk refuses the call
 * before the first download, saying so, and the lock file stays as it
 * was. Needs a small file system: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { canMount, tmpfsScratch } from "./mounts.ts";

const ENTRIES = 300;

Deno.test({
  name: "fillLock: a lock file on a disk without room for all its new entries is refused " +
    "before any download (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    // 16 KiB: room for the old try's 4 KiB, not for 300 entries' lines.
    await using scratch = await tmpfsScratch("vc-lock-fill-full-disk-", { options: "size=16k" });
    const manifest = join(scratch.dir, "versioned_assets.json");
    const lockFile = join(scratch.mnt, "versioned_assets.lock.json");
    const bucket = join(scratch.dir, "bucket");
    await Deno.mkdir(bucket);
    const pins: Record<string, string> = {};
    for (let i = 0; i < ENTRIES; i++) {
      const name = `data_file_number_${String(i).padStart(4, "0")}.csv`;
      await Deno.writeTextFile(join(bucket, name.replace(".csv", ".1.0.0.csv")), `${i}\n`);
      pins[`/${name}`] = "1.0.0";
    }
    await Deno.writeTextFile(manifest, JSON.stringify(pins, null, 2));
    const cacheDir = join(scratch.dir, "cache");
    await using cache = new AssetCache({ cacheDir, configPath: false });
    await using vc = new VersionedCache({ manifest, lock: lockFile, bucket, cache });

    const e = await assertRejects(() => fillLock(vc));
    assertStringIncludes(e.message, `cannot write lock file ${lockFile}`);
    assertStringIncludes(e.message, "no space left");
    assertStringIncludes(e.message, "nothing was added to the lock file");
    // Refused before the downloads: nothing was read into the cache.
    assertEquals((await cache.ls()).length, 0);
    assertEquals([...Deno.readDirSync(scratch.mnt)].filter((f) => !f.name.endsWith(".lock")), []);
  },
});

Deno.test({
  name: "fillLock: a lock file write that fails after the downloads names the lock file " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using scratch = await tmpfsScratch("vc-lock-fill-late-full-disk-", {
      options: "size=64k",
    });
    const manifest = join(scratch.dir, "versioned_assets.json");
    const lockFile = join(scratch.mnt, "versioned_assets.lock.json");
    const bucket = join(scratch.dir, "bucket");
    await Deno.mkdir(bucket);
    await Deno.writeTextFile(join(bucket, "a.1.0.0.csv"), "a\n");
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0" }));
    await using cache = new AssetCache({ cacheDir: join(scratch.dir, "cache"), configPath: false });
    await using vc = new VersionedCache({ manifest, lock: lockFile, bucket, cache });
    // The disk fills while the object is read (another writer): after the try.
    let filled = false;
    const e = await assertRejects(() =>
      fillLock(vc, {
        onProgress: ({ done }) => {
          if (done === 0 || filled) return;
          filled = true;
          using f = Deno.openSync(join(scratch.mnt, "filler"), { write: true, create: true });
          try {
            for (;;) f.writeSync(new Uint8Array(4096));
          } catch {
            // Full.
          }
        },
      })
    );
    assertStringIncludes(e.message, `could not write lock file ${lockFile}`);
    assertStringIncludes(e.message, "No space left on device");
    assertStringIncludes(e.message, "/a.csv@1.0.0");
  },
});
