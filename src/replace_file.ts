/**
 * The rename that puts a finished temp file in place, replacing what is
 * there. On Linux and macOS it replaces a file others have open. On Windows
 * (Deno's rename: `FileRenameInfoEx` with POSIX semantics where the file
 * system has it, else `MoveFileEx`) it fails with "Access is denied (os
 * error 5)" or a sharing violation (os error 32) while another program holds
 * the destination open without delete sharing (an editor, a viewer, a
 * scanner), and always on file systems without POSIX renames (FAT, some
 * network shares). Such holds are usually brief, so there it retries for
 * about a second, then throws an error that names the file. It also refuses
 * to replace a file whose read-only attribute is set (a checkout of Perforce
 * or TFS, a copy of a read-only file), which no wait changes: that fails at
 * once, saying so, instead of blaming a program that has it open; so does
 * replacing a file this user may not write (another user's, an ACL), with
 * the system's error.
 *
 * @module
 */
import { fsPlatform } from "./fs_platform.ts";
import { seenSync } from "./file_status.ts";

/** Waits between attempts (ms): about a second in all, as the README promises. */
const RETRY_DELAYS_MS = [10, 20, 40, 80, 160, 320, 400];

/** A rename over an open file that Windows refuses, for now. */
function isHeldOpen(error: unknown): boolean {
  return error instanceof Deno.errors.PermissionDenied || isSharingViolation(error);
}

/**
 * Whether `error` is Windows refusing a file another program has open
 * without sharing it ("being used by another process", os error 32, or a
 * locked region, 33). Rust gives the code no error kind of its own, so Deno
 * throws a plain `Error` whose message carries it (or `Busy`). Unlike "Access
 * is denied" (os error 5), it never means the file or directory may not be
 * written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSharingViolation } from "./replace_file.ts";
 * assert(isSharingViolation(new Error("used by another process. (os error 32): remove 'C:\\x'")));
 * assert(!isSharingViolation(new Deno.errors.PermissionDenied("Access is denied. (os error 5)")));
 * ```
 */
export function isSharingViolation(error: unknown): boolean {
  return error instanceof Deno.errors.Busy ||
    /\(os error (32|33)\)/.test(String((error as Error | undefined)?.message));
}

function heldOpenError(from: string, to: string, error: unknown): Error {
  // Nothing at `to` to replace: the file held is the one renamed (a damaged
  // catalog's WAL file moved aside), named so.
  if (!seenSync(to)) {
    return new Deno.errors.PermissionDenied(
      `cannot move ${from} to ${to}: another program has it open (Windows refuses to rename ` +
        `an open file); close it and try again`,
      { cause: error },
    );
  }
  return new Deno.errors.PermissionDenied(
    `cannot replace ${to}: another program has it open (Windows refuses to replace an open ` +
      `file); close it and try again`,
    { cause: error },
  );
}

// The destination's read-only attribute, as Deno reports it on Windows: a
// mode of 0444 (0666 for a writable file). A mode that is null (older
// versions) or holds no bit at all says nothing.
function isReadOnly(path: string): boolean {
  try {
    const mode = Deno.lstatSync(path).mode;
    return mode !== null && (mode & 0o444) !== 0 && (mode & 0o200) === 0;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.lstatSync(path).isFile;
  } catch {
    return false;
  }
}

// Whether this user may open the regular file `path` to write (another
// program's hold, a sharing violation, counts as may: it passes).
function mayWrite(path: string): boolean {
  try {
    if (!Deno.lstatSync(path).isFile) return false;
    Deno.openSync(path, { write: true }).close();
    return true;
  } catch (error) {
    return isSharingViolation(error);
  }
}

function readOnlyError(to: string, error: unknown, verb = "replace"): Error {
  return new Deno.errors.PermissionDenied(
    `cannot ${verb} ${to}: it is read-only (Windows refuses to ${verb} a read-only file); ` +
      `clear its read-only attribute (attrib -r) or remove it, and try again`,
    { cause: error },
  );
}

