/**
 * On-disk storage for the fake S3 server (the `dir` option). Bodies stream
 * to a temp file and are renamed into place; metadata lives in a JSON
 * sidecar per object.
 *
 * S3 keys cannot be mapped to paths faithfully (`a` and `a/b` can both
 * exist, keys may contain `..`, be 1024 bytes long, or differ only in case),
 * so files are named by the SHA-256 of the key and the sidecar records the
 * key itself:
 *
 * ```
 * <dir>/<bucket>/<hh>/<sha256(key)>.json     sidecar: key, size, etag, metadata, data file
 * <dir>/<bucket>/<hh>/<sha256(key)>.<uniq>   the bytes (a new name per write)
 * <dir>/<bucket>/<hh>/<sha256(key)>.<uniq>.parts/00001, 00002, ...
 *                                            the bytes of a multipart object, by part
 * <dir>/.tmp/                                staged uploads and parts (emptied at start)
 * ```
 *
 * A completed multipart upload keeps its part files (hard links to the
 * staged parts) instead of copying them into one: S3 does not send the
 * bytes again on completion either, and a copy made the fake's completion
 * cost a fifth of a whole upload's time.
 *
 * A new name per write means a reader that opened the previous version keeps
 * reading consistent bytes while a writer replaces it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  type Backend,
  type Body,
  type BucketInfo,
  isValidBucketName,
  type ObjectFields,
  ObjectIndex,
  type Staged,
  type StoredObject,
  tooLarge,
} from "./backend.ts";
import { S3Error } from "./s3_error.ts";
import { readDirEntries } from "../../read_dir.ts";

const READ_CHUNK = 256 * 1024;
const TMP = ".tmp";
/** Suffix of the directory holding a multipart object's part files. */
const PARTS = ".parts";

interface Sidecar {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  contentType?: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  partSizes?: number[];
  file: string;
}

function pathOf(data: readonly Uint8Array<ArrayBuffer>[] | string): string {
  if (typeof data !== "string") throw new TypeError("disk backend got in-memory data");
  return data;
}

function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

// Synchronous on purpose: awaiting an async write per chunk made uploads
// with chunked transfer encoding (no Content-Length, a client streaming a
// ReadableStream) 10-20x slower in Deno 2.x, while a write to the page cache
// takes microseconds. Each call writes one request chunk (at most ~64 KiB),
// so memory stays bounded and other requests still run between chunks.
function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: path.endsWith(PARTS) });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === "string");
}

function parseSidecar(text: string): Sidecar | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !isRecord(v) || typeof v.key !== "string" || typeof v.size !== "number" ||
    typeof v.etag !== "string" || typeof v.lastModified !== "string" ||
    typeof v.file !== "string" || !isStringMap(v.metadata) || !isStringMap(v.headers)
  ) return undefined;
  const sidecar: Sidecar = {
    key: v.key,
    size: v.size,
    etag: v.etag,
    lastModified: v.lastModified,
    metadata: v.metadata,
    headers: v.headers,
    file: v.file,
  };
  if (typeof v.contentType === "string") sidecar.contentType = v.contentType;
  if (Array.isArray(v.partSizes) && v.partSizes.every((n) => typeof n === "number")) {
    sidecar.partSizes = v.partSizes;
  }
  return sidecar;
}

/** One already opened file of an object and the bytes to stream from it. */
interface Span {
  file: Deno.FsFile;
  start: number;
  end: number;
}

/**
 * Streams the spans one after the other, closing each file at its end and
 * every file on error or cancel.
 */
function fileStream(spans: Span[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  let i = 0;
  let remaining = spans[0]!.end - spans[0]!.start;
  const closed = spans.map(() => false);
  const close = (k: number) => {
    if (!closed[k]) {
      closed[k] = true;
      spans[k]!.file.close();
    }
  };
  const closeAll = () => spans.forEach((_, k) => close(k));
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    start() {
      for (const span of spans) {
        if (span.start > 0) span.file.seekSync(span.start, Deno.SeekMode.Start);
      }
    },
    async pull(controller) {
      try {
        const buf = new Uint8Array(Math.min(READ_CHUNK, remaining));
        const n = await spans[i]!.file.read(buf);
        if (n === null) throw new Error(`file ended ${remaining} bytes early`);
        remaining -= n;
        controller.enqueue(n === buf.length ? buf : buf.subarray(0, n));
        while (remaining === 0) {
          close(i);
          if (++i === spans.length) {
            controller.close();
            return;
          }
          remaining = spans[i]!.end - spans[i]!.start;
        }
      } catch (e) {
        closeAll();
        controller.error(e);
      }
    },
    cancel() {
      closeAll();
    },
  });
}

/**
 * Serialises async sections per key, so a conditional write's check and
 * rename cannot interleave with another write of the same key.
 */
