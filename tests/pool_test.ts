/**
 * src/pool.ts beyond its doc examples: the limit holds, the first error
 * stops new starts and is thrown only after the jobs in flight finish, async
 * iterables are pulled lazily, and an abort stops the pool. Synchronised by
 * promises the test resolves, never by sleeps.
 */
import { forEachLimit, Limiter, mapLimit } from "../src/pool.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";

/** A promise with its resolve/reject in hand. */
function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and macrotask run once. */
const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("forEachLimit: never more than `limit` jobs run at once", async () => {
  for (const limit of [1, 3, 8]) {
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 20 }, () => deferred());
    const run = forEachLimit(gates, limit, async (gate) => {
      peak = Math.max(peak, ++running);
      await gate.promise;
      running--;
    });
    await settle();
    assertEquals(running, limit, "exactly `limit` jobs started while all are blocked");
    for (const gate of gates) {
      gate.resolve();
      await settle();
    }
    await run;
    assertEquals(peak, limit);
    assertEquals(running, 0);
  }
});

Deno.test("forEachLimit: the first error stops new starts and is thrown after in-flight jobs finish", async () => {
  const started: number[] = [];
  let firstFinished = false;
  const slow = deferred();
  const first = new Error("item 2 failed");
  let settled = false;
  const run = forEachLimit([1, 2, 3, 4, 5], 2, async (n) => {
    started.push(n);
    if (n === 1) {
      await slow.promise;
      firstFinished = true;
    }
    if (n === 2) throw first;
    if (n === 3) throw new Error("a later error must not win");
  }).finally(() => {
    settled = true;
  });
  await settle();
  assertEquals(started, [1, 2], "nothing new starts after the failure");
  assertEquals(settled, false, "the pool waits for item 1, still in flight");
  slow.resolve();
  const error = await assertRejects(() => run);
  assert(error === first, `threw ${error}`);
  assert(firstFinished, "item 1 finished before the error was thrown");
  assertEquals(started, [1, 2]);
});

Deno.test("forEachLimit: async iterables are consumed lazily, one pull per free slot", async () => {
  let pulled = 0;
  const gates = Array.from({ length: 10 }, () => deferred());
  async function* items(): AsyncGenerator<number> {
    for (let i = 0; i < gates.length; i++) {
      pulled++;
      yield i;
    }
  }
  const run = forEachLimit(items(), 3, (i) => gates[i]!.promise);
  await settle();
  assertEquals(pulled, 3, "only as many items as there are slots");
  gates[0]!.resolve();
  await settle();
  assertEquals(pulled, 4, "a freed slot pulls one more");
  for (const g of gates) g.resolve();
  await run;
  assertEquals(pulled, 10);
});

Deno.test("forEachLimit: an iterable that throws fails the pool after in-flight jobs", async () => {
  const gate = deferred();
  let inFlightDone = false;
  async function* items(): AsyncGenerator<number> {
    yield 1;
    throw new Error("source broke");
  }
  const run = forEachLimit(items(), 2, async () => {
    await gate.promise;
    inFlightDone = true;
  });
  await settle();
  gate.resolve();
  await assertRejects(() => run, Error, "source broke");
  assert(inFlightDone);
});

Deno.test("forEachLimit: abort stops new starts, waits for in-flight, throws the reason", async () => {
  const controller = new AbortController();
  const started: number[] = [];
  const gates = Array.from({ length: 6 }, () => deferred());
  const run = forEachLimit(gates.keys(), 2, async (i) => {
    started.push(i);
    await gates[i]!.promise;
  }, { signal: controller.signal });
  await settle();
  const reason = new Error("user cancelled");
  controller.abort(reason);
  for (const g of gates) g.resolve();
  const error = await assertRejects(() => run);
  assert(error === reason, `threw ${error}`);
  assertEquals(started, [0, 1], "no job started after the abort");

  // Already aborted: nothing runs at all.
  let ran = false;
  await assertRejects(() =>
    forEachLimit([1], 1, () => {
      ran = true;
      return Promise.resolve();
    }, { signal: AbortSignal.abort(reason) })
  );
  assertEquals(ran, false);
});

