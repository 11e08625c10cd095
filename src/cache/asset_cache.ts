/**
 * The asset cache: `cache("s3://bucket/key")` returns a verified local path
 * to the object, downloading it on first use and revalidating it by ETag
 * after a timeout.
 *
 * - Plain local paths pass through unchanged (after checking they exist), so
 *   `cache(cache(p)) === cache(p)` for every input.
 * - A warm hit within the timeout costs a map lookup: no filesystem access
 *   (beyond a once-a-second existence check), no hashing, no store opened.
 * - After the timeout a HEAD compares ETags; a changed object is downloaded
 *   again and atomically replaces the old copy. Objects in immutable buckets
 *   are never revalidated.
 * - If the store cannot be reached during revalidation, the cached copy is
 *   served with a warning (or, with `onUnreachable: "fail"`, an
 *   `OfflineError` is thrown). In offline mode the network is never used.
 * - If an object was deleted from the store, revalidation throws
 *   `NotFoundError`; the local copy is kept on disk (remove it with
 *   `delete()` or `prune()`), but not served.
 * - One download per object at a time: concurrent calls in a process share
 *   one flight, and processes sharing a cache dir take a per-entry lock.
 *
 * Only what a warm hit needs is imported statically. Downloads, stores, the
 * entry lock and maintenance are loaded with dynamic imports when first
 * needed, so a short-lived process serving warm hits (`vc path`) never
 * parses them.
 *
 * @module
 */
import {
  basename,
  dirname,
  fromFileUrl as fileURLToPath,
  isAbsolute,
  resolve,
  toFileUrl as pathToFileURL,
} from "../path.ts";
import { type Clock, systemClock } from "../clock.ts";
import { Limiter } from "../pool.ts";
import { type EnvReader, readDenoEnv, resolveSettings, type SettingsOptions } from "../config.ts";
import { IntegrityError, NotFoundError, OfflineError, StoreError, VcError } from "../errors.ts";
import { normalizeEtag } from "../hash.ts";
import type { DownloadIntegrity, DownloadOptions } from "../store/download.ts";
import type { StoreOptions } from "../store/open.ts";
import { resolveS3Endpoint } from "../store/s3_config.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { formatUri, parseUri } from "../uri.ts";
import type { EntryLock } from "./entry_lock.ts";
import type { AtomicFile } from "../atomic_write.ts";
import type { EntryMeta } from "./entry_meta.ts";
import { keepJournalsOpen } from "./record_journal.ts";
import {
  lastUsedOf,
  markUsed,
  readEntryRecord,
  type RecordPaths,
  writeEntryRecord,
} from "./entry_records.ts";
import {
  endpointName,
  explainCacheError,
  goneError,
  parseLockWait,
  readOnlyError,
} from "./cache_errors.ts";
import { ensureCacheDir, restrictiveMode } from "./cache_dir.ts";
import { CacheLayout, type EntryLocation } from "./layout.ts";
import type { CacheEntry, PruneResult, VerifyProgress, VerifyResult } from "./maintenance.ts";
import { type FlightContext, type FlightOptions, SingleFlight } from "./single_flight.ts";

export type { CacheEntry, PruneResult, VerifyProgress, VerifyResult };

/** Options of {@linkcode AssetCache}. Unset values come from the environment and config file (see `resolveSettings`). */
export interface AssetCacheOptions {
  /** Cache directory (default: `VC_CACHE_DIR`, the config file, or the platform cache dir). */
  cacheDir?: string;
  /** Seconds before an entry is revalidated; default 86400; 0 = on every call. */
  timeout?: number;
  /** Bucket names, or store root URIs like `file:///srv/assets`, that are never revalidated. */
  immutableBuckets?: string[];
  /** Never touch the network: serve what is cached, else throw `OfflineError`. */
  offline?: boolean;
  /** When the store is unreachable during revalidation: serve the cached copy with a warning (default), or throw. */
  onUnreachable?: "warn" | "fail";
  /** Options for `openStore` (S3 endpoint, region, credentials, ...). */
  store?: StoreOptions;
  /** Opens stores instead of `openStore` (tests, custom backends). */
  openStore?: (rootUri: string) => Promise<ObjectStore>;
  /** Receives warnings (default `console.warn`). */
  warn?: (message: string) => void;
  /** Tuning of large downloads. */
  download?: Pick<DownloadOptions, "concurrency" | "partSize" | "parallelThreshold" | "attempts">;
  /** Config file to read instead of `$VC_CONFIG` / the default one; `false` for none. */
  configPath?: string | false;
  /** Environment to read instead of `Deno.env` (settings and `AWS_ENDPOINT_URL(_S3)`). */
  env?: EnvReader | Record<string, string | undefined>;
  /**
   * Source of time for the timeout, the recheck interval and revalidation
   * times (default: the system clock; tests pass a `ManualClock` from
   * `./testing`). `prune` compares file ages with the filesystem's time.
   */
  clock?: Clock;
  /**
   * Seconds to wait for another process's lock on an entry before
   * downloading to an own temp file anyway (default `VC_LOCK_WAIT`, else 60).
   */
  lockWait?: number;
  /**
   * Downloads at once (default 16); further cold entries wait for a slot.
   * `Promise.all` over a thousand `cache()` calls then runs like a prefill
   * instead of opening a thousand requests and files together (measured:
   * 1000 × 4 KiB took 1.7× as long unbounded).
   */
  maxDownloads?: number;
}

