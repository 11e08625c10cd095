/**
 * Validators of {@linkcode FsStore}: a cheap token of one state of a file
 * (device, inode, size, mtime, ctime, from one `stat`), so a caller that
 * recorded the token with an ETag can tell later, without reading the
 * content, that the file is still in that state.
 *
 * Racy states ("racy git"): Deno gives mtime in milliseconds and ctime in
 * whole seconds, and filesystems round further (FAT: 2 s). A write that
 * keeps the size and lands within the same tick as the state a token was
 * taken from leaves every field as it was. So a token is handed out with an
 * ETag only for a file whose mtime and ctime were already more than
 * {@linkcode SETTLE_MS} (plus ctime's second) in the past when it was
 * statted: any later write then shows a later mtime, or a later ctime when
 * the mtime is forced back. A file changed more recently gets no token and
 * is hashed again next time.
 *
 * @module
 */

/**
 * How long after its last change a file's state is trusted as settled (ms);
 * also `vc mirror`'s default racy window.
 */
export const SETTLE_MS = 2000;
// Deno reports ctime truncated to the second: the change may be up to this later.
const CTIME_GRAIN_MS = 1000;

/**
 * True when a stat taken at `now` could equal the stat after a further edit
 * (timestamps have a granularity): the mtime is within `windowMs` of `now`,
 * or the ctime is (a second added to it, Deno's ctime being whole seconds).
 * The one rule of the store's validators and `vc mirror`'s state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRacy } from "./fs_validator.ts";
 * assert(isRacy({ mtimeMs: 1000, ctimeMs: 1000 }, 1500, 0));
 * assert(!isRacy({ mtimeMs: 1000, ctimeMs: 1000 }, 5000, 2000));
 * ```
 */
export function isRacy(
  stat: { mtimeMs: number; ctimeMs: number },
  now: number,
  windowMs: number = SETTLE_MS,
): boolean {
  const since = now - windowMs;
  return stat.mtimeMs >= since || stat.ctimeMs + CTIME_GRAIN_MS > since;
}

/**
 * The token of the file state `st` (equal tokens: same file, same state).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatorOf } from "./fs_validator.ts";
 * const p = await Deno.makeTempFile();
 * const st = await Deno.stat(p);
 * assert.equal(validatorOf(st), validatorOf(await Deno.stat(p)));
 * await Deno.remove(p);
 * ```
 */
export function validatorOf(st: Deno.FileInfo): string {
  return `fs1:${st.dev}:${st.ino}:${st.size}:${st.mtime?.getTime()}:${st.ctime?.getTime()}`;
}

/**
 * The token of `st` when that state can be trusted later: statted at
 * `statAt` (ms since the epoch), with mtime and ctime settled by then;
 * `undefined` for a racy state or a platform without mtime or ctime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settledValidator } from "./fs_validator.ts";
 * const p = await Deno.makeTempFile();
 * const st = await Deno.stat(p);
 * assert.equal(settledValidator(st, Date.now()), undefined); // just written
 * assert.equal(typeof settledValidator(st, Date.now() + 5000), "string");
 * await Deno.remove(p);
 * ```
 */
export function settledValidator(st: Deno.FileInfo, statAt: number): string | undefined {
  const mtime = st.mtime?.getTime();
  const ctime = st.ctime?.getTime();
  if (mtime === undefined || ctime === undefined || st.ino === null) return undefined;
  return isRacy({ mtimeMs: mtime, ctimeMs: ctime }, statAt) ? undefined : validatorOf(st);
}

/**
 * Whether `info`, an answer of a store with validators (`FsStore`: a `head`,
 * `get` or download of a `file://` object), may be of a file still being
 * written: the store gave no validator for it, and it was modified within
 * {@linkcode SETTLE_MS} of `now` (ms since the epoch). A file another program
 * (or machine) is copying into the directory looks like a finished one; a copy
 * of such a state is not to be vouched for until a TTL, only until the store
 * is asked again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayBeBeingWritten } from "./fs_validator.ts";
 * const lastModified = new Date(10_000);
 * assert(mayBeBeingWritten({ lastModified }, 10_500));
 * assert(!mayBeBeingWritten({ lastModified }, 60_000));
 * assert(!mayBeBeingWritten({ lastModified, validator: "fs1:1:2:3:4:5" }, 10_500));
 * ```
 */
export function mayBeBeingWritten(
  info: { validator?: string | undefined; lastModified: Date },
  now: number = Date.now(),
): boolean {
  return info.validator === undefined && now - info.lastModified.getTime() < SETTLE_MS;
}
