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
import { CallsInProgress } from "../calls_in_progress.ts";
import { resolve } from "../path.ts";
import { type Clock, systemClock } from "../clock.ts";
import {
  downloadTuning,
  type EnvReader,
  readDenoEnv,
  resolveSettings,
  type SettingsOptions,
} from "../config.ts";
import {
  AccessDeniedError,
  CallbackError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
} from "../errors.ts";
import { awaitCallback, CallbackGuard, callCallback, withCallbackGuard } from "../callback.ts";
import { shortened } from "../printable.ts";
import { warnLineOnStderr } from "../warning_line.ts";
import { isNameTooLong, tooLongReason } from "../name_too_long.ts";
import {
  checkClockOption,
  checkOptions,
  checkPathArgument,
  checkPositiveInteger,
  describeValue,
  type OptionNames,
} from "../options_check.ts";
import { resolveS3EndpointUrl } from "../store/s3_config.ts";
import { envOption } from "../env_option.ts";
import { checkDownloadOptions, DOWNLOAD_TUNING_OPTIONS } from "../download_options_check.ts";
import { type ParsedUri, parseUri } from "../uri.ts";
import { registerCacheItem } from "./item_hook.ts";
import { registerStoreSource } from "./store_source.ts";
import { openToEveryUser } from "./cache_dir.ts";
import type { ObjectStore } from "../store/types.ts";
import { checkedOpener } from "../store/store_check.ts";
import { checkStoreOptions } from "../store/store_options_check.ts";
import {
  cacheDirPermissionError,
  closedDirError,
  copyOutError,
  parseLockWait,
  parseOnUnreachable,
  parseRevalidateTimeout,
  readOnlyError,
} from "./cache_errors.ts";
import type { StoreOptions } from "../store/open.ts";
import type {
  AssetCacheOptions,
  CacheGetOptions,
  CachePruneOptions,
  CacheVerifyOptions,
  CopyVerifiedOptions,
  LsOptions,
  LsProgress,
  StaleCopy,
} from "./cache_options.ts";
import { EntryIndex, type EntryRec, sameContent, sameVersion } from "./entry_index.ts";
import { keepJournalsOpen } from "./record_journal.ts";
import { ASSET_CACHE_OPTIONS } from "./cache_options.ts";
import type { EntryFetcher, EntryFetcherOptions } from "./entry_fetch.ts";
import type { EntryResolver, EntryResolverOptions } from "./entry_resolve.ts";
import type { EntryMeta } from "./entry_meta.ts";
import { CacheLayout, type EntryLocation, recordPathsOf, withinStore } from "./layout.ts";
import type {
  CacheEntry,
  PruneProgress,
  PruneResult,
  VerifyProgress,
  VerifyResult,
} from "./maintenance.ts";
import { type FlightOptions, SingleFlight } from "./single_flight.ts";
import { holdsPinnedContent } from "./pinned_content.ts";

export type { CacheEntry, PruneProgress, PruneResult, VerifyProgress, VerifyResult };
export type {
  AssetCacheOptions,
  CacheGetOptions,
  CachePruneOptions,
  CacheVerifyOptions,
  CopyVerifiedOptions,
  LsOptions,
  LsProgress,
  StaleCopy,
};

// How often a warm entry's file's existence is re-checked.
const RECHECK_INTERVAL_MS = 1_000;
// The values of the `onUnreachable` option.
const ON_UNREACHABLE: ReadonlyArray<string | undefined> = ["warn", "fail"];
const COPY_VERIFIED_OPTIONS: OptionNames<CopyVerifiedOptions> = {
  onCheckProgress: true,
  onProgress: true,
  onWritten: true,
  signal: true,
};
// Downloads at once per cache (see AssetCacheOptions.maxDownloads).
const DEFAULT_MAX_DOWNLOADS = 16;
// The option names each call takes (a misspelt one is refused, not ignored).
const CACHE_GET_OPTIONS: OptionNames<CacheGetOptions> = {
  onHashProgress: true,
  immutable: true,
  signal: true,
  onProgress: true,
  integrity: true,
  once: true,
  storeRoot: true,
  onStale: true,
};

/** The parts that talk to stores, loaded on the first flight. */
interface Remote {
  fetcher: EntryFetcher;
  resolver: EntryResolver;
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
  /**
   * The tuning of this cache's downloads: the `download` option with its
   * `parallelThreshold` / `partSize` resolved like the other settings.
   * Downloads made beside the cache (`vc lock`'s checks) use it too.
   */
  readonly download: NonNullable<AssetCacheOptions["download"]>;
  /** Seconds before revalidation. */
  readonly timeout: number;
  /** True when the network is never used. */
  readonly offline: boolean;
  /**
   * The setting that turned offline mode on (`VC_OFFLINE`, `"offline": true
   * in FILE`, `the offline option`; `--offline` from the `vc` command line),
   * what turns it off, and what would turn it on (`how`), for messages that
   * refuse a download in offline mode or suggest it.
   */
  readonly offlineSwitch: { on: string; off: string; how: string };

  #index: EntryIndex;
  #layout: CacheLayout;
  #flights = new SingleFlight<EntryRec>();
  // Calls in progress, for close() to wait for: `cache()` (not the warm
  // ones, which do no I/O; a cold one may write after the download it
  // shares, its record's last use), `delete()`, `copyVerified()`, `ls()`,
  // `prune()`, `verify()` (they remove entries, copy, or ask the stores
  // close() closes).
  #calls = new CallsInProgress();
  #lockWaitMs: number;
  #remoteOptions: EntryFetcherOptions & EntryResolverOptions;
  #remote: Promise<Remote> | undefined;
  #dirLooked = false;
  #remoteLoaded: Remote | undefined;
  // Where the cache dir leads (links resolved), resolved by the first
  // copyVerified() and again when the cache dir is another directory (a
  // link put in its place): what a copy out must not land in.
  #realDir: { id: string; real: Promise<string> } | undefined;

