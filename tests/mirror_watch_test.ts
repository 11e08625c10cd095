/**
 * `watchMirror()`: real filesystem events (Deno.watchFs), time from a
 * manual clock, so debounce and reconcile are driven by the test instead of
 * by sleeping. Waits for events are bounded polls.
 */
import { join } from "node:path";
import { ManualClock } from "../src/testing/manual_clock.ts";
import type { MirrorReport } from "../src/mirror/types.ts";
import { watchMirror, type WatchOptions, type WatchReport } from "../src/mirror/watch.ts";
import { Mirror } from "../src/mirror/mirror.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AccessDeniedError, InvalidInputError, OfflineError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { BACKENDS, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const tick = () => new Promise((r) => setTimeout(r, 20));

/** Polls `cond` (calling `step` between polls) at most 400 times (~8 s+). */
async function until(what: string, cond: () => boolean | Promise<boolean>, step?: () => void) {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    step?.();
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

const DEBOUNCE = 1000;
const RECONCILE = 3_600_000;

for (const backend of BACKENDS) {
  Deno.test({
    name:
      `mirror --watch (${backend.name}): create, modify, delete, rename, missed events, half-written files`,
    ignore: backend.ignore,
    async fn() {
      await using b = await backend.make();
      await using w = await tempDir();
      const src = join(w.dir, "src");
      await writeTree(src, { "keep.txt": "keep" });
      const clock = new ManualClock(Date.now() + 10_000);
      const stop = new AbortController();
      const batches: { report: MirrorReport; kind: string }[] = [];
      const events: string[] = [];
      const uploads: string[] = [];
      let idle = 0;
      const watching: Promise<WatchReport> = watchMirror({
        sources: [src],
        target: b.store,
        statePath: join(w.dir, "s.db"),
        delete: true,
        clock,
        debounceMs: DEBOUNCE,
        reconcileIntervalMs: RECONCILE,
        signal: stop.signal,
        onBatch: (report, kind) => batches.push({ report, kind }),
        onEvent: (paths) => events.push(...paths),
        onIdle: () => idle++,
        onAction: (a) => {
          if (a.action === "upload") uploads.push(a.key);
        },
      });
      const keys = async () => Object.keys(await storeContents(b.store));
      const content = async (k: string) => (await storeContents(b.store))[k];
      const advance = () => clock.advance(DEBOUNCE);
      try {
        await until("the first pass", () => batches.length === 1 && idle > 0);
        assertEquals(batches[0]!.kind, "initial");
        assertEquals(await keys(), ["keep.txt"]);

        // create
        await writeTree(src, { "new/a.txt": "aaa" });
        await until("create applied", async () => (await content("new/a.txt")) === "aaa", advance);
        // modify, same size
        await Deno.writeTextFile(join(src, "new/a.txt"), "bbb");
        await until("modify applied", async () => (await content("new/a.txt")) === "bbb", advance);
        // delete
        await Deno.remove(join(src, "keep.txt"));
        await until("delete applied", async () => !(await keys()).includes("keep.txt"), advance);
        // rename a directory
        await Deno.rename(join(src, "new"), join(src, "renamed"));
        await until(
          "rename applied",
          async () => (await keys()).join() === "renamed/a.txt",
          advance,
        );
        assert(batches.every((x) => x.kind !== "reconcile"), "events, not a reconcile, did it");

        // A file written in steps is uploaded once, complete, never half.
        const path = join(src, "growing.bin");
        const file = await Deno.open(path, { write: true, create: true });
        try {
          await file.write(new TextEncoder().encode("part1-"));
          await until("the first write's event", () => events.includes(path));
          const idleBefore = idle;
          clock.advance(DEBOUNCE); // the batch is due ...
          file.writeSync(new TextEncoder().encode("part2-")); // ... but the file grows first
          await until("the batch", () => idle > idleBefore);
          assert(!uploads.includes("growing.bin"), "a file still changing is not uploaded");
          await file.write(new TextEncoder().encode("part3"));
        } finally {
          file.close();
        }
        await until(
          "complete upload",
          async () => (await content("growing.bin")) === "part1-part2-part3",
          advance,
        );
        assertEquals(uploads.filter((k) => k === "growing.bin"), ["growing.bin"]);

        // A change no event reports (the object deleted behind our back) is
        // repaired by the periodic full pass.
        await b.store.delete(["renamed/a.txt"]);
        const reconciles = batches.filter((x) => x.kind === "reconcile").length;
        clock.advance(RECONCILE);
        await until(
          "reconcile",
          () => batches.filter((x) => x.kind === "reconcile").length > reconciles,
        );
        assertEquals(await content("renamed/a.txt"), "bbb");
      } finally {
        stop.abort();
        await watching;
      }
      const totals = await watching;
      assert(totals.passes >= 2 && totals.batches >= 4, JSON.stringify(totals));
    },
  });
}

/**
 * A `--watch` of `DIR/src` (holding `a.txt`) into the directory store
 * `DIR/bucket` with `--delete`, on a manual clock, once its first pass is
 * done: what it did (`batches`, `events`), a look at the store (`has`), the
 * clock's step of one debounce (`advance`), and its stop.
 */
async function watchOneFile(dir: string) {
  const src = join(dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const target = join(dir, "bucket");
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  const batches: string[] = [];
  const events: string[] = [];
  let idle = 0;
  const watching = watchMirror({
    sources: [src],
    target: `file://${target}`,
    statePath: join(dir, "s.db"),
    delete: true,
    clock,
    debounceMs: DEBOUNCE,
    reconcileIntervalMs: RECONCILE,
    signal: stop.signal,
    onBatch: (_report, kind) => batches.push(kind),
    onEvent: (paths) => events.push(...paths),
    onIdle: () => idle++,
  });
  const has = async (name: string) =>
    await Deno.readTextFile(join(target, name)).catch(() => undefined);
  const advance = () => clock.advance(DEBOUNCE);
  try {
    await until("the first pass", () => batches.length === 1 && idle > 0);
  } catch (e) {
    stop.abort();
    await watching.catch(() => {});
    throw e;
  }
  return { src, clock, batches, events, has, advance, stop, watching };
}

Deno.test("mirror --watch: a source directory removed and made again is watched again", async () => {
  await using w = await tempDir();
  const { src, batches, events, has, advance, stop, watching } = await watchOneFile(w.dir);
  try {
    // (While the directory is gone nothing need be deleted: a source that
    // vanished, e.g. an unmounted disk, is not taken for an empty one.)
    await Deno.remove(src, { recursive: true });
    await until("the removal seen", () => events.includes(src)); // the old watch is gone now
    await Deno.mkdir(src);
    await until("the directory watched again", async () => {
      await Deno.writeTextFile(join(src, "b.txt"), "b"); // rewritten until an event takes it up
      return (await has("b.txt")) === "b" && (await has("a.txt")) === undefined;
    }, advance);
    // And later changes there too (the pass for the removal alone would not see them).
    await until("a later change", async () => {
      await Deno.writeTextFile(join(src, "c.txt"), "c");
      return (await has("c.txt")) === "c";
    }, advance);
    assert(!batches.includes("reconcile"), `no reconcile pass did it: ${batches}`);
  } finally {
    stop.abort();
    await watching;
  }
});

Deno.test("watch: a reconcile interval under a second (0 would list the prefix back to back) is refused", async () => {
  await using w = await tempDir();
  await Deno.mkdir(join(w.dir, "src"));
  for (const reconcileIntervalMs of [0, 999, Number.NaN]) {
    const e = await assertRejects(
      () =>
        watchMirror({
          sources: [join(w.dir, "src")],
          target: `file://${w.dir}/store`,
          statePath: join(w.dir, "s.db"),
          reconcileIntervalMs,
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "too short");
  }
});

/** An FsStore whose every request fails while `down` is set (a store that cannot be reached). */
function unreachableWhileDown(dir: string): { store: ObjectStore; down: boolean } {
  const fs = new FsStore(dir);
  const state = { down: true, store: fs as ObjectStore };
  state.store = new Proxy(fs, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "close") return value.bind(target);
      const fail = () => new OfflineError(`cannot reach the store (${String(name)})`);
      // The listings are async iterables, the rest promises: each fails its own way.
      if (String(name).startsWith("list")) {
        return (...args: unknown[]) =>
          state.down
            ? { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(fail()) }) }
            : value.apply(target, args);
      }
      return (...args: unknown[]) =>
        state.down ? Promise.reject(fail()) : value.apply(target, args);
    },
  });
  return state;
}

