/**
 * AWS's partitions as the AWS SDK's endpoint rules know them: which one a
 * region is in (by the SDK's region patterns) and the DNS suffix its S3
 * hosts end in. The one table both vc's own S3 requests (their host) and a
 * mirror's state identity (whose bucket namespace a store is) read.
 *
 * @module
 */

/** An AWS partition: its SDK id and the DNS suffix of its S3 endpoints. */
export interface AwsPartition {
  /** The SDK's partition id: `aws`, `aws-us-gov`, `aws-cn`, `aws-iso`, .... */
  id: string;
  /** The suffix of its hosts: `amazonaws.com`, `c2s.ic.gov`, .... */
  dnsSuffix: string;
}

const COMMERCIAL: AwsPartition = { id: "aws", dnsSuffix: "amazonaws.com" };

// The SDK's partitions.json (@aws-sdk/util-endpoints): each partition's
// regionRegex and dnsSuffix. A region none matches is the commercial one's,
// as the SDK takes it.
const PARTITIONS: readonly (AwsPartition & { region: RegExp })[] = [
  { id: "aws-cn", region: /^cn-\w+-\d+$/, dnsSuffix: "amazonaws.com.cn" },
  { id: "aws-us-gov", region: /^us-gov-\w+-\d+$/, dnsSuffix: "amazonaws.com" },
  { id: "aws-iso", region: /^us-iso-\w+-\d+$/, dnsSuffix: "c2s.ic.gov" },
  { id: "aws-iso-b", region: /^us-isob-\w+-\d+$/, dnsSuffix: "sc2s.sgov.gov" },
  { id: "aws-iso-e", region: /^eu-isoe-\w+-\d+$/, dnsSuffix: "cloud.adc-e.uk" },
  { id: "aws-iso-f", region: /^us-isof-\w+-\d+$/, dnsSuffix: "csp.hci.ic.gov" },
  { id: "aws-eusc", region: /^eusc-(de)-\w+-\d+$/, dnsSuffix: "amazonaws.eu" },
];

/**
 * The partition `region` is in: AWS's commercial one (`aws`) unless the
 * region is GovCloud's, China's, an ISO one's or the European Sovereign
 * Cloud's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsPartition } from "./aws_partition.ts";
 * assert.equal(awsPartition("eu-west-1").id, "aws");
 * assert.equal(awsPartition("us-iso-east-1").dnsSuffix, "c2s.ic.gov");
 * assert.equal(awsPartition("cn-north-1").dnsSuffix, "amazonaws.com.cn");
 * ```
 */
export function awsPartition(region: string): AwsPartition {
  const found = PARTITIONS.find((p) => p.region.test(region));
  return found === undefined ? COMMERCIAL : { id: found.id, dnsSuffix: found.dnsSuffix };
}

/**
 * True when `hostname` is one of AWS's commercial S3 hosts
 * (`s3.amazonaws.com`, `s3.eu-west-1.amazonaws.com`, `s3-fips.dualstack.…`):
 * the bucket namespace of no endpoint. GovCloud's hosts end in
 * `amazonaws.com` too, but name a region of another partition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCommercialS3Host } from "./aws_partition.ts";
 * assert(isCommercialS3Host("s3-fips.us-east-1.amazonaws.com"));
 * assert(!isCommercialS3Host("s3.us-gov-west-1.amazonaws.com"));
 * assert(!isCommercialS3Host("s3.us-iso-east-1.c2s.ic.gov"));
 * ```
 */
export function isCommercialS3Host(hostname: string): boolean {
  if (!/^s3([.-][a-z0-9-]+)*\.amazonaws\.com$/.test(hostname)) return false;
  return hostname.split(/[.]/).every((label) =>
    // `s3-us-gov-west-1` (the legacy dash form) names its region after `s3-`.
    awsPartition(label.replace(/^s3-(?:fips-)?/, "")).id === "aws"
  );
}
