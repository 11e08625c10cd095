/**
 * Key order and one page of a listing: prefix, delimiter (CommonPrefixes),
 * start-after / marker / continuation token and max-keys, over a sorted key
 * array.
 *
 * @module
 */

// Maps a UTF-16 code unit so that comparing mapped units orders strings by
// code point, which is the same as UTF-8 byte order (S3's listing order):
// surrogates (code points above U+FFFF) must sort after U+E000..U+FFFF.
function orderUnit(u: number): number {
  if (u < 0xd800) return u;
  if (u < 0xe000) return u + 0x2000;
  return u - 0x800;
}

/**
 * Compares keys in UTF-8 byte order, S3's listing order (JavaScript's `<`
 * uses UTF-16 order, which differs for characters above U+FFFF).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareKeys } from "./listing.ts";
 * assert(compareKeys("\uFFFD", "😀") < 0); // "😀" > "\uFFFD" in UTF-8, not in UTF-16
 * assert(compareKeys("a", "a") === 0 && compareKeys("a/b", "a0") < 0);
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return orderUnit(x) - orderUnit(y);
  }
  return a.length - b.length;
}

/** Index of the first element of `sorted` for which `before(element)` is false. */
function partition(
  sorted: readonly string[],
  from: number,
  before: (k: string) => boolean,
): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where a page continues: after a key, or after every key under a common prefix. */
export interface ListCursor {
  /** The last key or common prefix returned. */
  value: string;
  /** True when `value` was a common prefix (skip everything under it). */
  isPrefix: boolean;
}

/** What to list. */
export interface ListQuery {
  /** Only keys starting with this. */
  prefix: string;
  /** Group keys by the first occurrence of this after the prefix (empty: no grouping). */
  delimiter: string;
  /** Continue after this point. */
  after?: ListCursor;
  /** Most entries (keys plus common prefixes) in the page, 0..1000. */
  maxKeys: number;
}

/** One page of a listing. */
export interface ListPage {
  /** Keys in order. */
  keys: string[];
  /** Common prefixes in order. */
  prefixes: string[];
  /** True when more entries follow. */
  truncated: boolean;
  /** The last entry returned, for the next page's cursor. */
  last?: ListCursor;
}

/**
 * Lists one page from keys sorted by {@linkcode compareKeys}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listPage } from "./listing.ts";
 * const keys = ["a/1", "a/2", "b", "c/x/y"];
 * const page = listPage(keys, { prefix: "", delimiter: "/", maxKeys: 2 });
 * assert(page.prefixes[0] === "a/" && page.keys[0] === "b" && page.truncated);
 * const next = listPage(keys, { prefix: "", delimiter: "/", maxKeys: 2, after: page.last! });
 * assert(next.prefixes[0] === "c/" && !next.truncated);
 * ```
 */
export function listPage(sorted: readonly string[], query: ListQuery): ListPage {
  const { prefix, delimiter, after, maxKeys } = query;
  const page: ListPage = { keys: [], prefixes: [], truncated: false };
  if (maxKeys <= 0) return page;
  let i = partition(sorted, 0, (k) => compareKeys(k, prefix) < 0);
  if (after) {
    const skip = after.isPrefix
      ? (k: string) => compareKeys(k, after.value) <= 0 || k.startsWith(after.value)
      : (k: string) => compareKeys(k, after.value) <= 0;
    i = partition(sorted, i, skip);
  }
  let count = 0;
  while (i < sorted.length) {
    const key = sorted[i]!;
    if (!key.startsWith(prefix)) break;
    const at = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
    if (count === maxKeys) {
      page.truncated = true;
      break;
    }
    count++;
    if (at === -1) {
      page.keys.push(key);
      page.last = { value: key, isPrefix: false };
      i++;
    } else {
      const common = key.slice(0, at + delimiter.length);
      page.prefixes.push(common);
      page.last = { value: common, isPrefix: true };
      // Keys under one common prefix are contiguous in byte order.
      i = partition(sorted, i, (k) => k.startsWith(common));
    }
  }
  return page;
}

/**
 * Encodes a cursor as an opaque continuation token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeToken, encodeToken } from "./listing.ts";
 * const c = { value: "ü/", isPrefix: true };
 * assert(JSON.stringify(decodeToken(encodeToken(c))) === JSON.stringify(c));
 * ```
 */
export function encodeToken(cursor: ListCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([cursor.value, cursor.isPrefix ? 1 : 0]));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Decodes a continuation token, or returns `undefined` when it is not one of ours.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeToken } from "./listing.ts";
 * assert(decodeToken("not a token") === undefined);
 * ```
 */
export function decodeToken(token: string): ListCursor | undefined {
  try {
    const binary = atob(token);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (
      Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" &&
      (parsed[1] === 0 || parsed[1] === 1)
    ) {
      return { value: parsed[0], isPrefix: parsed[1] === 1 };
    }
  } catch {
    // fall through: not a token we issued
  }
  return undefined;
}

/**
 * URL-encodes a key the way S3 does for `encoding-type=url` (space as `+`,
 * which botocore decodes with `unquote_plus`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { urlEncodeKey } from "./listing.ts";
 * assert(urlEncodeKey("a b+c/ü") === "a+b%2Bc/%C3%BC");
 * ```
 */
export function urlEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}
