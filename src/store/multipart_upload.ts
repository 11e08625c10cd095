/**
 * The multipart upload engine: splits a file, a stream or bytes into parts,
 * uploads up to `concurrency` parts at once with bounded memory (at most
 * `concurrency` parts are held), protects each part with its MD5 (checked
 * against its ETag) or its CRC32 (checked by the server), completes,
 * verifies the multipart ETag (or composite CRC32), and aborts the upload on
 * any failure so no orphaned parts are left to be billed.
 *
 * Independent of the AWS SDK: the store supplies the four S3 calls as a
 * {@linkcode MultipartTarget}.
 *
 * @module
 */
import { forwardAbort } from "../abort_hub.ts";
import { IntegrityError, InvalidInputError } from "../errors.ts";
import { Md5, md5Hex, multipartEtag, normalizeEtag, parseEtag } from "../hash.ts";
import { forEachLimit } from "../pool.ts";
import { compositeCrc32, crc32Base64 } from "./crc32.ts";
import { MAX_PARTS } from "./s3_request.ts";
import { abortFailedUpload } from "./upload_abort.ts";

export { MAX_PARTS };

const MiB = 1024 * 1024;

/**
 * How each part is protected on its way to the server: `"md5"` sends its
 * Content-MD5 and checks its ETag (so the object's multipart ETag can be
 * checked too); `"crc32"` sends `x-amz-checksum-crc32` (the upload is
 * created with that algorithm), which the server checks, at a fraction of
 * MD5's CPU cost, and the object's composite CRC32 is checked instead.
 */
export type PartChecksum = "md5" | "crc32";

/** What a part is sent with: its hex MD5, or its Base64 CRC32. */
export type PartDigest = { md5: string; crc32?: undefined } | { crc32: string; md5?: undefined };

/** What the server answered to a part. */
export interface PartReceipt {
  /** The part's ETag. */
  etag: string;
  /** The part's CRC32 as the server confirmed it (`x-amz-checksum-crc32`), if it did. */
  crc32?: string | undefined;
  /**
   * The server said its ETag is no MD5 of the bytes (SSE-KMS or SSE-C, as
   * a bucket's default encryption makes every upload): not compared.
   */
  opaque?: boolean | undefined;
}

/** What the server answered to the completion. */
export interface CompletionReceipt {
  /** The object's ETag. */
  etag: string;
  /** The server said the ETag is no hash of the parts' MD5s (SSE-KMS, SSE-C). */
  opaque?: boolean | undefined;
  /** The object's checksum (`ChecksumCRC32`, composite: `<base64>-<parts>`), if returned. */
  crc32?: string | undefined;
  /** The version the completion made, in a bucket with versioning (`VersionId`), if returned. */
  versionId?: string | undefined;
}

/** One uploaded part, as CompleteMultipartUpload wants it. */
export interface CompletedPart {
  /** 1-based part number. */
  partNumber: number;
  /** ETag the server returned for the part (without quotes). */
  etag: string;
  /** The part's Base64 CRC32, for uploads created with the CRC32 algorithm. */
  crc32?: string | undefined;
}

/** The S3 calls of a multipart upload, supplied by the store. */
export interface MultipartTarget {
  /**
   * Starts an upload (with the CRC32 checksum algorithm when `checksum` is
   * `"crc32"`); returns its upload ID. Not cancellable by the caller's
   * signal: a create cut off in flight may still happen on the server, and
   * an upload whose ID nobody knows can never be aborted.
   */
  create(checksum: PartChecksum): Promise<string>;
  /**
   * Uploads one part, sending `digest.md5` as Content-MD5 or `digest.crc32`
   * as `x-amz-checksum-crc32`.
   */
  uploadPart(
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    digest: PartDigest,
    signal: AbortSignal,
  ): Promise<PartReceipt>;
  /** Completes the upload (listing each part's CRC32 when it has one). */
  complete(uploadId: string, parts: readonly CompletedPart[]): Promise<CompletionReceipt>;
  /** Aborts the upload, discarding its parts. */
  abort(uploadId: string): Promise<void>;
}

