/**
 * A large download that resumes what an earlier run left (see
 * cache_large_download_resume_test.ts) fetches only the rest: `vc prefill`
 * counted the whole object in its progress and summary (`bytes`), as the
 * mirror did, and the asset cache's `onProgress` dropped the download's
 * `resumed` (how many of the bytes came in the earlier run), so a caller of
 * `cache()` could not tell them from bytes fetched.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill, type PrefillProgress } from "../src/prefill/prefill.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { join } from "node:path";
import { md5Hex } from "../src/hash.ts";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { testS3Options } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
const URI = "s3://b/d/big.bin";

/**
 * A fake S3 holding `d/big.bin`, and caches on one dir (`cacheDir`, in
 * `dir`; as separate runs):
 * (or at `key`): the first run's download of it stopped after 4 of its
 * 1 MiB ranges, its partial left to be resumed. `gets`: the GETs after that.
 */
async function leftPartial(key = "d/big.bin") {
  const uri = `s3://b/${key}`;
  const gets: RequestLogEntry[] = [];
  const s3 = await startFakeS3({
    credentials: false,
    buckets: ["b"],
    onRequest: (e) => void (e.op === "GetObject" && gets.push(e)),
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-resumed-bytes-" });
  const cacheDir = join(dir, "cache");
  const caches: AssetCache[] = [];
  const make = () => {
    const cache = new AssetCache({
      cacheDir,
      configPath: false,
      env: {},
      store: testS3Options(s3, { maxAttempts: 1 }),
      warn: () => {},
      // 1 MiB ranges, one at a time: the run stops at a known range.
      download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
    });
    caches.push(cache);
    return cache;
  };
  const dispose = async () => {
    for (const c of caches) await c.close();
    await s3[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const data = randomBytes(SIZE, 21);
    await s3.putObject("b", key, data);
    // The first GET and ranges 1–3 arrive; then the store stops answering.
    let seen = 0;
    s3.failNext(1000, "internal", (t) => t.op === "GetObject" && ++seen >= 5);
    await assertRejects(() => make().cache(uri));
    s3.clearFaults();
    assertEquals((await tempFiles(cacheDir)).length, 2, "the partial and its note are kept");
    gets.length = 0;
    return { s3, dir, cacheDir, gets, data, make, [Symbol.asyncDispose]: dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** The first byte each GET asked for (0 for a GET without a range). */
function fetchedFrom(gets: RequestLogEntry[]): number {
  const starts = gets.map((g) => Number(/^bytes=(\d+)-/.exec(g.headers.range ?? "")?.[1] ?? 0));
  return Math.min(...starts);
}

Deno.test("prefill: a resumed download counts only the bytes it fetched", async () => {
  await using t = await leftPartial();
  const seen: PrefillProgress[] = [];
  const summary = await prefill({
    cache: t.make(),
    uris: [URI],
    onProgress: (p) => void seen.push(p),
  });
  assertEquals([summary.fetched, summary.failed], [1, []]);
  const path = t.make().localPath(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(t.data));
  const from = fetchedFrom(t.gets);
  assert(from >= MiB && from < SIZE, `resumed at ${from}`);
  assertEquals(summary.bytes, SIZE - from, "the summary counts the bytes fetched, not the object");
  const most = Math.max(...seen.map((p) => p.bytes));
  assertEquals(most, SIZE - from, "nor does the progress count the kept prefix");
  // The item's own step is how far its file is, the kept prefix included.
  const steps = seen.flatMap((p) => p.step === undefined ? [] : [p.step]);
  assertEquals(steps.at(-1), { name: "downloading", bytes: SIZE, total: SIZE });
  assertEquals(await tempFiles(t.cacheDir), []);
});

Deno.test("cache(): a resumed download's progress says the bytes an earlier run left", async () => {
  await using t = await leftPartial();
  const seen: { bytes: number; total: number; resumed?: number }[] = [];
  const path = await t.make().cache(URI, { onProgress: (p) => void seen.push(p) });
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(t.data));
  const from = fetchedFrom(t.gets);
  assert(from >= MiB && from < SIZE, `resumed at ${from}`);
  assertEquals(seen.at(-1), { bytes: SIZE, total: SIZE, resumed: from });
  assert(seen.every((p) => p.resumed === from), JSON.stringify(seen.slice(0, 3)));
  assertEquals(await tempFiles(t.cacheDir), []);
});

/** A versioned cache over `t`'s cache whose manifest pins `/d/big.bin` at 1.0.0 (the bucket's `d/big.1.0.0.bin`). */
async function pinned(t: Awaited<ReturnType<typeof leftPartial>>): Promise<VersionedCache> {
  const manifest = join(t.dir, "versioned_assets.json");
  await Deno.writeTextFile(manifest, JSON.stringify({ "/d/big.bin": "1.0.0" }) + "\n");
  return new VersionedCache({
    manifest,
    bucket: "s3://b",
    cache: t.make(),
    store: testS3Options(t.s3, { maxAttempts: 1 }),
  });
}

Deno.test("sync: a resumed download counts only the bytes it fetched", async () => {
  await using t = await leftPartial("d/big.1.0.0.bin");
  const vc = await pinned(t);
  const seen: { bytes?: number; step?: { name: string; bytes: number; total: number } }[] = [];
  try {
    await vc.sync(join(t.dir, "dest"), { onProgress: (p) => void seen.push(p) });
  } finally {
    await vc.close();
  }
  assertEquals(md5Hex(await Deno.readFile(join(t.dir, "dest", "d", "big.bin"))), md5Hex(t.data));
  const from = fetchedFrom(t.gets);
  assert(from >= MiB && from < SIZE, `resumed at ${from}`);
  const most = Math.max(...seen.map((p) => p.bytes ?? 0));
  assertEquals(most, SIZE - from, "the progress counts the bytes fetched, not the object");
  // The entry's own step is how far its file is, the kept prefix included.
  const last = seen.flatMap((p) => p.step?.name === "downloading" ? [p.step] : []).at(-1);
  assertEquals(last, { name: "downloading", bytes: SIZE, total: SIZE });
});

Deno.test("lock: a resumed download counts only the bytes it fetched", async () => {
  await using t = await leftPartial("d/big.1.0.0.bin");
  const vc = await pinned(t);
  const seen: { bytes?: number }[] = [];
  try {
    const [r] = await fillLock(vc, { onProgress: (p) => void seen.push(p) });
    assertEquals([r?.status, r?.error], ["added", undefined]);
  } finally {
    await vc.close();
  }
  const from = fetchedFrom(t.gets);
  assert(from >= MiB && from < SIZE, `resumed at ${from}`);
  const most = Math.max(...seen.map((p) => p.bytes ?? 0));
  assertEquals(most, SIZE - from, "the progress counts the bytes fetched, not the object");
});
