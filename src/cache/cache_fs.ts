/**
 * Small filesystem helpers of the cache's maintenance: a walk that never
 * follows links, removals that tolerate what is already gone, and stats
 * that return `undefined` for what does not exist.
 *
 * @module
 */
import { join, parentsBelow, resolve, sep } from "../path.ts";
import { readDirEntries } from "../read_dir.ts";
import { LOCKS_DIR, META_DIR } from "./layout.ts";
import { isPermissionError } from "./cache_errors.ts";
import { removeHeldFile } from "../replace_file.ts";

/**
 * Paths of the regular files under `dir`; links are neither followed nor
 * yielded. With `topLevel`, only the entries of `dir` itself it accepts are
 * looked at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walkFiles } from "./cache_fs.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "");
 *   assert.deepEqual(await Array.fromAsync(walkFiles(dir)), [`${dir}/a`]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* walkFiles(
  dir: string,
  topLevel?: (entry: Deno.DirEntry) => boolean,
): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(readDirEntries(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
    throw e;
  }
  for (const entry of entries) {
    if (topLevel !== undefined && !topLevel(entry)) continue;
    const path = join(dir, entry.name);
    // Links are never created by the cache; don't follow one out of it.
    if (entry.isDirectory) yield* walkFiles(path);
    else if (entry.isFile) yield path;
  }
}

/**
 * Removes `path`; false when it did not exist, also when a file stands
 * where one of its directories would be (S3 has keys `a` and `a/b`; with
 * `a` cached, nothing can be at `a/b`). A file another program holds open
 * on Windows is waited for briefly (not with `wait: false`), then refused
 * with `Busy` naming it ({@linkcode removeHeldFile}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeIfExists } from "./cache_fs.ts";
 * assert(!(await removeIfExists("/nonexistent/vc-example")));
 * ```
 */
export async function removeIfExists(
  path: string,
  options: { wait?: boolean } = {},
): Promise<boolean> {
  try {
    await removeHeldFile(path, options);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/**
 * Removes `dir` and its parents while empty, up to (not including) the cache
 * dir and the `.meta` / `.locks` roots.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeEmptyParents } from "./cache_fs.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${root}/a/b`, { recursive: true });
 *   await removeEmptyParents(root, `${root}/a/b`);
 *   assert.deepEqual([...Deno.readDirSync(root)], []);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export async function removeEmptyParents(cacheDir: string, dir: string): Promise<void> {
  // Resolved, and compared as paths, not as strings: a mirror's walk joins
  // `/` to a root Windows spells with `\` (`C:\data/sub`), which a prefix of
  // `C:\data\` never matched, so no directory its deletes emptied was
  // removed there.
  for (const d of parentsBelow(resolve(dir), resolve(cacheDir))) {
    const name = d.slice(Math.max(d.lastIndexOf("/"), d.lastIndexOf(sep)) + 1);
    if (name === META_DIR || name === LOCKS_DIR) return;
    try {
      // Only a directory: `Deno.remove` takes a file too, and a cached file
      // stands where a directory of a key below its name would be (S3 has
      // keys `a` and `a/b`), so an `rm` of `a/b` would delete `a`.
      if (!(await Deno.lstat(d)).isDirectory) return;
      await Deno.remove(d); // fails unless empty
    } catch {
      return;
    }
  }
}

// The cache's looks that take a missing path for none: the one pair of vc (file_status.ts).
export { lstatOrUndefined, statOrUndefined } from "../file_status.ts";

/**
 * True when `path` exists (or may: its directory is closed to this process)
 * but this process is refused reading it: another user's file in a cache
 * dir users share. A path Deno's permissions exclude (a cache dir under
 * `/dev/shm`, which only `--allow-all` opens) is no such file: its
 * `NotCapable` is thrown, so the error says why instead of blaming a user.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayNotRead } from "./cache_fs.ts";
 * assert(!mayNotRead("/nonexistent/vc-example"));
 * ```
 */
export function mayNotRead(path: string): boolean {
  try {
    // Only a regular file is opened: a FIFO's open would wait for a writer.
    if (!Deno.lstatSync(path).isFile) return false;
    Deno.openSync(path, { read: true }).close();
    return false;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) throw e;
    return isPermissionError(e);
  }
}
