/**
 * vc: a safe, fast home on S3 (or any S3-compatible store, or a plain
 * directory) for the data files code depends on.
 *
 * @module
 */
export * from "./src/errors.ts";
export type * from "./src/store/types.ts";
export { FsStore, openStore } from "./src/store/mod.ts";
export type { S3StoreOptions, StoreOptions } from "./src/store/mod.ts";
export { formatUri, isStoreUri, joinUri, parseUri, toStoreUri } from "./src/uri.ts";
export type { FileUri, LocalPath, ParsedUri, S3Uri } from "./src/uri.ts";
export { candidatePartSizes, md5File, md5Hex, multipartEtag, parseEtag } from "./src/hash.ts";
export { AssetCache, cache } from "./src/cache/asset_cache.ts";
export type {
  AssetCacheOptions,
  CacheEntry,
  CacheGetOptions,
  CachePruneOptions,
  CacheVerifyOptions,
  LsOptions,
  PruneResult,
  VerifyProgress,
  VerifyResult,
} from "./src/cache/asset_cache.ts";
export {
  DEFAULT_TIMEOUT_SECONDS,
  defaultCacheDir,
  defaultConfigDir,
  loadConfigFile,
  resolveSettings,
} from "./src/config.ts";
export type {
  ConfigFile,
  EnvReader,
  LoadConfigOptions,
  LoadedConfig,
  PlatformOptions,
  Settings,
  SettingsOptions,
} from "./src/config.ts";
export { downloadToFile } from "./src/store/download.ts";
export type { DownloadedObject, DownloadOptions, DownloadProgress } from "./src/store/download.ts";
export { VersionedCache } from "./src/versioned/versioned_cache.ts";
export type {
  VersionedAddOptions,
  VersionedAsset,
  VersionedCacheOptions,
  VersionedPathOptions,
  VersionedSyncOptions,
  VersionedUpdateOptions,
  VersionedUpdateResult,
  VersionedVerifyResult,
} from "./src/versioned/versioned_cache.ts";
export {
  classifyValue,
  formatManifest,
  parseManifest,
  readManifest,
  updateManifest,
  writeManifest,
} from "./src/versioned/manifest.ts";
export type {
  FormatManifestOptions,
  ManifestEntries,
  ManifestValue,
  ReadManifestOptions,
} from "./src/versioned/manifest.ts";
export {
  isVersionOf,
  normalizeVersionedPath,
  parseVersionedKey,
  versionedKey,
  versionPrefix,
} from "./src/versioned/naming.ts";
export type { VersionedKey } from "./src/versioned/naming.ts";
export {
  assertVersion,
  compareVersions,
  FIRST_VERSION,
  isVersion,
} from "./src/versioned/version.ts";
export { nextVersion } from "./src/versioned/version_bump.ts";
export type { Bump } from "./src/versioned/version_bump.ts";
export { DEFAULT_PREFILL_CONCURRENCY, prefill } from "./src/prefill/prefill.ts";
export type {
  PrefillFailure,
  PrefillOptions,
  PrefillProgress,
  PrefillSummary,
} from "./src/prefill/prefill.ts";
export { parsePrefillItem, readListFile } from "./src/prefill/list_file.ts";
export type { PrefillItem } from "./src/prefill/list_file.ts";
export { formatBytes, formatDuration, ProgressBar } from "./src/progress.ts";
export type { ProgressBarOptions, ProgressSnapshot } from "./src/progress.ts";
export { Mirror, mirror, watchMirror } from "./src/mirror/mod.ts";
export type {
  MirrorAction,
  MirrorFailure,
  MirrorOptions,
  MirrorProgress,
  MirrorReport,
  WatchOptions,
  WatchReport,
} from "./src/mirror/mod.ts";
