/**
 * A download whose content fails its check (a response corrupted on the way)
 * is downloaded again from scratch, pinned to the same ETag, a bounded number
 * of times; corrupt every time, it is an `IntegrityError` naming the object,
 * the expected and the received hash, and nothing is left behind. For the
 * one-GET path of small objects (the cache, `vc get` / `vc cat` through the
 * versioned cache, prefill, mirror store → dir) and the ranged path alike.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { fakeBackend, prefixToLocal, tempDir } from "./mirror_helpers.ts";
import { testS3Options, withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const isGet = (t: { op: string }) => t.op === "GetObject";

/** A FaultStore that records the `ifMatch` of every GET. */
class ConditionsSeen extends FaultStore {
  ifMatch: (string | undefined)[] = [];
  override get(key: string, options: GetOptions = {}): Promise<GetResult> {
    this.ifMatch.push(options.ifMatch);
    return super.get(key, options);
  }
}

Deno.test("small object: a first corrupted response is downloaded again, pinned to its ETag", async () => {
  await withTempDir(async (dir) => {
    const store = new ConditionsSeen();
    const data = randomBytes(4096, 3);
    const info = store.set("k", data);
    store.fail("corrupt");
    const got = await downloadToFile(store, "k", join(dir, "k"));
    assertEquals(md5Hex(await Deno.readFile(join(dir, "k"))), md5Hex(data));
    assertEquals(got.md5, md5Hex(data));
    assertEquals(store.counts.get, 2);
    assertEquals(store.ifMatch, [undefined, info.etag]);
    assertEquals(await tempFiles(dir), []);
  });
});

/** A FaultStore whose corruption differs on every GET (noise on the way, not a bad copy). */
class NoisyLink extends FaultStore {
  #n = 0;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const got = await super.get(key, options);
    const bytes = new Uint8Array(await new Response(got.body).arrayBuffer());
    const at = this.#n++ % bytes.length;
    bytes[at] = bytes[at]! ^ 0xff;
    return { ...got, body: new Response(bytes).body!, bytes };
  }
}

