/**
 * In-process de-duplication of concurrent work: callers asking for the same
 * key while a flight is running share its result instead of starting their own.
 *
 * @module
 */
import { HubController, onAbort } from "../abort_hub.ts";

/** Progress of a flight, broadcast to every caller that joined it. */
export interface FlightProgress {
  /** Bytes done. */
  bytes: number;
  /** Total bytes (0 when unknown). */
  total: number;
  /**
   * Of `bytes`, those an earlier run left in the file (a resumed download):
   * not fetched now. Absent when nothing was resumed.
   */
  resumed?: number;
  /**
   * `hashing`: the bytes are of a `file://` object read for its ETag before
   * it is copied (a file with no valid sidecar), not of the download.
   */
  step?: "hashing";
}

/** What the work function receives. */
export interface FlightContext {
  /** Aborted when every caller has given up. */
  signal: AbortSignal;
  /** Reports progress to all joined callers. */
  progress: (p: FlightProgress) => void;
  /**
   * Told `true` when the work starts waiting for another process's lock on
   * its entry (that process downloads it), `false` once it has the lock.
   */
  lockWait?: (waiting: boolean) => void;
  /**
   * A wait for another process's lock that ends sooner than the lock's own
   * limit (`VC_LOCK_WAIT`): after `ms`, and what happens then, for the
   * notice of the wait (a revalidation serves the cached copy).
   */
  lockWaitEnd?: { ms: number; then: string };
}

/** Per-caller options of {@linkcode SingleFlight.run}. */
export interface FlightOptions {
  /** Stops waiting for this caller; the work itself is aborted only when all callers have. */
  signal?: AbortSignal;
  /** Receives the flight's progress. */
  onProgress?: (p: FlightProgress) => void;
}

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  listeners: Set<(p: FlightProgress) => void>;
  callers: number;
}

/**
 * Runs at most one `work` per key at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SingleFlight } from "./single_flight.ts";
 * const flights = new SingleFlight<number>();
 * let runs = 0;
 * const work = async () => {
 *   runs++;
 *   await new Promise((r) => setTimeout(r, 10));
 *   return 42;
 * };
 * const results = await Promise.all([flights.run("k", work), flights.run("k", work)]);
 * assert(runs === 1 && results[0] === 42 && results[1] === 42);
 * ```
 */
export class SingleFlight<T> {
  #flights = new Map<string, Flight<T>>();
  // Flights every caller abandoned: still cleaning up (temp files, locks).
  #abandoned = new Set<Promise<unknown>>();
  // The same, by key: a new flight for the key starts once its abandoned one
  // has settled, or it would wait on that flight's entry lock as on another
  // process's (and say so, naming this process).
  #settling = new Map<string, Promise<void>>();

  /**
   * Resolves once every abandoned flight (all its callers aborted) has
   * finished cleaning up, so a process can exit without leaving temp files.
   */
  async settled(): Promise<void> {
    while (this.#abandoned.size > 0) await Promise.allSettled([...this.#abandoned]);
  }

  /**
   * Resolves once no flight is running or cleaning up: those in progress
   * (joined or not) have settled, then as {@linkcode SingleFlight.settled}.
   * Flights started meanwhile are waited for too.
   */
  async idle(): Promise<void> {
    while (this.#flights.size > 0 || this.#abandoned.size > 0) {
      await Promise.allSettled([
        ...[...this.#flights.values()].map((f) => f.promise),
        ...this.#abandoned,
      ]);
    }
  }

  /** Number of flights in progress. */
  get size(): number {
    return this.#flights.size;
  }

  /** True while a flight for `key` is in progress. */
  has(key: string): boolean {
    return this.#flights.has(key);
  }

  /** Joins the flight for `key`, starting it with `work` when none is running. */
  run(
    key: string,
    work: (ctx: FlightContext) => Promise<T>,
    options: FlightOptions = {},
  ): Promise<T> {
    options.signal?.throwIfAborted();
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      // Its abort() runs the callbacks the work registers on its signal
      // (each request attempt's, through `onAbort`) without an `abort`
      // listener added to this fresh signal: one per object on a cold
      // prefill (tests/cache_abort_listener_per_download_test.ts).
      const controller = new HubController();
      const listeners = new Set<(p: FlightProgress) => void>();
      const progress = (p: FlightProgress) => {
        for (const l of listeners) l(p);
      };
      const f: Flight<T> = {
        promise: (this.#settling.get(key) ?? Promise.resolve()).then(() =>
          work({ signal: controller.signal, progress })
        ),
        controller,
        listeners,
        callers: 0,
      };
      f.promise.then(
        () => this.#end(key, f),
        () => this.#end(key, f),
      );
      this.#flights.set(key, f);
      flight = f;
    }
    return this.#join(key, flight, options);
  }

  #end(key: string, flight: Flight<T>): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  #join(key: string, flight: Flight<T>, options: FlightOptions): Promise<T> {
    flight.callers++;
    const listener = options.onProgress;
    if (listener) flight.listeners.add(listener);
    const leave = () => {
      flight.callers--;
      if (listener) flight.listeners.delete(listener);
    };
    const signal = options.signal;
    if (signal === undefined) return flight.promise.finally(leave);
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const abandon = (reason: unknown) => {
        left = true;
        leave();
        if (flight.callers === 0) {
          // Nobody is waiting any more: stop the work and let a new caller start afresh.
          this.#end(key, flight);
          flight.controller.abort(reason);
          const done = flight.promise.then(() => {}, () => {});
          this.#abandoned.add(done);
          this.#settling.set(key, done);
          done.then(() => {
            this.#abandoned.delete(done);
            if (this.#settling.get(key) === done) this.#settling.delete(key);
          });
        }
        reject(reason);
      };
      const stop = onAbort(signal, () => abandon(signal.reason));
      flight.promise.then(
        (v) => {
          if (left) return;
          stop();
          leave();
          resolve(v);
        },
        (e) => {
          if (left) return;
          stop();
          leave();
          reject(e);
        },
      );
    });
  }
}
