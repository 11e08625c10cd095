/**
 * Which unsigned (anonymous) requests the fake S3 server answers when told
 * which buckets are public (`publicBuckets`): reads of a public bucket, as S3
 * answers them for a bucket policy granting `s3:GetObject` and
 * `s3:ListBucket` to everyone. Every other unsigned request is refused with
 * 403 AccessDenied, as S3 refuses it (signatures are checked elsewhere: signature.ts).
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";
import type { S3Operation } from "./types.ts";

// What a public-read bucket lets anyone do.
const PUBLIC_READS: ReadonlySet<S3Operation> = new Set<S3Operation>([
  "GetObject",
  "HeadObject",
  "ListObjects",
  "ListObjectsV2",
  "HeadBucket",
  "GetBucketLocation",
]);

/**
 * Throws S3's 403 `AccessDenied` for an unsigned request (no `Authorization`
 * header, no presigned `X-Amz-Signature`) that is not a read of one of
 * `publicBuckets`; `publicBuckets` undefined lets everything through (the
 * fake's default: it checks no credentials).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAnonymousAccess } from "./public_access.ts";
 * const unsigned = new Request("http://127.0.0.1/open/k");
 * checkAnonymousAccess(unsigned, { op: "GetObject", bucket: "open" }, new Set(["open"]));
 * assert.throws(
 *   () => checkAnonymousAccess(unsigned, { op: "GetObject", bucket: "closed" }, new Set(["open"])),
 *   /Access Denied/,
 * );
 * checkAnonymousAccess(unsigned, { op: "PutObject", bucket: "closed" }, undefined);
 * ```
 */
export function checkAnonymousAccess(
  req: Request,
  route: { op: S3Operation; bucket?: string | undefined },
  publicBuckets: ReadonlySet<string> | undefined,
): void {
  if (publicBuckets === undefined) return;
  if (req.headers.has("authorization") || new URL(req.url).searchParams.has("X-Amz-Signature")) {
    return;
  }
  if (
    route.bucket !== undefined && publicBuckets.has(route.bucket) && PUBLIC_READS.has(route.op)
  ) return;
  throw new S3Error("AccessDenied", "Access Denied");
}
