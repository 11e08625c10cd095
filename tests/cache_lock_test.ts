import { assert, assertEquals, assertRejects } from "./assert.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { discardOpenTempFiles } from "../src/atomic_write.ts";
import { SingleFlight } from "../src/cache/single_flight.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withTempDir } from "./versioned_helpers.ts";
import { pollUntilSettled, untilWaiting } from "./poll_until_settled.ts";

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-lock-");
}

const enc = new TextEncoder();

/**
 * A child process holding the lock on `temp`: it opens the file (creating
 * it), locks it, writes `content`, with `linkTo` also links it there (a
 * commit), then waits. `kill()` ends it with SIGKILL (its lock goes).
 */
async function holderProcess(
  temp: string,
  content: string,
  linkTo?: string,
): Promise<{ kill(): Promise<void> }> {
  const link = linkTo === undefined
    ? ""
    : `Deno.linkSync(${JSON.stringify(temp)}, ${JSON.stringify(linkTo)});`;
  const code = `const f = Deno.openSync(${
    JSON.stringify(temp)
  }, { read: true, write: true, create: true });
    f.lockSync(true); f.writeSync(new TextEncoder().encode(${JSON.stringify(content)})); ${link}
    console.log("ready"); setTimeout(() => {}, 60_000);`;
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "piped" })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assertEquals((await reader.read()).value?.trim(), "ready");
  return {
    async kill() {
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel(); // the stream is piped: cancel through its reader
    },
  };
}
const TEMP = (dir: string) => `${dir}/data/.a.csv.vc-tmp-0-shared`;

Deno.test("entry lock: exclusive on the shared temp file; a waiter knows it waited", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    const first = await acquireEntryLock(data);
    assert(!first.waited);
    assertEquals(first.path, TEMP(dir));
    assert((await Deno.lstat(TEMP(dir))).isFile, "the lock is the temp file beside the data");
    const clock = new ManualClock();
    let got = false;
    const second = acquireEntryLock(data, { clock }).then((l) => {
      got = true;
      return l;
    });
    // Its first attempt found the lock held: it is now waiting to poll again.
    await untilWaiting(clock);
    assertEquals(clock.pending, 1);
    assert(!(await pollUntilSettled(clock, second, 10)), "second acquired while held");
    assert(!got);
    // The holder downloads, renames into place, then releases.
    await first.temp.file.write(enc.encode("v1"));
    await first.temp.commit();
    first.release();
    assertEquals(await Deno.readTextFile(data), "v1");
    assert(await pollUntilSettled(clock, second, 3), "a few polls after the release");
    const lock = await second;
    assert(lock.waited, "it waited: the entry may be complete now");
    assertEquals(await Deno.readTextFile(data), "v1", "the waiter never wrote the data");
    assertEquals((await Deno.stat(lock.path)).size, 0, "a fresh temp file");
    lock.release();
    lock.release(); // idempotent
    assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["a.csv"]);
  });
});

Deno.test({
  name: "entry lock: a killed holder's temp file is taken over at once, emptied",
  ignore: Deno.build.os === "windows", // no SIGKILL there
  async fn() {
    await withDir(async (dir) => {
      const data = `${dir}/data/a.csv`;
      await Deno.mkdir(`${dir}/data`);
      const holder = await holderProcess(TEMP(dir), "partial");
      const clock = new ManualClock();
      const waiting = acquireEntryLock(data, { clock });
      await untilWaiting(clock);
      assertEquals(clock.pending, 1, "waiting while the child holds the lock");
      await holder.kill();
      // The dead process's lock is gone: the very next poll takes it.
      assert(await pollUntilSettled(clock, waiting, 1), "not free after the holder died");
      const lock = await waiting;
      assert(lock.waited);
      assertEquals((await Deno.stat(TEMP(dir))).size, 0, "the partial content was dropped");
      lock.release();
      await assertRejects(() => Deno.lstat(TEMP(dir)), Deno.errors.NotFound);
      // No partial data file either.
      await assertRejects(() => Deno.lstat(data), Deno.errors.NotFound);
    });
  },
});

Deno.test("entry lock: waiting stops on abort, and the holder is unaffected", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    using holder = await acquireEntryLock(data);
    const controller = new AbortController();
    const clock = new ManualClock();
    const waiting = acquireEntryLock(data, { signal: controller.signal, clock });
    await untilWaiting(clock);
    assertEquals(clock.pending, 1);
    controller.abort(new Error("gave up"));
    await assertRejects(() => waiting, Error, "gave up");
    assertEquals(clock.pending, 0);
    assert(holder.temp.isAtPath(), "the holder's file is still at its path");
  });
});

