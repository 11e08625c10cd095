import { assert, assertEquals, assertRejects } from "./assert.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { readMeta } from "../src/cache/entry_meta.ts";
import { SingleFlight } from "../src/cache/single_flight.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-lock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const META = { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 };

Deno.test("entry lock: exclusive, waiters get it after release and know they waited", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/meta/a.json`;
    const first = await acquireEntryLock(path);
    assert(!first.waited);
    assert(first.empty, "a new record file is empty");
    assertEquals(readMeta(path), undefined, "an empty record reads as a miss");
    let got = false;
    const second = acquireEntryLock(path).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert(!got, "second acquired while the first holds the lock");
    first.write(META);
    first.release();
    const lock = await second;
    assert(lock.waited);
    assert(!lock.empty, "the first holder's record is there to re-check");
    lock.release();
    lock.release(); // idempotent
    assertEquals(readMeta(path)?.etag, "e");
  });
});

Deno.test("entry lock: rewriting a record replaces it whole", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.json`;
    {
      using lock = await acquireEntryLock(path);
      lock.write({ ...META, uri: `s3://b/${"long".repeat(50)}`, md5: "f".repeat(32) });
    }
    {
      using lock = await acquireEntryLock(path);
      lock.write(META);
    }
    const meta = readMeta(path);
    assertEquals(meta?.uri, META.uri);
    assertEquals(meta?.md5, undefined);
  });
});

Deno.test({
  name: "entry lock: a killed holder's lock is free at once",
  ignore: Deno.build.os === "windows", // no SIGKILL there
  async fn() {
    await withDir(async (dir) => {
      const path = `${dir}/a.json`;
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `const f = Deno.openSync(${
            JSON.stringify(path)
          }, { read: true, write: true, create: true });
           f.lockSync(true); console.log("locked"); setTimeout(() => {}, 60_000);`,
        ],
        stdout: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assertEquals((await reader.read()).value?.trim(), "locked");
      const controller = new AbortController();
      const waiting = acquireEntryLock(path, { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel(); // the stream is piped: cancel through its reader
      const timer = setTimeout(() => controller.abort(new Error("not released")), 5_000);
      try {
        const lock = await waiting;
        assert(lock.waited && lock.empty);
        lock.release();
      } finally {
        clearTimeout(timer);
      }
    });
  },
});

Deno.test("entry lock: waiting stops on abort, and the holder is unaffected", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.json`;
    using holder = await acquireEntryLock(path);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("gave up")), 100);
    try {
      await assertRejects(
        () => acquireEntryLock(path, { signal: controller.signal }),
        Error,
        "gave up",
      );
    } finally {
      clearTimeout(timer);
    }
    holder.write(META);
    assertEquals(readMeta(path)?.etag, "e");
  });
});

Deno.test("entry lock: a failed holder's empty record is removed; a waiter takes a fresh one", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.json`;
    const first = await acquireEntryLock(path);
    const second = acquireEntryLock(path);
    await new Promise((r) => setTimeout(r, 20));
    first.release({ discardEmpty: true });
    const lock = await second;
    assert(lock.empty);
    // The waiter holds the file now at the path, so a third caller waits for it.
    let got = false;
    const third = acquireEntryLock(path).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 30));
    assert(!got, "the waiter must lock the file at the path, not the removed one");
    lock.write(META);
    lock.release({ discardEmpty: true }); // written: kept
    (await third).release();
    assertEquals(readMeta(path)?.etag, "e");
  });
});

Deno.test("entry lock: a record removed under its holder is written at the path again", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.json`;
    using lock = await acquireEntryLock(path);
    await Deno.remove(path); // e.g. delete() or prune() in another process
    lock.write(META);
    assertEquals(readMeta(path)?.etag, "e");
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
