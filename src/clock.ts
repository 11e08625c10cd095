/**
 * The one source of time for everything time-based in vc (TTLs, recheck
 * intervals, leases, expiry, debounce). Code takes a {@linkcode Clock} option
 * defaulting to {@linkcode systemClock}, so tests move time forward with
 * `ManualClock` (from `./testing`) instead of sleeping.
 *
 * @module
 */
import { deadline } from "./deadline.ts";
import { sleep } from "./store/retry.ts";

/** Wall-clock time and waiting. */
export interface Clock {
  /**
   * Milliseconds since the Unix epoch, like `Date.now()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import type { Clock } from "./clock.ts";
   * import { ManualClock } from "./testing/manual_clock.ts";
   * // Code that takes a Clock is tested without waiting for real time to pass.
   * const expired = (clock: Clock, expiresAt: number) => clock.now() >= expiresAt;
   * const clock = new ManualClock(1_000);
   * assert(!expired(clock, 61_000));
   * clock.jump(60_000);
   * assert(expired(clock, 61_000));
   * ```
   */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason when aborted.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { systemClock } from "./clock.ts";
   * const stop = new AbortController();
   * const waiting = systemClock.sleep(60_000, stop.signal);
   * stop.abort(new Error("shutting down"));
   * await assert.rejects(waiting, /shutting down/); // at once, not after a minute
   * ```
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Milliseconds from an arbitrary start, never stepped when the wall clock
   * is set back or forward (the time `sleep` waits in): for schedules, which
   * a step of `now()` must neither stall nor bring due. Absent, `now()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./testing/manual_clock.ts";
   * const clock = new ManualClock(10_000);
   * clock.jump(-5_000); // the wall clock is set back...
   * assert(clock.now() === 5_000);
   * assert(clock.monotonic?.() === 10_000); // ...a schedule's clock is not
   * ```
   */
  monotonic?(): number;
  /**
   * Calls `fire` once `ms` of this clock's time have passed, unless the
   * returned function is called first: the request deadlines of an
   * `S3Store` given this clock. Absent, a {@linkcode Clock.sleep} that the
   * returned function aborts.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./testing/manual_clock.ts";
   * const clock = new ManualClock(0);
   * let fired = 0;
   * clock.deadline(500, () => fired++);
   * await clock.advance(499);
   * assert.equal(fired, 0); // however slow the machine: only advance moves it
   * await clock.advance(1);
   * assert.equal(fired, 1);
   * ```
   */
  deadline?(ms: number, fire: () => void): () => void;
}

/**
 * `clock`'s {@linkcode Clock.deadline}, or one made of its `sleep`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deadlineOf } from "./clock.ts";
 * import { ManualClock } from "./testing/manual_clock.ts";
 * const clock = new ManualClock(0);
 * let fired = 0;
 * const cancel = deadlineOf({ now: () => clock.now(), sleep: (ms, s) => clock.sleep(ms, s) })(
 *   10,
 *   () => fired++,
 * );
 * cancel();
 * await clock.advance(10);
 * assert.equal(fired, 0);
 * ```
 */
export function deadlineOf(clock: Clock): (ms: number, fire: () => void) => () => void {
  if (clock.deadline !== undefined) return clock.deadline.bind(clock);
  return (ms, fire) => {
    const stop = new AbortController();
    clock.sleep(ms, stop.signal).then(fire, () => {});
    return () => stop.abort();
  };
}

/**
 * The real clock: `Date.now()` and timers (deadlines: `deadline.ts`'s,
 * without `setTimeout`).
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
  deadline,
};
