/**
 * Small rules for building S3 requests and reading responses, shared by
 * `S3Store` and the lean fetch path: key checks, conditions, ETag quoting,
 * Content-MD5, byte slicing. No AWS SDK here.
 *
 * @module
 */
import { IntegrityError, InvalidInputError, PreconditionFailedError } from "../errors.ts";
import { md5Hex, normalizeEtag, parseEtag, RCLONE_MD5_KEY, statedMd5 } from "../hash.ts";
import { googHashMd5 } from "../object_checksum.ts";
import type { PutOptions } from "./types.ts";
import { checkDotSegments } from "../uri.ts";

/** Largest part of a multipart upload, and largest single CopyObject (S3's limit: 5 GiB). */
export const MAX_COPY_SIZE: number = 5 * 1024 * 1024 * 1024;
/** Most parts one multipart upload (or multipart copy) may have (S3's limit). */
export const MAX_PARTS: number = 10_000;
/** Default size of one copied part: few requests, each well within a request timeout. */
export const DEFAULT_COPY_PART_SIZE: number = 512 * 1024 * 1024;

/**
 * Throws `InvalidInputError` for keys S3Store cannot address faithfully: `.`
 * or `..` segments (URL parsing in fetch would normalize them away,
 * addressing another key: `a/../b` would read `b`; the rule of every store,
 * {@linkcode checkDotSegments}), or text that is not valid Unicode.
 *
 * A leading `/` and doubled `//` are addressed exactly (`/a` is its own key,
 * sent as `/bucket//a`, and URLs keep empty segments), so keys other tools
 * wrote that way can be read, listed, copied and deleted. They never leave
 * the store's prefix: with prefix `p`, key `/a` is `p//a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKey } from "./s3_request.ts";
 * checkKey("a/b.csv", "s3://b");
 * checkKey("/a/b.1.0.0.csv", "s3://b");
 * checkKey("a//b.csv", "s3://b");
 * assert.throws(() => checkKey("a/../b", "s3://b"), /"\.\." path segment/);
 * assert.throws(() => checkKey("/../b", "s3://b"), /"\.\." path segment/);
 * ```
 */
export function checkKey(key: string, root: string, what: "key" | "prefix" = "key"): void {
  checkDotSegments(key, root, what);
  if (!key.isWellFormed()) {
    throw new InvalidInputError(`${what} ${JSON.stringify(key)} in ${root} is not valid Unicode`);
  }
}

/**
 * Whether `key` has a `.` or `..` segment, which a URL cannot carry as it is
 * (fetch normalizes it away) but a request body can (DeleteObjects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasDotSegment } from "./s3_request.ts";
 * assert.equal(hasDotSegment("z/../w"), true);
 * assert.equal(hasDotSegment("a/.b"), false);
 * ```
 */
export function hasDotSegment(key: string): boolean {
  return key.split("/").some((s) => s === "." || s === "..");
}

/**
 * Throws `IntegrityError` when `bytes` do not have the MD5 the caller gave.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMd5 } from "./s3_request.ts";
 * checkMd5(new Uint8Array(), "d41d8cd98f00b204e9800998ecf8427e", "s3://b/k");
 * assert.throws(() => checkMd5(new Uint8Array([1]), "d41d8cd98f00b204e9800998ecf8427e", "s3://b/k"));
 * ```
 */
export function checkMd5(bytes: Uint8Array, md5: string, uri: string): void {
  const actual = md5Hex(bytes);
  if (actual !== md5.toLowerCase()) {
    throw new IntegrityError(`${uri}: body MD5 is ${actual}, but md5 ${md5} was given`);
  }
}

/**
 * What a failed precondition of a put means, for messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCondition } from "./s3_request.ts";
 * assert.equal(describeCondition({ ifNoneMatch: "*" }), "the key already exists (If-None-Match: *)");
 * assert.equal(describeCondition({}), undefined);
 * ```
 */
export function describeCondition(options: PutOptions): string | undefined {
  if (options.ifNoneMatch !== undefined) return "the key already exists (If-None-Match: *)";
  if (options.ifMatch !== undefined) {
    return `the object's ETag is not ${normalizeEtag(options.ifMatch)} (If-Match)`;
  }
  return undefined;
}

