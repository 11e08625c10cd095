/**
 * The storage seam: every capability reads and writes objects only through
 * {@linkcode ObjectStore}. Implementations: `S3Store` (S3 and S3-compatible
 * servers), `FsStore` (a directory used as a bucket), or your own.
 *
 * @module
 */
import type { Clock } from "../clock.ts";

/** What a store knows about one object. */
export interface ObjectInfo {
  /** Key relative to the store's root (no leading slash). */
  key: string;
  /** Size in bytes. */
  size: number;
  /**
   * Entity tag without surrounding quotes. For single-part uploads it is the
   * hex MD5 of the content; for multipart uploads `<hex>-<parts>`. The empty
   * string means "unknown": only in listings asked for with
   * `{ etags: false }`, from stores that would have to read the content to
   * compute it (`FsStore` for a file without a valid sidecar). `head` and
   * `get` always return a real ETag.
   */
  etag: string;
  /** Last modification time. */
  lastModified: Date;
  /** User metadata (`x-amz-meta-*`), lower-case keys. Absent in listings. */
  metadata?: Record<string, string>;
  /** Content type, when the store records one. Absent in listings. */
  contentType?: string;
  /**
   * The `Content-Encoding` an answer came with, other than `identity`
   * (e.g. `gzip`): bytes coded by the store for an object stored so, or by
   * something between (a proxy compressing answers). Only to explain bytes
   * that do not match the ETag or size. Absent in listings.
   */
  contentEncoding?: string;
  /**
   * True when the store says the ETag is not a hash of the content although
   * it may look like one: S3 objects encrypted with SSE-KMS or SSE-C have an
   * ETag of 32 hex digits that is not their MD5.
   */
  opaqueEtag?: boolean;
  /**
   * A token of the object's state that this ETag is of, from stores that
   * have one cheaper than the ETag (see {@linkcode ObjectStore.validator}):
   * while `validator(key)` returns the same token, the ETag is unchanged.
   * Absent when the store has none, or none it can vouch for (`FsStore`: a
   * file changed within the last seconds). A listing with `etags: false`
   * gives it also for an object it lists with `etag: ""`: a caller that
   * recorded an ETag with an equal token knows the ETag without a read.
   */
  validator?: string;
  /**
   * The store's own checksum of the object (`x-amz-checksum-*`), when it
   * keeps one and was asked for it (S3Store asks, with
   * `x-amz-checksum-mode: ENABLED`, on a HEAD and a whole-object GET).
   * Downloads check a `FULL_OBJECT` one when the ETag is no MD5. Absent in
   * listings and from other stores.
   */
  checksum?: ObjectChecksum;
  /**
   * The archive an object is kept in when the store will not read it until
   * it is restored: its storage class (`GLACIER`, `DEEP_ARCHIVE`), or
   * `INTELLIGENT_TIERING (ARCHIVE_ACCESS)` for an archive tier. Absent for an
   * object that reads as any other (another class, `GLACIER_IR`, or a copy
   * already restored), in listings, and from other stores. S3 HEADs such an
   * object as any other, and refuses its GET (`ObjectArchivedError`).
   */
  archived?: string;
}

/** An algorithm of S3's object checksums. */
export type ChecksumAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C" | "SHA1" | "SHA256";

/** A checksum S3 keeps of an object (see {@linkcode ObjectInfo.checksum}). */
export interface ObjectChecksum {
  /** Which algorithm. */
  algorithm: ChecksumAlgorithm;
  /** Base64 of the big-endian digest; a COMPOSITE one ends in `-<parts>`. */
  value: string;
  /**
   * `FULL_OBJECT`: of the whole content. `COMPOSITE`: of the parts'
   * checksums (a multipart upload's), checkable only with the part layout.
   */
  type: "FULL_OBJECT" | "COMPOSITE";
}

/** Options for {@linkcode ObjectStore.get}. */
export interface GetOptions {
  /** Byte range, inclusive `start`, inclusive `end` (defaults to the last byte). */
  range?: { start: number; end?: number };
  /** Throw `NotModifiedError` when the object's ETag equals this one. */
  ifNoneMatch?: string;
  /** Throw `PreconditionFailedError` unless the object's ETag equals this one. */
  ifMatch?: string;
  /** Aborts the request and the body stream. */
  signal?: AbortSignal;
  /**
   * S3Store: hand out `fetch`'s own body stream instead of one guarded by
   * the idle-read timeout, so that piping it into a file copies without
   * JavaScript (several times faster for large objects). The connect and
   * first-byte timeouts still apply; noticing a body that stalls midway is
   * then the caller's job. Other stores ignore it.
   */
  rawBody?: boolean;
}

