/**
 * Options of the asset cache (`AssetCache`) and of its calls: their types,
 * and the names `AssetCache` takes, which the calls given one of them by
 * mistake (`VersionedCache`, `prefill`) name it with. Importing this module
 * costs a warm process nothing.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { EnvReader } from "../config.ts";
import type { DownloadIntegrity, DownloadOptions } from "../store/download.ts";
import type { StoreOptions } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import type { PruneProgress, VerifyProgress } from "./maintenance.ts";
import type { OptionNames } from "../options_check.ts";

/** Options of `AssetCache`. Unset values come from the environment and config file (see `resolveSettings`). */
export interface AssetCacheOptions {
  /** Cache directory (default: `VC_CACHE_DIR`, the config file, or the platform cache dir). */
  cacheDir?: string | undefined;
  /** Seconds before an entry is revalidated; default 86400; 0 = on every call. */
  timeout?: number | undefined;
  /**
   * Bucket names, or URIs of a store's root, a prefix or one object
   * (`file:///srv/assets`, `s3://b/releases`, `s3://b/w.bin`), whose objects
   * are never revalidated; a `./dir` is relative to the current directory.
   */
  immutableBuckets?: string[] | undefined;
  /** Never touch the network: serve what is cached, else throw `OfflineError`. */
  offline?: boolean | undefined;
  /**
   * Where `offline` came from, for the messages that refuse a download in
   * offline mode, when the caller resolved the settings itself (the CLI
   * passes `Settings.sources.offline`: `env VC_OFFLINE`, `config FILE`, ...,
   * after `cli `, so that they name its `--offline` flag where a library
   * user is told of the `offline` option); default: where this cache
   * resolved it from (`option` when `offline` is given).
   */
  offlineSource?: string | undefined;
  /**
   * When the store is unreachable during revalidation: serve the cached copy
   * with a warning (`"warn"`), or throw `OfflineError` (`"fail"`); default
   * `VC_ON_UNREACHABLE`, else `"warn"`.
   */
  onUnreachable?: "warn" | "fail" | undefined;
  /** Options for `openStore` (S3 endpoint, region, credentials, ...). */
  store?: StoreOptions | undefined;
  /**
   * Opens stores instead of `openStore` (tests, custom backends). The stores
   * it returns stay the caller's: `close()` does not close them. The default
   * opens a `file://` source's directory with `forUserFiles` (no sidecar
   * written beside the user's file); a custom opener decides for itself. An
   * S3 store it returns of another bucket or prefix than the root it was
   * given is refused (`InvalidInputError`), not read as that root's.
   */
  openStore?: ((rootUri: string) => Promise<ObjectStore>) | undefined;
  /** Receives warnings (default: a line on stderr, its control characters escaped). */
  warn?: ((message: string) => void) | undefined;
  /**
   * `warn` in the shape every other call of the library takes its warnings
   * (`VersionedCache.sync`'s `onWarning`, `ListOptions.onWarning`): told
   * `{ message }`. Give `warn` or `onWarning`, not both. A warning that the
   * call waits behind another process (another download of the same entry
   * holds its lock) is told `kind: "wait"` too, as it begins: a progress
   * display shows the wait until the call reports progress again.
   */
  onWarning?: ((warning: { message: string; kind?: "wait" }) => void) | undefined;
  /**
   * Tuning of large downloads; `parallelThreshold` and `partSize` (the size
   * of one ranged GET) left unset come from `VC_PARALLEL_THRESHOLD` /
   * `VC_RANGE_SIZE` and the config file (see `resolveSettings`).
   */
  download?:
    | Pick<DownloadOptions, "concurrency" | "partSize" | "parallelThreshold" | "attempts">
    | undefined;
  /** Config file to read instead of `$VC_CONFIG` / the default one; `false` for none. */
  configPath?: string | false | undefined;
  /**
   * Environment to read instead of `Deno.env`: settings, and the S3 endpoint, region, path style
   * and request timeout (credentials come from the AWS SDK's chain). A `store.s3.env` given
   * is what the S3 store reads instead.
   */
  env?: EnvReader | Record<string, string | undefined> | undefined;
  /**
   * Source of time for the timeout, the recheck interval and revalidation
   * times (default: the system clock; tests pass a `ManualClock` from
   * `./testing`). `prune` compares file ages with the filesystem's time.
   */
  clock?: Clock | undefined;
  /**
   * Seconds to wait for another process's lock on an entry before
   * downloading to an own temp file anyway (default `VC_LOCK_WAIT`, else 60),
   * counted from the holder's last write: a download that is arriving is
   * waited for however long it takes.
   */
  lockWait?: number | undefined;
  /**
   * Seconds a revalidation of a cached copy waits for the store, retries
   * included, before it serves the copy with a warning, as for a store it
   * cannot reach (default `VC_REVALIDATE_TIMEOUT`, else 5; 0: no limit but
   * the store's own request timeout and retries). Where nothing would be
   * served (a download with no copy, `onUnreachable: "fail"`, a copy the
   * store said is deleted) the store's timeouts and retries apply.
   */
  revalidateTimeout?: number | undefined;
  /**
   * Downloads at once (default 16); further cold entries wait for a slot.
   * `Promise.all` over a thousand `cache()` calls then runs like a prefill
   * instead of opening a thousand requests and files together (measured:
   * 1000 × 4 KiB took 1.7× as long unbounded).
   */
  maxDownloads?: number | undefined;
}

