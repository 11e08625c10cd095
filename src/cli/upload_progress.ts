/**
 * The progress of an upload of a local file (`vc add`, `vc update`,
 * `vc repo add`): the file is hashed whole before its first byte goes up
 * (its MD5 is sent with it), which takes seconds a GB, so the bar says
 * `hashing` at once instead of staying blank until the upload starts.
 *
 * @module
 */
import type { ProgressBar } from "../progress.ts";

/**
 * Shows `hashing` on `bar` now and returns the `onProgress` callback for the
 * upload's bytes, which starts the `uploading` step (its rate and ETA timed
 * from there, not from the hashing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { uploadProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * const onProgress = uploadProgress(bar);
 * assert(bar.line().includes("hashing"));
 * onProgress({ bytes: 5, total: 10 });
 * assert(bar.line().includes("50%") && bar.line().includes("uploading"));
 * ```
 */
export function uploadProgress(
  bar: ProgressBar,
): (progress: { bytes: number; total?: number | undefined }) => void {
  bar.onStep({ current: "hashing" });
  return ({ bytes, total }) =>
    bar.onStep({
      current: "uploading",
      bytes,
      ...(total === undefined ? {} : { totalBytes: total }),
    });
}
