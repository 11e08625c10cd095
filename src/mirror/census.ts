/**
 * A count of the files a pass's sources hold, and their bytes, made beside
 * the pass: the pass compares as its walk and listing stream in, and they
 * run only a bounded way ahead of the transfers, so a first upload (or
 * download) of a large tree knew its totals only as its last files went.
 * The count walks the same roots (`walkLocalBatches`), or lists the same
 * prefixes (`listRemoteBatches`), with the same filters and rules, reads no
 * file, and says nothing of what it cannot read: the pass says that.
 *
 * @module
 */
import type { ObjectStore } from "../store/types.ts";
import type { KeyFilter } from "./keys.ts";
import { type LocalRoot, walkLocalBatches, type WalkLocalOptions } from "./local_side.ts";
import { listRemoteBatches } from "./store_side.ts";

/** What {@linkcode countLocalFiles} or {@linkcode countListed} found. */
export interface TreeCount {
  /** Files (or objects) the walk (or listing) gives. */
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
): Promise<TreeCount | undefined> {
  const count: TreeCount = { files: 0, bytes: 0 };
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

/**
 * The objects the listings of `prefix` in `stores` give (as a store → local
 * pass lists them: folder markers and vc's own names left out), and their
 * bytes: one more listing, a request per 1000 objects. `undefined` when
 * `signal` aborts first or a listing fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countListed } from "./census.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * const store = new MemoryStore();
 * await store.put("p/a.txt", new TextEncoder().encode("aaa"));
 * await store.put("p/b.log", new TextEncoder().encode("bb"));
 * await store.put("q/c.txt", new TextEncoder().encode("c"));
 * const count = await countListed([store], "p/", { exclude: [/\.log$/] }, new AbortController().signal);
 * assert.deepEqual(count, { files: 1, bytes: 3 });
 * ```
 */
export async function countListed(
  stores: readonly ObjectStore[],
  prefix: string,
  filter: KeyFilter,
  signal: AbortSignal,
): Promise<TreeCount | undefined> {
  const count: TreeCount = { files: 0, bytes: 0 };
  try {
    for (const store of stores) {
      const list = listRemoteBatches(store, prefix, filter, {
        signal,
        etags: false,
        directoryObjects: true,
        prefixObject: true,
        // The pass's own listing reports what is skipped: heard here too,
        // it went to the process-wide listing warnings, a second time.
        onWarning: () => {},
      });
      for await (const batch of list) {
        count.files += batch.length;
        for (const entry of batch) count.bytes += entry.size;
      }
    }
  } catch {
    // No estimate, then: the pass's own listing says what failed.
    return undefined;
  }
  return signal.aborted ? undefined : count;
}
