/**
 * A download waiting for another process's download of the same entry
 * (`VC_LOCK_WAIT`, 60 s) gave up after that long even while the holder's
 * file was growing, and fetched the whole object a second time beside it:
 * every 1 GiB download slower than 17 MB/s was made twice by each process
 * that asked for it meanwhile. The wait now runs out only once the holder
 * has written nothing for that long.
 */
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { acquireEntryLock, LockTimeoutError } from "../src/cache/entry_lock.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withTempDir } from "./versioned_helpers.ts";
import { pollUntilSettled } from "./poll_until_settled.ts";

Deno.test("entry lock: a waiter waits past its timeout while the holder writes, and no longer once it stops", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data/big.bin`;
    using holder = await acquireEntryLock(data);
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { clock, timeout: 1_000, whileWritten: true });
    // 2.5 s of waiting (past the 1 s limit), the holder writing every half second.
    for (let i = 0; i < 5; i++) {
      holder.temp.file.writeSync(new Uint8Array(64 * 1024).fill(i));
      assert(!(await pollUntilSettled(clock, waiting, 5)), `the waiter gave up at ${i}`);
    }
    // The holder writes nothing more: given up on after the 1 s limit.
    assert(await pollUntilSettled(clock, waiting, 30), "the waiter must give up");
    const e = await assertRejects(() => waiting, LockTimeoutError);
    assertStringIncludes(e.message, "written nothing to it for 1s");
  }, "vc-lock-while-written-");
});

Deno.test("entry lock: a holder writing over bytes its file has keeps the waiter waiting", async () => {
  // A resumed download fetches again the ranges past its kept prefix into
  // the file, over bytes an earlier run wrote: neither its size nor its
  // blocks change (nor do blocks on Windows, which has none), only its time.
  await withTempDir(async (dir) => {
    const data = `${dir}/data/big.bin`;
    using holder = await acquireEntryLock(data);
    const file = holder.temp.file;
    file.writeSync(new Uint8Array(256 * 1024).fill(1));
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { clock, timeout: 1_000, whileWritten: true });
    for (let i = 0; i < 5; i++) {
      // Written again until its time moves on (a file system's times are coarse).
      const before = file.statSync().mtime?.getTime();
      for (let t = 0; t < 500 && file.statSync().mtime?.getTime() === before; t++) {
        await new Promise((r) => setTimeout(r, 2));
        file.seekSync(64 * 1024, Deno.SeekMode.Start);
        file.writeSync(new Uint8Array(64 * 1024).fill(i + 2));
      }
      assert(!(await pollUntilSettled(clock, waiting, 5)), `the waiter gave up at ${i}`);
    }
    assert(await pollUntilSettled(clock, waiting, 30), "the waiter must give up");
    await assertRejects(() => waiting, LockTimeoutError);
  }, "vc-lock-while-written-");
});

Deno.test("entry lock: without whileWritten, a holder's writes do not stretch the wait", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data/big.bin`;
    using holder = await acquireEntryLock(data);
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { clock, timeout: 1_000 });
    let settled = false;
    for (let i = 0; i < 5 && !settled; i++) {
      holder.temp.file.writeSync(new Uint8Array(64 * 1024).fill(i));
      settled = await pollUntilSettled(clock, waiting, 5);
    }
    assert(settled, "the waiter must give up after 1 s");
    await assertRejects(() => waiting, LockTimeoutError);
  }, "vc-lock-while-written-");
});
