/**
 * Which directory keeps this user out of a path: the first one, from the
 * top, that may be looked at but not entered (no search permission, e.g. a
 * cache dir another user made with mode 700, as `sudo vc …` does). The
 * system names only the path it was asked about (`lstat '/c/.meta'`), and
 * taking that for the file at fault sent users to chmod a journal or to make
 * a cache dir "writable" when they could not even read it.
 *
 * Called only once an operation failed: one `lstat` per directory level.
 *
 * @module
 */
import { dirname } from "../path.ts";

/**
 * The directory on the way to `path` this user may not enter (its child's
 * `lstat` is refused), or `undefined` when every step can be looked at (the
 * refusal, if any, is of `path` itself: a file not writable or readable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closedDirOn } from "./closed_dir.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   // Nothing closed on the way to a file that is missing.
 *   assert.equal(closedDirOn(`${dir}/a/b`), undefined);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function closedDirOn(path: string): string | undefined {
  const chain: string[] = [];
  for (let p = path; dirname(p) !== p; p = dirname(p)) chain.unshift(p);
  for (const step of chain) {
    try {
      Deno.lstatSync(step);
    } catch (e) {
      return e instanceof Deno.errors.PermissionDenied ? dirname(step) : undefined;
    }
  }
  return undefined;
}
