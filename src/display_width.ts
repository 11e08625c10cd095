/**
 * How many terminal columns a text takes, for the lines vc lays out itself
 * (tables, the progress line). A string's `length` counts UTF-16 code units:
 * a CJK or emoji character takes two columns but counts one or two, and a
 * combining accent takes none but counts one, so padding or cutting by
 * `length` misaligns a table's columns and lets a progress line wrap (then
 * its `\r` redraw no longer erases it). The widths are wcwidth's: East Asian
 * wide and fullwidth characters and emoji two, combining marks and format
 * characters none (printable.ts has escaped the controls by then).
 *
 * @module
 */

// Combining marks, format characters (zero-width space and joiners) and
// Hangul medial vowels and final consonants, which join the syllable before.
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff]$/u;

// East Asian Wide (W) and Fullwidth (F) blocks, as wcwidth approximates them,
// and the emoji blocks terminals draw two columns wide; with the emoji that
// stand alone outside them (⭐ ✨ ⚡ ❗ ⏳ ♈, as glibc's wcwidth counts them:
// counted one, a name of them made a progress line wider than the terminal).
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dff],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18d08],
  [0x1aff0, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f2ff],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f7f0, 0x1f7f0],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

/** Columns one code point takes: 0, 1 or 2. */
function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  // ASCII and Latin-1 (the soft hyphen, a format character, included:
  // terminals draw it), by far the most common: one column.
  if (code < 0x300) return 1;
  if (ZERO.test(char)) return 0;
  for (const [from, to] of WIDE) {
    if (code < from) break;
    if (code <= to) return 2;
  }
  return 1;
}

/**
 * The columns `text` takes on a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayWidth } from "./display_width.ts";
 * assert.equal(displayWidth("a.csv"), 5);
 * assert.equal(displayWidth("/数据.csv"), 9);
 * assert.equal(displayWidth("cafe\u0301"), 4);
 * ```
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/**
 * `text` padded with spaces to take `width` columns (as `padEnd`, by columns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { padEndColumns } from "./display_width.ts";
 * assert.equal(padEndColumns("数", 4), "数  ");
 * ```
 */
export function padEndColumns(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * The longest end of `text` that takes at most `width` columns, cut between
 * code points (never inside a surrogate pair) and before a combining mark's
 * base character is lost: `keepEndColumns("数据.csv", 6)` is `"据.csv"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepEndColumns } from "./display_width.ts";
 * assert.equal(keepEndColumns("数据.csv", 6), "据.csv");
 * assert.equal(keepEndColumns("a😀b", 3), "😀b");
 * ```
 */
export function keepEndColumns(text: string, width: number): string {
  const chars = [...text];
  let used = 0;
  let start = chars.length;
  while (start > 0) {
    const w = charWidth(chars[start - 1]!);
    if (used + w > width) break;
    used += w;
    start--;
  }
  // A combining mark left at the start would stand on nothing: drop it too.
  while (start < chars.length && charWidth(chars[start]!) === 0) start++;
  return chars.slice(start).join("");
}

/**
 * The longest start of `text` that takes at most `width` columns, cut between
 * code points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepStartColumns } from "./display_width.ts";
 * assert.equal(keepStartColumns("数据.csv", 3), "数");
 * ```
 */
export function keepStartColumns(text: string, width: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width) break;
    used += w;
    end += char.length;
  }
  return text.slice(0, end);
}
