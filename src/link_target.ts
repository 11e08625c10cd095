/**
 * The file a path really names when a write should go through a symbolic
 * link, as `curl -o`, `wget -O` and a shell's `>` do: an atomic write renames
 * a temp file over its destination, which at a link's name would replace the
 * link by a file and leave its target, which others may read, as it was.
 *
 * @module
 */
import { dirname, resolve } from "./path.ts";
import { InvalidInputError } from "./errors.ts";

/**
 * Follows symlinks at `path` (chains, and dangling ones: the write then
 * creates their target, as `curl -o` does) to the file a write should
 * replace; a path that is no link, does not exist or cannot be looked at
 * names itself (made absolute). Throws `InvalidInputError` naming `what` for a loop of links.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linkTarget } from "./link_target.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.writeTextFile(`${dir}/real.txt`, "x");
 *   await Deno.symlink("real.txt", `${dir}/link.txt`);
 *   assert.equal(await linkTarget(`${dir}/link.txt`, "the file"), `${dir}/real.txt`);
 *   assert.equal(await linkTarget(`${dir}/new.txt`, "the file"), `${dir}/new.txt`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function linkTarget(path: string, what: string): Promise<string> {
  let at = resolve(path);
  // Bounded like the kernel's own limit on link chains.
  for (let hops = 0; hops < 40; hops++) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(at);
    } catch {
      // Missing, or not to be looked at (a file where a directory belongs,
      // no permission): the write that follows says why, naming the path.
      return at;
    }
    if (!info.isSymlink) return at;
    at = resolve(dirname(at), await Deno.readLink(at));
  }
  throw new InvalidInputError(`${what} ${path}: too many levels of symbolic links`);
}
