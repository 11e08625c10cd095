/**
 * A bound on request bodies that stop arriving. Deno.serve has no read
 * timeout: a client that sent an upload's headers (or part of its body) and
 * then went silent with its connection open held the request, its temporary
 * data and a file descriptor forever, and kept a graceful shutdown waiting
 * for it. Each read of a request body is given `idleMs`; a read that brings
 * nothing for that long fails the request with 408, its reader cancelled.
 *
 * @module
 */
import { deadline } from "../deadline.ts";
import { HttpError } from "./http_error.ts";

/** How long a request body may send nothing before the request is given up (default). */
export const DEFAULT_BODY_IDLE_MS = 60_000;

/**
 * `pending` (a read of a request body), or `HttpError` 408 once it has
 * brought nothing for `idleMs` (0 or Infinity: no bound); `stop` is then
 * called with that error (to cancel the reader, which lets its buffer go).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withinIdle } from "./body_idle.ts";
 * const alive = setInterval(() => {}, 1000); // a server keeps the process alive
 * let stopped = false;
 * const never = new Promise<number>(() => {});
 * await assert.rejects(withinIdle(never, 20, () => stopped = true), { status: 408 });
 * assert(stopped && await withinIdle(Promise.resolve(1), 20, () => {}) === 1);
 * clearInterval(alive);
 * ```
 */
export function withinIdle<T>(
  pending: Promise<T>,
  idleMs: number,
  stop: (reason: HttpError) => void,
  why?: string,
): Promise<T> {
  if (!(idleMs > 0 && idleMs < Infinity)) return pending;
  return new Promise<T>((resolve, reject) => {
    const cancel = deadline(idleMs, () => {
      const stalled = new HttpError(
        408,
        why ?? `the request body stopped arriving: nothing came for ${idleMs / 1000} s`,
      );
      reject(stalled);
      stop(stalled);
    });
    pending.then((value) => {
      cancel();
      resolve(value);
    }, (e) => {
      cancel();
      reject(e);
    });
  });
}