/** Per-call options of {@linkcode AssetCache.cache}. */
export interface CacheGetOptions {
  /** Treat this object as immutable: never revalidate a cached copy. */
  immutable?: boolean;
  /** Stop waiting; a shared download stops when every caller has aborted. */
  signal?: AbortSignal;
  /** Download progress. */
  onProgress?: (progress: { bytes: number; total: number }) => void;
  /**
   * Pinned content (an integrity lock entry): a download is verified against
   * it in the same pass as the MD5, and refused (`IntegrityError`, nothing
   * cached) on a mismatch. A cached copy that entered the cache without this
   * check (an unlocked read) is hashed once before it is served, and its
   * SHA-256 recorded; one that does not match is downloaded again, verified.
   */
  integrity?: DownloadIntegrity;
}

/** Options of {@linkcode AssetCache.ls}. */
export interface LsOptions {
  /** HEAD every entry to fill in `outdated`. */
  checkRemote?: boolean;
}

/** Options of {@linkcode AssetCache.prune}. */
export interface CachePruneOptions {
  /** Remove least recently used entries until the cache holds at most this many bytes. */
  maxBytes?: number;
  /** Remove entries not used for this many seconds. */
  olderThan?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** Options of {@linkcode AssetCache.verify}. */
export interface CacheVerifyOptions {
  /** Called after each entry. */
  onProgress?: (progress: VerifyProgress) => void;
}

// How often a warm entry's last-use time is written, and its file's existence re-checked.
const TOUCH_INTERVAL_MS = 60_000;
const RECHECK_INTERVAL_MS = 1_000;
// Downloads at once per cache (see AssetCacheOptions.maxDownloads).
const DEFAULT_MAX_DOWNLOADS = 16;
// Entries remembered in memory before the maps are reset.
const MEMORY_ENTRIES = 100_000;
// After a failed revalidation, how long the cached copy is served before trying again.
const UNREACHABLE_RETRY_MS = 60_000;

/** What the process knows about one cached entry. */
interface Rec {
  uri: string;
  path: string;
  /** Where its record lives. */
  loc: RecordPaths;
  /** Its record came from an earlier version's record file (removed on the next write). */
  legacy?: boolean;
  etag: string;
  size: number;
  md5: string | undefined;
  /** Hex SHA-256 checked against an integrity lock entry, if ever. */
  sha256?: string | undefined;
  /** ms since the epoch; 0 = invalidated (revalidate even if immutable). */
  validatedAt: number;
  touchedAt: number;
  checkedAt: number;
  immutable: boolean;
  valid: boolean;
  partSizes?: number[] | undefined;
  /** The store said the object is gone (recorded, so other processes know). */
  gone?: boolean;
}

/**
 * A local cache of remote objects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache } from "./asset_cache.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${root}/assets`);
 *   await Deno.writeTextFile(`${root}/assets/data.csv`, "a,b\n1,2\n");
 *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
 *   const path = await cache.cache(`file://${root}/assets/data.csv`);
 *   assert(path.endsWith("data.csv") && path.startsWith(cache.dir));
 *   assert(await Deno.readTextFile(path) === "a,b\n1,2\n");
 *   assert(await cache.cache(path) === path); // local paths pass through
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class AssetCache implements AsyncDisposable {
  /** Absolute cache directory. */
  readonly dir: string;
  /** Seconds before revalidation. */
  readonly timeout: number;
  /** True when the network is never used. */
  readonly offline: boolean;

  #ttlMs: number;
  #layout: CacheLayout;
  #immutable: { buckets: Set<string>; prefixes: string[] };
  #onUnreachable: "warn" | "fail";
  #warn: (message: string) => void;
  #open: (rootUri: string) => Promise<ObjectStore>;
  #download: AssetCacheOptions["download"];
  #stores = new Map<string, Promise<ObjectStore>>();
  #byUri = new Map<string, Rec>();
  #byPath = new Map<string, Rec>();
  #flights = new SingleFlight<Rec>();
  #clock: Clock;
  #endpoint: string | undefined;
  #lockWaitMs: number;
  #dirReady = false;
  #swept = new Set<string>();
  #downloads: Limiter;
  #fetching = 0;
  #closeJournals: (() => void) | undefined;

