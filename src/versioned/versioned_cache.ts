/**
 * The versioned cache: a checked-in manifest pins each versioned path to a
 * version of an immutable object in a bucket, and {@linkcode VersionedCache}
 * turns a path into a verified local file through the asset cache.
 *
 * Publishing (`add`, `update`) only ever creates new objects, with
 * create-only writes, so two people publishing at once cannot overwrite each
 * other; the manifest is changed only after the upload is verified.
 *
 * @module
 */
import { CallsInProgress } from "../calls_in_progress.ts";
import { findCause } from "../causes.ts";
import { signalOption } from "../abort_hub.ts";
import { withCallbackGuard } from "../callback.ts";
import { dirname, fromFileUrl, join, pathBelow, relative, resolve, sep } from "../path.ts";
import { AssetCache } from "../cache/asset_cache.ts";
import { cacheStoreSource } from "../cache/store_source.ts";
import { ASSET_CACHE_OPTIONS, fetchedBytes } from "../cache/cache_options.ts";
import type { StaleCopy } from "../cache/cache_options.ts";
import { lockHolder } from "../cache/entry_lock.ts";
import { foldName, localPathProblem } from "../file_names.ts";
import {
  AccessDeniedError,
  asAccessDenied,
  CallbackError,
  type ErrorKind,
  errorKind,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  PreconditionFailedError,
  VcError,
} from "../errors.ts";
import { fileKind, LINK_LOOP, notRegularFileKind, regularFile } from "../regular_file.ts";
import { realBelow, realish } from "../real_path.ts";
import { fileAbove, statusOrUndefinedSync } from "../file_status.ts";
import { environmentLocalPath, normalizeBucket, parseBoolean, readDenoEnv } from "../config.ts";
import { md5File, normalizeEtag, parseEtag, statedMd5 } from "../hash.ts";
import { checkReport } from "../upload_check.ts";
import type { StoreOptions } from "../store/open.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { checkedOpener } from "../store/store_check.ts";
import { NoCredentialsOnce } from "../store/no_credentials.ts";
import { joinUri, parseUri, toStoreUri } from "../uri.ts";
import {
  checkManifestRoom,
  classifyValue,
  danglingManifestLink,
  entriesBesideRefusedPins,
  fileFolderClashes,
  manifestAbove,
  type ManifestEntries,
  manifestLockPath,
  type ManifestSnapshot,
  missingManifestMessage,
  readManifest,
  readManifestSnapshot,
  refuseFileFolderClash,
  rewriteManifest,
  withPinBucket,
} from "./manifest.ts";
import {
  checkLockFileRoom,
  checkLockFileWritable,
  defaultLockFile,
  type LockEntries,
  type LockEntry,
  lockKey,
  readLockFile,
  updateLockFile,
  withLockFileWrite,
} from "./lock_file.ts";
import type { DownloadIntegrity } from "../store/download.ts";
import {
  baijiPodVersionOf,
  checkedVersionedKey,
  checkNewVersionedPath,
  type ForeignVersion,
  foreignVersionedKey,
  leftoverVersionedKey,
  normalizeVersionedPath,
  oversizedVersionPath,
  parseVersionedKey,
  publishedKey,
  unreadableVersionedKey,
  type VersionedKey,
  versionedKey,
} from "./naming.ts";
import {
  cacheVersioned,
  foreignAboveMessage,
  foreignKeyMessage,
  headVersion,
  leftoverKeysMessage,
  listVersionKeys,
  onlyForeignVersionsClause,
  otherPathsKeysMessage,
  otherSpellingOfVersion,
  oversizedKeyMessage,
  renamedVersionHint,
  slashedUri,
  unreadableKeysMessage,
} from "./slash_keys.ts";
import {
  assertVersion,
  compareVersions,
  FIRST_VERSION,
  isRelease,
  isVersion,
  sortVersions,
  spellingHint,
} from "./version.ts";
import type { Bump } from "./version_bump.ts";
import type { AdoptedVersion } from "./adopt.ts";
import {
  digestSource,
  snapshotSource,
  type SourceDigest,
  type SourceSnapshot,
} from "./source_file.ts";
import { compareUtf8 } from "../utf8.ts";
import { shellWord } from "../shell_word.ts";
import { beforeInlineComment, INLINE_COMMENT_HINT } from "../inline_comment.ts";
import {
  escapedUnicode,
  otherSpellings,
  spellingDifference,
  unicodeLookalike,
} from "../unicode_spelling.ts";
import { consoleWarning, didYouMean, firstNamed, mapSettled, ownFilesAt } from "./helpers.ts";
import { SyncInterruptedError } from "./sync_interrupted.ts";
import { fsPlatform } from "../fs_platform.ts";
import { namesFoldIn } from "../name_probe.ts";
import { isSharingViolation } from "../replace_file.ts";
import { isNameTooLong, tooLongReason } from "../name_too_long.ts";
import { shortened } from "../printable.ts";
import {
  ADD,
  cachePath,
  LOCK,
  LOCK_CHECK,
  LS_REMOTE,
  PREFILL,
  removeCopy,
  RESOLVE_PATH,
  SYNC,
  UPDATE,
  updatePath,
  VERSIONS,
} from "../command_words.ts";
import {
  checkOptions,
  checkPathArgument,
  checkRequiredOptions,
  describeValue,
  type OptionNames,
} from "../options_check.ts";

// Publishing is the only user of version arithmetic (and its `semver`
// dependency); loading it lazily keeps `vc path` and other reads lean.
const loadNextVersion = async () => (await import("./version_bump.ts")).nextVersion;

/** Options for {@linkcode VersionedCache}. */
export interface VersionedCacheOptions {
  /** Path of the manifest file (JSON, `"/path": "MAJOR.MINOR.PATCH"`). */
  manifest: string;
  /**
   * Where versions live: `s3://name[/prefix]`, a bare bucket name (`my-assets`
   * means `s3://my-assets`, as in baiji-pod), `file:///dir`, or a directory
   * path with a `/` (`./assets`). Malformed values throw `InvalidInputError`.
   */
  bucket: string;
  /**
   * The asset cache to download through. Default: a new one (closed by
   * {@linkcode VersionedCache.close}), whose warnings (a cached copy served
   * while its store is unreachable, a cache dir without file locks) are
   * `console.warn` lines: give one with `onWarning` to take them.
   */
  cache?: AssetCache | undefined;
  /**
   * Store options for the default asset cache and for listing and
   * publishing. Default: with a `cache` given (and no `openStore`), the
   * store settings of that cache (its `store`, `env` or `openStore`).
   */
  store?: StoreOptions | undefined;
  /**
   * Opens the store for a root URI (tests, custom backends). Default: with a
   * `cache` given (and no `store`), that cache's own `openStore` if it has
   * one, else `openStore`. The stores it returns stay the caller's: `close()`
   * does not close them.
   */
  openStore?: ((rootUri: string) => Promise<ObjectStore>) | undefined;
  /**
   * Reads and parses the manifest file for lookups (tests count reads through
   * it). Called again only when the file's size, mtime or inode changed.
   * Publishing reads the manifest itself (once per command; see
   * `readManifestSnapshot`). Default: `readManifest`.
   */
  readManifest?: ((file: string) => Promise<ManifestEntries>) | undefined;
  /**
   * The integrity lock file (`path@version` → size and SHA-256). Default:
   * the `VC_LOCK` environment variable, else beside the manifest,
   * `versioned_assets.lock.json` for `versioned_assets.json`; `false`: no
   * lock file at all.
   */
  lock?: string | false | undefined;
  /**
   * Refuse manifest entries without a lock entry (and overrides), and refuse
   * to change the lock file (`add`, `update`, `lock`): for CI. Default: the
   * `VC_FROZEN` environment variable (`1`/`0`, `true`/`false`, ...), else off.
   */
  frozen?: boolean | undefined;
}

// The option names the constructor takes (a misspelt one is refused, not ignored).
const VERSIONED_CACHE_OPTIONS: OptionNames<VersionedCacheOptions> = {
  manifest: true,
  bucket: true,
  cache: true,
  store: true,
  openStore: true,
  readManifest: true,
  lock: true,
  frozen: true,
};

/** Options for {@linkcode VersionedCache.add}. */
export interface VersionedAddOptions {
  /** The first version to publish. Default `1.0.0`. */
  version?: string | undefined;
  /**
   * Upload progress: `bytes` 0 as the upload starts, then the bytes stored
   * so far (a multipart upload's as its parts are stored).
   */
  onProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Progress of the hashing of the file before its upload (seconds a GB,
   * before the first byte goes up): called at its start and as it reads.
   */
  onHashProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Progress of the check after a multipart upload, which reads the file
   * again (seconds a GB, after the upload's bytes all went up): called at
   * its start and as it reads. Not called when the stored ETag settles it.
   */
  onCheckProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Progress of the listing of the path's versions, before anything is
   * hashed or uploaded (one request per 1000 keys under the path's name:
   * seconds for a path with tens of thousands of versions): as
   * {@linkcode VersionedListOptions.onProgress}.
   */
  onListProgress?: ((progress: { listed: number }) => void) | undefined;
  /** Cancels hashing and the upload (a multipart upload is aborted); nothing is published. */
  signal?: AbortSignal | undefined;
  /**
   * Called with what the bucket holds that the user should know of (see
   * {@linkcode VersionedListOptions.onWarning}), and with each multipart
   * upload of the path's versions, left open a day or more ago by a publish
   * stopped midway (`kill -9`), that this one aborted (or could not); and
   * once, after the upload, when the pin waits for the manifest's lock that
   * another process holds, that one told `kind: "wait"` too (a progress
   * display shows the wait). Default: `console.warn`.
   */
  onWarning?: ((warning: { key: string; message: string; kind?: "wait" }) => void) | undefined;
}

/** Options for {@linkcode VersionedCache.update}. */
export interface VersionedUpdateOptions {
  /**
   * Upload progress: `bytes` 0 as the upload starts, then the bytes stored
   * so far (a multipart upload's as its parts are stored).
   */
  onProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Progress of the hashing of the file before its upload (seconds a GB,
   * before the first byte goes up): called at its start and as it reads.
   */
  onHashProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Progress of the check after a multipart upload, which reads the file
   * again (seconds a GB, after the upload's bytes all went up): called at
   * its start and as it reads. Not called when the stored ETag settles it.
   */
  onCheckProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /** As {@linkcode VersionedAddOptions.onListProgress}. */
  onListProgress?: ((progress: { listed: number }) => void) | undefined;
  /** Cancels hashing and the upload (a multipart upload is aborted); nothing is published. */
  signal?: AbortSignal | undefined;
  /** Publish even when the file is identical to the latest version (refused otherwise). */
  force?: boolean | undefined;
  /** As {@linkcode VersionedAddOptions.onWarning}. */
  onWarning?: ((warning: { key: string; message: string; kind?: "wait" }) => void) | undefined;
}

/** Options for {@linkcode VersionedCache.path}. */
export interface VersionedPathOptions {
  /** Download progress. */
  onProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /** Aborts the download. */
  signal?: AbortSignal | undefined;
  /**
   * Told when the copy returned is one the store could not confirm (an
   * `s3://` override revalidated with the store unreachable), as
   * `CacheGetOptions.onStale`; pinned versions never change, so are never stale.
   */
  onStale?: ((stale: StaleCopy) => void) | undefined;
}

/** Options for {@linkcode VersionedCache.sync}. */
export interface VersionedSyncOptions {
  /**
   * Called once at the start (`done: 0`), as bytes arrive (`bytes`: downloaded
   * so far by this sync), while an entry's cached copy is checked against
   * its record and copied to DEST (`step`: how far, for the entry `current`;
   * each reads the whole file, seconds a GB) and after each entry is copied
   * (or failed).
   */
  onProgress?: (
    progress: {
      done: number;
      total: number;
      bytes?: number;
      current?: string;
      step?: VersionedEntryStep;
    },
  ) => void;
  /**
   * Stops the sync: downloads in flight are aborted, and the sync rejects with
   * a `SyncInterruptedError` (its `cause` the reason, its `report` the
   * entries copied and failed before the stop).
   */
  signal?: AbortSignal | undefined;
  /**
   * Replace a file in DEST that changed since a sync wrote it, or that no
   * sync wrote and holds other bytes (else that entry fails with a
   * `PreconditionFailedError` naming it, and the file is left as it is).
   */
  force?: boolean | undefined;
  /**
   * Told of a wait for another sync into the same DEST, with `kind: "wait"`
   * (default: `console.warn`).
   */
  onWarning?: ((warning: { message: string; kind?: "wait" }) => void) | undefined;
  /**
   * Decide every entry as a sync would, and change nothing: no file in DEST
   * (nor DEST itself, nor its `.vc-sync.json` records or lock), nothing
   * downloaded into the cache, nothing in the bucket. The report lists what
   * a sync would copy (`copied`, each with `download: true` when not cached
   * yet), leave `unchanged` or fail, and `bytes` it would write to DEST. A
   * version not cached is asked of the bucket (a HEAD); a file in DEST is
   * compared with it by its ETag or `vc-md5` (or the lock file's SHA-256).
   */
  dryRun?: boolean | undefined;
}

/**
 * How far `sync`, `verify` or `fillLock` is in reading one entry's copy
 * (each read takes seconds a GB).
 */
export interface VersionedEntryStep {
  /**
   * `downloading`: the entry is downloaded into the cache (`sync` only);
   * `checking`: the cached copy is read to check it; `copying`: it is copied
   * to DEST; `hashing`: its SHA-256 is taken for the lock file (`fillLock`),
   * or the copy in DEST for the sync's records (`syncSettled`).
   */
  name: "downloading" | "checking" | "copying" | "hashing";
  /** Bytes downloaded, read (checking) or written (copying) so far. */
  bytes: number;
  /** The copy's size. */
  total: number;
}

// The option names of each method (a misspelt one is refused, not ignored).
const PATH_OPTIONS: OptionNames<VersionedPathOptions> = {
  onProgress: true,
  signal: true,
  onStale: true,
};
const ADD_OPTIONS: OptionNames<VersionedAddOptions> = {
  version: true,
  onProgress: true,
  onHashProgress: true,
  onCheckProgress: true,
  onListProgress: true,
  signal: true,
  onWarning: true,
};
const UPDATE_OPTIONS: OptionNames<VersionedUpdateOptions> = {
  onProgress: true,
  onHashProgress: true,
  onCheckProgress: true,
  onListProgress: true,
  signal: true,
  force: true,
  onWarning: true,
};
const SYNC_OPTIONS: OptionNames<VersionedSyncOptions> = {
  onProgress: true,
  signal: true,
  force: true,
  onWarning: true,
  dryRun: true,
};
const SIGNAL_OPTION: OptionNames<{ signal?: AbortSignal }> = { signal: true };
const LIST_OPTIONS: OptionNames<VersionedListOptions> = {
  signal: true,
  onWarning: true,
  onProgress: true,
};

/** Options for {@linkcode VersionedCache.adopt}. */
export interface VersionedAdoptOptions {
  /** Find and check the keys, copy none: each version it would copy is `planned`. */
  dryRun?: boolean | undefined;
  /** Stops the listing and the copies. */
  signal?: AbortSignal | undefined;
  /**
   * Called at the start (`listed: 0`) and for each bucket key listed, as
   * {@linkcode VersionedListOptions.onProgress} is: the bucket's whole listing
   * is read, minutes for one of millions of keys. Then, once a path's
   * versions are adopted, with how many paths are (`adopted`) of how many
   * (`paths`): a few requests a version, minutes for thousands of paths.
   */
  onProgress?:
    | ((progress: { listed: number; adopted?: number; paths?: number }) => void)
    | undefined;
}

const ADOPT_OPTIONS: OptionNames<VersionedAdoptOptions> = {
  dryRun: true,
  signal: true,
  onProgress: true,
};

/** Options for {@linkcode VersionedCache.versions} and {@linkcode VersionedCache.lsRemote}. */
export interface VersionedListOptions {
  /** Stops the listing. */
  signal?: AbortSignal | undefined;
  /**
   * Called with each bucket key that is left out: one shaped as a version
   * whose version has a part past 2^53 − 1 (`x.1.0.99999999999999999999.csv`),
   * which vc cannot order (`add` and `update` of its path refuse it).
   * Default: `console.warn`.
   */
  onWarning?: ((warning: { key: string; message: string }) => void) | undefined;
  /**
   * Called at the start (`listed: 0`) and for each bucket key listed, with
   * how many have been so far (versions or not): a listing takes one request
   * per 1000 keys, minutes for `lsRemote` of a bucket of millions.
   */
  onProgress?: ((progress: { listed: number }) => void) | undefined;
}

/** Counts listed keys for `onProgress`, reporting 0 at once. */
function listedCounter(
  onProgress: VersionedListOptions["onProgress"],
): (() => void) | undefined {
  if (onProgress === undefined) return undefined;
  let listed = 0;
  onProgress({ listed });
  return () => onProgress({ listed: ++listed });
}

/**
 * One warning for the keys a listing passed over as leftovers of a version
 * (`x.1.5.0.csv.bak`, see `leftoverVersionedKey`), of `path` or (without one)
 * of any path; none for none.
 */
function warnLeftovers(
  keys: readonly string[],
  path: string | undefined,
  onWarning: VersionedListOptions["onWarning"],
): void {
  if (keys.length === 0) return;
  (onWarning ?? consoleWarning)({ key: keys[0]!, message: leftoverKeysMessage(keys, path) });
}

/** Warns when a key vc does not list orders above the version being published. */
function warnForeignAbove(
  path: string,
  version: string,
  foreign: ReadonlyArray<ForeignVersion & { key: string }>,
  onWarning: VersionedListOptions["onWarning"],
): void {
  const warning = foreignAboveMessage(path, version, foreign);
  if (warning !== undefined) (onWarning ?? consoleWarning)(warning);
}
const VERIFY_OPTIONS: OptionNames<VersionedVerifyOptions> = { onProgress: true, signal: true };

/** Options for {@linkcode VersionedCache.verify}. */
export interface VersionedVerifyOptions {
  /** Stops the check. */
  signal?: AbortSignal;
  /**
   * Called at the start, while an entry's cached copy is read to check it
   * (`step`: how far, for the entry `current`; a check that reads it again
   * starts again from 0) and after each entry is checked.
   */
  onProgress?: (
    progress: { done: number; total: number; current?: string; step?: VersionedEntryStep },
  ) => void;
}

/** What {@linkcode VersionedCache.syncSettled} did. */
export interface VersionedSyncReport {
  /** The destination directory, absolute. */
  dest: string;
  /** Manifest entries attempted. */
  total: number;
  /**
   * Entries copied, and where to (a dry run: those it would copy, `download`
   * when the copy is not cached yet).
   */
  copied: Array<{ path: string; dest: string; download?: true }>;
  /**
   * Entries not copied because DEST's file already held them: still as the
   * last sync wrote it (size, modification and change time as recorded in
   * `DEST/.vc-sync.json`, not read), of the bytes pinned now. With `force`,
   * none.
   */
  unchanged: Array<{ path: string; dest: string }>;
  /** Entries that could not be copied, each with its error. */
  failed: Array<{ path: string; error: unknown }>;
  /**
   * Bytes this sync wrote to DEST: the sizes of the `copied` files (as a
   * prefill's `bytes` are those it downloaded, a mirror's those it moved).
   */
  bytes: number;
  /** How long the sync took, in seconds (whole milliseconds, as a prefill's and a mirror's). */
  seconds: number;
  /** Set by a dry run (the `dryRun` option): nothing was changed. */
  dryRun?: true;
}

/** What {@linkcode VersionedCache.update} published. */
export interface VersionedUpdateResult {
  /** The versioned path, with a leading `/`. */
  path: string;
  /**
   * The version the update built on: the latest release in the bucket before
   * it (a pre-release is built on only when the manifest pins it above that,
   * or the bucket holds no release).
   */
  from: string;
  /** The version published and written to the manifest. */
  to: string;
  /**
   * What the manifest held for the path before, when that is not `from`
   * (an older pin, or an override): an update bumps the bucket's latest, so
   * a pin two majors behind moves past every version between.
   */
  pinned?: string;
  /**
   * True when nothing was uploaded: the bucket's latest version (`from`,
   * equal to `to`) already held the file and the manifest did not pin it (an
   * update whose manifest write never happened, e.g. killed), so it was
   * pinned.
   */
  adopted?: true;
}

/** Where a versioned path (at a version) is read from. */
export interface VersionedAsset {
  /** The versioned path, with a leading `/`. */
  path: string;
  /** A store URI, or an absolute local path for a local override. */
  uri: string;
  /** The pinned version; absent for overrides. */
  version?: string;
  /**
   * For a version in an `s3://` bucket: the URI of the same version under the
   * key with a leading `/` (`s3://b//foo/bar.1.2.5.csv`), which other tools
   * may have written. Read only when `uri` does not exist (see `slash_keys.ts`).
   */
  slashedUri?: string;
  /**
   * For a version in a directory bucket: the bucket's root URI, to read the
   * version as the bucket's store has it (`CacheGetOptions.storeRoot`: a
   * symbolic link at its key is no version, as `versions` and `verify` say).
   */
  storeRoot?: string;
  /** True for versioned objects, which never change once published. */
  immutable: boolean;
  /** The content the integrity lock file pins for this version, if it has an entry. */
  integrity?: DownloadIntegrity;
}

/** One result of {@linkcode VersionedCache.verify}. */
export interface VersionedVerifyResult {
  /** The versioned path. */
  path: string;
  /** The manifest value: a version or an override. */
  version: string;
  /**
   * True when the remote object exists and the cached copy, if any, matches
   * it; offline, when the cached copy has the locked content (see `cached`).
   */
  ok: boolean;
  /** What is wrong, when not ok. */
  problem?: string;
  /**
   * The kind of the error that kept this entry from being checked (a store
   * that failed after its retries, refused access or could not be reached),
   * as `vc sync --json` names a failure: a CI job can tell a store to retry
   * from content to fix. Absent for a problem the check found.
   */
  errorName?: ErrorKind;
  /** True when the lock file pins this entry's content. */
  locked: boolean;
  /**
   * For a locked entry found ok: what was compared with its lock entry.
   * `"sha256"`: the cached copy was hashed (and compared with the store's
   * object); `"size"`: nothing is cached, so only the size the store states
   * was compared (verify downloads nothing; `vc lock --check` /
   * `checkLock()` download and hash the store's content).
   */
  lockChecked?: "sha256" | "size";
  /**
   * Offline only (no store is asked): what the cached copy of a pinned
   * version was found to be against the lock file. `"ok"`: it has the
   * locked size and SHA-256; `"missing"`: nothing is cached, so `path()`
   * cannot read it offline; `"corrupt"`: it is not the locked content;
   * `"unchecked"`: it is cached but the lock file pins nothing to compare it
   * with. Only `"ok"` is `ok`.
   */
  cached?: "ok" | "missing" | "corrupt" | "unchecked";
}

// Enough parallelism to hide per-object latency without flooding a store.
const PARALLEL = 8;

// The callbacks of `add` and `update`, which a throw or rejection of stops
// (see `withCallbackGuard`).
const PUBLISH_CALLBACKS = [
  "onProgress",
  "onHashProgress",
  "onCheckProgress",
  "onListProgress",
  "onWarning",
] as const;

// `vc.path("a.csv", { signal })`, as calls that take (x, options) are
// written: the options were read as a version ("{"signal":{}} is not a
// version"), and the signal never seen.
function checkVersionArgument(call: string, version: unknown, optionsThird = false): void {
  if (version === undefined || typeof version === "string") return;
  throw new InvalidInputError(
    `VersionedCache.${call}(): the version must be a string, got ${describeValue(version)}${
      optionsThird && typeof version === "object" && version !== null
        ? `; options go third: ${call}(path, undefined, { ... })`
        : ""
    }`,
  );
}

// Set by VersionedCache's static block (it reaches the private #calls).
let holdCalls: (vc: VersionedCache) => Disposable;

/**
 * Counts a run that uses `vc` throughout (`prefill`) as one of its calls
 * until the handle is disposed: its missing versions' hints then share the
 * directory listings, as a `sync`'s entries do (one LIST of a directory for
 * all its missing entries, not one each), and `close()` waits for it. An
 * object of another kind is held by nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { usedThroughout, VersionedCache } from "./versioned_cache.ts";
 * const vc = new VersionedCache({ manifest: "m.json", bucket: "file:///tmp/b" });
 * {
 *   using run = usedThroughout(vc);
 *   assert.equal(typeof run[Symbol.dispose], "function");
 *   // The calls here share their missing versions' directory listings.
 * }
 * await vc.close();
 * ```
 */
export function usedThroughout(vc: VersionedCache): Disposable {
  return holdCalls(vc);
}

/**
 * Versioned assets pinned by a manifest, stored in a bucket, read through an
 * {@linkcode AssetCache}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionedCache } from "./versioned_cache.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const data = `${dir}/greeting.txt`;
 *   await Deno.writeTextFile(data, "hello");
 *   const vc = new VersionedCache({
 *     manifest: `${dir}/manifest.json`,
 *     bucket: `${dir}/bucket`,
 *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
 *   });
 *   try {
 *     assert(await vc.add("/demo/greeting.txt", data) === "1.0.0");
 *     const local = await vc.path("/demo/greeting.txt");
 *     assert(await Deno.readTextFile(local) === "hello");
 *     await Deno.writeTextFile(data, "hello again");
 *     const { to } = await vc.update("/demo/greeting.txt", data, { minor: true });
 *     assert(to === "1.1.0");
 *     assert((await vc.versions("/demo/greeting.txt")).join() === "1.0.0,1.1.0");
 *   } finally {
 *     await vc.close();
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class VersionedCache {
  /** Absolute path of the manifest file. */
  readonly manifest: string;
  /** Root URI of the bucket (`s3://name/prefix` or `file:///dir`). */
  readonly bucket: string;
  readonly #cache: AssetCache;
  readonly #ownsCache: boolean;
  /** Whether the stores come from the default opener (else the caller's, never closed here). */
  readonly #ownsStores: boolean;
  // Calls in progress, for close() to wait for.
  // The directories the letter-case hint of a missing version read, shared
  // by the entries of the calls running (a `sync` of many missing entries
  // lists a directory once, not once per entry); dropped once none runs.
  #caseTwinDirs = new Map<string, Promise<readonly string[]>>();
  #calls = new CallsInProgress(() => this.#caseTwinDirs.clear());
  static {
    // One of another kind (prefill takes any with a `resolveEach`) holds nothing.
    holdCalls = (vc) => #calls in vc ? vc.#calls.hold() : { [Symbol.dispose]() {} };
  }
  readonly #open: (rootUri: string) => Promise<ObjectStore>;
  readonly #stores = new Map<string, Promise<ObjectStore>>();
  readonly #readManifest: (file: string) => Promise<ManifestEntries>;
  /** Absolute path of the integrity lock file; undefined when disabled. */
  readonly lockFile: string | undefined;
  /** Whether unlocked entries and lock changes are refused. */
  readonly frozen: boolean;
  /**
   * The download tuning of its asset cache ({@linkcode AssetCache.download}),
   * for the downloads made beside the cache (the lock file's checks).
   */
  readonly download: AssetCache["download"];
  #lockParsed: { identity: string; entries: Promise<LockEntries | undefined> } | undefined;
  // The last parsed manifest and the stat identity it was read at. A promise,
  // so concurrent lookups (prefill resolves hundreds at once) share one read.
  #parsed: { identity: string; entries: Promise<Readonly<ManifestEntries>> } | undefined;

