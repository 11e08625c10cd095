import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { IntegrityError, NotFoundError, OfflineError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { join } from "node:path";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { pathToFileURL } from "node:url";
import {
  chmodTree,
  makeSharedTempDir,
  runDenoUnprivileged,
  UNPRIVILEGED_UNAVAILABLE,
} from "./unprivileged.ts";

const CACHE_CHILD = new URL("./fixtures/cache_child.ts", import.meta.url).pathname;

interface Fixture {
  dir: string;
  /** The time every cache made by `make` sees (unless given its own `clock`). */
  clock: ManualClock;
  store: FaultStore;
  opened: string[];
  warnings: string[];
  make(options?: AssetCacheOptions): AssetCache;
}

async function withCache(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-" });
  const store = new FaultStore("s3://bucket");
  const opened: string[] = [];
  const warnings: string[] = [];
  const caches: AssetCache[] = [];
  const clock = new ManualClock();
  const f: Fixture = {
    dir,
    clock,
    store,
    opened,
    warnings,
    make(options: AssetCacheOptions = {}) {
      const c = new AssetCache({
        cacheDir: join(dir, "cache"),
        configPath: false,
        env: {},
        openStore: (root) => {
          opened.push(root);
          return Promise.resolve(store);
        },
        warn: (m) => warnings.push(m),
        clock,
        ...options,
      });
      caches.push(c);
      return c;
    },
  };
  try {
    await fn(f);
  } finally {
    for (const c of caches) await c.close();
    await Deno.chmod(join(dir, "cache"), 0o755).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cold miss downloads once with one GET; warm hits touch nothing", async () => {
  await withCache(async ({ store, make, opened, dir }) => {
    store.set("a/b.csv", "x,y\n1,2\n");
    const cache = make();
    const path = await cache.cache("s3://bucket/a/b.csv");
    assertEquals(path, join(dir, "cache", "s3", "bucket", "a", "b.csv"));
    assertEquals(await Deno.readTextFile(path), "x,y\n1,2\n");
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    for (let i = 0; i < 100; i++) assertEquals(await cache.cache("s3://bucket/a/b.csv"), path);
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    assertEquals(opened, ["s3://bucket"]);
    // A new process (a new AssetCache) finds it on disk without opening the store.
    const other = make();
    assertEquals(await other.cache("s3://bucket/a/b.csv"), path);
    assertEquals(opened, ["s3://bucket"]);
    // One record line in the directory's journal; no record file per entry.
    const journal = await Deno.readTextFile(
      join(dir, "cache", ".meta", "s3", "bucket", "a", "%records.jsonl"),
    );
    assertEquals(journal.split("\n").length, 2, journal);
    assert(journal.startsWith("b.csv\t"), journal);
    const meta = JSON.parse(journal.slice("b.csv\t".length));
    assertEquals(meta.uri, "s3://bucket/a/b.csv");
    assertEquals(meta.etag, md5Hex("x,y\n1,2\n"));
    assertEquals(meta.size, 8);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("cache(cache(p)) === cache(p), local paths pass through, missing ones are named", async () => {
  await withCache(async ({ store, make, dir }) => {
    store.set("k.txt", "hello");
    const cache = make();
    const local = join(dir, "local.txt");
    await Deno.writeTextFile(local, "mine");
    for (const input of ["s3://bucket/k.txt", local, "local.txt"]) {
      const cwd = Deno.cwd();
      Deno.chdir(dir);
      try {
        const once = await cache.cache(input);
        assertEquals(await cache.cache(once), once);
        assertEquals(await cache.cache(await cache.cache(once)), once);
      } finally {
        Deno.chdir(cwd);
      }
    }
    assertEquals(await cache.cache(local), local);
    const e = await assertRejects(() => cache.cache(join(dir, "nope.csv")), NotFoundError);
    assertStringIncludes(e.message, join(dir, "nope.csv"));
    assertEquals(cache.localPath(local), local);
  });
});

Deno.test("missing object on a cold miss: NotFoundError names the URI and the local path", async () => {
  await withCache(async ({ make, dir }) => {
    const cache = make();
    const e = await assertRejects(() => cache.cache("s3://bucket/missing.csv"), NotFoundError);
    assertStringIncludes(e.message, "s3://bucket/missing.csv");
    assertStringIncludes(e.message, cache.localPath("s3://bucket/missing.csv"));
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("100 concurrent calls for one cold URI make one GET", async () => {
  await withCache(async ({ store, make }) => {
    store.set("big.bin", randomBytes(256 * 1024));
    store.latencyMs = 20;
    const cache = make();
    const paths = await Promise.all(
      Array.from({ length: 100 }, () => cache.cache("s3://bucket/big.bin")),
    );
    assertEquals(new Set(paths).size, 1);
    assertEquals(store.counts.get, 1);
  });
});

Deno.test("revalidation: same ETag → HEAD only; changed → new version atomically", async () => {
  await withCache(async ({ store, make }) => {
    store.set("k.json", '{"v":1}');
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://bucket/k.json");
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    await cache.cache("s3://bucket/k.json");
    assertEquals(store.counts, { head: 1, get: 1, rangedGet: 0 });
    store.set("k.json", '{"v":2}');
    assertEquals(await cache.cache("s3://bucket/k.json"), path);
    assertEquals(await Deno.readTextFile(path), '{"v":2}');
    assertEquals(store.counts, { head: 2, get: 2, rangedGet: 0 });
  });
});

Deno.test("within the timeout nothing is asked; invalidate() forces a HEAD", async () => {
  await withCache(async ({ store, make }) => {
    store.set("k", "1");
    const cache = make({ timeout: 3600 });
    await cache.cache("s3://bucket/k");
    store.set("k", "2");
    const path = await cache.cache("s3://bucket/k");
    assertEquals(await Deno.readTextFile(path), "1");
    await cache.invalidate("s3://bucket/k");
    await cache.cache("s3://bucket/k");
    assertEquals(await Deno.readTextFile(path), "2");
    assertEquals(store.counts.head, 1);
    // The invalidation is on disk: another instance sees it too.
    await cache.invalidate("s3://bucket/k");
    store.set("k", "3");
    const other = make({ timeout: 3600 });
    await other.cache("s3://bucket/k");
    assertEquals(await Deno.readTextFile(path), "3");
  });
});

Deno.test("invalidate() reaches immutable buckets but never an offline cache", async () => {
  await withCache(async ({ store, make }) => {
    store.set("k", "1");
    const cache = make({ immutableBuckets: ["bucket"] });
    const path = await cache.cache("s3://bucket/k");
    store.set("k", "2");
    await cache.invalidate("s3://bucket/k");
    const offline = make({ offline: true });
    assertEquals(await Deno.readTextFile(await offline.cache("s3://bucket/k")), "1");
    assertEquals(store.counts.head, 0);
    await cache.cache("s3://bucket/k");
    assertEquals(store.counts.head, 1);
    assertEquals(await Deno.readTextFile(path), "2");
  });
});

Deno.test("immutable buckets (option, env, per call) are never revalidated", async () => {
  await withCache(async ({ store, make }) => {
    store.set("k", "1");
    for (
      const options of [
        { immutableBuckets: ["bucket"] },
        { immutableBuckets: ["s3://bucket"] },
        { env: { VC_IMMUTABLE_BUCKETS: "other, bucket" } },
      ] satisfies AssetCacheOptions[]
    ) {
      const cache = make({ timeout: 0, ...options });
      await cache.cache("s3://bucket/k");
      const heads = store.counts.head;
      await cache.cache("s3://bucket/k");
      await make({ timeout: 0, ...options }).cache("s3://bucket/k");
      assertEquals(store.counts.head, heads, JSON.stringify(options));
    }
    const plain = make({ timeout: 0 });
    const heads = store.counts.head;
    await plain.cache("s3://bucket/k", { immutable: true });
    assertEquals(store.counts.head, heads);
    await plain.cache("s3://bucket/k");
    assertEquals(store.counts.head, heads + 1);
  });
});

Deno.test("object deleted from the store: NotFoundError on revalidation, local copy kept", async () => {
  await withCache(async ({ store, make }) => {
    store.set("k.csv", "data");
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://bucket/k.csv");
    store.objects.delete("k.csv");
    const e = await assertRejects(() => cache.cache("s3://bucket/k.csv"), NotFoundError);
    assertStringIncludes(e.message, "s3://bucket/k.csv");
    assertStringIncludes(e.message, path);
    assertEquals(await Deno.readTextFile(path), "data");
  });
});

Deno.test("unreachable store: warn and serve, or fail; offline mode never asks", async () => {
  await withCache(async ({ store, make, warnings }) => {
    store.set("k", "cached");
    const warm = make({ timeout: 0 });
    const path = await warm.cache("s3://bucket/k");
    store.always = "unreachable";
    assertEquals(await warm.cache("s3://bucket/k"), path);
    assertEquals(warnings.length, 1);
    assertStringIncludes(warnings[0]!, "s3://bucket/k");
    assertStringIncludes(warnings[0]!, path);
    const strict = make({ timeout: 0, onUnreachable: "fail" });
    const e = await assertRejects(() => strict.cache("s3://bucket/k"), OfflineError);
    assertStringIncludes(e.message, path);
    // Offline: cached copies are served without asking; cold misses name URI and path.
    store.always = undefined;
    const before = { ...store.counts };
    const offline = make({ timeout: 0, offline: true });
    assertEquals(await offline.cache("s3://bucket/k"), path);
    const miss = await assertRejects(() => offline.cache("s3://bucket/cold.csv"), OfflineError);
    assertStringIncludes(miss.message, "s3://bucket/cold.csv");
    assertStringIncludes(miss.message, offline.localPath("s3://bucket/cold.csv"));
    const viaEnv = make({ timeout: 0, env: { VC_OFFLINE: "1" } });
    await assertRejects(() => viaEnv.cache("s3://bucket/cold.csv"), OfflineError);
    assertEquals(store.counts, before);
  });
});

Deno.test("failed download of a new version keeps the old copy", async () => {
  await withCache(async ({ store, make, dir }) => {
    store.set("k", "old version");
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://bucket/k");
    store.set("k", "new version!");
    store.always = "corrupt";
    store.faults = [];
    const get = store.get.bind(store);
    store.get = (key, options) => get(key, options); // GETs corrupt; HEAD is clean
    const head = store.head.bind(store);
    store.head = async (key) => {
      const saved = store.always;
      store.always = undefined;
      try {
        return await head(key);
      } finally {
        store.always = saved;
      }
    };
    await assertRejects(() => cache.cache("s3://bucket/k"), IntegrityError, "s3://bucket/k");
    assertEquals(await Deno.readTextFile(path), "old version");
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("a file deleted behind the cache's back is downloaded again", async () => {
  await withCache(async ({ store, make, clock }) => {
    store.set("k", "v");
    const cache = make();
    const path = await cache.cache("s3://bucket/k");
    await Deno.remove(path);
    // Warm hits check the file's existence once a second.
    await clock.advance(1_000);
    assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(await Deno.readTextFile(path), "v");
    assertEquals(store.counts.get, 2);
  });
});

Deno.test("custom endpoints get their own namespace", async () => {
  await withCache(async ({ store, make, dir }) => {
    store.set("k", "v");
    const a = make({ store: { s3: { endpoint: "http://127.0.0.1:9000" } } });
    const b = make({ env: { AWS_ENDPOINT_URL_S3: "http://minio:9000" } });
    const c = make();
    assertEquals(
      await a.cache("s3://bucket/k"),
      join(dir, "cache", "s3@127.0.0.1_9000", "bucket", "k"),
    );
    assertEquals(b.localPath("s3://bucket/k"), join(dir, "cache", "s3@minio_9000", "bucket", "k"));
    assertEquals(c.localPath("s3://bucket/k"), join(dir, "cache", "s3", "bucket", "k"));
  });
});

Deno.test("delete, ls, prune (LRU) and verify", async () => {
  await withCache(async ({ store, make }) => {
    const cache = make({ timeout: 0 });
    for (const [i, key] of ["a.bin", "b.bin", "c.bin"].entries()) {
      store.set(key, randomBytes(1000 * (i + 1), i + 1));
      await cache.cache(`s3://bucket/${key}`);
    }
    const ls = await cache.ls();
    assertEquals(ls.map((e) => [e.uri, e.size]), [
      ["s3://bucket/a.bin", 1000],
      ["s3://bucket/b.bin", 2000],
      ["s3://bucket/c.bin", 3000],
    ]);
    assert(ls.every((e) => e.outdated === undefined && e.lastUsed instanceof Date));
    store.set("b.bin", "changed");
    const checked = await cache.ls({ checkRemote: true });
    assertEquals(checked.map((e) => e.outdated), [false, true, false]);

    // Make a.bin the least recently used (last use is the data file's
    // access time), then prune to 5000 bytes.
    const old = new Date(Date.now() - 3600_000);
    await Deno.utime(ls[0]!.path, old, (await Deno.stat(ls[0]!.path)).mtime!);
    const pruned = await cache.prune({ maxBytes: 5000 });
    assertEquals(pruned.removed.map((e) => e.uri), ["s3://bucket/a.bin"]);
    assertEquals(pruned.freedBytes, 1000);
    await assertRejects(() => Deno.stat(ls[0]!.path), Deno.errors.NotFound);
    // Pruned entries are downloaded again on demand.
    await cache.cache("s3://bucket/a.bin");
    assertEquals((await Deno.stat(ls[0]!.path)).size, 1000);

    // verify: corrupt c.bin on disk.
    const c = ls[2]!.path;
    const bytes = await Deno.readFile(c);
    bytes[10] = bytes[10]! ^ 1;
    await Deno.writeFile(c, bytes);
    const verified = await cache.verify();
    assertEquals(verified.ok, 2);
    assertEquals(verified.corrupt.map((e) => e.uri), ["s3://bucket/c.bin"]);
    await assertRejects(() => Deno.stat(c), Deno.errors.NotFound);

    assert(await cache.delete("s3://bucket/b.bin"));
    assert(!(await cache.delete("s3://bucket/b.bin")));
    assertEquals((await cache.ls()).map((e) => e.uri), ["s3://bucket/a.bin"]);
    const all = await cache.prune({ olderThan: 0 });
    assertEquals(all.removed.length, 1);
    assertEquals(await cache.ls(), []);
  });
});

Deno.test("stale temp files are swept by maintenance, fresh ones are kept", async () => {
  await withCache(async ({ store, make, dir }) => {
    store.set("k", "v");
    const cache = make();
    const path = await cache.cache("s3://bucket/k");
    const stale = join(dir, "cache", "s3", "bucket", ".k.vc-tmp-aaaaaaaaaa");
    const fresh = join(dir, "cache", "s3", "bucket", ".k.vc-tmp-bbbbbbbbbb");
    await Deno.writeTextFile(stale, "partial");
    await Deno.writeTextFile(fresh, "in progress");
    const old = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(stale, old, old);
    await cache.prune({});
    assertEquals(await tempFiles(dir), [fresh]);
    assertEquals(await Deno.readTextFile(path), "v");
  });
});

Deno.test({
  name: "read-only cache dir: clear error naming the dir, cached data still served " +
    "(subject runs unprivileged, so the barrier holds as root too)",
  ignore: UNPRIVILEGED_UNAVAILABLE !== undefined,
  async fn() {
    const dir = await makeSharedTempDir("vc-cache-ro-");
    try {
      const src = join(dir, "src");
      await Deno.mkdir(src, { mode: 0o755 });
      await Deno.writeTextFile(join(src, "warm.csv"), "w");
      await Deno.writeTextFile(join(src, "cold.csv"), "c");
      const warmUri = pathToFileURL(join(src, "warm.csv")).href;
      const coldUri = pathToFileURL(join(src, "cold.csv")).href;
      const cacheDir = join(dir, "cache");
      let warm: string;
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, timeout: 0 });
        warm = await cache.cache(warmUri);
      }
      await chmodTree(cacheDir, 0o555, 0o444);
      try {
        const config = { cacheDir, uris: [warmUri, coldUri], timeout: 0 };
        const run = await runDenoUnprivileged(
          ["run", "--allow-all", CACHE_CHILD, JSON.stringify(config)],
          { cwd: dir },
        );
        assertEquals(run.code, 0, run.stderr);
        const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assertEquals(lines[0], { ready: true });
        assertEquals(lines[1], { uri: warmUri, path: warm, md5: md5Hex("w") });
        const cold = lines[2];
        assertEquals(cold.uri, coldUri);
        assertEquals(cold.error, "VcError", JSON.stringify(cold));
        assertStringIncludes(cold.message, cacheDir);
        assertStringIncludes(cold.message, coldUri);
        // Nothing was written: the only entry is the warm one.
        assertEquals(await tempFiles(dir), []);
        assertEquals(await Deno.readTextFile(warm), "w");
      } finally {
        await chmodTree(cacheDir, 0o755, 0o644);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("file:// URIs are copied into the cache and revalidated", async () => {
  await withCache(async ({ dir }) => {
    const src = join(dir, "assets", "sub dir");
    await Deno.mkdir(src, { recursive: true });
    await Deno.writeTextFile(join(src, "x.csv"), "1");
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      timeout: 0,
    });
    const uri = new URL(`file://${src}/x.csv`).href;
    const path = await cache.cache(uri);
    assertNotEquals(path, join(src, "x.csv"));
    assert(path.startsWith(cache.dir));
    assertMatch(path, /x\.csv$/);
    await Deno.writeTextFile(join(src, "x.csv"), "22");
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "22");
    // Links are followed.
    await Deno.symlink(join(src, "x.csv"), join(dir, "assets", "link.csv"));
    const viaLink = await cache.cache(`file://${dir}/assets/link.csv`);
    assertEquals(await Deno.readTextFile(viaLink), "22");
    // Immutable roots.
    await using imm = new AssetCache({
      cacheDir: join(dir, "cache2"),
      configPath: false,
      timeout: 0,
      immutableBuckets: [`file://${dir}/assets`],
    });
    const p = await imm.cache(uri);
    await Deno.writeTextFile(join(src, "x.csv"), "333");
    assertEquals(await Deno.readTextFile(await imm.cache(uri)), "22");
    assertEquals(await imm.cache(uri), p);
  });
});

Deno.test("abort: a caller can give up; the shared download stops when all have", async () => {
  await withCache(async ({ store, make, dir }) => {
    store.set("slow", randomBytes(512 * 1024));
    store.chunkDelayMs = 10;
    const cache = make();
    const a = new AbortController();
    const b = new AbortController();
    const pa = cache.cache("s3://bucket/slow", { signal: a.signal });
    const pb = cache.cache("s3://bucket/slow", { signal: b.signal });
    a.abort(new Error("a gave up"));
    await assertRejects(() => pa, Error, "a gave up");
    b.abort(new Error("b gave up"));
    await assertRejects(() => pb, Error, "b gave up");
    // The stopped download holds the entry lock until it has removed its temp
    // file, so the next download starts only after that: a temp file left now
    // is a leak, not a race.
    store.chunkDelayMs = 0;
    const path = await cache.cache("s3://bucket/slow");
    assertEquals((await Deno.stat(path)).size, 512 * 1024);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("warm hits within the recheck interval touch neither the disk nor the store", async () => {
  await withCache(async ({ store, make, clock, dir }) => {
    store.set("k", "v");
    const cache = make();
    const path = await cache.cache("s3://bucket/k");
    // With the whole cache gone, a hit that looked at the disk would notice.
    await Deno.remove(join(dir, "cache"), { recursive: true });
    for (let i = 0; i < 1_000; i++) assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    await clock.advance(999);
    assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(store.counts.get, 1);
    // One recheck interval later the missing file is noticed and fetched again.
    await clock.advance(1);
    assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(store.counts.get, 2);
    assertEquals(await Deno.readTextFile(path), "v");
  });
});

Deno.test("after the timeout one HEAD revalidates; before it nothing is asked", async () => {
  await withCache(async ({ store, make, clock }) => {
    store.set("k", "1");
    const cache = make({ timeout: 60 });
    const path = await cache.cache("s3://bucket/k");
    store.set("k", "2");
    await clock.advance(59_999);
    assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(await Deno.readTextFile(path), "1");
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    await clock.advance(1);
    assertEquals(await cache.cache("s3://bucket/k"), path);
    assertEquals(await Deno.readTextFile(path), "2");
    assertEquals(store.counts.head, 1);
    assertEquals(store.counts.get, 2);
  });
});

Deno.test("invalidate() in another instance reaches a live, warm instance", async () => {
  await withCache(async ({ store, make, clock }) => {
    store.set("k", "1");
    const live = make({ timeout: 3600 });
    const path = await live.cache("s3://bucket/k");
    store.set("k", "2");
    await make({ timeout: 3600 }).invalidate("s3://bucket/k");
    // The live instance re-checks its warm records once a second.
    await clock.advance(1_000);
    await live.cache("s3://bucket/k");
    assertEquals(await Deno.readTextFile(path), "2");
    assertEquals(store.counts.head, 1);
  });
});

Deno.test("cache: maxDownloads bounds the downloads in flight; Promise.all over many URIs still gets them all", async () => {
  const root = await Deno.makeTempDir();
  try {
    const src = `${root}/src`;
    await Deno.mkdir(src);
    const names = Array.from({ length: 12 }, (_, i) => `f${i}.txt`);
    for (const n of names) await Deno.writeTextFile(`${src}/${n}`, n);
    let active = 0;
    let peak = 0;
    const { openStore } = await import("../src/store/open.ts");
    const cache = new AssetCache({
      cacheDir: `${root}/cache`,
      configPath: false,
      env: {},
      maxDownloads: 3,
      openStore: async (rootUri) => {
        const store = await openStore(rootUri);
        const get = store.get.bind(store);
        store.get = async (key, options) => {
          active++;
          peak = Math.max(peak, active);
          try {
            // Let the other calls pile up while this one is in flight.
            await new Promise((r) => setTimeout(r, 5));
            return await get(key, options);
          } finally {
            active--;
          }
        };
        return store;
      },
    });
    try {
      const paths = await Promise.all(names.map((n) => cache.cache(`file://${src}/${n}`)));
      assertEquals(await Promise.all(paths.map((p) => Deno.readTextFile(p))), names);
      assert(peak >= 1 && peak <= 3, `peak ${peak}`);
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
