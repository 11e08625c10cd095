/**
 * Rules every store applies the same way as S3, so code tested against one
 * store does not break on another: which user metadata is valid (it travels
 * as HTTP headers on S3), how byte ranges and ETag conditions are read.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { normalizeEtag } from "../hash.ts";

/**
 * Throws `InvalidInputError` naming `where` (the key or URI) and the entry
 * when a metadata name is not an HTTP header token or a value is not
 * printable ASCII: metadata S3 cannot carry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMetadata } from "./object_rules.ts";
 * checkMetadata({ owner: "alice" }, "s3://b/k");
 * assert.throws(() => checkMetadata({ "bad name": "x" }, "s3://b/k"), /bad name/);
 * assert.throws(() => checkMetadata({ name: "caf\u00e9" }, "s3://b/k"), /printable ASCII/);
 * ```
 */
export function checkMetadata(metadata: Record<string, string>, where: string): void {
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new InvalidInputError(
        `metadata name ${JSON.stringify(name)} for ${where} is not a valid header name`,
      );
    }
    if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value)) {
      throw new InvalidInputError(
        `metadata ${name}=${JSON.stringify(value)} for ${where} must be printable ASCII`,
      );
    }
  }
}

/**
 * Metadata with lower-case names, as S3 stores and returns them (HTTP header
 * names are case-insensitive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lowerMetadataKeys } from "./object_rules.ts";
 * assert.deepEqual(lowerMetadataKeys({ Owner: "a" }), { owner: "a" });
 * ```
 */
export function lowerMetadataKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Throws `InvalidInputError` naming `where` (the key or URI) for a malformed
 * byte range (negative or non-integer bounds, end before start).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRange } from "./object_rules.ts";
 * checkRange("k", { start: 0, end: 9 });
 * assert.throws(() => checkRange("k", { start: 5, end: 1 }), /invalid range 5-1 for k/);
 * ```
 */
export function checkRange(where: string, range: { start: number; end?: number }): void {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) || start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new InvalidInputError(`invalid range ${start}-${end ?? ""} for ${where}`);
  }
}

/**
 * HTTP-style ETag match: `*` matches anything, otherwise any of the
 * comma-separated ETags (quoted or not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etagMatches } from "./object_rules.ts";
 * assert(etagMatches('"abc", "def"', "def"));
 * assert(etagMatches("*", "abc"));
 * assert(!etagMatches("abc", "def"));
 * ```
 */
export function etagMatches(condition: string, etag: string): boolean {
  if (condition.trim() === "*") return true;
  return condition.split(",").some((c) => normalizeEtag(c.trim()) === etag);
}
