/**
 * Strict UTF-8 decoding for the text files vc reads and may write back
 * (manifests, lock files, list files, settings). A lenient decoder turns
 * each invalid byte into U+FFFD, so a manifest saved in Latin-1 would be
 * read with other paths than it names and, once rewritten, lose them for
 * good: such a file is refused instead, naming where it stops being UTF-8.
 *
 * @module
 */
import { InvalidInputError } from "./errors.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
const strictKeepingMark = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * `bytes` as text, or an `InvalidInputError` naming `name` and the line and
 * byte where the bytes stop being UTF-8. A leading byte order mark is
 * dropped, as any UTF-8 decoder does, unless `keepByteOrderMark` (for a
 * file vc rewrites: the mark is the file's to keep).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeUtf8 } from "./utf8.ts";
 * assert.equal(decodeUtf8(new TextEncoder().encode("café"), "manifest m.json"), "café");
 * assert.throws(
 *   () => decodeUtf8(new Uint8Array([0x7b, 0x0a, 0x63, 0xe9, 0x7d]), "manifest m.json"),
 *   /manifest m\.json is not valid UTF-8 text: line 2, byte 3/,
 * );
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, name: string, keepByteOrderMark = false): string {
  const text = utf8OrUndefined(bytes, keepByteOrderMark);
  if (text === undefined) throw new InvalidInputError(`${name} is ${notUtf8(bytes)}`);
  // Valid UTF-8, but no text file of vc's holds a NUL: UTF-16 without its
  // byte order mark, or a binary file.
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    throw new InvalidInputError(
      `${name} is not UTF-8 text: it holds NUL bytes (the first at character ${nul}; ` +
        `UTF-16? a binary file?); save it as UTF-8 (the file is left as it is)`,
    );
  }
  return text;
}

/**
 * `bytes` as text, or `undefined` when they are not well-formed UTF-8: for
 * callers that say so their own way ({@linkcode notUtf8} tells where).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8OrUndefined } from "./utf8.ts";
 * assert.equal(utf8OrUndefined(new Uint8Array([0x61])), "a");
 * assert.equal(utf8OrUndefined(new Uint8Array([0xff])), undefined);
 * ```
 */
export function utf8OrUndefined(
  bytes: Uint8Array,
  keepByteOrderMark = false,
): string | undefined {
  try {
    return (keepByteOrderMark ? strictKeepingMark : strict).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with `bytes` as UTF-8 ("not valid UTF-8 text: line L, byte
 * B (0xNN); ..."), for a message; call it only for bytes that failed to decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notUtf8 } from "./utf8.ts";
 * assert.match(notUtf8(new Uint8Array([0x61, 0xff])), /line 1, byte 1 \(0xff\)/);
 * ```
 */
export function notUtf8(bytes: Uint8Array): string {
  const at = firstInvalidByte(bytes);
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  const shown = at < bytes.length ? ` (0x${bytes[at]!.toString(16).padStart(2, "0")})` : "";
  // A UTF-16 byte order mark (Windows "Unicode" files).
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)
    ? " (it starts with a UTF-16 byte order mark: it is UTF-16)"
    : "";
  return `not valid UTF-8 text: line ${line}, byte ${at}${shown}${utf16}; save it as UTF-8 ` +
    `(the file is left as it is)`;
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i; // cut short at the end
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

const utf8Encoder = new TextEncoder();

/**
 * Compares two strings by their UTF-8 bytes (S3's key order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareUtf8 } from "./utf8.ts";
 * // U+FF5E sorts after U+1F600 in UTF-16 code units' order, before it in UTF-8's.
 * assert(compareUtf8("\u{ff5e}", "\u{1f600}") < 0);
 * assert.deepEqual(["b", "a", "\u{1f600}"].sort(compareUtf8), ["a", "b", "\u{1f600}"]);
 * ```
 */
export function compareUtf8(a: string, b: string): number {
  // UTF-16 order equals UTF-8 order except where a surrogate meets another
  // unit at the first difference: only then are the bytes compared. (A
  // merge and a sort call this per key; a loop over the common prefix is
  // several times cheaper than testing both strings for surrogates.)
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const cx = a.charCodeAt(i);
  const cy = b.charCodeAt(i);
  if ((cx < 0xd800 || cx > 0xdfff) && (cy < 0xd800 || cy > 0xdfff)) return cx < cy ? -1 : 1;
  const x = utf8Encoder.encode(a);
  const y = utf8Encoder.encode(b);
  const m = Math.min(x.length, y.length);
  for (let j = 0; j < m; j++) {
    if (x[j] !== y[j]) return x[j]! - y[j]!;
  }
  return x.length - y.length;
}
