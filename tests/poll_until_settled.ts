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
    // Let the woken poll run its (synchronous) attempt and settle.
    await new Promise((r) => setTimeout(r, 0));
  }
  return settled;
}