/**
 * A watch of `dir/src` into `store` with --delete, a manual clock and the
 * test's debounce and reconcile interval; `stop` ends it.
 */
function watchInto(
  dir: string,
  store: ObjectStore,
  clock: ManualClock,
  stop: AbortSignal,
  hooks: Pick<WatchOptions, "onError" | "onBatch" | "onIdle" | "onEvent">,
): Promise<unknown> {
  return watchMirror({
    sources: [join(dir, "src")],
    target: store,
    statePath: join(dir, "s.db"),
    delete: true,
    clock,
    debounceMs: DEBOUNCE,
    reconcileIntervalMs: RECONCILE,
    signal: stop,
    ...hooks,
  });
}

/** Steps `clock` a debounce at a time (bounded, as `until` is) until `store` holds `key` as `value`. */
function untilStored(store: ObjectStore, clock: ManualClock, key: string, value: string) {
  return until(
    `${key} mirrored`,
    async () => (await storeContents(store))[key] === value,
    () => {
      clock.advance(DEBOUNCE);
    },
  );
}

/** `fs` with its `head` replaced by `head`, which is given the real one to call. */
function headReplaced(
  fs: FsStore | ObjectStore,
  head: (real: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown,
  method: "head" | "put" | "list" = "head",
): ObjectStore {
  return new Proxy(fs, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name !== method) return value.bind(target);
      return (...args: unknown[]) => head(value.bind(target), ...args);
    },
  }) as ObjectStore;
}

