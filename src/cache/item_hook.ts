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

/**
 * Keeps what a cache sets up for its downloads (its record journals' open
 * handles) between items, for a run of many (a prefill), until the function
 * it returns is called: without it, they are let go each time no download
 * is in flight, which a run whose downloads finish together reaches after
 * every wave of them.
 */
export type CacheHold = () => () => void;

const ITEMS = new WeakMap<object, { item: CacheItem; own: unknown; hold?: CacheHold }>();

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
export function registerCacheItem(
  cache: object,
  item: CacheItem,
  own: unknown,
  hold?: CacheHold,
): void {
  ITEMS.set(cache, hold === undefined ? { item, own } : { item, own, hold });
}

/**
 * `cache`'s per-item entry, or `undefined` for any other object that has a
 * `cache()`, and for one whose `cache()` is no longer the one registered.
 */
export function cacheItemOf(cache: object): CacheItem | undefined {
  return ownEntry(cache)?.item;
}

/**
 * `cache`'s {@linkcode CacheHold}, registered with its per-item entry (and
 * taken only where {@linkcode cacheItemOf} gives that entry), else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheHoldOf, registerCacheItem } from "./item_hook.ts";
 * const own = (uri: string) => Promise.resolve(uri);
 * const cache = { cache: own };
 * let held = 0;
 * registerCacheItem(cache, own, own, () => (held++, () => held--));
 * const release = cacheHoldOf(cache)?.();
 * assert.equal(held, 1);
 * release?.();
 * assert.equal(held, 0);
 * ```
 */
export function cacheHoldOf(cache: object): CacheHold | undefined {
  return ownEntry(cache)?.hold;
}

function ownEntry(cache: object): { item: CacheItem; hold?: CacheHold } | undefined {
  const entry = ITEMS.get(cache);
  return entry !== undefined && (cache as { cache?: unknown }).cache === entry.own
    ? entry
    : undefined;
}