/**
 * True for a failed precondition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPrecondition } from "./s3_request.ts";
 * import { PreconditionFailedError } from "../errors.ts";
 * assert(isPrecondition(new PreconditionFailedError("x")) && !isPrecondition(new Error("x")));
 * ```
 */
export function isPrecondition(error: unknown): boolean {
  return error instanceof PreconditionFailedError;
}

/**
 * An ETag as a conditional header wants it: quoted (`*` stays bare).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteEtag } from "./s3_request.ts";
 * assert.equal(quoteEtag("abc"), '"abc"');
 * assert.equal(quoteEtag('"abc"'), '"abc"');
 * assert.equal(quoteEtag("*"), "*");
 * ```
 */
export function quoteEtag(etag: string): string {
  if (etag === "*") return etag;
  return `"${normalizeEtag(etag)}"`;
}

/**
 * A hex digest as base64 (the form of `Content-MD5`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexToBase64 } from "./s3_request.ts";
 * assert.equal(hexToBase64("d41d8cd98f00b204e9800998ecf8427e"), "1B2M2Y8AsgTpgAmY7PhCfg==");
 * ```
 */
export function hexToBase64(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) {
    binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  }
  return btoa(binary);
}

/**
 * A key from a listing made with `encoding-type=url` (S3 form-encodes, so
 * `+` is a space).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeListKey } from "./s3_request.ts";
 * assert.equal(decodeListKey("a+b%2Bc"), "a b+c");
 * ```
 */
export function decodeListKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/**
 * Passes through bytes `start..end` (inclusive) of a stream, for a server
 * that ignored `Range` and sent the whole object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliceStream } from "./s3_request.ts";
 * const out = ReadableStream.from([new TextEncoder().encode("hello world")]).pipeThrough(sliceStream(6, 8));
 * assert.equal(await new Response(out).text(), "wor");
 * ```
 */
export function sliceStream(
  start: number,
  end: number | undefined,
): TransformStream<Uint8Array, Uint8Array> {
  let offset = 0;
  const stop = end === undefined ? Infinity : end + 1;
  return new TransformStream({
    transform(chunk, controller) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(chunk.length, stop - offset);
      offset += chunk.length;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (offset >= stop) controller.terminate();
    },
  });
}

/**
 * Whether a 206's `Content-Range` (`bytes first-last/total`) holds exactly
 * the bytes a ranged GET asked for, its end cut at the object's last byte
 * as S3 cuts it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answersRange } from "./s3_request.ts";
 * assert(answersRange({ start: 10, end: 19 }, "bytes 10-19/100"));
 * assert(answersRange({ start: 90, end: 199 }, "bytes 90-99/100"));
 * assert(answersRange({ start: 90 }, "bytes 90-99/100"));
 * assert(!answersRange({ start: 10, end: 19 }, "bytes 0-9/100"));
 * assert(!answersRange({ start: 10, end: 19 }, null));
 * ```
 */
export function answersRange(
  range: { start: number; end?: number | undefined },
  contentRange: string | null,
): boolean {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange?.trim() ?? "");
  if (m === null) return false;
  const last = Math.min(range.end ?? Infinity, Number(m[3]) - 1);
  return Number(m[1]) === range.start && Number(m[2]) === last;
}

/**
 * Whether S3 says the object's ETag is not the MD5 of its content: with
 * SSE-KMS (`aws:kms`, `aws:kms:dsse`) or SSE-C encryption it is not, although
 * it still looks like 32 hex digits. (SSE-S3, `AES256`, keeps MD5 ETags.)
 * So are a write's answers: a PUT's or UploadPart's ETag into a bucket
 * whose default encryption is SSE-KMS is no MD5 of the bytes sent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasOpaqueEtag } from "./s3_request.ts";
 * assert(hasOpaqueEtag(new Headers({ "x-amz-server-side-encryption": "aws:kms" })));
 * assert(!hasOpaqueEtag(new Headers({ "x-amz-server-side-encryption": "AES256" })));
 * ```
 */
