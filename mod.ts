/**
 * vc: a safe, fast home on S3 (or any S3-compatible store, or a plain
 * directory) for the data files code depends on.
 *
 * This module holds what an application calls: {@linkcode cache} /
 * {@linkcode AssetCache} (a verified local copy of a remote object),
 * {@linkcode VersionedCache} (manifest-pinned versions), {@linkcode prefill}
 * (fill a cache in parallel), {@linkcode openStore}, the error classes (with
 * {@linkcode isMissingKey}, {@linkcode errorKind} and {@linkcode ERROR_KINDS})
 * and the types these take and return. Everything else lives under subpaths:
 *
 * - `@vc/vc/store`: `S3Store`, `FsStore`, `MemoryStore`, `downloadToFile`,
 *   URI and ETag helpers;
 * - `@vc/vc/versioned`: manifest, naming and version helpers;
 * - `@vc/vc/prefill`: list files for `prefill`;
 * - `@vc/vc/config`: settings resolution and default directories;
 * - `@vc/vc/testing`: fake S3 server, `MemoryStore`, `ManualClock`, and the
 *   `ObjectStore` contract suite;
 * - `@vc/vc/repo`: `Repository`, files with states, tags and claims in a
 *   store, with a SQLite or PostgreSQL catalog;
 * - `@vc/vc/server`: the `vc serve` cache service and its client;
 * - `@vc/vc/mirror`: `mirror` and `watchMirror`;
 * - `@vc/vc/cli`: the `vc` command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssetCache, NotFoundError } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${root}/data.csv`, "a,b\n");
 *   await using assets = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
 *   const path = await assets.cache(`file://${root}/data.csv`);
 *   assert(await Deno.readTextFile(path) === "a,b\n");
 *   await assert.rejects(assets.cache(`file://${root}/missing.csv`), NotFoundError);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 *
 * @module
 */
// The error classes and the helpers a caller branches with; vc's own error
// helpers in that file (`causeChain`, `resolvedOrReported`) stay internal.
export {
  AccessDeniedError,
  CallbackError,
  ConfigFileError,
  ERROR_KINDS,
  errorKind,
  IntegrityError,
  InvalidInputError,
  IsDirectoryError,
  isMissingKey,
  KeyConflictError,
  NotFoundError,
  NotModifiedError,
  NotUtf8NameError,
  ObjectArchivedError,
  OfflineError,
  PreconditionFailedError,
  SmallObjectDamagedError,
  StoreError,
  StoreNotFoundError,
  VcError,
} from "./src/errors.ts";
export type { ErrorKind } from "./src/errors.ts";
export { AssetCache, cache } from "./src/cache/asset_cache.ts";
export type {
  AssetCacheOptions,
  CacheEntry,
  CacheGetOptions,
  CachePruneOptions,
  CacheVerifyOptions,
  CopyVerifiedOptions,
  LsOptions,
  LsProgress,
  PruneProgress,
  PruneResult,
  StaleCopy,
  VerifyProgress,
  VerifyResult,
} from "./src/cache/asset_cache.ts";
export { FrozenError, VersionedCache } from "./src/versioned/versioned_cache.ts";
export { SourceChangedError } from "./src/versioned/source_file.ts";
// What `sync` / `syncSettled` and `prefill` reject with when their signal
// aborts: a user of this entry point checks it with `instanceof`.
export { SyncInterruptedError } from "./src/versioned/sync_interrupted.ts";
export type { SyncInterruptedReport } from "./src/versioned/sync_interrupted.ts";
export type {
  VersionedAddOptions,
  VersionedAdoptOptions,
  VersionedAsset,
  VersionedCacheOptions,
  VersionedEntryStep,
  VersionedListOptions,
  VersionedPathOptions,
  VersionedSyncOptions,
  VersionedSyncReport,
  VersionedUpdateOptions,
  VersionedUpdateResult,
  VersionedVerifyOptions,
  VersionedVerifyResult,
} from "./src/versioned/versioned_cache.ts";
export type { Bump } from "./src/versioned/version_bump.ts";
export type { AdoptedVersion } from "./src/versioned/adopt.ts";
export type { OtherNaming } from "./src/versioned/case_twin.ts";
export { prefill, PrefillInterruptedError } from "./src/prefill/prefill.ts";
export type {
  PrefillFailure,
  PrefillKeptPartial,
  PrefillOptions,
  PrefillProgress,
  PrefillSummary,
} from "./src/prefill/prefill.ts";
export type { PrefillListEntry } from "./src/prefill/list_file.ts";
// Straight from open.ts: the store index (`./store`) loads the S3
// implementation eagerly, openStore only for s3:// roots.
export { openStore } from "./src/store/open.ts";
export type { StoreOptions } from "./src/store/open.ts";
export type { S3StoreOptions } from "./src/store/s3.ts";
export type { FsHashProgress, FsStoreOptions } from "./src/store/fs.ts";
export type * from "./src/store/types.ts";
export type { DownloadIntegrity, DownloadOptions, DownloadProgress } from "./src/store/download.ts";
export type { ManifestEntries, ManifestValue } from "./src/versioned/manifest.ts";
export type { LockEntries, LockEntry } from "./src/versioned/lock_file.ts";
export type { Clock } from "./src/clock.ts";
export type { EnvReader } from "./src/config.ts";
export type { EnvOption } from "./src/env_option.ts";
