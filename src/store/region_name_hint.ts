/**
 * The hint for a request to AWS that found no host because its region is
 * no AWS region (`AWS_REGION=us-east1`, GCP's spelling, or `us-east`): the
 * host `s3.us-east1.amazonaws.com` does not resolve, and the error said only
 * that, the region's typo left for the user to find.
 *
 * @module
 */
import { isAwsRegionName } from "./aws_partition.ts";

/**
 * `; the region "us-east1" is not an AWS region name (…): did you mean
 * us-east-1?` for a region not of AWS's shape, with a guess when a `-`
 * before its number (or lower case) makes it one; empty for a region of
 * that shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regionNameHint } from "./region_name_hint.ts";
 * assert(regionNameHint("us-east1").endsWith("did you mean us-east-1?"));
 * assert(regionNameHint("EU-WEST-1").endsWith("did you mean eu-west-1?"));
 * assert(regionNameHint("us-east-1a").endsWith("did you mean us-east-1?"));
 * assert(regionNameHint("us-east").includes("e.g. us-east-1"));
 * assert.equal(regionNameHint("eu-west-1"), "");
 * ```
 */
export function regionNameHint(region: string): string {
  if (isAwsRegionName(region)) return "";
  const lower = region.trim().toLowerCase().replaceAll("_", "-");
  // `us-east1` (GCP's spelling), `us-east-1a` (an availability zone's name).
  const guess = [
    lower,
    lower.replace(/([a-z])(\d+)$/, "$1-$2"),
    lower.replace(/(-\d+)[a-z]$/, "$1"),
  ]
    .find(isAwsRegionName);
  return `; the region ${JSON.stringify(region)} is not an AWS region name (those are like ` +
    `us-east-1: lower case, the number last after a "-")` +
    (guess === undefined
      ? ": check AWS_REGION or the profile's region, e.g. us-east-1"
      : `: did you mean ${guess}?`);
}
