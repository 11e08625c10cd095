/**
 * The hint for a bucket that "does not exist" under a name S3 never
 * accepts: S3 bucket names are lower case (since 2018 everywhere; no
 * underscores either), so `s3://MyBucket` is most likely the lower-case one
 * mistyped. Empty for a name that could be a bucket's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketNameHint } from "./bucket_name_hint.ts";
 * assert.equal(bucketNameHint("My_Assets"), '; S3 bucket names are lower case, without "_": did you mean s3://my-assets?');
 * assert.equal(bucketNameHint("my-assets"), "");
 * ```
 */
export function bucketNameHint(bucket: string): string {
  if (!/[A-Z_]/.test(bucket)) return "";
  const likely = bucket.toLowerCase().replaceAll("_", "-");
  return `; S3 bucket names are lower case, without "_": did you mean s3://${likely}?`;
}
