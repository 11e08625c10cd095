/**
 * The cache service (`vc serve`) as a library: run it in your own process
 * with {@linkcode serveCache} or {@linkcode createHandler}, and talk to it
 * (or to any KBase file cache API v1 server) with {@linkcode CacheClient}
 * and {@linkcode withCache}.
 *
 * @example A service on a random port, and a client that caches a result in it
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { CacheClient, serveCache } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using service = await serveCache({
 *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
 *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
 *   });
 *   const client = new CacheClient({ url: service.url, token: "alice" });
 *   const out = await client.withCache({ step: "align" }, () =>
 *     Promise.resolve(new TextEncoder().encode("aligned")));
 *   assert(new TextDecoder().decode(out) === "aligned");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export {
  CacheClient,
  type CacheClientOptions,
  type CacheIdResult,
  CacheServiceError,
  CacheUploadError,
  type PutFileOptions,
  type RequestOptions,
  type UploadBody,
  withCache,
  type WithCacheOptions,
} from "./client.ts";
export {
  type CacheHandler,
  type CacheServiceOptions,
  createHandler,
  type ResponseCompletion,
} from "./handler.ts";
export { type RunningCacheService, serveCache, type ServeCacheOptions } from "./serve.ts";
export {
  addToken,
  type AuthProvider,
  type Identity,
  KBaseAuth,
  type KBaseAuthOptions,
  TokenFileAuth,
  type TokenFileAuthOptions,
} from "./auth.ts";
export { cacheId } from "./cache_id.ts";
export { HttpError } from "./http_error.ts";
export { JsonSyntaxError, parsePyJson, type PyJson, type PyNumber } from "./python_json.ts";
export {
  Entries,
  type EntriesOptions,
  type EntryMeta,
  type LoadedEntry,
  type SweepOptions,
  type SweepProgress,
  type SweepResult,
} from "./entries.ts";
export { Metrics } from "./metrics.ts";
