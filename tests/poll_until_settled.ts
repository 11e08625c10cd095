/**
 * Moving a {@linkcode ManualClock} through a lock's polls, for the tests of
 * waits for a lock another holds.
 */
import type { ManualClock } from "../src/testing/manual_clock.ts";

/**
 * Moves `clock` one poll interval (100 ms) at a time until `p` settles, at
 * most `polls` times; whether it did.
 */
export async function pollUntilSettled(
  clock: ManualClock,
  p: Promise<unknown>,
  polls = 100,
): Promise<boolean> {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < polls && !settled; i++) {
    await clock.advance(100);
    // Let the woken poll run its attempt (a lock file opened again off the
    // main thread when its path changed) and settle, or sleep again.
    for (let t = 0; t < 1000 && !settled && clock.pending === 0; t++) {
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  return settled;
}

/**
 * Turns the event loop until a sleep is pending on `clock`, at most 1000
 * times: a waiter's first attempt (its lock file opened off the main
 * thread) has found the lock held. Throws when none ever is.
 */
export async function untilWaiting(clock: ManualClock): Promise<void> {
  for (let t = 0; t < 1000; t++) {
    if (clock.pending > 0) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error("no wait began on the clock");
}
