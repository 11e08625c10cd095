/**
 * `vc mirror --watch`: after a first full pass, filesystem events are
 * batched and applied; a periodic full pass repairs whatever events missed.
 *
 * - A changed path is applied once it has been quiet for `debounceMs`: its
 *   size and mtime are the same at the event and at the batch, so a file
 *   still being written is uploaded once complete, never half (unless its
 *   writer pauses for longer than the debounce: quiet is all events show).
 *   One never quiet that long (a status file rewritten every half second, a
 *   log appended to all day) is applied once it has waited
 *   `LONGEST_WAIT_MS` (or 6 debounces, if longer) all the same, and again
 *   each time it waited that long: waiting for quiet, it was never mirrored
 *   while its writer ran. Its upload is whole as any is (a file read in
 *   parts that changed meanwhile is not stored, and waits its next turn,
 *   twice as long each time up to `LONGEST_WAIT_MAX_MS`: a big log appended
 *   to all day is not sent whole, for nothing, every minute).
 * - A path gone waits while other removals are still coming in (an `rm -r`
 *   slower than the debounce), its longest wait at most: the removal is one
 *   batch, so a source root it ends by removing holds back all its deletes.
 * - Every `reconcileIntervalMs` a full pass runs. It leaves to the event
 *   queue, for the same reason, the files with events not applied yet and
 *   those modified within the debounce (by their mtime, which a step of the
 *   wall clock forward does not make look old: see `settle.ts`).
 * - Events the system dropped (its queue overflowed: a `tar x` of many
 *   thousands of files) bring a full pass once no overflow has come for
 *   `debounceMs`: nothing else finds them. Not at once: a file written
 *   fast and long (a 300 MB download into the tree) overflows the queue
 *   over and over, and a pass for each, back to back, walked and listed the
 *   whole tree for as long as the write went on.
 * - What fails (a store that cannot be reached, a file that could not be
 *   read) is tried again after 1 s, then after twice as long each time, up
 *   to 5 min: a store down when the watch starts, or while events come, is
 *   caught up with once it is back, not at the next full pass. The first
 *   batch or pass the store answers brings every path still waiting due.
 * - The `signal` stops the watch: the pass or batch in flight starts no new
 *   transfer (nor deletes anything), those in flight finish, then the
 *   promise resolves with the totals. The `cancel` signal abandons it:
 *   transfers in flight are aborted (a multipart upload aborted in the
 *   store, a partial download removed), and the promise rejects with its
 *   reason. No half-written file is left under its name either way.
 *
 * Time comes from the injectable `clock` (its monotonic time, which a step
 * of the wall clock does not move), so tests advance time instead of
 * sleeping. Store → local mirrors have no events to watch: they reconcile
 * at the interval only.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { CallbackError, InvalidInputError, VcError } from "../errors.ts";
import { CallbackGuard } from "../callback.ts";
import { directoryId } from "./local_side.ts";
import { fifoMadeSince, fsWatcherStuck } from "./watcher_stuck.ts";
import { watchFsOffThread } from "./watcher_thread.ts";
import { WatchBeat } from "./watch_beat.ts";
import { Mirror, MIRROR_OPTIONS } from "./mirror.ts";
import { MirrorInterruptedError, storeTransient } from "./report.ts";
import { counted } from "../counted.ts";
import { sep } from "../path.ts";
import { formatBytes } from "../progress.ts";
import { checkRequiredOptions, describeValue, type OptionNames } from "../options_check.ts";
import { keptPartialsSaid } from "../kept_partial_words.ts";
import type { MirrorKeptPartial, MirrorOptions, MirrorReport } from "./types.ts";

/** Options for {@linkcode watchMirror}. */
export interface WatchOptions extends MirrorOptions {
  /** Quiet time before a changed path is applied (default 1000 ms). */
  debounceMs?: number;
  /** Time between full passes (default 600 000 ms = 10 min). */
  reconcileIntervalMs?: number;
  /**
   * Abandons the watch: transfers in flight are aborted (see the module's
   * notes) and the promise rejects with the signal's reason. It stops the
   * watch too, so it may come without or after `signal`.
   */
  cancel?: AbortSignal;
  /**
   * Called after each pass or batch with what it did. `info.retry`: a batch
   * of paths that all failed before (tried again after a wait), whose
   * failures a log has said already; `info.retryInMs`: when what failed is
   * tried again (absent for a pass, whose failures wait for the next one).
   */
  onBatch?: (
    report: MirrorReport,
    kind: "initial" | "events" | "reconcile",
    info: BatchInfo,
  ) => void;
  /** Called when filesystem events arrive (after they are queued). */
  onEvent?: (paths: readonly string[]) => void;
  /** Called each time nothing is due and the watch starts waiting (tests: "work is done"). */
  onIdle?: () => void;
  /**
   * Called when a pass or batch fails (the watch goes on). For a full pass,
   * `info` says when it is tried again, and whether the pass before it
   * failed too (`retry`: a store down for a while fails each the same).
   */
  onError?: (error: unknown, info?: BatchInfo) => void;
  /**
   * Where events come from (default `Deno.watchFs`; tests give their own).
   * `stuck`, if given, tells whether the watcher is stuck at a FIFO made in
   * the tree (see `watcher_stuck.ts`); the default watcher is asked by
   * `fsWatcherStuck`. Either is also taken as stuck once a pass or batch
   * skips a FIFO made since it started. A stuck watcher is never closed (on
   * the main thread that would block): Deno's (the default, or one whose
   * `denoWatcher` is true) is replaced by one on a thread of its own
   * (`watcher_thread.ts`), any other is kept, and the full passes mirror
   * changes.
   */
  watchFs?: (paths: string[], options: { recursive: boolean }) => AsyncIterable<Deno.FsEvent> & {
    close(): void;
    stuck?(): boolean;
    denoWatcher?: boolean;
  };
}

/**
 * What {@linkcode WatchOptions.onBatch} is told besides the report (and
 * {@linkcode WatchOptions.onError} about a full pass that failed).
 */
