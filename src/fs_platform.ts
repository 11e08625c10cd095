/**
 * The two file-system behaviours where Windows and macOS differ from Linux
 * in ways the cache must design around, as one module-level value so tests
 * on Linux can switch to the other platform's logic ({@linkcode withFsPlatform}).
 * Such tests prove vc's logic for that platform, not the platform's own
 * semantics (only Linux runs in CI).
 *
 * - `mandatoryLocks` (Windows): `FsFile.lock` is `LockFileEx` over the whole
 *   file, which is enforced on I/O: an exclusive lock denies reads and writes
 *   through every other handle (even the holder's own second handle), and a
 *   shared lock denies writes to everyone, the holder included. On Linux and
 *   macOS the lock is an advisory `flock` that I/O ignores.
 * - `caseInsensitive` (Windows, and macOS whose default APFS volume is
 *   case-insensitive): `A.csv` and `a.csv` name one file. The OS's default
 *   only: the cache's layout (`src/cache/layout.ts`) and a mirror ask their
 *   own directory's file system (`src/name_probe.ts`: Linux mounts
 *   case-insensitive ones, macOS and Windows case-sensitive ones) and fall
 *   back to this where it cannot tell.
 * - `windowsNames` (Windows): some names are no file names there (`a:b`,
 *   `CON`, `nul.txt`, a trailing dot or space); a mirror or `vc sync` refuses
 *   to write them (see `src/file_names.ts`).
 *
 * @module
 */

/** File-system behaviours that change how the cache locks and names files. */
export interface FsPlatform {
  /** Locks are enforced on reads and writes (Windows `LockFileEx`). */
  mandatoryLocks: boolean;
  /** File names that differ only in letter case (or Unicode form) name one file (the OS's default; see `src/name_probe.ts`). */
  caseInsensitive: boolean;
  /** File names follow Windows' rules: no `<>:"|?*`, device names or trailing dot or space. */
  windowsNames: boolean;
}

/**
 * The behaviours of the platform vc runs on (read when used, so tests may
 * change it through {@linkcode withFsPlatform}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fsPlatform } from "./fs_platform.ts";
 * assert.equal(fsPlatform.mandatoryLocks, Deno.build.os === "windows");
 * assert.equal(fsPlatform.windowsNames, Deno.build.os === "windows");
 * ```
 */
export const fsPlatform: FsPlatform = {
  mandatoryLocks: Deno.build.os === "windows",
  caseInsensitive: Deno.build.os === "windows" || Deno.build.os === "darwin",
  windowsNames: Deno.build.os === "windows",
};

/**
 * Runs `fn` with some of {@linkcode fsPlatform}'s values replaced, restoring
 * them afterwards (also when `fn` throws or its promise rejects). For tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fsPlatform, withFsPlatform } from "./fs_platform.ts";
 * const before = fsPlatform.caseInsensitive;
 * await withFsPlatform({ caseInsensitive: !before }, () => {
 *   assert.equal(fsPlatform.caseInsensitive, !before);
 * });
 * assert.equal(fsPlatform.caseInsensitive, before);
 * ```
 */
export async function withFsPlatform<T>(
  overrides: Partial<FsPlatform>,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = { ...fsPlatform };
  Object.assign(fsPlatform, overrides);
  try {
    return await fn();
  } finally {
    Object.assign(fsPlatform, saved);
  }
}

/**
 * A file's identity, `"<device>:<inode>"`, for telling whether two paths
 * name one file or directory; `undefined` where its inode cannot tell files
 * apart. On Windows Deno's `ino` is null on a file system that does not
 * answer its query for it (some network shares and file-system drivers), and
 * otherwise the NTFS file reference number, whose top 16 bits are the
 * record's sequence number: above 2^53 a JavaScript number loses its low
 * bits, and records side by side (a directory and the one made in it) read
 * as one. A caller with no identity compares where links lead instead, or
 * does without.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileIdentity } from "./fs_platform.ts";
 * assert.equal(fileIdentity({ dev: 7, ino: 42 }), "7:42");
 * assert.equal(fileIdentity({ dev: 7, ino: null }), undefined);
 * assert.equal(fileIdentity({ dev: 7, ino: 2 ** 54 }), undefined);
 * ```
 */
export function fileIdentity(info: { dev: number; ino: number | null }): string | undefined {
  const ino = info.ino;
  return ino === null || ino <= 0 || !Number.isSafeInteger(ino) ? undefined : `${info.dev}:${ino}`;
}