  /** Resolves settings (options > environment > config file > defaults); no I/O beyond reading the config file. */
  constructor(options: AssetCacheOptions = {}) {
    const settingsOptions: SettingsOptions = {};
    if (options.cacheDir !== undefined) settingsOptions.cacheDir = options.cacheDir;
    if (options.timeout !== undefined) settingsOptions.timeout = options.timeout;
    if (options.immutableBuckets !== undefined) {
      settingsOptions.immutableBuckets = options.immutableBuckets;
    }
    if (options.offline !== undefined) settingsOptions.offline = options.offline;
    if (options.configPath !== undefined) settingsOptions.configPath = options.configPath;
    if (options.env !== undefined) settingsOptions.env = options.env;
    const settings = resolveSettings(settingsOptions);
    const env = options.env;
    const readEnv: EnvReader = env === undefined
      ? readDenoEnv
      : typeof env === "function"
      ? env
      : (n) => env[n];
    // The store's own rule, so cached entries land under the endpoint it uses.
    const endpoint = resolveS3Endpoint(options.store?.s3 ?? {}, readEnv)?.endpoint;
    this.#layout = new CacheLayout(settings.cacheDir, endpoint !== undefined ? { endpoint } : {});
    this.#endpoint = endpoint;
    this.#lockWaitMs = 1000 * (options.lockWait ?? parseLockWait(readEnv("VC_LOCK_WAIT")));
    this.dir = this.#layout.dir;
    this.timeout = settings.timeout;
    this.#ttlMs = settings.timeout * 1000;
    this.offline = settings.offline;
    this.#immutable = parseImmutable(settings.immutableBuckets);
    this.#onUnreachable = options.onUnreachable ?? "warn";
    this.#warn = options.warn ?? ((m) => console.warn(m));
    const storeOptions = options.store ?? {};
    this.#open = options.openStore ??
      (async (root) => (await import("../store/open.ts")).openStore(root, storeOptions));
    this.#download = options.download;
    this.#clock = options.clock ?? systemClock;
    this.#downloads = new Limiter(options.maxDownloads ?? DEFAULT_MAX_DOWNLOADS);
  }

  /**
   * Returns a local path holding a verified copy of `uri` (`s3://bucket/key`
   * or `file:///path`), downloading or revalidating as needed. Local paths are
   * returned unchanged when they exist. Throws `NotFoundError` (naming the URI
   * and the local path) when the object does not exist, `OfflineError` when
   * offline with nothing cached, `IntegrityError` when the download does not
   * match its ETag.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.json`, "{}");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   const first = await cache.cache(`file://${root}/x.json`);
   *   assert(await cache.cache(`file://${root}/x.json`) === first);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  cache(uri: string, options?: CacheGetOptions): Promise<string> {
    // The warm path: no I/O, no await. Everything else is in #slow.
    const rec = this.#byUri.get(uri);
    if (
      rec !== undefined && rec.valid &&
      (options?.integrity === undefined || rec.sha256 === options.integrity.sha256)
    ) {
      const now = this.#clock.now();
      if (now - rec.checkedAt < RECHECK_INTERVAL_MS && this.#isFresh(rec, now, options)) {
        if (now - rec.touchedAt < TOUCH_INTERVAL_MS) return Promise.resolve(rec.path);
        return this.#touch(rec, now).then(() => rec.path);
      }
    }
    return this.#slow(uri, options);
  }

  /**
   * Where `uri`'s data lives (or would live) in this cache; local paths are
   * returned unchanged. No I/O.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const cache = new AssetCache({ cacheDir: "/tmp/vc-example", configPath: false, env: {} });
   * assert(cache.localPath("s3://b/x/y.csv") === "/tmp/vc-example/s3/b/x/y.csv");
   * assert(cache.localPath("data/y.csv") === "data/y.csv");
   * ```
   */
  localPath(uri: string): string {
    const parsed = parseUri(uri);
    if (parsed.scheme === "local") return parsed.path;
    return this.#layout.locate(parsed).dataPath;
  }

