/**
 * Retrying transient failures with exponential backoff and "full jitter"
 * (a uniformly random delay between 0 and the exponential cap), which spreads
 * many clients' retries out instead of having them hammer a recovering server
 * in lock step. Generic: any async operation, any error classification.
 *
 * @module
 */
import { OfflineError, StoreError, VcError } from "../errors.ts";
import { causes, hasCause } from "../causes.ts";

/** Options for {@linkcode retry}. */
export interface RetryOptions {
  /** Total attempts including the first (default 5). `1` disables retries. */
  maxAttempts?: number;
  /** Cap of the first retry's delay in ms (default 100); doubles per attempt. */
  baseDelayMs?: number;
  /** Largest delay cap in ms (default 20,000). */
  maxDelayMs?: number;
  /** Stops waiting and retrying; the signal's reason is thrown. */
  signal?: AbortSignal | undefined;
  /** Decides whether an error is worth another attempt (default {@linkcode isTransientError}). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before waiting for the next attempt. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Source of randomness in [0, 1) (default `Math.random`), for tests. */
  random?: () => number;
  /**
   * The least delay before the next attempt when the error asks for one (a
   * `Retry-After`), else `undefined`; the backoff is waited when longer (a
   * `Retry-After: 0` or a date past must not turn the retries into a burst);
   * capped at `maxDelayMs`.
   */
  delayFor?: (error: unknown, attempt: number) => number | undefined;
}

/**
 * Calls `fn` until it resolves, an error is not retryable, or `maxAttempts`
 * is reached; the last error is thrown unchanged. `fn` receives the attempt
 * number (1-based).
 *
 * Only use it for idempotent operations: a retried request may have taken
 * effect the first time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retry } from "./retry.ts";
 * let calls = 0;
 * const value = await retry(() => {
 *   calls++;
 *   if (calls < 3) throw Object.assign(new Error("busy"), { status: 503 });
 *   return Promise.resolve("ok");
 * }, { baseDelayMs: 1 });
 * assert(value === "ok" && calls === 3);
 * ```
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 20_000;
  const shouldRetry = options.shouldRetry ?? isTransientError;
  const random = options.random ?? Math.random;
  const started = performance.now();
  for (let attempt = 1;; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || options.signal?.aborted || !shouldRetry(error, attempt)) {
        if (attempt > 1 && attempt >= maxAttempts) {
          markGaveUp(error, attempt, performance.now() - started);
        } else if (maxAttempts === 1 && typeof error === "object" && error !== null) {
          // Told to make one attempt (AWS_MAX_ATTEMPTS=1: fail fast): that
          // was all of them, for a caller above too; said as nothing more.
          exhausted.add(error);
        }
        throw error;
      }
      const asked = options.delayFor?.(error, attempt);
      const backoff = fullJitterDelay(attempt, base, cap, random);
      const delayMs = asked !== undefined && asked >= 0
        ? Math.min(Math.max(asked, backoff), cap)
        : backoff;
      options.onRetry?.({ error, attempt, delayMs });
      try {
        await sleep(delayMs, options.signal);
      } catch (aborted) {
        // Stopped while waiting to ask again: the store did answer (a 503
        // SlowDown with a long Retry-After), which the abort's reason alone
        // would hide from whoever set the deadline (failureBeforeAbort).
        if (typeof aborted === "object" && aborted !== null) {
          waitedOut.set(aborted, { error, delayMs });
        }
        throw aborted;
      }
    }
  }
}

/** A retry's wait that an abort stopped: the failure it waited out, and for how long it was to wait. */
export interface StoppedWait {
  /** The failed attempt's error. */
  error: unknown;
  /** The wait before the next attempt, in ms (a `Retry-After` asked for it, or the backoff). */
  delayMs: number;
}

// An abort's reason -> the retry's wait it stopped (see failureBeforeAbort).
const waitedOut = new WeakMap<object, StoppedWait>();

