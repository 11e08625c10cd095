/**
 * Directory listings that never leave a descriptor behind.
 *
 * @module
 */

/**
 * The entries of `dir`, as `Deno.readDir` gives them, with the directory
 * closed however the listing ends. When `Deno.readDir`'s iterator fails
 * (`getdents` failing with EIO or EACCES after the open), `for await` does
 * not close it, and Deno holds the directory's descriptor until garbage
 * collection: one per failed listing, so a watching mirror re-walking a
 * failing directory runs out of descriptors, and a mount under it stays busy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDirEntries } from "./read_dir.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "a");
 *   assert.deepEqual((await Array.fromAsync(readDirEntries(dir))).map((e) => e.name), ["a"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function* readDirEntries(dir: string): AsyncGenerator<Deno.DirEntry> {
  const listing = Deno.readDir(dir)[Symbol.asyncIterator]();
  try {
    for (let step = await listing.next(); !step.done; step = await listing.next()) {
      yield step.value;
    }
  } finally {
    await listing.return?.();
  }
}