  /**
   * Makes the next `cache(uri)` revalidate (HEAD) regardless of the timeout,
   * even for immutable buckets, in this and other processes.
   *
   * @example
   * ```ts
   * import { AssetCache } from "./asset_cache.ts";
   * const cache = new AssetCache({ cacheDir: await Deno.makeTempDir(), configPath: false });
   * await cache.invalidate("s3://b/not-cached.csv"); // nothing cached: no-op
   * await Deno.remove(cache.dir, { recursive: true });
   * ```
   */
  invalidate(uri: string): Promise<boolean> {
    try {
      const loc = this.#locate(uri);
      if (loc === undefined) return Promise.resolve(false);
      const rec = this.#byPath.get(loc.dataPath);
      if (rec !== undefined) rec.validatedAt = 0;
      const found = this.#readRecord(loc);
      if (found !== undefined && found.meta.validatedAt !== 0) {
        try {
          this.#writeRecord(loc, { ...found.meta, validatedAt: 0 }, found.legacyUsed !== undefined);
        } catch (e) {
          throw this.#readOnly(e, `invalidate ${uri}`, loc.journalPath);
        }
      }
      return Promise.resolve(found !== undefined);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Removes the cached copy of `uri` and its metadata. Returns true when
   * there was one. Local paths are never deleted (returns false).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   await cache.cache(`file://${root}/x.txt`);
   *   assert(await cache.delete(`file://${root}/x.txt`));
   *   assert(!(await cache.delete(`file://${root}/x.txt`)));
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async delete(uri: string): Promise<boolean> {
    const loc = this.#locate(uri);
    if (loc === undefined) return false;
    this.#forget(loc.dataPath);
    this.#layout.assertSafe(loc.dataPath);
    this.#layout.assertSafe(loc.metaPath);
    this.#layout.assertSafe(loc.journalPath);
    const { removeEntryFiles } = await import("./maintenance.ts");
    try {
      return await removeEntryFiles(this.dir, loc, { lockWait: this.#lockWaitMs });
    } catch (e) {
      throw this.#readOnly(e, `remove the cached copy of ${uri}`, loc.dataPath);
    }
  }

  /**
   * Copies `local` to `dest` atomically, keeping its mode. When `local` is a
   * copy in this cache, it is first checked against its record (size and
   * checksum); a copy that fails is removed from the cache and nothing is
   * written at `dest` (`IntegrityError`, naming both). Other paths (local
   * overrides) are copied as they are.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   const path = await cache.cache(`file://${root}/x.txt`);
   *   await cache.copyVerified(path, `${root}/out/x.txt`);
   *   assert(await Deno.readTextFile(`${root}/out/x.txt`) === "x");
   *   await Deno.writeTextFile(path, "y"); // a same-size hand edit
   *   await assert.rejects(cache.copyVerified(path, `${root}/out/y.txt`), /failed verification/);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async copyVerified(local: string, dest: string): Promise<void> {
    const { copyFileAtomic } = await import("../atomic_write.ts");
    const path = resolve(local);
    if (this.#layout.contains(path)) {
      const { recordPathsOf } = await import("./layout.ts");
      const meta = this.#readRecord(recordPathsOf(this.dir, path))?.meta;
      if (meta !== undefined) {
        const { checkFile } = await import("../verify.ts");
        const expected: Parameters<typeof checkFile>[1] = { size: meta.size, etag: meta.etag };
        if (meta.md5 !== undefined) expected.md5 = meta.md5;
        if (meta.partSizes !== undefined) expected.partSizes = meta.partSizes;
        if (meta.sha256 !== undefined) expected.sha256 = meta.sha256;
        const problem = await checkFile(path, expected).catch((e) => `cannot read it: ${e}`);
        if (problem !== undefined) {
          await this.delete(meta.uri).catch(() => false);
          throw new IntegrityError(
            `the cached copy ${path} of ${meta.uri} failed verification (${problem}); ` +
              `it was removed from the cache and not copied to ${dest}: run again to download it afresh`,
          );
        }
      }
    }
    await copyFileAtomic(path, dest);
  }

  /**
   * Lists cached entries, sorted by URI. With `checkRemote`, each entry is
   * compared with the store (`outdated`: true when the store has another
   * version or none; absent when the store could not be asked).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   await cache.cache(`file://${root}/x.txt`);
   *   const [entry] = await cache.ls({ checkRemote: true });
   *   assert(entry?.size === 1 && entry.outdated === false);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async ls(options: LsOptions = {}): Promise<CacheEntry[]> {
    const { listEntries } = await import("./maintenance.ts");
    const entries = await listEntries(this.dir);
    const out: CacheEntry[] = entries.map(({ record: _r, md5: _h, partSizes: _p, ...e }) => e);
    if (!options.checkRemote || this.offline) return out;
    const { forEachLimit } = await import("../pool.ts");
    await forEachLimit(out, 16, async (entry) => {
      const loc = this.#locate(entry.uri);
      // Entries cached through another endpoint cannot be checked with this one.
      if (loc === undefined || loc.dataPath !== entry.path) return;
      try {
        const { store, key } = await this.#storeFor(loc);
        const head = await store.head(key);
        entry.outdated = head === undefined || !sameVersion(head, entry);
      } catch (e) {
        if (!(await isUnreachable(e))) throw e;
      }
    });
    return out;
  }

  /**
   * Removes entries not used for `olderThan` seconds, then least recently
   * used ones until the cache holds at most `maxBytes`. Also removes temp
   * files (and lock files of earlier versions) that crashed processes left
   * more than an hour ago.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   await cache.cache(`file://${root}/x.txt`);
   *   const { removed, freedBytes } = await cache.prune({ maxBytes: 0 });
   *   assert(removed.length === 1 && freedBytes === 1);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async prune(options: CachePruneOptions): Promise<PruneResult> {
    const { pruneEntries } = await import("./maintenance.ts");
    let result: PruneResult;
    try {
      result = await pruneEntries(this.dir, options);
    } catch (e) {
      throw this.#readOnly(e, "prune the cache", this.dir);
    }
    if (result.dryRun !== true) { for (const entry of result.removed) this.#forget(entry.path); }
    return result;
  }

  /**
   * Re-hashes every entry and removes those that no longer match their ETag.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   const path = await cache.cache(`file://${root}/x.txt`);
   *   await Deno.writeTextFile(path, "y"); // corrupt it behind the cache's back
   *   const { ok, corrupt } = await cache.verify();
   *   assert(ok === 0 && corrupt.length === 1);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async verify(options: CacheVerifyOptions = {}): Promise<VerifyResult> {
    const { verifyEntries } = await import("./maintenance.ts");
    let result: VerifyResult;
    try {
      result = await verifyEntries(
        this.dir,
        options.onProgress ? { onProgress: options.onProgress } : {},
      );
    } catch (e) {
      throw this.#readOnly(e, "verify the cache", this.dir);
    }
    for (const entry of result.corrupt) this.#forget(entry.path);
    return result;
  }

  /**
   * Closes the stores this cache opened. The cache stays usable: stores are
   * reopened on demand.
   *
   * @example
   * ```ts
   * import { AssetCache } from "./asset_cache.ts";
   * const cache = new AssetCache({ cacheDir: "/tmp/vc-example", configPath: false });
   * await cache.close();
   * ```
   */
  async close(): Promise<void> {
    // Aborted downloads finish removing their temp files and locks first.
    await this.#flights.settled();
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    await Promise.all(stores.map(async (p) => {
      try {
        await (await p).close();
      } catch {
        // A store that failed to open has nothing to close.
      }
    }));
  }

  /** Same as {@linkcode AssetCache.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // -------------------------------------------------------------------------

  #isFresh(rec: Rec, now: number, options: CacheGetOptions | undefined): boolean {
    if (this.offline) return true; // never ask: whatever is cached is served
    if (rec.validatedAt === 0 || rec.gone === true) return false; // ask even if immutable
    // A time in the future (clock skew, a restored cache) proves nothing.
    if (rec.validatedAt > now) return false;
    return rec.immutable || options?.immutable === true || now - rec.validatedAt < this.#ttlMs;
  }

  async #touch(rec: Rec, now: number): Promise<void> {
    rec.touchedAt = now;
    await markUsed(rec.path, now);
  }

  /**
   * Reads an entry's record, never through a link: a symbolic link at its
   * journal, a shard, `.meta` or a directory below it is refused with an
   * error naming it (like a write), instead of records read from elsewhere.
   */
  #readRecord(loc: RecordPaths): ReturnType<typeof readEntryRecord> {
    this.#layout.assertSafeOnce(loc.journalPath);
    return readEntryRecord(loc);
  }

  /** Writes a record (checked for planted links first). */
  #writeRecord(loc: RecordPaths, meta: EntryMeta, legacy = false): void {
    this.#layout.assertSafeOnce(loc.journalPath);
    if (legacy) this.#layout.assertSafe(loc.metaPath);
    writeEntryRecord(loc, meta, { legacy });
  }

  /** {@linkcode AssetCache.#writeRecord} for a known entry; clears its legacy flag. */
  #saveRec(rec: Rec, meta: EntryMeta = toMeta(rec)): void {
    this.#writeRecord(rec.loc, meta, rec.legacy === true);
    rec.legacy = false;
  }

  async #slow(uri: string, options: CacheGetOptions | undefined): Promise<string> {
    const parsed = parseUri(uri);
    if (parsed.scheme === "local") return checkLocal(parsed.path);
    const loc = this.#layout.locate(parsed);
    // First look at an entry in this process, no flight for it: a fresh
    // record serves it without the flight's machinery (a warm prefill of a
    // thousand entries is a thousand of these).
    if (
      options?.integrity === undefined && !this.#flights.has(loc.dataPath) &&
      !this.#byPath.has(loc.dataPath)
    ) {
      const rec = this.#load(loc);
      const now = this.#clock.now();
      if (
        rec !== undefined && rec.gone !== true &&
        this.#isFresh(rec, now, options?.immutable === true ? { immutable: true } : undefined)
      ) {
        if (now - rec.touchedAt >= TOUCH_INTERVAL_MS) await this.#touch(rec, now);
        this.#remember(uri, rec);
        return rec.path;
      }
    }
    const flightOptions: FlightOptions = {};
    if (options?.signal !== undefined) flightOptions.signal = options.signal;
    if (options?.onProgress !== undefined) flightOptions.onProgress = options.onProgress;
    const rec = await this.#flights.run(
      loc.dataPath,
      (ctx) => this.#resolve(loc, options?.immutable === true, ctx, options?.integrity),
      flightOptions,
    );
    this.#remember(uri, rec);
    return rec.path;
  }

  #remember(uri: string, rec: Rec): void {
    if (this.#byUri.size >= MEMORY_ENTRIES) {
      // Bounded memory in long-running processes: the maps only save disk
      // reads, so dropping them all is correct, and cheaper than an LRU.
      this.#byUri.clear();
      this.#byPath.clear();
      this.#byPath.set(rec.path, rec);
    }
    this.#byUri.set(uri, rec);
  }

  async #resolve(
    loc: EntryLocation,
    immutable: boolean,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<Rec> {
    const now = this.#clock.now();
    let rec = this.#byPath.get(loc.dataPath);
    if (rec !== undefined) {
      // Known in memory: make sure nobody removed the file behind our back.
      const stat = statOrUndefined(rec.path);
      if (stat === undefined || stat.size !== rec.size || (stat.nlink ?? 1) > 1) {
        this.#forget(rec.path);
        rec = undefined;
      } else {
        rec.checkedAt = now;
        // `invalidate` in another process marks the shared record; honour it
        // here too (one stat of the journal per entry per recheck interval).
        if (this.#readRecord(rec.loc)?.meta.validatedAt === 0) rec.validatedAt = 0;
      }
    }
    rec ??= this.#load(loc);
    if (rec !== undefined) {
      if (rec.gone === true && this.offline) throw goneError(loc);
      if (this.#isFresh(rec, now, immutable ? { immutable } : undefined)) {
        if (now - rec.touchedAt >= TOUCH_INTERVAL_MS) await this.#touch(rec, now);
        return await this.#pinned(loc, rec, ctx, integrity);
      }
      return await this.#pinned(
        loc,
        await this.#revalidate(loc, rec, ctx, integrity),
        ctx,
        integrity,
      );
    }
    if (this.offline) {
      throw new OfflineError(
        `${loc.uri} is not cached (it would be at ${loc.dataPath}) and offline mode is on ` +
          `(unset VC_OFFLINE or drop --offline to download it)`,
      );
    }
    return await this.#fetch(loc, undefined, ctx, integrity);
  }

  /**
   * A cached copy about to be served for a read with pinned content: checked
   * once (its SHA-256 then recorded); one that is not the pinned content is
   * downloaded again, verified.
   */
  async #pinned(
    loc: EntryLocation,
    rec: Rec,
    ctx: FlightContext,
    integrity: DownloadIntegrity | undefined,
  ): Promise<Rec> {
    if (integrity === undefined || rec.sha256 === integrity.sha256) return rec;
    const { sha256File } = await import("../hash.ts");
    const sha256 = rec.size === integrity.size ? await sha256File(rec.path) : undefined;
    if (sha256 === integrity.sha256) {
      rec.sha256 = sha256;
      try {
        this.#saveRec(rec);
      } catch {
        // A read-only cache: the check is repeated by the next process.
      }
      return rec;
    }
    const pinned = `${
      integrity.label ?? "the lock file"
    } pins ${integrity.size} bytes with SHA-256 ${integrity.sha256}`;
    if (this.offline) {
      throw new IntegrityError(
        `cached copy ${rec.path} of ${loc.uri} is not the pinned content (${pinned}) and offline mode cannot download it again`,
      );
    }
    this.#forget(rec.path);
    return await this.#fetch(loc, undefined, ctx, integrity);
  }

  /** Reads the entry's record and checks its data file; undefined when not usable. */
  #load(loc: EntryLocation): Rec | undefined {
    const found = this.#readRecord(loc);
    const meta = found?.meta;
    // A record for another URI means two URIs share a path (case-insensitive
    // filesystem): never serve one's data for the other.
    if (meta === undefined || meta.uri !== loc.uri) return undefined;
    const stat = statOrUndefined(loc.dataPath);
    // A data file with another name (a hard link: planted, or a `cp -al` copy)
    // is not the cache's own: touching it would write metadata elsewhere. A
    // miss: the download renames a file of its own into place (a new inode),
    // which leaves the other name as it was.
    if (
      stat === undefined || !stat.isFile || stat.size !== meta.size || (stat.nlink ?? 1) > 1
    ) return undefined;
    const now = this.#clock.now();
    const rec: Rec = {
      uri: loc.uri,
      path: loc.dataPath,
      loc,
      etag: meta.etag,
      size: meta.size,
      md5: meta.md5,
      sha256: meta.sha256,
      validatedAt: meta.validatedAt,
      touchedAt: lastUsedOf(stat, found?.legacyUsed),
      checkedAt: now,
      immutable: this.#isImmutableLoc(loc),
      valid: true,
      partSizes: meta.partSizes,
    };
    if (meta.gone === true) rec.gone = true;
    if (found?.legacyUsed !== undefined) rec.legacy = true;
    this.#byPath.set(rec.path, rec);
    return rec;
  }

  async #revalidate(
    loc: EntryLocation,
    rec: Rec,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<Rec> {
    const now = this.#clock.now();
    let head: ObjectInfo | undefined;
    try {
      const { store, key } = await this.#storeFor(loc);
      head = await store.head(key, { signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted || !(await isUnreachable(e))) throw e;
      return this.#unreachable(loc, rec, e, now);
    }
    if (head === undefined) {
      this.#forget(rec.path);
      // Recorded, so the next process does not serve it as fresh either.
      if (rec.gone !== true) {
        try {
          this.#saveRec(rec, { ...toMeta(rec), validatedAt: now, gone: true });
        } catch {
          // A read-only cache: this process still refuses it.
        }
      }
      throw goneError(loc);
    }
    const unverifiable = (await import("../verify.ts")).unverifiableReason(head);
    if (unverifiable !== undefined) {
      // Not an S3 answer (a proxy, a captive portal): never replace the good
      // copy with what cannot be verified; treat the store as unreachable.
      const error = new OfflineError(`${unverifiable} (${endpointName(this.#endpoint)})`);
      return this.#unreachable(loc, rec, error, now);
    }
    if (sameVersion(head, rec)) {
      rec.validatedAt = now;
      rec.touchedAt = now;
      rec.gone = false;
      // A read-only cache dir still works.
      try {
        this.#saveRec(rec);
      } catch {
        // Not persisted; the check is just repeated by the next process.
      }
      return rec;
    }
    try {
      return await this.#fetch(loc, head, ctx, integrity);
    } catch (e) {
      if (ctx.signal.aborted || !(await isUnreachable(e))) throw e;
      return this.#unreachable(loc, rec, e, now);
    }
  }

  #unreachable(loc: EntryLocation, rec: Rec, error: unknown, now: number): Rec {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.#onUnreachable === "fail") {
      throw new OfflineError(
        `cannot reach the store to revalidate ${loc.uri} (cached at ${loc.dataPath}): ${reason}`,
        { cause: error },
      );
    }
    this.#warn(
      `vc: cannot reach the store to revalidate ${loc.uri}; serving the cached copy at ${loc.dataPath} (${reason})`,
    );
    // Serve the cached copy for a while before asking the store again (memory only).
    if (rec.validatedAt !== 0) {
      rec.validatedAt = Math.max(
        rec.validatedAt,
        now - this.#ttlMs + Math.min(this.#ttlMs, UNREACHABLE_RETRY_MS),
      );
    }
    return rec;
  }

  /** Downloads the object (a new version when `expected` is set), at most `maxDownloads` at once. */
  #fetch(
    loc: EntryLocation,
    expected: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<Rec> {
    return this.#downloads.run(async () => {
      // Aborted while waiting for a slot: nothing started, nothing to undo.
      ctx.signal.throwIfAborted();
      // While downloads run, record journals stay open between appends.
      if (this.#fetching++ === 0) this.#closeJournals = keepJournalsOpen();
      try {
        return await this.#fetchNow(loc, expected, ctx, integrity);
      } finally {
        if (--this.#fetching === 0) this.#closeJournals?.();
      }
    });
  }

  /** Downloads the object (a new version when `expected` is set) under the entry lock. */
  async #fetchNow(
    loc: EntryLocation,
    expected: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<Rec> {
    const [{ store, key }, modules] = await Promise.all([
      this.#storeFor(loc),
      downloadModules ??= loadDownloadModules().catch((e) => {
        downloadModules = undefined; // tried again next time
        throw e;
      }),
    ]);
    const { downloadToFile, acquireEntryLock, sweepDirectory, AtomicFile, sharedTempPathFor } =
      modules;
    try {
      this.#ensureDir();
      // The data file is written by a rename onto it, which never follows a
      // link there; its shared temp file refuses one (AtomicFile.openShared).
      this.#layout.assertSafeRenameTarget(loc.dataPath);
      this.#layout.assertSafeOnce(loc.journalPath);
    } catch (e) {
      throw this.#explain(e, loc);
    }
    // What an interrupted run left where this one works (once per directory).
    const dataDir = dirname(loc.dataPath);
    if (!this.#swept.has(dataDir)) {
      if (this.#swept.size >= MEMORY_ENTRIES) this.#swept.clear();
      this.#swept.add(dataDir);
      sweepDirectory(dataDir, dirname(loc.metaPath));
    }
    const mode = loc.bucket === "" ? restrictiveMode(loc.uri) : undefined;
    // The lock is the download's own shared temp file (see entry_lock.ts).
    let lock: EntryLock | undefined;
    try {
      lock = await acquireEntryLock(loc.dataPath, {
        signal: ctx.signal,
        clock: this.#clock,
        timeout: this.#lockWaitMs,
        ...(mode === undefined ? {} : { mode }),
        onWait: (holder) =>
          this.#warn(
            `vc: waiting for ${holder} to finish downloading ${loc.uri} (lock ${
              sharedTempPathFor(loc.dataPath)
            }); giving up after ${this.#lockWaitMs / 1000}s (VC_LOCK_WAIT)`,
          ),
      });
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      // Locking is an optimisation (impossible in a read-only dir, on a
      // filesystem without flock, or held too long by a stopped process): go
      // on without it, with a unique temp file. Correctness rests on the
      // verified temp file and the rename.
      if ((e as Error | undefined)?.name === "LockTimeoutError") {
        this.#warn(`vc: ${(e as Error).message}; downloading ${loc.uri} without the lock`);
      }
    }
    try {
      // Another process may have completed the entry while we waited for the
      // lock. A fresh lock (the usual cold miss: we just created its file)
      // has nothing to find, so it costs no further reads.
      const old = this.#byPath.get(loc.dataPath);
      if (lock !== undefined && lock.waited) {
        const done = this.#load(loc);
        if (
          done !== undefined && done.gone !== true &&
          (expected === undefined || sameVersion(expected, done)) &&
          (integrity === undefined || done.sha256 === integrity.sha256)
        ) {
          if (old !== undefined && old !== done) old.valid = false;
          return done;
        }
      }
      const options: DownloadOptions = { ...this.#download, signal: ctx.signal, uri: loc.uri };
      options.onProgress = ctx.progress;
      if (expected !== undefined) options.expected = expected;
      if (integrity !== undefined) options.integrity = integrity;
      if (mode !== undefined) options.mode = mode;
      if (lock !== undefined) {
        // The locked file takes the first attempt; a retry (the object
        // changed mid-download) gets a unique one.
        let first: AtomicFile | undefined = lock.temp;
        options.temp = () => {
          const temp = first ?? AtomicFile.create(loc.dataPath, mode === undefined ? {} : { mode });
          first = undefined;
          return temp;
        };
      }
      let info;
      try {
        info = await downloadToFile(store, key, loc.dataPath, options);
      } catch (e) {
        throw this.#explain(e, loc);
      }
      const now = this.#clock.now();
      const rec: Rec = {
        uri: loc.uri,
        path: loc.dataPath,
        loc,
        etag: normalizeEtag(info.etag),
        size: info.size,
        md5: info.md5,
        sha256: info.sha256,
        validatedAt: now,
        touchedAt: now,
        checkedAt: now,
        immutable: this.#isImmutableLoc(loc),
        valid: true,
        partSizes: info.partSizes,
      };
      // After the data is in place, before the lock is released: a record
      // never describes data that is not, and a waiter finds it.
      try {
        this.#writeRecord(loc, toMeta(rec), old?.legacy === true);
      } catch (e) {
        // Data without a record is invisible to ls, prune and verify: remove it.
        try {
          this.#layout.assertSafe(loc.dataPath);
          Deno.removeSync(loc.dataPath);
        } catch {
          // Gone already, or not ours to touch; maintenance finds orphans.
        }
        throw this.#explain(e, loc);
      }
      if (old !== undefined) old.valid = false;
      this.#byPath.set(rec.path, rec);
      return rec;
    } finally {
      // A failed download removes the temp file first; a done one was renamed.
      lock?.release();
    }
  }

  /** Creates the cache dir (0700) on the first write. */
  #ensureDir(): void {
    if (this.#dirReady) return;
    ensureCacheDir(this.dir);
    this.#dirReady = true;
  }

  #explain(e: unknown, loc: EntryLocation): unknown {
    return explainCacheError(e, this.dir, loc, this.#endpoint);
  }

  #readOnly(e: unknown, what: string, path: string): unknown {
    return readOnlyError(e, what, path, this.dir);
  }

  async #storeFor(loc: EntryLocation): Promise<{ store: ObjectStore; key: string }> {
    let root = loc.storeRoot;
    let key = loc.key;
    if (loc.bucket === "") {
      // file:// objects: read through links (the store refuses to follow them).
      const path = fileURLToPath(loc.uri);
      try {
        const real = Deno.realPathSync(path);
        root = pathToFileURL(dirname(real)).href;
        key = basename(real);
      } catch {
        // Missing: the store reports it.
      }
    }
    let store = this.#stores.get(root);
    if (store === undefined) {
      store = this.#open(root);
      this.#stores.set(root, store);
      store.catch(() => {
        if (this.#stores.get(root) === store) this.#stores.delete(root);
      });
    }
    return { store: await store, key };
  }

  #locate(uri: string): EntryLocation | undefined {
    const parsed = parseUri(uri);
    if (parsed.scheme === "local") return undefined;
    return this.#layout.locate(parsed);
  }

  #forget(path: string): void {
    const rec = this.#byPath.get(path);
    if (rec !== undefined) rec.valid = false;
    this.#byPath.delete(path);
  }

  #isImmutableLoc(loc: EntryLocation): boolean {
    if (loc.bucket !== "" && this.#immutable.buckets.has(loc.bucket)) return true;
    return this.#immutable.prefixes.some((p) => loc.uri.startsWith(p));
  }
}