Deno.test("mirror --watch: a store down at the start is caught up with once back, not at the next full pass", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const s = unreachableWhileDown(join(w.dir, "bucket"));
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  const errors: unknown[] = [];
  let idle = 0;
  const start = clock.now();
  const watching = watchInto(w.dir, s.store, clock, stop.signal, {
    onError: (e) => errors.push(e),
    onIdle: () => idle++,
  });
  try {
    await until("the first pass failing", () => errors.length === 1 && idle > 0);
    s.down = false;
    await untilStored(s.store, clock, "a.txt", "a");
    assert(clock.now() - start < RECONCILE / 10, `it waited ${clock.now() - start} ms`);
  } finally {
    stop.abort();
    await watching;
  }
});

Deno.test("mirror --watch: a change whose upload failed (store down) is tried again, not dropped", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const s = unreachableWhileDown(join(w.dir, "bucket"));
  s.down = false;
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  const errors: unknown[] = [];
  const failed: string[] = [];
  const batches: string[] = [];
  let idle = 0;
  const watching = watchInto(w.dir, s.store, clock, stop.signal, {
    onError: (e) => errors.push(e),
    onBatch: (report, kind) => {
      batches.push(kind);
      failed.push(...report.failed.map((f) => f.path));
    },
    onIdle: () => idle++,
  });
  try {
    await until("the first pass", () => batches.length === 1 && idle > 0);
    s.down = true;
    await writeTree(src, { "b.txt": "b" }); // fails at its HEAD
    await until(
      "b.txt failing",
      () => errors.length + failed.length > 0,
      () => clock.advance(DEBOUNCE),
    );
    s.down = false;
    await untilStored(s.store, clock, "b.txt", "b");
    assert(!batches.includes("reconcile"), `no full pass did it: ${batches}`);
  } finally {
    stop.abort();
    await watching;
  }
});

