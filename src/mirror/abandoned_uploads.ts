/**
 * The multipart uploads a local → store mirror finds open under its target
 * prefix: an upload killed with `kill -9` (the mirror's own, or a `vc add`,
 * `aws s3 cp` into the prefix) leaves its parts in the store, billed,
 * until it is aborted. A full pass aborts those started long enough ago that
 * no live writer (on another machine too) can still be sending them.
 *
 * @module
 */
import { abortStaleUploads, STALE_UPLOAD_AGE_MS, UNDATED_BEFORE } from "../store/stale_uploads.ts";
import type { ObjectStore } from "../store/types.ts";
import { type KeyFilter, matchesFilter } from "./keys.ts";
import type { MirrorReport } from "./types.ts";

/** How old an open upload must be before a mirror aborts it, by default (ms): a day. */
export const ABORT_UPLOADS_AFTER_MS: number = STALE_UPLOAD_AGE_MS;

/**
 * Aborts (in a dry run, lists) the open uploads under `storePrefix` of the
 * keys `filter` accepts (an excluded key is not the mirror's) started at
 * least `afterMs` before `now`, and puts what it did into `report`
 * (`abortedUploads`, `keptUploads`, `liveUploads`, `uploadsUnchecked`; left out when
 * there is nothing to say). A store without such uploads adds nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortAbandonedUploads } from "./abandoned_uploads.ts";
 * import { compileFilter } from "./keys.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * const report = {} as import("./types.ts").MirrorReport;
 * await abortAbandonedUploads(new MemoryStore(), "data/", compileFilter(), report, {
 *   now: Date.now(),
 *   afterMs: 86_400_000,
 *   dryRun: false,
 * });
 * assert.equal(report.abortedUploads, undefined);
 * ```
 */
export async function abortAbandonedUploads(
  store: ObjectStore,
  storePrefix: string,
  filter: KeyFilter,
  report: MirrorReport,
  options: { now: number; afterMs: number; dryRun: boolean; signal?: AbortSignal },
): Promise<void> {
  if (!(options.afterMs < Infinity)) return;
  const relative = (key: string) => key.slice(storePrefix.length);
  const found = await abortStaleUploads(store, storePrefix, {
    before: options.now - options.afterMs,
    notBefore: UNDATED_BEFORE,
    dryRun: options.dryRun,
    only: (key) => matchesFilter(filter, relative(key)),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const named = (u: { key: string; initiated: Date }) => ({
    key: relative(u.key),
    initiated: u.initiated.toISOString(),
  });
  if (found.aborted.length > 0) report.abortedUploads = found.aborted.map(named);
  const kept = [
    ...found.undated.map((u) => ({
      ...named(u),
      problem: "the store gives it no real start time (one before any vc), so its age is unknown",
    })),
    ...found.skipped.map((u) => ({ ...named(u), problem: u.problem })),
  ];
  if (kept.length > 0) report.keptUploads = kept;
  if (found.live.length > 0) report.liveUploads = found.live.map(named);
  if (found.unchecked !== undefined) {
    // A denial has a cure to name; another failure (an endpoint answering as
    // S3 does not) is said as it is.
    report.uploadsUnchecked = found.uncheckedDenied === true
      ? `${found.unchecked} (grant s3:ListBucketMultipartUploads)`
      : found.unchecked;
  }
}
