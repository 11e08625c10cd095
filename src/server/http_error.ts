/**
 * The one error type the cache service turns into an HTTP error response:
 * `{"status": "error", "error": message}` with `status`; and JSON responses.
 *
 * @module
 */
import { VcError } from "../errors.ts";
import { inertJson } from "../printable.ts";

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
  /** What the log line says besides the message (never sent to the client). */
  readonly detail: string | undefined;
  /** Creates the error. */
  constructor(
    status: number,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string>; detail?: string },
  ) {
    super(message, options);
    this.status = status;
    this.headers = options?.headers ?? {};
    this.detail = options?.detail;
  }
}

/**
 * The 503 of a server that is shutting down (`Retry-After: 5`, `Connection:
 * close`): a request that came while it drains, or an upload it abandoned
 * when its drain was cut short (`cause`: why).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shuttingDown } from "./http_error.ts";
 * const e = shuttingDown();
 * assert(e.status === 503 && e.headers["retry-after"] === "5");
 * ```
 */
export function shuttingDown(options?: ErrorOptions): HttpError {
  return new HttpError(503, "the server is shutting down", {
    ...options,
    headers: { "retry-after": "5", connection: "close" },
  });
}

/**
 * Whether `error` is Deno's HTTP parser refusing a request past its head (a
 * chunk size not in hex): "invalid HTTP/1 request", as the body's stream
 * errors and, for a request no handler saw, its connection's server fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { malformedHttp } from "./http_error.ts";
 * assert(malformedHttp(new Deno.errors.Http("Error: invalid HTTP/1 request: Invalid")));
 * assert(!malformedHttp(new Deno.errors.Http("ConnectionReset: Connection reset by peer")));
 * ```
 */
export function malformedHttp(error: unknown): boolean {
  return error instanceof Error && /invalid HTTP\/1/i.test(error.message);
}

/**
 * The 400 of a request body whose reading failed (`cause`): one Deno's
 * HTTP parser refused (a chunk size not in hex) is said to be malformed,
 * what broke in the log (never the body's bytes), its connection closed;
 * any other failure is `cutOff` (the client left mid-body).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyReadFailed } from "./http_error.ts";
 * const bad = bodyReadFailed(new Error("invalid HTTP/1 request: Invalid"), "cut off");
 * assert(bad.status === 400 && /malformed/.test(bad.message));
 * assert(bodyReadFailed(new Error("reset"), "cut off").message === "cut off");
 * ```
 */
export function bodyReadFailed(cause: unknown, cutOff: string): HttpError {
  if (malformedHttp(cause)) {
    return new HttpError(
      400,
      "the request body is malformed (its chunked transfer coding is not valid HTTP/1.1)",
      { cause, detail: (cause as Error).message, headers: { connection: "close" } },
    );
  }
  return new HttpError(400, cutOff, { cause });
}

/**
 * The error of a 404 for a cache ID that holds no file for the caller
 * (unknown, expired, deleted, a placeholder, or not an ID at all), word for
 * word as the KBase file cache server sends it: its Python client
 * (`kbase_cache_client`) compares the error with this text to tell a missing
 * cache from other failures.
 */
export const CACHE_ID_NOT_FOUND = "Cache ID not found";

/**
 * The 404 for a cache ID with no file, `{"status": "error", "error": "Cache
 * ID not found"}`; `detail` (which ID, and why) goes to the log only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheIdNotFound } from "./http_error.ts";
 * const e = cacheIdNotFound("abc has expired");
 * assert(e.status === 404 && e.message === "Cache ID not found");
 * assert(e.detail === "cache abc has expired");
 * ```
 */
export function cacheIdNotFound(detail: string, options?: ErrorOptions): HttpError {
  return new HttpError(404, CACHE_ID_NOT_FOUND, { ...options, detail: `cache ${detail}` });
}

/**
 * The JSON error response for a status and message. A 401 names the scheme
 * the service takes (`WWW-Authenticate: Bearer`, which HTTP requires of a
 * 401): a bare token is taken too, as the KBase API sends it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse } from "./http_error.ts";
 * const res = errorResponse(400, "bad");
 * assert(res.status === 400);
 * assert.deepEqual(await res.json(), { status: "error", error: "bad" });
 * assert.match(errorResponse(401, "invalid token").headers.get("www-authenticate")!, /^Bearer /);
 * ```
 */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  // Typed: a project without exactOptionalPropertyTypes widens `{}` here to
  // `{ "www-authenticate"?: undefined }`, which no `Record<string, string>` takes.
  const challenge: Record<string, string> =
    status === 401 && !Object.keys(headers).some((h) => /^www-authenticate$/i.test(h))
      ? { "www-authenticate": 'Bearer realm="vc"' }
      : {};
  return jsonResponse({ status: "error", error: message }, {
    status,
    headers: { ...headers, ...challenge },
  });
}

const encoder = new TextEncoder();

/**
 * A JSON response with its `Content-Length` (where `Response.json` leaves
 * it to chunked encoding), so GET and HEAD of a JSON route send the same
 * headers and the size is known up front. Its text is inert on a terminal
 * (`curl` output, a client printing the error): an error that quotes what
 * the client sent has its C1 and bidirectional controls escaped, as JSON
 * escapes C0 ones.
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
  const bytes = encoder.encode(inertJson(body));
  return new Response(bytes, {
    status: init.status ?? 200,
    headers: {
      ...init.headers,
      "content-type": "application/json",
      "content-length": String(bytes.length),
    },
  });
}
