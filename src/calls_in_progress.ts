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
  #onIdle: (() => void) | undefined;

  /**
   * `onIdle` is called each time the last running call settles: for what
   * the calls of one batch share (a listing read once for all of them),
   * which a later call must read afresh.
   */
  constructor(onIdle?: () => void) {
    this.#onIdle = onIdle;
  }

  /** Whether a tracked call is running. */
  get busy(): boolean {
    return this.#calls.size > 0;
  }

  /** `call`, counted until it settles. */
  track<T>(call: Promise<T>): Promise<T> {
    this.#calls.add(call);
    const done = () => {
      this.#calls.delete(call);
      if (this.#calls.size === 0) this.#onIdle?.();
    };
    call.then(done, done);
    return call;
  }

  /**
   * Counts a call that runs until the returned handle is disposed (a run
   * of another object's that uses this one throughout, as `prefill` uses
   * its `VersionedCache`s): its calls share what a batch shares.
   */
  hold(): Disposable {
    let release!: () => void;
    this.track(new Promise<void>((r) => (release = r)));
    return { [Symbol.dispose]: release };
  }

  /** Resolves once no tracked call runs, calls started meanwhile included. */
  async settled(): Promise<void> {
    while (this.#calls.size > 0) await Promise.allSettled([...this.#calls]);
  }
}