  /** Creates a versioned cache; nothing is read or opened until first use. */
  constructor(options: VersionedCacheOptions) {
    // `cacheDir`, `offline` or `timeout` belong to the AssetCache given as `cache`.
    checkRequiredOptions("VersionedCache", options, VERSIONED_CACHE_OPTIONS, {
      what: "AssetCache (pass one as the option cache)",
      known: ASSET_CACHE_OPTIONS,
    });
    // Read from a file, watched for changes and rewritten by publishing: an
    // object of entries has no place to be written back to.
    if (typeof options.manifest !== "string" || options.manifest.trim() === "") {
      throw new InvalidInputError(
        `VersionedCache: the option manifest must be the manifest file's path, got ${
          describeValue(options.manifest)
        }`,
      );
    }
    // A URI (`file:///repo/m.json`) here is refused as every file path is.
    checkPathArgument("VersionedCache: the option manifest", options.manifest);
    this.manifest = resolve(options.manifest);
    // The bucket a team keeps in its vc.json (or VC_BUCKET) is the commands':
    // a script that counted on it got "bucket must be a bucket, got undefined".
    if (options.bucket === undefined || options.bucket === null) {
      throw new InvalidInputError(
        `VersionedCache: the option bucket is required (a name, s3://NAME[/prefix], file:///dir ` +
          `or a path), got ${describeValue(options.bucket)}; the library reads neither VC_BUCKET ` +
          `nor a project vc.json: resolveSettings({ projectDir }) of jsr:@vc/vc/config gives ` +
          `the bucket a vc command in that directory would use`,
      );
    }
    this.bucket = normalizeBucket(options.bucket, "bucket");
    // Given a cache and no store options of its own, it lists and publishes
    // through the stores that cache reads: a cache made for a test's fake S3
    // (`env: s3.env`) read from it while `add()` went to the shell's endpoint.
    const cacheSource = options.store === undefined && options.openStore === undefined &&
        options.cache !== undefined
      ? cacheStoreSource(options.cache)
      : undefined;
    const store = options.store ?? cacheSource?.options;
    const opener = checkedOpener("VersionedCache", options.openStore) ?? cacheSource?.open;
    this.#ownsStores = opener === undefined;
    this.#open = opener ??
      (async (root) => (await import("../store/open.ts")).openStore(root, store));
    this.#readManifest = options.readManifest ?? ((file) => readManifest(file));
    // `lock: 5` was a bare TypeError from resolve(), `frozen: "false"` truthy.
    const lock: unknown = options.lock;
    if (lock !== undefined && lock !== false && (typeof lock !== "string" || lock.trim() === "")) {
      throw new InvalidInputError(
        `VersionedCache: the option lock must be the lock file's path or false, got ${
          describeValue(lock)
        }`,
      );
    }
    if (typeof lock === "string") checkPathArgument("VersionedCache: the option lock", lock);
    const frozen: unknown = options.frozen;
    if (frozen !== undefined && typeof frozen !== "boolean") {
      throw new InvalidInputError(
        `VersionedCache: the option frozen must be true or false, got ${describeValue(frozen)}`,
      );
    }
    this.lockFile = options.lock === false
      ? undefined
      : resolve(options.lock ?? environmentLocalPath("VC_LOCK") ?? defaultLockFile(this.manifest));
    // The lock file written over the manifest (or over the file whose flock
    // guards both) would destroy it: refuse before anything runs.
    const manifest = this.manifest;
    if (this.lockFile === manifest || this.lockFile === manifestLockPath(manifest)) {
      throw new InvalidInputError(
        `lock file ${this.lockFile} is ${
          this.lockFile === manifest ? "the manifest itself" : "the manifest's lock guard"
        }; give the lock file its own name (default: ${defaultLockFile(manifest)})`,
      );
    }
    // As for `vc` (flag, then environment): a CI job that sets VC_FROZEN=1
    // means the tests and scripts it runs too.
    const frozenEnv = readDenoEnv("VC_FROZEN");
    this.frozen = options.frozen ??
      (frozenEnv !== undefined && frozenEnv !== "" && parseBoolean(frozenEnv, "VC_FROZEN"));
    // Checked here, not at the first download, which would fail far from it.
    if (
      options.cache !== undefined &&
      typeof (options.cache as { cache?: unknown } | null)?.cache !== "function"
    ) {
      throw new InvalidInputError(
        `VersionedCache: the option cache must be an AssetCache, got ${
          describeValue(options.cache)
        }`,
      );
    }
    if (options.cache) {
      this.#cache = options.cache;
      this.#ownsCache = false;
    } else {
      this.#cache = new AssetCache({
        ...(options.store ? { store: options.store } : {}),
        ...(options.openStore ? { openStore: options.openStore } : {}),
      });
      this.#ownsCache = true;
    }
    this.download = this.#cache.download;
  }

  /**
   * Where `path` is read from: at `version`, or else at the manifest's version
   * or override. Throws `NotFoundError` (with close matches) for a path that is
   * not in the manifest.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const vc = new VersionedCache({ manifest: "m.json", bucket: "s3://assets" });
   * const r = await vc.resolve("/foo/bar.csv", "1.2.5");
   * assert(r.uri === "s3://assets/foo/bar.1.2.5.csv" && r.immutable);
   * await vc.close();
   * ```
   */
  async resolve(path: string, version?: string): Promise<VersionedAsset> {
    checkVersionArgument("resolve", version);
    const p = normalizeVersionedPath(path);
    if (version === undefined) {
      // Another entry pinned to a pre-release: this one is still read.
      const entries = await this.#entries().catch((error) => {
        const others = entriesBesideRefusedPins(error, p);
        if (others === undefined) throw error;
        return others;
      });
      const value = entries[p];
      if (value === undefined) throw this.#notInManifest(p, Object.keys(entries));
      return this.#locked(this.#asset(p, value), await this.#lockEntries());
    }
    assertVersion(version, `version of ${p}`);
    return this.#locked(this.#versioned(p, version), await this.#lockEntries());
  }

  /**
   * Where every manifest entry is read from, sorted by path, from one read of
   * the manifest (what {@linkcode VersionedCache.resolve} gives for each path).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/b.csv": "1.0.0", "/a.csv": "s3://dev/a.csv"}');
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: "s3://assets" });
   *   const [a, b] = await vc.resolveAll();
   *   assert(a?.uri === "s3://dev/a.csv" && !a.immutable);
   *   assert(b?.uri === "s3://assets/b.1.0.0.csv" && b.version === "1.0.0");
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async resolveAll(): Promise<VersionedAsset[]> {
    return (await this.resolveEach()).map((r) => {
      if ("error" in r) throw r.error;
      return r;
    });
  }

  /**
   * {@linkcode VersionedCache.resolveAll}, entry by entry: an entry that
   * cannot be resolved (unlocked under `frozen`, say) is `{ path, error }`
   * in its place, so the others still can be fetched (a prefill reports it
   * and goes on). A manifest or lock file that cannot be read still throws.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/b.csv": "1.0.0", "/a.csv": "1.0.0"}');
   *   const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
   *   await Deno.writeTextFile(
   *     `${dir}/m.lock.json`,
   *     JSON.stringify({ "/a.csv@1.0.0": { size: 4, sha256 } }),
   *   );
   *   const vc = new VersionedCache({
   *     manifest: `${dir}/m.json`,
   *     bucket: "s3://assets",
   *     lock: `${dir}/m.lock.json`,
   *     frozen: true,
   *   });
   *   const [a, b] = await vc.resolveEach();
   *   assert(a !== undefined && "uri" in a && a.uri === "s3://assets/a.1.0.0.csv"); // locked
   *   assert(b !== undefined && "error" in b && b.path === "/b.csv"); // frozen refuses it alone
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async resolveEach(): Promise<Array<VersionedAsset | { path: string; error: unknown }>> {
    const entries = await this.#entries();
    const locks = await this.#lockEntries();
    return Object.keys(entries).sort(compareUtf8).map((p) => {
      try {
        return this.#locked(this.#asset(p, entries[p] as string), locks);
      } catch (error) {
        return { path: p, error };
      }
    });
  }

  /**
   * A verified local path of `path` (at `version`, or the manifest's), downloading
   * it into the asset cache when needed. Overrides go through the asset cache as
   * they are (local paths are returned unchanged).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/x.csv`, "a,b\n");
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/dev/x.csv": "./x.csv"}');
   *   const vc = new VersionedCache({
   *     manifest: `${dir}/m.json`,
   *     bucket: `${dir}/bucket`,
   *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
   *   });
   *   assert(await vc.path("dev/x.csv") === `${dir}/x.csv`);
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async path(path: string, version?: string, options: VersionedPathOptions = {}): Promise<string> {
    checkVersionArgument("path", version, true);
    checkOptions("VersionedCache.path()", options, PATH_OPTIONS);
    return await this.#calls.track(
      this.resolve(path, version).then((a) => this.#pathOf(a, options)),
    );
  }

  /**
   * {@linkcode VersionedCache.path} of an asset already resolved by
   * {@linkcode VersionedCache.resolve}: the path of exactly the object that
   * resolution chose, so `asset.version` names the bytes served even when
   * the manifest is changed meanwhile (`vc path --json` reports it).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/x.csv`, "a,b\n");
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/x.csv": "./x.csv"}');
   *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
   *   const asset = await vc.resolve("/x.csv");
   *   assert.equal(await vc.pathOf(asset), `${dir}/x.csv`);
   *   assert.equal(asset.version, undefined); // an override has none
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async pathOf(asset: VersionedAsset, options: VersionedPathOptions = {}): Promise<string> {
    checkOptions("VersionedCache.pathOf()", options, PATH_OPTIONS);
    return await this.#calls.track(this.#pathOf(asset, options));
  }

  /** {@linkcode VersionedCache.pathOf}, its options checked (a sync resolves each entry once). */
  async #pathOf(asset: VersionedAsset, options: VersionedPathOptions): Promise<string> {
    if (!asset.immutable && parseUri(asset.uri).scheme === "local") {
      await regularFile(asset.uri, `override of ${asset.path} in ${this.manifest}`);
    }
    try {
      // The canonical key, else the `/` key another tool may have written.
      return await cacheVersioned(this.#cache, asset, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onStale ? { onStale: options.onStale } : {}),
      });
    } catch (error) {
      if (error instanceof OfflineError && asset.version !== undefined) {
        throw await this.#offlineMiss(asset, asset.version, error);
      }
      if (!(error instanceof NotFoundError)) throw error;
      // A remote override that is not there is named as the manifest's entry,
      // as a local one is: the URI alone does not say which entry to fix.
      if (asset.version === undefined) {
        throw new NotFoundError(`override of ${asset.path} in ${this.manifest}: ${error.message}`, {
          cause: error,
        });
      }
      throw await this.#missingVersion(asset, asset.version, error);
    }
  }

  // An offline miss of a version, said with its entry, the manifest's pin
  // (read again: `asset` may be of a version given) and the versions cached.
  async #offlineMiss(
    asset: VersionedAsset,
    version: string,
    error: OfflineError,
  ): Promise<OfflineError> {
    const { cachedVersions, offlineMiss } = await import("./offline_pin.ts");
    const pinned = await this.resolve(asset.path).then((a) => a.version, () => undefined);
    return offlineMiss(error, {
      path: asset.path,
      version,
      pinned,
      manifest: this.manifest,
      cached: cachedVersions(this.#cache, asset.uri, asset.path, version),
    });
  }

  /**
   * The URI of the object {@linkcode VersionedCache.path} reads for `path`
   * (at `version`, or the manifest's), without downloading it: the canonical
   * key when it exists, else the key with a leading `/` another tool wrote
   * (`s3://` buckets only; one HEAD, two when the canonical key is missing).
   * A directory bucket and overrides cost no request. Throws `NotFoundError`
   * (as `path` does) when neither key exists. Offline, nothing is asked: the
   * key whose copy is cached, else the canonical key.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const vc = new VersionedCache({ manifest: "m.json", bucket: "file:///srv/assets" });
   * assert.equal(await vc.locate("/a/b.csv", "1.0.0"), "file:///srv/assets/a/b.1.0.0.csv");
   * await vc.close();
   * ```
   */
  async locate(
    path: string,
    version?: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    checkVersionArgument("locate", version, true);
    checkOptions("VersionedCache.locate()", options, SIGNAL_OPTION);
    // A call already aborted fails, also when no store needs asking (as path() does).
    options.signal?.throwIfAborted();
    return await this.#calls.track(this.#locate(path, version, options));
  }

  async #locate(
    path: string,
    version: string | undefined,
    options: { signal?: AbortSignal },
  ): Promise<string> {
    const asset = await this.resolve(path, version);
    const slashed = asset.slashedUri;
    if (slashed === undefined || asset.version === undefined) return asset.uri;
    if (this.#cache.offline) {
      // What `path` would serve offline: a cached copy, the canonical one first.
      const cached = (uri: string) => {
        try {
          return Deno.statSync(this.#cache.localPath(uri)).isFile;
        } catch {
          return false;
        }
      };
      return !cached(asset.uri) && cached(slashed) ? slashed : asset.uri;
    }
    const found = await headVersion(await this.#store(this.bucket), asset.path, asset.version, {
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (found !== undefined) return joinUri(this.bucket, found.key);
    throw await this.#missingVersion(
      asset,
      asset.version,
      new NotFoundError(`${asset.uri} does not exist`),
    );
  }

  /**
   * The `NotFoundError` {@linkcode VersionedCache.path} throws when the
   * version of `asset` (from {@linkcode VersionedCache.resolve} or
   * {@linkcode VersionedCache.resolveEach}) is in neither of its keys: it
   * names the version and lists the versions there are (one LIST). For a
   * caller that downloads resolved assets itself (`prefill`), so a missing
   * version reads the same there. `cause` (the download's own `NotFoundError`)
   * is returned as it is for an asset without a version (an override).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * import { NotFoundError } from "../errors.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/bucket`);
   *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a\n");
   *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
   *   const asset = await vc.resolve("/a.csv", "9.9.9");
   *   const error = await vc.missingVersionError(asset, new NotFoundError(`${asset.uri} does not exist`));
   *   assert.match(error.message, /^version 9\.9\.9 of \/a\.csv does not exist .*available: 1\.0\.0$/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async missingVersionError(asset: VersionedAsset, cause: NotFoundError): Promise<NotFoundError> {
    // Tracked: its LISTs use the stores close() closes.
    return asset.version === undefined
      ? cause
      : await this.#calls.track(this.#missingVersion(asset, asset.version, cause));
  }

  /** `NotFoundError` for a version neither key holds, listing the versions there are. */
  async #missingVersion(
    asset: VersionedAsset,
    version: string,
    cause: NotFoundError,
  ): Promise<NotFoundError> {
    const where = asset.slashedUri === undefined
      ? asset.uri
      : `${asset.uri}, nor ${asset.slashedUri}`;
    return new NotFoundError(
      `version ${version} of ${asset.path} does not exist (${where})${await this.#whyMissing(
        asset.path,
        version,
        asset.uri,
      )}`,
      { cause },
    );
  }

  /**
   * Where S3 versioning keeps the bytes of `path` `version` (at `uri`), gone
   * from an `s3://` bucket: what the key's ListObjectVersions tells
   * ({@linkcode keptVersionHint}: the delete marker to delete by its id, or
   * that no bytes remain), else how to look ({@linkcode noncurrentHint}).
   * One request, on this failure only.
   */
  async #noncurrentHint(path: string, version: string, uri: string): Promise<string> {
    const parsed = parseUri(uri);
    if (parsed.scheme !== "s3") return "";
    try {
      const store = await this.#store(this.bucket);
      if (store.keyVersions === undefined) return noncurrentHint(uri);
      const { keptVersionHint } = await import("./version_history.ts");
      const entries = await store.keyVersions(publishedKey(path, version), { limit: 100 });
      return keptVersionHint({ bucket: parsed.bucket, key: parsed.key }, entries) ??
        noncurrentHint(uri);
    } catch {
      // Refused (no s3:ListBucketVersions), unanswered: the aws CLI's way to look.
      return noncurrentHint(uri);
    }
  }

  /**
   * What a LIST says about a missing version: the versions there are, or that
   * the bucket itself does not exist (a mistyped --bucket), which a HEAD's
   * 404 cannot tell apart from a missing object; and the key that holds
   * `version` spelled as vc does not read it, if one does; for a version
   * that likely existed once (pinned, or below the latest, with others
   * there) in an `s3://` bucket, where a versioned bucket keeps its bytes
   * (`uri`, its key).
   */
  async #whyMissing(path: string, version: string, uri: string): Promise<string> {
    return `${await nonObjectAtKey(uri, versionedKey(path, version))}${await this
      .#whyMissingFromList(path, version, uri)}`;
  }

  /** {@linkcode VersionedCache.#whyMissing} as the listing tells it. */
  async #whyMissingFromList(path: string, version: string, uri: string): Promise<string> {
    try {
      // Warnings of odd keys belong to `vc versions`, not to this error,
      // unless one of them is the version asked for.
      const odd: string[] = [];
      const started: string[] = [];
      const available = await this.#listVersions(path, { onWarning: () => {} }, started, odd);
      const spelled = otherSpellingOfVersion(path, version, odd) ??
        renamedVersionHint(path, version, started);
      const also = spelled === undefined ? "" : `; ${spelled}`;
      const latest = available.at(-1);
      // The lock file has an entry for it: it was published.
      const locked = async () =>
        (await this.#lockEntries().catch(() => undefined))?.[`${path}@${version}`] !== undefined;
      if (latest !== undefined) {
        // Pinned by the manifest, locked (published: the latest, deleted,
        // is above every version left), or below the latest, in a bucket
        // with other versions of it (not a wrong bucket): it likely existed once.
        const pinned = (await this.#entries().catch(() => ({} as ManifestEntries)))[path];
        const gone = pinned === version || compareVersions(version, latest) < 0 ||
            await locked()
          ? await this.#noncurrentHint(path, version, uri)
          : "";
        // Kept under another tool's name (a bucket migrated to vc one
        // version at a time): the copy that adopts it.
        const adopt = spelled === undefined
          ? await this.#versionNamedOtherwise(path, await this.#listedBucket(), version)
          : "";
        return `; available: ${availableVersions(available, version)}${also}${
          versionInOtherCase(available, version)
        }${adopt}${gone}`;
      }
      if (spelled !== undefined) return `; ${this.bucket} has no versions of it${also}`;
      // Typed in another Unicode spelling (another OS's keyboard or file
      // name): the two print alike, so "no versions of /café.csv" read as
      // wrong beside `vc ls`. One more LIST, on this failure only.
      const store = await this.#listedBucket();
      const twin = await this.#twinVersions(path, store);
      if (twin !== undefined) {
        return `; ${this.bucket} has no versions of it (${escapedUnicode(path)}), but ${
          escapedUnicode(twin.path)
        }, which looks the same (Unicode ${spellingDifference(path, twin.path)}), has ${
          availableVersions(twin.versions)
        }: use that spelling`;
      }
      // In another letter case (a bucket filled from a file named `Table.csv`),
      // or in another tool's naming (`table-1.0.0.csv`, a bucket being
      // migrated to vc). One more LIST, on this failure only.
      const otherwise = await this.#namedOtherwise(path, store, undefined, version);
      if (otherwise === "") {
        // Pinned, yet no version left: another bucket, or every version
        // deleted (`aws s3 rm --recursive`, a lifecycle rule expiring them),
        // which S3 versioning keeps as noncurrent versions.
        const entries = await this.#entries().catch(() => ({} as ManifestEntries));
        const pinned = entries[path] === version || await locked();
        // Not the manifest's either: a typo of one of its paths, named as
        // without a version (the manifest is optional here: none, no guess).
        const known = Object.keys(entries);
        const gone = pinned ? await this.#noncurrentHint(path, version, uri) : "";
        return `; ${this.bucket} has no versions of it${gone}${
          Object.hasOwn(entries, path) ? "" : didYouMean(path, known)
        }`;
      }
      return `; ${this.bucket} has no versions of it${otherwise}`;
    } catch (error) {
      return error instanceof NotFoundError ? `; ${error.message}` : "";
    }
  }

  /**
   * Why normalized `p` has no versions, when one listing of its directory
   * in `store` tells: a clause for "has no versions in BUCKET" naming its
   * letter-case twin, or the keys that look like its versions in another
   * tool's naming and vc's key for each (the copy named is of `version`
   * when one is); `""` when it finds neither.
   */
  async #namedOtherwise(
    p: string,
    store: ObjectStore,
    signal?: AbortSignal,
    version?: string,
  ): Promise<string> {
    const { namedOtherwise, otherNamingClause } = await import("./case_twin.ts");
    const found = await namedOtherwise(store, p, {
      ...(this.#calls.busy ? { dirs: this.#caseTwinDirs } : {}),
      ...signalOption(signal),
    });
    if (found.caseTwin !== undefined) {
      return `, but ${found.caseTwin.path}, which differs from it only in letter case ` +
        `(bucket keys tell case apart), has ${
          availableVersions(found.caseTwin.versions)
        }: use that spelling`;
    }
    const others = otherNamingClause(p, this.bucket, found.others, version);
    return others === "" ? "" : `, but it ${others}`;
  }

  /**
   * For `version` of normalized `p` missing while `p` has others: the keys
   * of its directory in `store` that look like that version in another
   * tool's naming (a bucket migrated one version at a time), as a clause
   * ("; BUCKET also holds …"), or `""`. One more LIST, on this failure only.
   */
  async #versionNamedOtherwise(p: string, store: ObjectStore, version: string): Promise<string> {
    const { namedOtherwise, otherNamingClause } = await import("./case_twin.ts");
    const found = await namedOtherwise(
      store,
      p,
      this.#calls.busy ? { dirs: this.#caseTwinDirs } : {},
    );
    const same = found.others.filter((o) => o.version === version);
    return same.length === 0
      ? ""
      : `; ${this.bucket} also ${otherNamingClause(p, this.bucket, same, version)}`;
  }

  /**
   * For a message that says `path` has no versions (as
   * {@linkcode VersionedCache.versions} finds none): the clause to add to
   * "PATH has no versions in BUCKET" that says where its versions may be
   * instead, read from one listing of at most 1000 keys of its directory:
   * a path differing from it only in letter case, or keys that look like
   * its versions in another tool's naming (`data/table-1.0.0.csv`,
   * `data/table_v1.1.0.csv`, `data/table.csv.1.2.0`, `data/v1.3.0/table.csv`),
   * each with the key vc reads that version from, and the copy that adopts
   * one. `""` when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/b/d`, { recursive: true });
   *   await Deno.writeTextFile(`${dir}/b/d/t-1.0.0.csv`, "x");
   *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/b` });
   *   assert.match(await vc.noVersionsHint("/d/t.csv"), /d\/t-1\.0\.0\.csv \(1\.0\.0; vc's key d\/t\.1\.0\.0\.csv\)/);
   *   assert.equal(await vc.noVersionsHint("/d/other.csv"), "");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async noVersionsHint(
    path: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<string> {
    const p = normalizeVersionedPath(path);
    return await this.#calls.track(
      (async () => this.#namedOtherwise(p, await this.#listedBucket(), options.signal))(),
    );
  }

  /**
   * Copies, in the bucket, the keys another tool named as versions of each
   * of `paths` (every path the manifest pins a version of, when none given)
   * to the key vc reads that version from: `d/t-1.0.0.csv`,
   * `d/t_v1.1.0.csv`, `d/t.csv.1.2.0`, `d/v1.3.0/t.csv` or `v1.4.0/d/t.csv`
   * (a release folder anywhere above it) to `d/t.1.0.0.csv` and so on, and
   * the keys in a spelling vc does not read (`d/t.v1.4.0.csv`,
   * `d/t.3.0.0.csv/t.csv`) to the key of the version they spell. Never
   * over a key already there; a version held twice with different bytes is
   * left for you to choose (`conflict`). Reads the bucket's whole listing
   * once for all the paths. The manifest is not changed: a pin of an adopted
   * version reads from then on. See `adoptOtherNamings` in `adopt.ts`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/b/v1.2.0/d`, { recursive: true });
   *   await Deno.writeTextFile(`${dir}/b/v1.2.0/d/t.csv`, "x");
   *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/b` });
   *   const [done] = await vc.adopt(["/d/t.csv"]);
   *   assert.deepEqual(done?.versions.map((v) => [v.vcKey, v.status]), [["d/t.1.2.0.csv", "copied"]]);
   *   assert.deepEqual(await vc.versions("/d/t.csv"), ["1.2.0"]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async adopt(
    paths?: readonly string[],
    options: VersionedAdoptOptions = {},
  ): Promise<Array<{ path: string; versions: AdoptedVersion[] }>> {
    checkOptions("VersionedCache.adopt()", options, ADOPT_OPTIONS);
    return await this.#calls.track((async () => {
      const wanted = paths === undefined
        ? Object.entries(await this.#entries()).filter(([, v]) => isVersion(v)).map(([p]) => p)
        : paths.map(normalizeVersionedPath);
      const { adoptOtherNamings } = await import("./adopt.ts");
      const store = await this.#listedBucket();
      const dirs = new Map<string, Promise<readonly string[]>>();
      const onListed = listedCounter(options.onProgress);
      // Several paths at once (each version is a few requests): one at a
      // time, a manifest of thousands of paths took hours. They share the
      // one listing the first call reads.
      const { mapLimit } = await import("../pool.ts");
      const all = [...new Set(wanted)].sort(compareUtf8);
      let listed = 0;
      let adopted = 0;
      return await mapLimit(
        all,
        PARALLEL,
        async (path) => {
          const versions = await adoptOtherNamings(store, path, {
            dirs,
            ...(onListed === undefined ? {} : { onListed: () => (listed++, onListed()) }),
            ...(options.dryRun ? { dryRun: true } : {}),
            ...signalOption(options.signal),
          });
          options.onProgress?.({ listed, adopted: ++adopted, paths: all.length });
          return { path, versions };
        },
        signalOption(options.signal),
      );
    })());
  }

  /**
   * The remote location of `path` (at `version`, or the manifest's): a store URI,
   * or the override as written (local overrides as absolute paths).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const vc = new VersionedCache({ manifest: "m.json", bucket: "s3://assets/pre" });
   * assert(await vc.uri("a/b.tar.gz", "1.2.5") === "s3://assets/pre/a/b.tar.1.2.5.gz");
   * await vc.close();
   * ```
   */
  async uri(path: string, version?: string): Promise<string> {
    checkVersionArgument("uri", version);
    return (await this.resolve(path, version)).uri;
  }

  /**
   * Publishes the first version of a new versioned path (default `1.0.0`) and
   * adds it to the manifest (created when missing); returns the version.
   *
   * Refuses (`InvalidInputError`) a path already in the manifest or already
   * with versions in the bucket; `NotFoundError` when `file` does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/t.csv`, "x\n");
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
   *   assert(await vc.add("/t.csv", `${dir}/t.csv`, { version: "0.1.0" }) === "0.1.0");
   *   assert(await Deno.readTextFile(`${dir}/m.json`) === '{\n    "/t.csv": "0.1.0"\n}\n');
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async add(path: string, file: string, options: VersionedAddOptions = {}): Promise<string> {
    checkOptions("VersionedCache.add()", options, ADD_OPTIONS);
    return await this.#calls.track(withCallbackGuard(
      options,
      PUBLISH_CALLBACKS,
      (guarded) => this.#add(path, file, guarded),
    ));
  }

  async #add(path: string, file: string, options: VersionedAddOptions): Promise<string> {
    const p = checkNewVersionedPath(path);
    checkPathArgument("VersionedCache.add(): the file", file);
    this.#refuseFrozen("add");
    const version = options.version ?? FIRST_VERSION;
    assertVersion(version, `version of ${p}`);
    publishedKey(p, version); // a key that would read as another path's: refused first
    await regularFile(file, `file to publish as ${p}`);
    this.#refuseSpecialFiles(p);
    const read = await this.#readSnapshot();
    const current = read.entries;
    const existing = current[p];
    // An override has no version yet: publishing its first one replaces it
    // (`update` refuses a path without versions and points here).
    if (existing !== undefined && isVersion(existing)) {
      throw alreadyInManifest(p, existing, this.manifest);
    }
    refuseLookalike(p, current, this.manifest);
    refuseFileFolderClash(current, this.manifest, p, version);
    warnCaseTwin(p, version, current, this.manifest, options.onWarning);
    checkManifestRoom(read, this.manifest, p, version);
    if (this.lockFile !== undefined) await checkLockFileRoom(this.lockFile, p, version);
    const key = keyNamedBy(p, Object.keys(current));
    if (key !== undefined) {
      // Said before the upload: the asset it starts cannot be taken back.
      (options.onWarning ?? consoleWarning)({
        key: versionedKey(key.path, key.version),
        message: `${p} names the bucket key of version ${key.version} of ${key.path}, which ` +
          `${this.manifest} has; it is published as an asset of its own ` +
          `(${versionedKey(p, version)}). To publish a new version of ${key.path}, ` +
          `give its path (${updatePath(key.path)})`,
      });
    }
    await this.#warnDanglingManifest(read, p, version, options);
    const store = await this.#store(this.bucket);
    const { published, foreign } = await this.#publishedVersions(p, store, options);
    if (published.length === 0) {
      const twin = await this.#twinVersions(p, store, options.signal);
      if (twin !== undefined) {
        throw new InvalidInputError(
          `${this.#twinFound(p, twin)}; use that spelling (pin one of its versions, or ` +
            `${UPDATE.library} it) rather than start a second asset under a lookalike name`,
        );
      }
      // Its versions in another letter case or another tool's naming (a
      // bucket being migrated to vc): said before the upload, which starts
      // a new asset beside them. Keys `foreign` holds are warned of below.
      const otherwise = foreign.length === 0
        ? await this.#namedOtherwise(p, store, options.signal)
        : "";
      if (otherwise !== "") {
        (options.onWarning ?? consoleWarning)({
          key: versionedKey(p, version),
          message: `${p} has no versions in ${this.bucket}${otherwise}; ${version} is ` +
            `published as its first version`,
        });
      }
    }
    // An `add` of this file that stopped between its upload and the manifest
    // write (kill -9, a lost machine) left exactly this version in the
    // bucket: running it again pins that version instead of refusing.
    if (published.length > 0 && !published.includes(version)) {
      throw alreadyPublished(p, published, this.bucket, this.manifest);
    }
    const { snapshot, digest } = await this.#readyToPublish(file, options);
    if (published.length > 0) {
      if (!(await this.#holdsFile(p, version, file, digest))) {
        throw alreadyPublished(p, published, this.bucket, this.manifest);
      }
      await this.#pin(p, version, digest, read, options);
      return version;
    }
    const retryHint = "pin that version (pull the manifest that pins it), or publish your " +
      `file as a new version with ${UPDATE.library}`;
    await this.#refuseReused(p, version, undefined, undefined, digest, retryHint, options.signal);
    // A version the user names is published as that version or not at all.
    await this.#unusedVersion(p, version, { ...digest, file }, undefined, options);
    // Said once nothing refuses the upload, before it starts: a refused add
    // (another spelling, a version already published) makes no version.
    warnForeignAbove(p, version, foreign, options.onWarning);
    await warnUnsyncableName(p, version, options.onWarning);
    warnBaijiPodReading(p, version, options.onWarning);
    const uploaded = await this.#publish(p, version, snapshot, digest, { ...options, retryHint });
    // Someone may have pinned the path meanwhile in this same manifest; ours
    // exists, so it wins, unless theirs is higher (see refuseDowngrade).
    await this.#pin(p, version, digest, read, options, false, uploaded);
    return version;
  }

  /**
   * Publishes a new version of `path` from `file` and pins it in the manifest.
   * The latest version comes from the bucket (not the manifest, which may be
   * stale); the new one is chosen by `bump` and is always greater.
   *
   * The path need not be in the manifest (it is added), but it must have a
   * version in the bucket; a new path is published with `add`. An override in
   * the manifest is replaced by the new version.
   *
   * When someone else publishes the same version first, throws
   * `PreconditionFailedError` and leaves the manifest unchanged.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/t.csv`, "1\n");
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
   *   await vc.add("/t.csv", `${dir}/t.csv`);
   *   await Deno.writeTextFile(`${dir}/t.csv`, "2\n");
   *   const r = await vc.update("/t.csv", `${dir}/t.csv`, { patch: true });
   *   assert(r.from === "1.0.0" && r.to === "1.0.1");
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async update(
    path: string,
    file: string,
    bump: Bump,
    options: VersionedUpdateOptions = {},
  ): Promise<VersionedUpdateResult> {
    checkOptions("VersionedCache.update()", options, UPDATE_OPTIONS);
    return await this.#calls.track(withCallbackGuard(
      options,
      PUBLISH_CALLBACKS,
      (guarded) => this.#update(path, file, bump, guarded),
    ));
  }

  async #update(
    path: string,
    file: string,
    bump: Bump,
    options: VersionedUpdateOptions,
  ): Promise<VersionedUpdateResult> {
    const p = normalizeVersionedPath(path);
    checkPathArgument("VersionedCache.update(): the file", file);
    this.#refuseFrozen("update");
    await regularFile(file, `file to publish as ${p}`);
    this.#refuseSpecialFiles(p);
    // A missing manifest is started, as `add` starts one, for a path the
    // bucket has versions of (`add` refuses such a path and sends here; a
    // fresh project sharing a team's bucket): checked once they are listed.
    // Not below a project's manifest (run in a subdirectory), which is named.
    const read = await this.#readSnapshot();
    const missingManifest = async () =>
      new NotFoundError(await missingManifestMessage(this.manifest));
    if (read.text === undefined && (await manifestAbove(this.manifest)) !== undefined) {
      throw await missingManifest();
    }
    const entries = read.entries;
    refuseLookalike(p, entries, this.manifest);
    const nextVersion = await loadNextVersion();
    // Validate the bump before any listing, so a typo costs nothing.
    nextVersion(undefined, bump);
    // Listed as `vc versions` lists: a directory bucket that does not exist
    // is a typo in --bucket (only `add` makes one), not a path without versions.
    const bucket = await this.#listedBucket();
    const { published, foreign } = await this.#publishedVersions(p, bucket, options);
    const from = bumpBase(published, entries[p]);
    if (from === undefined && read.text === undefined) throw await missingManifest();
    if (from === undefined) {
      const pinnedVersion = entries[p];
      // The manifest pins a version the bucket does not hold: another bucket
      // than the one it was published to. `vc add` would refuse the pinned
      // path (it is in the manifest), so it is no way out.
      if (pinnedVersion !== undefined && isVersion(pinnedVersion)) {
        const pins =
          `${p} has no versions in ${this.bucket}, yet ${this.manifest} pins ${pinnedVersion}`;
        // Unless the bucket holds it under a name vc does not read (a bucket
        // migrated from another tool): the key and the copy that makes it
        // vc's, as `vc path` of the pin names them.
        const spelled = otherSpellingOfVersion(p, pinnedVersion, foreign.map((f) => f.key));
        if (spelled !== undefined) throw new NotFoundError(`${pins}; ${spelled}`);
        // Other versions of it in such spellings: the same bucket, not yet adopted.
        const others = onlyForeignVersionsClause(p, foreign, true);
        if (others !== undefined) {
          throw new NotFoundError(
            `${p} has no versions in ${this.bucket}${others} (${this.manifest} pins ${pinnedVersion})`,
          );
        }
        const otherwise = await this.#namedOtherwise(p, bucket, options.signal, pinnedVersion);
        if (otherwise !== "") throw new NotFoundError(`${pins}${otherwise}`);
        throw new NotFoundError(
          `${pins}: ` +
            `is this the bucket the manifest was published to? (check the bucket option; ` +
            `${LS_REMOTE.library} lists what the bucket holds)` +
            await this.#noncurrentHint(p, pinnedVersion, await this.uri(p, pinnedVersion)),
        );
      }
      // A bucket key's name where the path goes: `vc add`, which the message
      // below sends to, would start a second asset under that name.
      const key = keyNamedBy(p, Object.keys(entries));
      if (key !== undefined) {
        throw new NotFoundError(
          `${p} has no versions in ${this.bucket}; it names the bucket key of version ` +
            `${key.version} of ${key.path}, which ${this.manifest} has: to publish a new ` +
            `version of it, give its path (${updatePath(key.path)})`,
        );
      }
      const twin = await this.#twinVersions(p, bucket, options.signal);
      if (twin !== undefined) {
        throw new NotFoundError(`${this.#twinFound(p, twin)}; use that spelling`);
      }
      const spelled = onlyForeignVersionsClause(p, foreign) ??
        await this.#namedOtherwise(p, bucket, options.signal);
      if (spelled !== "") {
        throw new NotFoundError(`${p} has no versions in ${this.bucket}${spelled}`);
      }
      const paths = Object.keys(entries);
      throw new NotFoundError(
        `${p} has no versions in ${this.bucket}; publish its first version with ${ADD.library}${
          paths.includes(p) ? "" : didYouMean(p, paths)
        }`,
      );
    }
    // `--version` of the bucket's latest: the same command again after an
    // update stopped between its upload and the manifest write. It
    // converges as a bump does (the latest holding this file is pinned, the
    // same file pinned already is identical); anything else is refused below.
    const again = bump.version === from && !options.force;
    let to = again ? from : this.#nextVersionOf(nextVersion, p, from, bump);
    if (!again) {
      checkManifestRoom(read, this.manifest, p, to);
      refuseFileFolderClash(entries, this.manifest, p, to);
      await this.#warnDanglingManifest(read, p, to, options);
      if (this.lockFile !== undefined) await checkLockFileRoom(this.lockFile, p, to);
    }
    const { snapshot, digest } = await this.#readyToPublish(file, options);
    const pinned = entries[p];
    if (again) {
      if (pinned === from || !(await this.#holdsFile(p, from, file, digest))) {
        if (pinned === from) await this.#refuseIdentical(p, from, file, digest);
        this.#nextVersionOf(nextVersion, p, from, bump);
      }
      checkManifestRoom(read, this.manifest, p, from);
      refuseFileFolderClash(entries, this.manifest, p, from);
      await this.#warnDanglingManifest(read, p, from, options);
      if (this.lockFile !== undefined) await checkLockFileRoom(this.lockFile, p, from);
    }
    if (!options.force) {
      // The bucket's latest already holds this file but the manifest pins
      // something else: an update (or add) that stopped between its upload
      // and the manifest write, or a checkout behind a teammate who
      // published the same file. Pin it; publishing it again would only add
      // a duplicate version.
      if (pinned !== from) {
        if (again || await this.#holdsFile(p, from, file, digest)) {
          await this.#pin(p, from, digest, read, options);
          return pinned === undefined
            ? { path: p, from, to: from, adopted: true }
            : { path: p, from, to: from, pinned, adopted: true };
        }
        // Not identical to the latest, as `#refuseIdentical` would find again
        // at the cost of the same HEADs (and, for a version another tool
        // uploaded in parts, another read of the whole file).
      } else await this.#refuseIdentical(p, from, file, digest);
    }
    // A pre-release asked for by --version may be in the bucket already
    // (above the release built on, so nextVersion let it pass): refused
    // now, unless it holds this file (then the publish below pins it), not
    // met at the upload as "published meanwhile; run update again", which
    // would meet it again.
    if (
      bump.version !== undefined && to !== from && published.includes(to) &&
      !(await this.#holdsFile(p, to, file, digest))
    ) {
      throw new InvalidInputError(
        `cannot publish ${p} ${to}: ${this.bucket} holds ${to} of ${p} already, with other ` +
          `content (versions are never replaced): publish another pre-release, or pin ${to} ` +
          `as it is in ${this.manifest}`,
      );
    }
    const retryHint = "run update again";
    await this.#refuseReused(p, to, pinned, from, digest, retryHint, options.signal);
    // A version deleted from a bucket with S3 versioning is never published
    // again with other bytes (caches elsewhere keep the old ones). A bump
    // (--major/--minor/--patch, --min-version) asks for "the next version",
    // whose number vc chooses anyway (from the bucket's latest): it goes
    // on to the next free one and says so, as refusing would stop every
    // scripted update until someone picked a number by hand. An exact
    // --version is the user's number: refused, naming the free one.
    const step = bump.version !== undefined
      ? undefined
      : (v: string) => nextVersion(v, bump.minVersion !== undefined ? { patch: true } : bump);
    const free = await this.#unusedVersion(p, to, { ...digest, file }, step, options);
    if (free !== to) {
      to = free;
      checkManifestRoom(read, this.manifest, p, to);
      refuseFileFolderClash(entries, this.manifest, p, to);
      if (this.lockFile !== undefined) await checkLockFileRoom(this.lockFile, p, to);
      await this.#refuseReused(p, to, pinned, from, digest, retryHint, options.signal);
    }
    // Said once nothing refuses the upload (a file identical to the latest, a
    // version below the pin, the latest adopted), before it starts: it told
    // of `to` as "vc's latest" also when `to` was never published.
    warnForeignAbove(p, to, foreign, options.onWarning);
    const uploaded = await this.#publish(p, to, snapshot, digest, { ...options, retryHint });
    await this.#pin(p, to, digest, read, options, options.force === true, uploaded);
    return pinned === undefined || pinned === from
      ? { path: p, from, to }
      : { path: p, from, to, pinned };
  }

  /**
   * Every version of exactly `path` in the bucket, ascending: those under the
   * canonical key (`foo/bar.1.2.5.csv`) and those other tools wrote under a
   * key with a leading `/` (`/foo/bar.1.2.5.csv`), each version once. One
   * LIST request per 1000 keys under each of the two name prefixes, made at
   * once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: dir });
   *   assert((await vc.versions("/nothing.csv")).length === 0);
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async versions(
    path: string,
    options: VersionedListOptions = {},
  ): Promise<string[]> {
    checkOptions("VersionedCache.versions()", options, LIST_OPTIONS);
    return await this.#calls.track(withCallbackGuard(
      options,
      ["onProgress", "onWarning"],
      (guarded) => this.#listVersions(path, guarded),
    ));
  }

  /**
   * `versions()`; `started`, when given, also gets each key that starts with
   * the key of a version of `path` and goes on (a leftover, or another path's
   * version such as `x.1.6.0.csv~`), and `odd` each key shaped as a version
   * vc does not read (every key of a folder its warning names by the first),
   * for the error of a missing version.
   */
  async #listVersions(
    path: string,
    options: VersionedListOptions,
    started?: string[],
    odd?: string[],
  ): Promise<string[]> {
    // Stopped already: its reason, not what a look at the bucket would find.
    options.signal?.throwIfAborted();
    const p = normalizeVersionedPath(path);
    const store = await this.#listedBucket();
    const onListed = listedCounter(options.onProgress);
    const leftovers: string[] = [];
    const others: Array<VersionedKey & { key: string }> = [];
    // The keys of a folder named as a version's key, by folder: one warning
    // each (a tree unpacked there may hold thousands).
    const folders = new Map<string, { first: ForeignVersion & { key: string }; more: number }>();
    const warn = options.onWarning ?? consoleWarning;
    const keys = await listVersionKeys(store, p, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onListed === undefined ? {} : { onListed }),
      onOversized: warn,
      onForeign: (found) => {
        odd?.push(found.key);
        if (found.folder === undefined) {
          warn({ key: found.key, message: foreignKeyMessage(found.key, p, found) });
          return;
        }
        // Under the `/` name prefix too: `/d/x.3.0.0.csv/…` is another folder.
        const folder = found.key.startsWith("/") ? `/${found.folder}` : found.folder;
        const seen = folders.get(folder);
        if (seen === undefined) folders.set(folder, { first: found, more: 0 });
        else seen.more++;
      },
      onLeftover: (key) => leftovers.push(key),
      onOtherPathsVersion: (key, as) => others.push({ ...as, key }),
    });
    for (const { first, more } of folders.values()) {
      warn({ key: first.key, message: foreignKeyMessage(first.key, p, first, more) });
    }
    warnLeftovers(leftovers, p, options.onWarning);
    if (others.length > 0) {
      (options.onWarning ?? consoleWarning)({
        key: others[0]!.key,
        message: otherPathsKeysMessage(others, p),
      });
    }
    started?.push(...leftovers, ...others.map((o) => o.key));
    return sortVersions(keys.keys());
  }

  /**
   * Said before `add` / `update` publish `p` at `version` when the manifest
   * they would start is the missing target of a symbolic link (a link to a
   * sibling checkout's manifest, the sibling not cloned): the write creates
   * that file, and the directories above it, wherever the link points.
   */
  async #warnDanglingManifest(
    read: ManifestSnapshot,
    p: string,
    version: string,
    options: Pick<VersionedAddOptions, "onWarning">,
  ): Promise<void> {
    if (read.text !== undefined) return;
    const target = await danglingManifestLink(this.manifest);
    if (target === undefined) return;
    (options.onWarning ?? consoleWarning)({
      key: versionedKey(p, version),
      message: `starting a new manifest ${target}, the target of the symbolic link ` +
        `${this.manifest}, which does not exist`,
    });
  }

  /**
   * `nextVersion` (version_bump.ts, loaded when needed) after `from`, the
   * bucket's latest version of `p`, its refusal naming the path and the
   * bucket: "must be greater than the latest version" alone did not say which
   * path, nor that the latest is the bucket's (the manifest may pin an older
   * one), nor what publishes instead.
   */
  #nextVersionOf(
    nextVersion: Awaited<ReturnType<typeof loadNextVersion>>,
    p: string,
    from: string,
    bump: Bump,
  ): string {
    try {
      return nextVersion(from, bump);
    } catch (cause) {
      if (!(cause instanceof InvalidInputError)) throw cause;
      const explicit = bump.version !== undefined;
      let way = "";
      if (explicit) {
        try {
          way = `; versions are never replaced: the patch option publishes ${
            nextVersion(from, { patch: true })
          }`;
        } catch {
          way = "; versions are never replaced";
        }
      }
      throw new InvalidInputError(
        `cannot publish ${p}${explicit ? ` ${bump.version}` : ""}: ${cause.message}${
          explicit ? ` (in ${this.bucket}${way})` : ""
        }`,
        { cause },
      );
    }
  }

  /**
   * The versions of the other Unicode spelling of `p` (NFC or NFD; a path
   * all in ASCII has none, and costs no request), when it has any: asked
   * only where `p` has none, so that `add` does not start, and `update` does
   * not hide, a second asset under a name that looks the same.
   */
  async #twinVersions(
    p: string,
    store: ObjectStore,
    signal?: AbortSignal,
  ): Promise<{ path: string; versions: string[] } | undefined> {
    for (const path of otherSpellings(p)) {
      const versions = await this.#versions(path, store, signal);
      if (versions.length > 0) return { path, versions };
    }
    return undefined;
  }

  /**
   * The versions of normalized path `p` in `store` that `add` and `update`
   * publish beside, sorted, and the keys another tool wrote for `p` that
   * look like versions (`foreign`, for warnForeignAbove).
   */
  async #publishedVersions(
    p: string,
    store: ObjectStore,
    options: Pick<VersionedUpdateOptions, "signal" | "onListProgress">,
  ): Promise<{ published: string[]; foreign: Array<ForeignVersion & { key: string }> }> {
    const foreign: Array<ForeignVersion & { key: string }> = [];
    const published = await this.#versions(
      p,
      store,
      options.signal,
      foreign,
      options.onListProgress,
    );
    return { published, foreign };
  }

  // The start of the message of `p` without versions whose other Unicode
  // spelling `twin` has some: `add` and `update` each say what to do then.
  #twinFound(p: string, twin: { path: string; versions: string[] }): string {
    return `${escapedUnicode(p)} has no versions in ${this.bucket}, but ` +
      `${escapedUnicode(twin.path)}, which looks the same (Unicode ${
        spellingDifference(p, twin.path)
      }), has ${availableVersions(twin.versions)}`;
  }

  // Before `add` or `update` publishes `file`: the manifest's directory made,
  // the lock file read (a broken one fails before anything is published),
  // and the file's snapshot and digest taken (its hashing drawn).
  async #readyToPublish(
    file: string,
    options: Pick<VersionedUpdateOptions, "signal" | "onHashProgress">,
  ): Promise<{ snapshot: SourceSnapshot; digest: SourceDigest }> {
    await this.#prepareManifestDir();
    await this.#lockEntries();
    const snapshot = await snapshotSource(file);
    const digest = await digestSource(file, {
      ...signalOption(options.signal),
      ...checkReport(snapshot.size, options.onHashProgress),
    });
    return { snapshot, digest };
  }

  /** The versions of normalized path `p` in `store`, sorted (a publish makes the bucket). */
  async #versions(
    p: string,
    store: ObjectStore,
    signal?: AbortSignal,
    foreign?: Array<ForeignVersion & { key: string }>,
    onProgress?: VersionedListOptions["onProgress"],
  ): Promise<string[]> {
    const onListed = listedCounter(onProgress);
    const keys = await listVersionKeys(store, p, {
      ...(signal === undefined ? {} : { signal }),
      ...(foreign === undefined ? {} : { onForeign: (found) => foreign.push(found) }),
      ...(onListed === undefined ? {} : { onListed }),
    });
    return sortVersions(keys.keys());
  }

  /**
   * The manifest's entries, sorted by path: a version or the override as written.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/b.csv": "1.0.0", "a.csv": "2.0.0"}');
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: dir });
   *   const ls = await vc.ls();
   *   assert(ls[0]?.path === "/a.csv" && ls[0].version === "2.0.0");
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async ls(): Promise<Array<{ path: string; version: string }>> {
    const entries = await this.#entries();
    return Object.keys(entries).sort(compareUtf8).map((path) => ({
      path,
      version: entries[path] as string,
    }));
  }

  /**
   * Every versioned path in the bucket with its versions (ascending), sorted by
   * path. Keys that are not versioned assets' keys are ignored. A key with a
   * leading `/` (written by another tool) counts for the same path, and a
   * version stored under both keys is listed once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/x.1.0.0.csv`, "x");
   *   await Deno.writeTextFile(`${dir}/notes.txt`, "not versioned");
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: dir });
   *   const remote = await vc.lsRemote();
   *   assert(remote.length === 1 && remote[0]?.path === "/x.csv");
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async lsRemote(
    options: VersionedListOptions = {},
  ): Promise<Array<{ path: string; versions: string[] }>> {
    checkOptions("VersionedCache.lsRemote()", options, LIST_OPTIONS);
    return await this.#calls.track(withCallbackGuard(
      options,
      ["onProgress", "onWarning"],
      (guarded) => this.#lsRemote(guarded),
    ));
  }

  async #lsRemote(
    options: VersionedListOptions,
  ): Promise<Array<{ path: string; versions: string[] }>> {
    options.signal?.throwIfAborted();
    const warn = options.onWarning ?? consoleWarning;
    const store = await this.#listedBucket();
    const byPath = new Map<string, Set<string>>();
    const listing = store.list("", {
      etags: false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    // The whole bucket: minutes of silence for one of millions of keys.
    const onListed = listedCounter(options.onProgress);
    const leftovers: string[] = [];
    const unreadable: Array<{ key: string; version: string; problem: string }> = [];
    for await (const info of listing) {
      onListed?.();
      const parsed = parseVersionedKey(info.key);
      if (parsed === undefined) {
        // Shaped as a version but too large to order: named, as `versions` names it.
        const oversized = oversizedVersionPath(info.key);
        if (oversized !== undefined) {
          warn({ key: info.key, message: oversizedKeyMessage(info.key, oversized) });
        } else {
          // Another tool's spelling (`x.v1.0.0.csv`, `x.2.0.0+ci.7.csv`):
          // named, as `versions` names it, not left out in silence (a bucket
          // holding only such keys listed as holding no versioned assets).
          const foreign = foreignVersionedKey(info.key);
          if (foreign !== undefined) {
            warn({ key: info.key, message: foreignKeyMessage(info.key, foreign.path, foreign) });
          } else if (leftoverVersionedKey(info.key) !== undefined) leftovers.push(info.key);
          else {
            // A version's file name under a path no manifest can pin (a
            // script's `data//x.1.0.0.csv`): named, not left out in silence.
            const found = unreadableVersionedKey(info.key);
            if (found !== undefined) unreadable.push({ key: info.key, ...found });
          }
        }
        continue;
      }
      const versions = byPath.get(parsed.path);
      if (versions) versions.add(parsed.version);
      else byPath.set(parsed.path, new Set([parsed.version]));
    }
    warnLeftovers(leftovers, undefined, options.onWarning);
    if (unreadable.length > 0) {
      warn({ key: unreadable[0]!.key, message: unreadableKeysMessage(unreadable) });
    }
    return [...byPath.keys()].sort(compareUtf8).map((path) => ({
      path,
      versions: sortVersions(byPath.get(path) ?? []),
    }));
  }

  /**
   * Copies every manifest entry to `destDir/<path>` (atomically per file) and
   * returns where each went. Every entry is attempted; failures are thrown
   * afterwards: one failure as its own error, several together (a
   * {@linkcode VersionedCache.syncSettled} reports both lists instead).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/t.csv`, "t\n");
   *   const vc = new VersionedCache({
   *     manifest: `${dir}/m.json`,
   *     bucket: `${dir}/bucket`,
   *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
   *   });
   *   await vc.add("/data/t.csv", `${dir}/t.csv`);
   *   const copied = await vc.sync(`${dir}/out`);
   *   assert(copied[0]?.dest === `${dir}/out/data/t.csv`);
   *   assert(await Deno.readTextFile(`${dir}/out/data/t.csv`) === "t\n");
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async sync(
    destDir: string,
    options: VersionedSyncOptions = {},
  ): Promise<Array<{ path: string; dest: string }>> {
    checkOptions("VersionedCache.sync()", options, SYNC_OPTIONS);
    checkPathArgument("VersionedCache.sync(): the destination directory", destDir);
    const { copied, failed, total, dest } = await this.syncSettled(destDir, options);
    if (failed.length === 1) throw failed[0]!.error;
    if (failed.length > 1) {
      throw new VcError(
        `sync to ${dest} failed for ${failed.length} of ${total} entries: ${
          failed.map((f) => `${f.path}: ${(f.error as Error).message}`).join("; ")
        }`,
        { cause: new AggregateError(failed.map((f) => f.error)) },
      );
    }
    return copied;
  }

  /**
   * {@linkcode VersionedCache.sync} that reports instead of throwing: every
   * entry is attempted, and the result lists what was copied and what failed
   * (with its error). Throws only when nothing could be attempted (frozen
   * mode with unlocked entries, an unreadable manifest, a `destDir` that
   * cannot be a directory: a file, or a dangling link; or on Windows a
   * manifest path that is no file name there: `/a:b.csv`, `/con/x.csv`,
   * `/data./x.csv`; every such path is named, and nothing is copied).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * import { NotFoundError } from "../errors.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/t.csv`, "t\n");
   *   const vc = new VersionedCache({
   *     manifest: `${dir}/m.json`,
   *     bucket: `${dir}/bucket`,
   *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
   *   });
   *   await vc.add("/t.csv", `${dir}/t.csv`);
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/t.csv": "1.0.0", "/gone.csv": "1.0.0"}');
   *   const r = await vc.syncSettled(`${dir}/out`);
   *   assert.deepEqual(r.copied.map((c) => c.path), ["/t.csv"]);
   *   assert.equal(r.failed[0]?.path, "/gone.csv");
   *   assert(r.failed[0]?.error instanceof NotFoundError);
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async syncSettled(
    destDir: string,
    options: VersionedSyncOptions = {},
  ): Promise<VersionedSyncReport> {
    checkOptions("VersionedCache.syncSettled()", options, SYNC_OPTIONS);
    return await this.#calls.track(withCallbackGuard(
      options,
      ["onProgress", "onWarning"],
      (guarded) => this.#syncSettled(destDir, guarded),
    ));
  }

  async #syncSettled(destDir: string, options: VersionedSyncOptions): Promise<VersionedSyncReport> {
    checkPathArgument("VersionedCache.syncSettled(): the destination directory", destDir);
    const started = performance.now();
    // The bytes of the files this sync wrote to DEST (the report's `bytes`).
    let bytesWritten = 0;
    // The downloads a stop cut whose partial is kept (see SyncInterruptedReport).
    const keptPartials: Array<{ path: string; bytes: number; size: number }> = [];
    const root = resolve(destDir);
    // The manifest and the lock file, read once: every entry is copied as
    // they were when the sync began (stating both an entry was most of a
    // re-sync's time for many small files). A lock file that does not parse
    // (half merged by git) would fail every entry alike, the same message
    // once per entry: it fails the sync once, before anything is
    // downloaded, as a broken manifest does.
    const manifestEntries = await this.#entries();
    const entries = Object.keys(manifestEntries).sort(compareUtf8).map((path) => ({
      path,
      version: manifestEntries[path] as string,
    }));
    const locks = await this.#lockEntries();
    const resolved = (path: string) =>
      this.#locked(this.#asset(path, manifestEntries[path] as string), locks);
    const dryRun = options.dryRun === true;
    // A dry run that cannot start says what the sync would do: copy nothing.
    const copiedNothing = `sync to ${root} ${dryRun ? "would copy" : "copied"} nothing`;
    // A path this platform cannot hold as a file (on Windows `/a:b.csv`, an
    // alternate data stream of `a`; `/con/x.csv`; `/data./x.csv`) would be
    // written as another file, or not at all: all are named before anything
    // is copied, by the check a store → local mirror applies to its keys.
    // So is a file named as vc's temp files (`/.a.csv.vc-tmp-99999-abcdefgh`):
    // a copy of `a.csv` into DEST, this sync's or a later one's, removes it
    // as a dead writer's. Whether names fold (`.A.CSV.VC-TMP-…` is such a
    // name then) is asked of DEST's own file system (a case-insensitive
    // mount on Linux, a case-sensitive volume on macOS), not assumed from
    // the OS, as a mirror asks its target's.
    const { localPathProblem, pathClashes } = await import("../file_names.ts");
    const { tempNameProblem } = await import("../atomic_write.ts");
    const folds = namesFoldIn(root, { write: !dryRun });
    const unwritable = entries.flatMap(({ path }) => {
      const why = localPathProblem(path.slice(1)) ??
        tempNameProblem(path.slice(path.lastIndexOf("/") + 1), folds);
      return why === undefined
        ? []
        : [`manifest path ${JSON.stringify(path)} cannot be a file here: its ${why}`];
    });
    if (unwritable.length > 0) {
      throw new InvalidInputError(
        `${copiedNothing}: ${firstNamed(unwritable, "; ")}`,
      );
    }
    // DEST that cannot be a directory would fail every entry alike, each
    // after its download: said once, before anything is downloaded.
    const notADirectory = await destDirProblem(root);
    if (notADirectory !== undefined) {
      throw new InvalidInputError(`${copiedNothing}: ${notADirectory}`);
    }
    // Frozen mode refuses unlocked entries: find them all before copying any,
    // so CI gets one complete answer and no half-synced directory.
    if (this.frozen) {
      const errors = entries.flatMap(({ path }) => {
        try {
          resolved(path);
          return [];
        } catch (error) {
          return [error as Error];
        }
      });
      if (errors.length > 0) {
        throw new FrozenError(
          `${copiedNothing}: ${firstNamed(errors.map((e) => e.message), "; ")}`,
          { cause: errors[0] },
        );
      }
    }
    // Manifest paths that cannot all be files in one directory (`/x` beside
    // `/x/y.csv`; `/A.csv` beside `/a.csv` where letter case is not told
    // apart) fail on their own, before any download: written, the outcome
    // would depend on which copy finished first, or one file would hold
    // another entry's bytes while both were reported copied. Whether names
    // fold is asked of DEST's own file system (`folds`, above).
    const clashes = pathClashes(entries.map(({ path }) => path), folds);
    // A local override (a file being tried out, maybe kept in DEST) is the
    // user's work: another entry's copy must not replace it, nor would the
    // entry that reads it then copy what it holds. Its own entry may copy
    // it onto itself.
    const overrides = entries.flatMap(({ path, version }) => {
      if (isVersion(version)) return [];
      try {
        const { location } = classifyValue(version, this.manifest) as { location: string };
        const where = parseUri(location);
        if (where.scheme === "s3") return [];
        return [{ file: resolve(where.path), of: path }];
      } catch {
        return []; // a malformed override fails on its own entry
      }
    });
    const bucketDir = this.bucket.startsWith("file:") ? fromFileUrl(this.bucket) : undefined;
    // Where DEST and the bucket lead, once: an entry's file leads where DEST
    // does when nothing on its way below DEST is a link.
    const realRoot = bucketDir === undefined ? undefined : await realish(root);
    const realBucket = bucketDir === undefined ? undefined : await realish(bucketDir);
    // The files a copy must not replace, looked at only for a DEST file of
    // their name (not stated once an entry; see ownFilesAt).
    const ownAt = await ownFilesAt(ownFiles(this));
    const overrideAt = await ownFilesAt(overrides.map(({ file, of }) => [file, of]));
    const { inspectOnPath } = await import("../cache/layout.ts");
    const { copyOutBlocked } = await import("../cache/cache_errors.ts");
    let done = 0;
    let bytes = 0;
    // Drawn at once, and moving while a large entry downloads, not only when one ends.
    options.onProgress?.({ done, total: entries.length, bytes });
    // What earlier syncs wrote into DEST: a file changed since, or one no
    // sync wrote, is the user's, and is not replaced without `force`.
    const { peekSyncRecords, recordFileClash, withSyncRecords } = await import(
      "./sync_records.ts"
    );
    const force = options.force === true;
    const noCredentials = new NoCredentialsOnce();
    // A dry run reads DEST's records as a sync would, without its lock.
    const withRecords: typeof withSyncRecords = dryRun
      ? (root, _signal, fn) => peekSyncRecords(root, fn)
      : withSyncRecords;
    const results = await withRecords(
      root,
      options.signal,
      (records) =>
        mapSettled(entries, PARALLEL, async ({ path, version }) => {
          // Stopped (Ctrl-C): the entries not started are neither done nor
          // failed, and are not counted (the bar raced to its total).
          options.signal?.throwIfAborted();
          let mine = 0;
          let stopped = false;
          try {
            const dest = join(root, ...path.slice(1).split("/"));
            const clash = clashes.get(path) ?? recordFileClash(path);
            if (clash !== undefined) {
              throw new InvalidInputError(
                `cannot write ${path} to ${dest} beside the others: ${clash}`,
              );
            }
            // normalizeVersionedPath already refused `..`; this guards against surprises anyway.
            const rel = relative(root, dest);
            if (rel === "" || rel.startsWith("..") || rel.split(sep).includes("..")) {
              throw new InvalidInputError(`refusing to write ${path} to ${dest} outside ${root}`);
            }
            // A directory bucket's files are the published versions: a copy
            // written among them (DEST the bucket, or a manifest path that leads
            // into it) could replace one (`/x.1.0.0.csv` is version 1.0.0 of `/x.csv`);
            // also where DEST is a symbolic link to it.
            // The walk of DEST's directories (no link on the way) is the
            // check below too.
            const { link, stat: destStat, file: fileOnWay } = inspectOnPath(root, dest);
            const inBucket = bucketDir === undefined
              ? false
              : link === undefined
              ? pathBelow(dest, resolve(bucketDir)) !== undefined ||
                pathBelow(join(realRoot!, rel), realBucket!) !== undefined
              : await realBelow(dest, bucketDir);
            if (inBucket) {
              throw new InvalidInputError(
                `refusing to write ${path} to ${dest}: it is inside the bucket ${this.bucket}, ` +
                  `among the published versions; sync to a directory outside it`,
              );
            }
            // The manifest itself (a manifest path `/versioned_assets.json`,
            // synced into the manifest's directory, the default DEST) or the
            // lock file: replaced by an asset's bytes, vc would lose its pins.
            const own = await ownAt(dest);
            if (own !== undefined) {
              throw new InvalidInputError(
                `refusing to write ${path} to ${dest}: it is ${own} of this sync; ` +
                  `sync to another directory`,
              );
            }
            const of = await overrideAt(dest, path);
            if (of !== undefined) {
              throw new InvalidInputError(
                `refusing to write ${path} to ${dest}: it is the local override of ${of} in ` +
                  `${this.manifest}, which the copy would replace; sync to another directory ` +
                  `or move the override out of ${root}`,
              );
            }
            // A directory of the destination that is a symbolic link (one a
            // checkout or an archive planted) would send the copy outside it,
            // as in `vc mirror`; the file itself may be one: the copy's rename
            // replaces it.
            const throughLink = (link: string | undefined) => {
              if (link === undefined || link === dest) return;
              throw new InvalidInputError(
                `refusing to write ${path} to ${dest}: ${link} is a symbolic link in ${root}; ` +
                  `vc does not write through it (replace the link with a directory)`,
              );
            };
            throughLink(link);
            // No copy can take its place (a directory there, or a file where
            // one of its directories belongs; never replaced, even forced):
            // said before the download, which it cost before.
            if (link === undefined && destStat?.isDirectory) {
              throw copyOutBlocked(dest, "directory");
            }
            if (link === undefined && fileOnWay !== undefined && fileOnWay !== dest) {
              throw copyOutBlocked(dest, "file above");
            }
            options.signal?.throwIfAborted();
            // The lock file pins the entry's SHA-256: a file still as the
            // last sync recorded it, of those bytes, is left as it is before
            // anything is downloaded (a re-sync after `vc cache clear`, or in
            // CI with an empty cache and a kept DEST, fetched every file to
            // find it there already).
            const asset = resolved(path);
            const pinned = isVersion(version) ? asset.integrity : undefined;
            if (
              !force && pinned !== undefined &&
              await records.unchanged(path, dest, pinned, options.signal)
            ) {
              return { path, dest, unchanged: true as const };
            }
            // A file that holds another version of the path (baiji-pod's
            // sync at an older pin, or over vc's copy) is no edit of the user's.
            const earlierCopy = isVersion(version)
              ? async (size: number) => {
                const { versionHeldBy } = await import("./earlier_copy.ts");
                try {
                  const store = await this.#listedBucket();
                  return await versionHeldBy(store, path, version, dest, size, options.signal) !==
                    undefined;
                } catch (e) {
                  // Not asked (offline, refused): the file stays the user's.
                  if (options.signal?.aborted) throw e;
                  return false;
                }
              }
              : undefined;
            // The lock file pins the bytes to be written: a file in DEST
            // that is the user's is refused before they are downloaded (a
            // locally edited model cost its whole download on every sync,
            // then failed), and one that is not is not looked at again.
            const checkedBefore = !force && pinned !== undefined;
            if (checkedBefore) {
              await records.check(path, dest, pinned, force, options.signal, earlierCopy);
            }
            if (dryRun) {
              // What the copy would come from, nothing downloaded: a cached
              // copy (or local override) is judged as a sync judges it; an
              // object not cached, by what the store says of it.
              const found = await (isVersion(version)
                ? noCredentials.run(this.bucket, path, () => this.#dryRunSource(asset, options))
                : this.#dryRunSource(asset, options));
              if ("local" in found) {
                const source = this.#cache.copyRecord(found.local);
                if (!force && await records.unchanged(path, dest, source, options.signal)) {
                  return { path, dest, unchanged: true as const };
                }
                if (!checkedBefore) {
                  await records.check(path, dest, found.local, force, options.signal, earlierCopy);
                }
                bytesWritten += source?.size ?? (await Deno.stat(found.local)).size;
                return { path, dest, unchanged: false as const };
              }
              const { uri, info } = found;
              const remote = { uri, etag: info.etag, size: info.size };
              if (!force && await records.unchanged(path, dest, remote, options.signal)) {
                return { path, dest, unchanged: true as const };
              }
              if (!checkedBefore) {
                const { fileHoldsObject } = await import("./earlier_copy.ts");
                const holds = (file: string) => fileHoldsObject(file, info, options.signal);
                await records.check(path, dest, holds, force, options.signal, earlierCopy);
              }
              bytesWritten += info.size;
              return { path, dest, unchanged: false as const, download: true as const };
            }
            const download = () =>
              this.#pathOf(asset, {
                ...(options.signal ? { signal: options.signal } : {}),
                ...(options.onProgress
                  ? {
                    onProgress: (p: { bytes: number; total: number; resumed?: number }) => {
                      // Fetched by this sync: a resumed download's kept
                      // prefix came in an earlier run.
                      const got = fetchedBytes(p);
                      bytes += got - mine;
                      mine = got;
                      // The entry's own percentage, as prefill draws its items':
                      // the count of entries says nothing while one large file
                      // downloads (its ETA grew as the download went on).
                      options.onProgress?.({
                        done,
                        total: entries.length,
                        bytes,
                        current: path,
                        ...(p.total > 0
                          ? { step: { name: "downloading", bytes: p.bytes, total: p.total } }
                          : {}),
                      });
                    },
                  }
                  : {}),
              });
            // No usable credentials fail every entry alike: said once (the others refer to it).
            const local = await (isVersion(version)
              ? noCredentials.run(this.bucket, path, download)
              : download()).catch(async (e) => {
                // Stopped with its partial kept in the cache: said in the interrupted line.
                if (options.signal?.aborted) {
                  const { keptPartial } = await import("../cache/partial_download.ts");
                  const partial = keptPartial(this.#cache.localPath(asset.uri));
                  if (partial !== undefined) {
                    keptPartials.push({ path, ...partial });
                  }
                }
                throw e;
              });
            options.signal?.throwIfAborted();
            const onProgress = options.onProgress;
            const report =
              (name: VersionedEntryStep["name"]) => (p: { bytes: number; total: number }) =>
                onProgress?.({
                  done,
                  total: entries.length,
                  bytes,
                  current: path,
                  step: { name, ...p },
                });
            // Still the file vc wrote (its stat as recorded) of the bytes
            // pinned now: left as it is, neither it nor the cached copy read
            // (a re-sync of an unchanged 10 GB DEST is a stat per file, as
            // rsync's). `force` copies anyway.
            const source = this.#cache.copyRecord(local);
            if (!force && await records.unchanged(path, dest, source, options.signal)) {
              return { path, dest, unchanged: true as const };
            }
            if (!checkedBefore) {
              await records.check(path, dest, local, force, options.signal, earlierCopy);
            }
            // A corrupt cached copy is never copied out; a stop cuts its copy
            // (seconds a GB), leaving DEST's file as it was. The copy is
            // checked, and hashed for the records, in the read that copies
            // it; the hash is journaled before the rename, so a kill between
            // the rename and the record still leaves the file vc's.
            let sha256: string | undefined;
            let size = 0;
            await this.#cache.copyVerified(local, dest, {
              ...(onProgress
                ? { onCheckProgress: report("checking"), onProgress: report("copying") }
                : {}),
              ...(options.signal ? { signal: options.signal } : {}),
              onWritten: (written) => {
                // Looked at again before the rename: a directory swapped for
                // a link since the look above (while the entry downloaded)
                // would have the copy renamed into place outside DEST. Its
                // directories only: the rename replaces a link at `dest`
                // itself, and a look at a file not there yet costs a
                // thrown error, for each file of a first sync.
                throughLink(inspectOnPath(root, dirname(dest)).link);
                sha256 = written.sha256;
                size = written.bytes;
                records.renaming(path, written, source);
              },
            }).catch((e) => {
              // The journal's own error (it names the journal), or a link
              // swapped in: the callback is ours.
              throw e instanceof CallbackError && e.callback === "onWritten" ? e.cause : e;
            });
            await records.wrote(path, dest, {
              ...(sha256 !== undefined ? { sha256 } : {}),
              ...(source !== undefined ? { source } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            bytesWritten += size;
            return { path, dest, unchanged: false as const };
          } catch (error) {
            stopped = stoppedBy(error, options.signal);
            throw error;
          } finally {
            // Failed entries count too: the progress reaches its total
            // (one the stop cut is not done).
            if (!stopped) {
              options.onProgress?.({ done: ++done, total: entries.length, bytes, current: path });
            }
          }
        }),
      // The wait for another sync into DEST, then a DEST without locks.
      (message) => (options.onWarning ?? consoleWarning)({ message, kind: "wait" }),
      (message) => (options.onWarning ?? consoleWarning)({ message }),
    );
    const copied: VersionedSyncReport["copied"] = [];
    const unchanged: VersionedSyncReport["unchanged"] = [];
    const failed: VersionedSyncReport["failed"] = [];
    const signal = options.signal;
    results.forEach((r, i) => {
      if (r.ok) {
        const { path, dest } = r.value;
        if (r.value.unchanged) unchanged.push({ path, dest });
        else copied.push({ path, dest, ...("download" in r.value ? { download: true } : {}) });
      } // Interrupted: an entry the stop cut is not one that "failed".
      else if (!stoppedBy(r.error, signal)) {
        failed.push({ path: entries[i]!.path, error: r.error });
      }
    });
    // Interrupted: the sync itself stopped, saying which files DEST holds
    // now (a bare "interrupted" left a CI log guessing what was copied).
    // Whole milliseconds, as a prefill and a mirror say them.
    const seconds = Math.round(performance.now() - started) / 1000;
    const report = {
      dest: root,
      total: entries.length,
      copied,
      unchanged,
      failed,
      bytes: bytesWritten,
      seconds,
      ...(dryRun ? { dryRun: true as const } : {}),
    };
    if (signal?.aborted) {
      const kept = keptPartials.sort((a, b) => compareUtf8(a.path, b.path));
      throw new SyncInterruptedError(
        kept.length === 0 ? report : { ...report, keptPartials: kept },
        signal.reason,
      );
    }
    return report;
  }

  /**
   * Where a dry run of `sync` finds the bytes of `asset` without downloading
   * them: a local override, or the cached copy of a version (the canonical
   * key's, else the `/` key's), as `local`; else the object in its store
   * (one HEAD, two when the canonical key is missing), as `uri` and `info`.
   * Fails as a sync's download would: a version the bucket lacks, an
   * override that is not there, offline with nothing cached.
   */
  async #dryRunSource(
    asset: VersionedAsset,
    options: { signal?: AbortSignal | undefined },
  ): Promise<{ local: string } | { uri: string; info: ObjectInfo }> {
    const withSignal = options.signal === undefined ? {} : { signal: options.signal };
    const where = parseUri(asset.uri);
    if (where.scheme === "local") {
      await regularFile(asset.uri, `override of ${asset.path} in ${this.manifest}`);
      return { local: where.path };
    }
    for (const uri of [asset.uri, asset.slashedUri]) {
      if (uri === undefined) continue;
      const local = this.#cache.localPath(uri);
      if (
        this.#cache.copyRecord(local) !== undefined &&
        statusOrUndefinedSync(local, { follow: true })?.isFile === true
      ) return { local };
    }
    try {
      if (asset.version === undefined) {
        const { root, key } = splitLocation(asset.uri);
        const info = await (await this.#store(root)).head(key, withSignal);
        if (info !== undefined) return { uri: asset.uri, info };
        throw new NotFoundError(
          `override of ${asset.path} in ${this.manifest}: ${asset.uri} does not exist`,
        );
      }
      const store = await this.#store(this.bucket);
      const found = await headVersion(store, asset.path, asset.version, withSignal);
      if (found !== undefined) {
        return { uri: joinUri(this.bucket, found.key), info: found.info };
      }
    } catch (error) {
      if (error instanceof OfflineError && asset.version !== undefined) {
        throw await this.#offlineMiss(asset, asset.version, error);
      }
      throw error;
    }
    throw await this.#missingVersion(
      asset,
      asset.version,
      new NotFoundError(`${asset.uri} does not exist`),
    );
  }

  /**
   * Checks every manifest entry: the remote object (or override) exists, and a
   * cached copy, if any, has the remote content. Never throws for a bad entry;
   * each result says what is wrong. With `signal`, stops when it is aborted
   * (throws its reason; entries not yet started are not checked); with
   * `onProgress`, tells how many entries are checked (hashing large cached
   * copies takes a while). Offline (the cache's `offline`), no store is
   * asked: each pinned version's cached copy is checked against the lock
   * file instead, and its result's `cached` says what was found.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/gone.csv": "1.0.0"}');
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
   *   const [r] = await vc.verify();
   *   assert(r?.ok === false && r.problem?.includes("does not exist"));
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async verify(options: VersionedVerifyOptions = {}): Promise<VersionedVerifyResult[]> {
    checkOptions("VersionedCache.verify()", options, VERIFY_OPTIONS);
    return await this.#calls.track(
      withCallbackGuard(options, ["onProgress"], (guarded) => this.#verify(guarded)),
    );
  }

  async #verify(options: VersionedVerifyOptions): Promise<VersionedVerifyResult[]> {
    const signal = options.signal;
    const entries = await this.ls();
    let done = 0;
    options.onProgress?.({ done, total: entries.length });
    const locks = await this.#lockEntries();
    const lockOf = (path: string, version: string) =>
      isVersion(version) ? locks?.[lockKey(path, version)] : undefined;
    const noCredentials = new NoCredentialsOnce();
    const results = await mapSettled(entries, PARALLEL, async ({ path, version }) => {
      // Stopped (Ctrl-C): the entries not started are not checked, nor counted
      // (the bar raced to its total), as in `syncSettled`.
      signal?.throwIfAborted();
      let stopped = false;
      const onProgress = options.onProgress;
      const onRead = onProgress &&
        ((p: { bytes: number; total: number }) =>
          onProgress({
            done,
            total: entries.length,
            current: path,
            step: { name: "checking", ...p },
          }));
      const check = () => this.#verifyEntry(path, version, lockOf(path, version), signal, onRead);
      try {
        // Offline no store is asked: a pinned version's cached copy is
        // checked against the lock file instead (an override as online:
        // a local one is looked at, one in a store fails as offline).
        if (this.#cache.offline && isVersion(version)) {
          return await this.#verifyCachedOffline(
            path,
            version,
            lockOf(path, version),
            signal,
            onRead,
          );
        }
        // No usable credentials fail every entry alike: said once (the others refer to it).
        return isVersion(version)
          ? await noCredentials.run(this.bucket, path, check)
          : await check();
      } catch (error) {
        stopped = stoppedBy(error, signal);
        throw error;
      } finally {
        // A failed check counts too: the progress reaches its total (one the
        // stop cut is not checked).
        if (!stopped) options.onProgress?.({ done: ++done, total: entries.length, current: path });
      }
    });
    // An abort is not a problem of each entry it stopped.
    signal?.throwIfAborted();
    // A pair the manifest holds that would be a file and a folder of one
    // name (edited by hand, merged; `add` refuses one): each entry found ok
    // passed, and `sync` failed one later, or it could never be cached.
    const clashOf = new Map<string, string>();
    const pins = Object.fromEntries(entries.map(({ path, version }) => [path, version]));
    for (const { path, problem } of fileFolderClashes(pins)) {
      if (!clashOf.has(path)) clashOf.set(path, problem);
    }
    return results.map((r, i) => {
      if (r.ok) {
        const clash = clashOf.get(r.value.path);
        return clash === undefined || !r.value.ok
          ? r.value
          : { ...r.value, ok: false, problem: clash };
      }
      const entry = entries[i] as { path: string; version: string };
      const locked = lockOf(entry.path, entry.version) !== undefined;
      // A cached copy another program holds open unshared (Windows): not
      // checked, and passing once it is closed; the system's words say neither.
      const problem = fsPlatform.mandatoryLocks && isSharingViolation(r.error)
        ? `the cached copy cannot be read now: another program has it open (Windows refuses ` +
          `to read a file opened without read sharing): ${(r.error as Error).message}; close ` +
          "it and run verify again"
        : (r.error as Error).message;
      return {
        ...entry,
        ok: false,
        problem,
        errorName: errorKind(r.error),
        locked,
      };
    });
  }

  /**
   * One pinned entry of {@linkcode VersionedCache.verify} offline: its cached
   * copy (the canonical key's, else the `/` key's, as `path` serves one
   * offline) against the size and SHA-256 the lock file records. `cached`
   * says what was found: `ok`, `missing` (nothing cached: `path` cannot
   * read it offline), `corrupt` (the copy is not the locked content) or
   * `unchecked` (cached, but no lock entry to compare it with).
   */
  async #verifyCachedOffline(
    path: string,
    version: string,
    lock: LockEntry | undefined,
    signal: AbortSignal | undefined,
    onRead: ((progress: { bytes: number; total: number }) => void) | undefined,
  ): Promise<VersionedVerifyResult> {
    signal?.throwIfAborted();
    const asset = await this.resolve(path, version);
    const result = (
      cached: NonNullable<VersionedVerifyResult["cached"]>,
      problem?: string,
    ): VersionedVerifyResult => verifyResult(path, version, lock, problem, "sha256", cached);
    const offline = `${this.#cache.offlineSwitch.on}: the bucket is not asked`;
    let uri: string | undefined;
    let size = 0;
    for (const candidate of [asset.uri, asset.slashedUri]) {
      if (candidate === undefined) continue;
      const stat = await Deno.stat(this.#cache.localPath(candidate)).catch(() => undefined);
      if (stat?.isFile === true) {
        uri = candidate;
        size = stat.size;
        break;
      }
    }
    if (uri === undefined) {
      return result(
        "missing",
        `not cached, so it cannot be read offline (${offline}); ` +
          `cache it while online (${PREFILL.library}, or ${cachePath(path)})`,
      );
    }
    const local = this.#cache.localPath(uri);
    if (lock === undefined) {
      return result(
        "unchecked",
        `cached as ${local}, but the lock file pins no content for it to compare with ` +
          `(${offline}); run ${LOCK.library} while online`,
      );
    }
    if (size !== lock.size) {
      return result(
        "corrupt",
        `cached copy ${local} has ${size} bytes, the lock file pins ${lock.size}${dropHint(uri)}`,
      );
    }
    const reading = onRead === undefined ? {} : {
      onProgress: (bytes: number) => onRead({ bytes, total: size }),
    };
    onRead?.({ bytes: 0, total: size });
    const { sha256 } = await digestSource(local, {
      ...(signal === undefined ? {} : { signal }),
      ...reading,
    });
    if (sha256 !== lock.sha256) {
      return result(
        "corrupt",
        `cached copy ${local} has SHA-256 ${sha256}, the lock file pins ${lock.sha256}` +
          dropHint(uri),
      );
    }
    return result("ok");
  }

  /** One entry of {@linkcode VersionedCache.verify}. */
  async #verifyEntry(
    path: string,
    version: string,
    lock: LockEntry | undefined,
    signal: AbortSignal | undefined,
    onRead: ((progress: { bytes: number; total: number }) => void) | undefined,
  ): Promise<VersionedVerifyResult> {
    signal?.throwIfAborted();
    const checked: { lock?: "sha256" | "size" } = {};
    let problem = await this.#problemWith(path, version, lock, signal, checked, onRead);
    // Frozen mode refuses what the lock file does not pin (see #locked), so
    // verify must not call such an entry ok.
    if (problem === undefined && lock === undefined && this.frozen) {
      problem = isVersion(version)
        ? `${lockKey(path, version)} has no entry in lock file ${this.lockFile ?? "(none)"} ` +
          `and frozen mode (the frozen option / VC_FROZEN) refuses unlocked entries; run ${LOCK.library}`
        : `${path} is an override and frozen mode (the frozen option / VC_FROZEN) accepts only locked versions`;
    }
    return verifyResult(path, version, lock, problem, checked.lock);
  }

  /**
   * Closes the stores this instance opened, and the asset cache if it
   * created it, once the calls still running have settled (`add()`,
   * `update()`, `sync()`, `syncSettled()`, `verify()`, `versions()`,
   * `lsRemote()`, `path()`, `pathOf()`, `locate()`: they finish or fail as
   * they would; their `signal` stops them sooner). So nothing is uploaded or
   * written after it resolves.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/bucket`);
   *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a");
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/a.csv": "1.0.0"}');
   *   await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket`, cache });
   *   const path = await vc.path("/a.csv");
   *   await vc.close(); // the cache it was given stays open, and the copy stays
   *   assert(await Deno.readTextFile(path) === "a");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async close(): Promise<void> {
    // Calls in progress finish (or fail) as they would first: they upload,
    // write the manifest or DEST, and ask the stores closed below.
    await this.#calls.settled();
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    if (this.#ownsStores) await Promise.allSettled(stores.map(async (s) => (await s).close()));
    if (this.#ownsCache) await this.#cache.close();
  }

  /** Closes like {@linkcode VersionedCache.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The bucket's store, for a listing: a `file://` bucket whose directory
   * does not exist is a `NotFoundError` (a typo in --bucket), as a missing
   * S3 bucket is, not an empty listing.
   */
  async #listedBucket(): Promise<ObjectStore> {
    const store = await this.#store(this.bucket);
    const parsed = parseUri(this.bucket);
    if (parsed.scheme === "file") {
      const info = await Deno.stat(parsed.path).catch((e) => {
        if (!isNameTooLong(e)) return undefined;
        throw new InvalidInputError(
          `bucket ${shortened(this.bucket)}: the directory ${shortened(parsed.path)} ${
            tooLongReason(parsed.path)
          }`,
          { cause: e },
        );
      });
      if (info === undefined) {
        throw new NotFoundError(
          `bucket ${this.bucket} does not exist (no directory ${parsed.path}); check the bucket ` +
            "option",
        );
      }
    }
    return store;
  }

  #store(rootUri: string): Promise<ObjectStore> {
    // Every request of this class to a store starts here: offline, none does
    // (a command that needs the store fails instead of asking it).
    if (this.#cache.offline) {
      return Promise.reject(
        new OfflineError(
          `${rootUri} is not contacted in offline mode (${this.#cache.offlineSwitch.on}), and ` +
            `this needs it; run again without offline mode (${this.#cache.offlineSwitch.off})`,
        ),
      );
    }
    let store = this.#stores.get(rootUri);
    if (store === undefined) {
      store = this.#open(rootUri);
      // A failed open is not cached, so the next call retries.
      store.catch(() => this.#stores.delete(rootUri));
      this.#stores.set(rootUri, store);
    }
    return store;
  }

  // Refuses to publish a file identical to the latest version, unless forced.
  /**
   * Whether `version` of `path` holds exactly `file`, and the lock file has
   * no other content for it (an entry that disagrees is never replaced).
   */
  async #holdsFile(
    path: string,
    version: string,
    file: string,
    digest: SourceDigest,
  ): Promise<boolean> {
    const { identicalVersion } = await import("./publish.ts");
    const locked = (await this.#lockEntries())?.[lockKey(path, version)];
    const key = await identicalVersion(
      await this.#store(this.bucket),
      path,
      version,
      file,
      digest,
      locked,
    );
    return key !== undefined;
  }

  async #refuseIdentical(
    path: string,
    latest: string,
    file: string,
    digest: SourceDigest,
  ): Promise<void> {
    const { refuseIdentical } = await import("./publish.ts");
    const locked = (await this.#lockEntries())?.[lockKey(path, latest)];
    await refuseIdentical(
      await this.#store(this.bucket),
      this.bucket,
      path,
      latest,
      file,
      digest,
      locked,
    );
  }

  /**
   * Refuses to publish `version` of `path` when it was published before and
   * is gone from the bucket (deleted, or lost): the lock file locks other
   * content for it, or the manifest pins it (or a later version), or the
   * lock file locks a later version, though the bucket's latest is `latest`.
   * A version names one content for good: caches, lock files and checkouts
   * elsewhere keep the old one. When the bucket holds the version after all,
   * another `add` / `update` published it after this one listed the bucket
   * (and locked it in a shared lock file): that is said as the race it is,
   * as a create-only upload says it.
   */
  async #refuseReused(
    path: string,
    version: string,
    pinned: string | undefined,
    latest: string | undefined,
    digest: SourceDigest,
    retryHint: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const locks = (await this.#lockEntries()) ?? {};
    const locked = locks[lockKey(path, version)];
    const lockedOther = locked !== undefined &&
      (locked.size !== digest.size || locked.sha256 !== digest.sha256);
    // The very bytes the lock file locks: the lost version restored.
    if (locked !== undefined && !lockedOther) return;
    const pinnedGone = pinned !== undefined && isVersion(pinned) &&
      compareVersions(version, pinned) <= 0;
    // The highest version of the path the lock file locks. Above `version`,
    // it is not in the bucket either (`version` is past the bucket's latest),
    // and the versions below it may have been published as a pinned one's may.
    let highestLocked: string | undefined;
    const prefix = `${path}@`;
    for (const key of Object.keys(locks)) {
      const v = key.slice(prefix.length);
      if (!key.startsWith(prefix) || !isVersion(v)) continue;
      if (highestLocked === undefined || compareVersions(v, highestLocked) > 0) highestLocked = v;
    }
    const lockedAbove = highestLocked !== undefined && compareVersions(highestLocked, version) > 0;
    if (!lockedOther && !pinnedGone && !lockedAbove) return;
    // The way out: past every version of the path the manifest or the lock file knows.
    let highest = version;
    if (pinnedGone && compareVersions(pinned, highest) > 0) highest = pinned;
    if (highestLocked !== undefined && compareVersions(highestLocked, highest) > 0) {
      highest = highestLocked;
    }
    const [major, minor, patch] = highest.split(".").map(Number) as [number, number, number];
    const next = `${major}.${minor}.${patch + 1}`;
    const found = await headVersion(
      await this.#store(this.bucket),
      path,
      version,
      signal === undefined ? {} : { signal },
    );
    if (found !== undefined) {
      throw new PreconditionFailedError(
        `version ${version} of ${path} was published by someone else meanwhile (${
          joinUri(this.bucket, found.key)
        } exists); ${retryHint}. ${this.manifest} was not changed`,
      );
    }
    // A lock file entry names a path and version, not a bucket: one shared
    // with a manifest of another bucket locks that bucket's versions too, so
    // a refusal the lock file alone causes does not claim this bucket had it.
    const lockShared = `(to ${this.bucket}, or to another bucket whose manifest shares this ` +
      `lock file: its entries name a path and version, not a bucket)`;
    const way = `Publish past it with the version option ${next}; nothing was published`;
    if (pinned === version) {
      throw new InvalidInputError(
        `${path} ${version} was published before and is not in ${this.bucket} now (its latest ` +
          `is ${latest ?? "none"}), yet ${this.manifest} pins ${pinned}: publishing ${version} ` +
          `again would give one version two contents (caches and checkouts keep the old one). ${way}`,
      );
    }
    if (lockedOther) {
      throw new InvalidInputError(
        `${path} ${version} was published before ${lockShared} and is not in ${this.bucket} now ` +
          `(its latest is ${latest ?? "none"}), yet lock file ${this.lockFile} locks other ` +
          `content for it: publishing other content as ${version} would give one version two contents ` +
          `(caches and checkouts keep the old one). ${way}`,
      );
    }
    // A version below the pinned or locked one is not known to have been
    // published, only that it may have been (the pin passed it): said as such.
    const why = pinnedGone
      ? `${this.manifest} pins ${pinned}, which is not in ${this.bucket} now`
      : `lock file ${this.lockFile} locks ${highestLocked}, published ${lockShared} and ` +
        `not in ${this.bucket} now`;
    throw new InvalidInputError(
      `${path} ${version} may have been published before: ${why} (its latest is ` +
        `${latest ?? "none"}), and ${version} is below it. Publishing ${version} could give one ` +
        `version two contents (caches and checkouts keep the old one). ${way}`,
    );
  }

  /**
   * `version`, when its key never held other bytes than the file's in the
   * bucket (S3 versioning: no delete marker over it), else the next version
   * `step` gives whose key never did, said to `onWarning`; without `step`
   * (a version the user named), refuses with `InvalidInputError` naming
   * the free one. A store that cannot tell (no versioning API, FsStore,
   * MemoryStore) gives `version`; one that refuses the question
   * (AccessDenied) too, said once to `onWarning`.
   */
  async #unusedVersion(
    p: string,
    version: string,
    digest: SourceDigest & { file: string },
    step: ((version: string) => string) | undefined,
    options: Pick<VersionedAddOptions, "onWarning" | "signal">,
  ): Promise<string> {
    const store = await this.#store(this.bucket);
    if (store.keyVersions === undefined) return version;
    const { unusedVersion, MAX_VERSION_PROBES } = await import("./version_history.ts");
    const nextVersion = await loadNextVersion();
    const patch = (v: string) => nextVersion(v, { patch: true });
    const found = await unusedVersion(store, version, {
      keyOf: (v) => publishedKey(p, v),
      step: step ?? patch,
      size: digest.size,
      md5: digest.md5,
      file: digest.file,
      signal: options.signal,
    });
    const warn = options.onWarning ?? consoleWarning;
    const uri = joinUri(this.bucket, publishedKey(p, version));
    if (found?.denied !== undefined) {
      warn({
        key: publishedKey(p, version),
        message: `could not ask ${this.bucket} whether ${uri} held an object before ` +
          `(ListObjectVersions was refused: ${found.denied.message}); publishing ${version} ` +
          `without that check: if the bucket has S3 versioning and ${p} ${version} was deleted, ` +
          `machines that cached the old ${version} keep serving it${
            found.denied instanceof AccessDeniedError
              ? " (grant s3:ListBucketVersions to have it checked)"
              : ""
          }`,
      });
      return version;
    }
    if (found !== undefined && found.skipped.length === 0) return found.version;
    const held = found?.skipped ?? [{ version, key: publishedKey(p, version) }];
    const names = held.map((h) => `${p} ${h.version} (${joinUri(this.bucket, h.key)})`).join(", ");
    const one = held.length === 1;
    const what = held.every((h) => "erased" in h && h.erased)
      ? `${names} may have held other content once: ${one ? "it was" : "they were"} deleted ` +
        `while the bucket's S3 versioning was suspended, which keeps no bytes to compare, only a ` +
        `"null" delete marker${one ? erasedHint(joinUri(this.bucket, held[0]!.key)) : ""}`
      : `${names} held other content once and ${one ? "was" : "were"} deleted: the ` +
        `bucket's S3 versioning keeps a delete marker over ${one ? "it" : "each"}`;
    if (found !== undefined && step !== undefined) {
      warn({
        key: publishedKey(p, found.version),
        message: `${what}; a version is never given other bytes (machines that cached the ` +
          `old ones keep serving them), so this publishes ${found.version}`,
      });
      return found.version;
    }
    throw new InvalidInputError(
      `cannot publish ${p} ${version}: ${what}. Publishing other content as ${version} would ` +
        `give one version two contents (machines that cached the old ${version} keep serving ` +
        `it, never asking the bucket again). ${
          found === undefined
            ? `The next ${MAX_VERSION_PROBES} versions were deleted too: publish past them with the version option`
            : `Publish past it with the version option ${found.version}`
        }; nothing was published`,
    );
  }

  // Uploads with a create-only write, verified, before the manifest points at it.
  async #publish(
    path: string,
    version: string,
    snapshot: SourceSnapshot,
    digest: SourceDigest,
    options: {
      onProgress?: ((p: { bytes: number; total: number }) => void) | undefined;
      onCheckProgress?: ((p: { bytes: number; total: number }) => void) | undefined;
      signal?: AbortSignal | undefined;
      onWarning?: ((warning: { key: string; message: string }) => void) | undefined;
      retryHint: string;
    },
  ): Promise<string> {
    const { publishVersion } = await import("./publish.ts");
    return await publishVersion(await this.#store(this.bucket), {
      ...options,
      onWarning: options.onWarning ?? consoleWarning,
      bucket: this.bucket,
      manifest: this.manifest,
      path,
      version,
      snapshot,
      digest,
    });
  }

  async #problemWith(
    path: string,
    value: string,
    lock: LockEntry | undefined,
    signal: AbortSignal | undefined,
    checked: { lock?: "sha256" | "size" } = {},
    onRead?: (progress: { bytes: number; total: number }) => void,
  ): Promise<string | undefined> {
    const withSignal = signal === undefined ? {} : { signal };
    const meaning = classifyValue(value, this.manifest);
    if (meaning.kind === "override") {
      const location = parseUri(meaning.location);
      if (location.scheme === "local") {
        const info = await Deno.stat(location.path).catch(() => undefined);
        return info?.isFile
          ? undefined
          : `override ${location.path} does not exist or is not a file`;
      }
      const { root, key } = splitLocation(meaning.location);
      const info = await (await this.#store(root)).head(key, withSignal);
      return info ? undefined : `override ${meaning.location} does not exist`;
    }
    const canonical = joinUri(this.bucket, versionedKey(path, meaning.version));
    // The canonical key, else the `/` key: the object `vc path` would read.
    const store = await this.#store(this.bucket);
    const found = await headVersion(
      store,
      path,
      meaning.version,
      withSignal,
    );
    if (found === undefined) {
      const slashed = slashedUri(this.bucket, versionedKey(path, meaning.version));
      return `${canonical} does not exist${
        slashed === undefined ? "" : ` (nor ${slashed})`
      }${await this.#whyMissing(path, meaning.version, canonical)}`;
    }
    const { info } = found;
    const uri = joinUri(this.bucket, found.key);
    // S3 HEADs an archived object as any other and refuses its GET: every
    // machine without a cached copy fails to read it (`vc path`, CI's prefill).
    if (info.archived !== undefined) {
      const where = parseUri(uri);
      // Days for GLACIER and DEEP_ARCHIVE; an Intelligent-Tiering archive tier takes none.
      const request = info.archived.startsWith("INTELLIGENT_TIERING") ? "'{}'" : "Days=7";
      return `${uri} is archived (storage class ${info.archived}): it cannot be read until it ` +
        "is restored, so a machine without a cached copy cannot read it: restore it first" +
        (where.scheme === "s3"
          ? ` (\`aws s3api restore-object --bucket ${where.bucket} --key ${
            shellWord(where.key)
          } --restore-request ${request}\`; it takes minutes to hours)`
          : "");
    }
    // The HEAD's size against the lock entry: catches a replaced object even
    // when nothing is cached (same-size replacements need `vc lock --check`).
    if (lock !== undefined && lock.size !== info.size) {
      return `${uri} has ${info.size} bytes, the lock file pins ${lock.size}; the object in ` +
        `the store was replaced (${LOCK_CHECK.library} compares contents)`;
    }
    const local = this.#cache.localPath(uri);
    const stat = await Deno.stat(local).catch(() => undefined);
    if (stat === undefined) {
      // Not cached: nothing more to compare without a download.
      if (lock !== undefined) checked.lock = "size";
      return undefined;
    }
    if (stat.size !== info.size) {
      return `cached copy ${local} has ${stat.size} bytes, ${uri} has ${info.size}${dropHint(uri)}`;
    }
    // A copy that differs from the store but is the locked content: the
    // store was replaced, and the copy is the one to keep, not to remove.
    // md5File's and digestSource's options that report a read of the copy
    // (seconds a GB) to onRead, from its start.
    const reading = () => {
      if (onRead === undefined) return {};
      onRead({ bytes: 0, total: info.size });
      return { onProgress: (bytes: number) => onRead({ bytes, total: info.size }) };
    };
    // The copy's MD5 and SHA-256 from one read, made once: with a lock, the
    // MD5 check, the SHA-256 check and the look at a mismatch all use it (a
    // copy of a GB was read two or three times, its progress restarting).
    let copyDigest: Promise<SourceDigest> | undefined;
    const digestOfCopy = () => copyDigest ??= digestSource(local, { ...withSignal, ...reading() });
    const lockedCopy = async () =>
      lock !== undefined && (await digestOfCopy()).sha256 === lock.sha256;
    const replaced = () =>
      `${uri} no longer holds the locked content: the object in the store was replaced ` +
      `(its size is the same); the cached copy ${local} is the locked content, keep it ` +
      `(${LOCK_CHECK.library} compares the store's contents)`;
    const expected = statedMd5(info);
    // Whether the copy was found to be the store's content (its MD5 or
    // multipart ETag): then a SHA-256 other than the lock's is the store's too.
    let sameAsStore = false;
    signal?.throwIfAborted();
    if (expected !== undefined) {
      const actual = lock !== undefined
        ? (await digestOfCopy()).md5
        : await md5File(local, reading());
      if (actual !== expected.toLowerCase()) {
        if (await lockedCopy()) return replaced();
        return `cached copy ${local} has MD5 ${actual}, ${uri} has ${expected}${dropHint(uri)}`;
      }
      sameAsStore = true;
    } else if (
      parseEtag(info.etag).kind === "multipart" && info.opaqueEtag !== true &&
      !this.#cache.holdsVersion(uri, info)
    ) {
      // No MD5 (a multipart upload by another tool), and the copy was not
      // downloaded from this object (its record names another ETag: replaced
      // behind vc's back since, or cached without a record): the copy is
      // compared with the object's multipart ETag, so a same-size replacement
      // is found, locked or not. The lock file's SHA-256 below only says the
      // copy is the published content, not that the store still holds it.
      const { fileHasMultipartEtag } = await import("../verify.ts");
      if (!(await fileHasMultipartEtag(store, found.key, local, info, reading()))) {
        if (await lockedCopy()) return replaced();
        return `cached copy ${local} does not have the multipart ETag ${info.etag} of ${uri}: ` +
          `the object in the store was replaced or the copy changed${dropHint(uri)}`;
      }
      sameAsStore = true;
    }
    if (lock === undefined) return undefined;
    signal?.throwIfAborted();
    const sha = (await digestOfCopy()).sha256;
    if (sha === lock.sha256) {
      checked.lock = "sha256";
      return undefined;
    }
    if (sameAsStore) {
      // Removing the copy would not help (the next use refuses the store's
      // bytes), and would hide the replacement from the next `vc verify`
      // (size only, the same size): the store is what changed.
      return `${uri} does not hold the locked content: it and its cached copy ${local} have ` +
        `SHA-256 ${sha}, the lock file pins ${lock.sha256}; the object in the store was ` +
        `replaced (${LOCK_CHECK.library} compares the store's contents)`;
    }
    return `cached copy ${local} has SHA-256 ${sha}, the lock file pins ${lock.sha256}${
      dropHint(uri)
    }`;
  }

  // The manifest's entries for lookups, parsed once per version of the file: a
  // stat per call decides whether the cached parse is still the file's content,
  // so `vc update` in another process is seen by the next lookup. The stat
  // comes before the read, so a change racing the read only costs a re-read.
  // Residual blind spot: a same-size rewrite in place (same inode) within the
  // mtime's millisecond; vc itself writes by rename (a new inode) and forgets
  // the cache after its own writes. The stat is synchronous, as the asset
  // cache's warm checks are: an async one costs a hop to Deno's thread pool,
  // ~90% of a warm path() call (scripts/bench/versioned_warm_path.ts).
  async #entries(): Promise<Readonly<ManifestEntries>> {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(this.manifest);
    } catch (error) {
      this.#parsed = undefined;
      // The reader turns a missing file, or one the script may not read,
      // (or one under a file, naming it) into the error users should see.
      if (
        error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
        error instanceof Deno.errors.NotCapable
      ) {
        return await this.#readEntries();
      }
      throw error;
    }
    const mtime = info.mtime?.getTime();
    if (mtime === undefined) return await this.#readEntries();
    const identity = `${info.dev}:${info.ino ?? ""}:${mtime}:${info.size}`;
    if (this.#parsed?.identity !== identity) {
      const entries = this.#readEntries().then((e) => Object.freeze(e));
      const parsed = { identity, entries };
      this.#parsed = parsed;
      // A failed read is not kept, so the next call tries again.
      entries.catch(() => {
        if (this.#parsed === parsed) this.#parsed = undefined;
      });
    }
    return await this.#parsed.entries;
  }

  // The manifest as a write reads it, refusals said as #readEntries says them.
  #readSnapshot(): Promise<ManifestSnapshot> {
    return readManifestSnapshot(this.manifest, { allowMissing: true }).catch((error) => {
      throw withPinBucket(error, this.bucket);
    });
  }

  // The manifest's entries; its refusal of a pre-release pin names the
  // override with this bucket's URI.
  #readEntries(): Promise<ManifestEntries> {
    return this.#readManifest(this.manifest).catch((error) => {
      throw withPinBucket(error, this.bucket);
    });
  }

  /**
   * Creates the manifest's directory before anything is published, so a
   * missing directory cannot leave a version in the bucket that no manifest
   * pins.
   */
  async #prepareManifestDir(): Promise<void> {
    try {
      await Deno.mkdir(dirname(this.manifest), { recursive: true });
    } catch (cause) {
      // A script's --allow-write that leaves it out (the directory may well exist).
      throw asAccessDenied(
        cause,
        `cannot write manifest ${this.manifest}`,
        dirname(this.manifest),
      ) ??
        new VcError(
          `cannot create the directory of manifest ${this.manifest}: ${(cause as Error).message}`,
          { cause },
        );
    }
    // The pin's writes, tried before the upload rather than failing after it.
    await checkLockFileWritable(this.manifest, this.lockFile);
  }

  /**
   * Pins `version` of `path` in the manifest after it was published. If that
   * write fails, the version is in the bucket already: say so, and how to pin
   * it by hand, since `vc add` would now refuse the path. `read` is the
   * command's own read of the manifest: its parse is reused while the file
   * still holds that text, so the manifest is parsed once per command.
   */
  async #pin(
    path: string,
    version: string,
    digest: SourceDigest,
    read: ManifestSnapshot,
    options: Pick<VersionedAddOptions, "signal" | "onWarning">,
    forced = false,
    uploaded?: string,
  ): Promise<void> {
    const { signal } = options;
    let failed = `manifest ${this.manifest}`;
    let hint = `add "${path}": "${version}" to ${this.manifest} by hand`;
    try {
      // One cross-process lock for both files, so they change together. The
      // lock file first: an entry for a version no manifest pins yet is
      // harmless, while a pinned version without its entry is what frozen
      // mode refuses and what lets a replaced object through.
      await withLockFileWrite(this.manifest, this.lockFile, async (target) => {
        // A store whose create-only write is not atomic for multipart
        // uploads (moto) lets two of them land at one key, each verified
        // right after its own completion: under the lock, which every pin
        // of this manifest and lock file takes in turn, the key must still
        // hold this upload, or the other writer's content would be pinned
        // as this file's.
        if (uploaded !== undefined && parseEtag(uploaded).kind === "multipart") {
          const now = await (await this.#store(this.bucket)).head(versionedKey(path, version));
          if (now === undefined || normalizeEtag(now.etag) !== normalizeEtag(uploaded)) {
            throw new PinRefused(
              new InvalidInputError(
                `another upload replaced this one at that key meanwhile (the store did not ` +
                  `refuse a second create-only upload); it was left as it is; run the command ` +
                  `again`,
              ),
            );
          }
        }
        if (this.lockFile !== undefined) {
          failed = `lock file ${this.lockFile}`;
          hint = `${this.manifest} was not changed; add "${path}": "${version}" to it by hand, ` +
            `then run ${LOCK.library}`;
          await updateLockFile(this.lockFile, (locks) => {
            const had = locks[lockKey(path, version)];
            // Another process pinned other content for this version
            // meanwhile (a store whose create-only write is not atomic let
            // both uploads land): never replace what the lock file pins.
            if (had !== undefined && (had.size !== digest.size || had.sha256 !== digest.sha256)) {
              throw new PinRefused(
                new InvalidInputError(
                  `it already locks other content for ${path} ${version} (sha256 ` +
                    `${had.sha256}, this file's is ${digest.sha256}): another process ` +
                    `published that version meanwhile; check it with ${LOCK_CHECK.library}`,
                ),
              );
            }
            locks[lockKey(path, version)] = { size: digest.size, sha256: digest.sha256 };
          });
          failed = `manifest ${this.manifest}`;
          hint = `add "${path}": "${version}" to it by hand (the lock file has its entry)`;
        }
        await rewriteManifest(target, this.manifest, (entries) => {
          // Looked at again under the lock: another process may have pinned
          // the path's other Unicode spelling since this command's first look.
          try {
            refuseLookalike(path, entries, this.manifest);
          } catch (e) {
            throw e instanceof InvalidInputError ? new PinRefused(e) : e;
          }
          refuseDowngrade(path, version, entries[path], read.entries[path]);
          entries[path] = version;
        }, read);
      }, {
        signal,
        // Said to the caller (the CLI prints it), once per process.
        onWarning: ({ message }) =>
          (options.onWarning ?? consoleWarning)({ key: versionedKey(path, version), message }),
        // The version is published; a holder stopped with Ctrl-Z holds the
        // lock for as long as it stays stopped, and a silent wait looks hung.
        onWait: (lock) =>
          (options.onWarning ?? consoleWarning)({
            key: versionedKey(path, version),
            kind: "wait",
            message: `waiting for ${lockHolder(lock)}, which holds ${lock}, the lock of ` +
              `manifest ${this.manifest}, to pin ${path} ${version} there; ${path} ${version} ` +
              "is published: Ctrl-C stops the wait, and the same command run again pins it",
          }),
      });
    } catch (cause) {
      const published = joinUri(this.bucket, versionedKey(path, version));
      // Interrupted while another process held the lock (nothing written):
      // the same command again finds the version holding the file and pins it.
      if (cause instanceof DOMException && cause.name === "AbortError") {
        throw new VcError(
          `interrupted: published ${published} but did not pin it in ${this.manifest}; ` +
            `run the same command again${forced ? " without the force option" : ""} to pin it`,
          { cause },
        );
      }
      // Refused under the lock (the path's other spelling pinned meanwhile):
      // pinning it by hand would do what the refusal prevents.
      if (cause instanceof PinRefused) {
        throw new InvalidInputError(
          `published ${published} but did not pin it in ${failed}: ${cause.message}`,
          { cause: cause.refusal },
        );
      }
      throw new VcError(
        `published ${published} but could not write ${failed}: ${
          (cause as Error).message
        }; ${hint}`,
        { cause },
      );
    } finally {
      this.#forgetManifest();
    }
  }

  #forgetManifest(): void {
    this.#parsed = undefined;
    this.#lockParsed = undefined;
  }

  /**
   * Refuses, before anything is read or published, a manifest or lock file
   * that is a FIFO, socket or device (`--manifest <(git show …)`, a pipe):
   * reading commands may read one, but `add` and `update` read it again under
   * the lock and rewrite it by a rename, so after the upload they would block
   * for ever on a FIFO no one writes again, or fail, leaving the version
   * published and unpinned. A directory is left to the read, which says so.
   */
  #refuseSpecialFiles(path: string): void {
    const files: Array<[string, string | undefined]> = [
      ["manifest", this.manifest],
      ["lock file", this.lockFile],
    ];
    for (const [what, file] of files) {
      if (file === undefined) continue;
      const kind = notRegularFileKind(file);
      if (kind === undefined || kind === "a directory") continue;
      throw new InvalidInputError(
        `${what} ${file} is ${kind}, not a regular file: publishing ${path} rewrites the ` +
          `${what}, which only a regular file can be; nothing was published`,
      );
    }
  }

  #refuseFrozen(command: string): void {
    if (!this.frozen) return;
    throw new FrozenError(
      `${command} changes the lock file ${this.lockFile ?? "(none)"}, and frozen mode ` +
        `(the frozen option / VC_FROZEN) refuses that; run it without the frozen option and ` +
        "commit the result",
    );
  }

  /**
   * The lock file's entries (undefined: no lock file), parsed once per
   * version of the file, like the manifest.
   */
  async #lockEntries(): Promise<LockEntries | undefined> {
    const file = this.lockFile;
    if (file === undefined) return undefined;
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.statSync(file); // synchronous, as the manifest's (#entries)
    } catch {
      info = undefined;
    }
    const identity = info === undefined
      ? "missing"
      : `${info.dev}:${info.ino ?? ""}:${info.mtime?.getTime() ?? Math.random()}:${info.size}`;
    if (this.#lockParsed?.identity !== identity) {
      const entries = readLockFile(file);
      const parsed = { identity, entries };
      this.#lockParsed = parsed;
      entries.catch(() => {
        if (this.#lockParsed === parsed) this.#lockParsed = undefined;
      });
    }
    return await this.#lockParsed.entries;
  }

  /**
   * The store of the bucket (opened once, closed by {@linkcode VersionedCache.close}).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: dir });
   *   assert.equal(await (await vc.bucketStore()).head("nothing"), undefined);
   *   await vc.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  bucketStore(): Promise<ObjectStore> {
    return this.#store(this.bucket);
  }

  /**
   * The lock file's entries, for `vc lock` (undefined: no lock file).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AssetCache } from "../cache/asset_cache.ts";
   * import { fillLock } from "./lock_ops.ts";
   * import { VersionedCache } from "./versioned_cache.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/bucket`);
   *   await Deno.writeTextFile(`${dir}/bucket/a.1.0.0.csv`, "a");
   *   await Deno.writeTextFile(`${dir}/m.json`, '{"/a.csv": "1.0.0"}');
   *   await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket`,
   *     cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }) });
   *   assert.equal(await vc.lockEntries(), undefined); // no lock file yet
   *   await fillLock(vc);
   *   assert.equal((await vc.lockEntries())?.["/a.csv@1.0.0"]?.size, 1);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  lockEntries(): Promise<LockEntries | undefined> {
    return this.#lockEntries();
  }

  // Adds the lock entry's expectation to a versioned asset; in frozen mode,
  // refuses assets the lock file does not pin.
  #locked(asset: VersionedAsset, locks: LockEntries | undefined): VersionedAsset {
    // No lock file to look in, none required: nothing to add (no key to build).
    if (locks === undefined && !this.frozen) return asset;
    if (asset.version === undefined) {
      if (this.frozen) {
        throw new FrozenError(
          `${asset.path} is an override (${asset.uri}) and frozen mode (the frozen option / VC_FROZEN) ` +
            `accepts only locked versions; pin a version in ${this.manifest}`,
        );
      }
      return asset;
    }
    // Its path as the manifest's parse or `resolve` normalized it.
    const key = `${asset.path}@${asset.version}`;
    const entry = locks?.[key];
    if (entry === undefined) {
      if (this.frozen) {
        // A lock file that is not there (not committed, or named wrong) is
        // said as such: "no entry in" it sent the reader looking for entries.
        const missing = locks === undefined && this.lockFile !== undefined
          ? ", which does not exist,"
          : "";
        throw new FrozenError(
          `${key} has no entry in lock file ${this.lockFile ?? "(none)"}${missing} and frozen ` +
            `mode (the frozen option / VC_FROZEN) refuses unlocked entries; run ${LOCK.library} and commit the ` +
            "lock file",
        );
      }
      return asset;
    }
    const label = `${key} (locked in ${this.lockFile})`;
    if (this.lockFile === undefined) return { ...asset, integrity: { ...entry, label } };
    const lockedIn = { file: this.lockFile, entry: key };
    return { ...asset, integrity: { ...entry, label, lockedIn } };
  }

  // What a manifest value (already validated by parsing) means for `path`.
  #asset(path: string, value: string): VersionedAsset {
    const meaning = classifyValue(value, this.manifest);
    if (meaning.kind === "override") return { path, uri: meaning.location, immutable: false };
    return this.#versioned(path, meaning.version);
  }

  // `path` as normalizeVersionedPath returns it, `version` a version: each
  // caller has checked them (the manifest's parse, `resolve`), so they are
  // not checked again per entry.
  #versioned(path: string, version: string): VersionedAsset {
    const key = checkedVersionedKey(path, version);
    const asset: VersionedAsset = {
      path,
      uri: joinUri(this.bucket, key),
      version,
      immutable: true,
    };
    const slashed = slashedUri(this.bucket, key);
    if (slashed !== undefined) asset.slashedUri = slashed;
    if (/^file:\/\//i.test(this.bucket)) asset.storeRoot = this.bucket;
    return asset;
  }

  #notInManifest(path: string, known: string[]): NotFoundError {
    const lookalike = unicodeLookalike(path, known);
    if (lookalike !== undefined) {
      return new NotFoundError(
        `${escapedUnicode(path)} is not in manifest ${this.manifest}, which spells it ` +
          `${escapedUnicode(lookalike)} (Unicode ${
            spellingDifference(path, lookalike)
          }); use the manifest's spelling`,
      );
    }
    const listed = (p: string): boolean => {
      try {
        return known.includes(normalizeVersionedPath(p));
      } catch {
        return false; // not a versioned path at all: no hint from it
      }
    };
    // `PATH@VERSION` is the list-file form; here the version is an argument.
    // What only looks like one (`1.0`, a git tag's `v1.0.0`) is caught too:
    // a list line `/a.csv@1.0` was "not in manifest", not saying why. A
    // pre-release (`@2.0.0-rc.1`) is a version, and build metadata
    // (`@2.0.0+ci.7`) a version attempt.
    const at = /^(.*)@([vV]?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(path);
    if (at !== null && listed(at[1]!)) {
      // `1.02.0` looks like a version but is none (a leading zero): giving it
      // as an argument would fail too, and a list file has no argument to give
      // (its `PATH@VERSION` is split only at a valid version).
      if (!isVersion(at[2]!)) {
        return new NotFoundError(
          `${path} is not in manifest ${this.manifest}; ${at[2]} is not a version of ${at[1]}: ` +
            "a version is MAJOR.MINOR.PATCH or a pre-release of one, without leading zeros, " +
            `a \`v\` or build metadata (e.g. 1.2.5, 2.0.0-rc.1)${spellingHint(at[2]!, 3)}`,
        );
      }
      return new NotFoundError(
        `${path} is not in manifest ${this.manifest}; to read version ${at[2]} of ${at[1]}, ` +
          `give the version as its own argument (\`${at[1]} ${at[2]}\`)`,
      );
    }
    // A list line `/a.csv  # the model` (or `/a.csv@1.0.0  # pinned`): its
    // comment was read as part of the path.
    const commented = beforeInlineComment(path);
    if (
      commented !== undefined &&
      (listed(commented) || listed(commented.replace(/@[^@]*$/, "")))
    ) {
      return new NotFoundError(
        `${path} is not in manifest ${this.manifest}; ${INLINE_COMMENT_HINT}`,
      );
    }
    // A bucket key copied from a listing (`aws s3 ls`, the URI `vc path-remote`
    // prints) where the asset's path goes: name the path and version it is.
    const key = keyNamedBy(path, known);
    if (key !== undefined) {
      return new NotFoundError(
        `${path} is not in manifest ${this.manifest}; it names the bucket key of version ` +
          `${key.version} of ${key.path}: give the path and the version as two arguments ` +
          `(\`${key.path} ${key.version}\`)`,
      );
    }
    return new NotFoundError(
      `${path} is not in manifest ${this.manifest}${didYouMean(path, known)}`,
    );
  }
}

// Versions a not-found error lists before it only counts the rest: an asset
// with 1,200 versions would otherwise make a 10 KB line that buries the error.
const MAX_LISTED_VERSIONS = 20;

/**
 * `versions` (ascending) as a not-found error names them: all of a few, else
 * their count and the latest `MAX_LISTED_VERSIONS`, naming the command that
 * lists them all. With `missing`, the version asked for, also the versions
 * on either side of it when the latest ones leave them out: a version gone
 * from the middle of a long history (`3.5.0` of hundreds) was otherwise
 * shown only beside versions far from it.
 */
