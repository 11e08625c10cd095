/**
 * A path with its symbolic links resolved as far as it exists: for comparing
 * where two paths lead (a destination that does not exist yet included), as
 * a plain comparison of the strings misses a link on the way.
 *
 * @module
 */
import { join, resolve } from "./path.ts";

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
  const rest: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      return join(await Deno.realPath(at), ...rest.reverse());
    } catch {
      const parent = resolve(at, "..");
      if (parent === at) return resolve(path);
      rest.push(at.slice(parent.length).replace(/^[\\/]+/, ""));
      at = parent;
    }
  }
}
