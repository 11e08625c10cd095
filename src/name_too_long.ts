/**
 * Telling a path the system refuses for its length (ENAMETOOLONG: one name
 * past 255 bytes, or a whole path past 4096 on Linux, 1024 on macOS), for
 * the errors that name the input it was: Deno's own message names neither
 * the input nor which part is too long, and cuts no path at all for an
 * `open` of a lock file.
 *
 * @module
 */

/**
 * Whether `e` says a path was refused for its length (ENAMETOOLONG).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNameTooLong } from "./name_too_long.ts";
 * try {
 *   Deno.statSync(`/${"a".repeat(300)}`);
 * } catch (e) {
 *   assert(Deno.build.os === "windows" || isNameTooLong(e));
 * }
 * assert(!isNameTooLong(new Deno.errors.NotFound("No such file or directory (os error 2)")));
 * ```
 */
export function isNameTooLong(e: unknown): boolean {
  return (e as { code?: unknown } | undefined)?.code === "ENAMETOOLONG" ||
    /file name too long|os error 36\b/i.test((e as Error | undefined)?.message ?? "");
}

/**
 * How long `path` is, for a message saying it is too long: its UTF-8 bytes,
 * and its longest name's when that is the likely culprit (past 255 bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathLengths } from "./name_too_long.ts";
 * assert.equal(pathLengths(`/tmp/${"a".repeat(300)}`), "305 bytes, one name of them 300 bytes");
 * assert.equal(pathLengths("/tmp/x"), "6 bytes");
 * ```
 */
export function pathLengths(path: string): string {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  const longest = Math.max(0, ...path.split(/[\\/]/).map(bytes));
  return `${bytes(path)} bytes${longest > 255 ? `, one name of them ${longest} bytes` : ""}`;
}

/**
 * The reason to give for `path` refused for its length, after the input's
 * name: "is too long for this system (N bytes …; …)".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooLongReason } from "./name_too_long.ts";
 * assert.match(tooLongReason(`/${"a".repeat(300)}`), /^is too long for this system \(301 bytes/);
 * ```
 */
export function tooLongReason(path: string): string {
  return `is too long for this system (${pathLengths(path)}; a file system takes names of at ` +
    `most 255 bytes, and Linux paths of at most 4096, macOS ones of 1024)`;
}
