/**
 * Byte-array and byte-stream helpers shared by the stores, the server and the CLI.
 *
 * @module
 */

/**
 * Joins chunks into one array (one chunk is returned as is, no copy).
 * `total`, when known, is the sum of their lengths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./bytes.ts";
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  total: number = chunks.reduce((n, c) => n + c.length, 0),
): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Reads `stream` to its end, awaiting `onChunk` for each chunk in order. On
 * an error (from the stream, from `onChunk` or the signal) the stream is
 * cancelled and the error thrown; an abort also cancels a read waiting on a
 * stalled source. The reader's lock is released either way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forEachChunk } from "./bytes.ts";
 * let n = 0;
 * await forEachChunk(ReadableStream.from([new Uint8Array(2), new Uint8Array(3)]), (c) => {
 *   n += c.length;
 * });
 * assert(n === 5);
 * ```
 */
export async function forEachChunk(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) return;
      await onChunk(value);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}

/**
 * `stream` read whole into one array, or `undefined` as soon as more than
 * `max` bytes arrived (the stream is then cancelled, not read further):
 * for answers and bodies that must stay small. `onChunk` is told each
 * chunk's length as it comes (a byte counter). A failing stream throws.
 *
 * Only the bytes are kept, never the buffers the chunks came in: Deno.serve
 * hands each chunk of a chunked request body in a 64 KiB buffer of its own,
 * however few bytes it holds, so keeping the chunks as they came held 64 KiB
 * per byte of a body sent in 1-byte chunks (a 10 KB `cache_id` body took
 * the service from 57 to 522 MiB; a 1 MiB one past 15 GiB, while every
 * other request waited). A body that comes in one chunk is returned as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUpTo } from "./bytes.ts";
 * const chunks = () => ReadableStream.from([new Uint8Array(2), new Uint8Array(3)]);
 * assert.equal((await readUpTo(chunks(), 5))?.length, 5);
 * assert.equal(await readUpTo(chunks(), 4), undefined);
 * ```
 */
export async function readUpTo(
  stream: ReadableStream<Uint8Array>,
  max: number,
  onChunk?: (length: number) => void,
): Promise<Uint8Array | undefined> {
  const reader = stream.getReader();
  // The first chunk as it came (often the whole body) until a second one
  // comes; then a buffer of our own that chunks are copied into, doubling.
  let kept: Uint8Array | undefined;
  let own: Uint8Array | undefined;
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return own?.subarray(0, total) ?? kept ?? new Uint8Array(0);
      onChunk?.(value.length);
      if (total + value.length > max) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      if (own === undefined && kept === undefined) {
        kept = value;
      } else {
        if (own === undefined || total + value.length > own.length) {
          const grown = new Uint8Array(
            Math.min(max, Math.max(total + value.length, 2 * total, 4096)),
          );
          grown.set(own === undefined ? kept! : own.subarray(0, total), 0);
          own = grown;
          kept = undefined;
        }
        own.set(value, total);
      }
      total += value.length;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The smallest buffer {@linkcode readBuffer} gives: a file that grows while read is not read a few bytes at a time. */
const MIN_READ_BUFFER = 64 * 1024;

/**
 * A buffer to read a file of `expected` bytes (`Infinity` when not known)
 * through, at most `max` bytes: sized to the file when it is small. Zeroing
 * a 4 MiB buffer costs ~1.5 ms, many times what reading and hashing a 4 KiB
 * file costs: a directory store serving or taking thousands of small files
 * paid it for each one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBuffer } from "./bytes.ts";
 * assert.equal(readBuffer(4096, 4 * 1024 * 1024).length, 64 * 1024);
 * assert.equal(readBuffer(Infinity, 4 * 1024 * 1024).length, 4 * 1024 * 1024);
 * assert.equal(readBuffer(200_000, 1024 * 1024).length, 200_000);
 * ```
 */
export function readBuffer(expected: number, max: number): Uint8Array {
  return new Uint8Array(Math.min(max, Math.max(MIN_READ_BUFFER, expected)));
}

/**
 * Whether every byte of `bytes` is zero (true for an empty array). Reads 8
 * bytes at a time where the view is aligned; stops at the first non-zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allZero } from "./bytes.ts";
 * assert(allZero(new Uint8Array(100)));
 * const b = new Uint8Array(100);
 * b[99] = 1;
 * assert(!allZero(b) && allZero(b.subarray(0, 99)));
 * ```
 */
export function allZero(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes.byteOffset % 8 === 0) {
    const words = new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 3);
    for (const word of words) if (word !== 0n) return false;
    i = words.length * 8;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
