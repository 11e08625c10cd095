/**
 * The default storage of the fake S3 server: everything in memory. Objects
 * are kept as the arrays they arrived in (one array for a PUT, one per part
 * for a multipart upload) and served as sub-arrays without copying.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  type Backend,
  type Body,
  type BucketInfo,
  type ObjectFields,
  ObjectIndex,
  type Staged,
  type StoredObject,
  tooLarge,
} from "./backend.ts";
import { S3Error } from "./s3_error.ts";

// Bodies of unknown size up to this are joined into one array, so small
// objects are always served from a single array.
const JOIN_LIMIT = 8 * 1024 * 1024;
// Bodies of unknown size are copied into blocks of this size, so an object
// streamed in many small request chunks (chunked uploads arrive as ~64 KiB
// pieces, each often split in two) is not stored, and later served, as
// thousands of tiny arrays.
const BLOCK = 1024 * 1024;
// Response slice size: large enough for few stream steps, small enough to
// keep Deno's HTTP writer fast.
const SLICE = 256 * 1024;

function chunksOf(
  data: readonly Uint8Array<ArrayBuffer>[] | string,
): readonly Uint8Array<ArrayBuffer>[] {
  if (typeof data === "string") throw new TypeError(`memory backend got a file path: ${data}`);
  return data;
}

function join(parts: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Keeps buckets and objects in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryBackend } from "./memory_backend.ts";
 * const backend = new MemoryBackend();
 * await backend.createBucket("b");
 * async function* body() { yield new TextEncoder().encode("hello"); }
 * const staged = await backend.stage(body(), 5, 1024);
 * const obj = await backend.commit("b", "k", staged, {
 *   etag: staged.md5, contentType: undefined, metadata: {}, headers: {}, partSizes: undefined,
 * }, () => {});
 * const bytes = backend.read(obj, 1, 3) as Uint8Array;
 * assert(new TextDecoder().decode(bytes) === "el");
 * ```
 */
export class MemoryBackend implements Backend {
  #index = new ObjectIndex();

  /** Nothing to load. */
  init(): Promise<void> {
    return Promise.resolve();
  }

  /** Drops everything. */
  close(): Promise<void> {
    this.#index = new ObjectIndex();
    return Promise.resolve();
  }

  /** Buckets in name order. */
  listBuckets(): BucketInfo[] {
    return this.#index.listBuckets();
  }

  /** True when the bucket exists. */
  hasBucket(name: string): boolean {
    return this.#index.hasBucket(name);
  }

  /** Creates a bucket; false when it existed. */
  createBucket(name: string): Promise<boolean> {
    return Promise.resolve(this.#index.addBucket(name, new Date()));
  }

  /** Deletes an empty bucket. */
  deleteBucket(name: string): Promise<void> {
    this.#index.removeBucket(name);
    return Promise.resolve();
  }

  /** The object under `key`, or `undefined`. */
  get(bucket: string, key: string): StoredObject | undefined {
    return this.#index.get(bucket, key);
  }

  /** Keys in S3 order. */
  sortedKeys(bucket: string): readonly string[] {
    return this.#index.sortedKeys(bucket);
  }

  /**
   * A byte range: the sub-array itself when small and in one chunk, else a
   * stream of sub-arrays (Deno sends one huge array much slower than a
   * stream of moderate slices).
   */
  read(object: StoredObject, start: number, end: number): Body {
    const chunks = chunksOf(object.data);
    const pieces: Uint8Array<ArrayBuffer>[] = [];
    let offset = 0;
    for (const chunk of chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > start && offset < end) {
        const from = Math.max(0, start - offset);
        const to = Math.min(chunk.length, end - offset);
        for (let at = from; at < to; at += SLICE) {
          pieces.push(chunk.subarray(at, Math.min(to, at + SLICE)));
        }
      }
      if (chunkEnd >= end) break;
      offset = chunkEnd;
    }
    if (pieces.length === 1) return pieces[0]!;
    if (pieces.length === 0) return new Uint8Array(0);
    let i = 0;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull(controller) {
        const piece = pieces[i++];
        if (piece) controller.enqueue(piece);
        if (i >= pieces.length) controller.close();
      },
    });
  }

  /** Receives a body into memory (one allocation when the size is announced). */
  async stage(
    source: AsyncIterable<Uint8Array>,
    sizeHint: number | undefined,
    limit: number,
  ): Promise<Staged> {
    const hash = createHash("md5");
    if (sizeHint !== undefined) {
      if (sizeHint > limit) throw tooLarge(limit);
      const buffer = new Uint8Array(sizeHint);
      let at = 0;
      for await (const chunk of source) {
        if (at + chunk.length > sizeHint) {
          throw new S3Error(
            "IncompleteBody",
            `request body is longer than the announced ${sizeHint} bytes`,
          );
        }
        buffer.set(chunk, at);
        at += chunk.length;
      }
      if (at !== sizeHint) {
        throw new S3Error(
          "IncompleteBody",
          `request body has ${at} bytes, ${sizeHint} were announced`,
        );
      }
      hash.update(buffer);
      return { size: at, md5: hash.digest("hex"), data: [buffer] };
    }
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let block = new Uint8Array(BLOCK);
    let fill = 0;
    let size = 0;
    // Copying into our own blocks also means the stream may reuse or own
    // its chunks' buffers.
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      hash.update(chunk);
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(BLOCK - fill, chunk.length - at);
        block.set(chunk.subarray(at, at + take), fill);
        fill += take;
        at += take;
        if (fill === BLOCK) {
          parts.push(block);
          block = new Uint8Array(BLOCK);
          fill = 0;
        }
      }
    }
    if (fill > 0) parts.push(block.slice(0, fill));
    const data = size <= JOIN_LIMIT && parts.length > 1 ? [join(parts, size)] : parts;
    return { size, md5: hash.digest("hex"), data };
  }

  /** Joins parts by reference (no copy). */
  concat(parts: readonly Staged[]): Promise<Staged> {
    const data = parts.flatMap((p) => chunksOf(p.data));
    return Promise.resolve({ size: parts.reduce((n, p) => n + p.size, 0), md5: "", data });
  }

  /** Replaces the object after `check` passes; synchronous, so nothing interleaves. */
  commit(
    bucket: string,
    key: string,
    staged: Staged,
    fields: ObjectFields,
    check: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    try {
      check(this.#index.get(bucket, key));
      const object: StoredObject = {
        ...fields,
        key,
        size: staged.size,
        lastModified: new Date(),
        data: chunksOf(staged.data),
      };
      this.#index.set(bucket, object);
      return Promise.resolve(object);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Nothing to free: the garbage collector takes it. */
  discard(_staged: Staged): Promise<void> {
    return Promise.resolve();
  }

  /** Deletes an object. */
  delete(bucket: string, key: string): Promise<boolean> {
    return Promise.resolve(this.#index.remove(bucket, key) !== undefined);
  }
}
