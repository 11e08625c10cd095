/**
 * A store found unreachable while revalidating one entry is not asked again
 * for the others until the wait is over: each stale copy is served at once
 * with the warning, instead of paying its own timeouts and retries (a warm
 * prefill of thousands against a store that never answers took an hour).
 * After the wait the store is asked again, and once it answers, as usual.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("revalidation: one unreachable answer serves the store's other stale copies without asking", async () => {
  await withS3Cache(async (s3, make) => {
    const uris: string[] = [];
    for (let i = 0; i < 6; i++) {
      await s3.putObject("b", `k${i}.txt`, `v${i}`);
      uris.push(`s3://b/k${i}.txt`);
    }
    const clock = new ManualClock(10_000_000);
    const warnings: string[] = [];
    const cache = make({ timeout: 10, clock, warn: (m) => warnings.push(m) });
    for (const uri of uris) await cache.cache(uri);
    await clock.advance(20_000); // all stale
    s3.failNext(1000, "internal");
    s3.resetStats();
    for (const [i, uri] of uris.entries()) {
      assertEquals(await Deno.readTextFile(await cache.cache(uri)), `v${i}`);
    }
    // The first entry asked (its HEAD and its one attempt); the other five were served unasked.
    assertEquals(s3.stats.total, 1, JSON.stringify(s3.stats));
    assertEquals(warnings.length, 6);
    assertStringIncludes(warnings[5]!, "not asked");
    assertStringIncludes(warnings[5]!, "k0.txt");
    // Past the wait (the TTL here), asked again: the store answers now.
    s3.clearFaults();
    await clock.advance(11_000);
    s3.resetStats();
    warnings.length = 0;
    for (const uri of uris) await cache.cache(uri);
    assertEquals(s3.stats.HeadObject, 6, JSON.stringify(s3.stats));
    assertEquals(warnings, []);
  }, { maxAttempts: 1 });
});
