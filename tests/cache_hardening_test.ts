/**
 * Issue 7, cache side: each test fails without its fix. Process-level ones
 * (signals, a lock held by another process) are in
 * cache_hardening_process_test.ts.
 */
import { multipartPut } from "./fake_multipart_put.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { findOrphans, sweepDebris, verifyEntries } from "../src/cache/maintenance.ts";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  StoreError,
  VcError,
} from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

const MiB = 1024 * 1024;

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-harden-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** An AssetCache on `cacheDir` that reads no config file and no environment. */
function cacheAt(cacheDir: string, options: Partial<AssetCacheOptions> = {}): AssetCache {
  return new AssetCache({ cacheDir, configPath: false, env: {}, ...options });
}

function s3Store(endpoint: string): NonNullable<AssetCacheOptions["store"]> {
  return {
    s3: {
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 2,
    },
  };
}

// ---------------------------------------------------------------------------
// 4: planted links

Deno.test("issue 7.4: links planted in the cache dir never send writes, deletes or records outside", async () => {
  await withDir(async (dir) => {
    const outside = join(dir, "outside");
    await Deno.mkdir(outside);
    await Deno.writeTextFile(join(outside, "x.txt"), "precious");
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "x.txt"), "new content");
    const cacheDir = join(dir, "cache");
    const uri = pathToFileURL(join(dir, "src", "x.txt")).href;
    await using cache = cacheAt(cacheDir);
    const path = cache.localPath(uri);
    // A directory of the entry's path replaced by a link to another directory.
    const parent = join(path, "..");
    await Deno.mkdir(join(parent, ".."), { recursive: true });
    await Deno.symlink(outside, parent);
    await assertRejects(() => cache.cache(uri), InvalidInputError, "symbolic link");
    assertEquals(await Deno.readTextFile(join(outside, "x.txt")), "precious");
    await assertRejects(() => cache.delete(uri), InvalidInputError, "symbolic link");
    assertEquals(await Deno.readTextFile(join(outside, "x.txt")), "precious");
    assertEquals(filesUnder(outside, { missingOk: true }).length, 1);
    await Deno.remove(parent);

    // `.meta` itself a link: no record goes through it.
    const records = join(dir, "records");
    await Deno.mkdir(records);
    await Deno.symlink(records, join(cacheDir, ".meta"));
    await assertRejects(() => cache.cache(uri), InvalidInputError, ".meta");
    assertEquals(filesUnder(records, { missingOk: true }), []);
    // Maintenance does not follow it either.
    await cache.prune({ maxBytes: 0 });
    await cache.verify();
    assertEquals(filesUnder(records, { missingOk: true }), []);
  });
});

// ---------------------------------------------------------------------------
// 9: multipart objects with non-standard part sizes

Deno.test("issue 7.9: multipart objects with uniform 6,000,000-byte or uneven 5/7/3 MiB parts verify", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    const uniform = [randomBytes(6_000_000), randomBytes(6_000_000), randomBytes(1_000_000)];
    const uneven = [randomBytes(5 * MiB), randomBytes(7 * MiB), randomBytes(3 * MiB)];
    const etagU = await multipartPut(s3, "b", "uniform.bin", uniform);
    const etagV = await multipartPut(s3, "b", "uneven.bin", uneven);
    assert(etagU.endsWith("-3") && etagV.endsWith("-3"), `${etagU} ${etagV}`);
    await using cache = cacheAt(join(dir, "cache"), { store: s3Store(s3.url), warn: () => {} });
    for (const [key, parts] of [["uniform.bin", uniform], ["uneven.bin", uneven]] as const) {
      const path = await cache.cache(`s3://b/${key}`);
      const got = await Deno.readFile(path);
      const whole = new Uint8Array(await new Blob(parts).arrayBuffer());
      assertEquals(md5Hex(got), md5Hex(whole), key);
    }
    // The learned part sizes are recorded, so verify needs no store.
    const first = await cache.verify();
    assertEquals([first.ok, first.corrupt.length], [2, 0]);
    // A real mismatch is still caught.
    const path = cache.localPath("s3://b/uneven.bin");
    const f = await Deno.open(path, { write: true });
    await f.write(new Uint8Array([1, 2, 3]));
    f.close();
    const second = await cache.verify();
    assertEquals(second.corrupt.map((e) => e.uri), ["s3://b/uneven.bin"]);
    // And a body corrupted on every download is an IntegrityError naming the ETag.
    s3.failNext(50, "corrupt", (t) => t.op === "GetObject");
    await assertRejects(() => cache.cache("s3://b/uneven.bin"), IntegrityError, etagV);
  });
});