/** An object's body and what the store said about it. */
export interface GetResult {
  /** Information about the whole object (`size` is the full size, not the range's). */
  info: ObjectInfo;
  /** The requested bytes. The caller must consume or cancel it (unless it takes `bytes`). */
  body: ReadableStream<Uint8Array>;
  /**
   * The same bytes, when the store has already read them into memory (small
   * objects): a caller may take these instead and leave `body` untouched
   * (then there is nothing to cancel).
   */
  bytes?: Uint8Array;
  /**
   * True when a ranged GET was answered with the whole object (a server or
   * proxy that ignores `Range`): `body` still holds only the asked bytes, but
   * every byte before them came over the wire too, so a caller fetching many
   * ranges should fetch the object in one stream instead.
   */
  rangeIgnored?: boolean;
}

/** A body to upload: bytes, a stream, or a local file (read in parallel parts when large). */
export type PutBody = Uint8Array | ReadableStream<Uint8Array> | { path: string };

/** Options for {@linkcode ObjectStore.put}. */
export interface PutOptions {
  /** `"*"`: create only; throw `PreconditionFailedError` when the key exists. */
  ifNoneMatch?: "*";
  /** Compare-and-swap: throw `PreconditionFailedError` unless the current ETag equals this. */
  ifMatch?: string;
  /** User metadata to store with the object (lower-case keys, ASCII values). */
  metadata?: Record<string, string>;
  /** Content type to record. */
  contentType?: string;
  /** Hex MD5 of the body when the caller already knows it (sent as Content-MD5). */
  md5?: string;
  /**
   * How an S3 multipart upload protects each part on the way: `"md5"`
   * (default) sends each part's Content-MD5 and checks the object's
   * multipart ETag against the parts' MD5s; `"crc32"` sends each part's
   * `x-amz-checksum-crc32` instead (checked by S3; a fraction of MD5's CPU)
   * and checks the object's composite CRC32. For callers that do not need
   * the multipart ETag to match local MD5s. A store that refuses the
   * checksum headers (Backblaze B2) gets `"md5"`. Other stores ignore it.
   */
  partChecksum?: "md5" | "crc32";
  /** Body size when known in advance (required by some stores for streams). */
  size?: number;
  /** Called with the number of bytes sent so far. */
  onProgress?: (bytesSent: number) => void;
  /** Aborts the upload. */
  signal?: AbortSignal;
  /**
   * Called when an upload sent in parts (an S3 multipart upload) has every
   * part stored, before it is completed, and waited for (sync or async; what
   * it returns is not looked at): a throw, or a rejection, aborts the upload, so no
   * object is made (an existing one stays as it was), and is rethrown. For a
   * caller that read a file in parts and must not commit bytes it cannot
   * vouch for (the file rewritten while it was read). An upload sent whole is
   * checked against `md5` instead, and does not call it.
   */
  beforeCommit?: () => unknown;
}

/** Result of a successful {@linkcode ObjectStore.put}. */
export interface PutResult {
  /** ETag of the stored object, without quotes. */
  etag: string;
  /**
   * The store's id of the version this write made, where the store keeps
   * versions and said which (S3 with versioning on: `x-amz-version-id`);
   * absent otherwise (a bucket without versioning, `FsStore`,
   * `MemoryStore`, a write whose answer was lost and was found by reading
   * back). {@linkcode ObjectStore.deleteVersion} removes exactly it.
   */
  versionId?: string;
}

/** Something a listing skipped or could not describe, reported instead of failing it. */
export interface ListWarning {
  /** The key (or key prefix of a directory) concerned. */
  key: string;
  /** What happened, naming the key and the store. */
  message: string;
  /** The underlying error. */
  cause?: unknown;
}

