/**
 * Where the fake S3 server keeps buckets and objects: the {@linkcode Backend}
 * interface both storage backends implement, and the in-memory index of
 * buckets and keys they share (listings come from it, in S3 key order).
 *
 * @module
 */
import { compareKeys } from "./listing.ts";
import { S3Error } from "./s3_error.ts";

/** An object as the server sees it. Immutable: a write replaces the record. */
export interface StoredObject {
  /** The key. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** ETag without quotes. */
  readonly etag: string;
  /** When it was written. */
  readonly lastModified: Date;
  /** Content type given at upload, if any. */
  readonly contentType: string | undefined;
  /** User metadata, lower-case names without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Other stored response headers (Cache-Control, Content-Disposition, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /** Part sizes when created by a multipart upload (for `?partNumber=` reads). */
  readonly partSizes: readonly number[] | undefined;
  /** Backend-specific location of the bytes: memory chunks or a file path. */
  readonly data: readonly Uint8Array<ArrayBuffer>[] | string;
}

/** What a write supplies besides the bytes. */
export type ObjectFields = Pick<
  StoredObject,
  "etag" | "contentType" | "metadata" | "headers" | "partSizes"
>;

/** Bytes received and hashed but not yet visible under a key. */
export interface Staged {
  /** Size in bytes. */
  readonly size: number;
  /** Hex MD5 of the bytes (empty for concatenated parts, whose ETag is computed from the parts). */
  readonly md5: string;
  /** Backend-specific location of the bytes. */
  readonly data: readonly Uint8Array<ArrayBuffer>[] | string;
}

/** A response body: one array (sent as is) or a stream. */
export type Body = Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array<ArrayBuffer>>;

/** A bucket in a listing. */
export interface BucketInfo {
  /** Bucket name. */
  name: string;
  /** Creation time. */
  created: Date;
}

/**
 * Storage for the fake S3 server. Lookups are synchronous (from an in-memory
 * index) so a handler can check conditions and start reading in one tick,
 * without another request changing the object in between.
 */
export interface Backend {
  /** Loads existing state (disk) and prepares directories. */
  init(): Promise<void>;
  /** Releases resources; staged data that was never committed is removed. */
  close(): Promise<void>;
  /** Buckets in name order. */
  listBuckets(): BucketInfo[];
  /** True when the bucket exists. */
  hasBucket(name: string): boolean;
  /** Creates a bucket; false when it already existed. */
  createBucket(name: string): Promise<boolean>;
  /** Deletes an empty bucket; throws NoSuchBucket or BucketNotEmpty. */
  deleteBucket(name: string): Promise<void>;
  /** The object under `key`, or `undefined`. The bucket must exist. */
  get(bucket: string, key: string): StoredObject | undefined;
  /** All keys of a bucket in S3 order. The array must not be modified. */
  sortedKeys(bucket: string): readonly string[];
  /** Bytes `start` (inclusive) to `end` (exclusive) of an object. */
  read(object: StoredObject, start: number, end: number): Body;
  /**
   * Receives bytes, hashing them on the way. `sizeHint` (announced size) lets
   * memory allocate once; more than `limit` bytes is EntityTooLarge.
   */
  stage(
    source: AsyncIterable<Uint8Array>,
    sizeHint: number | undefined,
    limit: number,
  ): Promise<Staged>;
  /** Joins staged parts (in order) into one staged body; the parts stay valid. */
  concat(parts: readonly Staged[]): Promise<Staged>;
  /**
   * Makes staged bytes visible under `key` atomically. `check` sees the
   * current object first and may throw (conditional writes) without anything
   * changing; check and replace happen without another write in between.
   */
  commit(
    bucket: string,
    key: string,
    staged: Staged,
    fields: ObjectFields,
    check: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject>;
  /** Forgets staged bytes that will not be committed. */
  discard(staged: Staged): Promise<void>;
  /** Deletes an object; false when it did not exist. */
  delete(bucket: string, key: string): Promise<boolean>;
}

interface BucketState {
  created: Date;
  objects: Map<string, StoredObject>;
  sorted: string[] | undefined;
}

/**
 * The buckets and their objects, with the sorted key list cached between
 * writes that add or remove keys (overwrites keep it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ObjectIndex } from "./backend.ts";
 * const index = new ObjectIndex();
 * index.addBucket("b", new Date());
 * const obj = {
 *   key: "k", size: 0, etag: "d41d8cd98f00b204e9800998ecf8427e", lastModified: new Date(),
 *   contentType: undefined, metadata: {}, headers: {}, partSizes: undefined, data: [],
 * };
 * index.set("b", obj);
 * assert(index.sortedKeys("b")[0] === "k" && index.get("b", "k") === obj);
 * ```
 */
export class ObjectIndex {
  #buckets = new Map<string, BucketState>();

