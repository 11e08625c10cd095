/**
 * One JSON line per request: method, route template, status, bytes in and
 * out, duration, request id, the client's address, identity name and cache ID. The token and the
 * Authorization header are never logged. What a client sent (a path, a
 * header in an error) is shown with its control characters escaped, the
 * ones JSON leaves as they are too (C1, bidirectional overrides), so a line
 * read with `tail` can neither drive the terminal nor reorder its text.
 *
 * @module
 */
import { reportingCallback, thrownText } from "../callback.ts";
import { lineOnStderr } from "../warning_line.ts";
import { type Clock, systemClock } from "../clock.ts";
import { inertJson } from "../printable.ts";

/** What is logged about one request. */
export interface RequestLogRecord {
  /** ISO time the request finished. */
  time: string;
  /** Request id (also sent back as `X-Request-Id`). */
  request_id: string;
  /** HTTP method. */
  method: string;
  /** Route template (`/v1/cache/{id}`), or `unknown`. */
  route: string;
  /** Response status. */
  status: number;
  /** Request body bytes read. */
  bytes_in: number;
  /** Response body bytes sent (of a file download: handed to Deno.serve, see `bytes_out_unconfirmed`). */
  bytes_out: number;
  /** Duration in milliseconds, to the end of the response body. */
  ms: number;
  /**
   * The address of the connection's peer (behind a proxy: the proxy's; a
   * client's `X-Forwarded-For` is not trusted), when served by `Deno.serve`.
   */
  remote?: string;
  /** Identity name, when the caller authenticated. */
  identity?: string;
  /** The cache ID in the path, or the one `POST /v1/cache_id` answered. */
  cache_id?: string;
  /** Error message for failed requests (details for 500s stay in this log). */
  error?: string;
  /** What went wrong in a request that still succeeded (e.g. a download's expiry not moved). */
  warning?: string;
  /** Whether the client went away before the response body was sent. */
  aborted?: boolean;
  /**
   * Set on a file download sent whole to Deno.serve: `bytes_out` is then
   * what was handed to it, which a client that left at the very end may not
   * all have got (Deno.serve does not tell). A download that ended short (its
   * client left, its store failed) is `aborted` with the bytes handed on.
   */
  bytes_out_unconfirmed?: boolean;
}

/**
 * Formats a record as one line of JSON, inert on a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLogLine } from "./log.ts";
 * const line = formatLogLine({
 *   time: "2026-01-01T00:00:00.000Z", request_id: "r1", method: "GET", route: "/healthz",
 *   status: 200, bytes_in: 0, bytes_out: 2, ms: 1.5,
 * });
 * assert(JSON.parse(line).status === 200 && !line.includes("\n"));
 * ```
 */
export function formatLogLine(record: RequestLogRecord): string {
  return inertJson(record);
}

/**
 * Formats a line about the service itself rather than a request (a sweep,
 * a token file that does not parse): its time, the event's name, then its
 * fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEventLine } from "./log.ts";
 * const line = formatEventLine("token-file", { error: "token file t.json is not valid JSON" });
 * assert(JSON.parse(line).event === "token-file" && !line.includes("\n"));
 * ```
 */
export function formatEventLine(event: string, fields: Record<string, unknown>): string {
  return inertJson({ time: new Date().toISOString(), event, ...fields });
}

/**
 * Writes a line to stderr (the default log sink of `vc serve`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stderrLog } from "./log.ts";
 * assert(typeof stderrLog === "function");
 * ```
 */
export function stderrLog(line: string): void {
  const data = new TextEncoder().encode(line + "\n");
  let offset = 0;
  while (offset < data.length) offset += Deno.stderr.writeSync(data.subarray(offset));
}

/**
 * `log` made safe to call from the service's callbacks: a log sink that
 * throws (the caller's logger whose file was closed, a stderr that is gone)
 * was called where its error became an unhandled rejection, which ended the
 * whole process at the first request. Its lines are lost instead, and the
 * first failure is told on stderr (once: a broken sink fails every line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guardedLog } from "./log.ts";
 * const lines: string[] = [];
 * guardedLog((line) => lines.push(line))("a");
 * assert.deepEqual(lines, ["a"]);
 * const consoleError = console.error;
 * console.error = () => {};
 * try {
 *   guardedLog(() => {
 *     throw new Error("closed");
 *   })("b"); // does not throw
 * } finally {
 *   console.error = consoleError;
 * }
 * ```
 */
export function guardedLog(log: (line: string) => void): (line: string) => void {
  let told = false;
  // A log whose promise rejects (an async one) is told the same way.
  return reportingCallback("log", log, (error) => {
    if (told) return;
    told = true;
    try {
      lineOnStderr(
        `vc serve: the log callback threw, so log lines are lost while it does: ${
          thrownText(error)
        }`,
      );
    } catch {
      // stderr itself is gone: nowhere left to tell.
    }
  });
}

/** Options for {@linkcode LogBuffer}. */
export interface LogBufferOptions {
  /** Longest a line waits before it is written (default 50 ms). */
  maxDelayMs?: number;
  /** Lines are written at once when this many bytes are waiting (default 64 KiB). */
  maxBytes?: number;
  /** Time source of the delay (default: the system clock). */
  clock?: Clock;
}

/**
 * Collects log lines and writes them in batches: one write per batch
 * instead of one synchronous write per request (a write to a pipe costs a
 * system call, and blocks the server while the reader lags). Each line stays
 * one line, in order; `flush()` writes what waits (call it on shutdown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogBuffer } from "./log.ts";
 * const written: string[] = [];
 * const buffer = new LogBuffer((text) => written.push(text));
 * buffer.line('{"a":1}');
 * buffer.line('{"b":2}');
 * assert.equal(written.length, 0);
 * buffer.flush();
 * assert.deepEqual(written, ['{"a":1}\n{"b":2}\n']);
 * ```
 */
export class LogBuffer {
  readonly #write: (text: string) => void;
  readonly #delay: number;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  #lines: string[] = [];
  #bytes = 0;
  #timer: AbortController | undefined;

  /** Writes batches of lines (each ending in a newline) with `write`. */
  constructor(write: (text: string) => void, options: LogBufferOptions = {}) {
    this.#write = write;
    this.#delay = options.maxDelayMs ?? 50;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
    this.#clock = options.clock ?? systemClock;
  }

  /** Queues one line (without its newline). */
  readonly line = (line: string): void => {
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    if (this.#bytes >= this.#maxBytes) {
      this.flush();
      return;
    }
    if (this.#timer !== undefined) return;
    const timer = new AbortController();
    this.#timer = timer;
    this.#clock.sleep(this.#delay, timer.signal).then(() => {
      if (this.#timer === timer) this.flush();
    }, () => {});
  };

  /** Writes every waiting line now. */
  flush(): void {
    this.#timer?.abort();
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join("\n") + "\n";
    this.#lines = [];
    this.#bytes = 0;
    this.#write(text);
  }
}
