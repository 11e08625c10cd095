/**
 * The progress of an upload of a local file (`vc add`, `vc update`,
 * `vc repo add`): the file is hashed whole before its first byte goes up
 * (its MD5 is sent with it), which takes seconds a GB, so the bar says
 * `hashing` at once instead of staying blank until the upload starts. The
 * check after a transfer (a multipart upload's file hashed again, a
 * downloaded record's MD5) reads the file whole too: `checking` with its own
 * percentage, instead of a bar that sits at 100% for seconds a GB. A copy
 * out of the cache (`vc get` of a cached entry) is `copying` with its own.
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

/**
 * The callback that shows a listing of the bucket's keys on `bar` as the
 * `listing` step with the count so far: `vc versions` and `vc ls-remote`
 * draw nothing else, and `add` / `update` list a path's versions before they
 * hash (seconds for tens of thousands of versions, under `hashing` before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { listingProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * listingProgress(bar)({ listed: 2500 });
 * assert(bar.line().includes("listing") && bar.line().includes("2500"));
 * ```
 */
export function listingProgress(bar: ProgressBar): (progress: { listed: number }) => void {
  return ({ listed }) => bar.onStep({ current: "listing", done: listed });
}

/**
 * The `onHashProgress` callback that shows the hashing before an upload on
 * `bar` with its percentage: a `hashing` that stood still for the seconds a
 * GB takes looked hung.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { hashProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * hashProgress(bar)({ bytes: 25, total: 100 });
 * assert(bar.line().includes("25%") && bar.line().includes("hashing"));
 * ```
 */
export function hashProgress(
  bar: ProgressBar,
): (progress: { bytes: number; total: number }) => void {
  return ({ bytes, total }) => bar.onStep({ current: "hashing", bytes, totalBytes: total });
}

/**
 * The `onCheckProgress` callback that shows the check after a transfer on
 * `bar` as its own step, `checking` with its percentage (and, in a CI log,
 * the plain line every 30 s: an upload at 100% prints none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { checkProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * bar.onBytes({ bytes: 10, total: 10 });
 * checkProgress(bar)({ bytes: 37, total: 100 });
 * assert(bar.line().includes("37%") && bar.line().includes("checking"));
 * ```
 */
export function checkProgress(
  bar: ProgressBar,
): (progress: { bytes: number; total: number }) => void {
  return ({ bytes, total }) => bar.onStep({ current: "checking", bytes, totalBytes: total });
}

/**
 * The `onProgress` callback of a copy of a local file (`vc get` copying a
 * cached copy to DEST) on `bar`, as its own step, `copying` with its
 * percentage: a copy of a GB drew nothing for seconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { copyProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * copyProgress(bar)({ bytes: 40, total: 100 });
 * assert(bar.line().includes("40%") && bar.line().includes("copying"));
 * ```
 */
export function copyProgress(
  bar: ProgressBar,
): (progress: { bytes: number; total?: number | undefined }) => void {
  return ({ bytes, total }) =>
    bar.onStep({
      current: "copying",
      bytes,
      ...(total === undefined ? {} : { totalBytes: total }),
    });
}

/**
 * An item-level progress (`vc sync`, `vc verify`, `vc mirror`) with the step
 * of the item in hand after its name, so the line moves while one large
 * file is read (checked, copied, hashed: seconds a GB each) and `done`
 * stands still: `/big.bin: checking 45%`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withStep } from "./upload_progress.ts";
 * const step = { name: "checking", bytes: 45, total: 100 };
 * const item = withStep({ done: 0, total: 1, current: "/big.bin", step });
 * assert.deepEqual(item, { done: 0, total: 1, current: "/big.bin: checking 45%" });
 * assert.deepEqual(withStep({ done: 1, current: "/a" }), { done: 1, current: "/a" });
 * ```
 */
export function withStep<
  T extends { current?: string; step?: { name: string; bytes: number; total: number } },
>(progress: T): Omit<T, "step"> {
  // A report without a step (an item named as it starts, or counted done)
  // is handed on as it is, not copied: prefill reports several times an
  // item, a thousand items a second.
  if (!("step" in progress)) return progress;
  const { step, ...item } = progress;
  if (step === undefined) return item;
  const percent = step.total > 0 ? Math.floor((step.bytes / step.total) * 100) : 100;
  return { ...item, current: `${item.current ?? ""}: ${step.name} ${percent}%` };
}

/**
 * The `onProgress` and `onHashProgress` callbacks of a download into the
 * cache (`vc cache get`) on `bar`: the download's bytes, and before them a
 * `file://` object's hashing for its ETag (a large file dropped into the
 * directory by hand: seconds a GB) as a `hashing` step; once that was shown,
 * the download is its own step, `downloading`, so the line does not keep
 * saying `hashing`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "../progress.ts";
 * import { downloadProgress } from "./upload_progress.ts";
 * const bar = new ProgressBar({ enabled: false });
 * const { onProgress, onHashProgress } = downloadProgress(bar);
 * onHashProgress({ bytes: 25, total: 100 });
 * assert(bar.line().includes("25%") && bar.line().includes("hashing"));
 * onProgress({ bytes: 50, total: 100 });
 * assert(bar.line().includes("50%") && bar.line().includes("downloading"));
 * ```
 */
export function downloadProgress(bar: ProgressBar): {
  onProgress: (progress: { bytes: number; total: number }) => void;
  onHashProgress: (progress: { bytes: number; total: number }) => void;
} {
  let hashed = false;
  return {
    onProgress: (p) =>
      hashed
        ? bar.onStep({ current: "downloading", bytes: p.bytes, totalBytes: p.total })
        : bar.onBytes(p),
    onHashProgress: ({ bytes, total }) => {
      hashed = true;
      bar.onStep({ current: "hashing", bytes, totalBytes: total });
    },
  };
}
