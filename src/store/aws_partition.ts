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
  /**
   * Whether S3 has FIPS endpoints there: not in AWS China, whose FIPS
   * setting the SDK's S3 rules refuse ("Partition does not support FIPS").
   */
  s3Fips: boolean;
}

const COMMERCIAL: AwsPartition = { id: "aws", dnsSuffix: "amazonaws.com", s3Fips: true };

// The SDK's partitions.json (@aws-sdk/util-endpoints): each partition's
// regionRegex and dnsSuffix. A region none matches is the commercial one's,
// as the SDK takes it.
// (S3's own rules, in @aws-sdk/client-s3, add that China has no FIPS hosts.)
const PARTITIONS: readonly (AwsPartition & { region: RegExp })[] = [
  { id: "aws-cn", region: /^cn-\w+-\d+$/, dnsSuffix: "amazonaws.com.cn", s3Fips: false },
  { id: "aws-us-gov", region: /^us-gov-\w+-\d+$/, dnsSuffix: "amazonaws.com", s3Fips: true },
  { id: "aws-iso", region: /^us-iso-\w+-\d+$/, dnsSuffix: "c2s.ic.gov", s3Fips: true },
  { id: "aws-iso-b", region: /^us-isob-\w+-\d+$/, dnsSuffix: "sc2s.sgov.gov", s3Fips: true },
  { id: "aws-iso-e", region: /^eu-isoe-\w+-\d+$/, dnsSuffix: "cloud.adc-e.uk", s3Fips: true },
  { id: "aws-iso-f", region: /^us-isof-\w+-\d+$/, dnsSuffix: "csp.hci.ic.gov", s3Fips: true },
  { id: "aws-eusc", region: /^eusc-(de)-\w+-\d+$/, dnsSuffix: "amazonaws.eu", s3Fips: true },
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
 * assert.equal(awsPartition("cn-north-1").s3Fips, false);
 * ```
 */
export function awsPartition(region: string): AwsPartition {
  const found = PARTITIONS.find((p) => p.region.test(region));
  return found === undefined
    ? COMMERCIAL
    : { id: found.id, dnsSuffix: found.dnsSuffix, s3Fips: found.s3Fips };
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
  // Read as every AWS S3 host is (awsS3Host): a service host, no bucket's,
  // of the commercial suffix, naming no region or a commercial one.
  const host = awsS3Host(hostname);
  return host !== undefined && host.bucket === "" &&
    /\.amazonaws\.com\.?$/i.test(hostname) &&
    (host.region === undefined || awsPartition(host.region).id === "aws");
}

/** What an AWS S3 host ({@linkcode awsS3Host}) names. */
export interface AwsS3Host {
  /**
   * The bucket of a virtual-hosted name (`b.s3.…`, dots kept), `""` for a
   * path-style one (`s3.…/bucket/key`); for an access point's host
   * (`NAME-ACCOUNT.s3-accesspoint.…`), that first part, which is no bucket.
   */
  bucket: string;
  /** The region the host names (`s3-external-1` is `us-east-1`), if any. */
  region?: string;
  /** True for an access point's (or Object Lambda's) host: `bucket` is none. */
  accessPoint?: boolean;
  /** True for a FIPS host (`s3-fips.…`), which only the FIPS setting reaches. */
  fips?: boolean;
}

// A region as the partitions' patterns write one (`eu-west-1`, `us-iso-east-1`).
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;

/**
 * Whether `region` has the shape of an AWS region's name (`eu-west-1`,
 * `us-gov-west-1`, `us-iso-east-1`), as the partitions write them: not
 * GCP's `us-east1`, nor `US-EAST-1` or `us-east`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAwsRegionName } from "./aws_partition.ts";
 * assert(isAwsRegionName("eu-west-1") && isAwsRegionName("eusc-de-east-1"));
 * assert(!isAwsRegionName("us-east1") && !isAwsRegionName("us-east"));
 * ```
 */
export function isAwsRegionName(region: string): boolean {
  return REGION.test(region);
}

/**
 * What AWS S3 host `hostname` names, in any partition (its DNS suffix from
 * the one partition table): the bucket of a virtual-hosted name and the
 * region, in every form S3 answers to (`s3.REGION`, `s3-REGION`,
 * `s3-fips.`, `.dualstack.`, `s3-external-1`, `s3-accelerate`,
 * `s3-website`, an S3 Express zone's `s3express-…`); undefined for any other
 * host, or one naming a region of another partition than its suffix's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsS3Host } from "./aws_partition.ts";
 * assert.deepEqual(awsS3Host("b.s3.us-iso-east-1.c2s.ic.gov"), { bucket: "b", region: "us-iso-east-1" });
 * assert.deepEqual(awsS3Host("s3-eu-west-2.amazonaws.com"), { bucket: "", region: "eu-west-2" });
 * assert.equal(awsS3Host("s3.eu-central-1.wasabisys.com"), undefined);
 * ```
 */
export function awsS3Host(hostname: string): AwsS3Host | undefined {
  // A fully qualified name's root dot (`b.s3.amazonaws.com.`) names the same host.
  const host = hostname.toLowerCase().replace(/\.$/, "");
  // The longest suffix first: `amazonaws.com.cn` before `amazonaws.com`.
  const suffix = [COMMERCIAL.dnsSuffix, ...PARTITIONS.map((p) => p.dnsSuffix)]
    .filter((s) => host.endsWith(`.${s}`))
    .sort((a, b) => b.length - a.length)[0];
  if (suffix === undefined) return undefined;
  const labels = host.slice(0, -suffix.length - 1).split(".");
  // From the right: the region and `dualstack` labels, then S3's own label.
  let region: string | undefined;
  let end = labels.length;
  while (end > 1 && (labels[end - 1] === "dualstack" || REGION.test(labels[end - 1]!))) {
    if (labels[end - 1] !== "dualstack") region ??= labels[end - 1];
    end--;
  }
  const service =
    /^s3(?:-(fips|accesspoint|object-lambda|accelerate|website)|express-[a-z0-9-]+)?(?:-(.+))?$/
      .exec(labels[end - 1] ?? "");
  if (service === null) return undefined;
  const inLabel = service[2];
  if (inLabel !== undefined) {
    // `s3-eu-west-1`, `s3-fips-us-gov-west-1`, `s3-website-us-east-1`, `s3-external-1`.
    if (inLabel === "external-1") region ??= "us-east-1";
    else if (REGION.test(inLabel)) region ??= inLabel;
    else return undefined;
  }
  if (region !== undefined && awsPartition(region).dnsSuffix !== suffix) return undefined;
  const found: AwsS3Host = { bucket: labels.slice(0, end - 1).join(".") };
  if (region !== undefined) found.region = region;
  if (service[1] === "accesspoint" || service[1] === "object-lambda") found.accessPoint = true;
  if (service[1] === "fips") found.fips = true;
  return found;
}