/** Options for {@linkcode ObjectStore.list}. */
export interface ListOptions {
  /** Only keys strictly after this one (S3 `start-after`). */
  startAfter?: string;
  /**
   * Whether every listed object must carry its ETag (default true). With
   * `false` a store that would have to read content to know it may return
   * `etag: ""` instead (see {@linkcode ObjectInfo.etag}); size and
   * lastModified are always there. S3 listings always carry ETags.
   */
  etags?: boolean;
  /**
   * Called for entries the listing skips instead of failing as a whole (an
   * unreadable file or directory in an `FsStore`). Default: the listeners
   * of `listenToListWarnings` (the CLI's output), else `console.warn`.
   */
  onWarning?: (warning: ListWarning) => void;
  /**
   * Called with the path (relative to the store's root, as a key) of each
   * temp file or key lock file a writer that is gone (`kill -9`) left in a
   * listed directory of an `FsStore`, which the listing removed. Other
   * stores never call it.
   */
  onSwept?: (path: string) => void;
  /**
   * Called (once) when the server answered a listing with `startAfter` from
   * before it, having ignored it (some S3-compatible servers do): the keys
   * up to it are dropped as they come, so each such listing reads every key
   * before `startAfter` again. A caller that lists again from later keys
   * (to step over a folder) reads on instead. Other stores never call it.
   */
  onStartAfterIgnored?: () => void;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/** Options for {@linkcode ObjectStore.copy}. */
export interface CopyOptions {
  /** `"*"`: copy only if `to` does not exist yet (else `PreconditionFailedError`). */
  ifNoneMatch?: "*";
  /**
   * The source as the caller just found it (a HEAD, a listing): the copy is
   * of that version only, and a source replaced since fails it with
   * `PreconditionFailedError` rather than copy what is there now (S3:
   * `x-amz-copy-source-if-match`; a directory or memory store checks the
   * ETag itself). An `S3Store` then sends no HEAD of its own for a copy in
   * one request (it still reads the metadata of one it copies in parts).
   */
  source?: { etag: string; size: number };
  /**
   * Aborts the copy: it rejects with the signal's reason. An S3 copy in one
   * request (CopyObject, minutes for a large object) is cut off, which the
   * server may still finish (the key then holds the whole source, never
   * part of it); one in parts aborts its upload, leaving nothing.
   */
  signal?: AbortSignal;
}

/** Options for {@linkcode ObjectStore.delete}. */
export interface DeleteOptions {
  /**
   * Conditional delete of exactly one key: delete only when the object's ETag
   * equals this one, else throw `PreconditionFailedError` (S3 `If-Match` on
   * DeleteObject). A missing key is not an error, as on S3. Giving it with
   * any number of keys other than one throws `InvalidInputError`.
   */
  ifMatch?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/**
 * A flat key/value object store with S3 semantics.
 *
 * Keys are relative to the store's root, use `/` as separator, and never start
 * with `/`. Listings are in UTF-8 byte order of keys, like S3.
 */
export interface ObjectStore {
  /** A URI naming this store's root, e.g. `s3://bucket/prefix` or `file:///srv/assets`. */
  readonly url: string;
  /**
   * Optional: how long (ms) a `rawBody` body may send nothing before its
   * reader should give up and resume (the store guards every other body
   * itself). Absent or 0: no limit.
   */
  readonly idleTimeoutMs?: number;
  /** Optional: the clock `idleTimeoutMs` is counted on (absent: the system clock). */
  readonly clock?: Clock | undefined;
  /**
   * Optional: why this store refuses every write (an `S3Store` sending
   * unsigned requests), so a run of writes (a mirror to it) stops before
   * the first rather than fail once per object. Absent or `undefined`: it
   * may take writes.
   */
  readonly readOnly?: string | undefined;
  /**
   * Optional: the server this store is on when `url` does not name it (an
   * `S3Store`'s S3-compatible endpoint, normalized), so one
   * `s3://bucket/prefix` on two servers is told apart (a mirror's state
   * file). Absent or `undefined`: AWS itself, or a store its `url` names.
   */
  readonly endpoint?: string | undefined;
  /**
   * Metadata of `key`, or `undefined` when it does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * // Code written against ObjectStore works on S3, a directory or memory.
   * async function exists(store: ObjectStore, key: string): Promise<boolean> {
   *   return (await store.head(key)) !== undefined;
   * }
   * await using store = new MemoryStore();
   * await store.put("a.txt", new TextEncoder().encode("a"));
   * assert(await exists(store, "a.txt") && !(await exists(store, "b.txt")));
   * ```
   */
  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined>;
  /**
   * The object's body; throws `NotFoundError` when it does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * import { NotFoundError } from "../errors.ts";
   * async function readText(store: ObjectStore, key: string): Promise<string> {
   *   const { body } = await store.get(key);
   *   return await new Response(body).text();
   * }
   * await using store = new MemoryStore();
   * await store.put("a.txt", new TextEncoder().encode("hello"));
   * assert(await readText(store, "a.txt") === "hello");
   * await assert.rejects(readText(store, "b.txt"), NotFoundError);
   * ```
   */
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /**
   * Stores an object atomically: readers see the old or the new content,
   * never a mix. A stream of unknown length works on every store, with
   * `metadata` and `contentType`; `get` and `head` return them.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * import { PreconditionFailedError } from "../errors.ts";
   * await using store: ObjectStore = new MemoryStore();
   * const utf8 = new TextEncoder();
   * // A stream of unknown length, with metadata:
   * const body = ReadableStream.from([utf8.encode("a,"), utf8.encode("b\n")]);
   * const { etag } = await store.put("t.csv", body, { metadata: { rows: "1" } });
   * assert((await store.head("t.csv"))?.metadata?.rows === "1");
   * // Compare-and-swap: replace only the version that was read.
   * await store.put("t.csv", utf8.encode("c\n"), { ifMatch: etag });
   * await assert.rejects(store.put("t.csv", utf8.encode("d\n"), { ifMatch: etag }), PreconditionFailedError);
   * ```
   */
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;
  /**
   * Every object whose key starts with `prefix`, in key order, with size,
   * ETag (see `ListOptions.etags`) and lastModified, without metadata: what
   * change detection needs, without a `head` per object.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * async function totalSize(store: ObjectStore, prefix: string): Promise<number> {
   *   let bytes = 0;
   *   for await (const info of store.list(prefix)) bytes += info.size;
   *   return bytes;
   * }
   * await using store = new MemoryStore();
   * await store.put("logs/a", new Uint8Array(3));
   * await store.put("logs/b", new Uint8Array(4));
   * await store.put("other", new Uint8Array(100));
   * assert(await totalSize(store, "logs/") === 7);
   * ```
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /**
   * Optional: {@linkcode list} in pages (arrays in key order, never empty),
   * one async step per page instead of per object, for callers that go
   * through many objects. Same objects, order and options as `list`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * import type { ObjectInfo } from "./types.ts";
   * // Optional: take pages where the store has them, else objects one by one.
   * async function* pages(store: ObjectStore, prefix: string): AsyncIterable<ObjectInfo[]> {
   *   if (store.listPages !== undefined) {
   *     yield* store.listPages(prefix);
   *     return;
   *   }
   *   for await (const info of store.list(prefix)) yield [info];
   * }
   * await using store = new MemoryStore();
   * await store.put("a", new Uint8Array(1));
   * await store.put("b", new Uint8Array(1));
   * let count = 0;
   * for await (const page of pages(store, "")) count += page.length;
   * assert(count === 2);
   * ```
   */
  listPages?(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo[]>;
  /**
   * Optional: the current token of `key`'s state without reading its
   * content (`FsStore`: one `stat`), or `undefined` when it is missing.
   * Equal to an {@linkcode ObjectInfo.validator} the store gave earlier,
   * it means the object still has that info's ETag, so a caller that
   * recorded both can skip the `head` (which `FsStore` answers by hashing a
   * file without a sidecar). Any other answer says nothing: ask `head`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * await using store = new FsStore(dir, { sidecars: "read-only" });
   * await Deno.writeTextFile(`${dir}/a.txt`, "a");
   * const old = new Date(Date.now() - 60_000);
   * await Deno.utime(`${dir}/a.txt`, old, old);
   * const info = await store.head("a.txt");
   * // Just touched (its ctime is now): no token to trust yet.
   * assert.equal(info?.validator, undefined);
   * assert.equal(typeof await store.validator?.("a.txt"), "string");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  validator?(key: string, options?: { signal?: AbortSignal }): Promise<string | undefined>;
  /**
   * Deletes the keys (missing keys are not an error), batching as the store
   * allows; with `ifMatch`, one key conditionally.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * import { PreconditionFailedError } from "../errors.ts";
   * await using store: ObjectStore = new MemoryStore();
   * const { etag } = await store.put("a", new TextEncoder().encode("a"));
   * await store.put("b", new TextEncoder().encode("b"));
   * await store.delete(["b", "never-there"]); // missing keys are no error
   * // Only the version that was read: a newer one stays.
   * await store.put("a", new TextEncoder().encode("a2"));
   * await assert.rejects(store.delete(["a"], { ifMatch: etag }), PreconditionFailedError);
   * assert((await store.head("a")) !== undefined && (await store.head("b")) === undefined);
   * ```
   */
  delete(keys: readonly string[], options?: DeleteOptions): Promise<void>;
  /**
   * Server-side copy of `from` to `to` within this store, keeping metadata and content type.
   * With `source` (its ETag and size as the caller found them), only that
   * version is copied: one replaced since fails the copy.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * import type { ObjectStore } from "./types.ts";
   * await using store: ObjectStore = new MemoryStore();
   * await store.put("v1/model.bin", new Uint8Array(8), { metadata: { run: "7" } });
   * await store.copy("v1/model.bin", "latest/model.bin");
   * assert((await store.head("latest/model.bin"))?.metadata?.run === "7");
   * ```
   */
  copy(from: string, to: string, options?: CopyOptions): Promise<PutResult>;
  /**
   * Releases connections and other resources.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { openStore } from "./open.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const store = await openStore(`file://${dir}`);
   *   try {
   *     await store.put("a.txt", new TextEncoder().encode("a"));
   *     assert((await store.head("a.txt"))?.size === 1);
   *   } finally {
   *     await store.close(); // releases connections (S3) and other resources
   *   }
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  close(): Promise<void>;
  /**
   * Optional: size of part `partNumber` (1-based) of a multipart object
   * (S3: `HEAD ?partNumber=N`), `undefined` when the store cannot tell.
   * Verification uses it when no standard part size explains an ETag.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *     multipartThreshold: 4,
   *     partSize: 4,
   *   },
   * });
   * // Optional: stores without multipart uploads leave it out (`?.` gives undefined).
   * await store.put("big.bin", new Uint8Array(10)); // parts of 4, 4 and 2 bytes
   * assert((await store.partSize?.("big.bin", 2)) === 4);
   * assert((await store.partSize?.("big.bin", 3)) === 2);
   * ```
   */
  partSize?(
    key: string,
    partNumber: number,
    options?: { signal?: AbortSignal },
  ): Promise<number | undefined>;
  /**
   * Optional: multipart uploads started under `prefix` and neither completed
   * nor aborted (S3: `ListMultipartUploads`). A writer that died mid-upload
   * (`kill -9`) leaves one, and S3 keeps (and bills) its parts until it is
   * aborted. Stores without multipart uploads leave this out.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *     multipartThreshold: 4,
   *     partSize: 4,
   *   },
   * });
   * // A writer killed mid-upload leaves its multipart upload behind:
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * const keys: string[] = [];
   * for await (const upload of store.pendingUploads?.("") ?? []) keys.push(upload.key);
   * assert.deepEqual(keys, ["big.bin"]);
   * ```
   */
  pendingUploads?(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<PendingUpload>;
  /**
   * Optional: aborts a pending upload (one already gone is not an error).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *     multipartThreshold: 4,
   *     partSize: 4,
   *   },
   * });
   * // A writer killed mid-upload leaves its multipart upload behind:
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * for await (const upload of store.pendingUploads?.("") ?? []) await store.abortUpload?.(upload);
   * assert.deepEqual(await Array.fromAsync(store.pendingUploads?.("") ?? []), []);
   * ```
   */
  abortUpload?(upload: PendingUpload, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Optional: when a pending upload last took a part (`S3Store`: its newest
   * part's LastModified, by ListParts); `undefined` when it holds none yet,
   * or is gone. An upload started long ago that still takes parts is a live
   * writer's (a large file over a slow link), which aborting would fail.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   },
   * });
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * for await (const upload of store.pendingUploads?.("") ?? []) {
   *   assert(await store.lastPartAt?.(upload) === undefined); // no part yet
   * }
   * ```
   */
  lastPartAt?(upload: PendingUpload, options?: { signal?: AbortSignal }): Promise<Date | undefined>;
  /**
   * Optional: the store's own idea of the current time (ms since the epoch),
   * `undefined` when it does not tell. `S3Store` reads the `Date` header of
   * a HEAD (never an object's LastModified: moto dates uploads in 2010);
   * `FsStore` the mtime of a probe file it writes in the store's directory
   * (the file server's clock on NFS) and removes; `MemoryStore` its clock.
   * `vc serve`'s expiry compares it with its own clock before it removes
   * anything for its age.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   },
   * });
   * const time = await store.serverTime?.();
   * assert(time !== undefined && Math.abs(time - Date.now()) < 60_000);
   * ```
   */
  serverTime?(options?: { signal?: AbortSignal }): Promise<number | undefined>;
  /**
   * Optional: the newest entries (at most `limit`, default 2), newest first,
   * that a store keeping old versions (S3 versioning: ListObjectVersions)
   * holds of exactly `key`: its current object, its noncurrent versions and
   * its delete markers. `[]` when the key never held an object, or the store
   * keeps no history of it (a bucket without versioning lists only current
   * objects). Stores that keep no old versions (`FsStore`, `MemoryStore`)
   * leave this out. A publish asks it before it creates a version's key, so
   * that a key deleted once is never given other bytes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], versionedBuckets: ["assets"] });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   },
   * });
   * await store.put("t.1.1.0.csv", new TextEncoder().encode("a"));
   * await store.delete(["t.1.1.0.csv"]);
   * const history = (await store.keyVersions?.("t.1.1.0.csv")) ?? [];
   * // Gone from listings, yet S3 versioning keeps a delete marker over the old bytes.
   * assert.deepEqual(history.map((v) => v.deleteMarker), [true, false]);
   * ```
   */
  keyVersions?(
    key: string,
    options?: { limit?: number; signal?: AbortSignal },
  ): Promise<KeyVersion[]>;
  /**
   * Optional: deletes exactly version `versionId` of `key` (S3:
   * DeleteObject with `versionId`), for good: no delete marker is left, and
   * an older version, if any, becomes the key's object again. A writer
   * taking back its own write (the {@linkcode PutResult.versionId} it was
   * answered) leaves the key as it was before. A version already gone is no
   * error. A grant without `s3:DeleteObjectVersion` fails it with
   * `AccessDeniedError`. Stores that keep no old versions leave this out.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { openStore } from "./open.ts";
   * await using s3 = await startFakeS3({ versionedBuckets: ["assets"] });
   * await using store = await openStore("s3://assets", {
   *   s3: {
   *     endpoint: s3.url,
   *     region: "us-east-1",
   *     credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   },
   * });
   * const { versionId } = await store.put("t.1.1.0.csv", new TextEncoder().encode("a"));
   * if (versionId !== undefined) await store.deleteVersion?.("t.1.1.0.csv", versionId);
   * // No delete marker: the key never held an object, as far as anyone can tell.
   * assert.deepEqual((await store.keyVersions?.("t.1.1.0.csv")) ?? [], []);
   * ```
   */
  deleteVersion?(
    key: string,
    versionId: string,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
}

/** One entry of a key's history (see {@linkcode ObjectStore.keyVersions}). */
export interface KeyVersion {
  /** The store's id of this version (`"null"` for one written without versioning). */
  versionId: string;
  /** Whether it is the key's newest entry (a current object, or a delete marker hiding older ones). */
  isLatest: boolean;
  /** Whether it is a delete marker rather than an object. */
  deleteMarker: boolean;
  /** An object's ETag without quotes (none for a delete marker). */
  etag?: string;
  /** An object's size in bytes (none for a delete marker). */
  size?: number;
}

/** A multipart upload in progress (see {@linkcode ObjectStore.pendingUploads}). */
export interface PendingUpload {
  /** The key it would create, relative to the store's root. */
  key: string;
  /** The store's id of the upload. */
  uploadId: string;
  /** When it was started. */
  initiated: Date;
}
