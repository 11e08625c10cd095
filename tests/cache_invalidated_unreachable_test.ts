// An entry invalidated (`invalidate`) while its store is unreachable: the
// next call asks the store (the invalidation's promise) and serves the copy
// with a warning; then, as for any copy whose revalidation failed, it is
// served for a minute before the store is asked again, not on every call.
// The invalidation stays pending until the store answers: a minute later it
// is asked again, also for an immutable bucket, and in another process.
import { assertEquals } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("an invalidated entry, store unreachable: asked once a minute, not on every call", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    let now = 10_000_000;
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
    const uri = "s3://b/k.txt";
    const warnings: string[] = [];
    const cache = make({ timeout: 3600, clock, warn: (m) => warnings.push(m) });
    const path = await cache.cache(uri);
    assertEquals(await cache.invalidate(uri), true);
    s3.failNext(1000, "internal");
    s3.resetStats();
    for (let i = 0; i < 5; i++) {
      assertEquals(await cache.cache(uri), path);
      now += 2_000; // past the journal's recheck interval: the record is read again
    }
    assertEquals(s3.stats.HeadObject, 1);
    assertEquals(warnings.length, 1);
    // Still invalidated on disk: another process asks too (and backs off the same way).
    const other = make({ timeout: 3600, clock, warn: (m) => warnings.push(m) });
    assertEquals(await other.cache(uri), path);
    assertEquals(await other.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 2);
    // A minute later the store is asked again.
    now += 61_000;
    assertEquals(await cache.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 3);
    // A new invalidation in this process is honoured at once, back-off or not.
    await cache.invalidate(uri);
    assertEquals(await cache.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 4);
    // Back: revalidated, and fresh for the TTL from now on.
    s3.clearFaults();
    now += 61_000;
    assertEquals(await cache.cache(uri), path);
    now += 2_000;
    assertEquals(await cache.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 5);
    assertEquals(s3.stats.GetObject, 0);
    assertEquals(warnings.length, 4);
  }, { maxAttempts: 1 });
});

Deno.test("an invalidated entry of an immutable bucket, store unreachable: asked again after a minute, never taken for fresh", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    let now = 10_000_000;
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
    const uri = "s3://b/k.txt";
    const cache = make({ clock, immutableBuckets: ["b"] });
    const path = await cache.cache(uri);
    await cache.invalidate(uri);
    s3.failNext(1000, "internal");
    s3.resetStats();
    assertEquals(await cache.cache(uri), path);
    now += 30_000;
    assertEquals(await cache.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 1);
    for (let i = 0; i < 3; i++) {
      now += 61_000;
      assertEquals(await cache.cache(uri), path);
    }
    assertEquals(s3.stats.HeadObject, 4);
    // Once the store answers, the immutable entry is fresh again for good.
    s3.clearFaults();
    now += 61_000;
    assertEquals(await cache.cache(uri), path);
    now += 86_400_000;
    assertEquals(await cache.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 5);
  }, { maxAttempts: 1 });
});
