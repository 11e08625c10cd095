/**
 * How commands print: results on stdout (text, or one JSON document with
 * `--json`), messages and warnings on stderr, nothing optional with `--quiet`
 * (a failure's reason is never optional),
 * and colour only on a terminal without `NO_COLOR`.
 *
 * @module
 */
import type { CliIo } from "./io.ts";
import { ProgressBar } from "../progress.ts";
import { displayWidth, padEndColumns } from "../display_width.ts";
import { inertJson, printable, withLongInputsCut } from "../printable.ts";
import { UsageError } from "./errors.ts";
import { InvalidInputError } from "../errors.ts";
import { writeFailureLines } from "./failure_lines.ts";

/** How often a long operation prints a plain progress line when stderr is not a terminal. */
const LOG_INTERVAL_MS = 30_000;
/**
 * On a terminal, how long a bar waits for its first update before it draws
 * its label anyway (and how long it stands still before it is drawn again):
 * a command waiting on a store's first answer showed nothing at all.
 */
const IDLE_DRAW_MS = 500;

// A message line on stderr: as an error's (src/cli/errors.ts), a name it
// quotes is inert and an over-long input (a 20,000-character argument) is
// cut to its ends and its length.
function messageLine(text: string): string {
  return printable(withLongInputsCut(text));
}

/**
 * Whether the process runs in a CI job: `CI` is set (CI runners set it,
 * `true` mostly) to anything but empty, `false` or `0`.
 */
function inCi(io: CliIo): boolean {
  const value = (io.env("CI") ?? "").trim().toLowerCase();
  return value !== "" && value !== "false" && value !== "0";
}

/** `human`: text for people; `json`: one JSON document on stdout; `quiet`: essentials only. */
export type OutputMode = "human" | "json" | "quiet";

/** Options for {@linkcode Output}. */
export interface OutputOptions {
  /** Output mode. Default `"human"`. */
  mode?: OutputMode;
}

const encoder = new TextEncoder();

/**
 * The printer a command writes through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Output } from "./output.ts";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo();
 * const out = new Output(io, { mode: "json" });
 * await out.data({ path: "/x" }, "/x");
 * assert(JSON.parse(io.stdout()).path === "/x");
 * ```
 */
export class Output {
  /** The mode chosen by `--json` / `--quiet`. */
  readonly mode: OutputMode;
  /** Whether stderr messages may use ANSI colours. */
  readonly color: boolean;
  readonly #io: CliIo;
  #bar: ProgressBar | undefined;
  /** The reader of stdout went away (`vc verify | head -1`): nothing more is written there. */
  #stdoutGone = false;
  #jsonDocumentBegun = false;
  readonly #beforeFailure: (() => void)[] = [];

  /** Creates a printer over `io`. */
  constructor(io: CliIo, options: OutputOptions = {}) {
    this.#io = io;
    this.mode = options.mode ?? "human";
    // https://no-color.org: any non-empty NO_COLOR disables colour.
    const noColor = (io.env("NO_COLOR") ?? "") !== "";
    this.color = io.stderrIsTerminal && !noColor && io.env("TERM") !== "dumb";
  }

  /**
   * Whether this printer has put a JSON document (or the start of a
   * streamed one) on stdout. A command that fails after that gets no JSON
   * error document of its own (runCli): a second document would make stdout
   * no JSON at all.
   */
  get jsonDocumentBegun(): boolean {
    return this.#jsonDocumentBegun;
  }

  /**
   * Prints a command's essential result: `json` as one JSON document in JSON
   * mode, otherwise `text` (a line or lines) — also in quiet mode.
   */
  async data(json: unknown, text: string | readonly string[]): Promise<void> {
    if (this.mode === "json") return this.#json(json);
    await this.#lines(text);
  }