/**
 * The wait of a {@linkcode retry} (the failure it was to try again after,
 * and how long) that its signal stopped with `reason`, or undefined (aborted
 * during an attempt, or not by a retry's wait). A caller's deadline can then
 * say what the store answered (`503 SlowDown`, asking to come back later)
 * rather than that it gave no answer in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureBeforeAbort, retry } from "./retry.ts";
 * const stop = new AbortController();
 * const busy = new Error("503 SlowDown");
 * const done = retry(() => Promise.reject(busy), {
 *   signal: stop.signal,
 *   shouldRetry: () => true,
 *   delayFor: () => 60_000,
 *   maxDelayMs: 60_000,
 *   onRetry: () => queueMicrotask(() => stop.abort(new Error("deadline"))),
 * });
 * await assert.rejects(done, /deadline/);
 * assert.equal(failureBeforeAbort(stop.signal.reason)?.error, busy);
 * assert.equal(failureBeforeAbort(stop.signal.reason)?.delayMs, 60_000);
 * assert.equal(failureBeforeAbort(new Error("other")), undefined);
 * ```
 */
export function failureBeforeAbort(reason: unknown): StoppedWait | undefined {
  return typeof reason === "object" && reason !== null ? waitedOut.get(reason) : undefined;
}

// Errors a `retry` gave up on after all its attempts (see retriedInFull).
const exhausted = new WeakSet<object>();

/**
 * Marks `error` as given up on after all its `attempts` (by {@linkcode retry},
 * or the AWS SDK's own retries), so {@linkcode retriedInFull} knows it.
 * Said in its message too, once, as the aws CLI says "reached max retries":
 * the message alone reads as one answer, where the store gave it every time.
 * With `elapsedMs` of at least 10 s, how long the attempts took too: an
 * error after minutes of timeouts says why it came so late.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markGaveUp, retriedInFull } from "./retry.ts";
 * const e = new Error("500");
 * markGaveUp(e, 5);
 * markGaveUp(e, 5);
 * assert.equal(e.message, "500 (gave up after 5 attempts)");
 * assert.equal(retriedInFull(e), true);
 * const late = new Error("timed out");
 * markGaveUp(late, 5, 302_400);
 * assert.equal(late.message, "timed out (gave up after 5 attempts over 5 min 2 s)");
 * ```
 */
export function markGaveUp(error: unknown, attempts: number, elapsedMs?: number): void {
  if (typeof error !== "object" || error === null) return;
  if (error instanceof Error && !exhausted.has(error)) {
    const over = elapsedMs === undefined ? "" : elapsedSaid(elapsedMs);
    error.message += ` (gave up after ${attempts} attempts${over})`;
  }
  exhausted.add(error);
}

/** Attempts that took less than this (10 s) are not timed in their error: no one waited long. */
const SAY_ELAPSED_FROM_MS = 10_000;

/**
 * How long attempts took, as their error says it (` over 5 min 2 s`), or
 * nothing under 10 s, which no one waited for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elapsedSaid } from "./retry.ts";
 * assert.equal(elapsedSaid(302_400), " over 5 min 2 s");
 * assert.equal(elapsedSaid(12_345), " over 12.3 s");
 * assert.equal(elapsedSaid(9_000), "");
 * ```
 */
export function elapsedSaid(elapsedMs: number): string {
  return elapsedMs >= SAY_ELAPSED_FROM_MS ? ` over ${elapsedText(elapsedMs)}` : "";
}

