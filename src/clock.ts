/**
 * The one source of time for everything time-based in vc (TTLs, recheck
 * intervals, leases, expiry, debounce). Code takes a {@linkcode Clock} option
 * defaulting to {@linkcode systemClock}, so tests move time forward with
 * `ManualClock` (from `./testing`) instead of sleeping.
 *
 * @module
 */
import { sleep } from "./store/retry.ts";

/** Wall-clock time and waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Milliseconds from an arbitrary start, never stepped when the wall clock
   * is set back or forward (the time `sleep` waits in): for schedules, which
   * a step of `now()` must neither stall nor bring due. Absent, `now()`.
   */
  monotonic?(): number;
}

/**
 * The real clock: `Date.now()` and timers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "./clock.ts";
 * const before = systemClock.now();
 * await systemClock.sleep(1);
 * assert(systemClock.now() >= before);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  monotonic: () => performance.now(),
};
