/**
 * Stores a caller hands to `AssetCache` / `VersionedCache` through
 * `openStore` stay the caller's: closing the cache does not close them, and
 * the cache stays usable after `close()` (its own stores reopen on demand).
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";

const enc = new TextEncoder();

Deno.test("AssetCache.close leaves a caller's store open, and the cache usable", async () => {
  const dir = await Deno.makeTempDir();
  await using store = new MemoryStore();
  try {
    await store.put("a.csv", enc.encode("a"));
    await store.put("b.csv", enc.encode("b"));
    const assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(store),
    });
    assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/a.csv")), "a");
    await assets.close();
    // The caller's store is still open...
    assertEquals((await store.head("b.csv"))?.size, 1);
    // ...and the cache still works through it.
    assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/b.csv")), "b");
    await assets.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VersionedCache.close leaves a caller's store open", async () => {
  const dir = await Deno.makeTempDir();
  await using store = new MemoryStore();
  try {
    await Deno.writeTextFile(`${dir}/a.csv`, "a");
    const vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: "s3://assets",
      cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} }),
      openStore: () => Promise.resolve(store),
    });
    await vc.add("/a.csv", `${dir}/a.csv`);
    await vc.close();
    assertEquals((await store.head("a.1.0.0.csv"))?.size, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