// `12.3 s`, `5 min 2 s`.
function elapsedText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Whether `error` is what a {@linkcode retry} threw after using all its
 * attempts (more than one, or the one it was told to make): retrying it again above (a download's own
 * attempts over a store's) would multiply the requests sent to a store that
 * is throttling (503 SlowDown) or down, 3 × 5 GETs where 5 were meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retriedInFull, retry } from "./retry.ts";
 * const e = new Error("503");
 * (e as { status?: number }).status = 503;
 * await assert.rejects(retry(() => Promise.reject(e), { maxAttempts: 2, baseDelayMs: 1, shouldRetry: () => true }));
 * assert.equal(retriedInFull(e), true);
 * assert.equal(retriedInFull(new Error("never retried")), false);
 * const once = new Error("503");
 * await assert.rejects(retry(() => Promise.reject(once), { maxAttempts: 1 }));
 * assert.equal(retriedInFull(once), true);
 * assert.equal(once.message, "503");
 * ```
 */
export function retriedInFull(error: unknown): boolean {
  return typeof error === "object" && error !== null && exhausted.has(error);
}

/**
 * The "full jitter" delay before retry number `attempt` (1-based): uniform in
 * `[0, min(capMs, baseMs * 2^(attempt-1)))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fullJitterDelay } from "./retry.ts";
 * assert(fullJitterDelay(3, 100, 20_000, () => 0.5) === 200);
 * assert(fullJitterDelay(30, 100, 1_000, () => 0.999) < 1_000);
 * ```
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds or an
 * HTTP-date (`now` in ms since the epoch); `undefined` when absent or not
 * one. A date in the past is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryAfterMs } from "./retry.ts";
 * assert(retryAfterMs("5") === 5000 && retryAfterMs("soon") === undefined);
 * assert(retryAfterMs("Thu, 01 Jan 1970 00:00:10 GMT", 4000) === 6000);
 * ```
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * The wait an answer's `Retry-After` asks for, in ms (see
 * {@linkcode retryAfterMs}). An HTTP-date is the server's clock: it is
 * measured from the answer's own `Date`, not from the local clock, so a
 * server whose clock is an hour ahead asking for 5 s is not read as asking
 * for an hour (and one behind, as asking for nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerRetryAfterMs } from "./retry.ts";
 * const headers = new Headers({
 *   date: "Thu, 01 Jan 2099 10:00:00 GMT",
 *   "retry-after": "Thu, 01 Jan 2099 10:00:05 GMT",
 * });
 * assert(answerRetryAfterMs(headers) === 5000);
 * assert(answerRetryAfterMs(new Headers({ "retry-after": "2" })) === 2000);
 * ```
 */
export function answerRetryAfterMs(
  headers: { get(name: string): string | null },
): number | undefined {
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const serverNow = Date.parse(headers.get("date") ?? "");
  return retryAfterMs(value, Number.isFinite(serverNow) ? serverNow : Date.now());
}

/**
 * Waits `ms` milliseconds; rejects with the signal's reason when it aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleep } from "./retry.ts";
 * const controller = new AbortController();
 * const waiting = sleep(60_000, controller.signal);
 * controller.abort(new Error("stopped"));
 * await assert.rejects(waiting, /stopped/);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  // A timer takes at most 2^31-1 ms (~24.8 days): a longer one would fire at
  // once (with a warning), so it is waited for in steps.
  const step = Math.min(ms, MAX_TIMER_MS);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, step);
    signal?.addEventListener("abort", onAbort, { once: true });
  }).then(() => (ms > step ? sleep(ms - step, signal) : undefined));
}

/**
 * The longest delay a timer takes (2^31-1 ms, ~24.8 days): `setTimeout`
 * fires a longer one at once (with Node's TimeoutOverflowWarning), so a
 * timer for a user's duration waits in steps of at most this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_TIMER_MS } from "./retry.ts";
 * assert.equal(MAX_TIMER_MS, 2_147_483_647);
 * ```
 */
export const MAX_TIMER_MS: number = 2 ** 31 - 1;

/**
 * HTTP statuses worth retrying: 408 Request Timeout, 429 Too Many Requests,
 * 500, 502, 503 (incl. S3's SlowDown) and 504. Other 4xx are the caller's
 * fault and never retried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRetryableStatus } from "./retry.ts";
 * assert(isRetryableStatus(503) && !isRetryableStatus(404));
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 ||
    status === 503 || status === 504;
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ENETRESET",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE",
  "TimeoutError",
  "RequestTimeout",
]);

// Deno's fetch reports failures as TypeError with hyper's wording.
const TRANSIENT_MESSAGE =
  /error sending request|connection (reset|closed|aborted)|broken pipe|unexpected eof|end of file|error reading a body|error decoding response body|incomplete message|body (stream )?(error|failure)|timed out|stream closed/i;
// A peer that speaks no TLS, or no HTTP, or a certificate not trusted: the
// same on every attempt (fetch words them "error sending request" too).
const MISMATCH_MESSAGE =
  /certificate|corrupt message|InvalidContentType|wrong version number|invalid HTTP version|invalid HTTP status|HTTP\/0\.9/i;
// Retrying these only delays telling the user that the server is not there.
const UNREACHABLE_MESSAGE =
  /connection refused|dns error|failed to lookup address|name or service not known|nodename nor servname|no such host|ECONNREFUSED|ENOTFOUND/i;

/**
 * Default retry classification. Retries: errors carrying a retryable HTTP
 * `status` (see {@linkcode isRetryableStatus}), errors marked
 * `retryable: true`, connection resets and interrupted bodies (Node-style
 * `code`s like `ECONNRESET`, Deno's `TypeError: error sending request ...`).
 * Never retries aborts, connection refused, DNS failures, or a peer that
 * speaks no TLS or HTTP or sends an untrusted certificate. Looks through
 * `cause` chains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTransientError } from "./retry.ts";
 * assert(isTransientError(Object.assign(new Error("x"), { code: "ECONNRESET" })));
 * assert(!isTransientError(Object.assign(new Error("x"), { status: 404 })));
 * assert(!isTransientError(new TypeError("error sending request: Connection refused")));
 * assert(!isTransientError(new TypeError("error sending request: invalid peer certificate: UnknownIssuer")));
 * ```
 */