/** A part that is known but not yet read. */
export interface PendingPart {
  /** 1-based part number. */
  partNumber: number;
  /** Reads the part's bytes. */
  read(): Promise<Uint8Array>;
  /**
   * Called once the part's upload is over (done or failed): its bytes may be
   * reused for a later part.
   */
  release?(): void;
}

/** Hands out parts in order; `undefined` when there are no more. */
export interface PartSource {
  /** The next part, or `undefined`. Calls are serialized by the engine. */
  next(): Promise<PendingPart | undefined>;
  /** Checks, after the last part was read, that the source was consistent. */
  finish?(): Promise<void>;
}

/**
 * The part size to use: `partSize`, raised to a whole number of MiB when
 * `size` would otherwise need more than 10,000 parts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosePartSize } from "./multipart_upload.ts";
 * const MiB = 1024 * 1024;
 * assert(choosePartSize(100 * MiB, 16 * MiB) === 16 * MiB);
 * assert(choosePartSize(200_000 * MiB, 16 * MiB) === 20 * MiB);
 * ```
 */
export function choosePartSize(size: number | undefined, partSize: number): number {
  if (!(partSize > 0) || !Number.isInteger(partSize)) {
    throw new InvalidInputError(`partSize ${partSize} must be a positive integer`);
  }
  if (size === undefined || Math.ceil(size / partSize) <= MAX_PARTS) return partSize;
  return Math.ceil(size / MAX_PARTS / MiB) * MiB;
}

/**
 * Parts of a local file, each read with its own file handle at its offset so
 * that parts are read in parallel. `finish` fails when the file changed size
 * during the upload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filePartSource } from "./multipart_upload.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "abcde");
 * const source = filePartSource(p, 5, 2);
 * const first = await source.next();
 * assert(new TextDecoder().decode(await first!.read()) === "ab");
 * await Deno.remove(p);
 * ```
 */
export function filePartSource(path: string, size: number, partSize: number): PartSource {
  const count = Math.max(1, Math.ceil(size / partSize));
  let next = 1;
  // Buffers of parts whose upload is over, for the next parts to read into:
  // memory stays at the parts in flight, as for a stream (a fresh buffer per
  // part took a 1 GiB upload to ~340 MB of RSS).
  const free: Uint8Array[] = [];
  return {
    next(): Promise<PendingPart | undefined> {
      if (next > count) return Promise.resolve(undefined);
      const partNumber = next++;
      const start = (partNumber - 1) * partSize;
      const length = Math.min(partSize, size - start);
      let held: Uint8Array | undefined;
      return Promise.resolve({
        partNumber,
        read: async () => {
          // A retried part reads again, into the buffer it already holds.
          held ??= free.pop() ?? new Uint8Array(partSize);
          return await readFileRange(path, start, held.subarray(0, length));
        },
        release: () => {
          if (held !== undefined) free.push(held);
          held = undefined;
        },
      });
    },
    async finish(): Promise<void> {
      const now = (await Deno.stat(path)).size;
      if (now !== size) {
        throw new IntegrityError(`${path} changed size during upload: ${size} → ${now} bytes`);
      }
    },
  };
}

/** Fills `buf` with the bytes of `path` from `start`; returns it. */
async function readFileRange(path: string, start: number, buf: Uint8Array): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  if (start > 0) await file.seek(start, Deno.SeekMode.Start);
  const length = buf.length;
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buf.subarray(filled));
    if (n === null) {
      throw new IntegrityError(
        `${path} shrank during upload: expected ${length} bytes at offset ${start}, got ${filled}`,
      );
    }
    filled += n;
  }
  return buf;
}

/**
 * Parts of bytes already in memory (views, no copies).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesPartSource } from "./multipart_upload.ts";
 * const source = bytesPartSource(new Uint8Array(5), 2);
 * let n = 0;
 * while (await source.next()) n++;
 * assert(n === 3);
 * ```
 */
export function bytesPartSource(bytes: Uint8Array, partSize: number): PartSource {
  const count = Math.max(1, Math.ceil(bytes.length / partSize));
  let next = 1;
  return {
    next(): Promise<PendingPart | undefined> {
      if (next > count) return Promise.resolve(undefined);
      const partNumber = next++;
      const start = (partNumber - 1) * partSize;
      const part = bytes.subarray(start, Math.min(bytes.length, start + partSize));
      return Promise.resolve({ partNumber, read: () => Promise.resolve(part) });
    },
  };
}