class KeyedMutex {
  #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(section, section);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/**
 * Keeps buckets and objects in a directory (see the module doc for the layout).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DiskBackend } from "./disk_backend.ts";
 * const dir = await Deno.makeTempDir();
 * const backend = new DiskBackend(dir);
 * await backend.init();
 * await backend.createBucket("b");
 * async function* body() { yield new TextEncoder().encode("hello"); }
 * const staged = await backend.stage(body(), undefined, 1024);
 * await backend.commit("b", "../k", staged, {
 *   etag: staged.md5, contentType: undefined, metadata: {}, headers: {}, partSizes: undefined,
 * }, () => {});
 * await backend.close();
 * const again = new DiskBackend(dir); // a restart sees the object
 * await again.init();
 * assert(again.get("b", "../k")?.size === 5);
 * await again.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class DiskBackend implements Backend {
  readonly #dir: string;
  readonly #tmp: string;
  #index = new ObjectIndex();
  #locks = new KeyedMutex();
  #counter = 0;

  /** Uses `dir` (created when missing). Call {@linkcode DiskBackend.init} before use. */
  constructor(dir: string) {
    this.#dir = dir;
    this.#tmp = join(dir, TMP);
  }

  /** Creates the directories, empties the staging area and loads every bucket's sidecars. */
  async init(): Promise<void> {
    await Deno.mkdir(this.#dir, { recursive: true });
    await Deno.remove(this.#tmp, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.mkdir(this.#tmp, { recursive: true });
    for await (const entry of readDirEntries(this.#dir)) {
      if (!entry.isDirectory || !isValidBucketName(entry.name)) continue;
      const bucketDir = join(this.#dir, entry.name);
      const stat = await Deno.stat(bucketDir);
      this.#index.addBucket(entry.name, stat.birthtime ?? stat.mtime ?? new Date());
      await this.#loadBucket(entry.name, bucketDir);
    }
  }

  async #loadBucket(bucket: string, bucketDir: string): Promise<void> {
    for await (const fan of readDirEntries(bucketDir)) {
      if (!fan.isDirectory) continue;
      const fanDir = join(bucketDir, fan.name);
      const names: string[] = [];
      for await (const f of readDirEntries(fanDir)) {
        if (f.isFile || (f.isDirectory && f.name.endsWith(PARTS))) names.push(f.name);
      }
      const referenced = new Set<string>();
      for (const name of names.filter((n) => n.endsWith(".json"))) {
        const sidecar = parseSidecar(await Deno.readTextFile(join(fanDir, name)));
        if (!sidecar || !names.includes(sidecar.file)) continue;
        referenced.add(sidecar.file);
        this.#index.set(bucket, {
          key: sidecar.key,
          size: sidecar.size,
          etag: sidecar.etag,
          lastModified: new Date(sidecar.lastModified),
          contentType: sidecar.contentType,
          metadata: sidecar.metadata,
          headers: sidecar.headers,
          partSizes: sidecar.partSizes,
          data: join(fanDir, sidecar.file),
        });
      }
      // Data files no sidecar points to are leftovers of an interrupted write.
      for (const name of names) {
        if (!name.endsWith(".json") && !referenced.has(name)) {
          await removeQuietly(join(fanDir, name));
        }
      }
    }
  }

  /** Removes staged files that were never committed. */
  async close(): Promise<void> {
    await Deno.remove(this.#tmp, { recursive: true }).catch(() => {});
  }

  /** Buckets in name order. */
  listBuckets(): BucketInfo[] {
    return this.#index.listBuckets();
  }

  /** True when the bucket exists. */
  hasBucket(name: string): boolean {
    return this.#index.hasBucket(name);
  }

  /** Creates the bucket's directory; false when it existed. */
  async createBucket(name: string): Promise<boolean> {
    if (!isValidBucketName(name)) throw new TypeError(`invalid bucket name ${name}`);
    if (!this.#index.addBucket(name, new Date())) return false;
    await Deno.mkdir(join(this.#dir, name), { recursive: true });
    return true;
  }

  /** Deletes an empty bucket and its directory. */
  async deleteBucket(name: string): Promise<void> {
    this.#index.removeBucket(name);
    await Deno.remove(join(this.#dir, name), { recursive: true });
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
   * Streams a byte range. The file is opened synchronously so the bytes are
   * those of the record the caller just looked up, even if a write follows.
   */
  read(object: StoredObject, start: number, end: number): Body {
    if (start >= end) return new Uint8Array(0);
    const path = pathOf(object.data);
    const spans: Span[] = [];
    try {
      if (!path.endsWith(PARTS)) {
        spans.push({ file: Deno.openSync(path, { read: true }), start, end });
      } else {
        // Every part in the range is opened now, so a replace that removes
        // them meanwhile does not cut this read short.
        const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
        let offset = 0;
        for (const name of names) {
          if (offset >= end) break;
          const file = Deno.openSync(join(path, name), { read: true });
          const size = file.statSync().size;
          if (offset + size > start) {
            spans.push({
              file,
              start: Math.max(0, start - offset),
              end: Math.min(size, end - offset),
            });
          } else file.close();
          offset += size;
        }
      }
    } catch (e) {
      for (const span of spans) span.file.close();
      if (e instanceof Deno.errors.NotFound) {
        throw new S3Error("NoSuchKey", `The specified key does not exist: ${object.key}`, {
          key: object.key,
        });
      }
      throw e;
    }
    return fileStream(spans);
  }

  #tempPath(suffix = ""): string {
    return join(this.#tmp, `${Date.now().toString(36)}-${++this.#counter}${suffix}`);
  }

  /** Streams a body to a temp file, hashing it on the way. */
  async stage(
    source: AsyncIterable<Uint8Array>,
    sizeHint: number | undefined,
    limit: number,
  ): Promise<Staged> {
    if (sizeHint !== undefined && sizeHint > limit) throw tooLarge(limit);
    const path = this.#tempPath();
    const hash = createHash("md5");
    let size = 0;
    try {
      using file = await Deno.open(path, { write: true, createNew: true });
      for await (const chunk of source) {
        size += chunk.length;
        if (size > limit) throw tooLarge(limit);
        hash.update(chunk);
        writeAllSync(file, chunk);
      }
      if (sizeHint !== undefined && size !== sizeHint) {
        throw new S3Error(
          "IncompleteBody",
          `request body has ${size} bytes, ${sizeHint} were announced`,
        );
      }
    } catch (e) {
      await removeQuietly(path);
      throw e;
    }
    return { size, md5: hash.digest("hex"), data: path };
  }

  /**
   * Joins the parts without copying: a new temp directory of hard links to
   * the parts' files, in order (the parts stay valid; see the module doc).
   */
  async concat(parts: readonly Staged[]): Promise<Staged> {
    const path = this.#tempPath(PARTS);
    let size = 0;
    try {
      await Deno.mkdir(path);
      for (const [i, part] of parts.entries()) {
        await Deno.link(pathOf(part.data), join(path, String(i + 1).padStart(5, "0")));
        size += part.size;
      }
    } catch (e) {
      await removeQuietly(path);
      throw e;
    }
    return { size, md5: "", data: path };
  }

  /** Renames the staged file into place and writes the sidecar, under the key's lock. */
  commit(
    bucket: string,
    key: string,
    staged: Staged,
    fields: ObjectFields,
    check: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    return this.#locks.run(`${bucket}/${key}`, async () => {
      const existing = this.#index.get(bucket, key);
      check(existing);
      const id = keyHash(key);
      const fanDir = join(this.#dir, bucket, id.slice(0, 2));
      await Deno.mkdir(fanDir, { recursive: true });
      const fileName = `${id}.${Date.now().toString(36)}${++this.#counter}${
        pathOf(staged.data).endsWith(PARTS) ? PARTS : ""
      }`;
      const dataPath = join(fanDir, fileName);
      await Deno.rename(pathOf(staged.data), dataPath);
      const object: StoredObject = {
        ...fields,
        key,
        size: staged.size,
        lastModified: new Date(),
        data: dataPath,
      };
      const sidecar: Sidecar = {
        key,
        size: object.size,
        etag: object.etag,
        lastModified: object.lastModified.toISOString(),
        metadata: { ...object.metadata },
        headers: { ...object.headers },
        file: fileName,
      };
      if (object.contentType !== undefined) sidecar.contentType = object.contentType;
      if (object.partSizes !== undefined) sidecar.partSizes = [...object.partSizes];
      const sidecarTmp = this.#tempPath(".json");
      await Deno.writeTextFile(sidecarTmp, JSON.stringify(sidecar));
      await Deno.rename(sidecarTmp, join(fanDir, `${id}.json`));
      this.#index.set(bucket, object);
      if (existing) await removeQuietly(pathOf(existing.data));
      return object;
    });
  }

  /** Removes a staged file. */
  async discard(staged: Staged): Promise<void> {
    await removeQuietly(pathOf(staged.data));
  }

  /** Removes the sidecar, then the data, under the key's lock. */
  delete(bucket: string, key: string): Promise<boolean> {
    return this.#locks.run(`${bucket}/${key}`, async () => {
      const existing = this.#index.get(bucket, key);
      if (!existing) return false;
      const id = keyHash(key);
      await removeQuietly(join(this.#dir, bucket, id.slice(0, 2), `${id}.json`));
      this.#index.remove(bucket, key);
      await removeQuietly(pathOf(existing.data));
      return true;
    });
  }
}