// ---------------------------------------------------------------------------
// 10: validatedAt in the future

Deno.test("issue 7.10: a validatedAt in the future counts as stale", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "v1");
    const uri = pathToFileURL(join(dir, "a.txt")).href;
    const cacheDir = join(dir, "cache");
    {
      await using cache = cacheAt(cacheDir);
      await cache.cache(uri);
      const record = recordPathsOf(cacheDir, cache.localPath(uri));
      const meta = readEntryRecord(record)!.meta;
      // A restored cache, or a clock that was ahead: validated "next year".
      writeEntryRecord(record, { ...meta, validatedAt: Date.now() + 365 * 86400_000 });
    }
    await Deno.writeTextFile(join(dir, "a.txt"), "v2"); // changed in the store
    await using cache = cacheAt(cacheDir, { timeout: 3600 });
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "v2");
  });
});

// ---------------------------------------------------------------------------
// 11 + 12: verified copies out of the cache; modes

Deno.test("issue 7.11: sync never copies a cached file that fails verification", async () => {
  await withDir(async (dir) => {
    const bucket = join(dir, "bucket");
    await Deno.mkdir(join(bucket, "d"), { recursive: true });
    await Deno.writeTextFile(join(bucket, "d", "a.1.0.0.csv"), "a,b\n1,2\n");
    await Deno.writeTextFile(join(dir, "m.json"), JSON.stringify({ "/d/a.csv": "1.0.0" }));
    await using cache = cacheAt(join(dir, "cache"));
    const vc = new VersionedCache({ manifest: join(dir, "m.json"), bucket, cache });
    try {
      const local = await vc.path("/d/a.csv");
      await Deno.writeTextFile(local, "a,b\n6,6\n"); // same-size hand edit
      await assertRejects(() => vc.sync(join(dir, "out")), IntegrityError, "failed verification");
      await assertRejects(() => Deno.stat(join(dir, "out", "d", "a.csv")), Deno.errors.NotFound);
      // It was dropped: the next use downloads a good copy, and sync works.
      await vc.sync(join(dir, "out"));
      assertEquals(await Deno.readTextFile(join(dir, "out", "d", "a.csv")), "a,b\n1,2\n");
    } finally {
      await vc.close();
    }
  });
});

Deno.test("issue 7.12: a restrictive source mode is kept; the cache dir is created 0700", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "secret"), "s3cr3t");
    await Deno.chmod(join(dir, "secret"), 0o600);
    await Deno.writeTextFile(join(dir, "public"), "hello");
    await Deno.chmod(join(dir, "public"), 0o644);
    const cacheDir = join(dir, "deep", "cache");
    await using cache = cacheAt(cacheDir);
    const secret = await cache.cache(pathToFileURL(join(dir, "secret")).href);
    const pub = await cache.cache(pathToFileURL(join(dir, "public")).href);
    assertEquals((await Deno.stat(secret)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(pub)).mode! & 0o077, 0o044 & ~0o022 & 0o044);
    assertEquals((await Deno.stat(cacheDir)).mode! & 0o777, 0o700);
    // Copied out (vc sync's path) it stays private.
    await cache.copyVerified(secret, join(dir, "out", "secret"));
    assertEquals((await Deno.stat(join(dir, "out", "secret"))).mode! & 0o777, 0o600);
  });
});

// ---------------------------------------------------------------------------
// 13: responses without a usable ETag

