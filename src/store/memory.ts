/**
 * {@linkcode MemoryStore}: an {@linkcode ObjectStore} that keeps objects in a
 * `Map`, with S3's semantics (MD5 ETags, conditional writes and reads, byte
 * ranges, UTF-8 ordered listings). For tests, examples and short-lived
 * scratch data; it passes the same contract suite as `S3Store` and `FsStore`.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  NotModifiedError,
  PreconditionFailedError,
  StoreError,
} from "../errors.ts";
import {
  checkClockOption,
  checkOptions,
  describeValue,
  type OptionNames,
} from "../options_check.ts";
import { concatBytes, forEachChunk } from "../bytes.ts";
import { Md5, normalizeEtag } from "../hash.ts";
import { compareUtf8 } from "../utf8.ts";
import {
  checkDeleteKeys,
  checkMetadata,
  checkObjectKey,
  checkPutBody,
  checkRange,
  checkReadOptions,
  checkWriteOptions,
  copySourceChanged,
  etagMatches,
  lowerMetadataKeys,
} from "./object_rules.ts";
import type {
  CopyOptions,
  DeleteOptions,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectChecksum,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "./types.ts";

/** One stored object of a {@linkcode MemoryStore}. Treat `data` as immutable. */
export interface MemoryObject {
  /** The content. */
  data: Uint8Array;
  /** ETag without quotes (the hex MD5 for objects written by `put`). */
  etag: string;
  /** When it was written. */
  lastModified: Date;
  /** User metadata, lower-case names. */
  metadata: Record<string, string>;
  /** Content type, when one was given. */
  contentType?: string;
  /** Marks the ETag as not a hash of the content (like SSE-KMS objects on S3). */
  opaqueEtag?: boolean;
  /** The store's own checksum of it, as S3 keeps one (`x-amz-checksum-*`), told by `head` and `get`. */
  checksum?: ObjectChecksum;
}

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** The store's URL (default `memory://<random id>`). */
  url?: string;
  /** Time source for `lastModified` (default: the system clock). */
  clock?: Clock;
  /** The backing map (default: a new one). Share it between stores, or seed and inspect it in tests. */
  objects?: Map<string, MemoryObject>;
  /** Size of the chunks bodies are streamed in (default 64 KiB). */
  chunkSize?: number;
}

// The option names the constructor takes (a misspelt one is refused, not ignored).
const MEMORY_STORE_OPTIONS: OptionNames<MemoryStoreOptions> = {
  url: true,
  clock: true,
  objects: true,
  chunkSize: true,
};

/**
 * An in-memory {@linkcode ObjectStore} with S3 semantics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory.ts";
 * await using store = new MemoryStore();
 * const { etag } = await store.put("a/b.txt", new TextEncoder().encode("hello"));
 * assert(etag === "5d41402abc4b2a76b9719d911017c592"); // MD5, as on S3
 * const { body } = await store.get("a/b.txt", { range: { start: 1, end: 3 } });
 * assert(await new Response(body).text() === "ell");
 * const keys = [];
 * for await (const info of store.list("a/")) keys.push(info.key);
 * assert.deepEqual(keys, ["a/b.txt"]);
 * ```
 */
export class MemoryStore implements ObjectStore, AsyncDisposable {
  /** `memory://…`, or the URL given. */
  readonly url: string;
  /** The objects by key. Reading it is fine; writes bypass every check. */
  readonly objects: Map<string, MemoryObject>;
  #clock: Clock;
  #chunkSize: number;
  #closed = false;