Deno.test("mirror --watch: once the store answers again, a change that failed through a long outage is caught up with at once, not after its backoff", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "keep.txt": "k" });
  const s = unreachableWhileDown(join(w.dir, "bucket"));
  s.down = false;
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  let batches = 0, idle = 0, aFailures = 0;
  const watching = watchInto(w.dir, s.store, clock, stop.signal, {
    onBatch: (report) => {
      batches++;
      if (report.failed.some((f) => f.path === join(src, "a.txt"))) aFailures++;
    },
    onIdle: () => idle++,
  });
  try {
    await until("the first pass", () => batches === 1 && idle > 0);
    s.down = true;
    await writeTree(src, { "a.txt": "a" });
    // Tried again after 1, 2, 4, ..., 64 s: the next try is 128 s away.
    await until("a.txt failing eight times", () => aFailures >= 8, () => {
      clock.advance(DEBOUNCE);
    });
    s.down = false;
    const back = clock.now();
    // A change made meanwhile tries the store at most 30 s after the
    // outage's last failure (not at once: each would be a failure line
    // while it lasts), and brings a.txt with it.
    await writeTree(src, { "b.txt": "b" });
    await untilStored(s.store, clock, "b.txt", "b");
    await untilStored(s.store, clock, "a.txt", "a");
    const waited = clock.now() - back;
    assert(waited < 40_000, `a.txt waited ${waited} ms after the store was back`);
  } finally {
    stop.abort();
    await watching;
  }
});

Deno.test("mirror --watch: a path failing for itself (access denied) waits out its backoff, not tried again at every batch that went through", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "keep.txt": "k" });
  const clock = new ManualClock(Date.now() + 10_000);
  const fs = new FsStore(join(w.dir, "bucket"));
  let denied = 0;
  // Its PUT refused (a HEAD refused is not a failure: the key is then
  // looked up in a listing, as for an upload-only key).
  const store = headReplaced(fs, (put, ...args) => {
    if (args[0] !== "bad.txt") return put(...args);
    denied++;
    return Promise.reject(new AccessDeniedError("PUT s3://b/bad.txt: 403 AccessDenied"));
  }, "put");
  const stop = new AbortController();
  let batches = 0, idle = 0;
  const watching = watchInto(w.dir, store, clock, stop.signal, {
    onBatch: () => batches++,
    onIdle: () => idle++,
  });
  try {
    await until("the first pass", () => batches === 1 && idle > 0);
    await writeTree(src, { "bad.txt": "x" });
    // Tried again after 1, 2, 4 and 8 s: the next try is 16 s away.
    await until("bad.txt denied five times", () => denied >= 5, () => {
      clock.advance(DEBOUNCE);
    });
    const before = denied;
    for (const name of ["c.txt", "d.txt"]) {
      await writeTree(src, { [name]: name });
      await untilStored(store, clock, name, name);
    }
    assertEquals(denied, before);
  } finally {
    stop.abort();
    await watching;
    await store.close();
  }
});

Deno.test("mirror --watch: the paths of a batch that failed together are tried again together, not in a batch each", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/keep.txt": "k" });
  const clock = new ManualClock(Date.now() + 10_000);
  const fs = new FsStore(join(w.dir, "bucket"));
  let down = false;
  // A request to a store that is down takes time to fail: each PUT a
  // millisecond (the files of one directory are looked up by one listing).
  const store = headReplaced(fs, async (put, ...args) => {
    if (!down) return put(...args);
    await clock.advance(1);
    throw new OfflineError("cannot reach the store");
  }, "put");
  const stop = new AbortController();
  const failedBatches: number[] = [];
  const events = new Set<string>();
  let batches = 0, idle = 0, deliveries = 0;
  const watching = watchInto(w.dir, store, clock, stop.signal, {
    onBatch: (report) => {
      batches++;
      if (report.failed.length > 0) failedBatches.push(report.failed.length);
    },
    onIdle: () => idle++,
    onEvent: (paths) => {
      deliveries++;
      paths.forEach((p) => events.add(p));
    },
  });
  try {
    await until("the first pass", () => batches === 1 && idle > 0);
    down = true;
    const names = Array.from({ length: 10 }, (_, i) => `d/f${i}.txt`);
    await writeTree(src, Object.fromEntries(names.map((n) => [n, n])));
    // All seen before the clock moves: one batch takes them all. A write
    // brings several events (create, modify, close): the later ones, were
    // they delivered once the batch began, would leave their file to them
    // (not failed with the others), so the events go quiet first.
    await until("the writes seen", () => names.every((n) => events.has(join(src, n))));
    let last = -1, stillFor = 0;
    await until("the events quiet (100 ms without one)", () => {
      stillFor = deliveries === last ? stillFor + 1 : 0;
      last = deliveries;
      return stillFor >= 5;
    });
    await until("the first failure", () => failedBatches.length > 0, () => {
      clock.advance(DEBOUNCE);
    });
    const first = failedBatches.reduce((a, b) => a + b, 0);
    assertEquals(first, 10);
    // Up to just before the retry, then a millisecond at a time.
    await clock.advance(DEBOUNCE + 1000 - 20);
    const seen = failedBatches.length;
    await until(
      "the retry",
      () => failedBatches.slice(seen).reduce((a, b) => a + b, 0) >= first,
      () => {
        clock.advance(1);
      },
    );
    assertEquals(failedBatches.slice(seen), [first]);
  } finally {
    stop.abort();
    await watching;
    await store.close();
  }
});

