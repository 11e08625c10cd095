/**
 * MD5 and S3 ETag helpers. MD5 is what S3 uses for single-part ETags; a
 * multipart ETag is the MD5 of the parts' binary MD5s, suffixed `-<parts>`.
 *
 * @module
 */
import type { Hash } from "node:crypto";
import { InvalidInputError } from "./errors.ts";
import { describeValue, requireString } from "./options_check.ts";
import { claimJsHashing, JS_MD5_LIMIT, JsMd5 } from "./md5_js.ts";
import { sha256 as jsSha256, toHex } from "./sha256_js.ts";

// `node:crypto` costs ~15 ms of start-up (it brings up Deno's Node
// compatibility layer), and this module is on the warm path of `vc path`
// only for the ETag string helpers, which hash nothing. So it is loaded on
// first use: `md5File` imports it, and the synchronous helpers get it through
// `process.getBuiltinModule`, which loads it in place. The `type` import
// above is erased, so it loads nothing.
let nodeCrypto: typeof import("node:crypto") | undefined;

function createHash(algorithm: "md5" | "sha256"): Hash {
  nodeCrypto ??= globalThis.process.getBuiltinModule("node:crypto");
  return nodeCrypto.createHash(algorithm);
}

/**
 * `node:crypto` if this process has loaded it for a hash already, without
 * loading it (SigV4 signing uses the faster native hashes only then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadedNodeCrypto } from "./hash.ts";
 * const before = loadedNodeCrypto();
 * assert(before === undefined || typeof before.createHash === "function");
 * ```
 */
export function loadedNodeCrypto(): typeof import("node:crypto") | undefined {
  return nodeCrypto;
}

/** What a hash is fed and read through: a `node:crypto` Hash, or a TypeScript one. */
export interface Digest {
  /** Takes the next bytes (the caller may reuse its buffer afterwards). */
  update(data: Uint8Array): unknown;
  /** The hex digest; the hash takes no more bytes after it. */
  digest(encoding: "hex"): string;
}

// SHA-256 of the few bytes of a small input: the chunks kept (copies: a
// caller may reuse its buffer) and hashed at the end. An input that turns
// out larger (a file that grew while it was read) goes on natively, its
// kept chunks fed first: memory stays bounded by JS_MD5_LIMIT.
class SmallSha256 implements Digest {
  #chunks: Uint8Array[] = [];
  #kept = 0;
  #native: Hash | undefined;
  update(data: Uint8Array): void {
    if (this.#native === undefined && this.#kept + data.length > JS_MD5_LIMIT) {
      this.#native = createHash("sha256");
      for (const chunk of this.#chunks) this.#native.update(chunk);
      this.#chunks = [];
    }
    if (this.#native !== undefined) {
      this.#native.update(data);
      return;
    }
    this.#chunks.push(data.slice());
    this.#kept += data.length;
  }
  digest(encoding: "hex"): string {
    return this.#native?.digest(encoding) ?? toHex(jsSha256(...this.#chunks));
  }
}

/**
 * A hash for `size` bytes (at most; Infinity when unknown): in TypeScript
 * when they are few and within the process's budget (`claimJsHashing`:
 * loading `node:crypto` would cost more than hashing them), natively
 * otherwise. So a command that hashes a few small files (a cached copy
 * checked by `vc sync` or `vc cache verify`, a `file://` object's ETag)
 * never loads the Node compatibility layer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestFor } from "./hash.ts";
 * const h = digestFor("sha256", 3);
 * h.update(new TextEncoder().encode("abc"));
 * assert(h.digest("hex").startsWith("ba7816bf8f01cfea"));
 * ```
 */
export function digestFor(algorithm: "md5" | "sha256", size: number): Digest {
  return digestIn(algorithm, claimJsHashing(size));
}

// Bytes whose MD5 this process computed itself (see contentMd5): weak, so
// a buffer noted is freed with it.
const hashedContent = new WeakMap<Uint8Array, string>();

/**
 * Notes that `md5` is the MD5 of `bytes`, computed from them by the caller
 * (a directory store's small file read whole and hashed for its ETag), for
 * {@linkcode contentMd5}. The bytes must not be changed afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentMd5, md5Hex, noteContentMd5 } from "./hash.ts";
 * const bytes = new TextEncoder().encode("a");
 * noteContentMd5(bytes, md5Hex(bytes));
 * assert.equal(contentMd5(bytes), "0cc175b9c0f1b6a831c399e269772661");
 * ```
 */
export function noteContentMd5(bytes: Uint8Array, md5: string): void {
  hashedContent.set(bytes, md5);
}

/**
 * The MD5 noted for this very buffer by {@linkcode noteContentMd5}, or
 * `undefined`: a download writing bytes a directory store has just hashed
 * for their ETag need not hash them again to check them against it (a cold
 * copy of many small `file://` files hashed each twice).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentMd5 } from "./hash.ts";
 * assert.equal(contentMd5(new Uint8Array(1)), undefined);
 * ```
 */
export function contentMd5(bytes: Uint8Array): string | undefined {
  return hashedContent.get(bytes);
}

/**
 * A hash in TypeScript (`typescript`: the caller claimed the bytes with
 * `claimJsHashing`) or a native one. For a caller that claims once for
 * several hashes (a stream hashed in segments); else see {@linkcode digestFor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestIn } from "./hash.ts";
 * const h = digestIn("md5", true);
 * h.update(new TextEncoder().encode("a"));
 * assert.equal(h.digest("hex"), "0cc175b9c0f1b6a831c399e269772661");
 * ```
 */
export function digestIn(algorithm: "md5" | "sha256", typescript: boolean): Digest {
  if (!typescript) return createHash(algorithm);
  return algorithm === "md5" ? new JsMd5() : new SmallSha256();
}

function bytesOf(data: Uint8Array | string): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  // A number or an ArrayBuffer hashed as no bytes at all: the empty MD5, a
  // wrong answer with no error.
  if (!(data instanceof Uint8Array)) {
    throw new InvalidInputError(
      `the data to hash must be bytes (a Uint8Array) or a string, got ${describeValue(data)}`,
    );
  }
  return data;
}