/**
 * Throws `PermissionDenied` when `path` is an existing regular file this
 * process may not open for writing (its mode lacks our write permission:
 * `chmod a-w`, a Perforce checkout not opened for edit, the read-only
 * attribute on Windows; or another user's file). An atomic write renames a
 * new file over it, which the file's own permissions do not stop where the
 * directory may be written: a file its owner made read-only would be
 * replaced without a word. A caller writing a user's checked-in file asks
 * first. `what` names it in the message (`manifest /repo/m.json`). A
 * missing path, or anything but a regular file, is the caller's to judge.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseReadOnlyFile } from "./replace_file.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/m.json`, "{}");
 * assert.doesNotThrow(() => refuseReadOnlyFile(`${dir}/m.json`, "manifest"));
 * // Missing: the write creates it.
 * assert.doesNotThrow(() => refuseReadOnlyFile(`${dir}/none.json`, "manifest"));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function refuseReadOnlyFile(path: string, what: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return; // missing (the write creates it) or not reachable: the write says why
  }
  if (!info.isFile) return;
  try {
    // Opened without truncating or writing: only the permission is asked.
    Deno.openSync(path, { write: true }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) return;
    const bits = info.mode === null ? undefined : info.mode & 0o777;
    const mode = bits === undefined ? "" : ` (mode ${bits.toString(8).padStart(4, "0")})`;
    // No write bit for anyone: its owner protected it. Else another user's.
    const why = bits !== undefined && (bits & 0o222) === 0
      ? `it is read-only for this user${mode}`
      : `this user may not write it${mode}`;
    throw new Deno.errors.PermissionDenied(
      `cannot write ${what}: ${why}, and vc does not replace a file it may not write; make it ` +
        "writable for this user (chmod u+w; attrib -r on Windows; p4 edit in a Perforce " +
        "checkout) and run the command again",
      { cause: error },
    );
  }
}

/**
 * Removes the file `path` as `Deno.remove` does. Where a file another
 * program holds open cannot be removed (`fsPlatform.mandatoryLocks`, i.e.
 * Windows: a sharing violation, {@linkcode isSharingViolation}, or "Access
 * is denied" (os error 5) on a file this user may write: one another program
 * has memory-mapped, or marked for deletion), it retries for about a second
 * (with `wait: false`, not at all), then throws `Busy` naming the file and
 * saying to close it: the system's own words name no program and suggest no
 * remedy. Access denied on a read-only file fails at once saying so; on a
 * file this user may not write, it is the system's error. Elsewhere exactly
 * `Deno.remove`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeHeldFile } from "./replace_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "1");
 * await removeHeldFile(`${dir}/a.txt`);
 * await assert.rejects(() => removeHeldFile(`${dir}/a.txt`), Deno.errors.NotFound);
 * await Deno.remove(dir);
 * ```
 */
export async function removeHeldFile(
  path: string,
  options: { wait?: boolean } = {},
): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      return await Deno.remove(path);
    } catch (error) {
      if (!fsPlatform.mandatoryLocks) throw error;
      if (!isSharingViolation(error)) {
        if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
        // "Access is denied" (os error 5): a hold too (a memory-mapped
        // file, one marked for deletion by another handle) when this user
        // may write the file; else its read-only attribute, or a file this
        // user may not remove, which no wait changes.
        if (isReadOnly(path)) throw readOnlyError(path, error, "remove");
        if (!mayWrite(path)) throw error;
      }
      const wait = options.wait === false ? undefined : RETRY_DELAYS_MS[attempt];
      if (wait === undefined) {
        throw new Deno.errors.Busy(
          `cannot remove ${path}: another program has it open (Windows refuses to remove an ` +
            `open file); close it and try again`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Renames `from` over `to` (see the module doc): where files held open
 * cannot be replaced (`fsPlatform.mandatoryLocks`, i.e. Windows), retries
 * briefly, then throws `PermissionDenied` naming `to`. Elsewhere exactly
 * `Deno.renameSync`. Synchronous (it may block up to ~1 s on Windows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameOverSync } from "./replace_file.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/new`, "2");
 * Deno.writeTextFileSync(`${dir}/a.txt`, "1");
 * renameOverSync(`${dir}/new`, `${dir}/a.txt`);
 * assert.equal(Deno.readTextFileSync(`${dir}/a.txt`), "2");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function renameOverSync(from: string, to: string): void {
  for (let attempt = 0;; attempt++) {
    const wait = renameAttempt(from, to, attempt);
    if (wait === undefined) return;
    sleepSync(wait);
  }
}

/**
 * {@linkcode renameOverSync} that waits between attempts without blocking.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameOver } from "./replace_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/new`, "2");
 * await renameOver(`${dir}/new`, `${dir}/a.txt`);
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "2");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    const wait = renameAttempt(from, to, attempt);
    if (wait === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * One try of the rename (the `attempt`th): undefined when done, else the ms
 * to wait before the next try (a file held open where that prevents it).
 */
function renameAttempt(from: string, to: string, attempt: number): number | undefined {
  if (!fsPlatform.mandatoryLocks) {
    Deno.renameSync(from, to);
    return undefined;
  }
  try {
    Deno.renameSync(from, to);
    return undefined;
  } catch (error) {
    if (!isHeldOpen(error)) throw error;
    if (isReadOnly(to)) throw readOnlyError(to, error);
    // A file there this user may not write (another user's, an ACL): no
    // wait changes that. (None there: the source may be the one held, a
    // scanner reading the new file: waited for.)
    if (error instanceof Deno.errors.PermissionDenied && !mayWrite(to) && isFile(to)) throw error;
    if (attempt >= RETRY_DELAYS_MS.length) throw heldOpenError(from, to, error);
    return RETRY_DELAYS_MS[attempt]!;
  }
}
