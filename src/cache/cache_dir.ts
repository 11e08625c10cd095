/**
 * The cache directory itself and the modes of what goes in it: created
 * private (0700), refused with a clear message when the path is a file, and
 * a `file://` source that others cannot read keeps that privacy in the cache.
 *
 * @module
 */
import { dirname, fromFileUrl as fileURLToPath } from "../path.ts";
import { InvalidInputError } from "../errors.ts";
import { shellWord } from "../shell_word.ts";

/**
 * Creates `dir` (0700, parents too) unless it exists; throws
 * `InvalidInputError` naming it when it is a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureCacheDir } from "./cache_dir.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   ensureCacheDir(`${root}/cache`);
 *   assert(((await Deno.stat(`${root}/cache`)).mode! & 0o777) === 0o700);
 *   await Deno.writeTextFile(`${root}/file`, "");
 *   assert.throws(() => ensureCacheDir(`${root}/file`), /not a directory/);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export function ensureCacheDir(dir: string): void {
  let stat: Deno.FileInfo | undefined;
  try {
    stat = Deno.statSync(dir);
  } catch (e) {
    // A file among its parents (`/ci/cache.tar/vc`): named, not left to
    // look like two keys colliding in the cache.
    if (e instanceof Deno.errors.NotADirectory) throw belowAFile(dir, e);
    if (e instanceof Deno.errors.FilesystemLoop) throw linkLoop(dir, e);
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (stat !== undefined && !stat.isDirectory) throw notADirectory(dir);
  if (stat !== undefined) return;
  // A link to where nothing is (an unmounted disk, a moved directory):
  // making a directory there would fail, or hide the mistake.
  let target: string | undefined;
  try {
    target = Deno.readLinkSync(dir);
  } catch {
    // Not a link: nothing is there.
  }
  if (target !== undefined) {
    throw new InvalidInputError(
      `the cache dir ${dir} is a symbolic link to ${target}, which does not exist; create it ` +
        `(or mount the disk it is on), or set the cacheDir option or VC_CACHE_DIR elsewhere`,
    );
  }
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * The warning for a cache dir every user may write to (mode `o+w`: made by
 * hand, or by another user before this one's first run, in `/tmp`), or
 * `undefined` for one only its owner or group may write to, one not there
 * yet (vc makes it 0700), and on Windows (where access is an ACL's, and the
 * mode Deno reports is made up). Whoever may write there can replace a copy
 * after it was verified, or make the directories a download goes into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openToEveryUser } from "./cache_dir.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(openToEveryUser(dir), undefined);
 *   if (Deno.build.os !== "windows") {
 *     await Deno.chmod(dir, 0o777);
 *     assert(openToEveryUser(dir)?.includes(`chmod o-w ${dir}`));
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openToEveryUser(dir: string): string | undefined {
  if (Deno.build.os === "windows") return undefined;
  let mode: number | null;
  try {
    mode = Deno.statSync(dir).mode;
  } catch {
    return undefined; // not there yet, or not a directory: the cache's own checks say so
  }
  if (mode === null || (mode & 0o002) === 0) return undefined;
  return `the cache dir ${dir} may be written by every user (mode ${
    (mode & 0o7777).toString(8).padStart(4, "0")
  }): any of them can replace a cached copy after vc verified it; run chmod o-w ${
    shellWord(dir)
  } ` +
    "(a cache several users share is made group-writable, not world-writable)";
}

/**
 * The error for a cache dir that is a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notADirectory } from "./cache_dir.ts";
 * assert(notADirectory("/x").message.includes("/x is not a directory"));
 * ```
 */
export function notADirectory(dir: string): InvalidInputError {
  return new InvalidInputError(
    `the cache dir ${dir} is not a directory (it is a file); set the cacheDir option or ` +
      `VC_CACHE_DIR to a directory`,
  );
}

/**
 * The cache dir's `stat`, or `undefined` when nothing is there (an empty
 * cache); throws `InvalidInputError` naming it when it is a file or below
 * one (`/ci/cache.tar/vc`), which is no empty cache but a mistake.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statCacheDir } from "./cache_dir.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   assert.equal(await statCacheDir(`${root}/none`), undefined);
 *   await Deno.writeTextFile(`${root}/file`, "");
 *   await assert.rejects(statCacheDir(`${root}/file/vc`), /is below .*file, which is a file/);
 *   await assert.rejects(statCacheDir(`${root}/file`), /not a directory/);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export async function statCacheDir(dir: string): Promise<Deno.FileInfo | undefined> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotADirectory) throw belowAFile(dir, e);
    if (e instanceof Deno.errors.FilesystemLoop) throw linkLoop(dir, e);
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (!stat.isDirectory) throw notADirectory(dir);
  return stat;
}

// The error for a cache dir whose path runs into a loop of symbolic links.
function linkLoop(dir: string, cause: unknown): InvalidInputError {
  return new InvalidInputError(
    `the cache dir ${dir} cannot be reached: symbolic links on its path loop; set the cacheDir option ` +
      `or VC_CACHE_DIR to a directory`,
    { cause },
  );
}

// The error for a cache dir below a file: the nearest parent that exists is named.
function belowAFile(dir: string, cause: unknown): InvalidInputError {
  for (let p = dirname(dir); p !== dirname(p); p = dirname(p)) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(p);
    } catch {
      continue; // below the file too, or gone: look further up
    }
    if (info.isDirectory) break;
    return new InvalidInputError(
      `the cache dir ${dir} is below ${p}, which is a file, not a directory; set the cacheDir option ` +
        `or VC_CACHE_DIR to a directory`,
      { cause },
    );
  }
  return new InvalidInputError(
    `the cache dir ${dir} cannot be made: a file is where a directory of its path belongs; ` +
      `set the cacheDir option or VC_CACHE_DIR to a directory`,
    { cause },
  );
}

/**
 * The mode for the cached copy of a `file://` source when the source is more
 * private than the usual 0644 (e.g. 0600); `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restrictiveMode } from "./cache_dir.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.chmod(p, 0o600);
 *   assert(restrictiveMode(`file://${p}`) === 0o600);
 *   await Deno.chmod(p, 0o644);
 *   assert(restrictiveMode(`file://${p}`) === undefined);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function restrictiveMode(uri: string): number | undefined {
  try {
    return restrictiveModeOf(Deno.statSync(fileURLToPath(uri)).mode);
  } catch {
    return undefined; // missing: the store reports it
  }
}

/**
 * {@linkcode restrictiveMode} of a source whose mode is known (`null` where
 * the platform has none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { restrictiveModeOf } from "./cache_dir.ts";
 * assert.equal(restrictiveModeOf(0o100640), 0o640);
 * assert.equal(restrictiveModeOf(0o100644), undefined);
 * ```
 */
export function restrictiveModeOf(mode: number | null): number | undefined {
  if (mode === null || (mode & 0o044) === 0o044) return undefined;
  return 0o600 | (mode & 0o044);
}