/**
 * Hex SHA-256 of bytes or a string (UTF-8): SigV4 payload hashes, and stable
 * short names for over-long path segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./hash.ts";
 * assert(sha256Hex("abc").startsWith("ba7816bf8f01cfea"));
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  const bytes = bytesOf(data);
  const hash = digestFor("sha256", bytes.length);
  hash.update(bytes);
  return hash.digest("hex");
}

/**
 * Hex MD5 of bytes or a string (UTF-8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5Hex } from "./hash.ts";
 * assert(md5Hex("") === "d41d8cd98f00b204e9800998ecf8427e");
 * ```
 */
export function md5Hex(data: Uint8Array | string): string {
  const bytes = bytesOf(data);
  const hash = digestFor("md5", bytes.length);
  hash.update(bytes);
  return hash.digest("hex");
}

/**
 * An incremental MD5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Md5 } from "./hash.ts";
 * const h = new Md5();
 * h.update(new TextEncoder().encode("a"));
 * assert(h.hex() === "0cc175b9c0f1b6a831c399e269772661");
 * ```
 */
export class Md5 {
  #hash: Digest;
  /** `size`: how many bytes will come, when known (few are hashed without `node:crypto`). */
  constructor(size = Infinity) {
    this.#hash = digestFor("md5", size);
  }
  /** Adds bytes. */
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  /** The hex digest; the hash cannot be updated afterwards. */
  hex(): string {
    return this.#hash.digest("hex");
  }
}

// Large reads keep per-call overhead negligible, and two buffers let the next
// read run on Deno's I/O threads while this thread hashes the previous chunk:
// hashing is the bottleneck, so the read time is hidden almost entirely.
const READ_CHUNK = 8 * 1024 * 1024;

/**
 * Hex MD5 of a byte range of a file (the whole file by default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5File } from "./hash.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "a");
 * assert(await md5File(p) === "0cc175b9c0f1b6a831c399e269772661");
 * await Deno.remove(p);
 * ```
 */
