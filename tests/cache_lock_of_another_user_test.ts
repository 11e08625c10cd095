/**
 * The entry lock in a cache dir several users share: the lock is the
 * download's shared temp file, which its owner's umask (022) leaves
 * read-only to the others. A user who could not open it for writing went
 * on without the lock: beside another user's live download it downloaded
 * the object too (no wait), and a dead one's temp file (`kill -9`) stayed
 * forever, so every later download of the entry by another user was one of
 * its own. Now the lock is waited for through a read-only handle, and a dead
 * holder's temp name is removed (the directory is writable) so the entry
 * gets a lock again.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { sharedTempPathFor } from "../src/atomic_write.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

// A cache dir every user may write (as one shared by hand), with `a.csv`
// to cache from a file:// source, and a temp file of root's (mode 644) at
// the entry's lock: what a download of root's leaves there.
async function sharedCacheWithRootTemp(dir: string) {
  const cacheDir = join(dir, "cache");
  const source = join(dir, "a.csv");
  await Deno.writeTextFile(source, "a\n");
  const uri = pathToFileURL(source).href;
  let dataPath: string;
  {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    dataPath = cache.localPath(uri);
  }
  const lockPath = sharedTempPathFor(dataPath);
  await Deno.mkdir(dirname(dataPath), { recursive: true });
  await Deno.writeTextFile(lockPath, "partial", { mode: 0o644 });
  await Deno.chmod(lockPath, 0o644);
  await new Deno.Command("chmod", { args: ["-R", "a+rwX", cacheDir] }).output();
  await Deno.chmod(lockPath, 0o644);
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(source, 0o644);
  return { cacheDir, uri, dataPath, lockPath };
}

Deno.test({
  name: "cache get: another user's dead download's lock file is removed, not downloaded " +
    "beside forever (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-foreign-lock-" });
    try {
      const { cacheDir, uri, dataPath, lockPath } = await sharedCacheWithRootTemp(dir);
      const out = await asNobody(dir, { vc: ["cache", "get", uri, "--cache-dir", cacheDir] });
      assertEquals(out.code, 0, out.stderr);
      assertEquals(out.stdout.trim(), dataPath);
      assertEquals(await Deno.readTextFile(dataPath), "a\n");
      // The dead holder's name is gone: the next download of it locks again.
      const left = await Deno.lstat(lockPath).then(() => true, () => false);
      assert(!left, `${lockPath} is still there`);
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cache get: another user's live download's lock is waited for " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-foreign-lock-" });
    try {
      const { cacheDir, uri, dataPath, lockPath } = await sharedCacheWithRootTemp(dir);
      // Root's download in progress: its lock held for the whole run.
      using held = await Deno.open(lockPath, { read: true, write: true });
      held.lockSync(true);
      const out = await asNobody(dir, { vc: ["cache", "get", uri, "--cache-dir", cacheDir] }, {
        VC_LOCK_WAIT: "1",
      });
      assertEquals(out.code, 0, out.stderr);
      assertStringIncludes(out.stderr, `to finish downloading ${uri} (lock ${lockPath})`);
      assertStringIncludes(out.stderr, "without the lock");
      assertEquals(await Deno.readTextFile(dataPath), "a\n");
      // A live holder's file is never taken from it.
      assertEquals(await Deno.readTextFile(lockPath), "partial");
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cache verify: another user's dead download's lock file is swept " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-foreign-lock-" });
    try {
      const { cacheDir, lockPath } = await sharedCacheWithRootTemp(dir);
      const old = new Date(Date.now() - 60_000);
      await Deno.utime(lockPath, old, old);
      const out = await asNobody(dir, { vc: ["cache", "verify", "--cache-dir", cacheDir] });
      assertEquals(out.code, 0, out.stderr);
      const left = await Deno.lstat(lockPath).then(() => true, () => false);
      assert(!left, `${lockPath} is still there`);
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
