/**
 * Rules every store applies the same way as S3, so code tested against one
 * store does not break on another: which keys S3 itself accepts, which user
 * metadata is valid (it travels as HTTP headers on S3), how byte ranges and
 * ETag conditions are read.
 *
 * Keys: S3 accepts any 1 to 1024 UTF-8 bytes, including a leading `/`,
 * doubled `//` and `.`/`..` segments; those are distinct keys, not paths
 * (`/a` and `a` are two objects). Rules about local paths are not S3's and
 * live with the stores that need them: `FsStore` refuses every key it cannot
 * store as a file below its root (`fs_layout.ts`), the asset cache encodes
 * keys into safe file names (`cache/layout.ts`).
 *
 * One rule is every store's: a key with a `.` or `..` segment (`a/../b`,
 * `./a`, `a/.`) is no key vc reads or writes (`checkDotSegments` in `uri.ts`).
 * S3 keeps it as written and other tools make such keys, but a URL (fetch
 * resolves dot segments, `%2E` too) and a file path both resolve it into
 * another key, so `get`, `head`, `put` and `copy` refuse it, in `MemoryStore`
 * too, which could hold it but would then pass tests `S3Store` fails. An
 * S3 listing still gives it, and `delete` removes it by name (a
 * DeleteObjects body carries it as written). A store prefix with such a
 * segment is refused in the same words (`S3Store`, `vc mirror`'s URIs and
 * prefixes, bucket settings).
 *
 * @module
 */
import { InvalidInputError, PreconditionFailedError } from "../errors.ts";
import { quoted } from "../printable.ts";
import { checkDotSegments } from "../uri.ts";
import { normalizeEtag } from "../hash.ts";
import { decodeMetadataValue } from "./s3_metadata.ts";
import { checkOptions, describeValue, type OptionNames } from "../options_check.ts";
import type {
  CopyOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  PutBody,
  PutOptions,
} from "./types.ts";

/** S3's limit on a key's length, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * A listing's `startAfter` position as S3 takes it: its first
 * {@linkcode MAX_KEY_BYTES} UTF-8 bytes (whole characters). A position is
 * not a key, and may be longer than any (a store's prefix before one that
 * steps past a folder, `pastFolder` in `slash_keys.ts`); no key lies between
 * it and that start, since a key that begins with the start and is longer
 * would pass the limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listPosition } from "./object_rules.ts";
 * assert.equal(listPosition("a/b"), "a/b");
 * const past = "p/" + "\u{10FFFF}".repeat(256);
 * assert.equal(new TextEncoder().encode(listPosition(past)).length, 1022);
 * ```
 */
export function listPosition(position: string): string {
  if (position.length * 3 <= MAX_KEY_BYTES) return position;
  let bytes = 0;
  let end = 0;
  for (const char of position) {
    const cp = char.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > MAX_KEY_BYTES) break;
    bytes += size;
    end += char.length;
  }
  return position.slice(0, end);
}

/**
 * Throws `InvalidInputError` naming the key and `where` (the store) for a key
 * S3 itself refuses: empty, longer than {@linkcode MAX_KEY_BYTES} UTF-8
 * bytes, or not well-formed Unicode (a lone surrogate has no UTF-8 form);
 * and for a key with a `.` or `..` segment (`checkDotSegments` in `uri.ts`),
 * unless `byName` (the key travels as a name in a request body, as a batch
 * delete's do, where its segments stay as written). A leading `/` and empty
 * segments are fine: S3 keeps them as distinct keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkObjectKey } from "./object_rules.ts";
 * checkObjectKey("/foo/bar.1.0.0.csv", "s3://b"); // another tool's key: fine
 * checkObjectKey("a//b", "s3://b");
 * assert.throws(() => checkObjectKey("", "s3://b"), /empty key in s3:\/\/b/);
 * assert.throws(() => checkObjectKey("x".repeat(1025), "s3://b"), /1024 UTF-8 bytes/);
 * assert.throws(() => checkObjectKey("a\ud800", "s3://b"), /not valid Unicode/);
 * assert.throws(() => checkObjectKey("a/../b", "s3://b"), /"\.\." path segment/);
 * checkObjectKey("a/../b", "s3://b", { byName: true }); // a batch delete's body
 * ```
 */
export function checkObjectKey(
  key: string,
  where: string,
  { byName = false }: { byName?: boolean } = {},
): void {
  if (typeof key !== "string" || key === "") {
    throw new InvalidInputError(`empty key in ${where}`);
  }
  if (!key.isWellFormed()) {
    throw new InvalidInputError(`key ${JSON.stringify(key)} in ${where} is not valid Unicode`);
  }
  if (!byName) checkDotSegments(key, where);
  // UTF-16 length bounds the UTF-8 one from below; most keys skip the encode.
  if (key.length * 3 > MAX_KEY_BYTES && encoder.encode(key).length > MAX_KEY_BYTES) {
    throw new InvalidInputError(
      `key ${quoted(key)} in ${where} is longer than ` +
        `${MAX_KEY_BYTES} UTF-8 bytes`,
    );
  }
}

