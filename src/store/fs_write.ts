/**
 * Writing into an {@linkcode FsStore}: the body writer (bytes, streams and
 * files, hashed on the way).
 *
 * @module
 */
import { allZero, forEachChunk, readBuffer } from "../bytes.ts";
import { NotFoundError } from "../errors.ts";
import { Md5 } from "../hash.ts";
import type { PutBody, PutOptions } from "./types.ts";
import { isMissing } from "../file_status.ts";

const COPY_CHUNK = 1024 * 1024;
/** The shortest chunk of zeros left as a hole rather than written. */
const HOLE_MIN = 64 * 1024;

/**
 * Writes `body` (bytes, a stream, or a local file) to the open `file`,
 * hashing as it goes; honours `options.signal` (a stalled stream is
 * cancelled) and reports `onProgress`. Returns the MD5 and size written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeBody } from "./fs_write.ts";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * const out = await writeBody("k", file, ReadableStream.from([new TextEncoder().encode("a")]), {});
 * assert.deepEqual(out, { md5: "0cc175b9c0f1b6a831c399e269772661", size: 1 });
 * await Deno.remove(path);
 * ```
 */
export async function writeBody(
  key: string,
  file: Deno.FsFile,
  body: PutBody,
  options: PutOptions,
): Promise<{ md5: string; size: number }> {
  const md5 = new Md5(body instanceof Uint8Array ? body.length : options.size ?? Infinity);
  let size = 0;
  // A chunk of zeros is skipped over, not written: the file keeps the holes
  // of a sparse source (a 2 GiB VM image of a few MB of data was written
  // out whole, 2 GiB on the target disk) and reads the same. The file is a
  // new temp file, so what is skipped reads as zeros.
  let holeAtEnd = false;
  const write = async (chunk: Uint8Array) => {
    md5.update(chunk);
    holeAtEnd = chunk.length >= HOLE_MIN && allZero(chunk);
    if (holeAtEnd) await file.seek(chunk.length, Deno.SeekMode.Current);
    else for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    size += chunk.length;
    options.onProgress?.(size);
  };
  const signal = options.signal;
  if (body instanceof Uint8Array) {
    await write(body);
  } else if (body instanceof ReadableStream) {
    await forEachChunk(body, async (value) => {
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(`body stream for ${key} yielded a non-Uint8Array chunk`);
      }
      await write(value);
    }, signal);
  } else if (typeof body === "object" && body !== null && typeof body.path === "string") {
    let src: Deno.FsFile;
    try {
      src = await Deno.open(body.path, { read: true });
    } catch (e) {
      if (isMissing(e)) {
        throw new NotFoundError(`source file ${body.path} for ${key} does not exist`, {
          cause: e,
        });
      }
      throw e;
    }
    using _src = src;
    const buf = readBuffer(options.size ?? Infinity, COPY_CHUNK);
    for (;;) {
      signal?.throwIfAborted();
      const n = await src.read(buf);
      if (n === null) break;
      await write(buf.subarray(0, n));
    }
  } else {
    throw new TypeError(
      `unsupported body for ${key}: expected Uint8Array, ReadableStream or {path}`,
    );
  }
  // A hole at the end is no length until the file is extended over it.
  if (holeAtEnd) await file.truncate(size);
  signal?.throwIfAborted();
  return { md5: md5.hex(), size };
}

/**
 * Releases a body the put will not read (a stream would otherwise stay locked open).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discardBody } from "./fs_write.ts";
 * let cancelled = false;
 * await discardBody(new ReadableStream({ cancel() { cancelled = true; } }), "unused");
 * assert(cancelled);
 * ```
 */
export async function discardBody(body: PutBody, reason: unknown): Promise<void> {
  if (body instanceof ReadableStream && !body.locked) await body.cancel(reason).catch(() => {});
}
