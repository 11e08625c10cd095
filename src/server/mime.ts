/**
 * Response headers derived from a stored filename (`Content-Disposition`;
 * its content type is `src/content_type.ts`'s), and the security headers
 * every response carries.
 *
 * @module
 */

/**
 * `Content-Disposition: attachment` with an ASCII `filename` and the exact
 * UTF-8 name as `filename*` (RFC 6266). The ASCII fallback, the name that
 * clients reading only `filename` save under (`curl -OJ`, Python's
 * `email.message`), spells a letter or digit in US-ASCII where it has such a
 * form (RFC 6266 appendix D: `é` as `e`, `ß` as `ss`, `ﬁ` as `fi`) and
 * replaces anything else a quoted string cannot carry safely (other
 * non-ASCII, controls, `"`, `\\`) and `%` (some browsers percent-decode
 * `filename`) with `_`; nothing a stored name holds can end the header or add
 * another, and no `/`, `.` or `"` comes from a character that only looks so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDisposition } from "./mime.ts";
 * assert.equal(contentDisposition("a b.txt"), `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
 * assert.equal(
 *   contentDisposition('é"\r\n%.txt'),
 *   `attachment; filename="e____.txt"; filename*=UTF-8''%C3%A9%22%0D%0A%25.txt`,
 * );
 * assert.equal(contentDisposition("é€😀.txt").split(";")[1], ' filename="e__.txt"');
 * assert.equal(contentDisposition("Straße／x.csv").split(";")[1], ' filename="Strasse_x.csv"');
 * ```
 */
export function contentDisposition(filename: string): string {
  // A lone surrogate (possible only in metadata written by hand) would make
  // encodeURIComponent throw.
  const name = filename.toWellFormed();
  // Composed first, so a name in NFD (as macOS writes names) reads as one
  // letter per accented letter.
  const ascii = [...name.normalize("NFC")].map(asciiFallback).join("");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Letters NFKD does not decompose into an ASCII letter and marks. */
const SPELLED: Readonly<Record<string, string>> = {
  "ß": "ss",
  "ẞ": "SS",
  "æ": "ae",
  "Æ": "AE",
  "œ": "oe",
  "Œ": "OE",
  "ø": "o",
  "Ø": "O",
  "đ": "d",
  "Đ": "D",
  "ð": "d",
  "Ð": "D",
  "ł": "l",
  "Ł": "L",
  "þ": "th",
  "Þ": "Th",
  "ı": "i",
};

/**
 * One character (a code point) of the ASCII `filename`: printable ASCII but
 * `"`, `\\` and `%` as it is; a letter or digit whose compatibility
 * decomposition, marks dropped, is ASCII letters or digits (`é`, `ﬁ`, `①`,
 * a full-width `Ａ`) as those; a few letters by their usual spelling; else
 * `_`. Only letters and digits come from another character, so `／` never
 * becomes a `/`.
 */
function asciiFallback(c: string): string {
  if (/^[\x20-\x7e]$/.test(c)) return /["\\%]/.test(c) ? "_" : c;
  const spelled = SPELLED[c] ?? c.normalize("NFKD").replace(/\p{M}/gu, "");
  return /^[A-Za-z0-9]{1,4}$/.test(spelled) ? spelled : "_";
}

/**
 * Headers on every response of the service: a cache of arbitrary user files
 * must never be rendered or run by a browser, whatever type a file claims
 * (`nosniff`: no type guessing; the CSP sandboxes anything that is opened
 * anyway, with no scripts, no loads, no same-origin access).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SECURITY_HEADERS } from "./mime.ts";
 * assert.equal(SECURITY_HEADERS["x-content-type-options"], "nosniff");
 * ```
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
};
