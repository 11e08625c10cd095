/**
 * Calling a callback the caller passed, so that what it throws stops the
 * operation as a {@linkcode CallbackError} rather than failing one item.
 *
 * @module
 */
import { CallbackError } from "./errors.ts";

/**
 * Calls the caller's callback `fn` (the option `name`) with `arg`; what it
 * throws becomes a {@linkcode CallbackError}, which the per-item error
 * handling passes on rather than counting it against the item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { callCallback } from "./callback.ts";
 * callCallback("onAction", undefined, 1); // no callback: nothing to call
 * assert.throws(() => callCallback("onAction", () => { throw new Error("x"); }, 1), CallbackError);
 * ```
 */
export function callCallback<A>(name: string, fn: ((arg: A) => void) | undefined, arg: A): void {
  if (fn === undefined) return;
  try {
    fn(arg);
  } catch (error) {
    throw error instanceof CallbackError ? error : new CallbackError(name, error);
  }
}
