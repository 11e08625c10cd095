/**
 * Copying a file so that readers of the destination see the old content or
 * the new, never a partial copy.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Copies `from` to `to` through a unique temp file in the destination's
 * directory and a rename (atomic on one filesystem), creating parent
 * directories. Concurrent copies to the same destination never share a temp
 * file; the last rename wins. On failure the temp file is removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyFileAtomic } from "./copy_file_atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "data");
 * await copyFileAtomic(`${dir}/a.txt`, `${dir}/out/b.txt`);
 * assert(await Deno.readTextFile(`${dir}/out/b.txt`) === "data");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await Deno.mkdir(dirname(to), { recursive: true });
  const temp = join(dirname(to), `.${basename(to)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    await Deno.copyFile(from, temp);
    await Deno.rename(temp, to);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}
