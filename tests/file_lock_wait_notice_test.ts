/**
 * `withFileLock`'s `onWait` (what `vc add` / `vc update` print as "waiting
 * for another process, which holds …; Ctrl-C stops the wait", `vc lock` and
 * `vc sync` likewise) came at the first failed attempt: eight `vc add` of
 * different paths started at once printed that warning six times, for waits
 * of milliseconds behind each other's pins. It now comes once the wait has
 * lasted a second (`noticeAfter`, as the cache's entry locks), and only then.
 */
import { join } from "node:path";
import { withFileLock } from "../src/file_lock.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { holdLock } from "./versioned_helpers.ts";
import { assertEquals } from "./assert.ts";

// Lets the waiter's poll loop take its next turn after the clock moved.
const turn = () => new Promise((r) => setTimeout(r, 0));

async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 10) {
    await clock.advance(10);
    await turn();
  }
}

/**
 * A `withFileLock` (with `options`) waiting on a lock another holder has:
 * `whileHeld` moves the clock and looks at `[ran, notices]` so far; then the
 * holder lets go. Returns `[ran, notices]` once the wait is over.
 */
async function waitBehindHolder(
  options: { noticeAfter?: number },
  whileHeld: (clock: ManualClock, seen: () => [boolean, number]) => Promise<void>,
): Promise<[boolean, number]> {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_notice_" });
  try {
    const path = join(dir, ".m.json.lock");
    const clock = new ManualClock(0);
    let notices = 0;
    let ran = false;
    const holder = holdLock(path);
    const locked = withFileLock(path, () => {
      ran = true;
    }, { clock, onWait: () => notices++, ...options });
    try {
      await whileHeld(clock, () => [ran, notices]);
    } finally {
      holder.release();
    }
    for (let i = 0; i < 100 && !ran; i++) await advance(clock, 50);
    await locked;
    return [ran, notices];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a short wait for a file lock held by another holder is not announced", async () => {
  const after = await waitBehindHolder({}, async (clock, seen) => {
    await advance(clock, 200);
    assertEquals(seen(), [false, 0]);
  });
  assertEquals(after, [true, 0]);
});

Deno.test("a wait for a file lock is announced once, after noticeAfter", async () => {
  const after = await waitBehindHolder({ noticeAfter: 500 }, async (clock, seen) => {
    await advance(clock, 400);
    assertEquals(seen()[1], 0);
    await advance(clock, 300);
    assertEquals(seen(), [false, 1]);
    await advance(clock, 2000);
    assertEquals(seen(), [false, 1]);
  });
  assertEquals(after, [true, 1]);
});
