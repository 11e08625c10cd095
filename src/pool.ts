/**
 * Bounded concurrency: the one helper every capability uses to run many
 * asynchronous jobs with at most N in flight.
 *
 * Two shapes: {@linkcode forEachLimit} / {@linkcode mapLimit} for a known
 * sequence of items, and {@linkcode Limiter} for jobs that arrive over time
 * (requests, watched files).
 *
 * @module
 */
import { onAbort } from "./abort_hub.ts";

/** Options for {@linkcode forEachLimit}. */
export interface PoolOptions {
  /** Stops starting new items; in-flight ones finish, then the signal's reason is thrown. */
  signal?: AbortSignal;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }
}

/**
 * Calls `fn` for every item of `items` (an array, iterable or async iterable,
 * consumed lazily so memory stays bounded), at most `limit` at a time.
 *
 * On the first rejection (or the abort) no new item starts; the items in
 * flight are awaited, then the first error is thrown. A wait for an async
 * source's next item is not awaited: the iterator is let go (`return`) once
 * that item comes. Jobs that must not stop the run (prefill's per-item
 * failures) catch inside `fn`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forEachLimit } from "./pool.ts";
 * let running = 0, peak = 0;
 * const seen: number[] = [];
 * await forEachLimit([1, 2, 3, 4, 5], 2, async (n) => {
 *   peak = Math.max(peak, ++running);
 *   await new Promise((r) => setTimeout(r, 1));
 *   seen.push(n);
 *   running--;
 * });
 * assert.equal(peak, 2);
 * assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5]);
 * ```
 */
export async function forEachLimit<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  options: PoolOptions = {},
): Promise<void> {
  checkLimit(limit);
  const asyncSource = Symbol.asyncIterator in items;
  const iterator = asyncSource
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  let index = 0;
  let failed = false;
  let firstError: unknown;
  // Settles when the run stops (an item failed, the abort): a worker may be
  // waiting for an async source's next item then (a stream gone quiet), and
  // is not waited for. It had looked at `failed` before it began to wait,
  // and a failed part of a multipart upload from a quiet stream (or an
  // abort) left the pool waiting for the stream.
  const stopped = Promise.withResolvers<void>();
  const fail = (error: unknown): void => {
    if (failed) return;
    [failed, firstError] = [true, error];
    stopped.resolve();
  };
  // The abort stops the run at once: an item that comes after it never starts.
  const stopListening = onAbort(options.signal, () => fail(options.signal!.reason));
  // One shared iterator: each worker takes the next item when it is free.
  // `next()` calls are serialized so an async iterator is never re-entered.
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => {});
    return result;
  };
  // Workers waiting for the source's next item: the iterator is let go only after them.
  let pulls = 0;
  // Workers started and not ended, and items in `fn` (awaited after a stop).
  let workers = 0;
  let started = 0;
  let running = 0;
  const ended = Promise.withResolvers<void>();
  let ranOut: (() => void) | undefined;
  const worker = async (): Promise<void> => {
    try {
      while (!failed) {
        if (options.signal?.aborted) return fail(options.signal.reason);
        let step: IteratorResult<T>;
        pulls++;
        try {
          step = await next();
        } catch (error) {
          return fail(error);
        } finally {
          pulls--;
        }
        if (step.done || failed) return;
        const i = index++;
        // Another worker once this one has an item: never more workers than
        // items (plus one to find the end), so a large limit over a few items
        // (`prefill({ concurrency: 1e9 })`) costs what they do, where `limit`
        // workers made up front ran out of memory.
        if (started < limit) start();
        running++;
        try {
          await fn(step.value, i);
        } catch (error) {
          fail(error);
        } finally {
          if (--running === 0) ranOut?.();
        }
      }
    } finally {
      if (--workers === 0) ended.resolve();
    }
  };
  const start = () => {
    started++;
    workers++;
    // A worker never rejects (it records the error).
    void worker();
  };
  start();
  try {
    await Promise.race([ended.promise, stopped.promise]);
    // Stopped: the items in flight finish; a wait for the source is let be.
    if (running > 0) {
      const idle = Promise.withResolvers<void>();
      ranOut = idle.resolve;
      await idle.promise;
    }
  } finally {
    stopListening();
  }
  if (failed) {
    const close = () => (iterator.return?.() as Promise<unknown> | undefined)?.catch?.(() => {});
    // A pull still waiting on an async source (a quiet one): the iterator is
    // let go once it settles (an async generator's return waits for it), not
    // waited for here. A sync source's pull settles at once.
    if (pulls > 0 && asyncSource) void pulling.then(close);
    else await pulling.then(close);
    throw firstError;
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep
 * the order of `items`. Fails like {@linkcode forEachLimit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapLimit } from "./pool.ts";
 * const doubled = await mapLimit([3, 1, 2], 2, async (n) => n * 2);
 * assert.deepEqual(doubled, [6, 2, 4]);
 * ```
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: PoolOptions = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimit(items, limit, async (item, i) => {
    results[i] = await fn(item, i);
  }, options);
  return results;
}

/**
 * A counting semaphore for jobs that arrive over time: `run` waits until
 * fewer than `limit` jobs are running, then runs `job`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Limiter } from "./pool.ts";
 * const limiter = new Limiter(1);
 * const order: string[] = [];
 * await Promise.all([
 *   limiter.run(async () => { order.push("a"); await new Promise((r) => setTimeout(r, 5)); order.push("a done"); }),
 *   limiter.run(async () => { order.push("b"); }),
 * ]);
 * assert.deepEqual(order, ["a", "a done", "b"]);
 * ```
 */
export class Limiter {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  /** Creates a limiter that runs at most `limit` jobs at once. */
  constructor(readonly limit: number) {
    checkLimit(limit);
  }

  /** Jobs running now. */
  get active(): number {
    return this.#active;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `job` once a slot is free, and resolves to its result. Aborting
   * `signal` while the job waits for its slot rejects with its reason, and
   * the job never runs.
   */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#active >= this.limit) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        // Through the abort hub, not a listener each: a thousand jobs
        // waiting on one caller's signal made each removal scan the others.
        const take = () => {
          stopWaiting();
          resolve();
        };
        const stopWaiting = onAbort(signal, () => {
          this.#waiting.splice(this.#waiting.indexOf(take), 1);
          reject(signal!.reason);
        });
        this.#waiting.push(take);
      });
    } else {
      this.#active++;
    }
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips.
      if (next !== undefined) next();
      else this.#active--;
    }
  }
}
