/**
 * The one walk down an error's `cause` chain: the error, then each `cause`
 * an `Error` holds, bounded so a cycle (`a.cause = a`) or a runaway chain
 * always ends. Every "is this error, or what it wraps, a …?" question asks
 * it rather than looping on `.cause` itself.
 *
 * @module
 */

/** How many links of a cause chain are looked at, the error itself included. */
export const MAX_CAUSE_DEPTH = 8;

/**
 * `error`, then its causes, outermost first: at most
 * {@linkcode MAX_CAUSE_DEPTH} values. The walk follows `cause` only from an
 * `Error`, so a value that is not one (a string thrown, a plain object) is
 * the last; it ends at an `undefined` cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { causes } from "./causes.ts";
 * const e = new Error("outer", { cause: new Error("inner", { cause: "root" }) });
 * assert.deepEqual([...causes(e)].map((c) => c instanceof Error ? c.message : c), [
 *   "outer",
 *   "inner",
 *   "root",
 * ]);
 * const loop = new Error("loop");
 * loop.cause = loop;
 * assert.equal([...causes(loop)].length, 8);
 * ```
 */
export function* causes(error: unknown): Generator<unknown, void, undefined> {
  for (let e = error, depth = 0; e !== undefined && depth < MAX_CAUSE_DEPTH; depth++) {
    yield e;
    e = e instanceof Error ? e.cause : undefined;
  }
}

/**
 * The first of `error` and its {@linkcode causes} that passes `test`, if one does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCause } from "./causes.ts";
 * const inner = new RangeError("too big");
 * const found = findCause(new Error("wrapped", { cause: inner }), (e) => e instanceof RangeError);
 * assert.equal(found, inner);
 * assert.equal(findCause(new Error("alone"), (e) => e instanceof RangeError), undefined);
 * ```
 */
export function findCause<T>(error: unknown, test: (e: unknown) => e is T): T | undefined;
/** The first of `error` and its causes that passes `test`, if one does. */
export function findCause(error: unknown, test: (e: unknown) => boolean): unknown;
export function findCause(error: unknown, test: (e: unknown) => boolean): unknown {
  for (const e of causes(error)) if (test(e)) return e;
  return undefined;
}

/**
 * Whether `error` or one of its {@linkcode causes} that is an `Error` passes
 * `test` (a value that is not an `Error` is never tested).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasCause } from "./causes.ts";
 * const e = new Error("GET failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) });
 * assert(hasCause(e, (c) => (c as { code?: unknown }).code === "ECONNRESET"));
 * assert(!hasCause("ECONNRESET", () => true));
 * ```
 */
export function hasCause(error: unknown, test: (e: Error) => boolean): boolean {
  for (const e of causes(error)) if (e instanceof Error && test(e)) return true;
  return false;
}