export interface BatchInfo {
  /** Every path of the batch failed before (the full pass before failed too): a retry. */
  retry: boolean;
  /** When what failed in it is tried again (ms): an event batch's paths, a failed full pass. */
  retryInMs?: number;
}

/**
 * What `watchMirror` throws when its `cancel` signal ended it (transfers in
 * flight aborted): `totals` are what it really did up to then (a pass cut
 * short counts what it finished), `cutShort` the keys of the transfers it
 * aborted, when known; the `cause` is the abort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WatchInterruptedError } from "./watch.ts";
 * const totals = { passes: 1, batches: 2, transferred: 6, bytes: 12_000_000, deleted: 0, failed: 0 };
 * const e = new WatchInterruptedError(totals, ["big.bin"], new DOMException("x", "AbortError"));
 * assert.match(e.message, /^mirror interrupted: 1 pass, 2 batches, 6 transferred \(12\.0 MB\)/);
 * ```
 */
export class WatchInterruptedError extends VcError {
  /** What the watch did before it was ended. */
  readonly totals: WatchReport;
  /** Keys of the transfers it aborted. */
  readonly cutShort: string[];
  /** Of those, the large downloads whose partial is kept for the next run to resume. */
  readonly keptPartials: MirrorKeptPartial[];
  /** The error of a watch ended by its `cancel` signal, `cause` the abort. */
  constructor(
    totals: WatchReport,
    cutShort: string[],
    cause: unknown,
    keptPartials: MirrorKeptPartial[] = [],
  ) {
    // Named as the keys cut short are (their JSON string's inside), as `vc mirror` does.
    const kept = keptPartialsSaid(
      keptPartials.map((k) => ({ ...k, name: JSON.stringify(k.key).slice(1, -1) })),
    );
    const cut = cutShort.length === 0
      ? ""
      : `, ${cutShort.length} cut short (${
        cutShort.slice(0, 3).map((k) => JSON.stringify(k).slice(1, -1)).join(", ")
      }${cutShort.length > 3 ? `, and ${cutShort.length - 3} more` : ""}${
        kept === "" ? "" : `; ${kept}`
      })`;
    super(
      `mirror interrupted: ${counted(totals.passes, "pass", "passes")}, ${
        counted(totals.batches, "batch", "batches")
      }, ${totals.transferred} transferred (${formatBytes(totals.bytes)}${
        totals.copied ? `; ${totals.copied} copied in the store, renamed files` : ""
      }), ${totals.deleted} ` +
        `deleted, ${totals.failed} failed${cut}; no half-written file is left under its name, ` +
        "and the next run mirrors what was cut short",
      { cause },
    );
    this.name = "WatchInterruptedError";
    this.totals = { ...totals };
    this.cutShort = cutShort;
    this.keptPartials = keptPartials;
  }
}

/** Totals of a watch, returned when it stops. */
export interface WatchReport {
  /** Full passes made (the initial one included). */
  passes: number;
  /** Event batches applied. */
  batches: number;
  /** Files uploaded or downloaded. */
  transferred: number;
  /** Bytes uploaded or downloaded. */
  bytes: number;
  /**
   * Of `transferred`, the files copied in the store (renamed files, see
   * {@linkcode MirrorReport.copied}), whose bytes are not in `bytes`.
   * Absent when none.
   */
  copied?: number;
  /** Target entries deleted. */
  deleted: number;
  /** Failures seen (each also reported through its batch's report). */
  failed: number;
  /**
   * Paths whose changes the watch had seen but not mirrored when it stopped
   * (their debounce not over, or waiting to be tried again): the next run's
   * full pass mirrors them. Absent when none.
   */
  unmirrored?: number;
  /**
   * The kind of the pass or batch the stop cut short (its report's
   * `stopped`), which did not come to every file and deleted nothing: the
   * next run's full pass mirrors the rest. Absent when the stop came
   * between them.
   */
  stoppedIn?: "initial" | "events" | "reconcile";
}

interface Pending {
  /** Size and mtime (or "missing" / "dir") when last seen. */
  seen: string;
  /** Monotonic time (see `Clock.monotonic`) it was last seen changing. */
  since: number;
  /**
   * Monotonic time since which it has not been quiet for a debounce (`since`
   * when absent): one never quiet is applied once it has waited
   * {@linkcode LONGEST_WAIT_MS} from then.
   */
  first?: number;
  /**
   * Times in a row it was applied never quiet and its upload found it
   * written to again (a big log appended to): each doubles its longest wait.
   */
  longWaits?: number;
  /** A directory created, renamed or removed here: its whole subtree is reconciled. */
  scan: boolean;
  /** Failed attempts so far: each waits longer (see {@linkcode retryDelay}); a new event resets it. */
  retries?: number;
  /** Its last attempt failed for the store (down, 5xx), not for the file: see `storeAnswered`. */
  storeFailed?: boolean;
}

/**
 * Longest a changed path waits for its quiet period (ms, or 6 debounces if
 * longer): one rewritten more often than the debounce is applied then all
 * the same (see the module's notes).
 */
export const LONGEST_WAIT_MS = 60_000;

/**
 * Longest a never-quiet path waits at most, once its uploads have found it
 * written to again and again (ms): see {@linkcode LONGEST_WAIT_MS}.
 */
export const LONGEST_WAIT_MAX_MS = 3_600_000;

/** Shortest interval between two full passes of a watch. */
export const MIN_RECONCILE_INTERVAL_MS = 1_000;

/** First wait before a failed pass or path is tried again (ms); doubled each further failure. */
export const RETRY_FIRST_MS = 1_000;
/** Longest wait before a failed pass or path is tried again (ms). */
export const RETRY_MAX_MS = 300_000;

/** The wait before attempt `retries + 1` of something that failed `retries` times. */
function retryDelay(retries: number): number {
  return retries <= 0 ? 0 : Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (retries - 1));
}

// The option names watchMirror takes (a misspelt one is refused, not ignored).
const WATCH_OPTIONS: OptionNames<WatchOptions> = {
  ...MIRROR_OPTIONS,
  debounceMs: true,
  reconcileIntervalMs: true,
  cancel: true,
  onBatch: true,
  onEvent: true,
  onIdle: true,
  onError: true,
  watchFs: true,
};