function availableVersions(versions: readonly string[], missing?: string): string {
  if (versions.length <= MAX_LISTED_VERSIONS) return versions.join(", ");
  let nearest = "";
  if (missing !== undefined) {
    const above = versions.findIndex((v) => compareVersions(v, missing) > 0);
    if (above !== -1 && above < versions.length - MAX_LISTED_VERSIONS) {
      nearest = above === 0
        ? ` the nearest: ${versions[above]} above it;`
        : ` the nearest: ${versions[above - 1]} below it, ${versions[above]} above it;`;
    }
  }
  return `${versions.length} versions,${nearest} the latest ${MAX_LISTED_VERSIONS}: ${
    versions.slice(-MAX_LISTED_VERSIONS).join(", ")
  } (${VERSIONS.library} lists them all)`;
}

/**
 * The clause naming the version among `versions` that differs from `missing`
 * only in letter case (`1.0.0-rc.1` for `1.0.0-RC.1`), or `""`: pre-release
 * identifiers tell case apart, so it is another version, yet the one meant,
 * and among many versions it may not be one of those listed.
 */
function versionInOtherCase(versions: readonly string[], missing: string): string {
  const lower = missing.toLowerCase();
  const twin = versions.find((v) => v !== missing && v.toLowerCase() === lower);
  return twin === undefined
    ? ""
    : `; ${twin} differs from it only in letter case (pre-release identifiers tell case ` +
      "apart): use that spelling";
}