function parseImmutable(items: readonly string[]): { buckets: Set<string>; prefixes: string[] } {
  const buckets = new Set<string>();
  const prefixes: string[] = [];
  for (const item of items) {
    if (item.includes("://") || isAbsolute(item)) {
      const parsed = parseUri(item.includes("://") ? item : pathToFileURL(item).href);
      if (parsed.scheme === "s3" && parsed.key === "") {
        buckets.add(parsed.bucket);
        continue;
      }
      // Canonical form, so `file:///srv/a b` matches `file:///srv/a%20b/x`.
      prefixes.push(formatUri(parsed).replace(/\/+$/, "") + "/");
    } else {
      buckets.add(item);
    }
  }
  return { buckets, prefixes };
}

function sameVersion(
  a: { etag: string; size: number },
  b: { etag: string; size: number },
): boolean {
  return a.size === b.size && normalizeEtag(a.etag) === normalizeEtag(b.etag);
}

function toMeta(
  rec: Pick<Rec, "uri" | "etag" | "size" | "md5" | "sha256" | "validatedAt" | "partSizes">,
): EntryMeta {
  const meta: EntryMeta = {
    uri: rec.uri,
    etag: rec.etag,
    size: rec.size,
    validatedAt: rec.validatedAt,
  };
  if (rec.md5 !== undefined) meta.md5 = rec.md5;
  if (rec.sha256 !== undefined) meta.sha256 = rec.sha256;
  if (rec.partSizes !== undefined) meta.partSizes = rec.partSizes;
  return meta;
}