async function withPortal(
  headers: Record<string, string>,
  fn: (url: string) => Promise<void>,
  status = 200,
): Promise<void> {
  const html = "<html>Please log in to the hotel Wi-Fi</html>";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new Response(req.method === "HEAD" ? null : html, {
        status,
        headers: { "content-type": "text/html", "content-length": String(html.length), ...headers },
      }),
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/**
 * Entries are kept per endpoint: caches `uri` from the fake S3 at `goodUrl`
 * and places that good copy (and its record) where `cache`, on the portal's
 * endpoint, keeps it, as if cached from there earlier. Returns its path.
 */
async function placeGoodCopy(
  cacheDir: string,
  goodUrl: string,
  cache: AssetCache,
  uri: string,
): Promise<string> {
  await using good = cacheAt(cacheDir, { store: s3Store(goodUrl) });
  const goodPath = await good.cache(uri);
  const path = cache.localPath(uri);
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.copyFile(goodPath, path);
  const goodRecord = readEntryRecord(recordPathsOf(cacheDir, goodPath))!.meta;
  // The copy's own modification time, as the cache records what it writes.
  const mtime = Deno.lstatSync(path).mtime!.getTime();
  writeEntryRecord(recordPathsOf(cacheDir, path), { ...goodRecord, mtime });
  return path;
}

for (
  const [name, headers] of [
    ["no ETag", {}],
    ["a weak ETag that is not an MD5", { etag: 'W/"5f-abc123"' }],
  ] as const
) {
  Deno.test(`issue 7.13: a 200 with ${name} is refused naming the endpoint; nothing cached`, async () => {
    await withPortal(headers, async (url) => {
      await withDir(async (dir) => {
        await using cache = cacheAt(join(dir, "cache"), { store: s3Store(url), warn: () => {} });
        const e = await assertRejects(() => cache.cache("s3://b/model.bin"), IntegrityError);
        assertStringIncludes(e.message, "s3://b/model.bin");
        assertStringIncludes(e.message, url);
        assertEquals(filesUnder(join(dir, "cache"), { missingOk: true }), []);
      });
    });
  });
}

Deno.test("issue 7.13: revalidation against a portal never replaces a good copy", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    await s3.putObject("b", "k.txt", "good content");
    const cacheDir = join(dir, "cache");
    const warnings: string[] = [];
    await withPortal({}, async (url) => {
      await using cache = cacheAt(cacheDir, {
        timeout: 0,
        store: s3Store(url),
        warn: (m) => warnings.push(m),
      });
      const path = await placeGoodCopy(cacheDir, s3.url, cache, "s3://b/k.txt");
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      assertEquals(await Deno.readTextFile(path), "good content");
      assert(warnings.some((w) => w.includes("no ETag") && w.includes(url)), warnings.join("\n"));
      // It answered: the warning says what was wrong with the answer, not
      // that the store could not be reached.
      assert(!warnings.some((w) => w.includes("cannot reach")), warnings.join("\n"));
      assert(
        warnings.some((w) => w.includes("serving the cached copy") && w.includes("cannot verify")),
        warnings.join("\n"),
      );
    });
  });
});

for (
  const [status, headers] of [
    [404, {}],
    // A portal that labels its page the way moto labels its empty 404s.
    [404, { "content-type": "text/html; charset=utf-8" }],
    [403, {}],
    [302, { location: "http://127.0.0.1:9/login" }],
  ] as const
) {
  Deno.test(`a portal's ${status} web page is no answer of the store: a cached copy is served, never marked deleted`, async () => {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    await withDir(async (dir) => {
      await s3.putObject("b", "k.txt", "good content");
      const cacheDir = join(dir, "cache");
      await withPortal(headers, async (url) => {
        const warnings: string[] = [];
        const make = (o: Partial<AssetCacheOptions> = {}) =>
          cacheAt(cacheDir, {
            timeout: 0,
            store: s3Store(url),
            warn: (m) => warnings.push(m),
            ...o,
          });
        await using cache = make();
        const path = await placeGoodCopy(cacheDir, s3.url, cache, "s3://b/k.txt");
        assertEquals(await cache.cache("s3://b/k.txt"), path);
        assert(warnings.some((w) => w.includes("web page")), warnings.join("\n"));
        // Nothing recorded of the object: offline, the copy is still served.
        assertEquals(readEntryRecord(recordPathsOf(cacheDir, path))?.meta.gone, undefined);
        await using offline = make({ offline: true });
        assertEquals(await offline.cache("s3://b/k.txt"), path);
        // A cold miss names the endpoint and what it sent, not a missing object.
        const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
        assertStringIncludes(e.message, "with a web page");
        assertStringIncludes(e.message, url);
      }, status);
    });
  });
}

