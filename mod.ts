/**
 * vc: a safe, fast home on S3 (or any S3-compatible store, or a plain
 * directory) for the data files code depends on.
 *
 * @module
 */
export * from "./src/errors.ts";
export type * from "./src/store/types.ts";
export { formatUri, isStoreUri, joinUri, parseUri, toStoreUri } from "./src/uri.ts";
export type { FileUri, LocalPath, ParsedUri, S3Uri } from "./src/uri.ts";
export { candidatePartSizes, md5File, md5Hex, multipartEtag, parseEtag } from "./src/hash.ts";
