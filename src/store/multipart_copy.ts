/**
 * Server-side copies too large for one CopyObject request (S3 takes at most
 * 5 GiB there): a multipart upload whose parts are ranges of the source,
 * each copied by the server (UploadPartCopy). No byte passes through this
 * process.
 *
 * The store supplies the four requests ({@linkcode CopyPartsTarget}); this
 * module plans the ranges, runs them a few at a time and aborts the upload
 * when any part fails, so a failed copy leaves no upload behind to bill.
 *
 * @module
 */
import { forwardAbort } from "../abort_hub.ts";
import { forEachLimit } from "../pool.ts";
import { abortFailedUpload } from "./upload_abort.ts";
import { DEFAULT_COPY_PART_SIZE, MAX_COPY_SIZE, MAX_PARTS } from "./s3_request.ts";

export { DEFAULT_COPY_PART_SIZE, MAX_COPY_SIZE, MAX_PARTS };

/** An inclusive byte range of the source (as `x-amz-copy-source-range` takes it). */
export interface CopyRange {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
}

/** A copied part, for the completion. */
export interface CopiedPart {
  /** 1-based part number. */
  partNumber: number;
  /** The part's ETag as the store returned it. */
  etag: string;
}

/** The requests of a multipart copy, made by the store. */
export interface CopyPartsTarget {
  /** Starts the upload at the destination (with the source's metadata); returns its upload ID. */
  create(): Promise<string>;
  /**
   * Copies `range` of the source into part `partNumber`; returns the part's
   * ETag. Fails when the source no longer has the ETag the copy started from.
   */
  copyPart(
    uploadId: string,
    partNumber: number,
    range: CopyRange,
    signal: AbortSignal,
  ): Promise<string>;
  /** Completes the upload; returns the new object's ETag. */
  complete(uploadId: string, parts: readonly CopiedPart[]): Promise<string>;
  /** Aborts the upload, discarding its parts. */
  abort(uploadId: string): Promise<void>;
}

/**
 * The source ranges of a copy of `size` bytes in parts of `partSize`,
 * raised so there are at most {@linkcode MAX_PARTS} (and capped at
 * {@linkcode MAX_COPY_SIZE} each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyRanges } from "./multipart_copy.ts";
 * assert.deepEqual(copyRanges(10, 4), [
 *   { start: 0, end: 3 },
 *   { start: 4, end: 7 },
 *   { start: 8, end: 9 },
 * ]);
 * assert.equal(copyRanges(50_000, 1).length, 10_000); // raised to 5-byte parts
 * ```
 */
export function copyRanges(size: number, partSize: number): CopyRange[] {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(`a multipart copy needs a positive size, got ${size}`);
  }
  const part = Math.min(MAX_COPY_SIZE, Math.max(partSize, Math.ceil(size / MAX_PARTS)));
  const ranges: CopyRange[] = [];
  for (let start = 0; start < size; start += part) {
    ranges.push({ start, end: Math.min(start + part, size) - 1 });
  }
  return ranges;
}

/**
 * Copies `size` bytes through `target` in parts of about `partSize`,
 * `concurrency` at a time; returns the new object's ETag. On any failure no
 * new part starts, the upload is aborted, and the first error is thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyInParts } from "./multipart_copy.ts";
 * const source = new TextEncoder().encode("abcdefghij");
 * const parts = new Map<number, Uint8Array>();
 * const etag = await copyInParts({
 *   create: () => Promise.resolve("u1"),
 *   copyPart: (_id, n, r) => {
 *     parts.set(n, source.slice(r.start, r.end + 1));
 *     return Promise.resolve(`e${n}`);
 *   },
 *   complete: (_id, done) => Promise.resolve(`${done.length} parts`),
 *   abort: () => Promise.resolve(),
 * }, source.length, { partSize: 4, concurrency: 2, uri: "s3://b/copy" });
 * assert.equal(etag, "3 parts");
 * assert.equal(new TextDecoder().decode(parts.get(3)), "ij");
 * ```
 */
export async function copyInParts(
  target: CopyPartsTarget,
  size: number,
  /**
   * `uri` names the destination in messages; `endpoint`, the store's when it
   * is not AWS, goes in the command that aborts a failed copy.
   */
  options: {
    partSize: number;
    concurrency: number;
    uri: string;
    signal?: AbortSignal;
    endpoint?: string | undefined;
  },
): Promise<string> {
  const ranges = copyRanges(size, options.partSize);
  options.signal?.throwIfAborted();
  const uploadId = await target.create();
  // Stops the parts in flight when one fails or the caller gives up (also
  // while the upload was being created: none starts then).
  const stop = new AbortController();
  const stopForwarding = forwardAbort(options.signal, stop);
  try {
    const parts: CopiedPart[] = new Array(ranges.length);
    await forEachLimit(ranges, options.concurrency, async (range, i) => {
      try {
        parts[i] = {
          partNumber: i + 1,
          etag: await target.copyPart(uploadId, i + 1, range, stop.signal),
        };
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }, { signal: stop.signal });
    return await target.complete(uploadId, parts);
  } catch (error) {
    await abortFailedUpload(
      () => target.abort(uploadId),
      uploadId,
      options.uri,
      error,
      options.endpoint,
    );
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    stopForwarding();
  }
}
