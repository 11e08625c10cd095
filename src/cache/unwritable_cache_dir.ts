/**
 * The error of an item that could not be cached because the cache dir cannot
 * be written (a read-only mount, a directory of another user, a script not
 * given write access): it is the same for the items after it, so a caller
 * over many items (prefill) says it once and does not download the others
 * only to fail them alike.
 *
 * @module
 */
import { findCause } from "../causes.ts";

// The errors so made, with their cache dir: a mark, not a class, so the kind
// a script sees (`AccessDeniedError`, `VcError`) stays as it is.
const marked = new WeakMap<Error, string>();

/**
 * Marks `error` as saying that `cacheDir` cannot be written, and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unwritableCacheDir, unwritableCacheDirError } from "./unwritable_cache_dir.ts";
 * const e = unwritableCacheDirError(new Error("cannot write to the cache dir /c"), "/c");
 * assert(unwritableCacheDir(new Error("wrapped", { cause: e })) === "/c");
 * assert(unwritableCacheDir(new Error("cannot write to the cache dir /c")) === undefined);
 * ```
 */
export function unwritableCacheDirError<E extends Error>(error: E, cacheDir: string): E {
  marked.set(error, cacheDir);
  return error;
}

/** The cache dir `error` (or one of its causes) says cannot be written, if it says so. */
export function unwritableCacheDir(error: unknown): string | undefined {
  const found = findCause(error, (e) => e instanceof Error && marked.has(e));
  return found === undefined ? undefined : marked.get(found as Error);
}
