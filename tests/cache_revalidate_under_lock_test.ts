/**
 * A revalidation that finds its object unchanged records that under the
 * entry's lock: another process holding it (a `vc cache prune` or `rm`
 * removing the copy, a download replacing it) may change the data and the
 * record at any moment, and a record written beside it would name data that
 * is gone or of another version.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { acquireEntryLock, type EntryLock } from "../src/cache/entry_lock.ts";
import { readEntryRecord, removeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const DATA = new TextEncoder().encode("the object's bytes\n");

/** Runs `during` once while a HEAD is in flight (once armed). */
class HookedStore extends WrappingStore {
  during: (() => Promise<void>) | undefined;
  override async head(key: string, options?: { signal?: AbortSignal }) {
    const hook = this.during;
    this.during = undefined;
    if (hook !== undefined) await hook();
    return await this.inner.head(key, options) as ObjectInfo | undefined;
  }
}

Deno.test("a revalidation records nothing while another process holds the entry's lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-reval-lock-" });
  const inner = new MemoryStore();
  await inner.put("k.bin", DATA);
  const store = new HookedStore(inner);
  let waiting!: () => void;
  const waited = new Promise<"waiting">((resolve) => waiting = () => resolve("waiting"));
  const cache = new AssetCache({
    cacheDir: `${dir}/cache`,
    configPath: false,
    env: {},
    timeout: 0,
    openStore: () => Promise.resolve(store),
    warn: (message) => {
      if (message.includes("waiting")) waiting();
    },
  });
  let lock: EntryLock | undefined;
  try {
    const path = await cache.cache("s3://b/k.bin");
    const record = recordPathsOf(cache.dir, path);
    // Another process (a prune) takes the entry while it is revalidated.
    store.during = async () => {
      lock = await acquireEntryLock(path, { timeout: 0 });
    };
    const call = cache.cache("s3://b/k.bin");
    const first = await Promise.race([call.then(() => "returned" as const), waited]);
    assertEquals(first, "waiting", "the call returned while the entry's lock was held by another");
    // The prune removes the copy and its record, and lets go.
    removeEntryRecord(record);
    await Deno.remove(path);
    lock!.release();
    lock = undefined;
    assertEquals(await call, path);
    assertEquals(await Deno.readFile(path), DATA);
    const meta = readEntryRecord(record)?.meta;
    assert(meta !== undefined && meta.size === DATA.length, "the copy is recorded");
  } finally {
    lock?.release();
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
