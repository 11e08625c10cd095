/**
 * The messages of a helper Web Worker (the walk's, the off-thread
 * watcher's), read in order by one consumer; the worker failing to load or
 * dying, or a message that could not be read, comes as a `broken` one
 * (handled: a broken helper must not take the process down).
 *
 * @module
 */

/** What {@linkcode workerInbox} gives for a worker that broke (or a caller's own stop). */
export interface WorkerBroken {
  type: "broken";
  message: string;
}

/** The queue of a worker's messages, from {@linkcode workerInbox}. */
export interface WorkerInbox<M> {
  /** Adds a message of the caller's own (an end, an abort) behind those received. */
  push(m: M | WorkerBroken): void;
  /** The next message, once there is one. */
  next(): Promise<M | WorkerBroken>;
}

/**
 * Queues `worker`'s messages (of type `M`) from now on for one consumer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerInbox } from "./worker_inbox.ts";
 * const code = "self.postMessage({ type: 'hello' });";
 * const worker = new Worker(`data:application/javascript,${encodeURIComponent(code)}`, {
 *   type: "module",
 * });
 * try {
 *   const inbox = workerInbox<{ type: "hello" }>(worker);
 *   assert.deepEqual(await inbox.next(), { type: "hello" });
 *   inbox.push({ type: "broken", message: "stopped" });
 *   assert.deepEqual(await inbox.next(), { type: "broken", message: "stopped" });
 * } finally {
 *   worker.terminate();
 * }
 * ```
 */
export function workerInbox<M>(worker: Worker): WorkerInbox<M> {
  const queue: (M | WorkerBroken)[] = [];
  let wake: (() => void) | undefined;
  const push = (m: M | WorkerBroken) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.addEventListener("message", (e: MessageEvent<M>) => push(e.data));
  worker.addEventListener("error", (e: ErrorEvent) => {
    e.preventDefault(); // a broken helper must not take the process down
    push({ type: "broken", message: e.message });
  });
  worker.addEventListener("messageerror", () => push({ type: "broken", message: "bad message" }));
  return {
    push,
    async next() {
      for (;;) {
        const m = queue.shift();
        if (m !== undefined) return m;
        await new Promise<void>((r) => wake = r);
      }
    },
  };
}