/** Options for {@linkcode streamPartSource}. */
export interface StreamPartSourceOptions {
  /** Chunks already read from the reader, in order (they come first). */
  initial?: readonly Uint8Array[];
  /** Expected total size; `finish` throws `IntegrityError` when it differs. */
  expectedSize?: number | undefined;
  /** Expected hex MD5 of the whole stream; `finish` throws `IntegrityError` when it differs. */
  expectedMd5?: string | undefined;
  /** Names the upload in messages. */
  uri?: string;
}

/**
 * Parts of a stream, read sequentially (the engine serializes `next`), each
 * exactly `partSize` bytes except the last. With a BYOB reader (a byte
 * stream) the stream is read straight into the part buffers; otherwise each
 * chunk is copied once, as it is read, into a part buffer. Buffers are
 * reused once their part is released, so memory stays at the parts in
 * flight (plus `initial`) however long the stream is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamPartSource } from "./multipart_upload.ts";
 * const stream = ReadableStream.from([new Uint8Array(3), new Uint8Array(4)]);
 * const source = streamPartSource(stream.getReader(), 5);
 * const a = await source.next();
 * assert((await a!.read()).length === 5);
 * const b = await source.next();
 * assert((await b!.read()).length === 2 && await source.next() === undefined);
 * ```
 */
export function streamPartSource(
  reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader,
  partSize: number,
  options: StreamPartSourceOptions = {},
): PartSource {
  // Chunks read but not yet copied into a part: `initial`, then at most the
  // tail of the chunk that straddled the previous part's end.
  const carry: Uint8Array[] = [...(options.initial ?? [])];
  const free: Uint8Array[] = [];
  let ended = false;
  let partNumber = 0;
  let total = 0;
  const md5 = options.expectedMd5 === undefined ? undefined : new Md5();
  const where = options.uri ?? "the stream";
  const nextChunk = async (): Promise<Uint8Array | undefined> => {
    if (carry.length > 0) return carry.shift();
    if (ended) return undefined;
    const { done, value } = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
    if (done) ended = true;
    return value;
  };
  const byob = reader instanceof ReadableStreamBYOBReader ? reader : undefined;
  return {
    async next(): Promise<PendingPart | undefined> {
      let buffer: Uint8Array | undefined;
      let filled = 0;
      while (filled < partSize) {
        if (byob !== undefined && carry.length === 0) {
          if (ended) break;
          buffer ??= free.pop() ?? new Uint8Array(partSize);
          const { done, value } = await byob.read(
            new Uint8Array(buffer.buffer as ArrayBuffer, filled, partSize - filled),
          );
          // The read transferred the buffer: go on with it under its new handle.
          if (value !== undefined) {
            buffer = new Uint8Array(value.buffer as ArrayBuffer, 0, partSize);
          }
          if (done) {
            ended = true;
            break;
          }
          filled += value!.length;
          continue;
        }
        const chunk = await nextChunk();
        if (chunk === undefined) break;
        if (chunk.length === 0) continue;
        buffer ??= free.pop() ?? new Uint8Array(partSize);
        const take = Math.min(chunk.length, partSize - filled);
        buffer.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled);
        filled += take;
        if (take < chunk.length) carry.unshift(chunk.subarray(take));
      }
      if (buffer === undefined) return undefined;
      if (filled === 0) {
        free.push(buffer);
        return undefined;
      }
      const part = buffer.subarray(0, filled);
      total += filled;
      md5?.update(part);
      partNumber++;
      if (partNumber > MAX_PARTS) {
        throw new InvalidInputError(
          `${where} is longer than ${MAX_PARTS} parts of ${partSize} bytes: pass its size so a larger part size is chosen`,
        );
      }
      const full = buffer;
      let released = false;
      return {
        partNumber,
        read: () => Promise.resolve(part),
        release: () => {
          if (released) return;
          released = true;
          free.push(full);
        },
      };
    },
    finish(): Promise<void> {
      if (options.expectedSize !== undefined && total !== options.expectedSize) {
        return Promise.reject(
          new IntegrityError(
            `${where}: stream had ${total} bytes, but size ${options.expectedSize} was given`,
          ),
        );
      }
      if (md5 !== undefined && options.expectedMd5 !== undefined) {
        const actual = md5.hex();
        if (actual !== options.expectedMd5.toLowerCase()) {
          return Promise.reject(
            new IntegrityError(
              `${where}: stream MD5 is ${actual}, but md5 ${options.expectedMd5} was given`,
            ),
          );
        }
      }
      return Promise.resolve();
    },
  };
}

