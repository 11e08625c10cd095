/**
 * Whether a local file is still being written, for the full passes of a
 * watch (`Mirror.run` with `settleMs`): such a file is left to the watch's
 * event queue, which uploads it once its size and mtime stay the same over
 * a quiet period of monotonic time.
 *
 * A pass cannot look twice without waiting, so it goes by the file's mtime,
 * a wall-clock time: modified within `settleMs` of now means still being
 * written. A step of the wall clock forward (NTP, a VM resumed, an operator)
 * makes every file written before it look that much older, a file the
 * writer paused on for a moment among them. So the wall clock's lead over
 * the monotonic one is sampled at every pass, and a file counts as recent
 * within `settleMs` plus however far the wall clock stepped forward since
 * the oldest sample that may predate its last write. A step is forgotten
 * `settleMs` after the pass that saw it: a file written before it is older
 * than that by then. Set back, the clock makes files look newer, but it may
 * have been set forward again before the next sample (no pass between): a
 * file written meanwhile has an mtime from the set-back clock and looks
 * older by the unseen step forward, which only the net change shows, and
 * not its size. So once the lead is seen to have dropped, mtimes say nothing
 * until `settleMs` after the pass that saw it: every file is recent until
 * then (the watch's queue uploads it once quiet in monotonic time). A step
 * back followed by one at least as large forward between two passes shows
 * in the samples only as their net step forward (or none); the watch's
 * events on a file written meanwhile hold it back (`changing`). Paths
 * the caller knows to be changing (the watch's events not applied yet) are
 * recent whatever their mtime.
 *
 * @module
 */
import type { Clock } from "../clock.ts";

/**
 * A drop of the wall clock's lead smaller than this is noise, not a step
 * back: `Date.now()` counts whole milliseconds, and NTP slews at most
 * 0.5 ms/s (~300 ms over a 10 min reconcile interval would still count,
 * costing only one pass that leaves its uploads to the queue).
 */
const BACK_STEP_MS = 100;

/** A sample of the wall clock's lead over the monotonic clock. */
interface Sample {
  /** Monotonic time of the sample. */
  at: number;
  /** `now() - monotonic()` then. */
  lead: number;
}

/**
 * Decides which files a pass leaves for later as still being written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../testing/manual_clock.ts";
 * import { SettleCheck } from "./settle.ts";
 * const clock = new ManualClock(100_000);
 * const settle = new SettleCheck(clock);
 * settle.pass(1_000);
 * const written = clock.now() - 10; // written just now, and still going
 * assert(settle.recent(written));
 * clock.jump(3_600_000); // the wall clock set forward an hour
 * settle.pass(1_000);
 * assert(settle.recent(written)); // not an hour old for that
 * await clock.advance(1_000); // a second of quiet, in monotonic time
 * settle.pass(1_000);
 * assert(!settle.recent(written));
 * assert(settle.future(clock.now() + 60_000) && !settle.future(written));
 * ```
 */
export class SettleCheck {
  readonly #clock: Clock;
  #settleMs = 0;
  /** Samples of this settle period, the newest last, after the last one before it. */
  #samples: Sample[] = [];

  /** Checks files against `clock` (its monotonic time, when it has one, guards against steps). */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Starts a pass that defers files modified within `settleMs`: samples the clocks. */
  pass(settleMs: number): void {
    this.#settleMs = settleMs;
    const now = this.#clock.now();
    const at = this.#clock.monotonic?.();
    if (at === undefined) return;
    this.#samples.push({ at, lead: now - at });
    // Older samples than the settle period's first matter no more: a file
    // written before any of them is older than the period.
    let first = 0;
    while (
      first + 1 < this.#samples.length && this.#samples[first + 1]!.at <= at - settleMs
    ) first++;
    if (first > 0) this.#samples = this.#samples.slice(first);
  }

  /**
   * True when a file last modified at `mtimeMs` (wall-clock ms) may still
   * be being written, as of now.
   */
  recent(mtimeMs: number): boolean {
    const now = this.#clock.now();
    let step = 0;
    const at = this.#clock.monotonic?.();
    if (at !== undefined) {
      // How far the wall clock went forward since the samples: it may have
      // gone since the file's last write, which then looks that much older.
      const lead = now - at;
      let later = lead;
      for (let i = this.#samples.length - 1; i >= 0; i--) {
        const s = this.#samples[i]!;
        // Set back between this sample and the next (or now): a step forward
        // may have followed unseen, by any amount.
        if (later < s.lead - BACK_STEP_MS) return true;
        step = Math.max(step, lead - s.lead);
        later = s.lead;
      }
    }
    return mtimeMs > now - this.#settleMs - step;
  }

  /**
   * True when `mtimeMs` is later than now: such a file is recent at every
   * pass (a margin for clock skew kept on purpose), not being written.
   */
  future(mtimeMs: number): boolean {
    return mtimeMs > this.#clock.now();
  }
}
