/**
 * Buckets in another region in the fake S3 server (`bucketRegions`): S3
 * answers a request signed for any other region than its bucket's with
 * `301 PermanentRedirect`, the bucket's region in the `x-amz-bucket-region`
 * header and in the `<Error>` document (with the regional `<Endpoint>`); a
 * HEAD gets the bare 301 with the header. Unsigned requests pass (the fake
 * has no regional endpoints to tell them apart).
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";

/** The region a request is signed for (its `Authorization` header's or presigned URL's scope), if signed. */
function signedRegion(req: Request): string | undefined {
  const auth = req.headers.get("authorization");
  const credential = auth !== null
    ? /Credential=([^,\s]+)/.exec(auth)?.[1]
    : new URL(req.url).searchParams.get("X-Amz-Credential") ?? undefined;
  // `<access key>/<yyyymmdd>/<region>/<service>/aws4_request`
  return credential?.split("/")[2];
}

/**
 * Throws S3's 301 `PermanentRedirect` for a request to one of `regions`'
 * buckets signed for another region than the bucket's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBucketRegion } from "./bucket_region.ts";
 * const regions = new Map([["eu", "eu-west-1"]]);
 * const signed = (region: string) =>
 *   new Request("http://127.0.0.1/eu/k", {
 *     headers: { authorization: `AWS4-HMAC-SHA256 Credential=a/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=0` },
 *   });
 * checkBucketRegion(signed("eu-west-1"), "eu", regions);
 * assert.throws(() => checkBucketRegion(signed("us-east-1"), "eu", regions), /PermanentRedirect|must be addressed/);
 * checkBucketRegion(new Request("http://127.0.0.1/eu/k"), "eu", regions);
 * ```
 */
export function checkBucketRegion(
  req: Request,
  bucket: string | undefined,
  regions: ReadonlyMap<string, string>,
): void {
  const region = bucket === undefined ? undefined : regions.get(bucket);
  if (region === undefined) return;
  const signed = signedRegion(req);
  if (signed === undefined || signed === region) return;
  throw new S3Error(
    "PermanentRedirect",
    "The bucket you are attempting to access must be addressed using the specified endpoint. " +
      "Please send all future requests to this endpoint.",
    {
      headers: { "x-amz-bucket-region": region },
      fields: [["Endpoint", `${bucket}.s3.${region}.amazonaws.com`], ["Region", region]],
    },
  );
}
