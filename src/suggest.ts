/**
 * "Did you mean …?" for mistyped commands, flags, settings keys and paths:
 * one edit distance for all of them.
 *
 * @module
 */

/**
 * The candidate closest to `input` by edit distance, when it is close enough
 * to be a plausible typo (at most 2 edits, or 1 for a word of four letters or
 * fewer), or a candidate that `input` is a prefix of.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closest } from "./suggest.ts";
 * assert(closest("updte", ["add", "update", "path"]) === "update");
 * assert(closest("ver", ["versions", "verify"]) === undefined); // ambiguous prefix
 * assert(closest("xyz", ["add", "update"]) === undefined);
 * assert(closest("keep", ["help"]) === undefined); // half the word changed: no typo
 * ```
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Two edits of four letters is another word (`keep` and `help`), not a typo of it.
  const limit = lower.length <= 4 ? 1 : 2;
  if (best !== undefined && bestDistance <= limit) return best;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  return lower.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * Damerau-Levenshtein distance (optimal string alignment): insertions,
 * deletions, substitutions and swaps of two neighbours count one edit each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { editDistance } from "./suggest.ts";
 * assert.equal(editDistance("updte", "update"), 1);
 * assert.equal(editDistance("tabel", "table"), 1); // a swap
 * assert.equal(editDistance("", "abc"), 3);
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i]![j] = value;
    }
  }
  return at(a.length, b.length);
}

/**
 * A directory beside `path` (missing, or empty) whose name is a near one
 * (see {@linkcode closest}): `/data/reports` for `/data/reprots`, so a
 * mistyped directory argument is answered with the one meant. Undefined
 * when none is near, or the parent cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearSiblingDirectory } from "./suggest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/reports`);
 *   assert.equal(await nearSiblingDirectory(`${dir}/reprots`), `${dir}/reports`);
 *   assert.equal(await nearSiblingDirectory(`${dir}/other`), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function nearSiblingDirectory(path: string): Promise<string | undefined> {
  const trimmed = path.replace(/[/\\]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (cut < 0) return undefined;
  const parent = trimmed.slice(0, cut) || trimmed.slice(0, cut + 1);
  const name = trimmed.slice(cut + 1);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      if (e.isDirectory && e.name !== name) names.push(e.name);
    }
  } catch {
    return undefined;
  }
  const guess = closest(name, names);
  return guess === undefined ? undefined : `${trimmed.slice(0, cut + 1)}${guess}`;
}
