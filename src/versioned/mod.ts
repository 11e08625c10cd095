/**
 * The versioned cache's building blocks (`@vc/vc/versioned`):
 * {@linkcode VersionedCache} plus the manifest file (read, parse, format,
 * write, update under a lock), the naming of versioned keys in the bucket, and
 * semantic version helpers. Most code needs only `VersionedCache` from the
 * root module; these are for tools that read or write manifests and buckets
 * themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   compareVersions,
 *   nextVersion,
 *   parseVersionedKey,
 *   readManifest,
 *   versionedKey,
 *   writeManifest,
 * } from "./mod.ts";
 * const key = versionedKey("/data/prices.csv", "1.2.5");
 * assert.equal(parseVersionedKey(key)?.version, "1.2.5");
 * assert.equal(nextVersion("1.2.5", { minor: true }), "1.3.0");
 * assert(compareVersions("1.10.0", "1.9.0") > 0);
 * const dir = await Deno.makeTempDir();
 * try {
 *   await writeManifest(`${dir}/m.json`, { "/data/prices.csv": "1.2.5" });
 *   assert.deepEqual(await readManifest(`${dir}/m.json`), { "/data/prices.csv": "1.2.5" });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export { FrozenError, VersionedCache } from "./versioned_cache.ts";
export { SourceChangedError } from "./source_file.ts";
export { SyncInterruptedError } from "./sync_interrupted.ts";
export type { SyncInterruptedReport } from "./sync_interrupted.ts";
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
} from "./versioned_cache.ts";
export {
  classifyValue,
  formatManifest,
  manifestLockPath,
  manifestTarget,
  parseManifest,
  readManifest,
  readManifestSnapshot,
  rewriteManifest,
  updateManifest,
  withManifestLock,
  writeManifest,
} from "./manifest.ts";
export type {
  FormatManifestOptions,
  ManifestEntries,
  ManifestSnapshot,
  ManifestValue,
  ReadManifestOptions,
} from "./manifest.ts";
export {
  isVersionOf,
  normalizeVersionedPath,
  parseVersionedKey,
  versionedKey,
  versionPrefix,
} from "./naming.ts";
export type { ForeignVersion, VersionedKey } from "./naming.ts";
export { headVersion, listVersionKeys, slashedKey, slashedUri } from "./slash_keys.ts";
export { assertVersion, compareVersions, FIRST_VERSION, isVersion } from "./version.ts";
export { nextVersion } from "./version_bump.ts";
export type { Bump } from "./version_bump.ts";
export type { AdoptedVersion } from "./adopt.ts";
export type { OtherNaming } from "./case_twin.ts";
export {
  defaultLockFile,
  formatLockFile,
  lockFileLockPath,
  lockKey,
  parseLockFile,
  readLockFile,
  updateLockFile,
  withLockFileWrite,
} from "./lock_file.ts";
export type { LockEntries, LockEntry } from "./lock_file.ts";
export { checkLock, fillLock, fillLockSettled } from "./lock_ops.ts";
export type { LockCheckResult, LockFillResult, LockOpsOptions } from "./lock_ops.ts";