  /**
   * Prints a report of what a command found wrong (`vc cache verify`,
   * `vc repo check`, `vc serve expire`, `vc merge-driver`) as {@linkcode data} does; when it
   * `failed` (the command exits 1), in JSON mode its text lines go to stderr
   * too (the first 20, then a count), so the log of a CI step that keeps
   * `--json > report.json` says why, as `vc prefill --json` does.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Output } from "./output.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo();
   * await new Output(io, { mode: "json" }).report({ bad: 1 }, ["1 bad: /x"], true);
   * assert.deepEqual(JSON.parse(io.stdout()), { bad: 1 });
   * assert.equal(io.stderr(), "1 bad: /x\n");
   * ```
   */
  async report(json: unknown, text: readonly string[], failed: boolean): Promise<void> {
    await this.data(json, text);
    if (failed && this.mode === "json") writeFailureLines(this.#io, text.map(messageLine));
  }

  /**
   * Prints a result that comes a page at a time (a listing of a large
   * catalog) as it comes, so memory stays bounded and the first rows show at
   * once: in JSON mode the JSON array {@linkcode Output.data} would print for
   * all the items, streamed; otherwise a table under `header`, a row per
   * item, whose columns are as wide as the widest cell so far (a later page
   * with a wider cell widens its own rows). Stops reading pages once the
   * reader of stdout went away (`vc repo ls | head`), and on an interrupt.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Output } from "./output.ts";
   * import { memoryIo } from "./io.ts";
   * async function* pages() {
   *   yield [{ id: 1 }, { id: 22 }];
   *   yield [{ id: 333 }];
   * }
   * const row = (item: { id: number }) => [String(item.id), "x"];
   * const io = memoryIo();
   * await new Output(io).tablePages(pages(), ["ID", "NAME"], row);
   * assert.equal(io.stdout(), "ID  NAME\n1   x\n22  x\n333  x\n");
   * const json = memoryIo();
   * await new Output(json, { mode: "json" }).tablePages(pages(), ["ID", "NAME"], row);
   * assert.deepEqual(JSON.parse(json.stdout()), [{ id: 1 }, { id: 22 }, { id: 333 }]);
   * ```
   */
  async tablePages<T>(
    pages: AsyncIterable<readonly T[]>,
    header: readonly string[],
    row: (item: T) => readonly string[],
  ): Promise<void> {
    const json = this.mode === "json";
    const columns = new TableColumns();
    let first = true;
    try {
      for await (const page of pages) {
        if (page.length === 0) continue;
        if (json) {
          // As inertJson(all, 2) writes it: each item indented by two spaces.
          const items = page.map((item) => inertJson(item, 2).replaceAll("\n", "\n  "));
          this.#jsonDocumentBegun = true;
          await this.#stdout(
            encoder.encode(`${first ? "[\n  " : ",\n  "}${items.join(",\n  ")}`),
          );
        } else {
          await this.#lines(columns.lines([...(first ? [header] : []), ...page.map(row)]));
        }
        first = false;
        if (this.#stdoutGone) return;
        // Ctrl-C stops the listing between pages, not at the end of it.
        this.#io.signal?.throwIfAborted();
      }
    } catch (error) {
      // Cut short after the array began (Ctrl-C, a catalog lost between
      // pages): closed, so stdout stays one JSON document of the records
      // read; the exit code and the error on stderr say it is not all.
      if (json && !first) await this.#stdout(encoder.encode("\n]\n")).catch(() => {});
      throw error;
    }
    if (json) await this.#stdout(encoder.encode(first ? "[]\n" : "\n]\n"));
    else if (first) await this.#lines(columns.lines([header]));
  }

  /**
   * Prints a local path as the command's result, one line for `"$(vc …)"`.
   * Output lines are made inert, so a path holding a control character (a
   * newline in a file name or in the cache dir) would print as another,
   * wrong path handed on with exit 0: refused instead, naming `what` (e.g.
   * `the local path of s3://b/k`), except in JSON mode, which gives it
   * exactly.
   */
  async path(json: unknown, local: string, what: string): Promise<void> {
    if (this.mode !== "json" && printable(local) !== local) {
      throw new InvalidInputError(
        `${what} contains a control character, so it cannot be printed as a line: ` +
          `${printable(local)}; use --json, which gives it exactly`,
      );
    }
    await this.data(json, local);
  }

  /**
   * Prints a result that only confirms what happened ("added …"): JSON in
   * JSON mode, text in human mode, nothing in quiet mode.
   */
  async status(json: unknown, text: string | readonly string[]): Promise<void> {
    if (this.mode === "json") return this.#json(json);
    if (this.mode === "human") await this.#lines(text);
  }

  /**
   * Before a command writes a file's bytes to stdout (`vc cat`, `vc get PATH
   * -`, `vc cache-client get ID`): in JSON mode, where stdout is one JSON
   * document for every other command, a usage error naming `instead` (the
   * commands whose JSON says where the bytes are), thrown before any
   * download. Raw bytes under `--json` would break `vc … --json | jq`
   * with exit 0; `gh` and `kubectl` refuse a structured-output flag on
   * their raw-content commands too.
   */
  rawContent(command: string, instead: string): void {
    if (this.mode !== "json") return;
    throw new UsageError(
      `${command} writes the file's bytes to stdout, so it has no --json output`,
      { hint: instead, command },
    );
  }

  /**
   * One JSON line on stdout, in JSON mode only: the log of a command that
   * reports as it goes (`vc mirror --watch`), where each pass or batch is a
   * document of its own. Resolves when written; a reader that went away is
   * no failure (see `#stdout`).
   */
  async jsonLine(value: unknown): Promise<void> {
    if (this.mode === "json") await this.#stdout(encoder.encode(inertJson(value) + "\n"));
  }

  /** Writes raw bytes to stdout (for `vc cat`); see {@linkcode Output.rawContent}. */
  write(bytes: Uint8Array): Promise<void> {
    return this.#io.writeStdout(bytes);
  }

  /** A progress note on stderr, human mode only. */
  info(text: string): void {
    // Notes and warnings name keys and files (a library warning names the
    // URI it serves): shown inert, like every line printed here.
    if (this.mode === "human") this.#stderr(`${messageLine(text)}\n`);
  }

  /**
   * A note that the command is stopping (a first Ctrl-C or SIGTERM, what it
   * still waits for), human mode only, as {@linkcode info}: on a terminal
   * from the line's start, over the `^C` the terminal echoed, which the line
   * (and the shell's prompt after the command's last one) followed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Output } from "./output.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo({ stderrIsTerminal: true, env: { TERM: "xterm" } });
   * new Output(io).stopping("stopping: letting the requests in flight finish");
   * assert.equal(io.stderr(), "\r\x1b[Kstopping: letting the requests in flight finish\n");
   * ```
   */
  stopping(text: string): void {
    if (this.mode !== "human") return;
    const erase = this.#io.stderrIsTerminal && this.#io.env("TERM") !== "dumb";
    this.#stderr(`${erase ? "\r\x1b[K" : ""}${messageLine(text)}\n`);
  }

  /**
   * A warning on stderr, unless quiet. One of `kind` `"wait"` (the
   * library's `onWarning` tells it so: `waiting for process 7 to finish
   * downloading …`) is also shown on the bar, as {@linkcode waiting} does;
   * the kind decides, not the words.
   */
  warn(text: string, kind?: "wait"): void {
    // Library warnings may already carry the program prefix.
    this.#warn(text.replace(/^vc: (warning: )?/, ""), kind === "wait");
  }

  #warn(text: string, wait: boolean): void {
    if (this.mode === "quiet") return;
    this.#stderr(`${this.paint("vc: warning:", "33")} ${messageLine(text)}\n`);
    if (wait) this.#bar?.wait(waitStep(text));
  }

