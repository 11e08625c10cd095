/**
 * How an `AssetCache` opens the store of a root URI, for a `VersionedCache`
 * or `Repository` given the cache and no store options of their own: they
 * then list, publish and keep content in the stores the cache reads (a cache
 * made for a test's fake S3 read from it while the others went to the
 * shell's endpoint). A module of its own, so that looking it up loads no
 * cache code.
 *
 * @module
 */
import type { StoreOptions } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";

/** What an `AssetCache` opens its stores with. */
export interface CacheStoreSource {
  /** The options its stores are opened with (the S3 store's environment included). */
  readonly options: StoreOptions;
  /** The caller's `openStore`, when the cache was given one: its stores stay the caller's. */
  readonly open: ((rootUri: string) => Promise<ObjectStore>) | undefined;
}

const storeSources = new WeakMap<object, CacheStoreSource>();

/**
 * Records what `cache` opens its stores with (its constructor's call).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheStoreSource, registerStoreSource } from "./store_source.ts";
 * const cache = {};
 * registerStoreSource(cache, { options: { s3: { region: "eu-west-1" } }, open: undefined });
 * assert.equal(cacheStoreSource(cache)?.options.s3?.region, "eu-west-1");
 * ```
 */
export function registerStoreSource(cache: object, source: CacheStoreSource): void {
  storeSources.set(cache, source);
}

/**
 * The store settings `cache` was made with, or undefined for anything that
 * is no `AssetCache` (a test's stand-in).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache } from "./asset_cache.ts";
 * import { cacheStoreSource } from "./store_source.ts";
 * // Made without touching the disk: nothing is written until a call.
 * await using assets = new AssetCache({
 *   cacheDir: "/tmp/vc-example",
 *   configPath: false,
 *   env: { AWS_ENDPOINT_URL: "http://127.0.0.1:9000" },
 * });
 * assert.equal(typeof cacheStoreSource(assets)?.options.s3?.env, "function");
 * assert.equal(cacheStoreSource(assets)?.open, undefined);
 * assert.equal(cacheStoreSource({}), undefined);
 * ```
 */
export function cacheStoreSource(cache: unknown): CacheStoreSource | undefined {
  return typeof cache === "object" && cache !== null ? storeSources.get(cache) : undefined;
}
