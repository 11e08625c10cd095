/**
 * Cancellable deadlines for requests, without `setTimeout`.
 *
 * Why: in Deno 2 the first `setTimeout` of a process loads Deno's Node
 * timers (`node:timers`: 13-20 ms measured), and every call makes a Node
 * `Timeout` object. Each request needs a deadline that it rarely reaches; a
 * no-op `vc mirror` makes ten requests and would pay that load for nothing.
 * Here pending deadlines sit in a set; one timed `Atomics.waitAsync` (V8's
 * own timer: nothing to load) is armed for the earliest, and cancelling is
 * a set delete. `AbortSignal.timeout` would do too, but it keeps the process
 * alive until it fires, long after the request it guarded.
 *
 * A deadline does not keep the process alive by itself: it guards something
 * that does (a request in flight), like an unref'd timer.
 *
 * @module
 */

interface Pending {
  at: number;
  fire: () => void;
}

const pending = new Set<Pending>();
/** When the armed check runs (Infinity: none armed). */
let armedAt = Infinity;
// Never notified: waits on it only time out.
const cell = new Int32Array(new SharedArrayBuffer(4));
const waitAsync = (Atomics as { waitAsync?: typeof Atomics.waitAsync }).waitAsync;

function arm(at: number): void {
  if (at >= armedAt) return;
  armedAt = at;
  const onTime = () => {
    // A check armed later for an earlier time owns the mark then.
    if (armedAt === at) armedAt = Infinity;
    check();
  };
  // At least 1 ms: a wait of 0 ends at once, and its check would run as a
  // microtask, so a deadline that re-arms itself when it fires (a progress
  // log line) while the clock reads past it each time (a clock a test
  // advances on every read) would never let the event loop run.
  const ms = Math.max(1, Math.ceil(at - performance.now()));
  if (waitAsync === undefined) {
    // Runtimes without Atomics.waitAsync: an unref'd timer.
    const id = setTimeout(onTime, ms);
    if (typeof Deno !== "undefined") Deno.unrefTimer(id as unknown as number);
    return;
  }
  const wait = waitAsync(cell, 0, 0, ms);
  if (wait.async) wait.value.then(onTime);
  else queueMicrotask(onTime);
}

function check(): void {
  const now = performance.now();
  let next = Infinity;
  let due: Pending[] | undefined;
  for (const p of pending) {
    if (p.at <= now) (due ??= []).push(p);
    else if (p.at < next) next = p.at;
  }
  if (due !== undefined) {
    // In time order, also when a busy process checks late and finds
    // several due (the set is in the order they were made).
    due.sort((a, b) => a.at - b.at);
    for (const p of due) {
      pending.delete(p);
      p.fire();
    }
  }
  if (next !== Infinity) arm(next);
}

/**
 * Calls `fire` once, `ms` milliseconds from now (or a little later), unless
 * the returned function is called first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deadline } from "./deadline.ts";
 * let fired = 0;
 * const cancel = deadline(10, () => fired++);
 * cancel();
 * // Something must keep the process alive meanwhile (for vc, a request).
 * const alive = setInterval(() => {}, 1000);
 * await new Promise<void>((resolve) => deadline(20, resolve));
 * clearInterval(alive);
 * assert.equal(fired, 0);
 * ```
 */
export function deadline(ms: number, fire: () => void): () => void {
  const p: Pending = { at: performance.now() + ms, fire };
  pending.add(p);
  arm(p.at);
  return () => {
    pending.delete(p);
  };
}

/**
 * What a streamed body must deliver within each request timeout to count as
 * moving (64 KiB: ~1 KiB/s at the default 60 s): a server that trickles a few
 * bytes at a time would otherwise keep a download alive for days, each byte
 * re-arming the idle timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIN_PROGRESS_BYTES } from "./deadline.ts";
 * assert.equal(MIN_PROGRESS_BYTES, 65536);
 * ```
 */
export const MIN_PROGRESS_BYTES = 64 * 1024;
