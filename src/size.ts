/**
 * Sizes as people write them (`10GB`, `1.5 GiB`, `500M`, `1024`): the one
 * parser behind the command line's size flags and the size settings from the
 * environment and config files, which wrap it with their own errors.
 *
 * @module
 */

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
};

/**
 * Bytes of a size such as `10GB`, `1.5 GiB` or `1024` (a bare number is
 * bytes; decimal units are powers of 1000, binary ones of 1024), rounded
 * down; `undefined` when `text` is not one. Callers name the input in their
 * errors and check the range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sizeBytes } from "./size.ts";
 * assert.equal(sizeBytes("8MiB"), 8 * 2 ** 20);
 * assert.equal(sizeBytes("1.5 kB"), 1500);
 * assert.equal(sizeBytes("8 parsecs"), undefined);
 * ```
 */
export function sizeBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const factor = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) return undefined;
  return Math.floor(Number(m[1]) * factor);
}
