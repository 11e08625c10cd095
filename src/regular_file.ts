/**
 * The one check that a local input is a regular file, before it is read
 * whole (uploaded, published): a device (`/dev/zero`) or a FIFO would be
 * read forever (or block), a directory cannot be read as one file.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "./errors.ts";

/**
 * The status of `path` when it is a regular file (symbolic links followed);
 * else `NotFoundError` (missing) or `InvalidInputError` (a directory, device,
 * FIFO...), each naming `what` and the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regularFile } from "./regular_file.ts";
 * import { InvalidInputError, NotFoundError } from "./errors.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.csv`, "x");
 *   assert.equal((await regularFile(`${dir}/a.csv`, "input")).size, 1);
 *   await assert.rejects(regularFile(dir, "input"), InvalidInputError);
 *   await assert.rejects(regularFile(`${dir}/missing`, "input"), NotFoundError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function regularFile(path: string, what: string): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new NotFoundError(`${what}: ${path} does not exist`, { cause });
    }
    throw cause;
  }
  if (!info.isFile) throw new InvalidInputError(`${what}: ${path} is not a regular file`);
  return info;
}
