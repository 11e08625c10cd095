/**
 * A terminal progress bar for long transfers. The library only reports
 * progress through `onProgress` callbacks; this renders those callbacks on
 * stderr, and only when stderr is a terminal, so logs and pipes stay clean.
 *
 * Redraws are throttled (10 per second by default), the line is cut to the
 * terminal width so it never wraps, and {@linkcode ProgressBar.done} erases it.
 *
 * @module
 */
import { deadline } from "./deadline.ts";
import { displayWidth, keepEndColumns, keepStartColumns } from "./display_width.ts";
import { printable } from "./printable.ts";

/** What is known about an operation's progress; any field may be missing. */
export interface ProgressSnapshot {
  /** Bytes transferred so far. */
  bytes?: number;
  /** Total bytes expected, when known. */
  totalBytes?: number;
  /** Items finished so far (files, objects). */
  done?: number;
  /** Total items expected, when known. */
  total?: number;
  /** Items failed so far, of those done (said when not 0). */
  failed?: number;
  /** What is being worked on now (shown at the end of the line). */
  current?: string;
}

/** An item's step, as {@linkcode ProgressBar.onItems} takes it (`downloading`, 45 of 100 bytes). */
export interface ItemStep {
  /** What is done to the item (`downloading`, `checking`). */
  name: string;
  /** Bytes of the step done so far. */
  bytes: number;
  /** Bytes of the whole step (0: unknown, shown as 100%). */
  total: number;
}

/** Options for {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** Text at the start of the line, e.g. `"prefill"`. */
  label?: string;
  /** Draw at all. Default: `Deno.stderr.isTerminal()`. */
  enabled?: boolean;
  /** Where the line goes. Default: synchronous writes to stderr. */
  write?: (text: string) => void;
  /** Minimum milliseconds between redraws. Default 100. */
  intervalMs?: number;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
  /**
   * Terminal width the line is cut to. Default: the console's (else 80),
   * read again at each redraw, when drawn; no limit when not (a log line has
   * no terminal width, and a line cut to 80 columns lost its label and most
   * of the item).
   */
  columns?: number;
  /**
   * When nothing is drawn (not a terminal: a CI log), a plain line (no
   * escape codes) every this many milliseconds of a long operation, so the
   * log shows it is alive (CI systems stop a job that prints nothing for a
   * while). Default: none.
   */
  logIntervalMs?: number;
  /**
   * When drawn (a terminal), draw the line this many milliseconds after the
   * bar is made if no update drew it yet, and again after each this long
   * without a redraw: an operation waiting on its first answer (a store that
   * is slow to answer, a request waiting out its timeout) shows its label and
   * time so far instead of a blank terminal, and a stalled one its rate
   * falling to 0 instead of its last speed and ETA. Default: none.
   */
  idleDrawMs?: number;
}

const CLEAR_LINE = "\r\x1b[K";
// The bars on screen now (drawn, not done): a process ended at once (a third
// Ctrl-C, an abort that outlasted its grace) erases them first, so no bar is
// left under the shell's prompt (see eraseDrawnBars).
const drawnBars = new Set<ProgressBar>();
// Rate is measured over recent samples so the ETA follows speed changes
// instead of averaging over a slow start.
const RATE_WINDOW_MS = 5_000;
const MAX_SAMPLES = 64;
// Samples closer than this replace the last one, so the kept ones span the
// whole window however often updates come: a run of many small items
// updates hundreds of times a second, and 64 samples then spanned a third
// of a second (the rate swung between the run's average and the bytes of
// the last few small files, 87 MB/s and 87 B/s from one redraw to the next).
const SAMPLE_SPACING_MS = RATE_WINDOW_MS / MAX_SAMPLES;

/** A count of bytes at a time, for a rate. */
interface Sample {
  t: number;
  bytes: number;
}

// Adds the bytes at `t` to `samples`, kept to the rate's window.
function addSample(samples: Sample[], t: number, bytes: number): void {
  const n = samples.length;
  const beforeLast = samples[n - 2];
  const last = samples[n - 1];
  if (beforeLast !== undefined && last !== undefined && t - beforeLast.t < SAMPLE_SPACING_MS) {
    // The last sample moved in place: no object per update.
    last.t = t;
    last.bytes = bytes;
  } else samples.push({ t, bytes });
  // Bounded: keep the window short and the array small.
  while (
    samples.length > MAX_SAMPLES || (samples.length > 2 && t - samples[0]!.t > RATE_WINDOW_MS)
  ) samples.shift();
}