Deno.test("mirror --watch: --max-delete holds for a batch of many deleted files, not for each file", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const names = ["a", "b", "c", "d", "e"].map((n) => `${n}.txt`);
  await writeTree(src, Object.fromEntries(names.map((n) => [n, n])));
  const store = new FsStore(join(w.dir, "bucket"));
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  const batches: MirrorReport[] = [];
  const events = new Set<string>();
  let idle = 0;
  const watching = watchMirror({
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    delete: true,
    maxDelete: 2,
    clock,
    debounceMs: DEBOUNCE,
    reconcileIntervalMs: RECONCILE,
    signal: stop.signal,
    onBatch: (report) => batches.push(report),
    onEvent: (paths) => paths.forEach((p) => events.add(p)),
    onIdle: () => idle++,
  });
  try {
    await until("the first pass", () => batches.length === 1 && idle > 0);
    // `rm *`: one event per file, all in one batch.
    for (const n of names) await Deno.remove(join(src, n));
    await until("the removals seen", () => names.every((n) => events.has(join(src, n))));
    await until(
      "the batch",
      () => batches.some((b) => b.deletesSkipped !== undefined),
      () => clock.advance(DEBOUNCE),
    );
    assertEquals(batches.reduce((n, b) => n + b.deleted, 0), 0);
    assertEquals(Object.keys(await storeContents(store)).sort(), names);
    assertStringIncludes(batches.at(-1)!.deletesSkipped!, "more than the 2");
  } finally {
    stop.abort();
    await watching;
    await store.close();
  }
});

Deno.test("mirror --watch: a path of a batch that could not be read holds back its own deletes, not the batch's", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "x.txt": "x" });
  await using m = await Mirror.open({
    sources: [src],
    target: `file://${join(w.dir, "bucket")}`,
    statePath: join(w.dir, "s.db"),
    delete: true,
    symlinks: "follow",
  });
  await m.run();
  // One change: x.txt removed. Another: a directory whose walk fails (a
  // link to nowhere, as a file vanishing under the walk of a busy one).
  await Deno.remove(join(src, "x.txt"));
  await Deno.mkdir(join(src, "bad"));
  await Deno.symlink(join(w.dir, "nowhere"), join(src, "bad", "link"));
  const failed: string[] = [];
  const r = await m.syncPaths([join(src, "x.txt"), join(src, "bad")], {
    onFailed: (path) => failed.push(path),
  });
  assertEquals(r.deleted, 1);
  assertStringIncludes(r.deletesSkipped ?? "", "bad/link");
  assertEquals(failed, [join(src, "bad")]);
  assertEquals(await Deno.stat(join(w.dir, "bucket", "x.txt")).catch(() => "gone"), "gone");
});

