/**
 * The listing of a mirror fetched as ranges (`src/mirror/range_list.ts`),
 * split at every 1000th key of the state file: the same objects in the same
 * order as the plain listing whatever the splits, one request per range when
 * the splits are right, and a range that fails (mid-way, while others are in
 * flight) fails the run before anything is deleted.
 */
import { join } from "node:path";
import { VcError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { listRanges } from "../src/mirror/range_list.ts";
import { MirrorState } from "../src/mirror/state.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ListOptions, ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { compareUtf8 } from "../src/walk.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  type Backend,
  endpointBackend,
  fakeBackend,
  fsBackend,
  RACY_MS,
  S3_ENDPOINT,
  settle,
  storeContents,
  tempDir,
  upOptions,
} from "./mirror_helpers.ts";

const enc = new TextEncoder();

async function keysOf(batches: AsyncIterable<ObjectInfo[]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const b of batches) {
    assert(b.length > 0, "batches are never empty");
    keys.push(...b.map((o) => o.key));
  }
  return keys;
}

function memoryBackend(): Promise<Backend> {
  const store = new MemoryStore();
  return Promise.resolve({ store, [Symbol.asyncDispose]: () => store.close() });
}

/** A MemoryStore counting `list` calls and the `startAfter` of each. */
function countingStore(): { store: MemoryStore; starts: (string | undefined)[] } {
  const store = new MemoryStore();
  const starts: (string | undefined)[] = [];
  const list = store.list.bind(store);
  store.list = (prefix: string, options?: ListOptions) => {
    starts.push(options?.startAfter);
    return list(prefix, options);
  };
  return { store, starts };
}

// The ranges rely on the store's `startAfter` (S3's start-after) in UTF-8
// order: checked on a MemoryStore, the fake S3 and, in the compatibility
// task, a real S3 endpoint (moto).
for (
  const [name, make, ignore] of [
    ["MemoryStore", memoryBackend, false],
    ["fake S3", fakeBackend, false],
    [`S3 endpoint ${S3_ENDPOINT ?? "(VC_TEST_S3_ENDPOINT unset)"}`, endpointBackend, !S3_ENDPOINT],
  ] as const
) {
  Deno.test({
    name:
      `listRanges (${name}): the same keys in the same order as the plain listing, whatever the splits`,
    ignore,
    fn: async () => {
      await using b = await make();
      const store = b.store;
      // Keys whose UTF-16 and UTF-8 orders differ (U+FFFD against a surrogate pair), nested names.
      const names = ["a", "a/b", "a-b", "b", "é", "\uFFFD", "😀", "z/1", "z/2", "zz"];
      for (const n of names) await store.put(`p/${n}`, enc.encode(n));
      await store.put("q/outside", enc.encode("x"));
      const expected = names.map((n) => `p/${n}`).sort(compareUtf8);
      const cases: string[][] = [
        [],
        ["p/a"],
        ["p/a", "p/b", "p/z/1"],
        expected, // every key a split: a range per key
        ["p/0", "p/a/b", "p/c", "p/\uFFFD", "p/😀", "p/zzz"], // not keys, one past the end
        ["p/z/1", "p/a"], // out of order: the second is passed over
        ["p/b", "p/b", "p/b"], // repeated
        ["o/x", "p/", "p/b", "q/x"], // outside the prefix, or the prefix itself: passed over
      ];
      for (const splits of cases) {
        for (const parallel of [1, 3, 10]) {
          const got = await keysOf(listRanges(store, "p/", splits, { parallel, ahead: 2 }));
          assertEquals(got, expected, `splits ${JSON.stringify(splits)}, parallel ${parallel}`);
        }
      }
    },
  });
}

