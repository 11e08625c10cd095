/**
 * Aborting multipart uploads that writers left behind (a `kill -9`, a lost
 * machine): S3 keeps their parts, and bills them, until they are aborted.
 * Shared by `vc repo gc`, the cache service's sweep, `vc mirror` and
 * `vc add` / `vc update` (the uploads of the version they publish).
 *
 * @module
 */
import { AccessDeniedError, VcError } from "../errors.ts";
import type { ObjectStore, PendingUpload } from "./types.ts";

/**
 * How old an open upload must be before vc aborts it as abandoned, by default
 * (ms): a day. A younger one may be a live writer's on another machine
 * (a large file over a slow link), whose upload an abort would fail.
 */
export const STALE_UPLOAD_AGE_MS = 86_400_000;

/**
 * No vc wrote before this (ms since the epoch): an upload a store dates
 * earlier has no real start time to go by (moto dates every upload
 * 2010-11-10), so it is kept, since one in flight may be a live writer's.
 * For {@linkcode abortStaleUploads}' `notBefore` where nothing better is
 * known (a repository knows when it was created).
 */
export const UNDATED_BEFORE: number = Date.UTC(2020, 0, 1);

/** What {@linkcode abortStaleUploads} found and did. */
export interface StaleUploads {
  /** Uploads started before the cutoff, aborted (or, dry, to abort). */
  aborted: PendingUpload[];
  /**
   * Uploads the store dates before anything of their owner existed (moto
   * gives every upload one fixed time in 2010): no age to go by, so kept,
   * since aborting one in flight would fail its writer.
   */
  undated: PendingUpload[];
  /** Uploads started before the cutoff that took a part since (live writers'), kept. */
  live: PendingUpload[];
  /** Uploads the store refused to abort, with why. */
  skipped: Array<PendingUpload & { problem: string }>;
  /** Why the uploads could not be listed (no grant, no such listing), when they could not. */
  unchecked?: string;
  /** True when that was the store refusing the listing (a grant missing), not another failure. */
  uncheckedDenied?: boolean;
}

/**
 * Aborts the multipart uploads under `prefix` started before `before` (ms
 * since the epoch), keeping those dated before `notBefore` (see
 * {@linkcode StaleUploads.undated}) and those that took a part since
 * `before` (see {@linkcode StaleUploads.live}). A store without such uploads gives an
 * empty result; a listing or an abort the store refuses is reported, not
 * thrown (each is a grant of its own on S3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortStaleUploads } from "./stale_uploads.ts";
 * import { MemoryStore } from "./memory.ts";
 * const r = await abortStaleUploads(new MemoryStore(), "data/", { before: Date.now(), notBefore: 0 });
 * assert.deepEqual(r.aborted, []);
 * ```
 */
export async function abortStaleUploads(
  store: ObjectStore,
  prefix: string,
  options: {
    before: number;
    notBefore: number;
    dryRun?: boolean;
    signal?: AbortSignal;
    /** Only uploads of the keys this accepts (a mirror's filters): the others are not looked at. */
    only?: (key: string) => boolean;
  },
): Promise<StaleUploads> {
  const result: StaleUploads = { aborted: [], undated: [], live: [], skipped: [] };
  if (store.pendingUploads === undefined || store.abortUpload === undefined) return result;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const stale: PendingUpload[] = [];
  try {
    for await (const upload of store.pendingUploads(prefix, signal)) {
      if (options.only !== undefined && !options.only(upload.key)) continue;
      const initiated = upload.initiated.getTime();
      if (!(initiated >= options.notBefore)) result.undated.push(upload);
      else if (initiated < options.before) stale.push(upload);
    }
  } catch (error) {
    // Listing uploads is a separate grant on S3, and some S3-compatible
    // stores have no such listing (501): the caller's work done so far
    // stands, and the result says what was not checked.
    if (!(error instanceof VcError)) throw error;
    result.unchecked = error.message;
    if (error instanceof AccessDeniedError) result.uncheckedDenied = true;
    return result;
  }
  for (const upload of stale) {
    // Started before the cutoff yet taking parts since: a live writer's (a
    // large file over a slow link; `vc serve` lets an upload run for days),
    // kept. Parts that cannot be listed leave the start to go by, as before.
    const last = await store.lastPartAt?.(upload, signal).catch((error) => {
      if (error instanceof VcError) return undefined;
      throw error;
    });
    if (last !== undefined && last.getTime() >= options.before) {
      result.live.push(upload);
      continue;
    }
    if (options.dryRun !== true) {
      try {
        await store.abortUpload(upload, signal);
      } catch (error) {
        if (!(error instanceof VcError)) throw error;
        result.skipped.push({ ...upload, problem: error.message });
        continue;
      }
    }
    result.aborted.push(upload);
  }
  return result;
}
