/**
 * The background expiry sweep of `vc serve`: every interval, remove expired
 * entries (and orphaned data) with {@linkcode Entries.sweep}. Expired entries
 * are already 404 at access time; the sweep reclaims their space.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Entries, SweepResult } from "./entries.ts";

/** Options for {@linkcode runSweeps}. */
export interface SweepLoopOptions {
  /** Milliseconds between sweeps. */
  intervalMs: number;
  /**
   * Milliseconds before the first sweep (default `intervalMs`). `vc serve`
   * takes a random moment within the first interval, past the first
   * minute: an instance replaced more often than the interval never swept,
   * and instances started together swept the whole store at the same
   * moments.
   */
  firstDelayMs?: number;
  /** Time source. */
  clock: Clock;
  /** Stops the loop. */
  signal: AbortSignal;
  /** Reports each sweep's result or error. */
  onSweep?: (result: SweepResult | Error) => void;
}

/**
 * Sweeps every `intervalMs` until `signal` aborts; never throws (a failed
 * sweep is reported and the next one runs on time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../clock.ts";
 * import { FsStore } from "../store/fs.ts";
 * import { Entries } from "./entries.ts";
 * import { runSweeps } from "./sweep.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const stop = new AbortController();
 *   const results: unknown[] = [];
 *   const loop = runSweeps(new Entries(new FsStore(dir)), {
 *     intervalMs: 1, clock: systemClock, signal: stop.signal,
 *     onSweep: (r) => { results.push(r); stop.abort(); },
 *   });
 *   await loop;
 *   assert(results.length === 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function runSweeps(entries: Entries, options: SweepLoopOptions): Promise<void> {
  const { signal, clock } = options;
  let wait = options.firstDelayMs ?? options.intervalMs;
  while (!signal.aborted) {
    try {
      await clock.sleep(wait, signal);
      wait = options.intervalMs;
    } catch {
      return; // aborted
    }
    try {
      // Each instance sweeps the whole store: entries written too recently
      // to have expired are not read (one read per entry, per instance, per
      // interval, was most of a sweep's cost).
      options.onSweep?.(await entries.sweep({ signal, skipRecent: true }));
    } catch (e) {
      if (signal.aborted) return;
      options.onSweep?.(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
