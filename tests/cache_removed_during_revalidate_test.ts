/**
 * A copy removed (by `vc cache prune` or `rm` in another process) while its
 * revalidation waits for the store: the confirmation must not write a record
 * for data that is no longer there, nor return a path that does not exist.
 * The entry is downloaded again instead; with the store unreachable, the
 * call fails saying so.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { listEntries, pruneEntries } from "../src/cache/maintenance.ts";
import { readEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { OfflineError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const DATA = new TextEncoder().encode("the object's bytes\n");

/** Runs `during` while a HEAD is in flight (once armed), then answers it (or fails, unreachable). */
class HookedStore extends WrappingStore {
  during: (() => Promise<void>) | undefined;
  unreachable = false;
  override async head(key: string, options?: { signal?: AbortSignal }) {
    const hook = this.during;
    this.during = undefined;
    if (hook !== undefined) await hook();
    if (this.unreachable) throw new OfflineError("store down (test)");
    return await this.inner.head(key, options) as ObjectInfo | undefined;
  }
}

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "vc-reval-rm-" });
  const inner = new MemoryStore();
  await inner.put("k.bin", DATA);
  const store = new HookedStore(inner);
  const cache = new AssetCache({
    cacheDir: `${dir}/cache`,
    configPath: false,
    env: {},
    openStore: () => Promise.resolve(store),
    warn: () => {},
  });
  return { dir, store, cache };
}

Deno.test("a copy pruned while it is revalidated is downloaded again, never a missing path", async () => {
  const { dir, store, cache } = await setup();
  try {
    const path = await cache.cache("s3://b/k.bin");
    await cache.invalidate("s3://b/k.bin");
    store.during = async () => {
      const r = await pruneEntries(cache.dir, { maxBytes: 0 });
      assertEquals(r.removed.map((e) => e.path), [path]);
    };
    assertEquals(await cache.cache("s3://b/k.bin"), path);
    assertEquals(await Deno.readFile(path), DATA);
    // The record and the data agree: one entry, its record naming this copy.
    assertEquals((await listEntries(cache.dir)).map((e) => e.path), [path]);
    assertEquals(readEntryRecord(recordPathsOf(cache.dir, path))?.meta.size, DATA.length);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a copy removed while the store cannot be reached fails, saying so", async () => {
  const { dir, store, cache } = await setup();
  try {
    const path = await cache.cache("s3://b/k.bin");
    await cache.invalidate("s3://b/k.bin");
    store.unreachable = true;
    store.during = async () => {
      await pruneEntries(cache.dir, { maxBytes: 0 });
    };
    const e = await assertRejects(() => cache.cache("s3://b/k.bin"), OfflineError);
    assertStringIncludes(e.message, "removed meanwhile");
    assertStringIncludes(e.message, path);
    // No record was written for the removed copy.
    assertEquals(readEntryRecord(recordPathsOf(cache.dir, path)), undefined);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