  /** Resolves settings (options > environment > config file > defaults); no I/O beyond reading the config file. */
  constructor(options: AssetCacheOptions = {}) {
    checkOptions("AssetCache", options, ASSET_CACHE_OPTIONS);
    checkConstructorValues(options);
    checkDownloadOptions("AssetCache download", options.download, DOWNLOAD_TUNING_OPTIONS);
    // Here, not when the first download opens a store: a warm hit never does.
    checkStoreOptions("AssetCache store", options.store);
    const settingsOptions: SettingsOptions = {};
    if (options.cacheDir !== undefined) settingsOptions.cacheDir = options.cacheDir;
    if (options.timeout !== undefined) settingsOptions.timeout = options.timeout;
    if (options.immutableBuckets !== undefined) {
      settingsOptions.immutableBuckets = options.immutableBuckets;
    }
    if (options.offline !== undefined) settingsOptions.offline = options.offline;
    if (options.configPath !== undefined) settingsOptions.configPath = options.configPath;
    if (options.env !== undefined) settingsOptions.env = options.env;
    // The download tuning resolves as the other settings do (option >
    // VC_PARALLEL_THRESHOLD / VC_RANGE_SIZE > config file), in one place.
    if (options.download?.parallelThreshold !== undefined) {
      settingsOptions.parallelThreshold = options.download.parallelThreshold;
    }
    if (options.download?.partSize !== undefined) {
      settingsOptions.rangeSize = options.download.partSize;
    }
    const settings = resolveSettings(settingsOptions);
    const env = options.env;
    const readEnv: EnvReader = envOption("AssetCache", env) ?? readDenoEnv;
    // What the S3 store reads: its own `store.s3.env` when given (this cache's
    // `env` replaced it, so a store given the keys it needs had none), else
    // this cache's environment.
    const storeEnvGiven = options.store?.s3?.env !== undefined;
    const storeEnv = envOption("AssetCache store.s3", options.store?.s3?.env) ?? readEnv;
    // The store's own rule and check, so cached entries land under the
    // endpoint it uses, and a malformed one fails here, warm entries included.
    const endpoint = resolveS3EndpointUrl(options.store?.s3 ?? {}, storeEnv);
    this.#layout = new CacheLayout(settings.cacheDir, endpoint !== undefined ? { endpoint } : {});
    // Checked here, naming the option: later they would fail the first download
    // under another name (a pool's "concurrency"), or not at all.
    // A number, not what `>=` coerces to one ("5", true, null): as `timeout`.
    const lockWait: unknown = options.lockWait;
    if (
      lockWait !== undefined &&
      !(typeof lockWait === "number" && lockWait >= 0 && lockWait < Infinity)
    ) {
      throw new InvalidInputError(
        `lockWait must be a non-negative number of seconds, got ${describeValue(lockWait)}`,
      );
    }
    const revalidateTimeout: unknown = options.revalidateTimeout;
    if (
      revalidateTimeout !== undefined &&
      !(typeof revalidateTimeout === "number" && revalidateTimeout >= 0 &&
        revalidateTimeout < Infinity)
    ) {
      throw new InvalidInputError(
        `revalidateTimeout must be a non-negative number of seconds, got ${
          describeValue(revalidateTimeout)
        }`,
      );
    }
    // An unknown value would silently be taken for the default ("warn").
    if (options.onUnreachable !== undefined && !ON_UNREACHABLE.includes(options.onUnreachable)) {
      throw new InvalidInputError(
        `onUnreachable must be ${ON_UNREACHABLE.map((v) => JSON.stringify(v)).join(" or ")}, got ${
          typeof options.onUnreachable === "string"
            ? JSON.stringify(options.onUnreachable)
            : String(options.onUnreachable)
        }`,
      );
    }
    // Read here, so a bad VC_ON_UNREACHABLE fails the construction, as a bad option does.
    const onUnreachable = options.onUnreachable ??
      parseOnUnreachable(readEnv("VC_ON_UNREACHABLE"));
    checkPositiveInteger("maxDownloads", options.maxDownloads);
    this.#lockWaitMs = 1000 * (options.lockWait ?? parseLockWait(readEnv("VC_LOCK_WAIT")));
    this.dir = this.#layout.dir;
    this.download = { ...options.download, ...downloadTuning(settings) };
    this.timeout = settings.timeout;
    this.offline = settings.offline;
    const clock: Clock = options.clock ?? systemClock;
    this.#index = new EntryIndex(this.#layout, {
      clock,
      ttlMs: settings.timeout * 1000,
      offline: settings.offline,
      offlineSource: options.offlineSource ?? settings.sources.offline,
      immutableBuckets: settings.immutableBuckets,
    });
    this.offlineSwitch = this.#index.offlineSwitch;
    // The store reads the environment the endpoint above was resolved with,
    // so entries are fetched from the endpoint they are filed under.
    const storeOptions: StoreOptions = env === undefined && !storeEnvGiven
      ? options.store ?? {}
      : { ...options.store, s3: { ...options.store?.s3, env: storeEnv } };
    const callerOpen = checkedOpener("AssetCache", options.openStore);
    registerStoreSource(this, { options: storeOptions, open: callerOpen });
    this.#remoteOptions = {
      // The option, else VC_ON_UNREACHABLE (checked above, at construction).
      onUnreachable,
      // Through callCallback: a caller's warn that throws stops the call with
      // a CallbackError (the library's rule for callbacks), at every place
      // that warns.
      warn: options.onWarning !== undefined
        ? (m, kind?: "wait") =>
          callCallback("onWarning", options.onWarning, kind ? { message: m, kind } : { message: m })
        : options.warn === undefined
        ? warnLineOnStderr
        : (m) => callCallback("warn", options.warn, m),
      ownsStores: options.openStore === undefined,
      // A caller's opener is given the root alone: `openStore` itself passed
      // (as Repository does) would take the progress callback for its options.
      open: callerOpen !== undefined
        ? (root) => callerOpen(root)
        : async (root, onHashProgress) => {
          // A `file://` root is the directory of a file the user named, not a
          // store vc manages: reading it must leave no sidecar beside it.
          const { forUserFiles, openStore } = await import("../store/open.ts");
          const opened = forUserFiles(storeOptions);
          // A file right under / (`file:///data.csv`, common in containers) is
          // read from a store rooted at /, which `openStore` refuses as a
          // location (a mirror or prune there would take the whole disk).
          // Its hashing of a file with no valid sidecar is told to the flight reading it.
          opened.file = { ...opened.file, onHashProgress };
          if (root === "file:///") {
            return new (await import("../store/fs.ts")).FsStore("/", opened.file);
          }
          return openStore(root, opened);
        },
      download: this.download,
      lockWaitMs: this.#lockWaitMs,
      maxDownloads: options.maxDownloads ?? DEFAULT_MAX_DOWNLOADS,
      endpoint,
      revalidateTimeoutMs: Math.round(
        1000 *
          (options.revalidateTimeout ?? parseRevalidateTimeout(readEnv("VC_REVALIDATE_TIMEOUT"))),
      ),
    };
    // Prefill's one call per object (item_hook.ts): taken only while this
    // cache's `cache()` is this class's own, not a subclass's override nor
    // one put on the instance later, which it would pass by. Its hold keeps
    // the record journals open for the whole run: the downloads of a wave
    // finish together, and each wave reopened its directory's journal (an
    // open and two handle `stat`s, each a `readlink` per path component
    // under vc's permission flags).
    registerCacheItem(
      this,
      (uri, parsed, options) => {
        try {
          options.signal?.throwIfAborted();
        } catch (e) {
          return Promise.reject(e);
        }
        return this.#get(uri, parsed, options, false);
      },
      AssetCache.prototype.cache,
      keepJournalsOpen,
    );
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
    if (options !== undefined) {
      try {
        checkOptions("cache()", options, CACHE_GET_OPTIONS, {
          what: "AssetCache",
          known: ASSET_CACHE_OPTIONS,
        });
        checkCallValues(options);
        // As fetch() does: a call already aborted fails, even on a warm hit.
        options.signal?.throwIfAborted();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#get(uri, undefined, options, true);
  }

  // `cache()` after its checks; `parsed`: `uri` parsed already; `guard`: the
  // callbacks are the caller's, to call through a CallbackGuard.
  #get(
    uri: string,
    parsed: ParsedUri | undefined,
    options: CacheGetOptions | undefined,
    guard: boolean,
  ): Promise<string> {
    // The warm path: no I/O, no await. Everything else is in #slow.
    const index = this.#index;
    const rec = index.byUri(uri);
    if (
      rec !== undefined && rec.valid &&
      holdsPinnedContent(rec, options?.integrity)
    ) {
      const now = index.clock.now();
      // A look in the future (a wall clock stepped back since) is no recent look.
      const sinceCheck = now - rec.checkedAt;
      if (
        sinceCheck >= 0 && sinceCheck < RECHECK_INTERVAL_MS &&
        index.isFresh(rec, now, options?.immutable === true)
      ) {
        if (options?.onStale !== undefined && (rec.staleReason !== undefined || index.offline)) {
          // Served in the minute after the store did not answer, or offline:
          // still unconfirmed.
          try {
            reportStale(index, rec, now, options);
          } catch (e) {
            return Promise.reject(e);
          }
        }
        if (!index.touchDue(rec, now)) return Promise.resolve(rec.path);
        return this.#calls.track(index.touch(rec, now).then(() => rec.path));
      }
    }
    return this.#calls.track(this.#slow(uri, parsed, options, guard));
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
   * True when the cached copy of `uri` is of the object `info` describes:
   * its record names the same ETag and size (the copy was checked against
   * that object when it entered the cache). No request; false when nothing
   * is cached or the record names another object (it was replaced since).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * import { FsStore } from "../store/fs.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   const uri = `file://${root}/x.txt`;
   *   await using store = new FsStore(root);
   *   assert(!cache.holdsVersion(uri, (await store.head("x.txt"))!));
   *   await cache.cache(uri);
   *   assert(cache.holdsVersion(uri, (await store.head("x.txt"))!));
   *   await Deno.writeTextFile(`${root}/x.txt`, "y");
   *   assert(!cache.holdsVersion(uri, (await store.head("x.txt"))!));
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  holdsVersion(uri: string, info: { etag: string; size: number }): boolean {
    const loc = this.#locate(uri);
    if (loc === undefined || !isFileSync(loc.dataPath)) return false;
    const found = this.#index.readRecord(loc);
    return found !== undefined && sameVersion(found.meta, info);
  }

  /**
   * What the record of the cached copy at `local` (a path `cache()`
   * returned) says it holds: the object's URI, ETag and size, and the MD5
   * and SHA-256 of its bytes when known. No read of the copy, no request:
   * `vc sync` tells by it whether DEST's file already holds the object
   * pinned now. `undefined` for a path that is no cached copy, or whose
   * record cannot be read.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   const copy = await cache.cache(`file://${root}/x.txt`);
   *   assert.equal(cache.copyRecord(copy)?.size, 1);
   *   assert.equal(cache.copyRecord(`${root}/x.txt`), undefined);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  copyRecord(
    local: string,
  ): { uri: string; etag: string; size: number; md5?: string; sha256?: string } | undefined {
    checkPathArgument("copyRecord() local", local);
    const path = resolve(local);
    if (!this.#layout.contains(path)) return undefined;
    let meta: EntryMeta | undefined;
    try {
      meta = this.#index.readRecord(recordPathsOf(this.dir, path))?.meta;
    } catch {
      return undefined;
    }
    // A record of another file (a damaged line) says nothing of this one.
    if (meta === undefined || this.#locate(meta.uri)?.dataPath !== path) return undefined;
    const { uri, etag, size, md5, sha256 } = meta;
    return {
      uri,
      etag,
      size,
      ...(md5 !== undefined ? { md5 } : {}),
      ...(sha256 !== undefined ? { sha256 } : {}),
    };
  }

  /**
   * Makes the next `cache(uri)` revalidate (HEAD) regardless of the timeout,
   * even for immutable buckets, in this and other processes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   const uri = `file://${root}/cities.csv`;
   *   await Deno.writeTextFile(`${root}/cities.csv`, "v1");
   *   // A day's timeout: the copy is served without asking the store.
   *   await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, timeout: 86400 });
   *   assert(await Deno.readTextFile(await cache.cache(uri)) === "v1");
   *   await Deno.writeTextFile(`${root}/cities.csv`, "v2");
   *   assert(await cache.invalidate(uri) === true); // there was a copy
   *   assert(await Deno.readTextFile(await cache.cache(uri)) === "v2"); // asked the store again
   *   assert(await cache.invalidate(`file://${root}/never-cached.csv`) === false);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  invalidate(uri: string): Promise<boolean> {
    try {
      const loc = this.#locateEntry(uri);
      if (loc === undefined) return Promise.resolve(false);
      const rec = this.#index.byPath(loc.dataPath);
      if (rec !== undefined) {
        rec.validatedAt = 0;
        rec.retryAt = undefined; // asked at once, even just after the store was unreachable
        rec.staleReason = undefined;
        rec.warnedAt = undefined; // and its failure said again
      }
      const found = this.#index.readRecord(loc);
      if (found !== undefined && found.meta.validatedAt !== 0) {
        try {
          this.#index.writeRecord(
            loc,
            { ...found.meta, validatedAt: 0 },
            found.legacyUsed !== undefined,
          );
        } catch (e) {
          throw this.#readOnly(e, `invalidate ${uri}`, loc.journalPath);
        }
      }
      // Another AssetCache of this process on the dir reads the record again.
      if (found !== undefined) this.#index.forgetInProcess(loc.dataPath);
      // A record whose data file was deleted by hand is a miss (as for `delete`): nothing cached.
      return Promise.resolve(found !== undefined && isFileSync(loc.dataPath));
    } catch (e) {
      return Promise.reject(cacheDirPermissionError(e, `invalidate ${uri}`, this.dir) ?? e);
    }
  }

  /**
   * Removes the cached copy of `uri` and its metadata. Returns true when
   * there was one. Other local paths are never deleted (returns false); a
   * copy of this cache given by its path (what `cache()` returned) removes
   * its entry.
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
  delete(uri: string): Promise<boolean> {
    return this.#calls.track(this.#doDelete(uri));
  }

  async #doDelete(uri: string): Promise<boolean> {
    const loc = this.#locateEntry(uri);
    if (loc === undefined) return false;
    this.#index.forgetInProcess(loc.dataPath);
    this.#layout.assertSafe(loc.dataPath);
    this.#layout.assertSafe(loc.metaPath);
    this.#layout.assertSafe(loc.journalPath);
    const { removeEntryFiles } = await import("./maintenance.ts");
    try {
      return await removeEntryFiles(this.dir, loc, {
        lockWait: this.#lockWaitMs,
        warn: this.#remoteOptions.warn,
      });
    } catch (e) {
      // A copy at a path this system cannot name was never cached: `cache()`
      // of the URI fails the same way, so there is nothing to remove (as
      // `invalidate` answers), not an OS error.
      if (isNameTooLong(e)) return false;
      throw this.#readOnly(e, `remove the cached copy of ${uri}`, loc.dataPath);
    }
  }

  /**
   * Copies `local` to `dest` atomically, keeping its mode. When `local` is a
   * copy in this cache, it is checked against its record (size and
   * checksum) in the read that copies it, before `dest` is replaced; a copy
   * that fails is removed from the cache and nothing is written at `dest`
   * (`IntegrityError`, naming both). Other paths (local overrides) are
   * copied as they are. `onProgress` is told how far the copy is (one read
   * of the file: seconds a GB), `onCheckProgress` how far a second read is
   * when the check needs one (a multipart ETag of unusual part sizes), and
   * `onWritten` the size and SHA-256 of the bytes written, taken in the same
   * read, before `dest` is replaced. A `dest` inside the cache dir is refused
   * (`InvalidInputError`): it would replace a cached copy in place.
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
   *   const written: Array<{ bytes: number; sha256: string }> = [];
   *   await cache.copyVerified(path, `${root}/out/x.txt`, { onWritten: (w) => written.push(w) });
   *   assert(await Deno.readTextFile(`${root}/out/x.txt`) === "x");
   *   // Told once, in the read that copied: the size the cache recorded, and the SHA-256.
   *   assert.equal(written.length, 1);
   *   assert.equal(written[0]?.bytes, cache.copyRecord(path)?.size);
   *   assert.match(written[0]?.sha256 ?? "", /^[0-9a-f]{64}$/);
   *   await Deno.writeTextFile(path, "y"); // a same-size hand edit
   *   await assert.rejects(cache.copyVerified(path, `${root}/out/y.txt`), /failed verification/);
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  copyVerified(
    local: string,
    dest: string,
    options: CopyVerifiedOptions = {},
  ): Promise<void> {
    return this.#calls.track(this.#doCopyVerified(local, dest, options));
  }

  async #doCopyVerified(
    local: string,
    dest: string,
    options: CopyVerifiedOptions,
  ): Promise<void> {
    checkPathArgument("copyVerified() local", local);
    checkPathArgument("copyVerified() dest", dest);
    checkOptions("copyVerified()", options, COPY_VERIFIED_OPTIONS);
    checkOptionValues("copyVerified()", options);
    // What a progress callback throws (or a promise it returns that rejects)
    // stops the copy as a CallbackError naming it: it says nothing of DEST
    // (a caller's full disk is no "cannot write DEST"), nor of the cached
    // copy, which must not be removed for it.
    await withCallbackGuard(
      options,
      ["onCheckProgress", "onProgress"],
      (guarded) => this.#copyVerified(local, dest, guarded),
    );
  }

  // The cache dir's real path for copyVerified(), resolved again only when
  // the cache dir's path names another file, or leads to another directory,
  // than when it was resolved (moved and a link to it put in its place, a
  // link retargeted): two stats a copy, not a realpath. (A link put in place
  // of one of its parents goes unseen.) Synchronous: the cache dir's own
  // inode, a look answered from memory, where an async one cost ~15 µs of
  // CPU to hand to another thread and back, each a copy of a sync of many
  // small files.
  async #realCacheDir(): Promise<string> {
    const { realish } = await import("../real_path.ts");
    const look = (stat: (path: string) => Deno.FileInfo) => {
      try {
        const info = stat(this.dir);
        return `${info.dev}:${info.ino}`;
      } catch {
        return "";
      }
    };
    const id = `${look(Deno.lstatSync)}/${look(Deno.statSync)}`;
    if (this.#realDir?.id !== id) this.#realDir = { id, real: realish(this.dir) };
    return await this.#realDir.real;
  }

  async #copyVerified(local: string, dest: string, options: CopyVerifiedOptions): Promise<void> {
    const { onCheckProgress, onProgress, onWritten, signal } = options;
    // A copy there replaces a cached copy in place (`cache()` serves it as the
    // object until it finds it changed), or leaves a file no record knows;
    // also through a symbolic link on `dest`'s way.
    // The copy's rename replaces a link at `dest`, never writes through it:
    // `dest`'s directory is what is resolved, against the cache dir resolved
    // once, again only when it changes (a sync copies thousands of files
    // out; resolving both for each was ~7% of its time).
    const { renameLandsBelow } = await import("../real_path.ts");
    if (
      this.#layout.contains(dest) || (await renameLandsBelow(dest, this.dir, this.#realCacheDir()))
    ) {
      throw new InvalidInputError(
        `cannot copy ${local} to ${dest}: ${dest} is inside the cache dir ${this.dir} ` +
          `(copy to a directory of your own; cache() gives a cached copy's path to read)`,
      );
    }
    const { copyFileAtomic } = await import("../atomic_write.ts");
    const path = resolve(local);
    const meta = this.#layout.contains(path)
      ? this.#index.readRecord(recordPathsOf(this.dir, path))?.meta
      : undefined;
    // The cached copy is checked against its record in the read that copies
    // it (a second read only for what the hashes streamed cannot settle: a
    // multipart ETag of unusual part sizes), and the SHA-256 of the bytes
    // written taken in it too: one read of the copy, not three.
    const { copyChecker } = await import("./record_check.ts");
    const { StreamHasher } = await import("../verify.ts");
    const checker = meta && copyChecker(path, meta, {
      ...(onCheckProgress ? { onProgress: onCheckProgress } : {}),
      ...(signal ? { signal } : {}),
    });
    let hasher: InstanceType<typeof StreamHasher> | undefined;
    let problem: string | undefined;
    const fail = (why: string) => {
      problem = why;
      return new IntegrityError(why);
    };
    try {
      await copyFileAtomic(path, dest, {
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
        ...(checker || onWritten
          ? {
            hash: (size: number) =>
              hasher = checker?.hasher(onWritten !== undefined, size) ??
                new StreamHasher(0, 0, true, size),
            beforeCommit: async ({ path: temp, bytes }: { path: string; bytes: number }) => {
              const computed = hasher!.finish();
              if (checker !== undefined) {
                const why = await checker.check(temp, computed, bytes).catch((e) => {
                  // Stopped (or a callback failed: the guard's signal has its
                  // CallbackError): nothing is known of the copy, which stays cached.
                  signal?.throwIfAborted();
                  if (e instanceof CallbackError) throw e;
                  return `cannot read it: ${e}`;
                });
                if (why !== undefined) throw fail(why);
              }
              // Its error is the caller's (a journal it keeps), not DEST's.
              await awaitCallback("onWritten", onWritten, { bytes, sha256: computed.sha256! });
            },
          }
          : {}),
      });
    } catch (e) {
      signal?.throwIfAborted();
      if (e instanceof CallbackError) throw e;
      const gone = e instanceof Deno.errors.NotFound &&
        !(await Deno.lstat(path).then(() => true, () => false));
      if (meta !== undefined && (problem !== undefined || gone)) {
        await this.delete(meta.uri).catch(() => false);
        throw new IntegrityError(
          `the cached copy ${path} of ${meta.uri} failed verification (${
            problem ?? "data file is missing"
          }); it was removed from the cache and not copied to ${dest}: run again to download it afresh`,
        );
      }
      if (gone) {
        throw new NotFoundError(`cannot copy ${path} to ${dest}: ${path} does not exist`, {
          cause: e,
        });
      }
      throw copyOutError(e, dest);
    }
  }

  /**
   * Lists cached entries, sorted by URI (UTF-8 byte order, as S3 lists
   * keys). With `checkRemote`, each entry is compared with the store
   * (`outdated`: true when the store has another version or none, and
   * then `remoteDeleted` too when it has none; absent when the store could
   * not be asked).
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
  ls(options: LsOptions = {}): Promise<CacheEntry[]> {
    return this.#calls.track(this.#doLs(options));
  }

  async #doLs(options: LsOptions): Promise<CacheEntry[]> {
    checkOptions(
      "ls()",
      options,
      {
        checkRemote: true,
        signal: true,
        onProgress: true,
        uri: true,
      } satisfies OptionNames<LsOptions>,
    );
    checkOptionValues("ls()", options, ["checkRemote"]);
    // As cache() does: a call already aborted fails, even with nothing to ask
    // the store (it listed the cache and resolved, the signal unheard).
    options.signal?.throwIfAborted();
    // An onProgress that throws (or whose promise rejects) stops the listing
    // as its signal would (the store's answers awaited are aborted) and is
    // what ls rejects with: a CallbackError.
    return await withCallbackGuard(options, ["onProgress"], (guarded) => this.#ls(guarded));
  }

  async #ls(options: LsOptions): Promise<CacheEntry[]> {
    const { onProgress } = options;
    const { listEntries, listEntriesOf, publicEntry } = await import("./maintenance.ts");
    const onListed = onProgress && ((done: number) => onProgress({ step: "listing", done }));
    if (options.uri !== undefined && typeof options.uri !== "string") {
      throw new InvalidInputError(`ls(): uri must be a string, got ${typeof options.uri}`);
    }
    const only = options.uri === undefined ? undefined : this.#locateEntry(options.uri);
    const listed =
      await (options.uri === undefined
        ? listEntries(this.dir, onListed)
        : only === undefined
        ? Promise.resolve([])
        : listEntriesOf(this.dir, only, onListed)).catch((e) => {
          throw cacheDirPermissionError(e, "list the cache", this.dir) ??
            closedDirError(e, "list the cache", this.dir) ?? e;
        });
    const out: CacheEntry[] = listed.map(publicEntry);
    options.signal?.throwIfAborted();
    if (!options.checkRemote) return out;
    if (this.offline) {
      for (const entry of out) entry.remoteError = "offline mode is on";
      return out;
    }
    const [
      { forEachLimit },
      { isUnreachable },
      { existsAfterAll, revalidationDeadline, uncheckableAnswer },
      { fetcher },
    ] = await Promise
      .all([
        import("../pool.ts"),
        import("./entry_fetch.ts"),
        import("./entry_resolve.ts"),
        this.#loadRemote(),
      ]);
    const signal = options.signal;
    // Stores found unreachable, with why: their other entries are not asked
    // (each would wait out its own timeouts and retries to learn the same).
    const down = new Map<ObjectStore, string>();
    const check = async (entry: CacheEntry): Promise<void> => {
      const loc = this.#locate(entry.uri);
      // Entries cached through another endpoint cannot be checked with this one.
      if (loc === undefined || loc.dataPath !== entry.path) {
        entry.remoteError = `cached from the endpoint ${
          entry.endpoint ?? "-"
        }, not the one configured now (set AWS_ENDPOINT_URL to it to check it)`;
        return;
      }
      let store: ObjectStore | undefined;
      // As a revalidation's: a store that never answers makes REMOTE
      // `unknown` in seconds, not after every attempt's request timeout.
      const limit = revalidationDeadline(
        signal ?? new AbortController().signal,
        this.#remoteOptions.revalidateTimeoutMs,
        loc,
        this.#remoteOptions.endpoint,
      );
      try {
        let key: string;
        ({ store, key } = await fetcher.storeFor(loc));
        const known = down.get(store);
        if (known !== undefined) {
          entry.remoteError = known;
          return;
        }
        const head = await store.head(key, { signal: limit.signal });
        // Nothing to compare (no ETag): unknown, as a revalidation keeps the copy.
        const uncheckable = head === undefined
          ? undefined
          : uncheckableAnswer(entry.uri, head, this.#remoteOptions.endpoint);
        if (uncheckable !== undefined) {
          entry.remoteError = uncheckable;
          return;
        }
        // A HEAD's 404 has no body to tell the store's from an interceptor's
        // (answering so for every URL): a GET of the first byte confirms it,
        // as a revalidation does before it records an entry as deleted.
        const found = head ?? await existsAfterAll(store, key, limit.signal);
        // Another ETag that states the copy's MD5 (SSE-KMS, uploaded again
        // in parts) is the same content: current, as a revalidation keeps it.
        entry.outdated = found === undefined ||
          (found === "empty" ? entry.size !== 0 : !sameVersion(found, entry) &&
            !sameContent(found, { size: entry.size, md5: this.#recordedMd5(loc) }));
        if (found === undefined) entry.remoteDeleted = true;
      } catch (caught) {
        const e = !signal?.aborted && limit.expired() ? limit.reason() : caught;
        if (
          !signal?.aborted && (e instanceof IntegrityError || e instanceof AccessDeniedError)
        ) {
          // One answer refused for its form (a Last-Modified that is no
          // date), or one key the store refuses (a 403: deleted while the
          // credentials may not list the bucket, a policy on that key):
          // this entry's REMOTE is unknown, said why; not the whole
          // listing's failure, nor the store's (the others are asked).
          entry.remoteError = e.message;
          return;
        }
        if (signal?.aborted || !(await isUnreachable(e))) throw e;
        entry.remoteError = (e as Error | undefined)?.message ?? String(e);
        if (store !== undefined && !down.has(store)) down.set(store, entry.remoteError);
      } finally {
        limit.cancel();
      }
    };
    let checked = 0;
    const total = out.length;
    onProgress?.({ step: "checking", done: 0, total });
    await forEachLimit(out, 16, async (entry) => {
      signal?.throwIfAborted();
      await check(entry);
      onProgress?.({ step: "checking", done: ++checked, total });
    });
    signal?.throwIfAborted();
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
  prune(options: CachePruneOptions = {}): Promise<PruneResult> {
    return this.#calls.track(this.#doPrune(options));
  }

  async #doPrune(options: CachePruneOptions): Promise<PruneResult> {
    checkOptions(
      "prune()",
      options,
      {
        maxBytes: true,
        olderThan: true,
        dryRun: true,
        onProgress: true,
        onListProgress: true,
        signal: true,
      } satisfies OptionNames<CachePruneOptions>,
    );
    checkOptionValues("prune()", options, ["dryRun"]);
    options.signal?.throwIfAborted();
    const { pruneEntries } = await import("./maintenance.ts");
    const { onProgress: _, onListProgress: ___, signal: __, ...rest } = options;
    const result = await this.#maintain(
      options,
      "prune the cache",
      (guarded) => pruneEntries(this.dir, { ...rest, ...guarded }),
      (done) => done.dryRun === true ? [] : done.removed,
    );
    options.signal?.throwIfAborted();
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
  verify(options: CacheVerifyOptions = {}): Promise<VerifyResult> {
    return this.#calls.track(this.#doVerify(options));
  }

  async #doVerify(options: CacheVerifyOptions): Promise<VerifyResult> {
    checkOptions(
      "verify()",
      options,
      {
        onProgress: true,
        onListProgress: true,
        signal: true,
      } satisfies OptionNames<CacheVerifyOptions>,
    );
    checkOptionValues("verify()", options);
    const { verifyEntries } = await import("./maintenance.ts");
    return await this.#maintain(
      options,
      "verify the cache",
      (guarded) => verifyEntries(this.dir, guarded),
      (done) => done.corrupt,
    );
  }

  /**
   * Runs a maintenance pass that removes entries (prune, verify) with the
   * caller's callbacks guarded (see `guardProgress`), then has this process
   * forget the entries `removed` names. Stopped midway (aborted, a callback
   * threw), which it removed is not known here: it forgets them all, then
   * says why it stopped; a read-only cache dir is said as such (`action`).
   */
  async #maintain<P, R>(
    options: {
      onProgress?: ((progress: P) => void) | undefined;
      onListProgress?: ((listed: number) => void) | undefined;
      signal?: AbortSignal | undefined;
    },
    action: string,
    run: (guarded: GuardedProgress<P>) => Promise<R>,
    removed: (result: R) => readonly { path: string }[],
  ): Promise<R> {
    const { rethrow, ...guarded } = guardProgress(options);
    let result: R;
    try {
      result = await run(guarded);
    } catch (e) {
      this.#index.forgetInProcess(undefined);
      rethrow();
      throw this.#readOnly(e, action, this.dir);
    }
    for (const entry of removed(result)) this.#index.forgetInProcess(entry.path);
    // Stopped (or onProgress threw): the removals so far were forgotten
    // above, then it is said.
    rethrow();
    return result;
  }

  /**
   * Closes the stores this cache opened, once the work in progress has
   * settled: the `cache()` calls still waited for (finishing or failing as
   * they would), the downloads every caller abandoned (aborted, removing
   * their temp files), and the `ls()`, `prune()`, `verify()`, `delete()` and
   * `copyVerified()` calls still running (abort them with their `signal` to
   * close sooner). So no file, record or lock is written, and no store
   * asked, after it resolves.
   * The cache stays usable: stores are reopened on demand.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "./asset_cache.ts";
   * const root = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${root}/x.txt`, "x");
   *   const cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
   *   await cache.cache(`file://${root}/x.txt`);
   *   await cache.close();
   *   // Still usable: the store is opened again when needed.
   *   assert(await Deno.readTextFile(await cache.cache(`file://${root}/x.txt`)) === "x");
   *   await cache.close();
   * } finally {
   *   await Deno.remove(root, { recursive: true });
   * }
   * ```
   */
  async close(): Promise<void> {
    // Downloads in progress finish (writing their files and records, and
    // removing their locks) and aborted ones remove their temp files first.
    await this.#calls.settled();
    await this.#flights.idle();
    // Loading settled too (flights awaited it); no store was opened without it.
    await this.#remote?.catch(() => {});
    await this.#remoteLoaded?.fetcher.close();
  }

  /** Same as {@linkcode AssetCache.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // -------------------------------------------------------------------------

  /** The parts that download and revalidate (loaded once, on first need). */
  #loadRemote(): Promise<Remote> {
    this.#remote ??= (async () => {
      const [{ EntryFetcher }, { EntryResolver }] = await Promise.all([
        import("./entry_fetch.ts"),
        import("./entry_resolve.ts"),
      ]);
      const fetcher = new EntryFetcher(this.#index, this.#remoteOptions);
      const resolver = new EntryResolver(this.#index, fetcher, this.#remoteOptions);
      this.#remoteLoaded = { fetcher, resolver };
      return this.#remoteLoaded;
    })().catch((e) => {
      this.#remote = undefined; // tried again next time
      throw e;
    });
    return this.#remote;
  }

  /**
   * Once per cache: a cache dir every user may write to is warned about (a
   * `/tmp` directory another user made first). Here, on a call's first
   * look at the disk: the warm path that follows it does none.
   */
  #lookAtDir(): void {
    this.#dirLooked = true;
    const warning = openToEveryUser(this.#layout.dir);
    if (warning !== undefined) this.#remoteOptions.warn(`vc: warning: ${warning}`);
  }

  async #slow(
    uri: string,
    given: ParsedUri | undefined,
    options: CacheGetOptions | undefined,
    guard: boolean,
  ): Promise<string> {
    // Its errors named for a cache dir it may not write, here rather than
    // by a handler on its promise: one promise per call less.
    try {
      const parsed = given ?? parseUri(uri);
      if (parsed.scheme === "local") return checkLocal(parsed.path);
      if (!this.#dirLooked) this.#lookAtDir();
      const index = this.#index;
      const loc = this.#layout.locate(parsed);
      if (options?.storeRoot !== undefined) withinStore(loc, options.storeRoot);
      const immutable = options?.immutable === true;
      // First look at an entry in this process, no flight for it: a fresh
      // record serves it without the flight's machinery (a warm prefill of a
      // thousand entries is a thousand of these).
      let missing = false;
      if (
        options?.integrity === undefined && !this.#flights.has(loc.dataPath) &&
        index.byPath(loc.dataPath) === undefined
      ) {
        // A miss is looked at again under the download's lock (entry_fetch.ts).
        const rec = index.load(loc, true);
        const now = index.clock.now();
        if (rec !== undefined && rec.gone !== true && index.isFresh(rec, now, immutable)) {
          if (index.touchDue(rec, now)) await index.touch(rec, now);
          this.#keep(uri, rec, options);
          reportStale(index, rec, now, options);
          return rec.path;
        }
        // A record whose file changed in place is not a miss: the resolver checks its bytes.
        missing = rec === undefined && !index.hasChanged(loc.dataPath);
      }
      const flightOptions: FlightOptions = {};
      if (options?.signal !== undefined) flightOptions.signal = options.signal;
      const { onProgress, onHashProgress } = options ?? {};
      if (!guard) {
        // A caller of this module's own (prefill's `cacheItemOf`): its
        // callbacks never throw, so they are called as they are; the flight's
        // progress is theirs without a copy.
        if (onProgress !== undefined || onHashProgress !== undefined) {
          flightOptions.onProgress = (p) =>
            p.step === "hashing" ? onHashProgress?.(p) : onProgress?.(p);
        }
      } else if (onProgress !== undefined || onHashProgress !== undefined) {
        // The flight reports both kinds of reading; each goes to its callback.
        // A callback that fails (throws, or its promise rejects) is this
        // call's, not the download's, which other calls of the URI may share:
        // thrown into it, it failed them all with this caller's error. It
        // stops this call as its signal would (CallbackError the reason), and
        // the download with it when no other call waits for it.
        const callbacks = new CallbackGuard();
        flightOptions.signal = callbacks.with(options?.signal);
        flightOptions.onProgress = ({ bytes, total, step, resumed }) =>
          step === "hashing"
            ? callbacks.notify("onHashProgress", onHashProgress, { bytes, total })
            : callbacks.notify(
              "onProgress",
              onProgress,
              resumed === undefined ? { bytes, total } : { bytes, total, resumed },
            );
      }
      // One flight per entry and pinned content: a caller with an integrity
      // pin never takes the result of a flight without it (unchecked bytes),
      // nor one without a pin the other's IntegrityError. Two such flights of
      // one entry take turns at its cross-process lock, as two processes do.
      const pin = options?.integrity;
      // Loaded by an earlier flight: used as it is, not awaited again.
      const loaded = this.#remoteLoaded;
      const rec = await this.#flights.run(
        pin === undefined ? loc.dataPath : `${loc.dataPath}\0${pin.size}:${pin.sha256}`,
        loaded !== undefined
          ? (ctx) => loaded.resolver.resolve(loc, immutable, ctx, pin, missing)
          : async (ctx) =>
            (await this.#loadRemote()).resolver.resolve(loc, immutable, ctx, pin, missing),
        flightOptions,
      );
      this.#keep(uri, rec, options);
      reportStale(index, rec, index.clock.now(), options);
      return rec.path;
    } catch (e) {
      throw cacheDirPermissionError(e, `cache ${uri}`, this.dir) ?? e;
    }
  }

  // What a call leaves in the in-memory index: its record for the next call
  // (the warm path), or, asked for once, nothing (`CacheGetOptions.once`).
  #keep(uri: string, rec: EntryRec, options: CacheGetOptions | undefined): void {
    if (options?.once === true) this.#index.release(rec);
    else this.#index.remember(uri, rec);
  }

  #readOnly(e: unknown, what: string, path: string): unknown {
    return readOnlyError(e, what, path, this.dir);
  }

  // The MD5 an entry's record holds of its copy; undefined when it has none or cannot be read.
  #recordedMd5(loc: EntryLocation): string | undefined {
    try {
      return this.#index.readRecord(loc)?.meta.md5;
    } catch {
      return undefined;
    }
  }

  #locate(uri: string): EntryLocation | undefined {
    const parsed = parseUri(uri);
    if (parsed.scheme === "local") return undefined;
    return this.#layout.locate(parsed);
  }

  // For `delete` and `invalidate`: a cached copy's own path (what `cache()`
  // returned, `vc cache get` printed) names its entry, so `vc cache rm` of it
  // removes that copy instead of saying a file it can see "was not cached".
  // A path whose record names another file (a damaged line, a copy of
  // another endpoint's namespace) names no entry.
  #locateEntry(uri: string): EntryLocation | undefined {
    const parsed = parseUri(uri);
    if (parsed.scheme !== "local") return this.#layout.locate(parsed);
    const path = resolve(parsed.path);
    if (!this.#layout.contains(path)) return undefined;
    const meta = this.#index.readRecord(recordPathsOf(this.dir, path))?.meta;
    const loc = meta === undefined ? undefined : this.#locate(meta.uri);
    return loc?.dataPath === path ? loc : undefined;
  }
}

