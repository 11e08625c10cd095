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
 * How long the event loop runs on, once a beat was found overdue, before
 * the watcher is taken as deaf (ms; see {@linkcode WatchBeat.deaf}).
 */
export const BEAT_CONFIRM_MS = 1_000;

/**
 * A heartbeat for a watcher: watch {@linkcode WatchBeat.dir} with it, call
 * {@linkcode WatchBeat.heard} at each of its events, and
 * {@linkcode WatchBeat.tick} now and then; `deaf` tells a watcher that
 * answered no beat within {@linkcode BEAT_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BEAT_CONFIRM_MS, WatchBeat } from "./watch_beat.ts";
 * let now = 0;
 * const beat = await WatchBeat.open([], () => now);
 * assert(beat !== undefined);
 * try {
 *   beat.tick(); // a beat written
 *   now = 60_000;
 *   assert.equal(beat.deaf(), false); // overdue: told once the event loop ran on
 *   await new Promise((r) => setTimeout(r, BEAT_CONFIRM_MS + 100));
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
  /**
   * A beat found overdue: whether the event loop has run since (see
   * {@linkcode WatchBeat.deaf}); undefined while none is.
   */
  #confirmed: boolean | undefined;
  #confirmTimer: ReturnType<typeof setTimeout> | undefined;
  #count = 0;

  /** Removes the directory as the process exits mid-watch (`Deno.exit`: a second Ctrl-C). */
  readonly #onExit = () => {
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch {
      // Gone already.
    }
  };

  private constructor(dir: string, now: () => number) {
    this.dir = dir;
    this.#now = now;
    globalThis.addEventListener("unload", this.#onExit);
  }

  /**
   * A heartbeat in a new temporary directory outside `roots` (the trees the
   * watch mirrors), named by its real path; undefined when none can be made.
   * The system's temporary directory may be inside the tree (a home
   * mirrored with `TMPDIR=$HOME/tmp`, `/tmp` mirrored): the full passes
   * then uploaded the beats, so `/var/tmp` and `/tmp` are tried next, and
   * where all are inside, there is no heartbeat. The real path: macOS's
   * FSEvents names its events' paths so (`/private/var/folders/…` for a
   * `TMPDIR` of `/var/folders/…`), and the beats' must be told apart.
   */
  static async open(
    roots: readonly string[] = [],
    now: () => number = () => performance.now(),
  ): Promise<WatchBeat | undefined> {
    const trees = roots.map(realPathOr);
    const inTree = (dir: string) => trees.some((root) => within(dir, root));
    for (
      const parent of [undefined, ...(Deno.build.os === "windows" ? [] : ["/var/tmp", "/tmp"])]
    ) {
      let dir: string;
      try {
        dir = await Deno.realPath(
          await Deno.makeTempDir({ prefix: "vc-watch-beat-", ...(parent ? { dir: parent } : {}) }),
        );
      } catch {
        continue;
      }
      if (!inTree(dir)) return new WatchBeat(dir, now);
      await Deno.remove(dir).catch(() => {});
    }
    return undefined;
  }

  /** Whether `path` is the heartbeat's (its events are no change of the tree's). */
  owns(path: string): boolean {
    return within(path, this.dir);
  }

  /** An event came: the watcher delivers. */
  heard(): void {
    this.#waiting = undefined;
    this.#unconfirm();
  }

  /** A new watcher: nothing owed yet. */
  reset(): void {
    this.#waiting = undefined;
    this.#unconfirm();
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

  /**
   * True when a beat has waited {@linkcode BEAT_TIMEOUT_MS} with no event at
   * all since, and still none came once the event loop ran on for
   * {@linkcode BEAT_CONFIRM_MS} after that was first asked. A stall of this
   * process right after a beat (a `stat` of a root on a hung NFS mount, a
   * long synchronous step) makes it overdue while its event waits, handed
   * over only after the timers due by then: taken as deaf at once, a watcher
   * that delivered was replaced (a thread and its watches leaked each time).
   */
  deaf(): boolean {
    if (this.#waiting === undefined || this.#now() - this.#waiting < BEAT_TIMEOUT_MS) return false;
    if (this.#confirmed === undefined) {
      this.#confirmed = false;
      // Then one more turn of the loop: its events are handed over before.
      this.#confirmTimer = setTimeout(() => {
        this.#confirmTimer = setTimeout(() => {
          this.#confirmTimer = undefined;
          this.#confirmed = true;
        }, 0);
        Deno.unrefTimer(this.#confirmTimer);
      }, BEAT_CONFIRM_MS);
      Deno.unrefTimer(this.#confirmTimer);
    }
    return this.#confirmed;
  }

  /** No beat overdue: a confirmation under way is dropped. */
  #unconfirm(): void {
    clearTimeout(this.#confirmTimer);
    this.#confirmTimer = undefined;
    this.#confirmed = undefined;
  }

  /** Removes the directory (also done if the process exits first). */
  async close(): Promise<void> {
    globalThis.removeEventListener("unload", this.#onExit);
    this.#unconfirm();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Whether `path` is `dir` or below it (either separator). */
function within(path: string, dir: string): boolean {
  const base = dir.replace(/[\\/]+$/, "");
  return path === base || path.startsWith(base + "/") || path.startsWith(base + "\\");
}

/** `path`'s real path, or `path` itself where it cannot be resolved. */
function realPathOr(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}