Deno.test("listRanges: one list call per range when the splits are right; none after the end", async () => {
  const { store, starts } = countingStore();
  for (let i = 0; i < 30; i++) await store.put(`k${String(i).padStart(2, "0")}`, enc.encode("x"));
  const got = await keysOf(listRanges(store, "", ["k09", "k19"], { parallel: 3 }));
  assertEquals(got.length, 30);
  assertEquals(starts, [undefined, "k09", "k19"]);
  // The store's listing ends inside the first range: the ranges after it can
  // only be empty, and the ones not yet started are never asked for.
  starts.length = 0;
  const short = await keysOf(listRanges(store, "", ["k40", "k50", "k60", "k70"], { parallel: 2 }));
  assertEquals(short.length, 30);
  assertEquals(starts, [undefined, "k40"]);
});

Deno.test("listRanges: a range that fails while others are in flight fails the listing, after the ranges before it", async () => {
  const { store } = countingStore();
  for (let i = 0; i < 30; i++) await store.put(`k${String(i).padStart(2, "0")}`, enc.encode("x"));
  const list = store.list.bind(store);
  store.list = (prefix: string, options?: ListOptions) => {
    if (options?.startAfter === "k19") {
      return (async function* () {
        yield* [];
        throw new Error("connection reset in range 3");
      })();
    }
    return list(prefix, options);
  };
  const seen: string[] = [];
  await assertRejects(
    async () => {
      for await (const b of listRanges(store, "", ["k09", "k19"], { parallel: 3 })) {
        seen.push(...b.map((o) => o.key));
      }
    },
    Error,
    "connection reset in range 3",
  );
  // What came before the failed range was handed out, in order; nothing after it.
  assertEquals(seen.length, 20);
  assertEquals(seen.at(-1), "k19");
});

Deno.test("listRanges: a consumer that stops early stops the ranges in flight (their failures are not unhandled)", async () => {
  const { store } = countingStore();
  for (let i = 0; i < 30; i++) await store.put(`k${String(i).padStart(2, "0")}`, enc.encode("x"));
  const list = store.list.bind(store);
  const aborted: string[] = [];
  store.list = (prefix: string, options?: ListOptions) => {
    const after = options?.startAfter;
    if (after === undefined) return list(prefix, options);
    // The later ranges wait until they are aborted, then fail.
    return (async function* () {
      yield* [];
      await new Promise<void>((_, reject) => {
        const signal = options!.signal!;
        const stop = () => {
          aborted.push(after);
          reject(signal.reason);
        };
        if (signal.aborted) stop();
        else signal.addEventListener("abort", stop, { once: true });
      });
    })();
  };
  let taken = 0;
  for await (const b of listRanges(store, "", ["k09", "k19"], { parallel: 3 })) {
    taken++;
    assertEquals(b[0]!.key, "k00");
    break;
  }
  assertEquals(taken, 1, "the consumer stopped after a batch, not on an empty listing");
  assertEquals(aborted.sort(), ["k09", "k19"]);
});

Deno.test("listRanges: the caller's signal stops every range", async () => {
  const { store } = countingStore();
  for (let i = 0; i < 30; i++) await store.put(`k${String(i).padStart(2, "0")}`, enc.encode("x"));
  const controller = new AbortController();
  const reason = new Error("stopped by the caller");
  await assertRejects(
    async () => {
      for await (
        const _ of listRanges(store, "", ["k09", "k19"], { signal: controller.signal, ahead: 1 })
      ) {
        controller.abort(reason);
      }
    },
    Error,
    "stopped by the caller",
  );
});

Deno.test("MirrorState.splitKeys: every n-th key under the scope, never the last key", () => {
  const state = new MirrorState(":memory:");
  try {
    const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e" };
    for (let i = 0; i < 10; i++) state.set(`d/${i}`, row);
    state.set("e", row);
    assertEquals([...state.splitKeys("", 3)], ["d/2", "d/5", "d/8"]);
    // d/9 is the 10th key under d/, and the last there: no empty range after it.
    assertEquals([...state.splitKeys("d/", 5)], ["d/4"]);
    assertEquals([...state.splitKeys("d/", 10)], []);
    assertEquals([...state.splitKeys("x/", 1)], []);
  } finally {
    state.close();
  }
});

