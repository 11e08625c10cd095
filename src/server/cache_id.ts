/**
 * Cache IDs as the KBase file cache server computes them: the BLAKE2b-512 hex
 * digest of `token_id + "\n" + json.dumps(body, sort_keys=True)`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dumpPyJson, type PyJson } from "./python_json.ts";
import { requireString } from "../options_check.ts";

/**
 * The cache ID of a parsed request body for an identity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheId } from "./cache_id.ts";
 * import { parsePyJson } from "./python_json.ts";
 * const id = cacheId("http://auth:5000:username", parsePyJson('{"xyz": 123}'));
 * assert(id.startsWith("4b573346e9f80b83"));
 * ```
 */
export function cacheId(tokenId: string, body: PyJson): string {
  requireString("cacheId(): the token ID", tokenId);
  return createHash("blake2b512").update(`${tokenId}\n${dumpPyJson(body)}`).digest("hex");
}

/**
 * True when `id` looks like a cache ID (128 lower-case hex digits); anything
 * else can never name an entry, so it is a 404 without touching the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCacheId } from "./cache_id.ts";
 * assert(isCacheId("a".repeat(128)) && !isCacheId("../etc/passwd"));
 * ```
 */
export function isCacheId(id: string): boolean {
  return /^[0-9a-f]{128}$/.test(id);
}