// Bytes per second over the recent window of `samples` (counted from
// `start`); undefined until measurable.
function rateOf(samples: Sample[], start: number, now: number): number | undefined {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined) return undefined;
  // Nothing for a whole window (a stalled download): a CI log line, written
  // on a timer, kept saying the rate measured before it, ETA and all.
  if (now - last.t > RATE_WINDOW_MS) return 0;
  // The bytes stood still while reports kept coming, longer than they moved
  // in the window: the run works on what they do not count (mirror hashing
  // a large file before its upload). The rate of the bytes before gave its
  // ETA: `285 B/300.0 MB  375 B/s  ETA 221:56:48` for a run ending 4 s later.
  let still = samples.length - 1;
  while (still > 0 && samples[still - 1]!.bytes === last.bytes) still--;
  const since = samples[still]!.t;
  if (last.t - since > since - first.t) return undefined;
  let dt = last.t - first.t;
  let dBytes = last.bytes - first.bytes;
  if (dt < 250) {
    // Too short a window for a stable number: fall back to the whole step.
    dt = last.t - start;
    dBytes = last.bytes;
  }
  return dt >= 250 && dBytes >= 0 ? (dBytes * 1000) / dt : undefined;
}

/**
 * A single-line progress display.
 *
 * Pass its {@linkcode ProgressBar.onBytes} or {@linkcode ProgressBar.onItems}
 * as a library `onProgress` callback, and call {@linkcode ProgressBar.done}
 * (or let `using` do it) when the operation ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "./progress.ts";
 * let screen = "";
 * let t = 0;
 * const bar = new ProgressBar({
 *   label: "get",
 *   enabled: true,
 *   write: (s) => (screen += s),
 *   now: () => t,
 *   columns: 80,
 * });
 * bar.onBytes({ bytes: 500_000, total: 1_000_000 });
 * t = 1000;
 * bar.onBytes({ bytes: 1_000_000, total: 1_000_000 });
 * assert(screen.includes("50%") && screen.includes("100%"));
 * bar.done();
 * assert(screen.endsWith("\r\x1b[K"));
 * ```
 */
export class ProgressBar {
  /** Whether anything is drawn. */
  readonly enabled: boolean;
  /**
   * Whether, not drawn, it prints a plain line every `logIntervalMs` (a CI
   * log): progress is worth reporting to it when it draws or logs.
   */
  readonly logs: boolean;
  readonly #label: string;
  readonly #write: (text: string) => void;
  readonly #interval: number;
  readonly #now: () => number;
  // A width given, or undefined to ask the console at each line (see #width).
  readonly #columns: number | undefined;
  readonly #start: number;
  // When the current step began (the start, until onStep starts another):
  // rate and ETA are of this step, not of the steps before it.
  #stepStart: number;
  #state: ProgressSnapshot = {};
  // Whether `current` names a step (onStep) rather than an item: see line().
  #isStep = false;
  // The step of the item `current` names (onItems), named in line().
  #itemStep: ItemStep | undefined;
  #lastDraw = -Infinity;
  #drawn = false;
  #finished = false;
  readonly #samples: Sample[] = [];
  // The bytes of the item's step (onItems), with the step's start and what
  // it is (item and step name): with one item left, that step is what the
  // run still waits on, and its rate and ETA the bar's (see #lastItemStep).
  readonly #itemSamples: Sample[] = [];
  #itemStart = 0;
  #itemKey: string | undefined;
  readonly #logInterval: number | undefined;
  #lastLog: number;
  #cancelLog: (() => void) | undefined;
  readonly #idleDraw: number | undefined;
  #cancelIdle: (() => void) | undefined;
  // What the operation waits for now (see wait), and since when; cleared
  // by its next report.
  #waiting: { text: string; since: number } | undefined;

  /** Creates the bar; nothing is drawn until the first update. */
  constructor(options: ProgressBarOptions = {}) {
    this.enabled = options.enabled ?? Deno.stderr.isTerminal();
    this.#label = options.label ?? "";
    this.#write = options.write ?? writeStderr;
    this.#interval = options.intervalMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
    this.#columns = options.columns ?? (this.enabled ? undefined : Infinity);
    this.#start = this.#now();
    this.#stepStart = this.#start;
    this.#logInterval = options.logIntervalMs;
    this.logs = !this.enabled && this.#logInterval !== undefined;
    this.#lastLog = this.#start;
    this.#idleDraw = this.enabled ? options.idleDrawMs : undefined;
    if (!this.enabled) this.#armLog();
    else this.#armIdle();
  }

