/**
 * Calling a callback the caller passed, so that what it throws stops the
 * operation as a {@linkcode CallbackError} rather than failing one item.
 *
 * @module
 */
import { CallbackError } from "./errors.ts";

/**
 * Calls the caller's callback `fn` (the option `name`) with `args`; what it
 * throws becomes a {@linkcode CallbackError}, which the per-item error
 * handling passes on rather than counting it against the item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { callCallback } from "./callback.ts";
 * callCallback("onAction", undefined, 1); // no callback: nothing to call
 * const boom = new Error("boom");
 * const fail = (_n: number) => {
 *   throw boom;
 * };
 * assert.throws(() => callCallback("onAction", fail, 1), (e) => e instanceof CallbackError && e.cause === boom);
 * ```
 */
export function callCallback<A extends unknown[]>(
  name: string,
  fn: ((...args: A) => void) | undefined,
  ...args: A
): void {
  if (fn === undefined) return;
  try {
    fn(...args);
  } catch (error) {
    throw error instanceof CallbackError ? error : new CallbackError(name, error);
  }
}
