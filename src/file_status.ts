/**
 * A path's status without following or throwing for a missing name: the one
 * "status or undefined" look of vc, synchronous (the cache's warm path, the
 * directory store, the sweeps of dead writers' temp files) or not (the
 * cache's maintenance, the directory store's listings). A module of its own
 * so the warm `vc path` loads no store module for it.
 *
 * Only "not there" is `undefined`: `NotFound`, and `NotADirectory` for a path
 * through a file. Any other failure (`EACCES`, `EIO`, a name too long, a
 * path Deno's permissions exclude) says nothing of whether the file is
 * there, so it is thrown: a sweep that took it for absent removed what the
 * file kept (a partial download whose resume note it could not look at).
 * A caller that must not fail on one file catches it and keeps that file.
 *
 * @module
 */
import { dirname } from "./path.ts";

/**
 * True for the errors that mean `path` is not there: `NotFound`, and
 * `NotADirectory` (a path through a regular file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMissing } from "./file_status.ts";
 * assert(isMissing(new Deno.errors.NotFound("x")));
 * assert(!isMissing(new Deno.errors.PermissionDenied("x")));
 * ```
 */
export function isMissing(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
}

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
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * Whether `lstat` of `path` succeeds, any failure read as "no": only for a
 * choice where a wrong "no" costs nothing (the words of an error already
 * being raised, a migration that an unreadable file skips), not for one
 * that removes or keeps a file, where {@linkcode statusOrUndefinedSync}
 * throws what says nothing of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seenSync } from "./file_status.ts";
 * assert.equal(seenSync("/nonexistent/vc-example"), false);
 * assert.equal(seenSync("/"), true);
 * ```
 */
export function seenSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `Deno.lstat`, or `undefined` when the path is missing (see
 * {@linkcode isMissing}); other errors are thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lstatOrUndefined } from "./file_status.ts";
 * assert.equal(await lstatOrUndefined("/nonexistent/vc-example"), undefined);
 * ```
 */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  return await unlessMissing(Deno.lstat(path));
}

/**
 * `Deno.stat` (following a link), or `undefined` when the path or the link's
 * target is missing (see {@linkcode isMissing}); other errors are thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statOrUndefined } from "./file_status.ts";
 * assert.equal(await statOrUndefined("/nonexistent/vc-example"), undefined);
 * ```
 */
export async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  return await unlessMissing(Deno.stat(path));
}

async function unlessMissing(look: Promise<Deno.FileInfo>): Promise<Deno.FileInfo | undefined> {
  try {
    return await look;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * The nearest existing path above `path` (links followed), when it is not a
 * directory: the file that makes creating `path` fail with "Not a
 * directory" (ENOTDIR), which the system's error never names. `undefined`
 * when the nearest existing one is a directory, or cannot be looked at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileAbove } from "./file_status.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/f`, "in the way");
 *   assert.equal(fileAbove(`${dir}/f/a/b.csv`), `${dir}/f`);
 *   assert.equal(fileAbove(`${dir}/d/b.csv`), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fileAbove(path: string): string | undefined {
  for (let at = dirname(path); at !== dirname(at); at = dirname(at)) {
    let info: Deno.FileInfo | undefined;
    try {
      info = statusOrUndefinedSync(at, { follow: true });
    } catch {
      return undefined; // not known to be the one in the way
    }
    if (info !== undefined) return info.isDirectory ? undefined : at;
  }
  return undefined;
}

/**
 * Why `path` could not be made or read when the system's `error` was that of
 * a file in the way (a mkdir's "File exists" on it, an open's "Not a
 * directory" through it): `a file is where one of its directories belongs:
 * F`, naming the file the system's message never names; `undefined` for any
 * other error, or when no file above is found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileInTheWay } from "./file_status.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/f`, "in the way");
 *   const error = await Deno.mkdir(`${dir}/f/a`, { recursive: true }).catch((e) => e);
 *   assert.equal(
 *     fileInTheWay(`${dir}/f/a/b.sqlite`, error),
 *     `a file is where one of its directories belongs: ${dir}/f`,
 *   );
 *   assert.equal(fileInTheWay(`${dir}/f/a/b.sqlite`, new Deno.errors.PermissionDenied()), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function fileInTheWay(path: string, error: unknown): string | undefined {
  if (!(error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory)) {
    return undefined;
  }
  const file = fileAbove(path);
  return file === undefined ? undefined : `a file is where one of its directories belongs: ${file}`;
}
