/**
 * The multipart uploads of an asset's versions that a `vc add` / `vc update`
 * killed mid-upload (`kill -9`, a lost machine) left open in the store: S3
 * keeps their parts, and bills them, until they are aborted, and nothing
 * else of vc looks under a versioned bucket's keys. The next publish of the
 * same asset aborts those started long enough ago that no live writer (a
 * teammate publishing the same asset right now) can still be sending them.
 *
 * @module
 */
import { abortStaleUploads, STALE_UPLOAD_AGE_MS, UNDATED_BEFORE } from "../store/stale_uploads.ts";
import type { ObjectStore } from "../store/types.ts";
import { joinUri } from "../uri.ts";
import { isVersionOf, versionPrefix } from "./naming.ts";

/** What {@linkcode abortAbandonedPublishes} tells the user: the upload's key and what was done. */
export type PublishWarning = (warning: { key: string; message: string }) => void;

/**
 * Aborts the open multipart uploads of versions of `path` (any version: a
 * killed publish may have been of another version than this one) started
 * at least a day before `now`, and says each one it aborted, or could not,
 * to `onWarning`. Uploads the store gives no real start time (moto), a
 * store without multipart uploads, and a missing grant to list them (then
 * the bucket's lifecycle rule is the cure) are passed over in silence: the
 * publish goes on either way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortAbandonedPublishes } from "./abandoned_publishes.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * const said: string[] = [];
 * await abortAbandonedPublishes(new MemoryStore(), "s3://b", "/t.csv", {
 *   now: Date.now(),
 *   onWarning: (w) => said.push(w.message),
 * });
 * assert.deepEqual(said, []);
 * ```
 */
export async function abortAbandonedPublishes(
  store: ObjectStore,
  bucket: string,
  path: string,
  options: { now: number; onWarning: PublishWarning; signal?: AbortSignal | undefined },
): Promise<void> {
  const found = await abortStaleUploads(store, versionPrefix(path), {
    before: options.now - STALE_UPLOAD_AGE_MS,
    notBefore: UNDATED_BEFORE,
    only: (key) => isVersionOf(key, path),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const what = (u: { key: string; uploadId: string; initiated: Date }) =>
    `the multipart upload of ${joinUri(bucket, u.key)} started ${u.initiated.toISOString()} ` +
    `(upload ID ${u.uploadId})`;
  for (const upload of found.aborted) {
    options.onWarning({
      key: upload.key,
      message: `aborted ${what(upload)}, left open by a publish of ${path} stopped midway ` +
        "(killed, or a lost machine) more than a day ago",
    });
  }
  for (const upload of found.skipped) {
    options.onWarning({
      key: upload.key,
      message: `could not abort ${what(upload)}, left open by a publish of ${path} stopped ` +
        `midway: ${upload.problem}; S3 keeps and bills its parts until it is aborted (the ` +
        "bucket's AbortIncompleteMultipartUpload lifecycle rule does)",
    });
  }
}
