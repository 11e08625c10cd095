/**
 * A {@linkcode Clock} whose time moves only when a test says so, so tests of
 * TTLs, recheck intervals, leases and backoff run instantly and
 * deterministically instead of sleeping.
 *
 * @module
 */
import type { Clock } from "../clock.ts";

interface Sleeper {
  deadline: number;
  resolve: () => void;
}

/**
 * A manually advanced {@linkcode Clock}: `now()` returns the current manual
 * time, and `sleep(ms)` resolves once {@linkcode ManualClock.advance} (or
 * {@linkcode ManualClock.set}) moves the time to or past its deadline.
 * Sleeps are abortable with a signal, like the system clock's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./manual_clock.ts";
 * const clock = new ManualClock(1_000);
 * let woke = false;
 * const sleeping = clock.sleep(500).then(() => (woke = true));
 * await clock.advance(499);
 * assert(!woke && clock.pending === 1);
 * await clock.advance(1);
 * await sleeping;
 * assert(woke && clock.now() === 1_500);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  /** How far {@linkcode ManualClock.jump} stepped the wall clock from the monotonic time. */
  #offset = 0;
  #sleepers = new Set<Sleeper>();

  /** Starts at `start` (ms since the epoch, or a `Date`; default: the real time when created). */
  constructor(start: number | Date = Date.now()) {
    this.#now = timeOf("ManualClock: the start", start);
  }

  /**
   * The current manual time.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * assert(new ManualClock(42).now() === 42);
   * ```
   */
  now(): number {
    return this.#now;
  }

  /**
   * Resolves when the manual time reaches `now() + ms` (at once when
   * `ms <= 0`); rejects with the signal's reason when aborted first.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(0);
   * const controller = new AbortController();
   * const sleeping = clock.sleep(10_000, controller.signal);
   * controller.abort(new Error("stop"));
   * await assert.rejects(sleeping, /stop/);
   * assert.equal(clock.pending, 0);
   * ```
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        deadline: this.monotonic() + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Calls `fire` once the manual time has moved `ms` on (at the
   * {@linkcode ManualClock.advance} or {@linkcode ManualClock.set} that
   * moves it there), unless the returned function is called first. Given
   * to an `S3Store` as its `clock`, its request deadlines pass only when a
   * test moves the time: a loaded machine never times a request out.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(0);
   * let fired = 0;
   * const cancel = clock.deadline(1_000, () => fired++);
   * await clock.advance(1_000);
   * assert.equal(fired, 1);
   * cancel(); // after it fired: nothing
   * assert.equal(clock.pending, 0);
   * ```
   */
  deadline(ms: number, fire: () => void): () => void {
    const stop = new AbortController();
    this.sleep(ms, stop.signal).then(fire, () => {});
    return () => stop.abort();
  }

  /**
   * The monotonic time: moved by {@linkcode ManualClock.advance} and
   * {@linkcode ManualClock.set} with `now()`, never by
   * {@linkcode ManualClock.jump}. Sleeps wait in it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(1_000);
   * await clock.advance(500);
   * assert(clock.monotonic() === 1_500);
   * ```
   */
  monotonic(): number {
    return this.#now - this.#offset;
  }

  /**
   * Steps the wall clock (`now()`) by `ms`, back or forward, as NTP or an
   * operator setting the system time does: the monotonic time does not
   * move, and no sleep wakes or waits longer for it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(10_000);
   * let woke = false;
   * const sleeping = clock.sleep(500).then(() => (woke = true));
   * clock.jump(-5_000);
   * assert(clock.now() === 5_000 && clock.monotonic() === 10_000);
   * await clock.advance(500);
   * await sleeping;
   * assert(woke);
   * ```
   */
  jump(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`jump: ms must be a finite number, got ${ms}`);
    this.#now += ms;
    this.#offset += ms;
  }

  /**
   * How many sleeps are waiting for the time to move.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(0);
   * // A retry loop under test sleeps between attempts; wait until it does.
   * const retrying = clock.sleep(1_000);
   * assert.equal(clock.pending, 1);
   * await clock.advance(1_000);
   * await retrying;
   * assert.equal(clock.pending, 0);
   * ```
   */
  get pending(): number {
    return this.#sleepers.size;
  }

  /**
   * Moves the time forward by `ms` and wakes every sleep whose deadline has
   * passed, in deadline order. Resolves after the woken sleepers' promise
   * callbacks had a chance to run.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(0);
   * const order: number[] = [];
   * const a = clock.sleep(20).then(() => order.push(20));
   * const b = clock.sleep(10).then(() => order.push(10));
   * await clock.advance(25);
   * await Promise.all([a, b]);
   * assert.deepEqual(order, [10, 20]);
   * ```
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance: ms must be a non-negative number, got ${ms}`);
    await this.set(this.#now + ms);
  }

  /**
   * Sets the time to `time` (never backwards) and wakes due sleeps, like
   * {@linkcode ManualClock.advance}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "./manual_clock.ts";
   * const clock = new ManualClock(0);
   * await clock.set(5_000);
   * assert(clock.now() === 5_000);
   * ```
   */
  async set(time: number | Date): Promise<void> {
    time = timeOf("set: the time", time);
    if (time < this.#now) {
      throw new RangeError(`set: time cannot go backwards (${time} < ${this.#now})`);
    }
    this.#now = time;
    const due = [...this.#sleepers].filter((s) => s.deadline <= this.monotonic())
      .sort((a, b) => a.deadline - b.deadline);
    for (const sleeper of due) {
      this.#sleepers.delete(sleeper);
      sleeper.resolve();
      // Let the woken code run (and maybe sleep again) before the next one.
      await Promise.resolve();
    }
    await new Promise<void>((resolve) => queueMicrotask(resolve));
  }
}

// A Date kept as given made `now() + ms` a string; NaN or a string made every
// deadline NaN, so no sleeper ever woke.
function timeOf(what: string, time: unknown): number {
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new RangeError(
      `${what} must be ms since the epoch (a finite number) or a valid Date, got ${
        typeof time === "string" ? JSON.stringify(time) : String(time)
      }`,
    );
  }
  return ms;
}
