/**
 * The calls of an object still running, for its `close()` to wait for: the
 * calls that write, remove or ask the stores `close()` then closes.
 *
 * @module
 */

/**
 * A set of running calls, each leaving it as it settles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallsInProgress } from "./calls_in_progress.ts";
 * const calls = new CallsInProgress();
 * let done = false;
 * calls.track(new Promise((r) => setTimeout(r, 5)).then(() => (done = true)));
 * await calls.settled();
 * assert(done);
 * ```
 */
export class CallsInProgress {
  #calls = new Set<Promise<unknown>>();

  /** `call`, counted until it settles. */
  track<T>(call: Promise<T>): Promise<T> {
    this.#calls.add(call);
    const done = () => this.#calls.delete(call);
    call.then(done, done);
    return call;
  }

  /** Resolves once no tracked call runs, calls started meanwhile included. */
  async settled(): Promise<void> {
    while (this.#calls.size > 0) await Promise.allSettled([...this.#calls]);
  }
}