  /**
   * A wait said as it begins (behind another process's lock, for a server
   * starting up): a {@linkcode warn}ing, and the progress bar in hand, if
   * any, shows what is waited for and the time waited until the operation
   * moves again (see `ProgressBar.wait`), not the figures of the step
   * before, which stood still.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Output } from "./output.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo();
   * const out = new Output(io);
   * const bar = out.progress("restore");
   * out.waiting("waiting for another restore (it holds /r.sqlite.rebuild-lock)");
   * assert(io.stderr().startsWith("vc: warning: waiting for another restore"));
   * assert.equal(bar.line(), "restore  waiting for another restore");
   * ```
   */
  waiting(text: string): void {
    this.#warn(text.replace(/^vc: (warning: )?/, ""), true);
  }

  /**
   * Why the command fails when it exits 1 without throwing (its result, if
   * any, already printed): on stderr in every mode, `--quiet` included, as an
   * error line. A warning is optional and quiet drops it; a run that exits 1
   * and says nothing leaves a script's log with no reason.
   */
  failure(text: string): void {
    for (const hook of this.#beforeFailure) hook();
    this.#stderr(`vc: ${messageLine(text.replace(/^vc: /, ""))}\n`);
  }

  /**
   * Runs `hook` before each {@linkcode failure} line is printed: what it
   * says (the retries not yet counted) comes before that line, which a
   * command stopped part-way prints as its last.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { memoryIo } from "./io.ts";
   * import { Output } from "./output.ts";
   * const io = memoryIo();
   * const out = new Output(io);
   * out.beforeFailure(() => out.warn("3 retries"));
   * out.failure("interrupted");
   * assert.equal(io.stderr(), "vc: warning: 3 retries\nvc: interrupted\n");
   * ```
   */
  beforeFailure(hook: () => void): void {
    this.#beforeFailure.push(hook);
  }

  /**
   * A command stopped part-way (Ctrl-C, SIGTERM): what it did before the
   * stop, which stays done, as its last line `text` (a {@linkcode failure},
   * so also with --quiet) and, with --json, `soFar` with `interrupted: true`
   * as the document on stdout. The caller exits 130 (`EXIT_INTERRUPTED`).
   */
  async interrupted(soFar: Record<string, unknown>, text: string): Promise<void> {
    if (this.mode === "json") {
      // stdout gone (a reader that went away): stderr still says it below.
      await this.#json({ interrupted: true, ...soFar }).catch(() => {});
    }
    this.failure(text);
  }

  /**
   * A progress bar on stderr, drawn only on a terminal that can erase a line
   * (not `TERM=dumb`) and never in quiet mode; in JSON mode only when stdout
   * is not a terminal (`--json > report.json`, `| jq`: the user watches
   * stderr, the document goes elsewhere). Drawn within half a second even
   * before its first update, and again while nothing moves. Messages printed
   * while it is active appear above it. Where it is not drawn, a plain line every 30 s
   * of a long operation, also in JSON mode (stdout holds the document;
   * `--json` is how CI keeps a report), not in quiet mode.
   */
  progress(label: string): ProgressBar {
    // A dumb terminal (Emacs' shell, some CI consoles) shows the erase
    // sequence of every redraw as text, ten times a second. In JSON mode
    // with stdout a terminal too (one stream: `docker exec -t`, a pty a
    // program reads the document from), the redraws would be read with it.
    // A CI job given a pseudo-terminal (Buildkite's default, CircleCI,
    // `docker run -t`) keeps every redraw in its log: there, as on no
    // terminal, a plain line every 30 s.
    const enabled = this.#io.stderrIsTerminal && this.#io.env("TERM") !== "dumb" &&
      !inCi(this.#io) &&
      (this.mode === "human" || (this.mode === "json" && this.#io.stdoutIsTerminal === false));
    const bar = new ProgressBar({
      label,
      enabled,
      write: (s) => this.#io.writeStderr(s),
      // In a CI log (no bar): a plain line every 30 s of a long operation,
      // so a job that times out on silence keeps going; with --json too.
      ...(enabled || this.mode === "quiet" ? {} : { logIntervalMs: LOG_INTERVAL_MS }),
      // On a terminal: the label within half a second, also while nothing
      // is counted yet (a store slow to answer), and a stall seen as one.
      ...(enabled ? { idleDrawMs: IDLE_DRAW_MS } : {}),
    });
    this.#bar = bar;
    return bar;
  }

  /** Wraps `text` in an ANSI SGR code when colour is allowed. */
  paint(text: string, sgr: string): string {
    return this.color ? `\x1b[${sgr}m${text}\x1b[0m` : text;
  }

  #stderr(text: string): void {
    if (this.#bar !== undefined) this.#bar.print(text);
    else this.#io.writeStderr(text);
  }

  async #lines(text: string | readonly string[]): Promise<void> {
    // One printed line per element: a name in one (a key listed by prune or
    // verify, a file planted in the cache dir) cannot add a line or a
    // terminal sequence of its own (see printable.ts).
    const lines = (typeof text === "string" ? [text] : text).map(printable);
    if (lines.length === 0) return;
    await this.#stdout(encoder.encode(lines.join("\n") + "\n"));
  }

  async #json(value: unknown): Promise<void> {
    this.#jsonDocumentBegun = true;
    // A name from a store or a directory may hold C1 or bidirectional
    // controls: escaped, the same JSON value, inert on a terminal.
    await this.#stdout(encoder.encode(inertJson(value, 2) + "\n"));
  }

  async #stdout(bytes: Uint8Array): Promise<void> {
    if (this.#stdoutGone) return;
    try {
      await this.#io.writeStdout(bytes);
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      // The reader went away (`vc verify | head -1`, a log reader gone): the
      // rest of the result has no reader, but the command still finishes
      // and exits with its own code — a verify that found a corrupt entry
      // stays 1 under `set -o pipefail` — and a watch goes on watching.
      // Raw content (`write`) still ends the command: it has nothing else
      // to do than write.
      this.#stdoutGone = true;
    }
  }
}

/**
 * What a wait notice waits for, short enough for a progress line: its
 * clause from `waiting` to the first aside (`(…`) or `;`, without the
 * program prefix; `on it` after a catalog said busy names the catalog. A
 * notice without `waiting` (`PostgreSQL at h is starting up; trying again
 * in 2 s`) is its first clause after `waiting: `.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitStep } from "./output.ts";
 * assert.equal(
 *   waitStep("vc: waiting for process 7 to finish downloading s3://b/k (lock /c/.k); giving up after 60s"),
 *   "waiting for process 7 to finish downloading s3://b/k",
 * );
 * assert.equal(
 *   waitStep("catalog sqlite:/r.db is busy: waiting for a lock another process holds on it (a gc)"),
 *   "waiting for a lock another process holds on the catalog",
 * );
 * assert.equal(waitStep("PostgreSQL at h:5432 is starting up; trying again in 2 s"), "waiting: PostgreSQL at h:5432 is starting up");
 * ```
 */
export function waitStep(text: string): string {
  const line = text.replace(/^vc: (warning: )?/, "");
  const at = line.search(/\bwaiting\b/);
  const clause = (at >= 0 ? line.slice(at) : line).split(/ \(|; /)[0]!.trim();
  if (at < 0) return `waiting: ${clause}`;
  return /\bcatalog\b/.test(line.slice(0, at))
    ? clause.replace(/ on it$/, " on the catalog")
    : clause;
}

/**
 * Aligns rows into columns separated by two spaces (the last column is not padded),
 * by the columns each cell takes on a terminal (a CJK path two a character).
 * A cell wider than 100 columns (a 1,000-character key) is left out of its
 * column's width: its row runs on past the column, and the other rows are
 * not each padded to a screenful of blanks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { table } from "./output.ts";
 * assert(table([["a", "1"], ["bbb", "22"]]).join("|") === "a    1|bbb  22");
 * ```
 */
export function table(cells: readonly (readonly string[])[]): string[] {
  return new TableColumns().lines(cells);
}

// The widest cell (in terminal columns) that a table column is padded to fit.
const TABLE_ALIGNED_WIDTH = 100;

// Column widths kept from one batch of rows to the next, so the rows of a
// table printed in pages line up with those before them.
class TableColumns {
  readonly #widths: number[] = [];

  lines(cells: readonly (readonly string[])[]): string[] {
    // Keys and names come from stores and disks: shown inert (see printable.ts).
    const rows = cells.map((row) => row.map(printable));
    const widths = this.#widths;
    for (const row of rows) {
      row.forEach((cell, i) => {
        const width = displayWidth(cell);
        if (width <= TABLE_ALIGNED_WIDTH) widths[i] = Math.max(widths[i] ?? 0, width);
      });
    }
    return rows.map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : padEndColumns(cell, widths[i] ?? 0)))
        .join("  ")
        .trimEnd()
    );
  }
}
