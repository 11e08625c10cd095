/**
 * Where a store request's retries are told as they happen. A store that
 * never answers costs one request timeout per attempt (5 × 60 s by
 * default) before its error: without a word in between, a download looks
 * hung. The store clients (and the cache service's client, whose service
 * is a store's front) report each retry here; the program that wants
 * to tell a person (the CLI, once for the whole run) listens. Process-wide
 * on purpose: stores are opened in many places, and threading a callback
 * through each would miss some. No listener, nothing happens.
 *
 * @module
 */
import { noticeBoard } from "./notice_board.ts";

/** One failed attempt of a store request that is about to be tried again. */
export interface StoreRetry {
  /**
   * What failed, as its error says it, e.g. `GET s3://b/k: timed out after
   * 60 s waiting for a response from http://host:9000`.
   */
  reason: string;
  /** The error of the attempt that failed. */
  error: unknown;
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  attempt: number;
  /** The attempts the request may take in all. */
  maxAttempts: number;
  /** How long it waits before the next attempt, in ms. */
  delayMs: number;
  /**
   * The byte a download's next attempt starts at, when it resumes what the
   * failed one got (a ranged GET) rather than asking again from the start.
   */
  resumeAt?: number;
  /**
   * The store (`s3://bucket`) whose downloads pause for `delayMs` as a whole, as it asked to
   * slow down (a prefill's): the request that gave up is tried again after it.
   */
  pausedStore?: string;
}

/** What a timed-out request's error says of the timeout, for the user who wants to change it. */
export const REQUEST_TIMEOUT_HINT =
  " (request timeout: set --request-timeout or VC_REQUEST_TIMEOUT in seconds)";

/**
 * What failed, for a line that says a request is tried again: the error's
 * message without the {@linkcode REQUEST_TIMEOUT_HINT}, which its final
 * error gives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REQUEST_TIMEOUT_HINT, retryReason } from "./retry_notice.ts";
 * const e = new Error(`GET s3://b/k: timed out after 1 s${REQUEST_TIMEOUT_HINT}`);
 * assert.equal(retryReason(e), "GET s3://b/k: timed out after 1 s");
 * ```
 */
export function retryReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(REQUEST_TIMEOUT_HINT, "");
}

/** Hears each retry of a store request (see {@linkcode listenToStoreRetries}). */
export type StoreRetryListener = (retry: StoreRetry) => void;

const retries = noticeBoard<StoreRetry>();

/**
 * Makes `onRetry` hear every store request's retries in this process until
 * the returned function is called. Listeners are a set, not a stack: two
 * runs at once (in-process CLI runs in tests) each stop only their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenToStoreRetries, storeRetried } from "./retry_notice.ts";
 * const heard: number[] = [];
 * const stop = listenToStoreRetries((r) => heard.push(r.attempt));
 * storeRetried({ reason: "GET s3://b/k: 503", error: undefined, attempt: 1, maxAttempts: 5, delayMs: 100 });
 * stop();
 * storeRetried({ reason: "GET s3://b/k: 503", error: undefined, attempt: 2, maxAttempts: 5, delayMs: 100 });
 * assert.deepEqual(heard, [1]);
 * ```
 */
export function listenToStoreRetries(onRetry: StoreRetryListener): () => void {
  return retries.listen(onRetry);
}

/**
 * Tells the listeners, if any, of a retry. A listener that throws does not
 * fail the request: telling is not the work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenToStoreRetries, storeRetried } from "./retry_notice.ts";
 * const stop = listenToStoreRetries(() => {
 *   throw new Error("a broken listener");
 * });
 * const retry = { reason: "PUT s3://b/k: 500", error: undefined, attempt: 1, maxAttempts: 5, delayMs: 80 };
 * assert.doesNotThrow(() => storeRetried(retry));
 * stop();
 * ```
 */
export function storeRetried(retry: StoreRetry): void {
  retries.tell(retry);
}