/** Options for {@linkcode uploadMultipart}. */
export interface MultipartUploadOptions {
  /** Parts uploaded at once (default 8). Memory use is at most this many parts. */
  concurrency?: number;
  /** How each part is protected (default `"md5"`; see {@linkcode PartChecksum}). */
  checksum?: PartChecksum | undefined;
  /** Aborts the upload. */
  signal?: AbortSignal | undefined;
  /** Called with the number of bytes uploaded so far, as parts finish. */
  onProgress?: ((bytesSent: number) => void) | undefined;
  /** Called once every part is stored, before `complete`; a throw aborts the upload. */
  beforeComplete?: (() => unknown) | undefined;
  /** Names the object in messages. */
  uri: string;
  /** The store's endpoint when it is not AWS, for the command that aborts a failed upload. */
  endpoint?: string | undefined;
}

/** The result of {@linkcode uploadMultipart}. */
export interface MultipartUploadResult {
  /** ETag of the object (without quotes). */
  etag: string;
  /** Total bytes uploaded. */
  size: number;
  /** Number of parts. */
  parts: number;
  /** Hex MD5 of each part, in order, when every part was MD5-hashed (`checksum: "md5"`). */
  partMd5s?: string[] | undefined;
}

/**
 * Runs a multipart upload. On any failure (a part, the source, `complete`, or
 * the signal) in-flight parts are cancelled, the upload is aborted, and the
 * first error is thrown. With `checksum: "md5"` (the default) verifies each
 * part's ETag against its MD5 and the final ETag against the multipart ETag
 * of the part MD5s (when the server returns ETags of that form, the parts'
 * included, and does not say they are none: SSE-KMS and SSE-C answers,
 * {@linkcode PartReceipt}). With
 * `"crc32"` each part goes with its CRC32, which the server checks (S3
 * refuses a part whose bytes do not match it); a part whose CRC32 the server
 * does not confirm (one that ignores `x-amz-checksum-*`) is MD5-hashed after
 * all and checked against its ETag, and the final composite CRC32, when
 * returned, is checked against the parts'. Mismatches throw `IntegrityError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesPartSource, uploadMultipart } from "./multipart_upload.ts";
 * import { md5Hex, multipartEtag } from "../hash.ts";
 * const parts = new Map<number, Uint8Array>();
 * const result = await uploadMultipart({
 *   create: () => Promise.resolve("u1"),
 *   uploadPart: (_id, n, body, digest) => {
 *     parts.set(n, body);
 *     return Promise.resolve({ etag: digest.md5! });
 *   },
 *   complete: (_id, done) => Promise.resolve({ etag: multipartEtag(done.map((p) => p.etag)) }),
 *   abort: () => Promise.resolve(),
 * }, bytesPartSource(new Uint8Array(10), 4), { uri: "s3://b/k" });
 * assert(parts.size === 3 && result.size === 10);
 * assert(result.etag === multipartEtag(result.partMd5s!));
 * ```
 */
