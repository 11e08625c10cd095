/**
 * How an interrupted run names the large downloads it stopped whose partial
 * is kept for the next run to resume (see `src/cache/partial_download.ts`):
 * `big.bin stopped at 1.2 GB of 4.0 GB, kept for the next run to resume`.
 * One wording for `vc prefill`, `vc sync`, `vc mirror` and the commands that
 * download one object.
 *
 * @module
 */
import { formatBytes } from "./progress.ts";

/** A download stopped with its partial kept: what it is named by, the bytes kept, the object's size. */
export interface KeptPartialNamed {
  /** What the run names it by (a URI, a manifest path, a mirrored key). */
  name: string;
  /** The bytes kept, complete from the start of the object. */
  bytes: number;
  /** The object's size. */
  size: number;
}

/** How many kept partials a line names (the rest counted). */
const NAMED = 3;

/**
 * The words for `kept` (empty when there is none): each named with how far
 * it got, the first three, then how many more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keptPartialsSaid } from "./kept_partial_words.ts";
 * assert.equal(
 *   keptPartialsSaid([{ name: "big.bin", bytes: 2e6, size: 8e6 }]),
 *   "big.bin stopped at 2.0 MB of 8.0 MB, kept for the next run to resume",
 * );
 * assert.equal(keptPartialsSaid([]), "");
 * ```
 */
export function keptPartialsSaid(kept: readonly KeptPartialNamed[]): string {
  if (kept.length === 0) return "";
  const named = kept.slice(0, NAMED).map((k) =>
    `${k.name} stopped at ${formatBytes(k.bytes)} of ${formatBytes(k.size)}`
  );
  const more = kept.length - named.length;
  return `${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}, kept for the next run to ` +
    "resume";
}
