/**
 * Private scratch directories in `TMPDIR` (standard input spooled for an
 * upload, `vc lock`'s downloads) that outlive no killed process for good.
 * Each holds a lock on a file inside it for as long as it is in use; making
 * one removes the others of its kind that nobody holds: their process was
 * killed (`kill -9`, a lost terminal), and nothing else ever removes them,
 * whole downloads or a whole standard input as they may be.
 *
 * @module
 */
import { UNLOCKED_TEMP_GRACE_MS, whileUnlocked } from "./abandoned_temp.ts";
import { AccessDeniedError, VcError } from "./errors.ts";
import { envGranted, readGranted } from "./permission_granted.ts";
import { isNoSpaceError } from "./no_space.ts";
import { fsPlatform } from "./fs_platform.ts";

/** The file in a scratch directory its process holds locked while it uses it. */
const IN_USE = ".vc-in-use";

/** A scratch directory; disposing of it removes it with all it holds. */
export interface ScratchDir extends AsyncDisposable {
  /** The directory's path. */
  readonly path: string;
}

/**
 * A new private directory in `TMPDIR` named `<prefix><random>`, after the
 * removal of those with the same prefix that killed processes left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeScratchDir } from "./scratch_dir.ts";
 * let path: string;
 * {
 *   await using scratch = await makeScratchDir("vc-example-");
 *   path = scratch.path;
 *   await Deno.writeTextFile(`${path}/a`, "a");
 * }
 * assert(await Deno.stat(path).then(() => false, () => true)); // removed
 * ```
 */
export async function makeScratchDir(prefix: string): Promise<ScratchDir> {
  const path = await Deno.makeTempDir({ prefix }).catch((error) => {
    throw tempDirError(error);
  });
  removeAbandonedScratchDirs(path, prefix);
  let held: Deno.FsFile | undefined;
  const remove = async () => {
    held?.close();
    held = undefined;
    await Deno.remove(path, { recursive: true }).catch(() => {});
  };
  try {
    held = await Deno.open(`${path}/${IN_USE}`, { write: true, createNew: true, mode: 0o600 });
  } catch (error) {
    await remove();
    throw error;
  }
  // Where locks are mandatory (Windows) none is taken, and no directory is
  // swept (see below). On a file system without locks a sweeper fails to
  // lock it too, and leaves the directory alone.
  if (!fsPlatform.mandatoryLocks) {
    try {
      held.tryLockSync(true);
    } catch {
      // No locks here.
    }
  }
  return { path, [Symbol.asyncDispose]: remove };
}

/**
 * `error` named as a full scratch directory when it says there is no space
 * left (the bare OS error named neither the file nor TMPDIR, the cure):
 * `what` failed writing `path`. Other errors are returned unchanged. The
 * variable named is the one Deno reads on `os` (default this platform):
 * `TMP` on Windows, where a `TMPDIR` set as told changed nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scratchSpaceError } from "./scratch_dir.ts";
 * const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const e = scratchSpaceError(full, "the download of s3://b/k", "/tmp/vc-lock-x/0", "linux") as Error;
 * assert.match(e.message, /the download of s3:\/\/b\/k failed: no space left .*TMPDIR/);
 * const w = scratchSpaceError(full, "the download of s3://b/k", "C:\\T\\0", "windows") as Error;
 * assert.match(w.message, /a temp file in TMP: set TMP to/);
 * ```
 */
export function scratchSpaceError(
  error: unknown,
  what: string,
  path: string,
  os: typeof Deno.build.os = Deno.build.os,
): unknown {
  if (!isNoSpaceError(error)) return error;
  const variable = tempDirVariable(os);
  return new VcError(
    `${what} failed: no space left on the device of ${path} (${(error as Error).message}); ` +
      `it is a temp file in ${variable}: set ${variable} to a directory with room for it`,
    { cause: error },
  );
}

// The variable naming the directory Deno makes temp directories in on `os`
// (Windows' GetTempPath reads TMP first).
function tempDirVariable(os: typeof Deno.build.os): string {
  return os === "windows" ? "TMP" : "TMPDIR";
}