/**
 * Mirrors once, then keeps the target equal until `signal` aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { watchMirror } from "./watch.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src`);
 *   await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
 *   const stop = new AbortController();
 *   const report = await watchMirror({
 *     sources: [`${dir}/src`],
 *     target: `file://${dir}/bucket`,
 *     statePath: `${dir}/state.sqlite`,
 *     signal: stop.signal,
 *     debounceMs: 0, // the file is complete: no need to wait for it to settle
 *     onBatch: () => stop.abort(), // stop after the first pass
 *   });
 *   assert.equal(report.passes, 1);
 *   assert.equal(await Deno.readTextFile(`${dir}/bucket/a.txt`), "a");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function watchMirror(options: WatchOptions): Promise<WatchReport> {
  checkRequiredOptions("watchMirror", options, WATCH_OPTIONS);
  const clock: Clock = options.clock ?? systemClock;
  // Debounce, retries and full passes are scheduled in monotonic time: the
  // wall clock set back an hour (NTP, a VM resumed) must not hold every
  // change for that hour, nor set forward bring them all due at once.
  const elapsed = () => clock.monotonic?.() ?? clock.now();
  const debounce = options.debounceMs ?? 1000;
  // NaN, a string or Infinity would be a timer's delay taken as 0 or 1 ms.
  if (!(typeof debounce === "number" && debounce >= 0 && debounce < Infinity)) {
    throw new InvalidInputError(
      `watchMirror: the option debounceMs must be a number of ms, 0 or more, got ${
        describeValue(debounce)
      }`,
    );
  }
  const interval = options.reconcileIntervalMs ?? 600_000;
  // 0 would run full passes back to back (a LIST of the whole prefix each).
  if (!(interval >= MIN_RECONCILE_INTERVAL_MS)) {
    throw new InvalidInputError(
      `reconcile interval ${interval} ms is too short: at least ${MIN_RECONCILE_INTERVAL_MS} ms ` +
        "(each is a full pass, listing the whole prefix)",
    );
  }
  // A signal aborted before the call: its abort event is gone, and the
  // watch would make a full pass, then report it as if it had stopped after
  // one. It does nothing and rejects with the reason, as `serveCache` does.
  options.cancel?.throwIfAborted();
  options.signal?.throwIfAborted();
  const cancel = options.cancel;
  // The watch's own callbacks (onBatch, onEvent, onIdle, onError): the first
  // that throws, or returns a promise that rejects, stops the watch, aborts
  // the transfers in flight (it is the mirror's signal too), and is what
  // the watch rejects with (a CallbackError).
  const callbacks = new CallbackGuard();
  const stop = AbortSignal.any(
    [options.signal, cancel, callbacks.signal].filter((s) => s !== undefined),
  );
  // Transfers in flight are never aborted by the stop signal: they finish.
  // The cancel signal aborts them (the mirror's own signal).
  // The mirror gets its own options only: it refuses the watch's.
  const {
    signal: _signal,
    cancel: _cancel,
    debounceMs: _debounceMs,
    reconcileIntervalMs: _reconcileIntervalMs,
    onBatch: _onBatch,
    onEvent: _onEvent,
    onIdle: _onIdle,
    onError: _onError,
    watchFs: _watchFs,
    ...rest
  } = options;
  const m = await Mirror.open({ ...rest, signal: callbacks.with(cancel) });
  const totals: WatchReport = {
    passes: 0,
    batches: 0,
    transferred: 0,
    bytes: 0,
    deleted: 0,
    failed: 0,
  };
  const pending = new Map<string, Pending>();
  // The idle wait's own controller: an event or the stop cuts it short.
  // Not a race of the sleep with a promise kept until the next event: each
  // idle wake (one a second, for the root's poll) left a reaction on it
  // (~300 B), a watch with no events grew by some 25 MB a day.
  let sleeping: AbortController | undefined;
  const poke = () => sleeping?.abort();
  const onStop = () => poke();
  stop?.addEventListener("abort", onStop);
  let watcher: { close(): void; stuck?(): boolean; denoWatcher?: boolean } | undefined;
  // Watchers are made on a thread of their own once one on the main thread
  // stalled at a FIFO (see replaceStuck).
  let offThread = false;
  // When the watcher started (wall clock, as a file's change time), and
  // whether a FIFO made in the tree since was found (see watcherStuck).
  let watchedSince = Date.now();
  let fifoSinceWatch = false;
  let pump: Promise<void> | undefined;

  const add = (
    report: MirrorReport,
    kind: "initial" | "events" | "reconcile",
    info: BatchInfo = { retry: false },
  ) => {
    totals.transferred += report.transferred;
    totals.bytes += report.bytes;
    if (report.copied) totals.copied = (totals.copied ?? 0) + report.copied;
    totals.deleted += report.deleted;
    totals.failed += report.failed.length;
    if (report.stopped) totals.stoppedIn = kind;
    for (const path of report.deferred) {
      if (!pending.has(path)) pending.set(path, { seen: "", since: elapsed(), scan: false });
    }
    for (const skip of report.skipped ?? []) {
      if (skip.kind === "special" && fifoMadeSince(skip.path, watchedSince)) fifoSinceWatch = true;
    }
    callbacks.call("onBatch", options.onBatch, report, kind, info);
  };
  // Failed full passes in a row: the next one comes that much sooner than
  // the interval (a store down at the start must not leave the target
  // behind for a whole interval).
  let passFailures = 0;
  // The store down (the last batch failed whole for it): when the paths
  // waiting for it are tried again, together; undefined while it answers.
  let storeRetryAt: number | undefined;
  // Its retries so far, and when a change made since may try the store
  // (see dueAt).
  let outageTries = 0;
  let probeAt: number | undefined;
  // A batch failed whole for the store at `since`, its paths tried `tries`
  // times before: the outage's next retry (set again by its own retry, not
  // by a batch of changes made meanwhile), and the time and retries its
  // failed paths are queued with, so that they all come due at it together.
  const outageFailed = (since: number, tries: number): [number, number] => {
    if (storeRetryAt === undefined || since >= storeRetryAt) {
      outageTries = Math.max(tries, outageTries + 1);
      storeRetryAt = since + debounce + retryDelay(outageTries);
    }
    probeAt = since + OUTAGE_PROBE_MS;
    return [storeRetryAt - debounce - retryDelay(outageTries), outageTries];
  };
  // A file with events not applied yet is being written, or was a moment
  // ago: the queue uploads it once quiet (a pass, or the batch of a new
  // directory it is being copied into, would upload it half, and the queue
  // then again). Not one being tried again after a failure: a pass or
  // batch may as well.
  const changing = (path: string) => {
    const p = pending.get(path);
    return p !== undefined && (p.retries ?? 0) === 0;
  };
  const pass = async (kind: "initial" | "reconcile") => {
    try {
      const report = await m.run({
        settleMs: debounce,
        changing,
        ...(stop ? { stop } : {}),
      });
      totals.passes++;
      passFailures = 0;
      storeAnswered();
      add(report, kind);
    } catch (error) {
      if (cancel?.aborted) throw cutShort(error);
      // The caller's callback threw: the watch stops with it (see CallbackError).
      if (error instanceof CallbackError) throw error;
      if (stop?.aborted) return;
      totals.failed++;
      passFailures++;
      callbacks.call("onError", options.onError, error, {
        retry: passFailures > 1,
        retryInMs: nextPass(0),
      });
    }
  };
  // The store answered again (a batch moved or compared a file, a pass
  // listed the target): the paths still waiting out their backoff after an
  // outage are due at once (not those that failed for their file, an
  // unreadable one: tried again at each success, each would log a line). Each waited up to RETRY_MAX_MS from its last
  // failure, so a change made during a long outage reached the store up to
  // 5 min after the store was back, while the changes made since went up.
  const storeAnswered = () => {
    storeRetryAt = probeAt = undefined;
    outageTries = 0;
    const now = elapsed();
    for (const p of pending.values()) {
      const wait = retryDelay(p.retries ?? 0);
      if (wait > 0 && p.storeFailed === true) p.since = Math.min(p.since, now - debounce - wait);
    }
  };
  const nextPass = (after: number) =>
    after + (passFailures > 0 ? Math.min(interval, retryDelay(passFailures)) : interval);
  // A path is due once quiet for the debounce, or, never quiet, once it
  // waited the longest wait (see the module's notes).
  const longest = Math.max(LONGEST_WAIT_MS, 6 * debounce);
  const quietAt = (p: Pending) => p.since + debounce + retryDelay(p.retries ?? 0);
  const longAt = (p: Pending) =>
    (p.first ?? p.since) + Math.min(LONGEST_WAIT_MAX_MS, longest * 2 ** (p.longWaits ?? 0)) +
    retryDelay(p.retries ?? 0);
  // While the store is down (a batch failed whole for it), a path changed
  // meanwhile waits for the outage's next retry and joins it, or, if that
  // is further away, goes with the others changed meanwhile
  // OUTAGE_PROBE_MS after the outage's last failure (a change made once
  // the store is back waits no longer). Tried at once, each file saved
  // during an outage was a request, a failure line and a retry schedule of
  // its own (its batch and summary line at each): a line or more per
  // change, for as long as the outage lasted.
  const dueAt = (p: Pending) => {
    const at = Math.min(quietAt(p), longAt(p));
    if (storeRetryAt === undefined || p.retries) return at;
    return Math.max(at, Math.min(storeRetryAt, probeAt ?? Infinity));
  };

  const roots = m.localRoots.map((r) => r.dir);
  // A source root removed takes its watch with it (the system drops it): no
  // event comes for what is made there later. Watched again once it is back.
  let rootGone = false;
  // The system's event queue overflowed (a `tar x` of many thousands of
  // files): events were dropped, and only a full pass finds what they said.
  // It is due a debounce after the last overflow (see the module doc), or
  // at once after the watcher failed; undefined while none is owed.
  let rescanAt: number | undefined;
  // The system's watcher ended with an error: a new one is started.
  let watcherFailed = false;
  // Stops of the watcher each within RETRY_MAX_MS of the one before, and
  // the monotonic time of the last: see the catch of startWatching.
  let watcherStops = 0;
  let watcherStoppedAt = -Infinity;
  // The system refused a watcher (Linux's limit of inotify watches reached:
  // a tree of more directories than `fs.inotify.max_user_watches`, or other
  // processes holding them): only the full passes mirror changes until a
  // new one starts, tried at this monotonic time; undefined while watching.
  let watchRetryAt: number | undefined;
  let watchRetries = 0;
  const watchFs = options.watchFs ?? Deno.watchFs;
  // Deno's watcher stuck at a FIFO made in the tree (see watcher_stuck.ts):
  // no event comes any more, and closing it or making another on the main
  // thread would block this process for good (no pass, deaf to SIGTERM), so
  // neither is done: a new one is made on a thread of its own (see
  // replaceStuck). A test's watcher tells by its own `stuck()`.
  //
  // Under vc's own permissions (no --allow-all) `fsWatcherStuck` cannot
  // look, so a pass or batch that skipped a FIFO made since the watcher
  // started (see `add`) makes it taken as stuck too: a FIFO's open waits for
  // a writer, and replacing it at a root swapped then blocked `vc mirror
  // --watch` for good, deaf to SIGTERM. Not for a caller's watcher without
  // `stuck` (not Deno's, or not known to be).
  const watcherStuck = (): boolean => {
    if (watcher === undefined) return false;
    const own = watcher.stuck;
    if (own === undefined && options.watchFs !== undefined) return false;
    if (fifoSinceWatch || (beatOn && isDenos() && beat!.deaf())) return true;
    return own !== undefined ? own.call(watcher) : fsWatcherStuck();
  };
  // Deno's watcher stuck (see watcherStuck) is replaced by one on a thread
  // of its own: a stalled thread stays so for good once its FIFO is
  // removed, so kept, the watch got no event again for as long as it ran
  // (each change waited for the next full pass, 10 min by default). The
  // stalled one is left as it is (on the main thread, closing it could
  // block), one on a thread of its own is closed; a full pass mirrors what
  // it missed. Said once; false (and said as before) when it is not Deno's
  // or no thread could be started, or after MAX_STUCK_REPLACEMENTS (each
  // leaves a stalled thread behind: a FIFO made in the tree over and over).
  let replacements = 0;
  let replaceFailed = false;
  const replaceStuck = (): boolean => {
    const old = watcher;
    const denos = options.watchFs === undefined || old?.denoWatcher === true;
    if (!denos || replaceFailed || replacements >= MAX_STUCK_REPLACEMENTS) {
      sayStuck();
      return false;
    }
    const wasOffThread = offThread;
    const since = watchedSince;
    offThread = true;
    try {
      // What the system refuses (the watch limit) ends the new one's
      // events with that error: a watcher that failed (see its pump).
      startWatching();
    } catch {
      // No worker could be started: the stuck one is kept.
      offThread = wasOffThread;
      watchedSince = since;
      replaceFailed = true;
      sayStuck();
      return false;
    }
    replacements++;
    if (wasOffThread) {
      try {
        old?.close();
      } catch {
        // Closed already.
      }
    }
    // The full pass for what the stalled one missed comes by the new one's
    // first event (a rescan, once it watches: see watcher_thread.ts), so
    // that what changes while it starts is not missed too.
    if (!stuckSaid) {
      stuckSaid = true;
      callbacks.call(
        "onError",
        options.onError,
        new VcError(
          `the file watcher of ${roots.join(", ")} stopped at a FIFO made in the tree (Deno's ` +
            `watcher opens each file it reports, and a FIFO's open waits for a writer): a new ` +
            `watcher watches, on a thread of its own, and a full pass mirrors what the stopped ` +
            `one missed`,
        ),
      );
    }
    return true;
  };
  // Said once each: a stuck watcher kept, and one replaced (replaceStuck).
  let keptSaid = false;
  let stuckSaid = false;
  const sayStuck = () => {
    if (keptSaid) return;
    keptSaid = stuckSaid = true;
    callbacks.call(
      "onError",
      options.onError,
      new VcError(
        `the file watcher of ${roots.join(", ")} stopped at a FIFO made in the tree (Deno's ` +
          `watcher opens each file it reports, and a FIFO's open waits for a writer): changes ` +
          `are mirrored by the full passes only (every --reconcile-interval) until something ` +
          `opens that FIFO for writing, or the mirror is started again (a FIFO there before it ` +
          `starts does not stop it)`,
      ),
    );
  };
  // The directory each root named when its watcher started (see rootSwapped).
  let watchedIds: (string | undefined)[] = [];
  let rootCheckAt = 0;
  // Deno's watcher stalled with its FIFO removed since, or under vc's own
  // permissions (no /proc), is told by a heartbeat it also watches (see
  // watch_beat.ts): its directory is watched beside the roots while it is
  // there (a cleaner of /tmp may remove it; then there is no heartbeat).
  let beat: WatchBeat | undefined;
  let beatOn = false;
  const isDenos = () => offThread || options.watchFs === undefined || watcher?.denoWatcher === true;
  const makeWatcher = () => {
    beatOn = beat !== undefined && isDir(beat.dir);
    const paths = beatOn ? [...roots, beat!.dir] : roots;
    if (!offThread) return watchFs(paths, { recursive: true });
    const made = watchFsOffThread(paths, { recursive: true });
    if (made === undefined) throw new Error("no watcher thread could be started");
    return made;
  };
  const startWatching = () => {
    watchedSince = Date.now();
    const current = watcher = makeWatcher();
    beat?.reset();
    fifoSinceWatch = false;
    watchedIds = roots.map(directoryId);
    pump = (async () => {
      for await (const event of current) {
        // A stalled watcher replaced (see replaceStuck), whose FIFO a writer
        // opened since: its events are the new one's too.
        if (watcher !== current) continue;
        beat?.heard();
        // The heartbeat's own (not a rescan naming no path).
        const beats = beat !== undefined && event.paths.length > 0 &&
          event.paths.every((path) => beat!.owns(path));
        if (beats) continue;
        if (event.flag === "rescan") {
          // Deno names the watched root in it: no change of the root's, and
          // queued as one it made an events batch compare the whole tree
          // beside the full pass that is due for it.
          rescanAt = elapsed() + debounce;
          callbacks.call("onEvent", options.onEvent, event.paths);
          poke();
          continue;
        }
        if (event.kind === "access") continue;
        for (const path of event.paths) {
          if (beat?.owns(path)) continue;
          if (event.kind === "remove" && roots.includes(path)) rootGone = true;
          const seen = await look(path);
          // A directory's own "modify" (its entries changed) says nothing
          // its files' events do not; creation or renaming means a scan. So
          // does one this user may no longer list (`chmod 700` by its
          // owner): the watcher tells nothing of what changes in it then
          // (only the directory's own "modify"), so its walk says so, and
          // is tried again until it is readable, mirroring what changed.
          const scan = event.kind !== "modify" || (pending.get(path)?.scan ?? false) ||
            (seen === "dir" && await listDenied(path));
          // The quiet period starts when the file was looked at, not when
          // the event arrived: a write between the two must not count as
          // already quiet. Changed again within a debounce of its last
          // change, it is still not quiet since the first (see longAt).
          const now = elapsed();
          const before = pending.get(path);
          const still = before !== undefined && now - before.since < debounce;
          const first = still ? before.first ?? before.since : now;
          const longWaits = still ? before.longWaits : undefined;
          pending.set(path, { seen, since: now, first, scan, ...(longWaits ? { longWaits } : {}) });
        }
        callbacks.call("onEvent", options.onEvent, event.paths);
        poke();
      }
    })().catch((error) => {
      if (stop?.aborted || watcher !== current) return;
      // Deno's watcher ends for good at an event whose path is not valid
      // UTF-8 (a file named in Latin-1 made in the tree: "path contains
      // invalid UTF-8 characters"), and every later read throws the same:
      // without a new one, no change would be seen until the next full pass.
      watcherFailed = true;
      // Each write to such a file ends the new watcher too (a log of that
      // name appended every second): a stop soon after the last brings its
      // pass later each time, as a retry, and is said once, where each made
      // a full pass of the tree and three lines of log.
      const now = elapsed();
      watcherStops = now - watcherStoppedAt < RETRY_MAX_MS ? watcherStops + 1 : 0;
      watcherStoppedAt = now;
      rescanAt = Math.min(rescanAt ?? Infinity, now + retryDelay(watcherStops));
      poke();
      if (watcherStops > 0) return;
      const why = error instanceof Error ? error.message : String(error);
      callbacks.notify(
        "onError",
        options.onError,
        new VcError(
          `the file watcher of ${roots.join(", ")} stopped (${why}); watching again, and a ` +
            `full pass mirrors what it missed (if it stops again soon, that pass comes ` +
            `later each time, up to 5 min, and is not said again)`,
          { cause: error },
        ),
      );
    });
  };
  // Starts a watcher; false when the system refused it. A root gone is
  // watched again once it is back (rewatchIfBack); any other refusal (the
  // watch limit) is said once, the full passes mirror changes meanwhile,
  // and a watcher is tried again after 1 s, then twice as long each time
  // up to 5 min. Thrown out of the loop, it ended the watch as an internal
  // error: at the start before any pass, or later at the first new
  // directory past the limit, nothing more was mirrored.
  const tryWatching = async (): Promise<boolean> => {
    try {
      startWatching();
    } catch (error) {
      for (const root of roots) {
        if (await look(root) !== "dir") {
          rootGone = true;
          return false;
        }
      }
      if (watchRetries === 0) {
        callbacks.call("onError", options.onError, watchRefused(roots, error));
      }
      watchRetries++;
      watchRetryAt = elapsed() + retryDelay(watchRetries);
      return false;
    }
    if (watchRetries > 0) {
      // What changed while nothing watched: a full pass at once.
      watchRetries = 0;
      rescanAt = elapsed();
    }
    watchRetryAt = undefined;
    return true;
  };
  // The watcher failed (above): a new one, unless a root is gone (then
  // rewatchIfBack makes it once the root is back).
  const rewatchAfterFailure = async () => {
    watcherFailed = false;
    if (rootGone) return;
    if (watcherStuck()) return void replaceStuck();
    try {
      watcher?.close();
    } catch {
      // Closed already.
    }
    await tryWatching();
  };
  // A root gone is said once, by the batch of its event or by rootSwapped.
  let goneSaid = false;
  const sayGone = (path: string) => {
    rootGone = true;
    if (goneSaid) return;
    goneSaid = true;
    callbacks.call(
      "onError",
      options.onError,
      new VcError(
        `${path} is gone (moved, removed or unmounted?); nothing is deleted for it, and it ` +
          "is mirrored again once it is back",
      ),
    );
  };
  // The system's watcher follows the directory it was given, not its path:
  // a root that names another directory now (a `current` link switched to
  // the next release, a directory replaced by a link) gives no event, and
  // neither does a link removed there. Its new directory's changes waited
  // for the next full pass, and the watch never saw the root go.
  const rootSwapped = async () => {
    rootCheckAt = elapsed() + Math.max(debounce, ROOT_POLL_MS);
    if (watcherStuck() && replaceStuck()) return;
    if (beatOn && isDenos()) beat!.tick();
    for (const [i, root] of roots.entries()) {
      if (directoryId(root) === watchedIds[i]) continue;
      if (await look(root) === "dir") await rewatchIfBack();
      else sayGone(root);
      return;
    }
  };
  const rewatchIfBack = async () => {
    for (const root of roots) if (await look(root) !== "dir") return;
    rootGone = false;
    goneSaid = false;
    if (watcherStuck()) {
      // Replaced by one on a thread of its own, watching the directory
      // there now; or, where it cannot be, neither closed nor replaced
      // (either would block): the directory there now is taken as watched,
      // its tree looked at below, and the full passes mirror its changes.
      if (!replaceStuck()) watchedIds = roots.map(directoryId);
    } else {
      try {
        watcher?.close();
      } catch {
        // Closed already.
      }
      await ended(pump);
      await tryWatching();
    }
    // What was made there before the new watch: the whole tree is looked at.
    for (const root of roots) pending.set(root, { seen: "dir", since: elapsed(), scan: true });
  };

  try {
    if (m.direction === "upload") {
      // Linux only: the stall is inotify's (its thread opens what it
      // reports); FSEvents and ReadDirectoryChangesW open no file, and there
      // a beat answered late (an event source slow under load) would only
      // replace a working watcher, leaving a thread behind each time.
      if (Deno.build.os === "linux") beat = await WatchBeat.open(roots);
      await tryWatching();
    }
    // Stopped while the mirror opened: no pass to count (one started now
    // would stop at once, and be counted as made).
    if (!stop?.aborted) await pass("initial");
    let reconcileAt = nextPass(elapsed());
    while (!stop?.aborted) {
      if (watcherFailed) await rewatchAfterFailure();
      if (rootGone) await rewatchIfBack();
      else if (watchRetryAt !== undefined && elapsed() >= watchRetryAt) await tryWatching();
      else if (watcher !== undefined && elapsed() >= rootCheckAt) await rootSwapped();
      const now = elapsed();
      // Events were lost: a full pass once they are quiet (it leaves files
      // being written to the queue, as at the interval), not up to an
      // interval later.
      if (now >= reconcileAt || (rescanAt !== undefined && now >= rescanAt)) {
        rescanAt = undefined;
        await pass("reconcile");
        reconcileAt = nextPass(elapsed());
        continue;
      }
      // One change (an `rm -r`, a `git checkout`, a directory moved) gives
      // events for its paths a few ms apart, so they come due ms apart: a
      // batch waits for the paths coming due within BATCH_GAP_MS of the last
      // (at most a debounce past the first), so the change is one batch (its
      // deletes held to maxDelete together) rather than a batch of 1, then
      // of 2, each deleting its share before the rest is seen.
      // Removals still coming in (an `rm -r` slower than the debounce: a
      // big tree, a network disk) hold back the gone paths already due, up
      // to their longest wait: the removal is one batch once quiet, so a
      // source root it ends by removing holds back all of its deletes (not
      // those of its first debounce), and maxDelete counts it whole. (Not
      // a path waiting out a retry: that is no removal under way.)
      const removing = [...pending.values()].some((p) =>
        p.seen === "missing" && !p.retries && dueAt(p) > now
      );
      const held = (p: Pending) => removing && p.seen === "missing" && longAt(p) > now;
      let first = Infinity;
      let soon = Infinity;
      let release = Infinity;
      for (const p of pending.values()) {
        const at = dueAt(p);
        if (at > now) soon = Math.min(soon, at);
        else if (held(p)) release = Math.min(release, longAt(p));
        else first = Math.min(first, at);
      }
      if (
        first <= now &&
        !(soon <= now + Math.min(BATCH_GAP_MS, debounce) && soon <= first + debounce)
      ) {
        await batch([...pending].filter(([, p]) => dueAt(p) <= now && !held(p)));
        continue;
      }
      let next = Math.min(
        reconcileAt,
        soon,
        release,
        rescanAt ?? Infinity,
        watchRetryAt ?? Infinity,
      );
      // While a root is gone, look for it again now and then.
      if (rootGone) next = Math.min(next, now + Math.max(debounce, ROOT_POLL_MS));
      else if (watcher !== undefined) next = Math.min(next, rootCheckAt);
      // Stopped while a watcher was started again or a root looked at:
      // no poke could wake a sleep not begun yet.
      if (stop?.aborted) continue;
      const timer = new AbortController();
      sleeping = timer;
      callbacks.call("onIdle", options.onIdle);
      try {
        await clock.sleep(Math.max(0, next - now), timer.signal);
      } catch {
        // The sleep was cancelled: an event or the stop signal woke us.
      } finally {
        sleeping = undefined;
        timer.abort();
      }
    }
  } catch (error) {
    // What failed after a callback did (the stop it made): the callback's error.
    throw callbacks.error ?? error;
  } finally {
    stop?.removeEventListener("abort", onStop);
    try {
      // A stuck one is left as it is: closing it would block (see
      // watcherStuck), but not one on a thread of its own.
      if (offThread || !watcherStuck()) watcher?.close();
    } catch {
      // Closed already.
    }
    await ended(pump);
    await beat?.close();
    await m.close();
    // Seen, not mirrored: said when it stops rather than dropped unsaid.
    if (pending.size > 0) totals.unmirrored = pending.size;
  }
  // A callback that failed, whatever the watch made of the stop that followed.
  callbacks.throwIfFailed();
  // Abandoned while idle, or while the last work finished: rejected all the
  // same, so the caller knows the watch did not stop by draining.
  if (cancel?.aborted) throw new WatchInterruptedError(totals, [], cancel.reason);
  return totals;

  /** The abort of a pass or batch cut short, with what it did counted in the totals. */
  function cutShort(error: unknown, kind: "pass" | "batch" = "pass"): unknown {
    if (error instanceof WatchInterruptedError) return error;
    const keys: string[] = [];
    let kept: MirrorKeptPartial[] = [];
    if (error instanceof MirrorInterruptedError) {
      const r = error.report;
      if (kind === "pass") totals.passes++;
      else totals.batches++;
      totals.transferred += r.transferred;
      totals.bytes += r.bytes;
      if (r.copied) totals.copied = (totals.copied ?? 0) + r.copied;
      totals.deleted += r.deleted;
      totals.failed += r.failed.length;
      keys.push(...(r.cutShort ?? []));
      kept = r.keptPartials ?? [];
    }
    return new WatchInterruptedError(totals, keys, error, kept);
  }

  async function batch(due: [string, Pending][]): Promise<void> {
    // Dropped, a path that failed would wait for the next full pass (10 min
    // by default): it is tried again, unless an event took it up meanwhile.
    const retries = new Map<
      string,
      (since: number, storeFailed: boolean, outage?: number) => void
    >();
    // Failed attempts of each path before this one.
    const tried = new Map<string, number>();
    // Paths due by their longest wait, never quiet: applied as they are now,
    // though their events keep coming meanwhile.
    // (Each with its longWaits.)
    const overdue = new Map<string, number>();
    for (const [path, p] of due) {
      const seen = await look(path);
      if (elapsed() < quietAt(p)) overdue.set(path, p.longWaits ?? 0);
      else if (seen !== p.seen) {
        // Still changing: look again after another quiet period. Looked at
        // in time (within a debounce of coming due), it has not been quiet
        // since its first change: a file changing with no event for it (a
        // write from another NFS client, no watcher), which only the full
        // passes and this look see, comes due by its longest wait too.
        const now = elapsed();
        const still = now <= quietAt(p) + debounce;
        pending.set(path, {
          seen,
          since: now,
          scan: p.scan,
          ...(still ? { first: p.first ?? p.since } : {}),
          ...(still && p.longWaits ? { longWaits: p.longWaits } : {}),
        });
        continue;
      }
      pending.delete(path);
      if (seen === "dir" && !p.scan) continue;
      // A source root gone (moved away, removed, unmounted) is no change to
      // mirror: its walk could only fail, said again at every retry beside
      // the full passes' own failure. It is said once; nothing is deleted
      // for it, and its whole tree is looked at once it is back.
      if (seen === "missing" && roots.includes(path)) {
        sayGone(path);
        continue;
      }
      tried.set(path, p.retries ?? 0);
      retries.set(path, (since, storeFailed, outage) => {
        if (!pending.has(path)) {
          // Failed with the store down: on the outage's schedule, the same
          // for every path of the batch (those that joined it fresh too).
          const retries = outage ?? (p.retries ?? 0) + 1;
          pending.set(path, { seen, since, scan: p.scan, retries, storeFailed });
        }
      });
    }
    if (retries.size === 0) return;
    // The paths that failed are tried again together, from the batch's end:
    // each timed from its own failure (ms apart) came due alone, a batch of
    // one each, so a store down under 2,000 changed files logged 2,000
    // batches at every retry, past the 20 failure lines a batch shows.
    const failed = new Set<string>();
    try {
      // One unit: its deletes are made together, within maxDelete for the batch.
      const report = await m.syncPaths([...retries.keys()], {
        settleMs: 0,
        // Its own paths left the queue above: what is still queued is below
        // a directory of the batch, and still being written (or one of its
        // own whose events came meanwhile: unless overdue, it waits for them).
        changing: (path) => !overdue.has(path) && changing(path),
        onFailed: (path) => failed.add(path),
        ...(stop ? { stop } : {}),
      });
      totals.batches++;
      const since = elapsed();
      // A path the store refused for what it is (its key too long) fails the
      // same until it changes: its next event takes it up, no retry does.
      const byStore = new Set<string>();
      for (const path of failed) {
        const own = report.failed.filter((f) =>
          f.path === path || f.path.startsWith(path.endsWith(sep) ? path : path + sep)
        );
        if (own.length > 0 && own.every((f) => f.untilChanged === true)) failed.delete(path);
        else if (own.length > 0 && own.every(storeTransient)) byStore.add(path);
      }
      // An overdue path its upload found written to again (read in parts
      // while it changed: a big log appended to all day): each such upload
      // was the whole file sent for nothing, so its next longest wait is
      // twice as long (up to LONGEST_WAIT_MAX_MS), from now.
      for (const path of report.deferred) {
        const waits = overdue.get(path);
        if (waits === undefined) continue;
        const now = elapsed();
        const p = pending.get(path) ?? { seen: "", since: now, scan: false };
        pending.set(path, { ...p, first: now, longWaits: waits + 1 });
      }
      let tries = 0;
      for (const path of failed) tries = Math.max(tries, (tried.get(path) ?? 0) + 1);
      // Before this batch's own failures are queued: they wait their turn.
      const answered = report.transferred + report.deleted + report.unchanged > 0;
      if (answered) storeAnswered();
      // Nothing went through, and all that failed failed for the store: it
      // is down (see storeRetryAt).
      const outage = !answered && failed.size > 0 && byStore.size === failed.size;
      const [from, outageTries] = outage ? outageFailed(since, tries) : [since, undefined];
      for (const path of failed) retries.get(path)?.(from, byStore.has(path), outageTries);
      add(report, "events", {
        retry: [...tried.values()].every((n) => n > 0),
        ...(failed.size > 0
          ? {
            retryInMs: outage ? Math.max(0, storeRetryAt! - debounce - since) : retryDelay(tries),
          }
          : {}),
      });
    } catch (error) {
      if (cancel?.aborted) throw cutShort(error, "batch");
      if (error instanceof CallbackError) throw error;
      totals.failed++;
      callbacks.call("onError", options.onError, error);
      const since = elapsed();
      let tries = 0;
      for (const n of tried.values()) tries = Math.max(tries, n + 1);
      const [from, outageTries] = outageFailed(since, tries);
      for (const retry of retries.values()) retry(from, true, outageTries);
    }
  }
}

