/**
 * Where a followed region redirect is told: a bucket in another region than
 * the one configured answers S3's redirect, which vc follows (once per
 * bucket per process, see bucket_region.ts), so each new process pays one
 * more round trip per such bucket. Told process-wide, as a store's retries
 * are (retry_notice.ts): the program that wants to tell a person (the CLI,
 * with the name of its setting) listens. No listener, nothing happens.
 *
 * @module
 */
import { noticeBoard } from "./notice_board.ts";

/** A bucket found in another region than configured (see {@linkcode listenToBucketRegions}). */
export interface BucketRegionNotice {
  /** The bucket. */
  bucket: string;
  /** The bucket's region, as S3 named it; its requests are signed for it now. */
  region: string;
  /** The region the store was configured with. */
  configured: string;
  /**
   * Where `configured` came from: `option region`, `env AWS_REGION`, `env
   * AWS_DEFAULT_REGION`, `region of AWS profile "p" in FILE:LINE`, `default`.
   */
  configuredSource: string;
  /** The notice in a sentence, naming the bucket, both regions and the region option. */
  message: string;
}

/** Hears each bucket found in another region (see {@linkcode listenToBucketRegions}). */
export type BucketRegionListener = (notice: BucketRegionNotice) => void;

const board = noticeBoard<BucketRegionNotice>();
// The buckets told of (bucket_region.ts's keys), with the region told.
const told = new Map<string, string>();

/**
 * Makes `onRegion` hear, once per bucket and process, of every bucket a
 * store of this process found in another region than configured (a region
 * redirect followed), until the returned function is called. Listeners are
 * a set: two runs at once (in-process CLI runs in tests) each stop only
 * their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketRegionFound, listenToBucketRegions } from "./region_notice.ts";
 * const heard: string[] = [];
 * const stop = listenToBucketRegions((n) => heard.push(`${n.bucket} ${n.region}`));
 * const found = { bucket: "b", region: "eu-west-1", configured: "us-east-1", configuredSource: "default" };
 * bucketRegionFound("http://127.0.0.1:1\nb", found);
 * bucketRegionFound("http://127.0.0.1:1\nb", found); // a concurrent request's follow: told already
 * stop();
 * assert.deepEqual(heard, ["b eu-west-1"]);
 * ```
 */
export function listenToBucketRegions(onRegion: BucketRegionListener): () => void {
  return board.listen(onRegion);
}

/**
 * Tells the listeners that the bucket `key` names (bucket_region.ts's
 * `bucketRegionKey`) answered from `found.region`, unless this process told
 * so already. A listener that throws fails no request.
 */
export function bucketRegionFound(
  key: string,
  found: Omit<BucketRegionNotice, "message">,
): void {
  if (told.get(key) === found.region) return;
  told.set(key, found.region);
  board.tell({
    ...found,
    message: `bucket ${found.bucket} is in region ${found.region}, not ${found.configured} ` +
      `(${found.configuredSource}): its requests are signed for ${found.region} from now on; ` +
      `a new process follows S3's redirect again, one more request, unless the region is ` +
      `configured as ${found.region}`,
  });
}