/** Per-call options of `AssetCache.cache`. */
export interface CacheGetOptions {
  /** Treat this object as immutable: never revalidate a cached copy. */
  immutable?: boolean | undefined;
  /**
   * Stop waiting: the call rejects at once with the signal's reason. A
   * download shared by several calls stops when every caller has aborted; it
   * then removes its temp file (`.<name>.vc-tmp-0-shared` beside the data) a
   * moment after the rejection. A new call for the same URI waits for that
   * and downloads afresh; `close()` waits for it too, so nothing is left once
   * it resolves. A signal already aborted rejects the call, even for a cached
   * copy.
   */
  signal?: AbortSignal | undefined;
  /**
   * Download progress: `bytes` written of `total`. A large download that
   * resumes what an earlier run left says how many of `bytes` that was
   * (`resumed`, with each report): a count of the bytes fetched leaves
   * them out.
   */
  onProgress?:
    | ((progress: { bytes: number; total: number; resumed?: number }) => void)
    | undefined;
  /**
   * How far a `file://` object with no valid sidecar (a large file dropped
   * into the directory by hand) is read for its ETag before it is downloaded
   * or revalidated (seconds a GB, when nothing else is reported), from 0;
   * the download's `onProgress` then starts from 0.
   */
  onHashProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Pinned content (an integrity lock entry): a download is verified against
   * it in the same pass as the MD5, and refused (`IntegrityError`, nothing
   * cached) on a mismatch. A cached copy that entered the cache without this
   * check (an unlocked read) is hashed once before it is served, and its
   * SHA-256 recorded; one that does not match is downloaded again, verified.
   */
  integrity?: DownloadIntegrity | undefined;
  /**
   * The caller asks for this object once (a prefill): the cache keeps no
   * in-memory record of it for later calls in this process (they read its
   * record from disk, as a new process would), so a run over a hundred
   * thousand objects does not hold one per object. What is served is the same.
   */
  once?: boolean | undefined;
  /**
   * The `file://` URI of the directory store that holds this `file://`
   * object (a directory bucket): the object is read by its key there, as
   * that store has it, so a symbolic link at its name or on its way there (or
   * a FIFO, a device) is no object and the call fails with `NotFoundError`,
   * as the store's `head` and listing say. Without it, a `file://` object is
   * read through its links, as a file the user names is. Ignored for `s3://`.
   */
  storeRoot?: string | undefined;
  /**
   * Called when this call serves a cached copy the store could not confirm:
   * the copy was due for revalidation (past the TTL, invalidated) and the
   * store did not answer, or answered with nothing to check the copy against
   * (the copy served with a warning, `onUnreachable: "warn"`). Called on each
   * such call, also those of the minute after that serve the copy without
   * asking the store again; and, in offline mode (which asks nothing), on
   * each call that serves a copy the store would have been asked about
   * online (past its TTL, invalidated, validated in the future by this
   * clock), with `offline: true`. Never for a copy within its TTL, an
   * immutable one, one just revalidated or downloaded. What it throws
   * rejects the call as a `CallbackError`.
   */
  onStale?: ((stale: StaleCopy) => void) | undefined;
}

/**
 * A cached copy served without the store's confirmation (see
 * `CacheGetOptions.onStale`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StaleCopy } from "./cache_options.ts";
 * const stale: StaleCopy = { reason: "connection refused", validatedAt: new Date(0) };
 * assert.equal(stale.reason, "connection refused");
 * ```
 */
export interface StaleCopy {
  /** Why the store could not confirm the copy (the warning's reason), e.g. `connection refused`. */
  reason: string;
  /**
   * When the store last confirmed the copy; the epoch (`new Date(0)`), as in
   * `CacheEntry.validatedAt`, for a copy invalidated (`invalidate`,
   * `vc cache invalidate`) and not confirmed since.
   */
  validatedAt: Date;
  /**
   * `true` when offline mode served the copy without asking the store (the
   * store may well have answered): no warning was printed for it, as one is
   * for a store that did not answer; absent otherwise.
   */
  offline?: true;
}