/**
 * For a version missing from a directory bucket (`key`, at `uri`, its
 * `file://` URI): what sits at its key when that is no object of the store, as a
 * clause naming it: a symbolic link (and where it leads), which the store
 * never reads through, or a FIFO, socket or device. `""` for anything else
 * (nothing there; a file, which is the version; a directory, whose keys
 * the listing names; a key in an `s3://` bucket).
 */
async function nonObjectAtKey(uri: string, key: string): Promise<string> {
  if (!/^file:\/\//i.test(uri)) return "";
  const at = fromFileUrl(uri);
  const info = await Deno.lstat(at).catch(() => undefined);
  if (info === undefined || info.isFile || info.isDirectory) return "";
  const target = info.isSymlink ? await Deno.readLink(at).catch(() => undefined) : undefined;
  return `; ${key} is ${fileKind(info)}${
    target === undefined ? "" : ` (to ${target})`
  }, which a directory bucket does not read as a version (only a regular file is one; vc ` +
    `never reads through links there): put the file itself there`;
}

/**
 * Why `dir` (absolute) cannot be the directory `vc sync` writes into, or
 * `undefined` when it is one or can be made (a missing one is).
 */
async function destDirProblem(dir: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(dir);
    return info.isDirectory ? undefined : "it is a file, not a directory";
  } catch (error) {
    if (error instanceof Deno.errors.NotADirectory) {
      const file = fileAbove(dir);
      return `a file is where one of its directories belongs${
        file === undefined ? "" : `: ${file}`
      }`;
    }
    if (error instanceof Deno.errors.FilesystemLoop) {
      return `symbolic links on its path loop (${LINK_LOOP})`;
    }
    if (!(error instanceof Deno.errors.NotFound)) return undefined; // each entry says why
  }
  // Missing: made on the way, unless what exists of it is a dangling link
  // (making the directory would fail with "File exists").
  for (let at = dir; at !== dirname(at); at = dirname(at)) {
    const info = await Deno.lstat(at).catch(() => undefined);
    if (info === undefined) continue;
    if (!info.isSymlink || (await Deno.stat(at).then(() => true, () => false))) return undefined;
    const target = await Deno.readLink(at);
    return `${at === dir ? "it" : at} is a symbolic link to ${target}, which does not exist`;
  }
  return undefined;
}

