/**
 * The line the CLI prints when a bucket answered from another region than
 * the one configured: vc follows S3's redirect, but every new `vc` process
 * pays that round trip again per bucket, and a user who is not told cannot
 * know to set the region. Said once per bucket and run, with the setting as
 * vc reads it (`AWS_REGION`, or the AWS profile's `region`).
 *
 * @module
 */
import type { BucketRegionNotice } from "../store/region_notice.ts";

/**
 * The warning for `notice`, naming the bucket, both regions and what to set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketRegionLine } from "./region_lines.ts";
 * assert.equal(
 *   bucketRegionLine({
 *     bucket: "eu-data", region: "eu-west-1", configured: "us-east-1",
 *     configuredSource: "env AWS_REGION", message: "",
 *   }),
 *   "bucket eu-data is in region eu-west-1, not us-east-1 (env AWS_REGION): each vc run " +
 *     "follows S3's redirect there, one more request; set AWS_REGION=eu-west-1 to go there at once",
 * );
 * ```
 */
export function bucketRegionLine(notice: BucketRegionNotice): string {
  const { bucket, region, configured, configuredSource } = notice;
  // The region from the profile: AWS_REGION comes before it, or the profile's line is edited.
  const set = configuredSource.startsWith("region of AWS profile")
    ? `set AWS_REGION=${region} (or the ${configuredSource})`
    : `set AWS_REGION=${region}`;
  return `bucket ${bucket} is in region ${region}, not ${configured} (${configuredSource}): ` +
    `each vc run follows S3's redirect there, one more request; ${set} to go there at once`;
}