/** Options of `AssetCache.ls`. */
export interface LsOptions {
  /** HEAD every entry to fill in `outdated`. */
  checkRemote?: boolean | undefined;
  /** Stops the listing and the remote checks (rejects with the signal's reason), also one aborted before the call. */
  signal?: AbortSignal | undefined;
  /**
   * Told as records are read (`listing`), then, with `checkRemote`, as
   * entries are compared with the store (`checking`): a cache of a hundred
   * thousand entries takes a minute to list.
   */
  onProgress?: ((progress: LsProgress) => void) | undefined;
  /**
   * Only the entries of this URI (or cached copy's path), through any S3
   * endpoint: reads the records of its own directory in the cache, not of
   * the whole cache.
   */
  uri?: string | undefined;
}

/** Progress of `AssetCache.ls`. */
export interface LsProgress {
  /** `listing`: reading the records; `checking`: asking the store (with `checkRemote`). */
  step: "listing" | "checking";
  /** Records read, or entries checked. */
  done: number;
  /** Entries to check (`checking` only; how many records there are is known once they are read). */
  total?: number;
}

/** Options of `AssetCache.prune`. */
export interface CachePruneOptions {
  /** Remove least recently used entries until the cache holds at most this many bytes. */
  maxBytes?: number | undefined;
  /** Remove entries not used for this many seconds. */
  olderThan?: number | undefined;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean | undefined;
  /** Called as entries are looked at, least recently used first. */
  onProgress?: ((progress: PruneProgress) => void) | undefined;
  /**
   * Told how many records have been read while the cache is listed, before
   * the first entry is looked at (0 at the start): a cache of a hundred
   * thousand entries takes a minute to list.
   */
  onListProgress?: ((listed: number) => void) | undefined;
  /**
   * Stops removing (rejects with the signal's reason): what was removed
   * until then stays removed, the rest stays cached.
   */
  signal?: AbortSignal | undefined;
}

/** Options of `AssetCache.copyVerified`. */
export interface CopyVerifiedOptions {
  /**
   * Told how much of the copy is read again to check it against its
   * record, when the hashes taken as it was copied cannot settle it (a
   * multipart ETag of unusual part sizes; seconds a GB). A cached copy is
   * checked in the read that copies it: its check is the `onProgress` of
   * the copy. Never told for other paths.
   */
  onCheckProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /** Told how much is copied to `dest` (and, for a cached copy, checked). */
  onProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Told the size and SHA-256 of the bytes written, taken as they were
   * copied (no second read), once they passed the check and before `dest`
   * is replaced with them: an error from it (or a rejection of a promise it
   * returns, which is waited for) leaves `dest` as it was, and
   * `copyVerified` rejects with a `CallbackError` naming `onWritten`, the
   * error its `cause`. Any other value it returns is ignored, so
   * `(w) => seen.push(w)` will do.
   */
  onWritten?: ((written: { bytes: number; sha256: string }) => unknown) | undefined;
  /**
   * Stops the check or the copy (rejects with the signal's reason): `dest`
   * is left as it was, and the cached copy stays cached.
   */
  signal?: AbortSignal | undefined;
}

/** Options of `AssetCache.verify`. */
export interface CacheVerifyOptions {
  /** Called at the start, as copies are read (`bytes`), and after each entry. */
  onProgress?: ((progress: VerifyProgress) => void) | undefined;
  /**
   * Told how many records have been read while the cache is listed, before
   * the first entry is looked at (0 at the start): a cache of a hundred
   * thousand entries takes a minute to list.
   */
  onListProgress?: ((listed: number) => void) | undefined;
  /** Stops verifying (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** The option names `AssetCache` takes (a misspelt one is refused, not ignored). */
export const ASSET_CACHE_OPTIONS: OptionNames<AssetCacheOptions> = {
  cacheDir: true,
  timeout: true,
  immutableBuckets: true,
  offline: true,
  offlineSource: true,
  onUnreachable: true,
  store: true,
  openStore: true,
  warn: true,
  onWarning: true,
  download: true,
  configPath: true,
  env: true,
  clock: true,
  lockWait: true,
  revalidateTimeout: true,
  maxDownloads: true,
};

/**
 * Of a download's progress report (see {@linkcode CacheGetOptions.onProgress}),
 * the bytes fetched now: a resumed download's first `resumed` bytes came in
 * an earlier run. The one count prefill, sync and lock take of a report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchedBytes } from "./cache_options.ts";
 *
 * assert.equal(fetchedBytes({ bytes: 10, resumed: 4 }), 6);
 * assert.equal(fetchedBytes({ bytes: 10 }), 10);
 * ```
 */
export function fetchedBytes(progress: { bytes: number; resumed?: number }): number {
  return Math.max(0, progress.bytes - (progress.resumed ?? 0));
}