Deno.test("forEachLimit: a limit far above the items starts a worker per item, not per slot", async () => {
  // `prefill({ concurrency: 1e9 })` made 1e9 workers up front and ran out of
  // memory. Each worker asks the iterator for its items and once more for the
  // end: 7 pulls here, 1000 with a worker per slot.
  let pulls = 0;
  const items = {
    [Symbol.iterator]() {
      const it = [1, 2, 3][Symbol.iterator]();
      return { next: () => (pulls++, it.next()) };
    },
  };
  const seen: number[] = [];
  await forEachLimit(items, 1000, async (n) => {
    await settle();
    seen.push(n);
  });
  assertEquals(seen.sort(), [1, 2, 3]);
  assert(pulls <= 7, `${pulls} pulls for 3 items`);
  await forEachLimit([1, 2], Number.MAX_SAFE_INTEGER, () => Promise.resolve());
});

Deno.test("forEachLimit: bad limits are programmer errors", async () => {
  for (const limit of [0, -1, 1.5, NaN]) {
    await assertRejects(() => forEachLimit([1], limit, () => Promise.resolve()), RangeError);
  }
  assertThrows(() => new Limiter(0), RangeError);
  await forEachLimit([], 4, () => Promise.reject(new Error("never called")));
});

Deno.test("mapLimit: results keep input order whatever the completion order", async () => {
  const gates = [deferred(), deferred(), deferred()];
  const run = mapLimit(["a", "b", "c"], 3, async (s, i) => {
    await gates[i]!.promise;
    return s.toUpperCase();
  });
  gates[2]!.resolve();
  gates[0]!.resolve();
  gates[1]!.resolve();
  assertEquals(await run, ["A", "B", "C"]);
});

Deno.test("Limiter: runs at most `limit` jobs, in arrival order, and frees slots on failure", async () => {
  const limiter = new Limiter(2);
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const order: number[] = [];
  const jobs = gates.map((g, i) =>
    limiter.run(async () => {
      order.push(i);
      await g.promise;
      if (i === 0) throw new Error("job 0 failed");
      return i;
    })
  );
  await settle();
  assertEquals(limiter.active, 2);
  assertEquals(limiter.pending, 2);
  assertEquals(order, [0, 1]);
  gates[0]!.resolve();
  await assertRejects(() => jobs[0]!, Error, "job 0 failed");
  await settle();
  assertEquals(order, [0, 1, 2], "the failed job's slot went to the next waiter");
  assertEquals(limiter.active, 2);
  for (const g of gates) g.resolve();
  assertEquals(await Promise.all(jobs.slice(1)), [1, 2, 3]);
  assertEquals(limiter.active, 0);
  assertEquals(limiter.pending, 0);
});

Deno.test("Limiter: a job aborted while it waits never runs, and frees its place in line", async () => {
  const limiter = new Limiter(1);
  let release!: () => void;
  const holding = limiter.run(() => new Promise<void>((r) => (release = r)));
  const controller = new AbortController();
  let ran = false;
  const waiting = limiter.run(() => Promise.resolve(void (ran = true)), controller.signal);
  const after = limiter.run(() => Promise.resolve("after"));
  assertEquals(limiter.pending, 2);
  controller.abort(new Error("gone"));
  await assertRejects(() => waiting, Error, "gone");
  assertEquals(limiter.pending, 1);
  release();
  await holding;
  assertEquals(await after, "after");
  assertEquals([ran, limiter.active, limiter.pending], [false, 0, 0]);
  // Already aborted: refused at once, when it would have to wait.
  const busy = limiter.run(() => new Promise<void>((r) => (release = r)));
  await assertRejects(() => limiter.run(() => Promise.resolve(), controller.signal), Error, "gone");
  release();
  await busy;
});
