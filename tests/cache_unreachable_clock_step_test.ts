/**
 * The wait after a revalidation found the store unreachable (a minute, at
 * most the TTL) runs in the clock's monotonic time: a step of the wall clock
 * back (NTP, an operator) must not stretch it, serving a stale copy without
 * asking the store, and without a warning, for as long as the step.
 */
import { assertEquals } from "./assert.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("unreachable wait: a wall clock stepped back does not stretch it (one entry)", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const clock = new ManualClock(10_000_000_000);
    const warnings: string[] = [];
    const cache = make({ timeout: 10, clock, warn: (m) => warnings.push(m) });
    await cache.cache("s3://b/k.txt");
    await clock.advance(11_000); // stale
    s3.failNext(1000, "internal");
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "v1");
    assertEquals(warnings.length, 1);
    s3.clearFaults();
    await s3.putObject("b", "k.txt", "v2, replaced");
    clock.jump(-3_600_000); // the wall clock steps back an hour
    await clock.advance(11_000); // the wait (the TTL, 10 s) is over
    s3.resetStats();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "v2, replaced");
    assertEquals(s3.stats.HeadObject, 1, JSON.stringify(s3.stats));
  }, { maxAttempts: 1 });
});

Deno.test("unreachable wait: a wall clock stepped back does not stretch it (the store's other copies)", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "a.txt", "a1");
    await s3.putObject("b", "c.txt", "c1");
    const clock = new ManualClock(10_000_000_000);
    const cache = make({ timeout: 10, clock });
    await cache.cache("s3://b/a.txt");
    await cache.cache("s3://b/c.txt");
    await clock.advance(11_000);
    s3.failNext(1000, "internal");
    await cache.cache("s3://b/a.txt"); // the store is down: remembered for the wait
    s3.clearFaults();
    await s3.putObject("b", "c.txt", "c2, replaced");
    clock.jump(-3_600_000);
    await clock.advance(11_000);
    s3.resetStats();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/c.txt")), "c2, replaced");
    assertEquals(s3.stats.HeadObject, 1, JSON.stringify(s3.stats));
  }, { maxAttempts: 1 });
});
