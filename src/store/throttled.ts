/**
 * The errors of a store that asked to slow down (503 SlowDown, 429, a
 * throttling code): a caller over many requests of that store (prefill)
 * pauses them as a whole, rather than each request backing off on its own
 * and the next ones starting at full speed.
 *
 * @module
 */
import { findCause } from "../causes.ts";

// A mark, not a class: the kind a script sees (`StoreError`) stays as it is.
const marked = new WeakSet<object>();

/**
 * Marks `error` as a store's answer asking to slow down, and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isThrottled, throttledError } from "./throttled.ts";
 * const e = throttledError(new Error("503 SlowDown"));
 * assert(isThrottled(new Error("GET s3://b/k failed", { cause: e })));
 * assert(!isThrottled(new Error("503 SlowDown")));
 * ```
 */
export function throttledError<E extends object>(error: E): E {
  marked.add(error);
  return error;
}

/** Whether `error` or one of its causes is a store's answer asking to slow down. */
export function isThrottled(error: unknown): boolean {
  return findCause(error, (e) => e instanceof Object && marked.has(e)) !== undefined;
}