  // On a terminal, a line drawn when nothing drew one for a while (see
  // `idleDrawMs`): nothing was drawn until the first update, so a download
  // waiting on a store that did not answer left the terminal blank for the
  // whole request timeout; and a stalled transfer kept showing its last
  // rate and ETA. Never keeps a process alive (see #armLog).
  #armIdle(): void {
    const idle = this.#idleDraw;
    if (idle === undefined || this.#finished) return;
    this.#cancelIdle?.();
    this.#cancelIdle = deadline(idle, () => {
      if (this.#finished) return;
      this.#draw(this.#now());
    });
  }

  #draw(t: number): void {
    this.#lastDraw = t;
    this.#drawn = true;
    drawnBars.add(this);
    this.#write(CLEAR_LINE + this.line());
    this.#armIdle();
  }

  // A log line is written by `update`, so a run whose progress stands still
  // (one item waiting on a store that does not answer, retries backing off)
  // would print nothing for minutes: a timer writes the line when the
  // interval passes without one. It never keeps a process alive. Not
  // setTimeout: its first call loads Deno's Node timers (13–20 ms), which
  // every command with progress would pay at its start (see deadline.ts).
  #armLog(): void {
    const interval = this.#logInterval;
    if (interval === undefined || this.#finished) return;
    this.#cancelLog?.();
    this.#cancelLog = deadline(interval, () => {
      if (this.#finished || (this.#waiting === undefined && this.#isComplete())) return;
      this.#lastLog = this.#now();
      this.#write(`${this.line()}\n`);
      this.#armLog();
    });
  }

  /**
   * Merges `snapshot` into the state and redraws if the last redraw is older
   * than the interval (or the operation just completed).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * const bar = new ProgressBar({ enabled: false });
   * bar.update({ done: 1, total: 3 });
   * assert(bar.line().includes("1/3"));
   * ```
   */
  update(snapshot: ProgressSnapshot): void {
    if (this.#finished) return;
    // In place: called once per item of a batch (a thousand times a second).
    mergeDefined(this.#state, snapshot);
    if (snapshot.current !== undefined) this.#itemStep = undefined;
    this.#updated();
  }

  // The state changed: the rate's samples, then a line when one is due.
  #updated(): void {
    if (this.#finished) return;
    // It moves again: the wait is over.
    this.#waiting = undefined;
    const t = this.#now();
    if (this.#state.bytes !== undefined) addSample(this.#samples, t, this.#state.bytes);
    if (!this.enabled) {
      // A log line at most every interval; none at the end (the command's summary says it).
      if (
        this.#logInterval !== undefined && t - this.#lastLog >= this.#logInterval &&
        !this.#isComplete()
      ) {
        this.#lastLog = t;
        this.#write(`${this.line()}\n`);
        this.#armLog();
      }
      return;
    }
    const complete = this.#isComplete();
    if (!complete && t - this.#lastDraw < this.#interval) return;
    this.#draw(t);
  }

  /**
   * Callback for byte-level progress (`{ bytes, total }`), as the asset
   * cache's `onProgress` reports it.
   */
  readonly onBytes = (progress: { bytes: number; total?: number | undefined }): void => {
    this.update(
      progress.total === undefined
        ? { bytes: progress.bytes }
        : { bytes: progress.bytes, totalBytes: progress.total },
    );
  };

  /**
   * Callback for an operation in steps (`current` names the step, as a
   * repository's backup and restore report it): a new step starts the line
   * over (what the last step counted is not shown beside it, the rate starts
   * again) and is drawn at once, so each step is seen.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * const bar = new ProgressBar({ enabled: false });
   * bar.onStep({ current: "checking", bytes: 10, totalBytes: 10 });
   * bar.onStep({ current: "writing", done: 1, total: 2 });
   * assert(bar.line().includes("1/2") && !bar.line().includes("10 B"));
   * ```
   */
  readonly onStep = (progress: ProgressSnapshot & { current: string }): void => {
    if (progress.current !== this.#state.current) {
      this.#state = {};
      this.#samples.length = 0;
      this.#lastDraw = -Infinity;
      this.#stepStart = this.#now();
    }
    this.#isStep = true;
    this.update(progress);
  };

  /**
   * Callback for item-level progress (`{ done, total, bytes, current }`), as
   * prefill and sync report it. An item's `step` (`{ name, bytes, total }`,
   * as prefill, lock, sync and verify report one) is shown after it
   * (`/big.bin: downloading 45%`, as `withStep` of the command line joins
   * them), named only when a line is made: off a terminal a line is written
   * every 30 s at most, while a cold prefill reports two or three steps an
   * item, a thousand items a second. The step object is kept as it is, not
   * copied: a caller does not change one it has reported.
   */
  readonly onItems = (
    progress: {
      done: number;
      total?: number | undefined;
      failed?: number | undefined;
      bytes?: number;
      current?: string | undefined;
      step?: ItemStep | undefined;
    },
  ): void => {
    if (this.#finished) return;
    // Into the state in place: no snapshot object per report.
    const s = this.#state;
    s.done = progress.done;
    if (progress.total !== undefined) s.total = progress.total;
    if (progress.failed !== undefined) s.failed = progress.failed;
    if (progress.bytes !== undefined) s.bytes = progress.bytes;
    const step = progress.step;
    if (step !== undefined) {
      // `withStep`'s text: the item (or nothing) and its step.
      s.current = progress.current ?? "";
      this.#itemStep = step;
      // Timed only for the last item (see #lastItemStep): a cold prefill
      // reports a thousand steps a second, each not named until a line is.
      if (s.total !== undefined && s.total - s.done === 1) this.#timeItemStep(s.current, step);
    } else if (progress.current !== undefined) {
      s.current = progress.current;
      this.#itemStep = undefined;
    }
    this.#updated();
  };

  /**
   * Says that the operation waits (behind another process's lock, for a
   * server starting up): the line shows `text` (`waiting for …`) and the
   * time waited instead of the figures of the step before the wait, which
   * stood still (`100%  0 B/s  checking the snapshot` through a minute
   * behind another restore), drawn at once, and on the periodic log line off
   * a terminal. The next report (any update) ends the wait.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * let t = 0;
   * const bar = new ProgressBar({ label: "restore", enabled: false, now: () => t });
   * bar.onStep({ current: "checking", bytes: 10, totalBytes: 10 });
   * bar.wait("waiting for another restore");
   * t = 5000;
   * assert.equal(bar.line(), "restore  waiting for another restore  waited 0:05");
   * bar.onStep({ current: "writing", done: 1, total: 2 });
   * assert(bar.line().includes("1/2") && !bar.line().includes("waiting"));
   * ```
   */
  wait(text: string): void {
    if (this.#finished) return;
    this.#waiting = { text, since: this.#now() };
    if (this.enabled) this.#draw(this.#now());
    // Off a terminal, the log timer says it (the caller printed the notice).
    else this.#armLog();
  }

  /**
   * Prints a message above the bar (a warning, a finished item) without
   * garbling it: erase the bar, print, redraw.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * let out = "";
   * const bar = new ProgressBar({ enabled: false, write: (s) => (out += s) });
   * bar.print("hello\n");
   * assert(out === "hello\n");
   * ```
   */
  print(text: string): void {
    if (this.#drawn && !this.#finished) {
      this.#write(CLEAR_LINE + text + this.line());
    } else {
      this.#write(text);
    }
  }

  // What `current` shows: the item with its step, if it has one (see onItems).
  #current(): string | undefined {
    const current = this.#state.current;
    const step = this.#itemStep;
    if (step === undefined) return current;
    const percent = step.total > 0 ? Math.floor((step.bytes / step.total) * 100) : 100;
    return `${current ?? ""}: ${step.name} ${percent}%`;
  }

  /**
   * The current line, without control characters, cut to the width.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * const bar = new ProgressBar({ enabled: false, columns: 100 });
   * bar.update({ bytes: 2_500_000, totalBytes: 10_000_000 });
   * assert(bar.line().includes("25%") && bar.line().includes("2.5 MB/10.0 MB"));
   * ```
   */
  line(): string {
    const columns = this.#width();
    if (this.#waiting !== undefined) return this.#waitLine(columns, this.#waiting);
    const s = this.#state;
    const currentText = this.#current();
    const parts: string[] = [];
    let graphic: string | undefined;
    const fraction = s.totalBytes !== undefined && s.totalBytes > 0 && s.bytes !== undefined
      ? s.bytes / s.totalBytes
      : s.total !== undefined && s.total > 0 && s.done !== undefined
      ? s.done / s.total
      : undefined;
    if (fraction !== undefined) {
      const clamped = Math.min(1, Math.max(0, fraction));
      const width = columns >= 60 ? 20 : 10;
      const filled = Math.round(clamped * width);
      graphic = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
      parts.push(graphic);
      parts.push(`${Math.floor(clamped * 100)}%`.padStart(4));
    }
    if (s.done !== undefined) {
      parts.push(s.total !== undefined ? `${s.done}/${s.total}` : `${s.done}`);
    }
    // A long run's log line says its failures as they come, not only at the end.
    if (s.failed !== undefined && s.failed > 0) parts.push(`${s.failed} failed`);
    if (s.bytes !== undefined) {
      parts.push(
        s.totalBytes !== undefined
          ? `${formatBytes(s.bytes)}/${formatBytes(s.totalBytes)}`
          : formatBytes(s.bytes),
      );
    }
    const lastStep = this.#lastItemStep();
    const rate = lastStep !== undefined ? lastStep.rate : this.#rate();
    const rows = rate === undefined ? this.#stepItemRate() : undefined;
    const rateText = rate !== undefined
      ? `${formatBytes(rate)}/s`
      : rows !== undefined
      ? `${Math.round(rows)}/s`
      : undefined;
    if (rateText !== undefined) parts.push(rateText);
    const eta = lastStep !== undefined ? lastStep.eta : this.#eta(rate);
    const etaText = eta !== undefined && !this.#isComplete()
      ? `ETA ${formatDuration(eta)}`
      : undefined;
    if (etaText !== undefined) parts.push(etaText);
    // Neither a rate nor an ETA to give (waiting on a first answer, a
    // listing's count with no total, a step without figures): the time so
    // far, so a line that stands still is seen to be alive (see
    // `idleDrawMs`), and a CI log line says how long it has waited.
    const elapsed = (this.#now() - this.#stepStart) / 1000;
    const elapsedText = rateText === undefined && etaText === undefined && elapsed >= 1 &&
        !this.#isComplete()
      ? `elapsed ${formatDuration(elapsed)}`
      : undefined;
    if (elapsedText !== undefined) parts.push(elapsedText);
    // One column short of the width: writing the last column wraps some terminals.
    const max = columns - 1;
    // A terminal too narrow for even the ellipsis gets no line at all.
    if (max < 1) return "";
    // Figures too wide for the line are left out whole, not cut at the
    // width (`60.0 MB  5…`: a rate of 5x MB/s, or of 5 B/s?): the bar's
    // drawing first (its percentage says the same), then the ETA, the rate.
    for (const part of [elapsedText, graphic, etaText, rateText]) {
      if (displayWidth(parts.join("  ")) <= max) break;
      if (part !== undefined) parts.splice(parts.indexOf(part), 1);
    }
    // An item with its step (`/big.bin: copying 45%`) where the bar's
    // drawing leaves it ~12 columns (an 80-column line beside a rate and
    // ETA) lost its name (`… copying 45%`) or, for a short name kept whole,
    // the step's word: `/big.bin 45%` read the same through the download,
    // the check and the copy. The drawing gives way to it first, as it does
    // to the figures (its percentage says the same).
    // So does a label with no item beside it (`download /big.bin`, `upload
    // big.bin`) that would be cut, with its step's name (`hashing`) if any:
    // cut from the left, its verb read `…oad /big.bin`, then `…ad`, `…d` as
    // the rate's width moved from one redraw to the next.
    const stepItem = currentText && !this.#isStep ? printable(currentText) : "";
    const labelWords = this.#label && !stepItem
      ? displayWidth(printable(this.#label)) +
        (this.#isStep && currentText ? displayWidth(printable(currentText)) + 2 : 0)
      : 0;
    // And an item's step that fits beside the figures but not with the
    // label too: the label went (`[------]  0%  0/1  /big.bin: checking
    // 13%`, a line that did not say which command drew it) where without
    // the drawing all of it fit.
    const labelBeside = this.#label ? displayWidth(printable(this.#label)) + 2 : 0;
    const free = () => max - displayWidth(parts.join("  ")) - 2;
    if (
      graphic !== undefined && parts.includes(graphic) &&
      ((hasItemStep(stepItem) && displayWidth(stepItem) + labelBeside > free()) ||
        labelWords > free())
    ) parts.splice(parts.indexOf(graphic), 1);
    const stats = parts.join("  ");
    // The numbers matter most, then the label (which command printed the
    // line), then the item. Long item names and labels (URIs, paths) are
    // shortened from the left, keeping their end: usually the file name.
    // The label gives way to the item only beyond a fair share of the room,
    // and a short one (`prefill`) is never dropped for an item's sake.
    const sep = 2;
    // Widths in terminal columns: a line wider than the terminal wraps, and
    // the next redraw (\r, erase line) then leaves its first part behind.
    let room = max - displayWidth(stats);
    // A step's name (`checking`) says what the numbers count: it comes
    // before the label, which the user just typed; without it a check after
    // an upload reads as the upload stuck at 100%.
    const stepText = this.#isStep && currentText ? printable(currentText) : "";
    const step = stepText && room >= sep + Math.min(8, displayWidth(stepText))
      ? keepStepEnds(stepText, room - sep)
      : "";
    room -= step ? displayWidth(step) + sep : 0;
    const labelText = printable(this.#label);
    const want = displayWidth(labelText);
    const share = currentText && !step ? Math.max(Math.floor(room / 2), want + sep) : room;
    const labelRoom = Math.min(share, room) - sep;
    let label = labelText && labelRoom >= Math.min(8, want)
      ? keepLabelEnds(labelText, labelRoom)
      : "";
    // An item's step (`/big.bin: checking 45%`) comes before the label too
    // where the label would leave it no room: after a download, the rate and
    // ETA left an 80-column line none, and it sat unchanged through a long
    // check and copy.
    // So does a label that would leave the step only its figure (`/big.bin
    // 12%`: a percentage running 0 to 100 through the check, the copy and
    // the hash, with nothing saying which) where the line without it names
    // the step.
    const itemText = currentText && !this.#isStep ? printable(currentText) : "";
    const itemRoom = (left: number) => left > sep + 8;
    if (hasItemStep(itemText) && label) {
      const left = room - displayWidth(label) - sep;
      if (
        !itemRoom(left) ||
        (!namesStep(itemText, left - sep) && namesStep(itemText, room - sep))
      ) label = "";
    }
    room -= label ? displayWidth(label) + sep : 0;
    const current = step || (itemText && itemRoom(room) ? keepItemEnd(itemText, room - sep) : "");
    const text = [label, stats, current].filter((x) => x !== "").join("  ");
    return displayWidth(text) <= max ? text : keepStartColumns(text, max - 1) + "…";
  }

  // The line of a wait (see wait): the label, what it waits for, the time
  // waited. What it waits for keeps its start (`waiting for another restore
  // that is…`: the path at its end is in the notice above) and 30 columns
  // where it can; the label a third of the line, or what those 30 leave
  // (cut from the left, as beside figures); the time whatever leaves the
  // words 24.
  #waitLine(columns: number, waiting: { text: string; since: number }): string {
    const max = columns - 1;
    if (max < 1) return "";
    const sep = 2;
    const labelText = printable(this.#label);
    const want = displayWidth(labelText);
    const allow = Math.min(want, Math.max(Math.floor(max / 3), max - 30 - sep));
    const label = labelText && allow >= Math.min(8, want) ? keepLabelEnds(labelText, allow) : "";
    let room = max - (label ? displayWidth(label) + sep : 0);
    const seconds = (this.#now() - waiting.since) / 1000;
    const time = seconds >= 1 ? `waited ${formatDuration(seconds)}` : "";
    const timeText = time && room - displayWidth(time) - sep >= 24 ? time : "";
    room -= timeText ? displayWidth(timeText) + sep : 0;
    const text = printable(waiting.text);
    const what = displayWidth(text) <= room
      ? text
      : room > 1
      ? keepStartColumns(text, room - 1) + "…"
      : "";
    return [label, what, timeText].filter((x) => x !== "").join("  ");
  }

  /**
   * Erases the line; later updates are ignored. Safe to call more than once.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProgressBar } from "./progress.ts";
   * let out = "";
   * const bar = new ProgressBar({ enabled: true, write: (s) => (out += s) });
   * bar.update({ done: 1, total: 2 });
   * bar.done();
   * bar.done();
   * assert(out.endsWith("\r\x1b[K") && out.split("\x1b[K").length === 3);
   * ```
   */
  done(): void {
    if (this.#finished) return;
    this.#finished = true;
    drawnBars.delete(this);
    this.#cancelLog?.();
    this.#cancelIdle?.();
    if (this.#drawn) this.#write(CLEAR_LINE);
  }

  /** Same as {@linkcode ProgressBar.done}, for `using`. */
  [Symbol.dispose](): void {
    this.done();
  }

  // The console's width now, not when the bar was made: a terminal made
  // narrower during a long operation (a window resized, a tmux pane split
  // beside `vc mirror --watch`) wrapped every longer line, and each redraw's
  // `\r` then left the wrapped part behind. One ioctl, at most ten a second.
  #width(): number {
    return this.#columns ?? consoleColumns();
  }

  #isComplete(): boolean {
    const s = this.#state;
    if (s.total !== undefined && s.done !== undefined) return s.done >= s.total;
    if (s.totalBytes !== undefined && s.bytes !== undefined) return s.bytes >= s.totalBytes;
    return false;
  }

  /** Bytes per second over the recent window; undefined until measurable. */
  #rate(): number | undefined {
    return rateOf(this.#samples, this.#stepStart, this.#now());
  }

  // The step's bytes now, as a sample of its rate; a new step (or item), or
  // one that starts over (a download of an object found replaced midway, a
  // retry that cannot resume), starts its samples over: its bytes going back
  // gave no rate, and so no ETA, for the rate's whole window.
  #timeItemStep(current: string, step: ItemStep): void {
    const t = this.#now();
    const key = `${current}\0${step.name}`;
    const last = this.#itemSamples.at(-1);
    if (key !== this.#itemKey || (last !== undefined && step.bytes < last.bytes)) {
      this.#itemKey = key;
      this.#itemSamples.length = 0;
      this.#itemStart = t;
    }
    addSample(this.#itemSamples, t, step.bytes);
  }

  // With one item left and no byte total (`vc sync` or `vc prefill` of one
  // large entry, or the last of several), the rate and ETA of that item's
  // step: the run waits on nothing else. The items' ETA needs one done, and
  // the run's bytes (what it downloaded) stand still through the copy that
  // follows a download (`0 B/s` for the minute a large copy took).
  #lastItemStep(): { rate: number | undefined; eta: number | undefined } | undefined {
    const s = this.#state;
    const step = this.#itemStep;
    if (step === undefined || step.total <= 0 || s.totalBytes !== undefined) return undefined;
    if (s.total === undefined || s.done === undefined || s.total - s.done !== 1) return undefined;
    // Its samples, not those of a step timed before it.
    if (this.#itemKey !== `${s.current ?? ""}\0${step.name}`) return undefined;
    const rate = rateOf(this.#itemSamples, this.#itemStart, this.#now());
    // Not measured yet: no ETA, not the items' (the quick small ones
    // before a large last one made it `ETA 0:00` as that one began).
    if (rate === undefined) return { rate: this.#rate(), eta: undefined };
    return {
      rate,
      eta: rate > 0 ? Math.max(0, (step.total - step.bytes) / rate) : undefined,
    };
  }

  // Items a second of a step that counts items, not bytes, towards a known
  // total (the rows a restore writes): since the step began, as its ETA is,
  // none before a quarter second of it, nor while nothing is done (a "0/s"
  // says less than the time so far). A count with no total (a listing) says
  // its elapsed time instead. Steps only: an item of prefill or mirror is a
  // file, whose bytes say the rate.
  #stepItemRate(): number | undefined {
    const s = this.#state;
    if (!this.#isStep || s.bytes !== undefined || s.total === undefined || !s.done) {
      return undefined;
    }
    const elapsed = this.#now() - this.#stepStart;
    return elapsed >= 250 ? (s.done * 1000) / elapsed : undefined;
  }

  /** Seconds remaining, from bytes when the total is known, else from items. */
  #eta(rate: number | undefined): number | undefined {
    const s = this.#state;
    // With a byte total the percentage is of the bytes, and so is the ETA:
    // none until their rate is measured (or while nothing moves), never the
    // items' (one large item of many then made the ETA grow as the bar filled).
    if (s.totalBytes !== undefined && s.totalBytes > 0 && s.bytes !== undefined) {
      return rate !== undefined && rate > 0
        ? Math.max(0, (s.totalBytes - s.bytes) / rate)
        : undefined;
    }
    if (s.total !== undefined && s.done !== undefined && s.done > 0) {
      const elapsed = (this.#now() - this.#stepStart) / 1000;
      return Math.max(0, (elapsed * (s.total - s.done)) / s.done);
    }
    return undefined;
  }
}

/**
 * Erases every bar still on screen (as {@linkcode ProgressBar.done} does), for
 * a process about to exit without its command's own end: its last line then
 * starts at the line's start, and no bar is left under the shell's prompt.
 * Returns whether one was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eraseDrawnBars, ProgressBar } from "./progress.ts";
 * let out = "";
 * const bar = new ProgressBar({ enabled: true, write: (s) => (out += s), columns: 80 });
 * bar.update({ done: 1, total: 2 });
 * assert(eraseDrawnBars() && out.endsWith("\r\x1b[K"));
 * assert(!eraseDrawnBars());
 * ```
 */
export function eraseDrawnBars(): boolean {
  const any = drawnBars.size > 0;
  for (const bar of [...drawnBars]) bar.done();
  return any;
}

/**
 * Human-readable size with decimal units (1 kB = 1000 B), as `vc` prints and
 * parses them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./progress.ts";
 * assert(formatBytes(999) === "999 B");
 * assert(formatBytes(1_500_000) === "1.5 MB");
 * assert(formatBytes(12_345_678_901) === "12.3 GB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes))} B`;
  const units = ["kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = "B";
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/**
 * Duration as `m:ss` or `h:mm:ss`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
 * assert(formatDuration(7) === "0:07");
 * assert(formatDuration(3725) === "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function keepEnd(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  return width <= 1 ? "…" : "…" + keepEndColumns(text, width - 1);
}

// A label cut to `width` keeps its first word, the verb (`download`,
// `upload`, `open`), and the end of the rest, its file's name, where that
// leaves the rest 12 columns: cut from the left alone, `download
// s3://bucket/datasets/train.tar` lost its verb, and on a wider terminal
// read `…ad s3://…`, then `…load s3://…`, as the figures' width moved.
function keepLabelEnds(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const space = text.indexOf(" ");
  const verb = space > 0 ? text.slice(0, space + 1) : "";
  const rest = width - displayWidth(verb);
  return verb && rest >= 13 ? verb + keepEnd(text.slice(space + 1), rest) : keepEnd(text, width);
}

// A step's name cut to `width` keeps its first word, the verb, with the end
// of the rest (`checking …of purged records`, `reading …/catalog-….jsonl.gz`):
// cut from the left alone, restore's step drew `…t of purged records` on an
// 80-column terminal, saying neither what it did nor of what.
function keepStepEnds(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const space = text.indexOf(" ");
  const verb = space > 0 ? text.slice(0, space + 1) : "";
  if (!verb) return keepEnd(text, width);
  // The rest keeps a few columns besides its ellipsis, or the verb is said alone.
  if (width - displayWidth(verb) < 6) {
    return displayWidth(verb) <= width ? verb.trimEnd() + "…" : keepEnd(text, width);
  }
  const rest = text.slice(space + 1);
  const cut = keepEnd(rest, width - displayWidth(verb));
  // Words (not a URI) are cut between two: `…of purged records`, not `…t of`.
  const at = rest.includes(" ") ? cut.indexOf(" ") : -1;
  return verb + (at > 0 && at < cut.length - 1 ? "…" + cut.slice(at + 1) : cut);
}

// An item with its step after it (`/data/big.bin: downloading 45%`, as
// `withStep` of the command line joins them) keeps its step and shortens the
// name from its left; where that leaves the name too little room, the step
// is cut to its figure (`…/big.bin 45%`), and with no room for 12 columns
// of the name, the step is shown alone (`… checking 45%`), or where even
// that is too wide, what fits of the name's end with the figure
// (`…big.bin 45%`). Cut as one text,
// the step's own word went first and the name with it (`…oading 45%` on an
// 80-column terminal).
function keepItemEnd(text: string, width: number): string {
  const at = text.lastIndexOf(": ");
  if (at <= 0 || displayWidth(text) <= width) return keepEnd(text, width);
  const name = text.slice(0, at);
  const step = text.slice(at);
  const figure = step.slice(step.lastIndexOf(" "));
  const wanted = Math.min(ITEM_NAME_MIN_COLUMNS, displayWidth(name));
  for (const tail of [step, figure]) {
    const room = width - displayWidth(tail);
    if (room >= wanted) return keepEnd(name, room) + tail;
  }
  // Too narrow for any of the name: the step alone (`… checking 45%`).
  const alone = `… ${step.slice(2)}`;
  if (displayWidth(alone) <= width) return alone;
  // Nor for that: the name's end and the figure (`…big.bin 45%`), not the
  // whole cut from the left (`…oading 45%`: a cut word, no item named).
  const left = width - displayWidth(figure);
  return left >= 3 ? keepEnd(name, left) + figure : keepEnd(text, width);
}

// Whether `text`, an item with its step, keeps the step's name when cut to
// `width` (not only its figure, `/big.bin 45%`).
function namesStep(text: string, width: number): boolean {
  const step = text.slice(text.lastIndexOf(": ") + 2);
  return keepItemEnd(text, width).endsWith(step);
}

// Whether an item is one `withStep` joined with its step (`/big.bin: checking 45%`).
function hasItemStep(text: string): boolean {
  return /: [^:]* \d+%$/.test(text);
}

// The columns a shortened item's name keeps before its step gives way.
const ITEM_NAME_MIN_COLUMNS = 12;

function mergeDefined(state: ProgressSnapshot, snapshot: ProgressSnapshot): void {
  if (snapshot.bytes !== undefined) state.bytes = snapshot.bytes;
  if (snapshot.totalBytes !== undefined) state.totalBytes = snapshot.totalBytes;
  if (snapshot.done !== undefined) state.done = snapshot.done;
  if (snapshot.total !== undefined) state.total = snapshot.total;
  if (snapshot.failed !== undefined) state.failed = snapshot.failed;
  if (snapshot.current !== undefined) state.current = snapshot.current;
}

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  const data = encoder.encode(text);
  let offset = 0;
  // Bounded by the data length: each write advances by at least one byte or throws.
  try {
    while (offset < data.length) offset += Deno.stderr.writeSync(data.subarray(offset));
  } catch {
    // Best effort: a progress line that cannot be drawn (stderr on a full
    // disk, its reader gone) must not fail the operation it reports on.
  }
}

function consoleColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80; // not a terminal
  }
}
