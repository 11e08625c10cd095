/**
 * Telling a write that failed for want of space on its device, for the
 * errors that name the directory to free or move (the cache dir, TMPDIR).
 *
 * @module
 */

import { tempPathFor } from "./atomic_write.ts";

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

/**
 * The room SQLite's WAL index (`-shm`) takes beside a database in WAL mode
 * (bytes): made at the first open, even to read, so a disk without it
 * refuses the open (SQLite says only `disk I/O error`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SQLITE_WAL_INDEX_BYTES } from "./no_space.ts";
 * assert.equal(SQLITE_WAL_INDEX_BYTES, 32768);
 * ```
 */
export const SQLITE_WAL_INDEX_BYTES: number = 32 * 1024;

/**
 * Writes `bytes` zero bytes to `file` at its position; a write the device
 * has no room for throws (ENOSPC), and one that stores nothing throws
 * `Deno.errors.WriteZero`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeZerosSync } from "./no_space.ts";
 * const path = await Deno.makeTempFile();
 * try {
 *   using file = await Deno.open(path, { write: true });
 *   writeZerosSync(file, 100_000);
 *   assert.equal((await Deno.stat(path)).size, 100_000);
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export function writeZerosSync(file: Deno.FsFile, bytes: number): void {
  const zeros = new Uint8Array(Math.min(bytes, 64 * 1024));
  for (let left = bytes; left > 0;) {
    const n = file.writeSync(zeros.subarray(0, Math.min(left, zeros.length)));
    if (n === 0) throw new Deno.errors.WriteZero(`short write of ${left} zero bytes (disk full?)`);
    left -= n;
  }
}

/**
 * Creates a temp file of `bytes` zero bytes beside `path` and removes it:
 * the error that met (`Deno.errors.WriteZero` when a write stored nothing),
 * else `undefined`. Asked after SQLite failed, to say why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeBeside } from "./no_space.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(probeBeside(`${dir}/db.sqlite`, 1024), undefined);
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 *   assert(probeBeside(`${dir}/missing/db.sqlite`, 0) instanceof Deno.errors.NotFound);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function probeBeside(path: string, bytes: number): unknown {
  const probe = tempPathFor(path);
  try {
    using file = Deno.openSync(probe, { write: true, createNew: true });
    writeZerosSync(file, bytes);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    try {
      Deno.removeSync(probe);
    } catch {
      // Never made.
    }
  }
}

/**
 * Whether a file of `bytes` bytes beside `path` finds no room on its device
 * ({@linkcode probeBeside}): the disk of a database SQLite could not open
 * or write (with {@linkcode SQLITE_WAL_INDEX_BYTES}) is full.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noRoomBeside } from "./no_space.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert(!noRoomBeside(`${dir}/db.sqlite`, 32 * 1024));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function noRoomBeside(path: string, bytes: number): boolean {
  return isNoSpaceError(probeBeside(path, bytes));
}

/**
 * Whether SQLite's failure on the database at `path` (its message `text`)
 * comes of a full disk: SQLite says `database or disk is full`, or, when
 * it cannot make room for its WAL index (`-shm`) even to read, only `disk
 * I/O error`; a probe beside the file ({@linkcode noRoomBeside}) tells.
 * The one test the repository's catalog and the mirror's state share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqliteOutOfRoom } from "./no_space.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   // Room beside it: not a full disk, whatever SQLite said.
 *   assert(!sqliteOutOfRoom("disk I/O error", `${dir}/db.sqlite`));
 *   assert(!sqliteOutOfRoom("no such table: files", `${dir}/db.sqlite`));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function sqliteOutOfRoom(text: string, path: string): boolean {
  return /SQLITE_FULL|disk is full|no space left|SQLITE_IOERR|disk I\/O error/i.test(text) &&
    noRoomBeside(path, SQLITE_WAL_INDEX_BYTES);
}