/**
 * Throws `InvalidInputError` naming `where` (the store) unless `keys` is an
 * array. `delete` takes a list of keys: one key passed bare, as a string, is
 * otherwise spread into its characters, and `delete("abc")` from a script
 * that is not type-checked (`deno run` checks no types) would delete the
 * objects `a`, `b` and `c` and keep `abc`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDeleteKeys } from "./object_rules.ts";
 * checkDeleteKeys(["a", "b"], "s3://b");
 * assert.throws(() => checkDeleteKeys("abc" as unknown as string[], "s3://b"), /\["abc"\]/);
 * ```
 */
export function checkDeleteKeys(keys: readonly string[], where: string): void {
  if (Array.isArray(keys)) return;
  const hint = typeof keys === "string" ? ` (one key: delete([${JSON.stringify(keys)}]))` : "";
  throw new InvalidInputError(
    `delete in ${where} takes an array of keys, got ${typeof keys}${hint}`,
  );
}

/**
 * Throws `InvalidInputError` naming `where` (the key or URI) and the entry
 * when a metadata name is not an HTTP header token or a value is not
 * printable ASCII, or S3 would keep it otherwise than sent (leading or
 * trailing spaces, which it drops; RFC 2047 encoded words, which it
 * decodes): metadata S3 cannot carry as given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMetadata } from "./object_rules.ts";
 * checkMetadata({ owner: "alice" }, "s3://b/k");
 * assert.throws(() => checkMetadata({ "bad name": "x" }, "s3://b/k"), /bad name/);
 * assert.throws(() => checkMetadata({ name: "caf\u00e9" }, "s3://b/k"), /printable ASCII/);
 * // Values S3 would hand back changed: trimmed, or their encoded words decoded.
 * assert.throws(() => checkMetadata({ name: " x " }, "s3://b/k"), /read back as "x"/);
 * assert.throws(() => checkMetadata({ name: "=?UTF-8?B?w6l0w6k=?=" }, "s3://b/k"), /"été"/);
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
    // Values S3 keeps otherwise than sent, so that a directory or memory
    // store would hand back another value than S3 does for the same put.
    const changed = value.trim() !== value
      ? ["S3 drops a value's leading and trailing spaces", value.trim()]
      : decodeMetadataValue(value) !== value
      ? ["S3 decodes the RFC 2047 encoded words in a value", decodeMetadataValue(value)]
      : undefined;
    if (changed !== undefined) {
      throw new InvalidInputError(
        `metadata ${name}=${JSON.stringify(value)} for ${where}: ${changed[0]}, so it would ` +
          `read back as ${JSON.stringify(changed[1])}`,
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

/**
 * Throws `InvalidInputError` naming `where` (the request) unless the
 * conditions of a request are ones every store reads alike: `ifMatch` an ETag
 * string, and `ifNoneMatch` `"*"` for a write (`put`, `copy`: create only) or
 * an ETag string for a `get`. From a script without type checking,
 * `ifNoneMatch: true` (or `"yes"`) was ignored by `FsStore` and `MemoryStore`,
 * which overwrote the object a create-only write was to keep, and
 * `ifMatch: 5` was a bare `TypeError` in every store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConditions } from "./object_rules.ts";
 * checkConditions("put k", { ifNoneMatch: "*", ifMatch: undefined }, "write");
 * assert.throws(() => checkConditions("put k", { ifNoneMatch: true }, "write"), /"\*"/);
 * assert.throws(() => checkConditions("get k", { ifMatch: 5 }, "read"), /ETag string, got 5/);
 * ```
 */
export function checkConditions(
  where: string,
  options: { ifNoneMatch?: unknown; ifMatch?: unknown } | undefined,
  kind: "read" | "write",
): void {
  const { ifNoneMatch, ifMatch } = options ?? {};
  if (ifMatch !== undefined && typeof ifMatch !== "string") {
    throw new InvalidInputError(
      `${where}: ifMatch must be an ETag string, got ${describeValue(ifMatch)}`,
    );
  }
  if (ifNoneMatch === undefined) return;
  if (kind === "write" ? ifNoneMatch !== "*" : typeof ifNoneMatch !== "string") {
    throw new InvalidInputError(
      `${where}: ifNoneMatch must be ${
        kind === "write" ? '"*" (write only if the key does not exist)' : "an ETag string"
      }, got ${describeValue(ifNoneMatch)}`,
    );
  }
}

// The options each write request takes: a misspelt one (`{ ifNoneMach: "*" }`,
// `delete([k], { ifmatch })`) made the write or delete unconditional, unsaid.
const WRITE_OPTIONS: Readonly<Record<"put" | "delete" | "copy", Readonly<Record<string, true>>>> = {
  put: {
    ifNoneMatch: true,
    ifMatch: true,
    metadata: true,
    contentType: true,
    md5: true,
    partChecksum: true,
    size: true,
    onProgress: true,
    signal: true,
    beforeCommit: true,
  } satisfies OptionNames<PutOptions>,
  delete: { ifMatch: true, signal: true } satisfies OptionNames<DeleteOptions>,
  copy: { ifNoneMatch: true, source: true, signal: true } satisfies OptionNames<CopyOptions>,
};

