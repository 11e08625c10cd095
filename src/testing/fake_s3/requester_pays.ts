/**
 * Requester-pays buckets in the fake S3 server (`requesterPaysBuckets`): S3
 * refuses a request to such a bucket 403 `AccessDenied` unless it says the
 * requester pays (`x-amz-request-payer: requester`, as a header or, in a
 * presigned URL, a query parameter), and marks the answers it charges with
 * `x-amz-request-charged: requester`.
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";

/**
 * Throws S3's 403 `AccessDenied` for a request to one of `buckets` that does
 * not say the requester pays; returns true when the request is charged to
 * the requester (its answer carries `x-amz-request-charged`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRequesterPays } from "./requester_pays.ts";
 * const paying = new Request("http://127.0.0.1/rp/k", {
 *   headers: { "x-amz-request-payer": "requester" },
 * });
 * assert.equal(checkRequesterPays(paying, "rp", new Set(["rp"])), true);
 * assert.throws(
 *   () => checkRequesterPays(new Request("http://127.0.0.1/rp/k"), "rp", new Set(["rp"])),
 *   /Access Denied/,
 * );
 * assert.equal(checkRequesterPays(new Request("http://127.0.0.1/b/k"), "b", new Set(["rp"])), false);
 * ```
 */
export function checkRequesterPays(
  req: Request,
  bucket: string | undefined,
  buckets: ReadonlySet<string>,
): boolean {
  if (bucket === undefined || !buckets.has(bucket)) return false;
  const payer = req.headers.get("x-amz-request-payer") ??
    new URL(req.url).searchParams.get("x-amz-request-payer");
  if (payer?.trim().toLowerCase() === "requester") return true;
  throw new S3Error("AccessDenied", "Access Denied");
}