/** How to drop a bad cached copy (the next use downloads it again). */
function dropHint(uri: string): string {
  return `; remove it with ${removeCopy(uri)} (the next use downloads it again)`;
}

/**
 * Frozen mode (`--frozen`, `VC_FROZEN=1`) refused an unlocked entry, an
 * override, or a change to the lock file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrozenError } from "./versioned_cache.ts";
 * import { InvalidInputError } from "../errors.ts";
 * assert(new FrozenError("x") instanceof InvalidInputError);
 * ```
 */
export class FrozenError extends InvalidInputError {}

// Whether `signal` was aborted and `error` is its own reason, an AbortError,
// or an error that wraps either: an entry the stop cut (not failed, not done).
function stoppedBy(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && findCause(
        error,
        (e) => e === signal.reason || (e instanceof DOMException && e.name === "AbortError"),
      ) !== undefined;
}

function alreadyPublished(
  path: string,
  published: string[],
  bucket: string,
  manifest: string,
): InvalidInputError {
  return new InvalidInputError(
    // Capped as a missing version's list: a path of thousands of versions
    // made this one line of hundreds of kilobytes.
    `${path} already has versions in ${bucket} (${
      availableVersions(published)
    }); pin one in ${manifest} or publish a new one with ${UPDATE.library}`,
  );
}