Deno.test("mirror --watch: a batch of many paths failing (store down) names a few in its held-back deletes line, not all", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/keep.txt": "k" });
  const fs = new FsStore(join(w.dir, "bucket"));
  let down = false;
  // Each file is looked up (one listing of the tree, then, as that fails,
  // a HEAD each), and fails.
  const store = headReplaced(
    headReplaced(
      fs,
      (head, ...args) =>
        down ? Promise.reject(new OfflineError("cannot reach the store")) : head(...args),
    ),
    (list, ...args) => {
      if (!down) return list(...args);
      // deno-lint-ignore require-yield
      return (async function* () {
        throw new OfflineError("cannot reach the store");
      })();
    },
    "list",
  );
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  await m.run();
  // rsync of 200 files into existing directories while the store is down.
  const names = Array.from({ length: 200 }, (_, i) => `d${i}/f.txt`);
  await writeTree(src, Object.fromEntries(names.map((n) => [n, n])));
  down = true;
  const r = await m.syncPaths(names.map((n) => join(src, n)));
  assertEquals(r.failed.length, 200);
  // Every path is in `failed`; the line printed for the batch (at every
  // retry, also with --quiet) listed all 200 again.
  const skipped = r.deletesSkipped ?? "";
  assertEquals(skipped.split("could not be mirrored").length - 1, 4);
  assertStringIncludes(
    skipped,
    "and 197 more paths could not be mirrored; nothing was deleted for those paths",
  );
  await store.close();
});

Deno.test("mirror --watch: a batch holding a new directory and its files looks at each file once", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await using m = await Mirror.open({
    sources: [src],
    target: `file://${join(w.dir, "bucket")}`,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  await m.run();
  // A burst of new files (a tar x, a git checkout): the events name the
  // directories and every file in them, in any order.
  await writeTree(src, { "d/e/1.txt": "1", "d/e/2.txt": "2", "d/3.txt": "3" });
  const r = await m.syncPaths(
    ["d/e/2.txt", "d", "d/3.txt", "d/e", "d/e/1.txt"].map((p) => join(src, p)),
  );
  assertEquals([r.transferred, r.unchanged, r.failed.length], [3, 0, 0]);
  // One HEAD for the directory's own key; its pass listed the rest.
  assertEquals(r.heads, 1);
  assertEquals(await Deno.readTextFile(join(w.dir, "bucket", "d", "e", "2.txt")), "2");
});

Deno.test("mirror --watch: the files of a batch go to the store concurrency at a time, not one after another", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/keep.txt": "k" });
  const fs = new FsStore(join(w.dir, "bucket"));
  // PUTs that take 20 ms each: counted while in flight.
  let inFlight = 0, most = 0;
  const store = headReplaced(fs, async (put, ...args) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return put(...args);
  }, "put");
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    delete: true,
    concurrency: 8,
  });
  await m.run();
  // rsync into an existing directory: an event per file, no directory event.
  const names = Array.from({ length: 40 }, (_, i) => `d/f${i}.txt`);
  await writeTree(src, Object.fromEntries(names.map((n) => [n, n])));
  const r = await m.syncPaths(names.map((n) => join(src, n)));
  // Their objects from one listing of `d/`, no HEAD each.
  assertEquals([r.transferred, r.unchanged, r.failed.length, r.heads], [40, 0, 0, 0]);
  assertEquals(most, 8);
  assertEquals(await Deno.readTextFile(join(w.dir, "bucket", "d", "f39.txt")), "d/f39.txt");
  await store.close();
});

Deno.test("mirror --watch: the wall clock set back or forward neither holds changes nor brings a full pass due", async () => {
  await using w = await tempDir();
  const { src, clock, batches, events, has, advance, stop, watching } = await watchOneFile(w.dir);
  try {
    // Set back an hour (NTP, a VM resumed) while a change waits for its
    // debounce: it is applied after the debounce, not after the hour (400
    // debounces at most here).
    await writeTree(src, { "b.txt": "b" });
    await until("the change seen", () => events.includes(join(src, "b.txt")));
    clock.jump(-3_600_000);
    await until(
      "b.txt after the clock went back",
      async () => (await has("b.txt")) === "b",
      advance,
    );
    // Set forward past the reconcile interval: no full pass comes of it.
    clock.jump(2 * RECONCILE);
    await writeTree(src, { "c.txt": "c" });
    await until(
      "c.txt after the clock went forward",
      async () => (await has("c.txt")) === "c",
      advance,
    );
    assertEquals(batches.filter((k) => k === "reconcile"), []);
  } finally {
    stop.abort();
    await watching;
  }
});

