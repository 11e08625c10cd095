/**
 * FNV-1a, 32 bits, over a string's UTF-8 bytes: a fast, stable hash for
 * names (journal shards, shortened temp names, namespace suffixes), in
 * plain JS so the warm path loads no `node:` module. Not for integrity.
 *
 * @module
 */

const utf8 = new TextEncoder();

/**
 * The FNV-1a hash of `text`'s UTF-8 bytes, as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fnv1a32 } from "./fnv.ts";
 * assert.equal(fnv1a32(""), 0x811c9dc5);
 * assert.equal(fnv1a32("a"), 0xe40c292c);
 * ```
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of utf8.encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}
