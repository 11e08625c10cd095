/**
 * A download's body that goes on after a cut: when the body of a whole
 * file's answer breaks off, the rest is asked for (`Range: bytes=N-` with
 * `If-Range`, see `CacheClient`) and streamed on from where it stopped, so
 * a proxy that cuts every answer after a few megabytes still lets a large
 * file through, as the S3 store's downloads do. Restarting from zero (the
 * way before) never got past the cut, and gave up after 5 tries.
 *
 * @module
 */
import { OfflineError } from "../errors.ts";
import {
  failuresAfter,
  fullJitterDelay,
  isTransientError,
  isUnreachableError,
  markGaveUp,
  sleep,
} from "../store/retry.ts";
import { restartWaitMs } from "./restart_wait.ts";
import { retryReason, storeRetried } from "../store/retry_notice.ts";

/** A body that ended cleanly before its size (a ranged answer short of the end): a cut too. */
class EndedEarly extends OfflineError {
  /** Resumed like any cut (see `isTransientError`). */
  readonly retryable = true;
}

/** How {@linkcode resumedBody} continues a body. */
export interface ResumeOptions {
  /** The request, as errors name it (`download of cache …`). */
  what: string;
  /** The whole body's size in bytes (the first answer's `Content-Length`). */
  size: number;
  /**
   * The rest of the body from byte `offset`, or `undefined` when the server
   * will not continue it (it ignored the range, or the file changed): the
   * cut then stands, and the caller starts over.
   */
  resume: (offset: number) => Promise<ReadableStream<Uint8Array> | undefined>;
  /** Cuts in a row without progress before the last one stands (see `failuresAfter`). */
  maxAttempts: number;
  /** Cap of the first wait's random delay in ms; doubles per failure. */
  baseDelayMs: number;
  /** Longest wait before a resume, in ms. */
  maxDelayMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * `first`, continued through `options.resume` each time it breaks off
 * transiently, as long as the resumes make progress. The bytes are exactly
 * those of one whole answer: the caller's checks (the MD5 of `Repr-Digest`)
 * run over them as over a body that never broke.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resumedBody } from "./resumed_body.ts";
 * const bytes = new Uint8Array([1, 2, 3, 4]);
 * // A first answer cut after two bytes.
 * const first = new ReadableStream<Uint8Array>({
 *   start(c) {
 *     c.enqueue(bytes.slice(0, 2));
 *     c.error(Object.assign(new Error("connection reset"), { code: "ECONNRESET" }));
 *   },
 * });
 * const body = resumedBody(first, {
 *   what: "download",
 *   size: 4,
 *   resume: (offset) => Promise.resolve(new Blob([bytes.slice(offset)]).stream()),
 *   maxAttempts: 3,
 *   baseDelayMs: 0,
 *   maxDelayMs: 0,
 * });
 * assert.deepEqual(await new Response(body).bytes(), bytes);
 * ```
 */
export function resumedBody(
  first: ReadableStream<Uint8Array>,
  options: ResumeOptions,
): ReadableStream<Uint8Array> {
  const { size, signal } = options;
  let reader = first.getReader();
  let offset = 0;
  // Where the current answer started, and the cuts in a row without progress.
  let start = 0;
  let failures = 0;
  // The requests made for the body (its first answer and each resume), and since when.
  let requests = 1;
  const since = performance.now();
  // Cancelled by its reader (`vc cache-client get ID | head`): the pending
  // read then ends as if the body were short, and is no cut to resume.
  let cancelled = false;
  // The rest from `offset` after `cut`; a resume that fails transiently
  // (a 503 of the service shutting down) or is refused (its restart, waited
  // for as long as the client's requests wait) is one more failure, and is
  // tried again.
  const resume = async (cut: unknown): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
    // Refused connections in a row: the service that answered is restarting.
    let refusals = 0;
    // What failed last: the cut, then a resume that failed.
    let failed = cut;
    while (true) {
      if (failures >= options.maxAttempts) {
        // Said as a store's retries say theirs, `(gave up after 3 attempts)`:
        // the last cut alone read as if the file had been asked for once.
        if (requests > 1) markGaveUp(cut, requests, performance.now() - since);
        throw cut;
      }
      const backoff = fullJitterDelay(failures, options.baseDelayMs, options.maxDelayMs);
      const delayMs = refusals === 0
        ? backoff
        : Math.max(backoff, restartWaitMs(refusals, options.maxDelayMs));
      // Told as a store download's resume is: a wait with no word looks hung.
      storeRetried({
        reason: retryReason(failed),
        error: failed,
        attempt: failures,
        maxAttempts: options.maxAttempts,
        delayMs,
        resumeAt: offset,
      });
      await sleep(delayMs, signal);
      if (cancelled) throw cut;
      requests++;
      try {
        const rest = await options.resume(offset);
        if (rest === undefined) throw cut;
        // Cancelled while the rest was asked for: nobody reads it.
        if (cancelled) {
          await rest.cancel().catch(() => {});
          throw cut;
        }
        return rest.getReader();
      } catch (error) {
        if (error === cut || signal?.aborted) throw error;
        if (isUnreachableError(error)) refusals++;
        else if (!isTransientError(error)) throw error;
        failures++;
        failed = error;
      }
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        try {
          const { done, value } = await reader.read();
          if (done && offset < size) {
            throw new EndedEarly(
              `${options.what}: the answer ended at byte ${offset} of the file's ${size}`,
            );
          }
          if (done) controller.close();
          else {
            offset += value.length;
            controller.enqueue(value);
          }
          return;
        } catch (error) {
          if (cancelled || signal?.aborted || offset >= size || !isTransientError(error)) {
            throw error;
          }
          failures = failuresAfter(failures, offset - start, size - start);
          start = offset;
          reader = await resume(error);
        }
      }
    },
    cancel(reason) {
      cancelled = true;
      return reader.cancel(reason);
    },
  });
}
