/**
 * A count of the files a local → store pass walks, and their bytes, made
 * beside the pass: the pass compares as its walk streams in, and the walk
 * runs only a bounded way ahead of the transfers, so a first upload of a
 * large tree knew its totals only as its last files went up. The count
 * walks the same roots with the same filters and rules (`walkLocalBatches`),
 * reads no file, and says nothing of what it cannot read: the pass's own
 * walk reports that.
 *
 * @module
 */
import { type LocalRoot, walkLocalBatches, type WalkLocalOptions } from "./local_side.ts";

/** What {@linkcode countLocalFiles} found. */
export interface LocalCount {
  /** Files the walk gives. */
  files: number;
  /** Their sizes, added up. */
  bytes: number;
}

/**
 * The files the walk of `roots` gives, and their bytes: an estimate of what
 * a pass will meet (a source file one key of another root also gives is
 * counted twice; files come and go meanwhile). `undefined` when `signal`
 * aborts first or the walk fails; a root that is missing counts as empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countLocalFiles } from "./census.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/sub`);
 *   await Deno.writeTextFile(`${dir}/sub/a.txt`, "aaa");
 *   await Deno.writeTextFile(`${dir}/b.log`, "bb");
 *   const count = await countLocalFiles(
 *     [{ dir, base: "" }],
 *     { filter: { exclude: [/\.log$/] }, symlinks: "skip" },
 *     new AbortController().signal,
 *   );
 *   assert.deepEqual(count, { files: 1, bytes: 3 });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function countLocalFiles(
  roots: readonly LocalRoot[],
  options: Pick<WalkLocalOptions, "filter" | "symlinks" | "skipInternalNames">,
  signal: AbortSignal,
): Promise<LocalCount | undefined> {
  const count: LocalCount = { files: 0, bytes: 0 };
  try {
    for (const root of roots) {
      const walk = walkLocalBatches(root, { ...options, onError: () => {}, signal }, true);
      for await (const batch of walk) {
        count.files += batch.length;
        for (const entry of batch) count.bytes += entry.size;
      }
    }
  } catch {
    // No estimate, then: the pass's own walk says what failed.
    return undefined;
  }
  return signal.aborted ? undefined : count;
}