  /** Creates an empty store (or one over `options.objects`). */
  constructor(options: MemoryStoreOptions = {}) {
    checkOptions("MemoryStore", options, MEMORY_STORE_OPTIONS);
    // Else a TypeError at the first put or get ("this.objects.get is not a function").
    const { objects, clock }: { objects?: unknown; clock?: unknown } = options;
    if (objects !== undefined && !(objects instanceof Map)) {
      throw new InvalidInputError(
        `MemoryStore: the option objects must be a Map, got ${describeValue(objects)}`,
      );
    }
    checkClockOption("MemoryStore", clock);
    this.url = options.url ?? `memory://${crypto.randomUUID().slice(0, 8)}`;
    this.objects = options.objects ?? new Map();
    this.#clock = options.clock ?? systemClock;
    this.#chunkSize = options.chunkSize ?? 64 * 1024;
    if (!(this.#chunkSize >= 1)) {
      throw new RangeError(`chunkSize must be at least 1, got ${options.chunkSize}`);
    }
  }

  /**
   * The store's time: its clock's (the one that dates `lastModified`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ManualClock } from "../testing/manual_clock.ts";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore({ clock: new ManualClock(5_000) });
   * assert.equal(await store.serverTime(), 5_000);
   * ```
   */
  serverTime(options: { signal?: AbortSignal } = {}): Promise<number | undefined> {
    try {
      this.#check(undefined, options.signal);
      return Promise.resolve(this.#clock.now());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The object's info, or `undefined` when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * await store.put("k", new Uint8Array(3), { metadata: { owner: "me" } });
   * assert((await store.head("k"))?.metadata?.owner === "me");
   * assert(await store.head("missing") === undefined);
   * ```
   */
  head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    try {
      checkReadOptions(`head ${key} in ${this.url}`, "head", options);
      this.#check(key, options.signal);
      const o = this.objects.get(key);
      return Promise.resolve(o === undefined ? undefined : fullInfo(key, o));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The object's body (optionally a byte range) and info. Throws
   * `NotFoundError`, `NotModifiedError` (`ifNoneMatch` matched),
   * `PreconditionFailedError` (`ifMatch` did not) and `InvalidInputError` for
   * a range starting at or after the end.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * const { etag } = await store.put("k", new TextEncoder().encode("abc"));
   * await assert.rejects(store.get("k", { ifNoneMatch: etag }), { name: "NotModifiedError" });
   * const { body } = await store.get("k", { ifMatch: etag });
   * assert(await new Response(body).text() === "abc");
   * ```
   */
  get(key: string, options: GetOptions = {}): Promise<GetResult> {
    try {
      this.#check(key, options.signal);
      if (options.range !== undefined) checkRange(key, options.range);
      checkReadOptions(`get ${key} in ${this.url}`, "get", options);
      const o = this.objects.get(key);
      if (o === undefined) throw new NotFoundError(`${key} does not exist in ${this.url}`);
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, o.etag)) {
        throw new PreconditionFailedError(
          `${key} in ${this.url} has ETag ${o.etag}, not ${options.ifMatch}`,
        );
      }
      if (options.ifNoneMatch !== undefined && etagMatches(options.ifNoneMatch, o.etag)) {
        throw new NotModifiedError(`${key} in ${this.url} still has ETag ${o.etag}`);
      }
      let bytes = o.data;
      if (options.range !== undefined) {
        const { start, end } = options.range;
        if (start >= bytes.length) {
          throw new InvalidInputError(
            `range ${start}-${
              end ?? ""
            } of ${key} starts at or after its end (${bytes.length} bytes)`,
          );
        }
        bytes = bytes.subarray(start, Math.min(bytes.length, (end ?? Infinity) + 1));
      }
      return Promise.resolve({
        info: fullInfo(key, o),
        body: chunkStream(bytes, this.#chunkSize, options.signal),
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Stores `body` at `key` once all of it has arrived, so readers see the old
   * or the new object, never a mix. Honours `ifNoneMatch: "*"` and `ifMatch`
   * with `PreconditionFailedError` (checked before reading the body and again
   * when committing), and `md5` / `size` with `IntegrityError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * const first = await store.put("k", new Uint8Array([1]), { ifNoneMatch: "*" });
   * await store.put("k", new Uint8Array([2]), { ifMatch: first.etag });
   * await assert.rejects(
   *   store.put("k", new Uint8Array([3]), { ifMatch: first.etag }),
   *   { name: "PreconditionFailedError" },
   * );
   * ```
   */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    let metadata: Record<string, string>;
    try {
      this.#check(key, options.signal);
      checkPutBody(body, key);
      checkWriteOptions(`put ${key} in ${this.url}`, "put", options);
      if (options.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(options.md5)) {
        throw new InvalidInputError(`md5 option for ${key} is not a hex MD5: ${options.md5}`);
      }
      if (options.metadata !== undefined) checkMetadata(options.metadata, key);
      metadata = lowerMetadataKeys(options.metadata ?? {});
      // Fail fast, before receiving the body; checked again at the commit.
      this.#preconditions(key, options);
    } catch (e) {
      if (body instanceof ReadableStream) await body.cancel(e).catch(() => {});
      throw e;
    }
    const data = await readBody(key, body, options);
    const md5 = new Md5();
    md5.update(data);
    const etag = md5.hex();
    if (options.md5 !== undefined && etag !== options.md5.toLowerCase()) {
      throw new IntegrityError(`md5 of the body for ${key} is ${etag}, expected ${options.md5}`);
    }
    if (options.size !== undefined && data.length !== options.size) {
      throw new IntegrityError(
        `body for ${key} has ${data.length} bytes, expected ${options.size}`,
      );
    }
    options.signal?.throwIfAborted();
    // Synchronous from the re-check to the write: no other put can interleave.
    this.#preconditions(key, options);
    const object: MemoryObject = {
      data,
      etag,
      lastModified: new Date(this.#clock.now()),
      metadata,
    };
    if (options.contentType !== undefined) object.contentType = options.contentType;
    this.objects.set(key, object);
    return { etag };
  }

  /**
   * Every object whose key starts with `prefix`, in UTF-8 byte order of keys
   * (S3's order), after `startAfter` when given. Infos carry no metadata or
   * content type, as in S3 listings.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * for (const k of ["d/b", "d/a", "d/\u{1F600}", "d/\uFF21", "e"]) {
   *   await store.put(k, new Uint8Array());
   * }
   * const keys = [];
   * for await (const info of store.list("d/", { startAfter: "d/a" })) keys.push(info.key);
   * assert.deepEqual(keys, ["d/b", "d/\uFF21", "d/\u{1F600}"]);
   * ```
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    checkReadOptions(`list ${prefix} in ${this.url}`, "list", options);
    this.#check(undefined, options.signal);
    const { startAfter } = options;
    const keys = [...this.objects.keys()]
      .filter((k) =>
        k.startsWith(prefix) && (startAfter === undefined || compareUtf8(k, startAfter) > 0)
      )
      .sort(compareUtf8);
    for (const key of keys) {
      options.signal?.throwIfAborted();
      const o = this.objects.get(key);
      // Deleted while the listing was consumed: skip, as S3's next page would.
      if (o === undefined) continue;
      const info: ObjectInfo = {
        key,
        size: o.data.length,
        etag: o.etag,
        lastModified: o.lastModified,
      };
      if (o.opaqueEtag === true) info.opaqueEtag = true;
      yield info;
    }
  }

  /**
   * Deletes the keys; missing keys are not an error.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * await store.put("a", new Uint8Array());
   * await store.delete(["a", "never-existed"]);
   * assert(store.objects.size === 0);
   * ```
   */
  delete(keys: readonly string[], options: DeleteOptions = {}): Promise<void> {
    try {
      this.#check(undefined, undefined);
      checkDeleteKeys(keys, this.url);
      checkWriteOptions(`delete in ${this.url}`, "delete", options);
      options.signal?.throwIfAborted();
      // Every key checked before any is deleted, as S3Store and FsStore do:
      // a bad key refused, never skipped, and no half-done batch.
      // Named in a body, as S3Store's DeleteObjects names them: a key with
      // a `.` segment is deleted (never there), unless by URL (`ifMatch`).
      const byName = options.ifMatch === undefined;
      for (const key of keys) this.#check(key, undefined, byName);
      if (options.ifMatch !== undefined) {
        const unique = [...new Set(keys)];
        if (unique.length !== 1) {
          throw new InvalidInputError(
            `delete with ifMatch takes exactly one key, got ${unique.length} (in ${this.url})`,
          );
        }
        const current = this.objects.get(unique[0]!);
        if (current !== undefined && !etagMatches(options.ifMatch, current.etag)) {
          throw new PreconditionFailedError(
            `${this.url}/${unique[0]}: ETag is ${current.etag}, not ${options.ifMatch}`,
          );
        }
      }
      for (const key of keys) this.objects.delete(key);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Copies `from` to `to` with its ETag, metadata and content type. Throws
   * `NotFoundError` when `from` does not exist, `PreconditionFailedError`
   * with `ifNoneMatch: "*"` when `to` does.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * const put = await store.put("a", new Uint8Array([1]), { contentType: "text/plain" });
   * assert((await store.copy("a", "b")).etag === put.etag);
   * assert((await store.head("b"))?.contentType === "text/plain");
   * ```
   */
  copy(from: string, to: string, options: CopyOptions = {}): Promise<PutResult> {
    try {
      this.#check(from, undefined);
      this.#check(to, undefined);
      checkWriteOptions(`copy to ${to} in ${this.url}`, "copy", options);
      options.signal?.throwIfAborted();
      const o = this.objects.get(from);
      if (o === undefined) throw new NotFoundError(`${from} does not exist in ${this.url}`);
      const known = options.source;
      if (known !== undefined && normalizeEtag(known.etag) !== o.etag) {
        throw copySourceChanged(`copy ${from} to ${to} in ${this.url}`, from, known.etag);
      }
      if (options.ifNoneMatch === "*" && this.objects.has(to)) {
        throw new PreconditionFailedError(`${to} already exists in ${this.url}`);
      }
      // Onto itself: the object as it is, as in every store.
      if (from === to) return Promise.resolve({ etag: o.etag });
      const copy: MemoryObject = {
        ...o,
        metadata: { ...o.metadata },
        lastModified: new Date(this.#clock.now()),
      };
      this.objects.set(to, copy);
      return Promise.resolve({ etag: o.etag });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Marks the store closed: later calls throw. The objects stay in the map.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "./memory.ts";
   * const store = new MemoryStore();
   * await store.close();
   * await assert.rejects(store.head("k"), /closed/);
   * ```
   */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Closes the store (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #check(key: string | undefined, signal: AbortSignal | undefined, byName = false): void {
    if (this.#closed) throw new StoreError(`${this.url} is closed`);
    signal?.throwIfAborted();
    if (key === undefined) return;
    // Any key S3Store takes (a leading `/` too): the map holds keys, not
    // paths, but a `.`/`..` segment is refused as S3Store refuses it, or a
    // test against this store passes what fails against S3.
    checkObjectKey(key, this.url, { byName });
  }

  #preconditions(key: string, options: PutOptions): void {
    const current = this.objects.get(key);
    if (options.ifNoneMatch === "*" && current !== undefined) {
      throw new PreconditionFailedError(`${key} already exists in ${this.url}`);
    }
    if (options.ifMatch !== undefined) {
      if (current === undefined) {
        throw new PreconditionFailedError(
          `${key} does not exist in ${this.url} (expected ETag ${options.ifMatch})`,
        );
      }
      if (!etagMatches(options.ifMatch, current.etag)) {
        throw new PreconditionFailedError(
          `${key} in ${this.url} has ETag ${current.etag}, not ${options.ifMatch}`,
        );
      }
    }
  }
}

function fullInfo(key: string, o: MemoryObject): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size: o.data.length,
    etag: o.etag,
    lastModified: o.lastModified,
    metadata: { ...o.metadata },
  };
  if (o.contentType !== undefined) info.contentType = o.contentType;
  if (o.opaqueEtag === true) info.opaqueEtag = true;
  if (o.checksum !== undefined) info.checksum = { ...o.checksum };
  return info;
}

/** The whole body as one private copy, reporting progress and honouring the signal. */
async function readBody(key: string, body: PutBody, options: PutOptions): Promise<Uint8Array> {
  const { signal, onProgress } = options;
  if (body instanceof Uint8Array) {
    const copy = body.slice();
    onProgress?.(copy.length);
    return copy;
  }
  if (!(body instanceof ReadableStream)) {
    try {
      const data = await Deno.readFile(body.path, signal === undefined ? {} : { signal });
      onProgress?.(data.length);
      return data;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new NotFoundError(`cannot upload ${key}: ${body.path} does not exist`, { cause: e });
      }
      throw e;
    }
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  await forEachChunk(body, (value) => {
    chunks.push(value.slice());
    total += value.length;
    onProgress?.(total);
  }, signal);
  return concatBytes(chunks, total);
}

function chunkStream(
  bytes: Uint8Array,
  chunkSize: number,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      if (off >= bytes.length) {
        controller.close();
        return;
      }
      const n = Math.min(chunkSize, bytes.length - off);
      controller.enqueue(bytes.slice(off, off + n));
      off += n;
    },
  });
}