/** Store errors that mean "can't ask right now" rather than "the answer is no". */
async function isUnreachable(e: unknown): Promise<boolean> {
  if (e instanceof OfflineError) return true;
  if (e instanceof StoreError) return e.status === undefined || e.status >= 500;
  if (e instanceof VcError) return false;
  if (e instanceof Deno.errors.ConnectionRefused) return true;
  // Only reached when a store call failed: the warm path never loads this.
  const { isTransientError, isUnreachableError } = await import("../store/retry.ts");
  return isUnreachableError(e) || isTransientError(e);
}

// Synchronous stats: several times cheaper than async ones in Deno, and
// these are single metadata lookups on local paths.
function checkLocal(path: string): string {
  try {
    Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new NotFoundError(`local path ${path} does not exist (resolved: ${resolve(path)})`, {
        cause: e,
      });
    }
    throw e;
  }
  return path;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    // lstat: a data file replaced by a link (planted) is not a regular file: a miss.
    return Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}

/** What a download needs, loaded on the first one (a warm process never parses it). */
async function loadDownloadModules() {
  const [download, lock, debris, atomic] = await Promise.all([
    import("../store/download.ts"),
    import("./entry_lock.ts"),
    import("./debris.ts"),
    import("../atomic_write.ts"),
  ]);
  return {
    downloadToFile: download.downloadToFile,
    acquireEntryLock: lock.acquireEntryLock,
    sweepDirectory: debris.sweepDirectory,
    AtomicFile: atomic.AtomicFile,
    sharedTempPathFor: atomic.sharedTempPathFor,
  };
}
let downloadModules: ReturnType<typeof loadDownloadModules> | undefined;

let defaultCache: AssetCache | undefined;

/**
 * `AssetCache.cache` on a default cache created on first use (settings from
 * the environment and config file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cache } from "./asset_cache.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert(await cache(p) === p); // local paths pass through
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function cache(uri: string, options?: CacheGetOptions): Promise<string> {
  try {
    defaultCache ??= new AssetCache();
  } catch (e) {
    return Promise.reject(e);
  }
  return defaultCache.cache(uri, options);
}
