/**
 * The AWS SDK for S3, as `S3Store` loads it: through this module, by a
 * specifier Deno cannot follow ahead of time. `deno run` resolves every npm
 * package a literal `import("...")` can reach before running anything; for
 * `@aws-sdk/client-s3` that means parsing a 1.7 MB package description on
 * every start of `vc`, even a warm `vc path` that never talks to S3
 * (measured: 16 ms of its 70). A compiled binary embeds this module with
 * `--include` (`scripts/compile.ts`); so must an application that compiles
 * vc's `S3Store` in (`deno compile --include <vc>/src/store/s3_sdk.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Client } from "./s3_sdk.ts";
 * assert(typeof S3Client === "function");
 * ```
 *
 * @module
 */
export {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
