/**
 * The rules for user metadata every store applies: names are HTTP header
 * names and values printable ASCII (they travel as `x-amz-meta-*` headers on
 * S3), so code tested against a directory store does not break on S3.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";

/**
 * Throws `InvalidInputError` naming `where` for metadata S3 cannot carry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMetadata } from "./metadata.ts";
 * checkMetadata({ owner: "me" }, "s3://b/k");
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
 * Metadata with lower-cased names, as S3 stores them (HTTP header names are
 * case-insensitive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lowerKeys } from "./metadata.ts";
 * assert.deepEqual(lowerKeys({ Owner: "Me" }), { owner: "Me" });
 * ```
 */
export function lowerKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
}
