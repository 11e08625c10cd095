/**
 * Following S3's region redirect once, the one rule of the lean client
 * (`S3Fetch.send`) and of the AWS SDK's calls (`S3Store`): a request S3
 * refused because its bucket is in another region (301 PermanentRedirect,
 * 400 AuthorizationHeaderMalformed, a HEAD's bare 301) was refused before
 * anything happened, so it is signed for the bucket's region and sent once
 * more, as the aws CLI does. Each caller says how it moves (the lean client
 * its own signer and URL; the SDK path the region its client reads per
 * request) and what it does with the region found.
 *
 * @module
 */
import { isRegionName } from "./s3_config.ts";
import { answeredRegion } from "./s3_errors.ts";

/** How a caller follows a region redirect (see {@linkcode followRegionRedirect}). */
export interface RegionFollow {
  /** The region the refused request was signed for (`undefined`: not known). */
  signedFor: string | undefined;
  /** The request's signal: an aborted request is not sent again. */
  signal?: AbortSignal | undefined;
  /** Signs the next requests for `region`, sent where it is answered. */
  moveTo(region: string): void;
  /** Back where it was before `moveTo(region)`: S3 sent the request off again from there too. */
  moveBack(region: string): void;
  /** `region` answered (a success, or an answer that is no redirect: a 404, a 403): it is the bucket's. */
  found(region: string): void;
}

/**
 * What the request `again` sends once more gives, when `error` (its first
 * attempt's, as vc's errors say it) is S3 naming the bucket's region; else
 * throws `error`. Followed once only: an answer that names a region again
 * moves back and throws `error` (its "set AWS_REGION=…"), saying so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { followRegionRedirect } from "./region_redirect.ts";
 * const plain = new Error("500");
 * await assert.rejects(
 *   followRegionRedirect(plain, () => Promise.resolve("never"), {
 *     signedFor: "us-east-1", moveTo() {}, moveBack() {}, found() {},
 *   }),
 *   (e) => e === plain,
 * );
 * ```
 */
export async function followRegionRedirect<T>(
  error: unknown,
  again: () => Promise<T>,
  follow: RegionFollow,
): Promise<T> {
  const region = answeredRegion(error);
  if (
    region === undefined || region === follow.signedFor || !isRegionName(region) ||
    follow.signal?.aborted
  ) throw error;
  follow.moveTo(region);
  let reply: T;
  try {
    reply = await again();
  } catch (second) {
    if (answeredRegion(second) !== undefined) {
      // Sent off again: the region named does not answer. Back where it
      // was, with the first answer's "set AWS_REGION".
      follow.moveBack(region);
      if (error instanceof Error) {
        error.message += `; a request signed for ${region} was sent off again too`;
      }
      throw error;
    }
    follow.found(region); // answered from there (a 404, a 403): it is the region
    throw second;
  }
  follow.found(region);
  return reply;
}
