/**
 * The regions S3 said buckets are in, remembered for the process: a store
 * whose bucket answered from another region than the one configured (a
 * followed region redirect) has every later request, and every later store
 * of the bucket at that endpoint, signed for the bucket's region from the
 * start, as botocore's bucket region cache does.
 *
 * @module
 */

const learned = new Map<string, string>();

/**
 * The key of a bucket at an endpoint (`undefined`: AWS itself, where bucket
 * names are global).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketRegionKey } from "./bucket_region.ts";
 * assert.notEqual(bucketRegionKey(undefined, "b"), bucketRegionKey("http://127.0.0.1:9000", "b"));
 * ```
 */
export function bucketRegionKey(endpoint: string | undefined, bucket: string): string {
  return `${endpoint ?? "aws"}\n${bucket}`;
}

/**
 * The region learned for the bucket `key` names, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketRegionKey, learnBucketRegion, learnedBucketRegion } from "./bucket_region.ts";
 * const key = bucketRegionKey("http://127.0.0.1:1", "doc-example");
 * assert.equal(learnedBucketRegion(key), undefined);
 * learnBucketRegion(key, "eu-west-1");
 * assert.equal(learnedBucketRegion(key), "eu-west-1");
 * ```
 */
export function learnedBucketRegion(key: string): string | undefined {
  return learned.get(key);
}

/** Remembers `region` for the bucket `key` names, for the rest of the process (`undefined`: forgets it). */
export function learnBucketRegion(key: string, region: string | undefined): void {
  if (region === undefined) learned.delete(key);
  else learned.set(key, region);
}