/**
 * While the store is down, how long after its last failure the changes made
 * meanwhile try it, together, when the outage's own retry is further away (ms).
 */
const OUTAGE_PROBE_MS = 30_000;

/** Paths coming due within this of one another (ms, at most the debounce) make one batch. */
const BATCH_GAP_MS = 100;

/**
 * Most watchers a watch makes anew after one stalled at a FIFO (see
 * `replaceStuck`): each stalled one stays, a thread, for as long as the
 * process runs.
 */
const MAX_STUCK_REPLACEMENTS = 16;

/** How often a removed source root is looked for, and a watched one's identity (ms). */
const ROOT_POLL_MS = 500;

/**
 * The error of a watcher the system refused: what is watched, why, what the
 * watch does meanwhile, and (for Linux's watch limit) how to raise it.
 */
function watchRefused(roots: readonly string[], error: unknown): VcError {
  const why = error instanceof Error ? error.message : String(error);
  // Deno says "OS file watch limit reached" for inotify's ENOSPC (one watch
  // per directory), and EMFILE's "Too many open files" when inotify_init is
  // past the user's instances (or the process's open files).
  const limit = /watch limit/i.test(why)
    ? "; raise the system's limit (Linux: sysctl fs.inotify.max_user_watches=524288, and " +
      "fs.inotify.max_user_watches=524288 in /etc/sysctl.d/ to keep it), or watch fewer directories"
    : /too many open files/i.test(why)
    ? "; raise the system's limit (Linux: sysctl fs.inotify.max_user_instances=1024, other " +
      "processes' watchers count too; or the open-file limit, ulimit -n)"
    : "";
  return new VcError(
    `cannot watch ${roots.join(", ")} for changes (${why}): until it can, changes are mirrored ` +
      `by the full passes only (every --reconcile-interval), and watching is tried again now and ` +
      `then${limit}`,
    { cause: error },
  );
}