// ---------------------------------------------------------------------------
// 14: maintenance re-checks under the lock

Deno.test("issue 7.14: verify does not remove an entry another process refreshed meanwhile", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "aaaa");
    await Deno.writeTextFile(join(dir, "b.txt"), "bbbb");
    const cacheDir = join(dir, "cache");
    await using cache = cacheAt(cacheDir);
    const a = pathToFileURL(join(dir, "a.txt")).href;
    const b = pathToFileURL(join(dir, "b.txt")).href;
    await cache.cache(a);
    const bPath = await cache.cache(b);
    await Deno.writeTextFile(bPath, "XXXX"); // b is corrupt when verify lists it
    const bRecord = recordPathsOf(cacheDir, bPath);
    const result = await verifyEntries(cacheDir, {
      concurrency: 1,
      onProgress: ({ done }) => {
        if (done !== 1) return;
        // After a (first), before b: "another process" refreshes b with new content.
        Deno.writeTextFileSync(bPath, "cccc");
        const old = readEntryRecord(bRecord)!.meta;
        writeEntryRecord(bRecord, {
          ...old,
          etag: md5Hex("cccc"),
          md5: md5Hex("cccc"),
          validatedAt: 42,
        });
      },
    });
    assertEquals([result.ok, result.corrupt.length], [2, 0]);
    assertEquals(await Deno.readTextFile(bPath), "cccc");
  });
});

// ---------------------------------------------------------------------------
// 16: full disk

Deno.test({
  name: "issue 7.16: a full disk leaves no partial file, names cache dir and URI",
  // Needs a small filesystem to fill: a tmpfs mount (root on Linux).
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-harden-", { mountOn: "cache" });
    const { dir, mnt: cacheDir } = scratch;
    await Deno.writeFile(join(dir, "big.bin"), randomBytes(3 * MiB));
    const uri = pathToFileURL(join(dir, "big.bin")).href;
    await using cache = cacheAt(cacheDir);
    const e = await assertRejects(() => cache.cache(uri), VcError, "no space left");
    assertStringIncludes(e.message, cacheDir);
    assertStringIncludes(e.message, uri);
    assert(!e.message.startsWith("internal error"));
    const left = filesUnder(cacheDir, { missingOk: true }).filter((p) => !p.includes("/.meta/"));
    assertEquals(left, []);
  },
});

Deno.test("issue 7.16: prune and verify find data files without a record", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    const orphan = join(cacheDir, "s3", "b", "left-by-a-full-disk.bin");
    await Deno.mkdir(join(orphan, ".."), { recursive: true });
    await Deno.writeTextFile(orphan, "data");
    const old = new Date(Date.now() - 3600_000);
    await Deno.utime(orphan, old, old);
    assertEquals(await findOrphans(cacheDir), [orphan]);
    await using cache = cacheAt(cacheDir);
    const dry = await cache.prune({ maxBytes: 1e12, dryRun: true });
    assertEquals(dry.orphans, [orphan]);
    assert((await Deno.stat(orphan)).isFile);
    const r = await cache.prune({ maxBytes: 1e12 });
    assertEquals(r.orphans, [orphan]);
    await assertRejects(() => Deno.stat(orphan), Deno.errors.NotFound);
  });
});

// ---------------------------------------------------------------------------
// 8 (the next run's part): dead owners' temp files and unlocked empty records

Deno.test("issue 7.8: debris of a dead process is swept at once, a live lock's record is kept", async () => {
  await withDir(async (dir) => {
    const data = join(dir, "s3", "b");
    const meta = join(dir, ".meta", "s3", "b");
    await Deno.mkdir(data, { recursive: true });
    await Deno.mkdir(meta, { recursive: true });
    await Deno.writeTextFile(join(data, ".x.bin.vc-tmp-999999999-abcd1234"), "partial");
    await Deno.writeTextFile(join(meta, "x.bin%.json"), ""); // empty, nobody holds it
    await Deno.writeTextFile(join(meta, "y.bin%.json"), "");
    using held = await Deno.open(join(meta, "y.bin%.json"), { read: true, write: true });
    await held.lock(true); // a download in progress
    assertEquals((await sweepDebris(dir)).files, 2);
    assertEquals(filesUnder(dir, { missingOk: true }).map((p) => p.slice(dir.length)), [
      "/.meta/s3/b/y.bin%.json",
    ]);
  });
});

