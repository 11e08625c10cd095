/**
 * Reading a small object vc writes for itself (a repository's marker, a
 * cache entry's metadata, an identity's usage) with a cap on its size,
 * counted while reading. Such an object is a few hundred bytes; a store (or
 * an endpoint posing as one) that answers with gigabytes, or a body that never
 * ends, must not take all memory before the JSON is found wrong.
 *
 * @module
 */
import { SmallObjectDamagedError, StoreError } from "../errors.ts";
import { md5Hex, parseEtag } from "../hash.ts";
import { concatBytes } from "../bytes.ts";
import type { GetResult, ObjectInfo } from "./types.ts";

/**
 * Most bytes any of vc's own small objects has: they are all well under a
 * KiB, and a cache entry's metadata holds at most a file name and an owner.
 */
export const MAX_SMALL_OBJECT_BYTES = 1024 * 1024;

/**
 * The text of a fetched small object (`got`, from `store.get`), refusing one
 * over `maxBytes` (default {@linkcode MAX_SMALL_OBJECT_BYTES}) with a
 * `StoreError` naming `name` (its URI) before more than that is read:
 * by its announced size first, then by what arrives; and one whose bytes do
 * not match its MD5 ETag, a {@linkcode SmallObjectDamagedError} naming it (a
 * byte flipped on the way read as a marker naming another catalog, or as
 * damaged metadata). (A `StoreError`: the
 * store's answer is wrong, so the cache service answers 503, as for a store
 * that fails, and nothing takes the object for a damaged one to delete.) The body is consumed or
 * cancelled either way. Bytes that are not UTF-8 become U+FFFD, as
 * `Response.text()` decodes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory.ts";
 * import { readSmallObjectText } from "./small_object.ts";
 * await using store = new MemoryStore();
 * await store.put("m.json", new TextEncoder().encode('{"a":1}'));
 * assert.equal(await readSmallObjectText(await store.get("m.json"), "mem://m.json"), '{"a":1}');
 * await assert.rejects(
 *   async () => readSmallObjectText(await store.get("m.json"), "mem://m.json", 3),
 *   /mem:\/\/m\.json is larger than 3 bytes/,
 * );
 * ```
 */
export async function readSmallObjectText(
  got: GetResult,
  name: string,
  maxBytes: number = MAX_SMALL_OBJECT_BYTES,
): Promise<string> {
  const tooLarge = (size: number | string) =>
    new StoreError(
      `${name} is larger than ${maxBytes} bytes (${size}), more than vc ever writes there: ` +
        "the store's answer is not the object vc wrote (a broken or hostile endpoint)",
    );
  if (got.bytes !== undefined) {
    if (got.bytes.length > maxBytes) throw tooLarge(got.bytes.length);
    return checkedText(got.bytes, got.info, name);
  }
  const reader = got.body.getReader();
  try {
    if (got.info.size > maxBytes) throw tooLarge(got.info.size);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) throw tooLarge(`over ${maxBytes} arrived`);
      chunks.push(value);
    }
    return checkedText(concatBytes(chunks, total), got.info, name);
  } finally {
    // Releases the connection of a body left unread (nothing when it ended).
    await reader.cancel().catch(() => {});
  }
}

// The text of `bytes` once they match the object's ETag where it is their
// MD5 (not an SSE-KMS / SSE-C ETag, nor bytes coded on the way): such an
// object is small, so hashing it costs nothing beside the request.
function checkedText(bytes: Uint8Array, info: ObjectInfo, name: string): string {
  const etag = info.opaqueEtag === true || info.contentEncoding !== undefined
    ? undefined
    : parseEtag(info.etag);
  if (etag?.kind === "md5") {
    const got = md5Hex(bytes);
    if (got !== etag.md5) {
      throw new SmallObjectDamagedError(
        `${name}: the store's answer does not match its ETag (MD5 ${etag.md5}, got ${got}, ` +
          `${bytes.length} bytes): damaged on the way (a proxy, a flaky link) or in the store; ` +
          "nothing was taken from it. Try again; if it persists, the object is damaged",
      );
    }
  }
  return new TextDecoder().decode(bytes);
}
