/**
 * How long a cache client waits after a refused connection that follows an
 * answered one: the service is restarting (`systemctl restart`, a crash and
 * its restart), and `vc serve` takes seconds to listen again. The backoff
 * for blips (100 ms doubling) spent all five attempts within 1.5 s, so an
 * upload or a download cut by a restart failed with "cannot reach".
 *
 * @module
 */

/** The wait after the first refusal; it doubles with each refusal in a row. */
export const RESTART_WAIT_MS = 1000;

/**
 * The wait before the next attempt after `refusals` refused connections in a
 * row (1, 2, 4 s, ...), at most `maxMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restartWaitMs } from "./restart_wait.ts";
 * assert.deepEqual([1, 2, 3].map((n) => restartWaitMs(n, 20_000)), [1000, 2000, 4000]);
 * assert.equal(restartWaitMs(9, 20_000), 20_000);
 * ```
 */
export function restartWaitMs(refusals: number, maxMs: number): number {
  return Math.min(maxMs, RESTART_WAIT_MS * 2 ** (Math.max(1, refusals) - 1));
}