// Tells the caller's `onStale` of a copy served without the store's
// confirmation (see `EntryRec.staleReason`), or served by offline mode when
// it was due for the store's (see `EntryIndex.offlineStaleReason`); nothing
// for a confirmed one.
function reportStale(
  index: EntryIndex,
  rec: EntryRec,
  now: number,
  options: CacheGetOptions | undefined,
): void {
  if (options?.onStale === undefined) return;
  const validatedAt = new Date(rec.validatedAt);
  if (rec.staleReason !== undefined) {
    callCallback("onStale", options.onStale, { reason: rec.staleReason, validatedAt });
    return;
  }
  const offline = index.offlineStaleReason(rec, now, options.immutable === true);
  if (offline === undefined) return;
  callCallback("onStale", options.onStale, { reason: offline, validatedAt, offline: true });
}

// Synchronous stats: several times cheaper than async ones in Deno, and
// these are single metadata lookups on local paths.
/** Whether `path` is a regular file (never followed through a link). */
function isFileSync(path: string): boolean {
  try {
    return Deno.lstatSync(path).isFile;
  } catch {
    return false;
  }
}

function checkLocal(path: string): string {
  try {
    Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new NotFoundError(
        // A path typed with spaces is not cut by the message rule: cut here.
        `local path ${shortened(path)} does not exist (resolved: ${shortened(resolve(path))})${
          uriMeant(path)
        }`,
        { cause: e },
      );
    }
    if (isNameTooLong(e)) {
      throw new InvalidInputError(`local path ${shortened(path)} ${tooLongReason(path)}`, {
        cause: e,
      });
    }
    throw e;
  }
  return path;
}

