/**
 * The asset cache against the fake S3 server, through the real S3 store:
 * request counts, fault injection, multipart ETags.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { IntegrityError, NotFoundError } from "../src/errors.ts";
import { md5Hex, parseEtag } from "../src/hash.ts";
import { openStore } from "../src/store/open.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { join } from "node:path";
import { testS3Options } from "./versioned_helpers.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const MiB = 1024 * 1024;

function s3Options(s3: FakeS3): NonNullable<AssetCacheOptions["store"]> {
  return testS3Options(s3, { maxAttempts: 4 });
}

Deno.test("fake S3: a cold miss is one GetObject and no HeadObject; warm hits are free", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "data/x.csv", "a,b\n");
    const cache = make();
    const path = await cache.cache("s3://b/data/x.csv");
    assertEquals(path, join(dir, `s3@127.0.0.1_${s3.port}`, "b", "data", "x.csv"));
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    for (let i = 0; i < 10; i++) await cache.cache("s3://b/data/x.csv");
    assertEquals(s3.stats.GetObject, 1);
    assertEquals(s3.stats.HeadObject, 0);
    assertEquals(s3.stats.total, 1);
  });
});

Deno.test("fake S3: 100 concurrent cold calls make one GetObject", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.bin", randomBytes(MiB));
    s3.faults = { latencyMs: 30 };
    const cache = make();
    const paths = await Promise.all(Array.from({ length: 100 }, () => cache.cache("s3://b/k.bin")));
    assertEquals(new Set(paths).size, 1);
    assertEquals(s3.stats.GetObject, 1);
  });
});

Deno.test("fake S3: missing object → NotFoundError naming URI and local path", async () => {
  await withS3Cache(async (_s3, make, dir) => {
    const cache = make();
    const e = await assertRejects(() => cache.cache("s3://b/nope.csv"), NotFoundError);
    assertStringIncludes(e.message, "s3://b/nope.csv");
    assertStringIncludes(e.message, cache.localPath("s3://b/nope.csv"));
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("fake S3: 503s, resets and truncated bodies are retried and end verified", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const data = randomBytes(2 * MiB + 3, 11);
    await s3.putObject("b", "k.bin", data);
    const isGet = (t: { op: string }) => t.op === "GetObject";
    const cases: [string, () => void][] = [
      ["slowdown", () => s3.failNext(2, "slowdown", isGet)],
      ["internal", () => s3.failNext(1, "internal", isGet)],
      ["reset", () => s3.failNext(1, "reset", isGet)],
      ["truncate", () => s3.failNext(2, "truncate", isGet)],
    ];
    for (const [name, inject] of cases) {
      const cache = make({ cacheDir: join(dir, name) });
      inject();
      const path = await cache.cache("s3://b/k.bin");
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data), name);
    }
    assert(s3.stats.faults >= 6, `faults injected: ${s3.stats.faults}`);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("fake S3: a corrupted body (same length, same ETag) → IntegrityError, nothing cached", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const data = randomBytes(300_000, 5);
    const { etag } = await s3.putObject("b", "k.bin", data);
    s3.faults = { corruptRate: 1 };
    const cache = make();
    const e = await assertRejects(() => cache.cache("s3://b/k.bin"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.bin");
    assertStringIncludes(e.message, etag);
    await assertRejects(() => Deno.stat(cache.localPath("s3://b/k.bin")), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
    s3.clearFaults();
    const path = await cache.cache("s3://b/k.bin");
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  });
});

Deno.test("fake S3: multipart object → parallel ranged GETs verified by the multipart ETag", async () => {
  await withS3Cache(async (s3, make) => {
    const data = randomBytes(13 * MiB, 21);
    const store = await openStore("s3://b", {
      s3: { ...s3Options(s3).s3, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    });
    try {
      const { etag } = await store.put("big.bin", data);
      assertEquals(parseEtag(etag), { kind: "multipart", parts: 3 });
    } finally {
      await store.close();
    }
    s3.resetStats();
    const cache = make({ download: { parallelThreshold: 4 * MiB, partSize: 5 * MiB } });
    const path = await cache.cache("s3://b/big.bin");
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    assertEquals(s3.stats.GetObject, 3); // the first GET serves part 1, then 2 ranges
    assertEquals(s3.stats.HeadObject, 0);
    // A ranged GET that breaks off mid-body is resumed.
    const again = make({
      cacheDir: `${cache.dir}-2`,
      download: { parallelThreshold: 4 * MiB, partSize: 5 * MiB },
    });
    // Fail the second GET: a ranged one, piped straight into the file.
    let gets = 0;
    s3.failNext(1, "reset", (t) => t.op === "GetObject" && ++gets === 2);
    s3.resetStats();
    const path2 = await again.cache("s3://b/big.bin");
    assertEquals(md5Hex(await Deno.readFile(path2)), md5Hex(data));
    assertEquals(s3.stats.faults, 1);
    assertEquals(s3.stats.GetObject, 4); // one more, for the rest of the broken range
    await Deno.remove(again.dir, { recursive: true });
    // Same with a body cut short.
    const third = make({
      cacheDir: `${cache.dir}-3`,
      download: { parallelThreshold: 4 * MiB, partSize: 5 * MiB },
    });
    gets = 0;
    s3.failNext(1, "truncate", (t) => t.op === "GetObject" && ++gets === 3);
    const path3 = await third.cache("s3://b/big.bin");
    assertEquals(md5Hex(await Deno.readFile(path3)), md5Hex(data));
    await Deno.remove(third.dir, { recursive: true });
  });
});

Deno.test("fake S3: revalidation after the timeout is a HEAD; a new version replaces the old", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.json", '{"v":1}');
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://b/k.json");
    await cache.cache("s3://b/k.json");
    assertEquals([s3.stats.GetObject, s3.stats.HeadObject], [1, 1]);
    await s3.putObject("b", "k.json", '{"v":2}');
    assertEquals(await cache.cache("s3://b/k.json"), path);
    assertEquals(await Deno.readTextFile(path), '{"v":2}');
    assertEquals([s3.stats.GetObject, s3.stats.HeadObject], [2, 2]);
  });
});

Deno.test("fake S3: server gone during revalidation → cached copy served with a warning", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-s3-" });
  try {
    const warnings: string[] = [];
    const s3 = await startFakeS3({ buckets: ["b"] });
    const options: AssetCacheOptions = {
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      store: { s3: { ...s3Options(s3).s3, maxAttempts: 1 } },
      warn: (m) => warnings.push(m),
    };
    let path: string;
    {
      await using cache = new AssetCache(options);
      await s3.putObject("b", "k", "v");
      path = await cache.cache("s3://b/k");
    }
    await s3.stop();
    await using cache = new AssetCache(options);
    assertEquals(await cache.cache("s3://b/k"), path);
    assertEquals(warnings.length, 1);
    assertStringIncludes(warnings[0]!, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing bucket is named as such, not as a missing object", async () => {
  await withS3Cache(async (_s3, make) => {
    const e = await assertRejects(() => make().cache("s3://no-such-bucket/x.csv"), NotFoundError);
    assertStringIncludes(e.message, "its bucket s3://no-such-bucket does not exist");
    const key = await assertRejects(() => make().cache("s3://b/no-such-key.csv"), NotFoundError);
    assertStringIncludes(key.message, "s3://b/no-such-key.csv does not exist in the store");
  });
});