// A temp directory that could not be made: its OS error named neither the
// directory nor TMPDIR ("No such file or directory (os error 2): tmpdir"
// for a TMPDIR that does not exist), which a backup or a restore now needs.
function tempDirError(error: unknown): unknown {
  if (error instanceof Deno.errors.NotCapable) return tempDirNotAllowed(error);
  if (!(error instanceof Error)) return error;
  const where = tempDirName();
  if (isNoSpaceError(error)) return scratchSpaceError(error, "a temp directory", where);
  return new VcError(
    `cannot make a temp directory in ${where}: ${error.message}; set ${
      where.split(" ")[0]
    } to a directory that exists and that this user may write`,
    { cause: error },
  );
}

// A temp directory this run may not make: Deno's denial named the directory
// `<TMP>` and the flag without it ("run again with the --allow-write flag").
function tempDirNotAllowed(error: Deno.errors.NotCapable): AccessDeniedError {
  const variable = tempDirVariable(Deno.build.os);
  const dir = envGranted(variable) ? Deno.env.get(variable) || defaultTempDir() : undefined;
  const flags = dir === undefined
    ? `--allow-read=DIR --allow-write=DIR for the temp directory (${variable}${
      defaultTempDir() === undefined ? "" : `, else ${defaultTempDir()}`
    })`
    : `--allow-read=${dir} --allow-write=${dir}`;
  return new AccessDeniedError(
    `cannot make a temp directory in ${tempDirName()}: this run may not write there ` +
      `(${error.message}); run with ${flags}, or set ${variable} to a directory it may write`,
    { cause: error },
  );
}

// Where Deno makes temp directories when the variable is unset: /tmp on
// Linux and the BSDs. None is named on Windows (no fixed one) nor on macOS,
// where newer Rust (Deno's std::env::temp_dir) asks the system for the
// user's own temp directory under /var/folders: naming /tmp could send the
// user to a directory that is not the one denied.
function defaultTempDir(): string | undefined {
  return Deno.build.os === "windows" || Deno.build.os === "darwin" ? undefined : "/tmp";
}

// The variable naming the directory Deno makes temp directories in, with its
// value where this process may read it (vc's own permissions do not
// include it: Deno reads it without asking).
function tempDirName(): string {
  const name = tempDirVariable(Deno.build.os);
  try {
    // Asked first: a library user's narrower permissions get no prompt here.
    const value = envGranted(name) ? Deno.env.get(name) : undefined;
    if (value) return `${name} (${value})`;
  } catch {
    // Not permitted to read it.
  }
  return name;
}

/**
 * Removes the directories beside `own` named `prefix…` whose in-use file
 * nobody holds locked and that are older than the moment between its
 * creation and its lock, and the empty ones with no in-use file older than
 * that moment (a process killed between making its directory and creating
 * the file). Best effort: another user's, or one that cannot be looked at,
 * stays; so do directories of versions before the in-use file (they are not
 * empty).
 */
function removeAbandonedScratchDirs(own: string, prefix: string): void {
  if (fsPlatform.mandatoryLocks) return;
  const parent = own.slice(0, Math.max(own.lastIndexOf("/"), own.lastIndexOf("\\")));
  let names: string[];
  // Asked first: a run that may not read the temp directory itself (only
  // its own scratch directory) was prompted for it on a terminal.
  if (!readGranted(parent || "/")) return;
  try {
    names = [...Deno.readDirSync(parent || "/")]
      .filter((e) => e.isDirectory && e.name.startsWith(prefix))
      .map((e) => e.name);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const dir = `${parent}/${name}`;
    if (dir === own) continue;
    try {
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(`${dir}/${IN_USE}`);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) removeIfEmptyAndOld(dir, now);
        continue;
      }
      if (!info.isFile || now - (info.mtime?.getTime() ?? now) <= UNLOCKED_TEMP_GRACE_MS) continue;
      if (whileUnlocked(`${dir}/${IN_USE}`, false, () => true)) {
        Deno.removeSync(dir, { recursive: true });
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

// Removes `dir` when it is empty and was last changed more than the grace
// before `now` (a process that made it and was killed before it created its
// in-use file, which it does at once). A non-recursive remove fails on a
// directory that is not empty, so one filled meanwhile stays.
function removeIfEmptyAndOld(dir: string, now: number): void {
  try {
    const info = Deno.lstatSync(dir);
    if (!info.isDirectory || now - (info.mtime?.getTime() ?? now) <= UNLOCKED_TEMP_GRACE_MS) return;
    Deno.removeSync(dir);
  } catch {
    // Not empty, gone already, or not ours to remove.
  }
}
