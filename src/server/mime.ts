/**
 * Response headers derived from a stored filename (`Content-Disposition`;
 * its content type is `src/content_type.ts`'s), and the security headers
 * every response carries.
 *
 * @module
 */

/**
 * `Content-Disposition: attachment` with an ASCII `filename` and the exact
 * UTF-8 name as `filename*` (RFC 6266). The ASCII fallback replaces what a
 * quoted string cannot carry safely (non-ASCII, controls, `"`, `\\`) and `%`
 * (some browsers percent-decode `filename`) with `_`; nothing a stored name
 * holds can end the header or add another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDisposition } from "./mime.ts";
 * assert.equal(contentDisposition("a b.txt"), `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
 * assert.equal(
 *   contentDisposition('é"\r\n%.txt'),
 *   `attachment; filename="_____.txt"; filename*=UTF-8''%C3%A9%22%0D%0A%25.txt`,
 * );
 * assert.equal(contentDisposition("é€😀.txt").split(";")[1], ' filename="___.txt"');
 * ```
 */
export function contentDisposition(filename: string): string {
  // A lone surrogate (possible only in metadata written by hand) would make
  // encodeURIComponent throw.
  const name = filename.toWellFormed();
  // One `_` per character (the `u` flag: an emoji is one, not two).
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/gu, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
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