/** Writes `n` small files named in directories of 100; returns the relative names. */
async function writeFiles(root: string, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const dir = `d${String(Math.floor(i / 100)).padStart(3, "0")}`;
    if (i % 100 === 0) await Deno.mkdir(join(root, dir), { recursive: true });
    const name = `${dir}/f${String(i).padStart(5, "0")}.txt`;
    await Deno.writeTextFile(join(root, name), `file ${i}`);
    names.push(name);
  }
  return names;
}

Deno.test("mirror (fake S3): a no-op of 2500 files lists 3 ranges at once, one request each, nothing else", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeFiles(src, 2500);
  await settle();
  const opts = upOptions(w.dir, b.store, { targetPrefix: "m" });
  assertEquals((await mirror(opts)).transferred, 2500);
  b.fake!.resetStats();
  const noop = await mirror(opts);
  assertEquals([noop.transferred, noop.unchanged, noop.hashed, noop.heads], [0, 2500, 0, 0]);
  assertEquals(b.fake!.stats.ListObjectsV2, 3);
  // And the one listing of uploads left open under the target (none here).
  assertEquals(b.fake!.stats.ListMultipartUploads, 1);
  assertEquals(b.fake!.stats.total, 4, `only LIST requests: ${JSON.stringify(b.fake!.stats)}`);
});

// FsStore writes are slow (fsync per object): fewer files and extras there,
// still two ranges. The fake S3 gets a range of more than one page.
for (
  const [name, make, files, extras, ignore] of [
    ["fake S3", fakeBackend, 2100, 1200, false],
    ["FsStore", fsBackend, 1100, 30, false],
    [
      `S3 endpoint ${S3_ENDPOINT ?? "(VC_TEST_S3_ENDPOINT unset)"}`,
      endpointBackend,
      1100,
      30,
      !S3_ENDPOINT,
    ],
  ] as const
) {
  Deno.test({
    name:
      `mirror (${name}): ranges from an outdated state still list everything: extra and missing objects`,
    ignore,
    fn: async () => {
      await using b = await make();
      await using w = await tempDir();
      const src = join(w.dir, "src");
      const names = await writeFiles(src, files);
      await settle();
      const opts = upOptions(w.dir, b.store, { delete: true });
      await mirror(opts);
      // Behind the state's back: objects the state does not know (in the middle
      // of the first range and after the last key), and recorded ones gone.
      for (let i = 0; i < extras; i++) {
        await b.store.put(`d005/x${String(i).padStart(4, "0")}`, enc.encode("extra"));
      }
      await b.store.put("zzz-after-all", enc.encode("extra"));
      // A split key, the key after it, the last key.
      const gone = [names[999]!, names[1000]!, names[files - 1]!];
      await b.store.delete(gone);
      const r = await mirror(opts);
      assertEquals([r.transferred, r.deleted, r.failed.length], [3, extras + 1, 0]);
      const contents = await storeContents(b.store);
      assertEquals(Object.keys(contents).sort(compareUtf8), [...names].sort(compareUtf8));
      const again = await mirror(opts);
      assertEquals([again.transferred, again.deleted, again.unchanged], [0, 0, files]);
    },
  });
}

Deno.test("mirror (fake S3): a range that fails for good while the others are in flight deletes nothing", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const names = await writeFiles(src, 2500);
  await settle();
  const opts = upOptions(w.dir, b.store, { delete: true });
  await mirror(opts);
  // Stale objects in every range, to be deleted by a run whose listing is whole.
  const stale = ["d000/stale", "d012/stale", "d024/stale"];
  for (const k of stale) await b.store.put(k, enc.encode("stale"));
  await Deno.remove(join(src, names[5]!)); // and one file gone locally
  // The first LIST answers; every one after it fails (retries included).
  let lists = 0;
  b.fake!.setFaults({ errorRate: 1, match: (t) => t.op === "ListObjectsV2" && ++lists > 1 });
  const error = await assertRejects(() => mirror(opts), VcError, "nothing was deleted");
  assertStringIncludes(error.message, "LIST");
  b.fake!.clearFaults();
  assert(lists >= 3, `the ranges were requested at once (${lists} LIST requests)`);
  assertEquals(b.fake!.stats.DeleteObjects + b.fake!.stats.DeleteObject, 0);
  const keys = Object.keys(await storeContents(b.store));
  for (const k of [...stale, names[5]!]) assert(keys.includes(k), `${k} kept`);
});