Deno.test("entry lock: a failed holder's temp file is removed; a waiter takes a fresh one", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    const clock = new ManualClock();
    const first = await acquireEntryLock(data);
    await first.temp.file.write(enc.encode("half"));
    const second = acquireEntryLock(data, { clock });
    await untilWaiting(clock);
    assertEquals(clock.pending, 1, "second is waiting");
    first.release(); // not committed: removed before unlocking
    assert(await pollUntilSettled(clock, second, 3));
    const lock = await second;
    assert(lock.waited);
    assert(lock.temp.isAtPath(), "the waiter holds the file now at the path");
    // So a third caller waits for it.
    const third = acquireEntryLock(data, { clock });
    await untilWaiting(clock);
    assertEquals(clock.pending, 1, "third is waiting");
    assert(
      !(await pollUntilSettled(clock, third, 10)),
      "the waiter must lock the file at the path, not the removed one",
    );
    await lock.temp.file.write(enc.encode("whole"));
    await lock.temp.commit();
    lock.release();
    assert(await pollUntilSettled(clock, third, 3));
    (await third).release();
    assertEquals(await Deno.readTextFile(data), "whole");
    assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["a.csv"]);
  });
});

Deno.test("entry lock: a newcomer between a holder's commit and its record waits for the holder", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    const first = await acquireEntryLock(data);
    await first.temp.file.write(enc.encode("v1"));
    await first.temp.commit(); // in place; the record is not written yet
    assertEquals((await Deno.lstat(TEMP(dir))).nlink, 2, "the temp name stays taken");
    const clock = new ManualClock();
    const newcomer = acquireEntryLock(data, { clock });
    assert(!(await pollUntilSettled(clock, newcomer, 5)), "it must wait for the holder's record");
    first.release(); // after the record
    assert(await pollUntilSettled(clock, newcomer, 3));
    const lock = await newcomer;
    assert(lock.waited, "so it looks for the record before downloading");
    lock.release();
    assertEquals(await Deno.readTextFile(data), "v1");
  });
});

Deno.test("entry lock: a commit over an existing data file keeps the temp name until release", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    await Deno.mkdir(`${dir}/data`);
    await Deno.writeTextFile(data, "old");
    const lock = await acquireEntryLock(data);
    await lock.temp.file.write(enc.encode("new"));
    await lock.temp.commit();
    assertEquals(await Deno.readTextFile(data), "new", "replaced in one step");
    const names = () => [...Deno.readDirSync(`${dir}/data`)].map((e) => e.name).sort();
    assertEquals(names(), [".a.csv.vc-tmp-0-shared", "a.csv"], "no other temp name left");
    assertEquals((await Deno.lstat(data)).ino, (await Deno.lstat(TEMP(dir))).ino);
    lock.release();
    assertEquals(names(), ["a.csv"]);
    assertEquals((await Deno.lstat(data)).nlink, 1);
  });
});

Deno.test({
  name:
    "entry lock: a holder killed between its commit and its record: the data stays, the name goes",
  ignore: Deno.build.os === "windows", // no SIGKILL there; and no shared commit (mandatory locks)
  async fn() {
    await withDir(async (dir) => {
      const data = `${dir}/data/a.csv`;
      await Deno.mkdir(`${dir}/data`);
      // The child does what a holder does up to its record: lock, write, commit (link).
      const holder = await holderProcess(TEMP(dir), "whole", data);
      const clock = new ManualClock();
      const waiting = acquireEntryLock(data, { clock });
      await untilWaiting(clock);
      assertEquals(clock.pending, 1, "a committed file with two names is waited for, not refused");
      await holder.kill();
      assert(await pollUntilSettled(clock, waiting, 3), "not taken after the holder died");
      const lock = await waiting;
      assert(lock.waited, "so it looks for the record before downloading");
      assertEquals(await Deno.readTextFile(data), "whole", "the committed data was not emptied");
      assertEquals((await Deno.lstat(data)).nlink, 1, "the dead holder's temp name is gone");
      assertEquals((await Deno.lstat(TEMP(dir))).size, 0, "the lock is a fresh file");
      assert((await Deno.lstat(TEMP(dir))).ino !== (await Deno.lstat(data)).ino);
      lock.release();
      assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["a.csv"]);
    });
  },
});

Deno.test({
  name: "entry lock: a temp file hard-linked to its data file and to a file outside is refused",
  ignore: Deno.build.os === "windows", // hard links of this kind need NTFS specifics
  async fn() {
    await withDir(async (dir) => {
      const data = `${dir}/data/a.csv`;
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeTextFile(`${dir}/outside.txt`, "keep");
      await Deno.link(`${dir}/outside.txt`, data);
      await Deno.link(`${dir}/outside.txt`, TEMP(dir));
      await assertRejects(() => acquireEntryLock(data), Error, "another hard link");
      assertEquals(await Deno.readTextFile(`${dir}/outside.txt`), "keep");
      assertEquals((await Deno.lstat(`${dir}/outside.txt`)).nlink, 3, "no name removed either");
    });
  },
});

Deno.test({
  name: "entry lock: a link planted at the temp path is refused, its target untouched",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await withDir(async (dir) => {
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeTextFile(`${dir}/outside.txt`, "keep");
      await Deno.symlink(`${dir}/outside.txt`, TEMP(dir));
      await assertRejects(() => acquireEntryLock(`${dir}/data/a.csv`), Error, "not a regular file");
      assertEquals(await Deno.readTextFile(`${dir}/outside.txt`), "keep");
    });
  },
});

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Yields to the event loop until `cond()` holds (bounded by a count, not by time). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
  assert(cond(), `never happened: ${what}`);
}

