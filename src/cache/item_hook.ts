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
import type { FlightStopper } from "./single_flight.ts";

/**
 * `cache()`'s options, and what stops the call's wait instead of a
 * `signal` (`FlightStopper`: a stopper stopped already rejects the call with
 * its reason, as an aborted signal does).
 */
export type CacheItemOptions = CacheGetOptions & { stopper?: FlightStopper | undefined };

/**
 * `AssetCache.cache(uri, options)` for `uri` parsed as `parsed`, `options`
 * valid as `cache()` checks them, and an `onProgress` that never throws
 * (nor returns a promise that rejects).
 */
export type CacheItem = (
  uri: string,
  parsed: ParsedUri,
  options: CacheItemOptions,
) => Promise<string>;

const ITEMS = new WeakMap<object, CacheItem>();

/**
 * Registers `item` as `cache`'s per-item entry (its constructor does, when
 * `cache()` is the asset cache's own, not a subclass's override).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheItemOf, registerCacheItem } from "./item_hook.ts";
 * const cache = {};
 * assert.equal(cacheItemOf(cache), undefined);
 * registerCacheItem(cache, (uri) => Promise.resolve(uri));
 * assert.equal(await cacheItemOf(cache)?.("s3://b/k", { scheme: "s3", bucket: "b", key: "k" }, {}), "s3://b/k");
 * ```
 */
export function registerCacheItem(cache: object, item: CacheItem): void {
  ITEMS.set(cache, item);
}

/** `cache`'s per-item entry, or `undefined` for any other object that has a `cache()`. */
export function cacheItemOf(cache: object): CacheItem | undefined {
  return ITEMS.get(cache);
}
