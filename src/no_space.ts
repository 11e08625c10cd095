/**
 * Telling a write that failed for want of space on its device, for the
 * errors that name the directory to free or move (the cache dir, TMPDIR).
 *
 * @module
 */

/**
 * Whether `e` says a write failed for want of space on the device: ENOSPC,
 * or a journal append cut short by it (`WriteZero`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNoSpaceError } from "./no_space.ts";
 * assert(isNoSpaceError(new Error("No space left on device (os error 28)")));
 * assert(isNoSpaceError(new Deno.errors.WriteZero("short write to j (disk full?)")));
 * assert(!isNoSpaceError(new Error("Read-only file system (os error 30)")));
 * ```
 */
export function isNoSpaceError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === "ENOSPC" || e instanceof Deno.errors.WriteZero ||
    /no space left on device|os error 28\b/i.test((e as Error | undefined)?.message ?? "");
}
