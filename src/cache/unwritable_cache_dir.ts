/**
 * The error of an item that could not be cached because the cache dir cannot
 * be written (a read-only mount, a directory of another user, a script not
 * given write access): it is the same for the items after it, so a caller
 * over many items (prefill) says it once and does not download the others
 * only to fail them alike. So is one this user may not enter (a CI cache
 * vc made with mode 700, restored as another user).
 *
 * @module
 */
import { findCause } from "../causes.ts";
import { closedDirOn } from "./closed_dir.ts";
import { META_DIR } from "./layout.ts";

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

/** A cache dir found unusable by an error, and how it is so (`cannot be written`). */
export interface UnusableCacheDir {
  /** The cache dir. */
  cacheDir: string;
  /** What keeps it from use, as words after its name: `cannot be written`, `cannot be entered`. */
  how: "cannot be written" | "cannot be entered";
}

/**
 * The cache dir `error` says cannot be used for any entry: one it marks as
 * not writable ({@linkcode unwritableCacheDir}), or `cacheDir` when `error`
 * is a refusal of access and this user may not enter the cache dir (a CI
 * cache vc made with mode 700, restored as another user: every entry's
 * records are refused alike). Called only once an item failed: a refusal
 * costs one `lstat` per directory level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unusableCacheDir, unwritableCacheDirError } from "./unwritable_cache_dir.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   const e = unwritableCacheDirError(new Error("cannot write to the cache dir"), dir);
 *   assert.deepEqual(unusableCacheDir(e, dir), { cacheDir: dir, how: "cannot be written" });
 *   // A refusal of one file, in a cache dir that may be entered, is that file's.
 *   const refused = new Deno.errors.PermissionDenied("Permission denied");
 *   assert.equal(unusableCacheDir(refused, dir), undefined);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function unusableCacheDir(error: unknown, cacheDir: string): UnusableCacheDir | undefined {
  const unwritable = unwritableCacheDir(error);
  if (unwritable !== undefined) return { cacheDir: unwritable, how: "cannot be written" };
  const refused = findCause(error, (e) => e instanceof Deno.errors.PermissionDenied);
  // The records tree is the first thing an entry's lookup enters.
  if (
    refused !== undefined &&
    closedDirOn(`${cacheDir.replace(/[\\/]+$/, "")}/${META_DIR}`) !== undefined
  ) {
    return { cacheDir, how: "cannot be entered" };
  }
  return undefined;
}
