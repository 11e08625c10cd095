/**
 * A path with its symbolic links resolved as far as it exists: for comparing
 * where two paths lead (a destination that does not exist yet included), as
 * a plain comparison of the strings misses a link on the way.
 *
 * @module
 */
import { basename, dirname, join, pathBelow, resolve } from "./path.ts";

/**
 * `path` with its links resolved, as far as it exists (the rest appended);
 * `path` itself, resolved, when nothing of it exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realish } from "./real_path.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.symlink(dir, `${dir}-link`);
 *   assert.equal(await realish(`${dir}-link/not/yet.gz`), `${dir}/not/yet.gz`);
 * } finally {
 *   await Deno.remove(`${dir}-link`);
 *   await Deno.remove(dir);
 * }
 * ```
 */
export async function realish(path: string): Promise<string> {
  for (const [at, rest] of existingPrefixes(path)) {
    try {
      return join(await Deno.realPath(at), ...rest);
    } catch { /* not there: its parent */ }
  }
  return resolve(path);
}

/**
 * {@linkcode realish}, synchronously (for a check that is not async).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realishSync } from "./real_path.ts";
 * const dir = Deno.realPathSync(Deno.makeTempDirSync());
 * try {
 *   Deno.symlinkSync(dir, `${dir}-link`);
 *   assert.equal(realishSync(`${dir}-link/not/yet.gz`), `${dir}/not/yet.gz`);
 * } finally {
 *   Deno.removeSync(`${dir}-link`);
 *   Deno.removeSync(dir);
 * }
 * ```
 */
export function realishSync(path: string): string {
  for (const [at, rest] of existingPrefixes(path)) {
    try {
      return join(Deno.realPathSync(at), ...rest);
    } catch { /* not there: its parent */ }
  }
  return resolve(path);
}

// `path` resolved, then each parent up to the root, each with the names
// below it that it leaves off (in order): where `realish` looks for the part
// of a path that exists.
function* existingPrefixes(path: string): Generator<[string, string[]]> {
  const rest: string[] = [];
  let at = resolve(path);
  for (;;) {
    yield [at, [...rest].reverse()];
    const parent = resolve(at, "..");
    if (parent === at) return;
    rest.push(at.slice(parent.length).replace(/^[\\/]+/, ""));
    at = parent;
  }
}

/**
 * Whether `path` is `dir` or inside it, as written or where symbolic links
 * lead: a DEST reached through a link (`ln -s ~/assets out`, then
 * `vc sync out`) writes into what the link points at, which a comparison of
 * the strings alone passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realBelow } from "./real_path.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.symlink(`${dir}/bucket`, `${dir}/out`);
 *   assert(await realBelow(`${dir}/out/x.csv`, `${dir}/bucket`));
 *   assert(!(await realBelow(`${dir}/elsewhere/x.csv`, `${dir}/bucket`)));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function realBelow(path: string, dir: string): Promise<boolean> {
  if (pathBelow(resolve(path), resolve(dir)) !== undefined) return true;
  const [realPath, realDir] = await Promise.all([realish(path), realish(dir)]);
  return pathBelow(realPath, realDir) !== undefined;
}

/**
 * Whether a file written to `path` by a rename lands in `dir` or below it,
 * as written or where the links on its way lead. The rename replaces a link
 * at `path` itself (never writes through it), so only `path`'s directory is
 * resolved: one `realpath` where {@linkcode realBelow} makes two, the first
 * failing (a thrown error) for a file not written yet. `realDir` is `dir`'s
 * {@linkcode realish}, for a caller that checks many paths against one
 * directory (a sync's thousands of copies out of the cache).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realish, renameLandsBelow } from "./real_path.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.mkdir(`${dir}/cache`);
 *   await Deno.writeTextFile(`${dir}/cache/x.csv`, "cached");
 *   await Deno.symlink(`${dir}/cache`, `${dir}/out`);
 *   const realCache = realish(`${dir}/cache`);
 *   assert(await renameLandsBelow(`${dir}/out/y.csv`, `${dir}/cache`, realCache));
 *   // A link to a cached file is replaced by the rename, the cached file untouched.
 *   await Deno.symlink(`${dir}/cache/x.csv`, `${dir}/x.csv`);
 *   assert(!(await renameLandsBelow(`${dir}/x.csv`, `${dir}/cache`, realCache)));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function renameLandsBelow(
  path: string,
  dir: string,
  realDir: Promise<string> = realish(dir),
): Promise<boolean> {
  const target = resolve(path);
  if (pathBelow(target, resolve(dir)) !== undefined) return true;
  // Synchronous: a directory just written or looked at, resolved from
  // memory, where an async realpath cost ~10 µs more CPU (a copy of a sync
  // of many small files makes one each).
  const realParent = realishSync(dirname(target));
  return pathBelow(join(realParent, basename(target)), await realDir) !== undefined;
}