/**
 * {@linkcode checkConditions} for a write (`put`, `delete`, `copy`), after
 * refusing an option the request does not take, naming it and the one meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWriteOptions } from "./object_rules.ts";
 * checkWriteOptions("put k", "put", { ifNoneMatch: "*", md5: undefined });
 * assert.throws(() => checkWriteOptions("delete", "delete", { ifmatch: "e" }), /did you mean "ifMatch"/);
 * ```
 */
export function checkWriteOptions(
  where: string,
  method: "put" | "delete" | "copy",
  options: unknown,
): void {
  checkOptions(where, options, WRITE_OPTIONS[method]);
  checkConditions(where, options as { ifNoneMatch?: unknown; ifMatch?: unknown }, "write");
  if (method === "copy") checkCopySource(where, (options as CopyOptions | undefined)?.source);
}

/**
 * The error of a copy whose `source` (see `CopyOptions.source`) is no
 * longer the version the caller found: `what` names the copy, `from` its
 * source, `etag` the ETag it was found with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copySourceChanged } from "./object_rules.ts";
 * assert.match(copySourceChanged("COPY a to b", "a", "e1").message, /a changed since it was found/);
 * ```
 */
export function copySourceChanged(
  what: string,
  from: string,
  etag: string,
): PreconditionFailedError {
  return new PreconditionFailedError(
    `${what}: precondition failed, ${from} changed since it was found (its ETag is no longer ${etag})`,
  );
}

/**
 * Refuses a copy's `source` that is not an ETag and a size: the copy would
 * be unconditional, or of the wrong length, without a word.
 */
function checkCopySource(where: string, source: unknown): void {
  if (source === undefined) return;
  const { etag, size } = (source ?? {}) as { etag?: unknown; size?: unknown };
  if (
    typeof source !== "object" || source === null || typeof etag !== "string" || etag === "" ||
    typeof size !== "number" || !Number.isSafeInteger(size) || size < 0
  ) {
    throw new InvalidInputError(
      `${where}: source must be { etag, size }, the source's ETag and size as found, got ${
        describeValue(source)
      }`,
    );
  }
}

// The options each read request takes: a misspelt condition
// (`get(k, { ifmatch })`) read whatever version was there, and a misspelt
// `startAfter` listed from the first key, without a word.
const READ_OPTIONS: Readonly<Record<"get" | "head" | "list", Readonly<Record<string, true>>>> = {
  get: {
    range: true,
    ifNoneMatch: true,
    ifMatch: true,
    signal: true,
    rawBody: true,
  } satisfies OptionNames<GetOptions>,
  head: { signal: true },
  list: {
    startAfter: true,
    etags: true,
    onWarning: true,
    onSwept: true,
    onStartAfterIgnored: true,
    signal: true,
  } satisfies OptionNames<ListOptions>,
};

/**
 * The read side of {@linkcode checkWriteOptions}: refuses an option `get`,
 * `head` or `list` does not take, naming it and the one meant, then checks
 * a `get`'s conditions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReadOptions } from "./object_rules.ts";
 * checkReadOptions("get k", "get", { ifMatch: '"e"', range: { start: 0 } });
 * assert.throws(() => checkReadOptions("get k", "get", { ifmatch: "e" }), /did you mean "ifMatch"/);
 * assert.throws(() => checkReadOptions("list", "list", { startafter: "a" }), /did you mean "startAfter"/);
 * ```
 */
export function checkReadOptions(
  where: string,
  method: "get" | "head" | "list",
  options: unknown,
): void {
  checkOptions(where, options, READ_OPTIONS[method]);
  if (method === "get") {
    checkConditions(where, options as { ifNoneMatch?: unknown; ifMatch?: unknown }, "read");
  }
}

/**
 * Throws `InvalidInputError` naming `where` (the object) unless `body` is a
 * `PutBody`: bytes, a `ReadableStream` or `{ path }` with a string path. A
 * script without type checking passes a string or an `ArrayBuffer`: the
 * stores told it apart differently (a bare `TypeError`, or `MemoryStore`'s
 * `NotFoundError` "undefined does not exist", which a caller's
 * `instanceof NotFoundError` took for a missing file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPutBody } from "./object_rules.ts";
 * checkPutBody(new Uint8Array(1), "k");
 * checkPutBody({ path: "/tmp/x" }, "k");
 * assert.throws(() => checkPutBody("hello", "k"), /body of k must be bytes/);
 * ```
 */
export function checkPutBody(body: unknown, where: string): asserts body is PutBody {
  if (body instanceof Uint8Array || body instanceof ReadableStream) return;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const path: unknown = (body as { path?: unknown }).path;
    if (typeof path === "string" && path !== "") return;
  }
  throw new InvalidInputError(
    `the body of ${where} must be bytes (a Uint8Array), a ReadableStream or { path }, got ${
      describeValue(body)
    }${typeof body === "string" ? ": encode text with TextEncoder" : ""}`,
  );
}