  /** Buckets in name order. */
  listBuckets(): BucketInfo[] {
    return [...this.#buckets].map(([name, b]) => ({ name, created: b.created }))
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  /** True when the bucket exists. */
  hasBucket(name: string): boolean {
    return this.#buckets.has(name);
  }

  /** Adds a bucket; false when it already existed. */
  addBucket(name: string, created: Date): boolean {
    if (this.#buckets.has(name)) return false;
    this.#buckets.set(name, { created, objects: new Map(), sorted: undefined });
    return true;
  }

  /** Removes a bucket; throws NoSuchBucket or BucketNotEmpty. */
  removeBucket(name: string): void {
    const b = this.#bucket(name);
    if (b.objects.size > 0) {
      throw new S3Error("BucketNotEmpty", `The bucket ${name} is not empty`, { bucket: name });
    }
    this.#buckets.delete(name);
  }

  /** Number of objects in a bucket. */
  size(bucket: string): number {
    return this.#bucket(bucket).objects.size;
  }

  /** The object under `key`, or `undefined`. */
  get(bucket: string, key: string): StoredObject | undefined {
    return this.#bucket(bucket).objects.get(key);
  }

  /** Stores or replaces an object record; returns the record it replaced. */
  set(bucket: string, object: StoredObject): StoredObject | undefined {
    const b = this.#bucket(bucket);
    const old = b.objects.get(object.key);
    b.objects.set(object.key, object);
    if (!old) b.sorted = undefined;
    return old;
  }

  /** Removes an object record; returns it. */
  remove(bucket: string, key: string): StoredObject | undefined {
    const b = this.#bucket(bucket);
    const old = b.objects.get(key);
    if (old) {
      b.objects.delete(key);
      b.sorted = undefined;
    }
    return old;
  }

  /** Keys in S3 order (cached until keys are added or removed). */
  sortedKeys(bucket: string): readonly string[] {
    const b = this.#bucket(bucket);
    b.sorted ??= [...b.objects.keys()].sort(compareKeys);
    return b.sorted;
  }

  #bucket(name: string): BucketState {
    const b = this.#buckets.get(name);
    if (!b) {
      throw new S3Error("NoSuchBucket", `The specified bucket does not exist: ${name}`, {
        bucket: name,
      });
    }
    return b;
  }
}

/**
 * Whether a bucket name is acceptable. Lenient like vc's URI parser (short
 * names such as `b` are handy in tests), but never `/`, whitespace or a
 * leading dot, so a name is always a safe directory name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidBucketName } from "./backend.ts";
 * assert(isValidBucketName("my-bucket.v2") && isValidBucketName("b"));
 * assert(!isValidBucketName("a/b") && !isValidBucketName(".tmp"));
 * ```
 */
export function isValidBucketName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(name);
}

/**
 * Whether S3's CreateBucket takes `name` (its rules for general purpose
 * buckets): 3 to 63 lower-case letters, digits, dots and hyphens, starting
 * and ending with a letter or digit, no `..`, not shaped as an IP address,
 * none of the reserved prefixes and suffixes. The fake's CreateBucket
 * applies them, where {@linkcode isValidBucketName} (the `buckets` option,
 * `createBucket()`) leaves test names short.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3TakesBucketName } from "./backend.ts";
 * assert(s3TakesBucketName("my-bucket.v2"));
 * assert(!s3TakesBucketName("b") && !s3TakesBucketName("My_Bucket"));
 * assert(!s3TakesBucketName("10.0.0.1") && !s3TakesBucketName("xn--abc"));
 * ```
 */
export function s3TakesBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes("..") &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
}

/**
 * The EntityTooLarge error for a body over `limit` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooLarge } from "./backend.ts";
 * assert(tooLarge(10).status === 400);
 * ```
 */
export function tooLarge(limit: number): S3Error {
  return new S3Error(
    "EntityTooLarge",
    `Your proposed upload exceeds the maximum allowed size of ${limit} bytes`,
  );
}
