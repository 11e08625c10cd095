/**
 * Small helpers of the versioned cache: a bounded map that never stops early
 * (every entry of `sync` / `verify` is attempted), and "did you mean"
 * suggestions for paths not in the manifest.
 *
 * @module
 */
import { editDistance } from "../suggest.ts";

/** One result of {@linkcode mapSettled}. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `fn` on every item with at most `limit` in flight; never stops early.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapSettled } from "./helpers.ts";
 * const r = await mapSettled([1, 2], 2, async (n) => { if (n === 2) throw new Error("x"); return n; });
 * assert(r[0]?.ok && !r[1]?.ok);
 * ```
 */
export async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i] as T) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * `"; did you mean A, B?"` for the known paths closest to `path`, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./helpers.ts";
 * assert.equal(didYouMean("/data/tabel.csv", ["/data/table.csv"]), "; did you mean /data/table.csv?");
 * ```
 */
export function didYouMean(path: string, known: readonly string[]): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const scored = known
    .map((k) => ({ k, d: editDistance(path, k) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(path.length / 4)) || k.endsWith(`/${name}`))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ k }) => k);
  return scored.length === 0 ? "" : `; did you mean ${scored.join(", ")}?`;
}