// ---------------------------------------------------------------------------
// 19: gone objects

Deno.test("issue 7.19: an object found deleted is not served as fresh by the next process", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    const uri = pathToFileURL(join(dir, "a.txt")).href;
    const cacheDir = join(dir, "cache");
    {
      await using cache = cacheAt(cacheDir);
      await cache.cache(uri);
    }
    await Deno.remove(join(dir, "a.txt"));
    {
      await using cache = cacheAt(cacheDir, { timeout: 0 });
      await assertRejects(() => cache.cache(uri), NotFoundError, `delete(${JSON.stringify(uri)})`);
    }
    // A new process with the default timeout: the copy is still fresh by time, but known gone.
    await using cache = cacheAt(cacheDir);
    const e = await assertRejects(() => cache.cache(uri), NotFoundError, "no longer exists");
    assert(!e.message.includes("delete()"), e.message);
    // Back in the store: served again.
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    await using again = cacheAt(cacheDir);
    assertEquals(await Deno.readTextFile(await again.cache(uri)), "a");
  });
});

// ---------------------------------------------------------------------------
// Messages

Deno.test("issue 7 messages: a cache dir that is a regular file is named as such", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    await Deno.writeTextFile(join(dir, "cachefile"), "");
    await using cache = cacheAt(join(dir, "cachefile"));
    const e = await assertRejects(
      () => cache.cache(pathToFileURL(join(dir, "a.txt")).href),
      InvalidInputError,
      "is not a directory",
    );
    assert(!e.message.includes("colliding") && !e.message.includes("S3 allows"), e.message);
  });
});

Deno.test({
  name: "issue 7 messages: rm and invalidate on a read-only cache say so, naming the path",
  // A read-only filesystem (root ignores file modes): a tmpfs remounted ro.
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-harden-", { mountOn: "cache" });
    const { dir, mnt: cacheDir } = scratch;
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    const uri = pathToFileURL(join(dir, "a.txt")).href;
    await using cache = cacheAt(cacheDir);
    await cache.cache(uri);
    await new Deno.Command("mount", { args: ["-o", "remount,ro", cacheDir] }).output();
    for (const op of [() => cache.delete(uri), () => cache.invalidate(uri)]) {
      const e = await assertRejects(op, VcError, "not writable");
      assertStringIncludes(e.message, cacheDir);
      assertStringIncludes(e.message, uri);
    }
  },
});

Deno.test("issue 7 messages: ls of a cache dir that is a file says so", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "cachefile"), "");
    await using cache = cacheAt(join(dir, "cachefile"));
    await assertRejects(() => cache.ls(), InvalidInputError, "is not a directory");
  });
});

Deno.test("issue 7 messages: a body cut short again and again names the URI, no internal error", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    await s3.putObject("b", "k.bin", randomBytes(300_000));
    s3.failNext(50, "truncate", (t) => t.op === "GetObject");
    await using cache = cacheAt(join(dir, "cache"), { store: s3Store(s3.url), warn: () => {} });
    const e = await assertRejects(() => cache.cache("s3://b/k.bin"), VcError);
    assertStringIncludes(e.message, "s3://b/k.bin");
    for (const m of ["reset", "truncate"] as const) {
      s3.clearFaults();
      s3.failNext(50, m, (t) => t.op === "GetObject");
      const e2 = await assertRejects(() => cache.cache("s3://b/k.bin"), VcError);
      assertStringIncludes(e2.message, "s3://b/k.bin");
    }
  });
});

