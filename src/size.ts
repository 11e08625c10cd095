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
  // formatBytes prints PB, so a size vc printed is one it takes back; the
  // 2^53-byte limit (just under 8 PiB) is checked after.
  p: 1e15,
  pb: 1e15,
  pib: 2 ** 50,
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
 * assert.equal(sizeBytes("1.2 PB"), 1.2e15);
 * assert.equal(sizeBytes("1.5 kB"), 1500);
 * assert.equal(sizeBytes("8 parsecs"), undefined);
 * ```
 */
export function sizeBytes(text: string): number | undefined {
  return parseSizeText(text)?.bytes;
}

/**
 * A size such as `1.5KB` read exactly: its bytes rounded down, and whether
 * it is whole, computed in decimal so `4.35KB` is 4350 whole bytes, not
 * 4349.99…; `undefined` when `text` is not a size. Only a size written in
 * bytes (a bare number, or `B`) can fail to be whole (`1.5`, `0.5`: most
 * likely a unit left out, which the flags and settings refuse); a fraction
 * of a larger unit is whole once rounded down (`1.2GiB` is 1288490188
 * bytes, its 0.8 byte dropped, as sizes people type are read everywhere).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSizeText } from "./size.ts";
 * assert.deepEqual(parseSizeText("1.5KB"), { bytes: 1500, whole: true });
 * assert.deepEqual(parseSizeText("1.5"), { bytes: 1, whole: false });
 * assert.deepEqual(parseSizeText("1.2GiB"), { bytes: 1288490188, whole: true });
 * assert.equal(parseSizeText("8 parsecs"), undefined);
 * assert.equal(parseSizeText("99999999999999999999"), undefined); // past 2^53
 * ```
 */
export function parseSizeText(text: string): { bytes: number; whole: boolean } | undefined {
  const exact = exactSize(text);
  if (exact === undefined) return undefined;
  const bytes = Number(exact.scaled / exact.denominator);
  // Past 2^53 bytes (8 PiB) a number no longer holds every byte count, and
  // far past it the digits read as Infinity: no size anyone means.
  if (!Number.isSafeInteger(bytes)) return undefined;
  return { bytes, whole: exact.factor > 1 || exact.scaled % exact.denominator === 0n };
}

/**
 * What the largest size is, for the errors that refuse a larger one (the
 * flags' and the settings').
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LARGEST_SIZE } from "./size.ts";
 * assert.match(LARGEST_SIZE, /2\^53 - 1 bytes/);
 * ```
 */
export const LARGEST_SIZE: string =
  "the largest size is 2^53 - 1 bytes (just under 8 PiB, e.g. 8000TB)";

/**
 * Whether `text` is written as a size but is past 2^53 bytes (8 PiB), which
 * {@linkcode parseSizeText} refuses: so an error can say "too large" rather
 * than "not a size".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sizeTooLarge } from "./size.ts";
 * assert(sizeTooLarge("99999999999TB"));
 * assert(!sizeTooLarge("1TB") && !sizeTooLarge("lots"));
 * ```
 */
export function sizeTooLarge(text: string): boolean {
  const exact = exactSize(text);
  return exact !== undefined &&
    exact.scaled / exact.denominator > BigInt(Number.MAX_SAFE_INTEGER);
}

// `text` as a size, in BigInt bytes times `denominator` (its decimal fraction).
function exactSize(
  text: string,
): { scaled: bigint; denominator: bigint; factor: number } | undefined {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*([A-Za-z]*)\s*$/.exec(text);
  const factor = m ? SIZE_UNITS[m[3]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) return undefined;
  const fraction = m[2] ?? "";
  return {
    scaled: BigInt(m[1]! + fraction) * BigInt(factor),
    denominator: 10n ** BigInt(fraction.length),
    factor,
  };
}
