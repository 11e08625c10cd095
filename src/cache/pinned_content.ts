/**
 * Whether a cached copy's record holds the content a lock entry pins. Shared
 * by every warm path that serves a locked read, so none of them compares less
 * than the cold download does (size and SHA-256).
 *
 * @module
 */

/** Content pinned by a lock entry: its exact size and hex SHA-256. */
export interface PinnedContent {
  /** Exact size in bytes. */
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
}

/**
 * True when `rec` is the pinned content, or nothing is pinned. The size is
 * compared too: a lock entry whose SHA-256 matches but whose size does not
 * (edited by hand, merged wrong) pins no content that exists, and a cold
 * download refuses it, so a warm read must not serve it either.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holdsPinnedContent } from "./pinned_content.ts";
 * const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
 * assert.equal(holdsPinnedContent({ size: 4, sha256 }, { size: 4, sha256 }), true);
 * assert.equal(holdsPinnedContent({ size: 4, sha256 }, { size: 5, sha256 }), false);
 * assert.equal(holdsPinnedContent({ size: 4 }, undefined), true);
 * ```
 */
export function holdsPinnedContent(
  rec: { size: number; sha256?: string | undefined },
  pin: PinnedContent | undefined,
): boolean {
  return pin === undefined || (rec.size === pin.size && rec.sha256 === pin.sha256);
}