Deno.test("mirror: a user store whose listing breaks off in a later range deletes nothing", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeFiles(src, 2100);
  await settle();
  const inner = b.store;
  let broken = false;
  const starts: (string | undefined)[] = [];
  const store: ObjectStore = {
    url: inner.url,
    head: (key, options) => inner.head(key, options),
    get: (key, options) => inner.get(key, options),
    put: (key, body, options) => inner.put(key, body, options),
    list(prefix, options) {
      starts.push(options?.startAfter);
      if (!broken || options?.startAfter === undefined) return inner.list(prefix, options);
      return (async function* () {
        let n = 0;
        for await (const o of inner.list(prefix, options)) {
          if (n++ === 500) throw new Error("connection reset while listing a range");
          yield o;
        }
      })();
    },
    delete: (keys) => inner.delete(keys),
    copy: (from, to, options) => inner.copy(from, to, options),
    close: () => Promise.resolve(),
  };
  const opts = upOptions(w.dir, store, { delete: true });
  await mirror(opts);
  await inner.put("zzz-stale", enc.encode("stale"));
  broken = true;
  starts.length = 0;
  const error = await assertRejects(() => mirror(opts), VcError, "nothing was deleted");
  assertStringIncludes(error.message, "connection reset while listing a range");
  assertEquals(starts.length, 3, `three ranges: ${JSON.stringify(starts)}`);
  assert(Object.keys(await storeContents(inner)).includes("zzz-stale"), "zzz-stale kept");
});

/** A MemoryStore that answers every listing with `startAfter` as an empty, complete page. */
function noStartAfterStore(): { store: MemoryStore; starts: (string | undefined)[] } {
  const store = new MemoryStore();
  const starts: (string | undefined)[] = [];
  const list = store.list.bind(store);
  store.list = (prefix: string, options?: ListOptions) => {
    starts.push(options?.startAfter);
    if (options?.startAfter !== undefined) return (async function* () {})();
    return list(prefix, options);
  };
  return { store, starts };
}

Deno.test("listRanges: a later range that lists nothing is checked by the plain listing (a store without start-after)", async () => {
  const { store, starts } = noStartAfterStore();
  for (let i = 0; i < 30; i++) await store.put(`k${String(i).padStart(2, "0")}`, enc.encode("x"));
  const got = await keysOf(listRanges(store, "", ["k09", "k19"], { parallel: 3 }));
  assertEquals(got, Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}`));
  assertEquals(starts, [undefined, "k09", "k19", undefined]);
  // Keys really gone after the first range: the check finds nothing more.
  await store.delete(got.slice(10));
  assertEquals((await keysOf(listRanges(store, "", ["k09", "k19"]))).length, 10);
});

Deno.test("mirror down: a store that answers start-after with an empty page deletes no local file", async () => {
  await using w = await tempDir();
  const { store } = noStartAfterStore();
  const names: string[] = [];
  for (let i = 0; i < 2100; i++) {
    const name = `f${String(i).padStart(4, "0")}.txt`;
    names.push(name);
    await store.put(`p/${name}`, enc.encode(name));
  }
  const local = join(w.dir, "local");
  const opts: MirrorOptions = {
    sources: [store],
    sourcePrefix: "p",
    target: local,
    statePath: join(w.dir, "s.db"),
    racyWindowMs: RACY_MS,
    delete: true,
  };
  assertEquals((await mirror(opts)).transferred, 2100);
  await settle();
  // The second run lists in ranges (the state has 2100 keys): those after
  // the first came back empty, yet every file is still the store's.
  const again = await mirror(opts);
  assertEquals([again.deleted, again.transferred, again.unchanged], [0, 0, 2100]);
  const left = [];
  for await (const e of Deno.readDir(local)) left.push(e.name);
  assertEquals(left.sort(compareUtf8), names);
});