/**
 * The asset and version whose bucket key `path` spells (`/foo/bar.1.0.0.csv`
 * for `/foo/bar.csv` 1.0.0, copied from `aws s3 ls` or `vc path-remote`)
 * when the manifest has that asset and not `path` itself; else `undefined`.
 * Such a path is a legal asset name of its own, so it is only named.
 */
function keyNamedBy(path: string, manifestPaths: readonly string[]): VersionedKey | undefined {
  if (manifestPaths.includes(path)) return undefined;
  const key = parseVersionedKey(path);
  return key !== undefined && manifestPaths.includes(key.path) ? key : undefined;
}

function alreadyInManifest(path: string, value: string, manifest: string): InvalidInputError {
  return new InvalidInputError(
    isVersion(value)
      ? `${path} is already versioned at ${value} in ${manifest}; did you mean ${UPDATE.library}?`
      : `${path} is already in ${manifest} (override ${value}); did you mean ${UPDATE.library}?`,
  );
}

// `s3://b/dir/k` → root `s3://b`, key `dir/k`; `file:///a/b/c` → `file:///a/b`, `c`.
function splitLocation(uri: string): { root: string; key: string } {
  const parsed = parseUri(uri);
  if (parsed.scheme === "s3") return { root: `s3://${parsed.bucket}`, key: parsed.key };
  return {
    root: toStoreUri(dirname(parsed.path)),
    key: parsed.path.slice(dirname(parsed.path).length + 1),
  };
}