Deno.test("small object: corrupted differently every time → IntegrityError after the attempts, nothing left", async () => {
  await withTempDir(async (dir) => {
    const store = new NoisyLink();
    const data = randomBytes(4096, 4);
    store.set("k", data);
    const e = await assertRejects(
      () => downloadToFile(store, "k", join(dir, "k"), { attempts: 3 }),
      IntegrityError,
      "mem://bucket/k",
    );
    assertStringIncludes(e.message, `expected MD5 ${md5Hex(data)}, got `);
    assertStringIncludes(e.message, "after 3 attempts");
    assertEquals(store.counts.get, 3);
    await assertRejects(() => Deno.stat(join(dir, "k")), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
    // `attempts: 1`: one download, the message as it was.
    const once = await assertRejects(
      () => downloadToFile(store, "k", join(dir, "k"), { attempts: 1 }),
      IntegrityError,
    );
    assert(!once.message.includes("attempts") && !once.message.includes("came"), once.message);
    assertEquals(store.counts.get, 4);
  });
});

Deno.test("small object: the same wrong bytes twice → IntegrityError after two downloads, not all attempts", async () => {
  await withTempDir(async (dir) => {
    // Corrupted the same way every time: the store's copy is bad, a third
    // download would only fetch it again.
    const store = new FaultStore();
    const data = randomBytes(4096, 4);
    store.set("k", data);
    store.always = "corrupt";
    const e = await assertRejects(
      () => downloadToFile(store, "k", join(dir, "k"), { attempts: 5 }),
      IntegrityError,
      "mem://bucket/k",
    );
    assertStringIncludes(e.message, `expected MD5 ${md5Hex(data)}, got `);
    assertStringIncludes(e.message, "the same content came 2 times: it is what the store holds");
    assertEquals(store.counts.get, 2);
    await assertRejects(() => Deno.stat(join(dir, "k")), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("small object: replaced between a corrupt response and its retry → the new version whole", async () => {
  await withTempDir(async (dir) => {
    const store = new ConditionsSeen();
    const v1 = randomBytes(4096, 5);
    const v2 = randomBytes(5000, 6);
    const info = store.set("k", v1);
    store.fail("corrupt");
    // Replaced as the first (corrupt) response is taken: the retry's If-Match fails.
    const get = store.get.bind(store);
    let calls = 0;
    store.get = async (key, options) => {
      const r = await get(key, options);
      if (++calls === 1) store.set("k", v2);
      return r;
    };
    await downloadToFile(store, "k", join(dir, "k"));
    assertEquals(md5Hex(await Deno.readFile(join(dir, "k"))), md5Hex(v2));
    // The retry was conditional on v1's ETag; the start over, on nothing.
    assertEquals(store.ifMatch, [undefined, info.etag, undefined]);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("large object: a corrupted range is downloaded again with If-Match, then verified", async () => {
  await withTempDir(async (dir) => {
    const store = new ConditionsSeen();
    const data = randomBytes(MiB, 7);
    const info = store.set("k", data);
    store.fail("corrupt", 1, ["get"], true);
    const options = { expected: info, parallelThreshold: 256 * 1024, partSize: 256 * 1024 };
    const got = await downloadToFile(store, "k", join(dir, "k"), options);
    assertEquals(got.md5, md5Hex(data));
    assertEquals(md5Hex(await Deno.readFile(join(dir, "k"))), md5Hex(data));
    assertEquals(store.counts.rangedGet, 8);
    assert(store.ifMatch.every((m) => m === info.etag), String(store.ifMatch));
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("fake S3: the cache takes a small object whose first response was corrupt or cut short", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const data = randomBytes(300_000, 8);
    await s3.putObject("b", "k.bin", data);
    for (const kind of ["corrupt", "truncate"] as const) {
      const cache = make({ cacheDir: join(dir, kind) });
      s3.resetStats();
      s3.failNext(1, kind, isGet);
      const path = await cache.cache("s3://b/k.bin");
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data), kind);
      // What the server counts shows the retry: one fault, a second GET.
      assertEquals([s3.stats.faults, s3.stats.GetObject], [1, 2], kind);
    }
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("fake S3: corrupt every time → IntegrityError naming key and hashes; the cached version stays", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const v1 = randomBytes(300_000, 9);
    const v2 = randomBytes(300_001, 10);
    await s3.putObject("b", "k.bin", v1);
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://b/k.bin");
    const { etag } = await s3.putObject("b", "k.bin", v2);
    s3.resetStats();
    s3.failNext(100, "corrupt", isGet);
    const e = await assertRejects(() => cache.cache("s3://b/k.bin"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.bin");
    assertStringIncludes(e.message, `expected MD5 ${etag}, got `);
    // The fake corrupts another byte each time (noise on the link): every attempt is made.
    assertStringIncludes(e.message, "after 3 attempts");
    assertEquals(s3.stats.GetObject, 3);
    // The copy cached before is kept, whole, and still served from the cache's records.
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(v1));
    assertEquals((await cache.ls()).map((x) => x.etag), [md5Hex(v1)]);
    assertEquals(await tempFiles(dir), []);
    // A cold key corrupt every time: no file, no record.
    await s3.putObject("b", "cold.bin", v2);
    await assertRejects(() => cache.cache("s3://b/cold.bin"), IntegrityError, "s3://b/cold.bin");
    await assertRejects(() => Deno.stat(cache.localPath("s3://b/cold.bin")), Deno.errors.NotFound);
    assertEquals((await cache.ls()).length, 1);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("fake S3: mirror store → dir takes a small object whose first response was corrupt", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const data = randomBytes(70_000, 11);
  await b.store.put("p/a.bin", data);
  b.fake!.resetStats();
  b.fake!.failNext(1, "corrupt", isGet);
  const opts = prefixToLocal(b.store, w.dir);
  const report = await mirror(opts);
  assertEquals([report.transferred, report.failed.length], [1, 0]);
  assertEquals(md5Hex(await Deno.readFile(join(opts.target, "a.bin"))), md5Hex(data));
  assertEquals([b.fake!.stats.faults, b.fake!.stats.GetObject], [1, 2]);
  // Corrupt every time: reported failed, no file.
  await b.store.put("p/c.bin", randomBytes(1000, 12));
  b.fake!.failNext(100, "corrupt", isGet);
  const bad = await mirror(opts);
  assertEquals(bad.failed.length, 1);
  assertStringIncludes(bad.failed[0]!.error, "after 3 attempts");
  await assertRejects(() => Deno.stat(join(opts.target, "c.bin")), Deno.errors.NotFound);
  assertEquals(await tempFiles(opts.target), []);
});

Deno.test("fake S3 over fetch (no keep-alive client): a corrupted first response is retried", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const data = randomBytes(4096, 13);
  await s3.putObject("b", "k.bin", data);
  await withTempDir(async (dir) => {
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      store: testS3Options(s3, { maxAttempts: 4, http1: false }),
      warn: () => {},
    });
    s3.failNext(1, "corrupt", isGet);
    const path = await cache.cache("s3://b/k.bin");
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    assertEquals(s3.stats.GetObject, 2);
  });
});
