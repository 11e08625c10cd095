// A record validated "in the future" (clock skew, a restored cache) counts as
// stale; with the store unreachable the cached copy is served with a warning,
// and then, like any stale copy, for a minute before the store is asked again,
// not on every call.
import { assertEquals } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a validation time in the future, store unreachable: asked once a minute, not on every call", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    let now = 10_000_000;
    // A clock that can go backwards (ManualClock cannot).
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
    const uri = "s3://b/k.txt";
    const first = make({ timeout: 3600, clock });
    const path = await first.cache(uri);
    // Another process whose clock is two hours behind the one that validated it.
    now -= 7_200_000;
    const warnings: string[] = [];
    const skewed = make({ timeout: 3600, clock, warn: (m) => warnings.push(m) });
    s3.failNext(1000, "internal");
    s3.resetStats();
    for (let i = 0; i < 5; i++) assertEquals(await skewed.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 1);
    assertEquals(warnings.length, 1);
    // A minute later the store is asked again.
    now += 61_000;
    assertEquals(await skewed.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 2);
    assertEquals(warnings.length, 2);
    // Back: revalidated, and fresh for the TTL from now on.
    s3.clearFaults();
    now += 61_000;
    assertEquals(await skewed.cache(uri), path);
    assertEquals(await skewed.cache(uri), path);
    assertEquals(s3.stats.HeadObject, 3);
    assertEquals(s3.stats.GetObject, 0);
    assertEquals(warnings.length, 2);
  }, { maxAttempts: 1 });
});
