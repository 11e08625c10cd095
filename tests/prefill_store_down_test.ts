/**
 * A store that cannot be asked (down, answering 5xx after its retries, or
 * accepting connections and never answering) made a prefill try each of its
 * items in turn, each paying its own timeouts and retries: thousands of
 * items, hours. After 16 such failures in a row (at least the items in
 * flight) the store's other items fail at once, each named with why; items
 * of another store go on, and one answer resets the count.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("prefill: a store that keeps failing to answer has its other items failed without asking", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.createBucket("other");
    const down = Array.from({ length: 60 }, (_, i) => `s3://b/k${i}.txt`);
    for (let i = 0; i < 60; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    await s3.putObject("other", "x.txt", "x");
    const cache = make();
    // Bucket b answers 500 to everything; bucket other answers.
    s3.faults = { errorRate: 1, match: (t) => t.bucket === "b" };
    s3.resetStats();
    const summary = await prefill({ cache, uris: [...down, "s3://other/x.txt"], concurrency: 4 });
    assertEquals(summary.fetched, 1);
    assertEquals(summary.failed.length, 60);
    const notTried = summary.failed.filter((f) => f.error.includes("not tried"));
    assert(notTried.length >= 40, `${notTried.length} not tried: ${summary.failed[0]!.error}`);
    assertStringIncludes(notTried[0]!.error, "s3://b could not be asked for 16 items in a row");
    // Each tried item asked its download's attempts (3); the others not at all.
    assert(s3.stats.total <= 3 * (60 - notTried.length) + 1, JSON.stringify(s3.stats));
  }, { maxAttempts: 1 });
});