export function isTransientError(error: unknown): boolean {
  for (const e of causes(error)) {
    if (!(e instanceof Error)) break;
    if (e.name === "AbortError") return false;
    const { status, retryable, code } = e as {
      status?: unknown;
      retryable?: unknown;
      code?: unknown;
    };
    if (typeof retryable === "boolean") return retryable;
    if (typeof status === "number") return isRetryableStatus(status);
    if (UNREACHABLE_MESSAGE.test(e.message) || MISMATCH_MESSAGE.test(e.message)) return false;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    if (TRANSIENT_CODES.has(e.name)) return true;
    if (TRANSIENT_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/**
 * True when an error says the server could not be reached at all (connection
 * refused, DNS failure), looking through `cause` chains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUnreachableError } from "./retry.ts";
 * assert(isUnreachableError(new TypeError("tcp connect error: Connection refused")));
 * ```
 */
export function isUnreachableError(error: unknown): boolean {
  return hasCause(error, (e) => {
    const code = (e as { code?: unknown }).code;
    return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" ||
      UNREACHABLE_MESSAGE.test(e.message);
  });
}

/**
 * Whether `error` means the store cannot answer right now (unreachable,
 * timed out, failing on its side: 5xx, or a reply that was no S3 answer)
 * rather than "the answer is no". The cache serves its copy then; the cache
 * service answers 503.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStoreUnavailable } from "./retry.ts";
 * import { NotFoundError, OfflineError, StoreError } from "../errors.ts";
 * assert(isStoreUnavailable(new OfflineError("down")));
 * assert(isStoreUnavailable(new StoreError("503 SlowDown", { status: 503 })));
 * assert(!isStoreUnavailable(new NotFoundError("gone")));
 * ```
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof OfflineError) return true;
  if (error instanceof StoreError) return error.status === undefined || error.status >= 500;
  if (error instanceof VcError) return false;
  if (error instanceof Deno.errors.ConnectionRefused) return true;
  return isUnreachableError(error) || isTransientError(error);
}

/** Progress that clears an attempt's failure: 1 MiB, or an eighth of what was left. */
const MEANINGFUL_PROGRESS = 1024 * 1024;

/**
 * The failure count after an attempt that moved `advanced` bytes of the
 * `remaining` it started with: back to one when it got meaningfully further,
 * else one more. A trickle (a server that sends a few bytes, then stalls or
 * closes, every time) would otherwise reset the count forever: at one idle
 * timeout per attempt, a download that never ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failuresAfter } from "./retry.ts";
 * assert.equal(failuresAfter(2, 2 * 1024 * 1024, 8 * 1024 * 1024), 1); // real progress
 * assert.equal(failuresAfter(2, 1000, 8 * 1024 * 1024), 3); // a trickle counts as a failure
 * assert.equal(failuresAfter(2, 200, 1000), 1); // an eighth of a small rest is progress
 * assert.equal(failuresAfter(0, 0, 1000), 1);
 * ```
 */
export function failuresAfter(failures: number, advanced: number, remaining: number): number {
  const enough = Math.max(1, Math.min(MEANINGFUL_PROGRESS, Math.ceil(remaining / 8)));
  return advanced >= enough ? 1 : failures + 1;
}