// A missing relative path that reads as an S3 object with its scheme left out
// (`my-bucket/models/w.bin`, or `s3//b/k` without the colon) names the URI meant:
// anything without `s3://` is a local path, returned as is when it exists.
function uriMeant(path: string): string {
  const colonless = /^s3\/\/+([^/]+\/.+)$/i.exec(path);
  const meant = colonless
    ? `s3://${colonless[1]}`
    : /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^/]/.test(path)
    ? `s3://${path}`
    : undefined;
  return meant === undefined ? "" : `; an object in S3 is written as a URI: ${shortened(meant)}`;
}

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

/**
 * The values of `cache()`'s per-call options, as a script without type
 * checking passes them: `immutable: "yes"` was silently false, a `signal`
 * that is not an `AbortSignal` a `TypeError`, an `onProgress` that is not a
 * function a `TypeError` only once a download started.
 */
function checkCallValues(options: CacheGetOptions): void {
  checkOptionValues("cache()", options, ["immutable", "once"]);
  if (options.storeRoot !== undefined && typeof options.storeRoot !== "string") {
    throw new InvalidInputError(
      `cache(): the option storeRoot must be a file:// URI, got ${
        describeValue(options.storeRoot)
      }`,
    );
  }
  const integrity: unknown = options.integrity;
  if (integrity === undefined) return;
  // `{}` or a bare "sha256-..." string pinned nothing: a cached copy was
  // served unchecked, a download refused as "size undefined is pinned".
  const pin = integrity as Partial<Record<string, unknown>>;
  if (
    typeof integrity !== "object" || integrity === null ||
    !(Number.isSafeInteger(pin.size) && (pin.size as number) >= 0) ||
    !(typeof pin.sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(pin.sha256)) ||
    (pin.label !== undefined && typeof pin.label !== "string")
  ) {
    throw new InvalidInputError(
      `cache(): the option integrity must be { size, sha256 } (a whole number of bytes and a ` +
        `hex SHA-256 of 64 digits, as a lock entry holds), got ${describeValue(integrity)}`,
    );
  }
}