export function md5File(
  path: string,
  options: {
    start?: number;
    length?: number;
    onProgress?: (bytes: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<string> {
  return digestFile(path, "md5", options);
}

/**
 * Hex SHA-256 of a file (checking a cached copy against an integrity lock);
 * `signal` stops it between reads, `onProgress` is told the bytes read so far.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256File } from "./hash.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "abc");
 * assert((await sha256File(p)).startsWith("ba7816bf8f01cfea"));
 * await Deno.remove(p);
 * ```
 */
export function sha256File(
  path: string,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<string> {
  return digestFile(path, "sha256", options);
}

async function digestFile(
  path: string,
  algorithm: "md5" | "sha256",
  options: FileReadOptions,
): Promise<string> {
  const { hash } = await hashFileWith(path, (size) => digestFor(algorithm, size), options);
  return hash.digest("hex");
}

/** Which bytes of a file {@linkcode hashFileWith} reads, and what it tells while it does. */
export interface FileReadOptions {
  /** Offset of the first byte (0 by default). */
  start?: number;
  /** How many bytes at most (to the end by default). */
  length?: number;
  /** Told the bytes read so far after each read. */
  onProgress?: (bytes: number) => void;
  /** Stops the read between chunks. */
  signal?: AbortSignal;
}

/**
 * Reads a byte range of a file once, feeding every chunk to the hash that
 * `make` returns for the number of bytes there are to read (a small count is
 * hashed in TypeScript: see {@linkcode digestFor}). One read for several
 * digests: a cached copy checked against both its ETag's MD5 and a lock's
 * SHA-256 hands a hasher that feeds both. Returns the hash and the bytes read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestFor, hashFileWith } from "./hash.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "abc");
 * const { hash, bytes } = await hashFileWith(p, (size) => digestFor("md5", size));
 * assert.equal(bytes, 3);
 * assert.equal(hash.digest("hex"), "900150983cd24fb0d6963f7d28e17f72");
 * await Deno.remove(p);
 * ```
 */
export async function hashFileWith<T extends { update(data: Uint8Array): unknown }>(
  path: string,
  make: (size: number) => T,
  options: FileReadOptions = {},
): Promise<{ hash: T; bytes: number }> {
  options.signal?.throwIfAborted();
  using file = await Deno.open(path, { read: true });
  if (options.start) await file.seek(options.start, Deno.SeekMode.Start);
  // Buffers no larger than what is there to read: a cache restored without
  // its times has each small entry hashed once, and zeroing two 8 MiB
  // buffers per file cost more than reading and hashing it (~1 ms each).
  // A file that grows meanwhile is still read to its end, in more reads.
  const left = Math.max(0, (await file.stat()).size - (options.start ?? 0));
  // A small file is hashed in TypeScript (a file that grows meanwhile, too:
  // the hash is right at any length, only slower).
  const hash = make(Math.min(left, options.length ?? Infinity));
  const size = Math.max(1, Math.min(READ_CHUNK, options.length ?? READ_CHUNK, left));
  const buffers = [new Uint8Array(size), new Uint8Array(size)] as const;
  let remaining = options.length ?? Infinity;
  let done = 0;
  let current: 0 | 1 = 0;
  const readInto = (buf: Uint8Array) =>
    remaining > 0 ? file.read(remaining < buf.length ? buf.subarray(0, remaining) : buf) : null;
  let pending = readInto(buffers[0]);
  while (true) {
    const n = await pending;
    if (n === null) break;
    options.signal?.throwIfAborted();
    const chunk = buffers[current].subarray(0, n);
    remaining -= n;
    done += n;
    current = current === 0 ? 1 : 0;
    pending = readInto(buffers[current]);
    hash.update(chunk);
    options.onProgress?.(done);
  }
  return { hash, bytes: done };
}

/**
 * The S3 multipart ETag for parts whose hex MD5s are given in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5Hex, multipartEtag } from "./hash.ts";
 * const etag = multipartEtag([md5Hex("a"), md5Hex("b")]);
 * assert(etag.endsWith("-2"));
 * ```
 */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  if (!Array.isArray(partMd5Hex)) {
    throw new InvalidInputError(
      `multipartEtag(): the parts' MD5s must be an array of hex strings, got ${
        describeValue(partMd5Hex)
      }`,
    );
  }
  const hash = digestFor("md5", 16 * partMd5Hex.length);
  for (const hex of partMd5Hex) hash.update(hexToBytes(hex));
  return `${hash.digest("hex")}-${partMd5Hex.length}`;
}

/** What an ETag tells about the content. */
export type EtagKind =
  | { kind: "md5"; md5: string }
  | { kind: "multipart"; parts: number }
  | { kind: "opaque" };

/**
 * Classifies an ETag (quotes and a weak `W/` prefix are ignored): a plain MD5,
 * a multipart ETag with its part count, or opaque (e.g. SSE-KMS objects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEtag } from "./hash.ts";
 * assert(parseEtag('"0cc175b9c0f1b6a831c399e269772661"').kind === "md5");
 * const m = parseEtag("0cc175b9c0f1b6a831c399e269772661-3");
 * assert(m.kind === "multipart" && m.parts === 3);
 * ```
 */
export function parseEtag(etag: string): EtagKind {
  requireString("parseEtag(): the ETag", etag);
  const e = normalizeEtag(etag).toLowerCase();
  if (/^[0-9a-f]{32}$/.test(e)) return { kind: "md5", md5: e };
  const m = /^[0-9a-f]{32}-(\d{1,5})$/.exec(e);
  if (m) return { kind: "multipart", parts: Number(m[1]) };
  return { kind: "opaque" };
}

/**
 * The MD5 of the content that an object's description states: its plain
 * ETag, unless the store marks that ETag opaque (S3 SSE-KMS and SSE-C ETags
 * look like an MD5 and are not one), else the `vc-md5` metadata vc writes
 * (or rclone's `md5chksum`); undefined when neither says (a multipart upload
 * by another tool).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statedMd5 } from "./hash.ts";
 * const md5 = "0cc175b9c0f1b6a831c399e269772661";
 * assert.equal(statedMd5({ etag: `"${md5}"` }), md5);
 * assert.equal(statedMd5({ etag: md5, opaqueEtag: true }), undefined);
 * assert.equal(statedMd5({ etag: `${md5}-2`, metadata: { "vc-md5": md5.toUpperCase() } }), md5);
 * ```
 */
export function statedMd5(
  info: { etag: string; opaqueEtag?: boolean; metadata?: Record<string, string> },
): string | undefined {
  const etag = parseEtag(info.etag);
  if (etag.kind === "md5" && info.opaqueEtag !== true) return etag.md5;
  return vcMd5Of(info);
}

/**
 * The MD5 an object's uploader recorded in its metadata, as hex: vc's own
 * `vc-md5`, else rclone's `md5chksum` (Base64 of the 16 bytes, which rclone
 * writes on its multipart uploads), when well-formed. Either one makes a
 * multipart or opaque (SSE-KMS) ETag object checkable by its content MD5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vcMd5Of } from "./hash.ts";
 * assert.equal(vcMd5Of({ metadata: { "vc-md5": "not hex" } }), undefined);
 * assert.equal(
 *   vcMd5Of({ metadata: { md5chksum: "XUFAKrxLKna5cZ2REBfFkg==" } }), // rclone's, of "hello"
 *   "5d41402abc4b2a76b9719d911017c592",
 * );
 * ```
 */
export function vcMd5Of(info: { metadata?: Record<string, string> }): string | undefined {
  const md5 = info.metadata?.["vc-md5"]?.toLowerCase();
  if (md5 !== undefined && /^[0-9a-f]{32}$/.test(md5)) return md5;
  const rclone = info.metadata?.[RCLONE_MD5_KEY];
  if (rclone === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(rclone)) return undefined;
  return Array.from(atob(rclone), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

/**
 * rclone's user metadata key for an object's content MD5 (Base64 of the 16
 * bytes, as `Content-MD5` is; `hexToBase64` writes it): rclone reads it for
 * `md5sum`, `check` and `sync --checksum` when the ETag is a multipart one,
 * and re-uploads what it cannot compare.
 */
export const RCLONE_MD5_KEY = "md5chksum";

/**
 * Strips quotes and a weak prefix from an ETag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeEtag } from "./hash.ts";
 * assert(normalizeEtag('W/"abc"') === "abc");
 * ```
 */
export function normalizeEtag(etag: string): string {
  // What `.replace(/^W\//, "").replace(/^"(.*)"$/, "$1")` does, without two
  // regular-expression replacements (and their captures) on each of the
  // several calls per object: the quotes go only when nothing between them
  // ends a line (`.` stops there).
  const s = etag.startsWith("W/") ? etag.slice(2) : etag;
  if (
    s.length < 2 || s.charCodeAt(0) !== QUOTE || s.charCodeAt(s.length - 1) !== QUOTE ||
    LINE_END.test(s)
  ) return s;
  return s.slice(1, -1);
}

const QUOTE = 0x22;
const LINE_END = /[\n\r\u2028\u2029]/;

const MiB = 1024 * 1024;

/**
 * Part sizes that could have produced a multipart ETag with `parts` parts for
 * an object of `size` bytes, most likely first: the common client defaults
 * (8 MiB for the aws CLI and boto3, 5 MiB for the SDKs, 16 MiB and others),
 * then the smallest whole MiB that fits, then the exact quotient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { candidatePartSizes } from "./hash.ts";
 * const sizes = candidatePartSizes(20 * 1024 * 1024, 3);
 * assert(sizes.includes(8 * 1024 * 1024));
 * ```
 */
export function candidatePartSizes(size: number, parts: number): number[] {
  const fits = (p: number) => p > 0 && Math.ceil(size / p) === parts;
  const out = new Set<number>();
  // A zero or absurd part count (corrupt ETag) must not send the search below into a spin.
  if (!Number.isSafeInteger(parts) || parts <= 0 || parts > 10_000) return [];
  // An empty object completed from one empty part (a streaming uploader that
  // got no bytes): any part size gives md5(md5(""))-1.
  if (size === 0) return parts === 1 ? [8 * MiB] : [];
  if (size < parts) return [];
  for (const mib of [8, 5, 16, 15, 10, 32, 64, 100, 128, 256, 512]) {
    if (fits(mib * MiB)) out.add(mib * MiB);
  }
  const minMib = Math.ceil(size / parts / MiB);
  for (let mib = minMib; mib <= minMib + 2; mib++) if (fits(mib * MiB)) out.add(mib * MiB);
  const exact = Math.ceil(size / parts);
  if (fits(exact)) out.add(exact);
  return [...out];
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
