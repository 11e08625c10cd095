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
 * once, saying so, instead of blaming a program that has it open.
 *
 * @module
 */
import { fsPlatform } from "./fs_platform.ts";

/** Waits between attempts (ms): about a second in all, as the README promises. */
const RETRY_DELAYS_MS = [10, 20, 40, 80, 160, 320, 400];

/** A rename over an open file that Windows refuses, for now. */
function isHeldOpen(error: unknown): boolean {
  return error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.Busy ||
    /\(os error (5|32|33)\)/.test(String((error as Error | undefined)?.message));
}

function heldOpenError(to: string, error: unknown): Error {
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

function readOnlyError(to: string, error: unknown): Error {
  return new Deno.errors.PermissionDenied(
    `cannot replace ${to}: it is read-only (Windows refuses to replace a read-only file); ` +
      `clear its read-only attribute (attrib -r) or remove it, and try again`,
    { cause: error },
  );
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
    if (attempt >= RETRY_DELAYS_MS.length) throw heldOpenError(to, error);
    return RETRY_DELAYS_MS[attempt]!;
  }
}
