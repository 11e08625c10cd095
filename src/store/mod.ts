/**
 * The store layer (`@vc/vc/store`): the {@linkcode ObjectStore} interface and
 * its implementations — {@linkcode S3Store} (S3 and S3-compatible servers),
 * {@linkcode FsStore} (a directory used as a bucket), {@linkcode MemoryStore}
 * (in memory) — plus {@linkcode openStore}, which picks one from a root URI,
 * {@linkcode downloadToFile} (verified, resumable, parallel downloads), and
 * the URI and ETag helpers they use.
 *
 * Importing this module loads the S3 implementation and the AWS SDK. The root
 * module's `openStore` loads them only when an `s3://` root is opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadToFile, FsStore, MemoryStore, openStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const fsStore = await openStore(dir);
 *   assert(fsStore instanceof FsStore);
 *   await fsStore.put("x.bin", new Uint8Array([1, 2, 3]));
 *   assert((await fsStore.head("x.bin"))?.size === 3);
 *   await fsStore.close();
 *
 *   await using memory = new MemoryStore();
 *   await memory.put("y.txt", new TextEncoder().encode("hi"));
 *   const got = await downloadToFile(memory, "y.txt", `${dir}/y.txt`);
 *   assert(got.size === 2 && (await Deno.readTextFile(`${dir}/y.txt`)) === "hi");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export { FsStore } from "./fs.ts";
export type { FsHashProgress, FsStoreOptions } from "./fs.ts";
export { MemoryStore } from "./memory.ts";
export type { MemoryObject, MemoryStoreOptions } from "./memory.ts";
export { S3Store } from "./s3.ts";
export type { S3StoreOptions } from "./s3.ts";
export type { EnvReader } from "../config.ts";
export type { EnvOption } from "../env_option.ts";
export { forUserFiles, openStore } from "./open.ts";
export type { StoreOptions } from "./open.ts";
export { downloadToFile } from "./download.ts";
export { listenToStoreRetries } from "./retry_notice.ts";
export { listenToListWarnings } from "./list_warning_notice.ts";
export { listenToBucketRegions } from "./region_notice.ts";
export type { BucketRegionListener, BucketRegionNotice } from "./region_notice.ts";
export type { ListWarningListener } from "./list_warning_notice.ts";
export type { StoreRetry, StoreRetryListener } from "./retry_notice.ts";
export type {
  DownloadedObject,
  DownloadIntegrity,
  DownloadOptions,
  DownloadProgress,
} from "./download.ts";
export {
  formatUri,
  isStoreUri,
  joinUri,
  parseStoreRoot,
  parseUri,
  type ParseUriOptions,
  toStoreUri,
} from "../uri.ts";
export type { FileUri, LocalPath, ParsedUri, S3Uri } from "../uri.ts";
export { candidatePartSizes, md5File, md5Hex, multipartEtag, parseEtag } from "../hash.ts";
export type { EtagKind } from "../hash.ts";