/** The pin itself refused under the manifest's lock (not a failure to write it). */
class PinRefused extends Error {
  constructor(readonly refusal: InvalidInputError) {
    super(refusal.message, { cause: refusal });
  }
}

// Two spellings of one name (NFC "é" and NFD "e" + accent) look identical in
// every listing but are different keys and different assets; adding the
// second beside the first would fork the asset unseen.
function refuseLookalike(path: string, entries: Readonly<ManifestEntries>, manifest: string) {
  const other = unicodeLookalike(path, Object.keys(entries));
  if (other === undefined) return;
  throw new InvalidInputError(
    `${escapedUnicode(path)} and the manifest entry ${escapedUnicode(other)} in ${manifest} ` +
      `look the same but are spelled differently in Unicode (${
        spellingDifference(path, other)
      }); use the manifest's spelling (copy it from the manifest)`,
  );
}

// Letter case tells paths apart in bucket keys and on Linux, so a path that
// differs from a manifest entry only in case is an asset of its own, not
// refused; but it is usually a slip (a file named `Table.csv` given its own
// name), and on macOS and Windows the two cannot be files in one directory:
// said before the upload, which cannot be taken back.
function warnCaseTwin(
  path: string,
  version: string,
  entries: Readonly<ManifestEntries>,
  manifest: string,
  onWarning: VersionedAddOptions["onWarning"],
) {
  const folded = foldName(path);
  const twin = Object.keys(entries).find((k) => k !== path && foldName(k) === folded);
  const key = versionedKey(path, version);
  if (twin === undefined) {
    // `/Data` beside `/data/x.csv`: a file and a folder of two names on
    // Linux, of one where case is not told apart (one of the two spelled
    // alike, `/a` beside `/a/b`, is refused before this).
    const below = (a: string, b: string) => b.startsWith(`${a}/`);
    const other = Object.keys(entries).find((k) =>
      below(folded, foldName(k)) || below(foldName(k), folded)
    );
    if (other === undefined) return;
    const [outer, inner] = below(folded, foldName(other)) ? [path, other] : [other, path];
    (onWarning ?? consoleWarning)({
      key,
      message: `${path} and ${other}, which ${manifest} has, would be a file and a folder of ` +
        `one name where letter case is not told apart (${inner} lies below ${outer} but for ` +
        `letter case); it is published as an asset of its own (${key}), but on macOS and ` +
        `Windows, whose file names ignore case, ${SYNC.library} cannot write both`,
    });
    return;
  }
  (onWarning ?? consoleWarning)({
    key,
    message: `${path} differs from ${twin}, which ${manifest} has, only in letter case; it is ` +
      `published as an asset of its own (${key}), and on macOS and Windows, whose file names ` +
      `ignore case, ${SYNC.library} cannot write both. To publish a new version of ${twin}, give its ` +
      `spelling (${updatePath(twin)})`,
  });
}

