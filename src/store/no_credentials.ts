/**
 * The error of a store that has no usable credentials (none found, or keys
 * that cannot sign), told apart from a refusal of one request: it is the same
 * for every request of that store, so a caller over many items (prefill)
 * says it once and does not try the others.
 *
 * @module
 */
import { AccessDeniedError } from "../errors.ts";

// The errors made by `noCredentialsError`: a mark, not a class, so the kind a
// script sees (`AccessDeniedError`) and the exported classes stay as they are.
const marked = new WeakSet<Error>();

/**
 * An `AccessDeniedError` saying the store has no usable credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNoCredentials, noCredentialsError } from "./no_credentials.ts";
 * assert(isNoCredentials(noCredentialsError("no usable AWS credentials")));
 * assert(!isNoCredentials(new Error("no usable AWS credentials")));
 * ```
 */
export function noCredentialsError(message: string, options?: ErrorOptions): AccessDeniedError {
  const error = new AccessDeniedError(message, options);
  marked.add(error);
  return error;
}

/** Whether `error` or one of its causes is a {@linkcode noCredentialsError}. */
export function isNoCredentials(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    if (marked.has(e)) return true;
    e = e.cause;
  }
  return false;
}