Deno.test("mirror --watch: the wall clock stepped forward does not make a full pass upload a file still being written", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const path = join(src, "growing.bin");
  await Deno.writeTextFile(path, "part1-");
  // The manual wall clock reads the file's mtime: it was written just now.
  const clock = new ManualClock((await Deno.stat(path)).mtime!.getTime());
  await using m = await Mirror.open({
    sources: [src],
    target: `file://${join(w.dir, "bucket")}`,
    statePath: join(w.dir, "s.db"),
    clock,
  });
  const first = await m.run({ settleMs: DEBOUNCE });
  assertEquals([first.transferred, first.deferred], [0, [path]]);
  // Set forward an hour (NTP, a VM resumed) while the writer goes on: its
  // mtime is an hour behind the wall clock, and it is being written still.
  clock.jump(3_600_000);
  await Deno.writeTextFile(path, "part2-", { append: true });
  const second = await m.run({ settleMs: DEBOUNCE });
  assertEquals([second.transferred, second.deferred], [0, [path]]);
  // Done, and a quiet period later (monotonic time): uploaded whole.
  await Deno.writeTextFile(path, "part3", { append: true });
  await clock.advance(DEBOUNCE);
  const third = await m.run({ settleMs: DEBOUNCE });
  assertEquals([third.transferred, third.deferred], [1, []]);
  assertEquals(await Deno.readTextFile(join(w.dir, "bucket", "growing.bin")), "part1-part2-part3");
});

Deno.test("mirror --watch: a full pass leaves a file with events not applied yet to them, whatever its mtime says (uploaded once, whole)", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  // The wall clock ahead of the files' times (stepped forward before the
  // watch started): by its mtime, every file looks settled.
  const clock = new ManualClock(Date.now() + 10_000);
  const stop = new AbortController();
  const batches: MirrorReport[] = [];
  const kinds: string[] = [];
  const events: string[] = [];
  const uploads: string[] = [];
  let idle = 0;
  const watching = watchMirror({
    sources: [src],
    target: `file://${join(w.dir, "bucket")}`,
    statePath: join(w.dir, "s.db"),
    clock,
    debounceMs: DEBOUNCE,
    reconcileIntervalMs: RECONCILE,
    signal: stop.signal,
    onBatch: (report, kind) => {
      batches.push(report);
      kinds.push(kind);
    },
    onEvent: (paths) => events.push(...paths),
    onIdle: () => idle++,
    onAction: (a) => {
      if (a.action === "upload") uploads.push(a.key);
    },
  });
  const path = join(src, "growing.bin");
  const uploaded = () => Deno.readTextFile(join(w.dir, "bucket", "growing.bin")).catch(() => "");
  try {
    await until("the first pass", () => batches.length === 1 && idle > 0);
    const file = await Deno.open(path, { write: true, create: true });
    try {
      await file.write(new TextEncoder().encode("part1-"));
      await until("the first write's event", () => events.includes(path));
      const idleBefore = idle;
      clock.advance(RECONCILE); // a full pass is due ...
      file.writeSync(new TextEncoder().encode("part2-")); // ... while the file is written
      await until("the full pass", () => kinds.includes("reconcile") && idle > idleBefore);
      const pass = batches[kinds.indexOf("reconcile")]!;
      assertEquals([pass.transferred, pass.deferred], [0, [path]]);
      await file.write(new TextEncoder().encode("part3"));
    } finally {
      file.close();
    }
    await until(
      "the complete upload",
      async () => (await uploaded()) === "part1-part2-part3",
      () => clock.advance(DEBOUNCE),
    );
    assertEquals(uploads, ["growing.bin"]);
  } finally {
    stop.abort();
    await watching;
  }
});
