/**
 * The one error type the cache service turns into an HTTP error response:
 * `{"status": "error", "error": message}` with `status`; and JSON responses.
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
  return jsonResponse({ status: "error", error: message }, { status, headers });
}

const encoder = new TextEncoder();

/**
 * A JSON response with its `Content-Length` (where `Response.json` leaves
 * it to chunked encoding), so GET and HEAD of a JSON route send the same
 * headers and the size is known up front.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonResponse } from "./http_error.ts";
 * const res = jsonResponse({ status: "ok" });
 * assert.equal(res.headers.get("content-length"), "15");
 * assert.equal(res.headers.get("content-type"), "application/json");
 * ```
 */
export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  const bytes = encoder.encode(JSON.stringify(body));
  return new Response(bytes, {
    status: init.status ?? 200,
    headers: {
      ...init.headers,
      "content-type": "application/json",
      "content-length": String(bytes.length),
    },
  });
}
