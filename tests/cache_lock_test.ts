import { assert, assertEquals, assertRejects } from "./assert.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { SingleFlight } from "../src/cache/single_flight.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-lock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("entry lock: exclusive, waiters get it after release and know they waited", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/locks/a.lock`;
    const first = await acquireEntryLock(path);
    assert(!first.waited);
    const body = JSON.parse(await Deno.readTextFile(path));
    assertEquals(body.pid, Deno.pid);
    let got = false;
    const second = acquireEntryLock(path).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert(!got, "second acquired while the first holds the lock");
    await first.release();
    const lock = await second;
    assert(lock.waited);
    await lock.release();
    await lock.release(); // idempotent
    await assertRejects(() => Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test("entry lock: a dead owner's lock is broken at once, a stale one after staleAfter", async () => {
  await withDir(async (dir) => {
    // A pid that surely is not running: a child that has exited.
    const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
    await child.status;
    const dead = `${dir}/dead.lock`;
    await Deno.writeTextFile(
      dead,
      JSON.stringify({ pid: child.pid, host: Deno.hostname(), token: "x", at: Date.now() }),
    );
    const t0 = Date.now();
    const lock = await acquireEntryLock(dead);
    assert(Date.now() - t0 < 1000, "dead owner's lock broken promptly");
    await lock.release();

    // A live owner (this process, through another token) that stopped refreshing.
    const stale = `${dir}/stale.lock`;
    await Deno.writeTextFile(
      stale,
      JSON.stringify({ pid: Deno.pid, host: Deno.hostname(), token: "y", at: 0 }),
    );
    const old = new Date(Date.now() - 10_000);
    await Deno.utime(stale, old, old);
    const broken = await acquireEntryLock(stale, { staleAfter: 5_000 });
    await broken.release();
  });
});

Deno.test("entry lock: a held lock is refreshed, so a long holder is not broken", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.lock`;
    const holder = await acquireEntryLock(path, { staleAfter: 150 });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("still held")), 600);
    try {
      await assertRejects(
        () => acquireEntryLock(path, { staleAfter: 150, signal: controller.signal }),
        Error,
        "still held",
      );
    } finally {
      clearTimeout(timer);
      await holder.release();
    }
  });
});

Deno.test("entry lock: release leaves a lock that was broken and re-taken alone", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.lock`;
    const mine = await acquireEntryLock(path, { staleAfter: 100 });
    await new Promise((r) => setTimeout(r, 60)); // held long enough to be checked on release
    await Deno.remove(path); // someone broke it...
    const theirs = await acquireEntryLock(path); // ...and took it
    await mine.release();
    await Deno.stat(path); // still theirs
    await theirs.release();
  });
});

Deno.test("single flight: one run per key, results shared, errors shared, then a new run", async () => {
  const flights = new SingleFlight<number>();
  let runs = 0;
  const work = async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 10));
    return runs;
  };
  const results = await Promise.all(Array.from({ length: 100 }, () => flights.run("k", work)));
  assertEquals(runs, 1);
  assert(results.every((r) => r === 1));
  assertEquals(flights.size, 0);
  await flights.run("k", work);
  assertEquals(runs, 2);
  const failing = () => Promise.reject(new Error("boom"));
  const errors = await Promise.allSettled([flights.run("e", failing), flights.run("e", failing)]);
  assert(errors.every((e) => e.status === "rejected"));
});

Deno.test("single flight: progress is broadcast; work is aborted only when all callers abort", async () => {
  const flights = new SingleFlight<string>();
  let aborted = false;
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
      await new Promise((r) => setTimeout(r, 10));
    }
    return "done";
  };
  const seenA: number[] = [];
  const seenB: number[] = [];
  const a = new AbortController();
  const pa = flights.run("k", work, { signal: a.signal, onProgress: (p) => seenA.push(p.bytes) });
  const pb = flights.run("k", work, { onProgress: (p) => seenB.push(p.bytes) });
  await new Promise((r) => setTimeout(r, 15));
  a.abort(new Error("a quit"));
  await assertRejects(() => pa, Error, "a quit");
  assertEquals(await pb, "done");
  assert(!aborted);
  assertEquals(seenB, [1, 2, 3, 4, 5]);
  assert(seenA.length < 5);

  const c = new AbortController();
  const pc = flights.run("k2", work, { signal: c.signal });
  c.abort(new Error("c quit"));
  await assertRejects(() => pc, Error, "c quit");
  await new Promise((r) => setTimeout(r, 30));
  assert(aborted, "work aborted once its only caller left");
});
