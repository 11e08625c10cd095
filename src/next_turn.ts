/**
 * One turn of the event loop for code that runs ahead on its own (a walk of
 * a directory, a prefill reading its list on), so that the I/O in flight
 * moves meanwhile.
 *
 * @module
 */

/**
 * Waits for one turn of the event loop in which pending network I/O is
 * polled: an async stat of `path` (a directory the caller reads anyway),
 * whose answer comes from another thread. (A message through a
 * MessageChannel resolves without the runtime polling its connections, and a
 * `setTimeout(0)` waits for the timer tick, ~1-2 ms.) ~30 µs. A `path` that
 * is not there takes the turn as well.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextTurn } from "./next_turn.ts";
 * // A timer due now fires within the turn; a chain of microtasks gives it none.
 * let fired = false;
 * setTimeout(() => fired = true, 0);
 * for (let i = 0; i < 1000 && !fired; i++) await nextTurn("/no/such/dir");
 * assert(fired);
 * assert.equal(await nextTurn(Deno.cwd()), undefined);
 * ```
 */
export function nextTurn(path: string): Promise<void> {
  return Deno.lstat(path).then(() => {}, () => {});
}