export function hasOpaqueEtag(headers: { get(name: string): string | null }): boolean {
  return (headers.get("x-amz-server-side-encryption") ?? "").startsWith("aws:kms") ||
    headers.get("x-amz-server-side-encryption-customer-algorithm") !== null ||
    googHashDenies(headers.get("x-goog-hash"), headers.get("etag") ?? "");
}

/**
 * Whether a 200 answer's `Content-Length: 0` is belied by its ETag: a plain
 * MD5 ETag (not opaque: see {@linkcode hasOpaqueEtag}) that is not the MD5
 * of no bytes names content, so the length is not the object's. An HTTP
 * framework or proxy before an S3-compatible store may set the length of the
 * empty body it sends to a HEAD; read as the size, the object looked empty,
 * and a cache downloaded it again at every revalidation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroLengthBelied } from "./s3_request.ts";
 * const etag = '"5d41402abc4b2a76b9719d911017c592"'; // "hello"
 * assert(zeroLengthBelied(new Headers({ "content-length": "0", etag })));
 * assert(!zeroLengthBelied(new Headers({ "content-length": "5", etag })));
 * const empty = '"d41d8cd98f00b204e9800998ecf8427e"';
 * assert(!zeroLengthBelied(new Headers({ "content-length": "0", etag: empty })));
 * const kms = { "content-length": "0", etag, "x-amz-server-side-encryption": "aws:kms" };
 * assert(!zeroLengthBelied(new Headers(kms)));
 * ```
 */
export function zeroLengthBelied(headers: { get(name: string): string | null }): boolean {
  if (headers.get("content-length")?.trim() !== "0") return false;
  const etag = parseEtag(headers.get("etag") ?? "");
  return etag.kind === "md5" && etag.md5 !== md5Hex("") && !hasOpaqueEtag(headers);
}

/**
 * Whether a GET answer states the MD5 of `bytes`: its plain ETag (not
 * opaque: see {@linkcode hasOpaqueEtag}), else the `vc-md5` (or rclone's
 * `md5chksum`) metadata vc writes. Tells an object whose content happens to
 * be an S3 `<Error>` document from such a document sent in its place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5Vouches } from "./s3_request.ts";
 * const hello = new TextEncoder().encode("hello");
 * assert(md5Vouches(new Headers({ etag: '"5d41402abc4b2a76b9719d911017c592"' }), hello));
 * assert(md5Vouches(new Headers({ etag: '"v1"', "x-amz-meta-vc-md5": "5d41402abc4b2a76b9719d911017c592" }), hello));
 * assert(!md5Vouches(new Headers({ etag: '"v1"' }), hello));
 * ```
 */
export function md5Vouches(
  headers: { get(name: string): string | null },
  bytes: Uint8Array,
): boolean {
  const metadata: Record<string, string> = {};
  for (const name of ["vc-md5", RCLONE_MD5_KEY]) {
    const value = headers.get(`x-amz-meta-${name}`);
    if (value !== null) metadata[name] = value.trim();
  }
  const md5 = statedMd5({
    etag: headers.get("etag") ?? "",
    opaqueEtag: hasOpaqueEtag(headers),
    metadata,
  });
  return md5 !== undefined && md5 === md5Hex(bytes);
}

/**
 * Whether Google Cloud Storage's own MD5 of the content (`x-goog-hash:
 * md5=…`) says an ETag of 32 hex digits is not the MD5: GCS promises an MD5
 * ETag only for some objects (not those encrypted with a Cloud KMS key,
 * among others), and such an ETag taken for the MD5 refused intact bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { googHashDenies } from "./s3_request.ts";
 * const hash = "crc32c=mnG7TA==, md5=XUFAKrxLKna5cZ2REBfFkg==";
 * assert(googHashDenies(hash, '"0123456789abcdef0123456789abcdef"'));
 * assert(!googHashDenies(hash, '"5d41402abc4b2a76b9719d911017c592"'));
 * assert(!googHashDenies(null, '"0123456789abcdef0123456789abcdef"'));
 * ```
 */
export function googHashDenies(googHash: string | null | undefined, etag: string): boolean {
  if (googHash === null || googHash === undefined) return false;
  const md5 = googHashMd5(googHash);
  const kind = parseEtag(etag);
  return md5 !== undefined && kind.kind === "md5" && kind.md5 !== md5;
}
