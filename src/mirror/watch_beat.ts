/**
 * Whether Deno's file watcher still delivers events, told by a heartbeat: a
 * private directory watched beside the tree, where a file is written now
 * and then. A watcher stalled at a FIFO made in the tree (see
 * `watcher_stuck.ts`) delivers nothing after, the heartbeat's events
 * included, and that needs no `/proc` (which vc's own permissions may not
 * read) nor the FIFO still there (a pass finds it only if it is).
 *
 * Any event counts as an answer (Deno drops events when its queue of 16 is
 * full: a busy tree may crowd the heartbeat's own out), and the times are
 * real ones (`performance.now()`): it is about a thread of the runtime, not
 * about the watch's schedule.
 *
 * @module
 */

/** Time between two beats (ms). */
export const BEAT_INTERVAL_MS = 5_000;

/** A beat with no event at all for this long (ms) tells a watcher that delivers nothing. */
export const BEAT_TIMEOUT_MS = 10_000;

/**
 * A heartbeat for a watcher: watch {@linkcode WatchBeat.dir} with it, call
 * {@linkcode WatchBeat.heard} at each of its events, and
 * {@linkcode WatchBeat.tick} now and then; `deaf` tells a watcher that
 * answered no beat within {@linkcode BEAT_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WatchBeat } from "./watch_beat.ts";
 * let now = 0;
 * const beat = await WatchBeat.open(() => now);
 * assert(beat !== undefined);
 * try {
 *   beat.tick(); // a beat written
 *   now = 60_000;
 *   assert.equal(beat.deaf(), true); // no event since
 *   beat.heard();
 *   assert.equal(beat.deaf(), false);
 * } finally {
 *   await beat.close();
 * }
 * ```
 */
export class WatchBeat {
  /** The directory to watch beside the tree. */
  readonly dir: string;
  readonly #now: () => number;
  /** When the beat not answered yet was written; undefined when none is. */
  #waiting: number | undefined;
  #lastAt = -Infinity;
  #count = 0;

  private constructor(dir: string, now: () => number) {
    this.dir = dir;
    this.#now = now;
  }

  /** A heartbeat in a new temporary directory; undefined when none can be made. */
  static async open(now: () => number = () => performance.now()): Promise<WatchBeat | undefined> {
    try {
      return new WatchBeat(await Deno.makeTempDir({ prefix: "vc-watch-beat-" }), now);
    } catch {
      return undefined;
    }
  }

  /** Whether `path` is the heartbeat's (its events are no change of the tree's). */
  owns(path: string): boolean {
    return path === this.dir || path.startsWith(this.dir + "/") ||
      path.startsWith(this.dir + "\\");
  }

  /** An event came: the watcher delivers. */
  heard(): void {
    this.#waiting = undefined;
  }

  /** A new watcher: nothing owed yet. */
  reset(): void {
    this.#waiting = undefined;
    this.#lastAt = this.#now();
  }

  /** Writes a beat if one is due and none is waiting. */
  tick(): void {
    const now = this.#now();
    if (this.#waiting !== undefined || now - this.#lastAt < BEAT_INTERVAL_MS) return;
    this.#lastAt = now;
    try {
      Deno.writeTextFileSync(`${this.dir}/beat`, String(++this.#count));
      this.#waiting = now;
    } catch {
      // Not written (the directory removed by a cleaner of /tmp): no beat owed.
    }
  }

  /** True when a beat has waited {@linkcode BEAT_TIMEOUT_MS} with no event at all since. */
  deaf(): boolean {
    return this.#waiting !== undefined && this.#now() - this.#waiting >= BEAT_TIMEOUT_MS;
  }

  /** Removes the directory. */
  async close(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