Deno.test("issue 7.14: prune re-checks an entry under its lock and keeps one refreshed meanwhile", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "aaaa");
    await Deno.writeTextFile(join(dir, "b.txt"), "bbbb");
    const cacheDir = join(dir, "cache");
    await using cache = cacheAt(cacheDir);
    const aPath = await cache.cache(pathToFileURL(join(dir, "a.txt")).href);
    const bPath = await cache.cache(pathToFileURL(join(dir, "b.txt")).href);
    // a was used long ago, b a little later (last use: the data's atime): prune takes a, then b.
    await Deno.utime(aPath, new Date(1000_000), new Date(1000_000));
    await Deno.utime(bPath, new Date(2000_000), new Date(2000_000));
    // "Another process" holds b's lock while it refreshes b.
    const { acquireEntryLock } = await import("../src/cache/entry_lock.ts");
    const lock = await acquireEntryLock(bPath);
    const pruning = cache.prune({ maxBytes: 0 });
    for (let i = 0; i < 400; i++) {
      if (await Deno.stat(aPath).then(() => false, () => true)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const old = readEntryRecord(recordPathsOf(cacheDir, bPath))!.meta;
    writeEntryRecord(recordPathsOf(cacheDir, bPath), { ...old, validatedAt: old.validatedAt + 1 });
    lock.release();
    const result = await pruning;
    assertEquals(result.removed.map((e) => e.path), [aPath]);
    assertEquals(await Deno.readTextFile(bPath), "bbbb");
  });
});

Deno.test("prune and verify through the library refuse a directory with files and no .meta", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "mine\n");
    const old = new Date(Date.now() - 24 * 3600_000);
    await Deno.utime(file, old, old);
    const cache = new AssetCache({ cacheDir: dir });
    try {
      for (const run of [() => cache.prune({ maxBytes: 0 }), () => cache.verify()]) {
        const e = await assertRejects(run, InvalidInputError);
        assertStringIncludes(e.message, `${dir} is not a vc cache`);
      }
    } finally {
      await cache.close();
    }
    assertEquals(await Deno.readTextFile(file), "mine\n");
    // A directory with nothing in it is an empty cache.
    await Deno.remove(file);
    assertEquals((await verifyEntries(dir)).ok, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prune and verify never touch what vc did not put at the cache dir's top, .meta or not", async () => {
  // A cache dir set to ~/.cache (or a project) by mistake, after a download
  // made it hold .meta: other tools' files live beside vc's.
  const dir = await Deno.makeTempDir();
  try {
    const foreign = [
      join(dir, "pip", "http", "abc"),
      join(dir, "deno", "dep.js"),
      join(dir, "README.md"),
      join(dir, ".x.vc-tmp-1-abcd1234", "inside"),
    ];
    for (const f of foreign) {
      await Deno.mkdir(join(f, ".."), { recursive: true });
      await Deno.writeTextFile(f, "not vc's\n");
    }
    // vc's own orphan (a data file with no record) beside them, and a record dir.
    const orphan = join(dir, "s3", "b", "orphan.bin");
    await Deno.mkdir(join(orphan, ".."), { recursive: true });
    await Deno.writeTextFile(orphan, "orphan");
    await Deno.mkdir(join(dir, ".meta"));
    const old = new Date(Date.now() - 3 * 24 * 3600_000);
    for (const f of [...foreign, orphan]) await Deno.utime(f, old, old);
    await using cache = cacheAt(dir);
    await cache.verify();
    await cache.prune({ maxBytes: 0, olderThan: 1 });
    await sweepDebris(dir, { olderThan: 0 });
    for (const f of foreign) assertEquals(await Deno.readTextFile(f), "not vc's\n", f);
    await assertRejects(() => Deno.stat(orphan), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prune and verify leave the mirror's state files in the cache dir alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { defaultStatePath } = await import("../src/mirror/state.ts");
    const state = defaultStatePath(dir, { sources: ["/d"], target: "s3://b/p" });
    await Deno.mkdir(join(state, ".."), { recursive: true });
    await Deno.writeTextFile(state, "a mirror's state");
    await Deno.writeTextFile(`${state}-wal`, "its log");
    const old = new Date(Date.now() - 24 * 3600_000);
    for (const f of [state, `${state}-wal`]) await Deno.utime(f, old, old);
    await using cache = cacheAt(dir);
    // Without .meta yet: a cache dir that holds only a mirror's state is still a cache.
    assertEquals((await cache.prune({ maxBytes: 0 })).orphans, []);
    await Deno.mkdir(join(dir, ".meta"));
    assertEquals((await cache.prune({ maxBytes: 0 })).orphans, []);
    assertEquals((await cache.verify()).orphans ?? [], []);
    assertEquals(await Deno.readTextFile(state), "a mirror's state");
    assertEquals(await Deno.readTextFile(`${state}-wal`), "its log");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a symbolic link planted at an entry's data path: not listed, reported by verify and prune, never followed", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "aaa");
    await Deno.writeTextFile(join(dir, "b.txt"), "bbb");
    await Deno.writeTextFile(join(dir, "secret"), "someone else's file");
    const cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    try {
      const a = await cache.cache(pathToFileURL(join(dir, "a.txt")).href);
      await cache.cache(pathToFileURL(join(dir, "b.txt")).href);
      await Deno.remove(a);
      await Deno.symlink(join(dir, "secret"), a);
      // Only the real copy is an entry.
      assertEquals((await cache.ls()).map((e) => e.path.endsWith("b.txt")), [true]);
      const verified = await cache.verify();
      assertEquals([verified.ok, verified.corrupt.length], [1, 0]);
      assertEquals(verified.links, [a]);
      const pruned = await cache.prune({ maxBytes: 1_000_000 });
      assertEquals([pruned.removed.length, pruned.links], [0, [a]]);
      // Nothing was read or written through it.
      assertEquals(await Deno.readTextFile(join(dir, "secret")), "someone else's file");
      assert((await Deno.lstat(a)).isSymlink);
    } finally {
      await cache.close();
    }
  });
});

