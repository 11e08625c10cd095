/** `SettleCheck`: which files a watch's full pass leaves for later while the wall clock steps (a manual clock). */
import { assert } from "./assert.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { SettleCheck } from "../src/mirror/settle.ts";

const HOUR = 3_600_000;
const SETTLE = 1_000;

Deno.test("settle: a file written while the wall clock was set back, then forward again with no pass between, is recent", async () => {
  // Set forward by less than it was set back: only the net step back shows.
  // (Forward by as much or more shows only as the net step: a watch's
  // events hold such a file back, see settle.ts.)
  for (const forward of [HOUR / 2, HOUR - 1_000]) {
    const clock = new ManualClock(100 * HOUR);
    const settle = new SettleCheck(clock);
    settle.pass(SETTLE);
    clock.jump(-HOUR); // set back (an operator, a VM resumed) ...
    const written = clock.now(); // ... a writer starts ...
    clock.jump(forward); // ... and the clock is set forward again
    settle.pass(SETTLE);
    assert(settle.recent(written), `set back an hour, forward ${forward} ms`);
    // A quiet period later (monotonic time) the file is settled again.
    await clock.advance(SETTLE);
    settle.pass(SETTLE);
    assert(!settle.recent(written), `a settle period after, forward ${forward} ms`);
  }
});

Deno.test("settle: several steps back and forth between passes never make a file being written look old", async () => {
  const clock = new ManualClock(100 * HOUR);
  const settle = new SettleCheck(clock);
  settle.pass(SETTLE);
  for (const steps of [[-5_000, 3_000], [-HOUR, 10_000, 10_000], [2_000, -5_000, 2_000]]) {
    let written = clock.now();
    for (const ms of steps) {
      clock.jump(ms);
      // Written while set back the most: the steps after make it look oldest.
      written = Math.min(written, clock.now());
    }
    await clock.advance(10);
    settle.pass(SETTLE);
    assert(settle.recent(written), `steps ${steps}`);
    await clock.advance(SETTLE);
    settle.pass(SETTLE);
  }
  // No step for a settle period: an old file is old, a new one recent.
  await clock.advance(SETTLE);
  settle.pass(SETTLE);
  assert(!settle.recent(clock.now() - 2 * SETTLE));
  assert(settle.recent(clock.now() - 10));
});

Deno.test("settle: jitter of the lead below a step (whole-ms wall clock, NTP slewing) changes nothing", () => {
  const clock = new ManualClock(100 * HOUR);
  const settle = new SettleCheck(clock);
  settle.pass(SETTLE);
  clock.jump(-5);
  settle.pass(SETTLE);
  assert(!settle.recent(clock.now() - 2 * SETTLE));
});
