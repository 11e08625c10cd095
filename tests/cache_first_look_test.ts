/**
 * A first look at a cold entry takes a journal this process found missing
 * moments ago as still missing (no failed lstat per entry of a batch), and
 * the download's lock still finds what another process completed since:
 * no second GET, no stale answer.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { ManualClock, startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";

/** Two caches on one directory, as two processes would have (one clock for both). */
function twoCaches(
  dir: string,
  s3: { url: string },
  clock: ManualClock,
  timeout?: number,
): [AssetCache, AssetCache] {
  const options = (): AssetCacheOptions => ({
    cacheDir: `${dir}/cache`,
    configPath: false,
    env: {},
    store: testS3Options(s3),
    clock,
    warn: () => {},
    ...(timeout === undefined ? {} : { timeout }),
  });
  return [new AssetCache(options()), new AssetCache(options())];
}

Deno.test("first look: a record another cache wrote after this one found the journal missing is used, not downloaded again", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-first-look-" });
  try {
    await s3.putObject("b", "d/x.bin", "x-content");
    const clock = new ManualClock(1_000_000);
    const [first, second] = twoCaches(dir, s3, clock);
    await using a = first;
    await using b = second;
    // A looks in d/ first: nothing there (the object is missing, so no record is written).
    let missing = "";
    await a.cache("s3://b/d/absent.bin").catch((e) => missing = (e as Error).name);
    assertEquals(missing, "NotFoundError");
    // B (another process, in effect) caches x.bin: d/'s journal exists now.
    const fromB = await b.cache("s3://b/d/x.bin");
    const gets = s3.stats.GetObject;
    // A's first look still takes d/'s journal as missing; the lock finds B's copy.
    const fromA = await a.cache("s3://b/d/x.bin");
    assertEquals(fromA, fromB);
    assertEquals(await Deno.readTextFile(fromA), "x-content");
    assertEquals(s3.stats.GetObject, gets, "no second download");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("first look: after two seconds, or at once with a TTL of 0, the journal is read again and the TTL rules apply", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const [timeout, wait, heads] of [[3600, 2_500, 0], [0, 0, 1]] as const) {
    const dir = await Deno.makeTempDir({ prefix: "vc-first-look-" });
    try {
      await s3.putObject("b", "d/x.bin", "x-content");
      const clock = new ManualClock(1_000_000);
      const [first, second] = twoCaches(dir, s3, clock, timeout);
      await using a = first;
      await using b = second;
      await a.cache("s3://b/d/absent.bin").catch(() => {});
      await b.cache("s3://b/d/x.bin");
      clock.advance(wait);
      s3.resetStats();
      const path = await a.cache("s3://b/d/x.bin");
      assertEquals(await Deno.readTextFile(path), "x-content");
      // B's record is read: fresh within a TTL of an hour (no request), and
      // revalidated (one HEAD, no GET) with a TTL of 0.
      assertEquals([s3.stats.HeadObject, s3.stats.GetObject], [heads, 0], `timeout ${timeout}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
