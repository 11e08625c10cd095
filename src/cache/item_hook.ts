/**
 * The asset cache's per-item entry for a caller of its own (prefill): one
 * call per object with the URI already parsed, options it built itself (so
 * not checked again) and a progress callback that never throws (so no
 * callback guard, with its controller and `AbortSignal.any`, per call).
 * What it serves and how it fails is what `AssetCache.cache` serves and
 * throws for the same URI and options.
 *
 * A module of its own, with no import of code: prefill finds the entry of a cache
 * without importing the asset cache, which `@vc/vc/prefill` does not load.
 *
 * @module
 */
import type { CacheGetOptions } from "./cache_options.ts";
import type { ParsedUri } from "../uri.ts";

/**
 * `AssetCache.cache(uri, options)` for `uri` parsed as `parsed`, `options`
 * valid as `cache()` checks them, and an `onProgress` that never throws
 * (nor returns a promise that rejects).
 */
export type CacheItem = (
  uri: string,
  parsed: ParsedUri,
  options: CacheGetOptions,
) => Promise<string>;

const ITEMS = new WeakMap<object, { item: CacheItem; own: unknown }>();

/**
 * Registers `item` as `cache`'s per-item entry, for as long as `cache.cache`
 * is `own` (the asset cache's own `cache()`): a subclass's override, or a
 * `cache()` put on the instance later (a test's stub, a wrapper that logs),
 * is called instead, as a loop of `cache()` would call it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheItemOf, registerCacheItem } from "./item_hook.ts";
 * const own = (uri: string) => Promise.resolve(uri);
 * const cache: { cache: (uri: string) => Promise<string> } = { cache: own };
 * assert.equal(cacheItemOf(cache), undefined);
 * registerCacheItem(cache, (uri) => Promise.resolve(uri), own);
 * assert.equal(await cacheItemOf(cache)?.("s3://b/k", { scheme: "s3", bucket: "b", key: "k" }, {}), "s3://b/k");
 * cache.cache = (uri) => own(uri); // replaced: its calls are the caller's to see
 * assert.equal(cacheItemOf(cache), undefined);
 * ```
 */
export function registerCacheItem(cache: object, item: CacheItem, own: unknown): void {
  ITEMS.set(cache, { item, own });
}

/**
 * `cache`'s per-item entry, or `undefined` for any other object that has a
 * `cache()`, and for one whose `cache()` is no longer the one registered.
 */
export function cacheItemOf(cache: object): CacheItem | undefined {
  const entry = ITEMS.get(cache);
  return entry !== undefined && (cache as { cache?: unknown }).cache === entry.own
    ? entry.item
    : undefined;
}
