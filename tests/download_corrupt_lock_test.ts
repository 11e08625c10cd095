/**
 * A cache download whose content came corrupt is downloaded again under the
 * entry's cross-process lock: the retry keeps the lock (the shared temp file),
 * so another process asking for the same object meanwhile waits and then
 * finds the entry, instead of downloading it a second time, and no temp file
 * is left behind.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { sharedTempPathFor } from "../src/atomic_write.ts";
import { md5Hex } from "../src/hash.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** A FaultStore whose `onGet` hook runs before each GET is answered. */
class HookedStore extends FaultStore {
  onGet: (n: number, options: GetOptions) => Promise<void> = () => Promise.resolve();
  /** GETs not pinned to a version: each one a download started afresh. */
  unconditional = 0;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    if (options.ifMatch === undefined) this.unconditional++;
    await this.onGet(this.counts.get + 1, options);
    return super.get(key, options);
  }
}

/** True when `path` exists and another open file description cannot lock it. */
function lockedByOther(path: string): boolean {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true, write: true });
  } catch {
    return false;
  }
  try {
    const free = f.tryLockSync(true);
    if (free) f.unlockSync();
    return !free;
  } finally {
    f.close();
  }
}

for (const size of [4096, 1024 * 1024]) {
  Deno.test(`cache: the retry after a corrupt response (${size} bytes) keeps the entry lock; another process waits`, async () => {
    await withTempDir(async (dir) => {
      const store = new HookedStore("s3://bucket");
      const data = randomBytes(size, 21);
      store.set("k.bin", data);
      // The small one's only GET; a range of the large one (the middle byte of its second).
      store.fail("corrupt", 1, ["get"], size === 4096 ? undefined : true);
      const cacheDir = join(dir, "cache");
      const make = () =>
        new AssetCache({
          cacheDir,
          configPath: false,
          env: {},
          warn: () => {},
          openStore: () => Promise.resolve(store),
          // Ranged GETs for the large one: the corrupt range comes from the first GET.
          download: { parallelThreshold: 256 * 1024, partSize: 256 * 1024 },
        });
      await using a = make();
      await using b = make();
      const uri = "s3://bucket/k.bin";
      const shared = sharedTempPathFor(a.localPath(uri));
      let other: Promise<string> | undefined;
      const lockedAtRetry: boolean[] = [];
      store.onGet = async (n, options) => {
        if (n === 1) {
          // Another process asks while the first (corrupt) response is on its way.
          other = b.cache(uri);
          await new Promise((r) => setTimeout(r, 100));
        } else if (store.faults.length === 0) {
          lockedAtRetry.push(lockedByOther(shared));
          // The retry's first GET: time for the other process to take a lock that was let go.
          if (options.ifMatch !== undefined && (options.range?.start ?? 0) === 0) {
            await new Promise((r) => setTimeout(r, 300));
          }
        }
      };
      const path = await a.cache(uri);
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
      assertEquals(await other, path);
      // The retry held the lock, and the other process downloaded nothing.
      assert(lockedAtRetry.length > 0);
      assert(lockedAtRetry.every((locked) => locked), String(lockedAtRetry));
      assertEquals(store.unconditional, 1);
      assertEquals(await tempFiles(cacheDir), []);
    });
  });
}
