/**
 * Telling a write refused by a read-only file system (EROFS: a volume
 * mounted `:ro`, a read-only checkout) from one refused by a mode: no chmod
 * and no other user makes it writable (root is refused as well), so the
 * advice is to remount it or write elsewhere.
 *
 * @module
 */

/**
 * Whether `e` is EROFS: a read-only mount (a CI volume mounted `:ro`, a
 * read-only checkout), which refuses root as well and no chmod makes writable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReadOnlyFs } from "./read_only_fs.ts";
 * assert(isReadOnlyFs(new Error("Read-only file system (os error 30): open '/x'")));
 * assert(!isReadOnlyFs(new Deno.errors.PermissionDenied("Permission denied (os error 13)")));
 * ```
 */
export function isReadOnlyFs(e: unknown): boolean {
  return /read-only file system/i.test((e as Error | undefined)?.message ?? "") ||
    (e as { code?: unknown } | undefined)?.code === "EROFS";
}