// A path no Windows checkout can hold as a file (`/con/x.csv`, `/d/a:b.csv`,
// `/dir./x.csv`) is a real file on Linux and macOS, so not refused; but
// `vc sync` on Windows refuses the manifest over it, and a version is
// never removed: said before the upload, naming the segment and why. So is
// a path `vc sync` refuses on Linux and macOS too: a segment longer than
// their 255-byte file names (`é` is 2 bytes, one UTF-16 unit on Windows),
// or a name of the form of vc's temp files, refused everywhere (in any
// letter case where DEST folds names). `vc path` reads them all (the cache
// encodes such names).
async function warnUnsyncableName(
  path: string,
  version: string,
  onWarning: VersionedAddOptions["onWarning"],
) {
  const rel = path.slice(1);
  const { tempNameProblem } = await import("../atomic_write.ts");
  const temp = tempNameProblem(rel.slice(rel.lastIndexOf("/") + 1), true);
  const long = localPathProblem(rel, false);
  const windows = localPathProblem(rel, true);
  const [where, why] = temp !== undefined
    ? ["on any system", `its ${temp}`]
    : long !== undefined
    ? [windows === undefined ? "on Linux or macOS" : "on Linux, macOS or Windows", long]
    : ["on Windows", windows];
  if (why === undefined) return;
  const key = versionedKey(path, version);
  (onWarning ?? consoleWarning)({
    key,
    message: `${path} cannot be a file ${where} (${why}); it is published (${key}), and ` +
      `${RESOLVE_PATH.library} reads it there too (the cache encodes such names), but ${SYNC.library} ` +
      `${where} ` +
      `refuses a manifest that pins it: if ${
        temp === undefined ? `checkouts ${where} sync` : "any checkout syncs"
      }, publish it under another name instead`,
  });
}

// A new path whose key baiji-pod's listing reads as another version (a
// number before the extension, `/d/data.2.csv`: `d/data.2.1.0.0.csv` is 2.1.0
// to it): said before the first upload, while the name can still change.
// A pre-release is read as its release by baiji-pod (documented): no word.
// A name holding the version published (`/d/a.1.0.0.tar.gz` at 1.0.0) reads
// right by chance, and every later version as that number: the next patch's
// key is read too.
function warnBaijiPodReading(
  path: string,
  version: string,
  onWarning: VersionedAddOptions["onWarning"],
) {
  const key = versionedKey(path, version);
  const release = version.replace(/-.*$/s, "");
  const read = baijiPodVersionOf(key);
  let what = `${key} as ${read === undefined ? "no version" : `version ${read}`}, not ${version}`;
  if (read === release) {
    const [major, minor, patch] = release.split(".");
    const next = `${major}.${minor}.${Number(patch) + 1}`;
    const nextKey = isVersion(next) ? versionedKey(path, next) : undefined;
    const nextRead = nextKey === undefined ? next : baijiPodVersionOf(nextKey);
    if (nextRead === next) return;
    what = `${nextKey} (the key of its next version, ${next}) as ${
      nextRead === undefined ? "no version" : `version ${nextRead}`
    }, not ${next}`;
  }
  (onWarning ?? consoleWarning)({
    key,
    message:
      `baiji-pod reads ${what} (it takes the first N.N.N in a key); vc reads it right, but where ` +
      "baiji-pod still lists or updates this bucket it will show and bump the wrong version " +
      `of ${path}: if it does, publish under a name with no number between dots ` +
      "(data-2.csv, not data.2.csv)",
  });
}

// Another process pinned a higher version of the path after this command read
// the manifest (two updates of one path, the later one listing the bucket
// after this one's upload): pinning this one over it would take the manifest
// back to an older version and silently drop the pin the other process
// reported. A higher pin that was there when the command read the manifest
// is the command's own business (checked before it published).
function refuseDowngrade(
  path: string,
  version: string,
  now: string | undefined,
  whenRead: string | undefined,
) {
  if (now === undefined || now === whenRead || !isVersion(now)) return;
  if (compareVersions(now, version) <= 0) return;
  throw new PinRefused(
    new InvalidInputError(
      `another process pinned ${path} ${now} meanwhile, a higher version, which was kept; ` +
        `publish past it with ${UPDATE.library} if this file should be the latest`,
    ),
  );
}

/**
 * The files of `vc` that a copy out must not replace (see
 * {@linkcode ownFileAt}): its manifest, the manifest's lock guard and its
 * lock file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownFiles } from "./versioned_cache.ts";
 * const own = ownFiles({ manifest: "/w/m.json", lockFile: "/w/m.lock.json" });
 * assert.deepEqual(own.map(([p]) => p), ["/w/m.json", "/w/.m.json.lock", "/w/m.lock.json"]);
 * ```
 */
export function ownFiles(
  vc: Pick<VersionedCache, "manifest" | "lockFile">,
): [path: string, name: string][] {
  return [
    [vc.manifest, "the manifest"],
    [manifestLockPath(vc.manifest), "the manifest's lock guard"],
    ...(vc.lockFile === undefined ? [] : [[vc.lockFile, "the lock file"] as [string, string]]),
  ];
}

/**
 * Where a version removed from an `s3://` bucket with S3 versioning may still
 * be: a delete (`aws s3 rm`, a lifecycle rule) only hides the object behind a
 * delete marker, and vc reads current objects only, so the way back is the
 * aws CLI's. Nothing for other stores, which keep no old versions.
 */
function noncurrentHint(uri: string): string {
  const parsed = parseUri(uri);
  if (parsed.scheme !== "s3") return "";
  return `; if it was deleted from a bucket with S3 versioning, its bytes may remain as a ` +
    `noncurrent version: \`aws s3api list-object-versions --bucket ${parsed.bucket} --prefix ` +
    `${shellWord(parsed.key)}\` lists them; deleting the delete marker it lists ` +
    `(\`aws s3api delete-object --bucket ${parsed.bucket} --key ${shellWord(parsed.key)} ` +
    `--version-id MARKER_ID\`) brings the last one back, as does copying one over the key`;
}

/**
 * How to clear the `"null"` delete marker over `uri`'s key, for a version
 * deleted while S3 versioning was suspended that never held an object.
 */
function erasedHint(uri: string): string {
  const parsed = parseUri(uri);
  if (parsed.scheme !== "s3") return "";
  return ` (if it never held an object, \`aws s3api delete-object --bucket ${parsed.bucket} ` +
    `--key ${shellWord(parsed.key)} --version-id null\` removes the marker)`;
}

// The version `vc update` bumps from, among the bucket's `published`
// (ascending): the latest release, as a pre-release (`2.0.0-rc.1`) is no
// version to build on unless asked for; but a pre-release the manifest pins
// above it, whose line the project follows (`--patch` releases 2.0.0); and
// with no release at all, the highest pre-release (`--patch` releases it).
// A bump never gives a pre-release: only `--version` publishes one.
function bumpBase(published: readonly string[], pinned: string | undefined): string | undefined {
  const release = published.findLast(isRelease);
  if (
    pinned !== undefined && isVersion(pinned) && !isRelease(pinned) && published.includes(pinned)
  ) {
    if (release === undefined || compareVersions(pinned, release) > 0) return pinned;
  }
  return release ?? published.at(-1);
}

/**
 * One entry's {@linkcode VersionedVerifyResult}: ok when there is no
 * `problem`; `checked` (what the lock entry was compared by) is told only of
 * an ok entry, `cached` only by an offline verify.
 */
function verifyResult(
  path: string,
  version: string,
  lock: LockEntry | undefined,
  problem: string | undefined,
  checked: VersionedVerifyResult["lockChecked"],
  cached?: VersionedVerifyResult["cached"],
): VersionedVerifyResult {
  const result: VersionedVerifyResult = {
    path,
    version,
    ok: problem === undefined,
    locked: lock !== undefined,
  };
  if (cached !== undefined) result.cached = cached;
  if (problem !== undefined) result.problem = problem;
  else if (checked !== undefined) result.lockChecked = checked;
  return result;
}