Deno.test("single flight: one run per key, results shared, errors shared, then a new run", async () => {
  const flights = new SingleFlight<number>();
  let runs = 0;
  let release = gate();
  const work = async () => {
    runs++;
    await release.promise;
    return runs;
  };
  const all = Promise.all(Array.from({ length: 100 }, () => flights.run("k", work)));
  await until(() => runs === 1, "the work started");
  assertEquals(flights.size, 1);
  release.open();
  const results = await all;
  assertEquals(runs, 1);
  assert(results.every((r) => r === 1));
  assertEquals(flights.size, 0);
  release = gate();
  release.open();
  await flights.run("k", work);
  assertEquals(runs, 2);
  const failing = () => Promise.reject(new Error("boom"));
  const errors = await Promise.allSettled([flights.run("e", failing), flights.run("e", failing)]);
  assert(errors.every((e) => e.status === "rejected"));
});

Deno.test("single flight: progress is broadcast; work is aborted only when all callers abort", async () => {
  const flights = new SingleFlight<string>();
  let aborted = false;
  // The work waits for the test between steps.
  const steps: (() => void)[] = [];
  const work = async (
    { signal, progress }: {
      signal: AbortSignal;
      progress: (p: { bytes: number; total: number }) => void;
    },
  ) => {
    for (let i = 1; i <= 5; i++) {
      if (signal.aborted) {
        aborted = true;
        throw signal.reason;
      }
      progress({ bytes: i, total: 5 });
      await new Promise<void>((r) => steps.push(r));
    }
    return "done";
  };
  const seenA: number[] = [];
  const seenB: number[] = [];
  const a = new AbortController();
  const pa = flights.run("k", work, { signal: a.signal, onProgress: (p) => seenA.push(p.bytes) });
  const pb = flights.run("k", work, { onProgress: (p) => seenB.push(p.bytes) });
  await until(() => steps.length === 1, "step 1");
  a.abort(new Error("a quit"));
  await assertRejects(() => pa, Error, "a quit");
  for (let step = 1; step <= 5; step++) {
    await until(() => steps.length === step, `step ${step}`);
    steps[step - 1]!();
  }
  assertEquals(await pb, "done");
  assert(!aborted);
  assertEquals(seenB, [1, 2, 3, 4, 5]);
  assertEquals(seenA, [1]);

  const c = new AbortController();
  const pc = flights.run("k2", work, { signal: c.signal });
  c.abort(new Error("c quit"));
  await assertRejects(() => pc, Error, "c quit");
  await until(() => aborted, "the work saw the abort");
  assert(aborted, "work aborted once its only caller left");
});

Deno.test("record journal: a kept handle notices a compaction and appends at the path", async () => {
  const { appendRecord, compactJournal, keepJournalsOpen, lookupRecord, readJournal } =
    await import(
      "../src/cache/record_journal.ts"
    );
  await withDir(async (dir) => {
    const j = `${dir}/.meta/%records.jsonl`;
    const meta = { uri: "s3://b/a", etag: "e1", size: 1, validatedAt: 0 };
    const done = keepJournalsOpen();
    try {
      for (let i = 0; i < 4; i++) appendRecord(j, "a", meta); // three dead lines
      assert(compactJournal(j), "compacted");
      appendRecord(j, "b", { ...meta, uri: "s3://b/b", etag: "e2" }); // through the old handle?
      const found = lookupRecord(j, "b");
      assert(
        found.kind === "record" && found.meta?.etag === "e2",
        "the line is in the new journal",
      );
    } finally {
      done();
    }
    assertEquals([...readJournal(j).keys()].sort(), ["a", "b"]);
    assertEquals((await Deno.readTextFile(j)).trim().split("\n").length, 2);
  });
});

Deno.test({
  name:
    "entry lock: a Ctrl-C's discard of the temp files leaves another process's download, which a waiter of this one waits for",
  // No SIGKILL there; and the lock of a file is enforced on its I/O (the
  // shared temp file is only the lock), so a waiter's discard is not told
  // from a holder's.
  ignore: Deno.build.os === "windows",
  async fn() {
    await withDir(async (dir) => {
      const data = `${dir}/data/a.csv`;
      await Deno.mkdir(`${dir}/data`);
      const holder = await holderProcess(TEMP(dir), "half of it");
      try {
        const clock = new ManualClock();
        const stop = new AbortController();
        const waiting = acquireEntryLock(data, { clock, signal: stop.signal });
        await untilWaiting(clock);
        // A Ctrl-C cut short (a second one, or a command still busy after
        // the grace): the waiter's handle is no temp file of this process.
        discardOpenTempFiles();
        assertEquals(
          await Deno.readTextFile(TEMP(dir)),
          "half of it",
          "the live holder's download is left in place",
        );
        stop.abort(new Error("stopped"));
        await assertRejects(() => waiting, Error, "stopped");
      } finally {
        await holder.kill();
      }
    });
  },
});
