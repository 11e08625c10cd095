/**
 * Reading an async iterable in a test with a bound on both its length and
 * its wait: a `for await` over a worker's messages, a watcher or a stream
 * waits forever when the implementation loses a message (a batch, its end),
 * and a live worker or watcher keeps the event loop alive, so Deno never
 * reports the test: CI hangs. Here the test fails instead, with a message
 * that says what never came. The deadline is generous (a minute): a bound
 * for a broken implementation, not a measure of speed.
 *
 * @module
 */

/** How {@linkcode readBounded} reads. */
export interface ReadBoundOptions<T> {
  /** Items at most before the source must have ended (default 1,000,000). */
  most?: number;
  /** Stop (ending the source through `return()`) after this many items. */
  stopAfter?: number;
  /** The deadline for the whole read, in ms (default 60,000). */
  deadlineMs?: number;
  /** Called with each item as it comes (it may throw to end the read). */
  onItem?: (item: T, index: number) => void;
  /**
   * Called with the failure when the deadline passes, before the read
   * fails: abort the implementation's signal here so that it ends its
   * worker or watcher (else its thread outlives the test).
   */
  onDeadline?: (error: Error) => void;
}

/**
 * The items of `source`, read to its end (or `stopAfter` of them), failing
 * with an error naming `what` when more than `most` come or the deadline
 * passes first.
 *
 * @example
 * ```ts
 * import { readBounded } from "./bounded_iteration.ts";
 * async function* two() { yield 1; yield 2; }
 * const items = await readBounded(two(), "two numbers");
 * if (items.join() !== "1,2") throw new Error("both items");
 * ```
 */
export async function readBounded<T>(
  source: AsyncIterable<T>,
  what: string,
  { most = 1_000_000, stopAfter, deadlineMs = 60_000, onItem, onDeadline }: ReadBoundOptions<T> =
    {},
): Promise<T[]> {
  const it = source[Symbol.asyncIterator]();
  const items: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(
        `${what}: no end within ${deadlineMs / 1000} s after ${items.length} item(s) ` +
          "(a message lost on the way, or a wait that never ends)",
      );
      try {
        onDeadline?.(error);
      } finally {
        reject(error);
      }
    }, deadlineMs);
  });
  deadline.catch(() => {}); // raced below; a rejection between two reads is not unhandled
  let ended = false; // the source ended or the deadline passed: no return() owed
  try {
    for (;;) {
      const next = await Promise.race([it.next(), deadline]).catch((error) => {
        ended = true;
        throw error;
      });
      if (next.done) {
        ended = true;
        return items;
      }
      if (items.length >= most) {
        throw new Error(`${what}: more than ${most} items (a source that never ends?)`);
      }
      items.push(next.value);
      onItem?.(next.value, items.length - 1);
      if (stopAfter !== undefined && items.length >= stopAfter) return items;
    }
  } finally {
    // As a `for await` left early: the source ends (a worker's, its worker).
    try {
      if (!ended) await Promise.race([it.return?.(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `run(signal)`, failing with an error naming `what` when it has not
 * settled by the deadline (default 60,000 ms): the signal is aborted with
 * that error first, so that the run can end its worker or watcher. For a
 * call that consumes a worker's messages inside itself (a mirror run on a
 * walk thread), where a lost message would leave the test waiting forever.
 *
 * @example
 * ```ts
 * import { withinDeadline } from "./bounded_iteration.ts";
 * const n = await withinDeadline("a quick sum", () => Promise.resolve(1 + 1));
 * if (n !== 2) throw new Error("the run's result");
 * ```
 */
export async function withinDeadline<T>(
  what: string,
  run: (signal: AbortSignal) => Promise<T>,
  deadlineMs = 60_000,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(
        `${what}: not done within ${deadlineMs / 1000} s ` +
          "(a message lost on the way, or a wait that never ends)",
      );
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  const running = run(controller.signal);
  running.catch(() => {}); // after the deadline its failure is no longer the test's
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
