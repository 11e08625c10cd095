/**
 * Every warning that serves a copy the store did not confirm names the URI,
 * the copy and how stale it is: a user on a train sees that the model they
 * load was last checked three days ago, not only that the store was down.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("stale-serve warnings name the URI and the copy's age, invalidation and clock skew", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "one");
    let now = Date.UTC(2026, 0, 10);
    let elapsed = 0;
    // A clock that can step back (the system time), beside a monotonic one.
    const clock: Clock = {
      now: () => now,
      monotonic: () => elapsed,
      sleep: () => Promise.resolve(),
    };
    const warnings: string[] = [];
    const cache = make({ timeout: 60, clock, warn: (m) => warnings.push(m) });
    const path = await cache.cache("s3://b/k.txt");
    s3.failNext(1000, "internal");

    now += 3 * 86_400_000; // three days on
    elapsed += 120_000;
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertStringIncludes(warnings.at(-1)!, "s3://b/k.txt");
    assertStringIncludes(warnings.at(-1)!, path);
    assertStringIncludes(warnings.at(-1)!, "validated 3 d ago");

    await cache.invalidate("s3://b/k.txt");
    elapsed += 120_000;
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertStringIncludes(warnings.at(-1)!, "invalidated");

    s3.clearFaults();
    elapsed += 120_000;
    assertEquals(await cache.cache("s3://b/k.txt"), path); // validated now
    s3.failNext(1000, "internal");
    now -= 86_400_000; // the system clock set back a day
    elapsed += 120_000;
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertStringIncludes(warnings.at(-1)!, "in the future by this clock");
    assertEquals(warnings.length, 3, warnings.join("\n"));
  }, { maxAttempts: 1 });
});
