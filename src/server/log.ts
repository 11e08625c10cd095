/**
 * One JSON line per request: method, route template, status, bytes in and
 * out, duration, request id and identity name. The token and the
 * Authorization header are never logged.
 *
 * @module
 */

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
  /** Response body bytes sent. */
  bytes_out: number;
  /** Duration in milliseconds, to the end of the response body. */
  ms: number;
  /** Identity name, when the caller authenticated. */
  identity?: string;
  /** Error message for failed requests (details for 500s stay in this log). */
  error?: string;
  /** Whether the client went away before the response body was sent. */
  aborted?: boolean;
}

/**
 * Formats a record as one line of JSON.
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
  return JSON.stringify(record);
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
