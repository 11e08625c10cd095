/**
 * An `AssetCache` in a temp dir of its own for a test: no config file, no
 * environment, warnings dropped; the test gives the store (`store` or
 * `openStore`) and any other option. Disposing closes the cache and
 * removes the dir.
 *
 * @module
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { AssetCacheOptions } from "../src/cache/cache_options.ts";

/** A {@linkcode tempCache}: the cache, and the temp dir it is in (`dir/cache`). */
export interface TempCache extends AsyncDisposable {
  cache: AssetCache;
  dir: string;
}

/**
 * A new cache at `dir/cache` of a temp dir named with `prefix`, with
 * `options` over the quiet defaults (`configPath: false`, `env: {}`, a
 * `warn` that drops what it is told).
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../src/store/memory.ts";
 * import { tempCache } from "./temp_cache.ts";
 * await using t = await tempCache("vc_temp_cache_example_", {
 *   openStore: () => Promise.resolve(new MemoryStore()),
 * });
 * if (typeof t.cache.cache !== "function") throw new Error("an AssetCache");
 * ```
 */
export async function tempCache(
  prefix: string,
  options: Omit<AssetCacheOptions, "cacheDir">,
): Promise<TempCache> {
  const dir = await Deno.makeTempDir({ prefix });
  let cache: AssetCache;
  try {
    cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      warn: () => {},
      ...options,
    });
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    cache,
    dir,
    async [Symbol.asyncDispose]() {
      try {
        await cache.close();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}
