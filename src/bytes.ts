/**
 * Byte-array helpers shared by the stores, the server and the CLI.
 *
 * @module
 */

/**
 * Joins chunks into one array (one chunk is returned as is, no copy).
 * `total`, when known, is the sum of their lengths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./bytes.ts";
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  total: number = chunks.reduce((n, c) => n + c.length, 0),
): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
