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
  // Two edits at most are a typo, and a length two apart is two edits at
  // least: a longer gap is never one, and comparing it letter by letter
  // (a 2 MB pasted key against each known one) took seconds and gigabytes.
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - lower.length) > 2) continue;
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
  // Three rows of the table, not all of them: memory grows with the shorter
  // word's length alone, however long the other (a pasted blob) is.
  if (a.length < b.length) [a, b] = [b, a];
  const cols = b.length + 1;
  let before = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  let row = new Array<number>(cols).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, before[j - 2]! + 1);
      }
      row[j] = value;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[cols - 1]!;
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