/**
 * The values of `AssetCache`'s callback and environment options, as a script
 * without type checking passes them: `env: null` was a `TypeError` reading
 * `VC_CACHE_TIMEOUT`, an `openStore` / `warn` that is not a function one only
 * at the first download or warning.
 */
function checkConstructorValues(options: AssetCacheOptions): void {
  envOption("AssetCache", options.env);
  for (const name of ["openStore", "warn", "onWarning"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== "function") {
      throw new InvalidInputError(
        `AssetCache: the option ${name} must be a function, got ${describeValue(value)}`,
      );
    }
  }
  if (options.warn !== undefined && options.onWarning !== undefined) {
    throw new InvalidInputError(
      "AssetCache: give warn or onWarning, not both (onWarning is told { message }, warn the message)",
    );
  }
  const offlineSource: unknown = options.offlineSource;
  if (offlineSource !== undefined && typeof offlineSource !== "string") {
    throw new InvalidInputError(
      `AssetCache: the option offlineSource must be a string, got ${describeValue(offlineSource)}`,
    );
  }
  checkClockOption("AssetCache", options.clock);
}

/**
 * The values of the common per-call options of `what` (`cache()`, `ls()`,
 * `prune()`, `verify()`): `signal` an `AbortSignal`, `onProgress` (and `onStale`) a
 * function, the `flags` true or false. Checked before anything is read or
 * removed (a `TypeError` from inside `prune` came after its first removal).
 */