Deno.test("verify beside a prune: an entry removed after the listing is not reported corrupt", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "aaa");
    await Deno.writeTextFile(join(dir, "b.txt"), "bbb");
    const cacheDir = join(dir, "cache");
    const cache = new AssetCache({ cacheDir, configPath: false });
    try {
      await cache.cache(pathToFileURL(join(dir, "a.txt")).href);
      const b = await cache.cache(pathToFileURL(join(dir, "b.txt")).href);
      const { removeEntryRecord } = await import("../src/cache/entry_records.ts");
      // One entry at a time, a (sorted first), then b; once a is checked,
      // "another process" removes b as a prune does: its record, then its data.
      const result = await verifyEntries(cacheDir, {
        concurrency: 1,
        onProgress: ({ done }) => {
          if (done !== 1) return;
          removeEntryRecord(recordPathsOf(cacheDir, b));
          Deno.removeSync(b);
        },
      });
      assertEquals([result.ok, result.corrupt], [1, []]);
    } finally {
      await cache.close();
    }
  });
});

Deno.test("a HEAD that says 404 while a GET finds the object: downloaded again, never marked deleted", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "x.txt"), "v1");
    const { FsStore } = await import("../src/store/fs.ts");
    const { WrappingStore } = await import("./versioned_helpers.ts");
    // A store whose HEADs say 404 (a proxy's answer; S3 right after a write elsewhere).
    class BlindHead extends WrappingStore {
      override head(): Promise<undefined> {
        return Promise.resolve(undefined);
      }
    }
    const make = () =>
      cacheAt(join(dir, "cache"), {
        timeout: 0,
        openStore: (root) => Promise.resolve(new BlindHead(new FsStore(new URL(root).pathname))),
      });
    const uri = pathToFileURL(join(dir, "x.txt")).href;
    await using first = make();
    const path = await first.cache(uri);
    await Deno.writeTextFile(join(dir, "x.txt"), "v2!");
    await using second = make();
    assertEquals(await second.cache(uri), path);
    assertEquals(await Deno.readTextFile(path), "v2!");
    assertEquals(readEntryRecord(recordPathsOf(join(dir, "cache"), path))?.meta.gone, undefined);
  });
});

Deno.test("a cache dir that is a link to nowhere is named as such", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "x.txt"), "x");
    await Deno.symlink(join(dir, "unmounted"), join(dir, "cache"));
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const e = await assertRejects(
      () => cache.cache(pathToFileURL(join(dir, "x.txt")).href),
      InvalidInputError,
    );
    assertStringIncludes(e.message, `is a symbolic link to ${join(dir, "unmounted")}`);
    assertEquals((await Deno.lstat(join(dir, "cache"))).isSymlink, true);
  });
});