export async function uploadMultipart(
  target: MultipartTarget,
  source: PartSource,
  options: MultipartUploadOptions,
): Promise<MultipartUploadResult> {
  options.signal?.throwIfAborted();
  // The create is not cancelled midway (see MultipartTarget.create): once it
  // returns, an abort that came meanwhile aborts the upload below.
  const checksum = options.checksum ?? "md5";
  const uploadId = await target.create(checksum);
  const controller = new AbortController();
  const stopForwarding = forwardAbort(options.signal, controller);
  const completed: CompletedPart[] = [];
  const md5s: (string | undefined)[] = [];
  let bytes = 0;
  // A part answered with an ETag that is no MD5 (SSE-KMS, SSE-C, a server's
  // own kind): so is the object's.
  let opaque = false;
  // The pool pulls parts one at a time (stream sources are read in order)
  // and keeps at most `concurrency` parts, and so their bytes, in flight.
  const pendingParts = async function* (): AsyncGenerator<PendingPart> {
    for (;;) {
      const pending = await source.next();
      if (pending === undefined) return;
      yield pending;
    }
  };
  try {
    await forEachLimit(pendingParts(), Math.max(1, options.concurrency ?? 8), async (pending) => {
      try {
        const body = await pending.read();
        const n = pending.partNumber;
        const digest: PartDigest = checksum === "crc32"
          ? { crc32: await crc32Base64(body) }
          : { md5: md5Hex(body) };
        const receipt = await target.uploadPart(uploadId, n, body, digest, controller.signal);
        const etag = normalizeEtag(receipt.etag);
        let md5 = digest.md5;
        if (digest.crc32 !== undefined && receipt.crc32 !== digest.crc32) {
          if (receipt.crc32 !== undefined) {
            throw new IntegrityError(
              `${options.uri}: part ${n} was stored with CRC32 ${receipt.crc32}, but its CRC32 is ${digest.crc32}`,
            );
          }
          // The server did not confirm the checksum, so it may not have
          // checked it: the ETag (an MD5 on S3-compatible servers) must do.
          md5 = md5Hex(body);
        }
        const kind = parseEtag(etag);
        // A part ETag that is no MD5 at all (Cloudflare R2 answered opaque
        // tokens; gateways hash their own part records): the server derives
        // the object's ETag from those, so the part MD5s cannot check it.
        if (receipt.opaque === true || kind.kind !== "md5") opaque = true;
        if (
          md5 !== undefined && receipt.opaque !== true && kind.kind === "md5" && kind.md5 !== md5
        ) {
          throw new IntegrityError(
            `${options.uri}: part ${n} was stored with ETag ${etag}, but its MD5 is ${md5}`,
          );
        }
        completed[n - 1] = { partNumber: n, etag, crc32: digest.crc32 };
        md5s[n - 1] = md5;
        bytes += body.length;
        options.onProgress?.(bytes);
      } catch (error) {
        // Cancels the other parts in flight instead of waiting for them.
        controller.abort(controller.signal.aborted ? controller.signal.reason : error);
        throw error;
      } finally {
        pending.release?.();
      }
    }, { signal: controller.signal });
    options.signal?.throwIfAborted();
    await source.finish?.();
    const parts = completed.filter((p) => p !== undefined);
    if (parts.length !== completed.length || parts.length === 0) {
      throw new IntegrityError(`${options.uri}: multipart upload lost track of its parts`);
    }
    await options.beforeComplete?.();
    options.signal?.throwIfAborted();
    const done = await target.complete(uploadId, parts);
    const etag = normalizeEtag(done.etag);
    const partMd5s = md5s.every((m) => m !== undefined) ? md5s as string[] : undefined;
    if (partMd5s !== undefined && !opaque && done.opaque !== true) {
      const expected = multipartEtag(partMd5s);
      if (parseEtag(etag).kind === "multipart" && etag.toLowerCase() !== expected) {
        throw new IntegrityError(
          `${options.uri}: stored with ETag ${etag}, but the uploaded parts give ${expected}`,
        );
      }
    }
    if (checksum === "crc32" && done.crc32 !== undefined && /-\d+$/.test(done.crc32)) {
      const expected = await compositeCrc32(parts.map((p) => p.crc32!));
      if (done.crc32 !== expected) {
        throw new IntegrityError(
          `${options.uri}: stored with checksum CRC32 ${done.crc32}, but the uploaded parts give ${expected}`,
        );
      }
    }
    return { etag, size: bytes, parts: parts.length, partMd5s };
  } catch (error) {
    // A completed upload cannot be aborted (the call fails harmlessly); any
    // other leaves parts behind that would be billed until a lifecycle rule
    // removes them.
    await abortFailedUpload(
      () => target.abort(uploadId),
      uploadId,
      options.uri,
      error,
      options.endpoint,
    );
    throw error;
  } finally {
    stopForwarding();
  }
}
