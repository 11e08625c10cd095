/**
 * A large download stopped by an interrupt keeps its partial for the next
 * run to resume (see cache_large_download_resume_test.ts), but nothing said
 * so: an interrupted `vc prefill` ended on "the rest was not tried", as if
 * nothing of the item in flight was kept, and `vc prefill --offline` (or any
 * offline read) of that item said only "is not cached", not that a partial
 * download was there, to be finished by dropping `--offline`. Both now name
 * the partial and how far it got.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { OfflineError } from "../src/errors.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/prefill.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { testS3Options } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
const URI = "s3://b/d/big.bin";

/** A fake S3 holding `d/big.bin` and a maker of caches on one dir (as separate runs). */
async function setUp() {
  const s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-kept-partial-said-" });
  const caches: AssetCache[] = [];
  const make = (offline = false) => {
    const cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      store: testS3Options(s3, { maxAttempts: 1 }),
      warn: () => {},
      offline,
      // 1 MiB ranges, one at a time: the prefix grows range by range.
      download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
    });
    caches.push(cache);
    return cache;
  };
  await s3.putObject("b", "d/big.bin", randomBytes(SIZE, 11));
  return {
    dir,
    make,
    async [Symbol.asyncDispose]() {
      for (const c of caches) await c.close();
      await s3[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A prefill of `URI` interrupted once half of it is in: its error. */
async function interruptedPrefill(cache: AssetCache): Promise<PrefillInterruptedError> {
  const stop = new AbortController();
  const error = await assertRejects(
    () =>
      prefill({
        cache,
        uris: [URI],
        signal: stop.signal,
        concurrency: 1,
        onProgress: (p) => void (p.bytes >= SIZE / 2 && stop.abort()),
      }),
    PrefillInterruptedError,
  );
  return error as PrefillInterruptedError;
}

Deno.test("prefill: an interrupt says which download in flight kept its partial, and how much", async () => {
  await using t = await setUp();
  const error = await interruptedPrefill(t.make());
  assertEquals((await tempFiles(t.dir)).length, 2, "the partial and its note are kept");
  const kept = error.summary.keptPartials ?? [];
  assertEquals(kept.map((k) => [k.item, k.size]), [[URI, SIZE]]);
  const bytes = kept[0]!.bytes;
  assert(bytes >= MiB && bytes < SIZE, `kept ${bytes}`);
  assertStringIncludes(
    error.message,
    `; ${URI} stopped at ${
      (bytes / 1e6).toFixed(1)
    } MB of 8.4 MB, kept for the next run to resume; `,
  );
});

Deno.test("prefill: an interrupt before a first range is in keeps nothing and says so as before", async () => {
  await using t = await setUp();
  const stop = new AbortController();
  const error = await assertRejects(
    () =>
      prefill({
        cache: t.make(),
        uris: [URI],
        signal: stop.signal,
        // At the first bytes: no range complete yet, nothing noted to resume.
        onProgress: (p) => void (p.bytes > 0 && stop.abort()),
      }),
    PrefillInterruptedError,
  );
  assertEquals(await tempFiles(t.dir), []);
  assertEquals(error.summary.keptPartials, undefined);
  assertStringIncludes(error.message, "s; the rest was not tried: run it again to finish");
});

Deno.test("offline: an item not cached whose partial download is kept says so", async () => {
  await using t = await setUp();
  const error = await interruptedPrefill(t.make());
  const bytes = error.summary.keptPartials?.[0]?.bytes ?? 0;
  const offline = await assertRejects(() => t.make(true).cache(URI), OfflineError);
  assertStringIncludes(
    offline.message,
    `a partial download of it is kept there (${(bytes / 1e6).toFixed(1)} MB of 8.4 MB): ` +
      "pass offline: false to finish it",
  );
  assertEquals((await tempFiles(t.dir)).length, 2, "the offline read keeps the partial");
});
