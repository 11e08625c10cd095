/**
 * The wait for another process's entry lock (`VC_LOCK_WAIT`, `lockWait`) is
 * counted on the monotonic clock: a wall clock set back during the wait (NTP
 * correcting a clock that ran ahead, an operator) stretched it by the step,
 * so a waiter behind a stopped holder hung for hours instead of 60 s, and one
 * set forward (a VM resumed, NTP after boot) ended it at once, sending the
 * waiter to download the entry a second time beside the holder.
 */
import { assert, assertRejects } from "./assert.ts";
import { acquireEntryLock, LockTimeoutError } from "../src/cache/entry_lock.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withTempDir } from "./versioned_helpers.ts";
import { pollUntilSettled } from "./poll_until_settled.ts";

const HOUR = 3600_000;

Deno.test("entry lock: a wall clock set back during the wait does not stretch it", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    using _holder = await acquireEntryLock(data);
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { clock, timeout: 1_000 });
    clock.jump(-HOUR);
    // 3 s of waiting, the step aside: the 1 s limit has passed.
    assert(await pollUntilSettled(clock, waiting, 30), "the waiter must give up after 1 s");
    await assertRejects(() => waiting, LockTimeoutError);
  }, "vc-lock-clock-step-");
});

Deno.test("entry lock: a wall clock set forward during the wait does not end it", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    const holder = await acquireEntryLock(data);
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { clock, timeout: 1_000 });
    clock.jump(HOUR);
    // Half a second of waiting: still within the limit.
    assert(!(await pollUntilSettled(clock, waiting, 5)), "the waiter must still wait");
    holder.release();
    assert(await pollUntilSettled(clock, waiting, 5), "the waiter takes the released lock");
    (await waiting).release();
  }, "vc-lock-clock-step-");
});

Deno.test("journal lock: a wall clock set back during the wait does not stretch it", async () => {
  const { lockSync } = await import("../src/cache/journal_file.ts");
  const path = await Deno.makeTempFile({ prefix: "vc-journal-clock-step-" });
  const realNow = Date.now;
  try {
    using held = Deno.openSync(path, { read: true, write: true });
    using waiter = Deno.openSync(path, { read: true, write: true });
    assert(held.tryLockSync(true));
    // The wall clock reads an hour back after the first look, for the next
    // 500 looks (far more than a 50 ms wait polls), then real time again.
    let looks = 0;
    Date.now = () => realNow() - (looks++ === 0 || looks > 500 ? 0 : HOUR);
    const got = lockSync(waiter, true, 50);
    Date.now = realNow;
    assert(got === "busy", got);
    assert(looks <= 500, "the wait ran until the wall clock came back");
  } finally {
    Date.now = realNow;
    await Deno.remove(path);
  }
});