/** Whether `path` is a directory now. */
function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** What a path looks like now, for the stability check. */
async function look(path: string): Promise<string> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) return "dir";
    return `${info.size}:${info.mtime?.getTime() ?? 0}`;
  } catch {
    return "missing";
  }
}

/**
 * Whether the directory at `path` is one this user may not list now: opened
 * for reading, as a listing opens it (two system calls; its entries are not
 * read, which for a directory of 100,000 files at every event would cost).
 * Not asked on Windows, where a directory cannot be opened as a file.
 */
async function listDenied(path: string): Promise<boolean> {
  if (Deno.build.os === "windows") return false;
  try {
    (await Deno.open(path)).close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied;
  }
}

/** How long a closed watcher's iteration is waited for (ms). */
const WATCHER_END_MS = 1_000;

/**
 * The iteration of a closed watcher, waited for a moment, never for good:
 * Deno's watcher opens each file it reports, and one a FIFO made in the tree
 * blocks it until a writer comes (its thread stuck, its iteration never
 * ended after `close`), so waiting for it would keep a stopped watch from
 * ever returning (SIGTERM could not end `vc mirror --watch`).
 */
async function ended(pump: Promise<void> | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([pump, new Promise<void>((r) => timer = setTimeout(r, WATCHER_END_MS))]);
  } finally {
    clearTimeout(timer);
  }
}
