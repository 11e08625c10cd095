/**
 * The one error type the cache service turns into an HTTP error response:
 * `{"status": "error", "error": message}` with `status`.
 *
 * @module
 */
import { VcError } from "../errors.ts";

/**
 * A request failed in a way the client should hear about, with its HTTP status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError } from "./http_error.ts";
 * const e = new HttpError(404, "no such cache");
 * assert(e.status === 404 && e.message === "no such cache");
 * ```
 */
export class HttpError extends VcError {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Extra response headers (e.g. `Allow` for 405). */
  readonly headers: Record<string, string>;
  /** Creates the error. */
  constructor(
    status: number,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(message, options);
    this.status = status;
    this.headers = options?.headers ?? {};
  }
}

/**
 * The JSON error response for a status and message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse } from "./http_error.ts";
 * const res = errorResponse(400, "bad");
 * assert(res.status === 400);
 * assert.deepEqual(await res.json(), { status: "error", error: "bad" });
 * ```
 */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ status: "error", error: message }, { status, headers });
}