function checkOptionValues(what: string, options: object, flags: string[] = []): void {
  const o = options as Record<string, unknown>;
  const bad = (name: string, want: string, value: unknown) =>
    new InvalidInputError(
      `${what}: the option ${name} must be ${want}, got ${describeValue(value)}`,
    );
  for (const flag of flags) {
    if (o[flag] !== undefined && typeof o[flag] !== "boolean") {
      throw bad(flag, "true or false", o[flag]);
    }
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw bad("signal", "an AbortSignal", o.signal);
  }
  for (
    const name of ["onProgress", "onCheckProgress", "onHashProgress", "onListProgress", "onStale"]
  ) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      throw bad(name, "a function", o[name]);
    }
  }
}

/** The callbacks and signal `guardProgress` hands a maintenance pass. */
interface GuardedProgress<P> {
  onProgress?: (progress: P) => void;
  onListProgress?: (listed: number) => void;
  signal?: AbortSignal;
}

/**
 * `onProgress` and `onListProgress` for a maintenance pass that removes
 * entries: a callback that throws (or whose promise rejects) stops the pass
 * as an abort does (so the removals so far are still forgotten by the
 * caller), and `rethrow()` then throws its {@linkcode CallbackError}. The
 * listing's callback throws that error too, ending the listing, which reads
 * no signal.
 */
function guardProgress<P>(
  options: {
    onProgress?: ((progress: P) => void) | undefined;
    onListProgress?: ((listed: number) => void) | undefined;
    signal?: AbortSignal | undefined;
  },
): GuardedProgress<P> & { rethrow(): void } {
  const { onProgress, onListProgress, signal } = options;
  if (onProgress === undefined && onListProgress === undefined) {
    return { ...(signal ? { signal } : {}), rethrow() {} };
  }
  const callbacks = new CallbackGuard();
  const onListed = callbacks.wrap("onListProgress", onListProgress);
  return {
    ...(onProgress
      ? { onProgress: (progress: P) => callbacks.notify("onProgress", onProgress, progress) }
      : {}),
    ...(onListed ? { onListProgress: onListed } : {}),
    signal: callbacks.with(signal),
    rethrow: () => callbacks.throwIfFailed(),
  };
}
