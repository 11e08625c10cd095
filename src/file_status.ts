/**
 * A path's status without following or throwing for a missing name: the
 * synchronous look the cache's warm path and the directory store share (a
 * module of its own so the warm `vc path` loads no store module for it).
 *
 * @module
 */

/**
 * The status of `path` (an `lstat`; a `stat`, following a link, with
 * `follow`), or `undefined` when it is missing (`NotFound`, or
 * `NotADirectory` for a path through a file); other errors are thrown.
 *
 * Synchronous, for one metadata look of a local name: an asynchronous one
 * costs Deno's main thread several times the look itself (the op's promise
 * and its hand-off to a blocking thread, which on a busy machine takes the
 * main thread's core). A missing path still costs Deno's error for it (~25
 * µs, with or without its stack: measured), the common case of a sidecar
 * look, as most objects have none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusOrUndefinedSync } from "./file_status.ts";
 * assert.equal(statusOrUndefinedSync("/nonexistent/x"), undefined);
 * assert.equal(statusOrUndefinedSync("/nonexistent/x", { follow: true }), undefined);
 * assert(statusOrUndefinedSync("/")?.isDirectory);
 * ```
 */
export function statusOrUndefinedSync(
  path: string,
  options: { follow?: boolean } = {},
): Deno.FileInfo | undefined {
  try {
    return options.follow ? Deno.statSync(path) : Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}
