/**
 * A store that cannot be asked (down, answering 5xx after its retries, or
 * accepting connections and never answering) made a prefill try each of its
 * items in turn, each paying its own timeouts and retries: thousands of
 * items, hours. After 16 such failures in a row (at least the items in
 * flight) the store's other items fail at once, each named with why; items
 * of another store go on, and one answer resets the count. The items not
 * tried have the kind of the failures (a 5xx store's are a StoreError, not
 * an OfflineError that says it could not be reached).
 *
 * These runs take the store for down at its 16th failure (`storeDownWait:
 * 0`); by default it must also have said nothing for 30 s (see
 * prefill_store_recovers_test.ts).
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
    const summary = await prefill({
      cache,
      uris: [...down, "s3://other/x.txt"],
      concurrency: 4,
      storeDownWait: 0,
    });
    assertEquals(summary.fetched, 1);
    assertEquals(summary.failed.length, 60);
    const notTried = summary.failed.filter((f) => f.error.includes("not tried"));
    assert(notTried.length >= 40, `${notTried.length} not tried: ${summary.failed[0]!.error}`);
    assertStringIncludes(notTried[0]!.error, "s3://b could not be asked for 16 items in a row");
    // Each tried item asked its download's attempts (3); the others not at all.
    assert(s3.stats.total <= 3 * (60 - notTried.length) + 1, JSON.stringify(s3.stats));
  }, { maxAttempts: 1 });
});

Deno.test("prefill: the items not tried of a store answering 5xx are a StoreError, as its tried ones", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 40 }, (_, i) => `s3://b/k${i}.txt`);
    for (let i = 0; i < 40; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    // The store is reachable and answers, with 500: not offline.
    s3.faults = { errorRate: 1, match: (t) => t.bucket === "b" };
    const summary = await prefill({ cache: make(), uris, concurrency: 2, storeDownWait: 0 });
    assertEquals(summary.failed.length, 40);
    const notTried = summary.failed.filter((f) => f.error.includes("not tried"));
    assert(notTried.length > 0, summary.failed[0]!.error);
    assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["StoreError"]);
  }, { maxAttempts: 1 });
});

Deno.test("prefill: the items not tried of a store that refuses connections are an OfflineError", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 40 }, (_, i) => `s3://b/k${i}.txt`);
    const cache = make();
    await s3.stop();
    const summary = await prefill({ cache, uris, concurrency: 2, storeDownWait: 0 });
    assertEquals(summary.failed.length, 40);
    assert(summary.failed.some((f) => f.error.includes("not tried")), summary.failed[0]!.error);
    assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["OfflineError"]);
  }, { maxAttempts: 1 });
});

Deno.test("prefill: a store taken for down still has its cached items served", async () => {
  // Its items after the 16th failure were failed as "not tried" without a
  // look at the cache: a CI cache restored during an outage reported every
  // cached item as failed.
  await withS3Cache(async (s3, make) => {
    const warm = Array.from({ length: 20 }, (_, i) => `s3://b/warm${i}.txt`);
    for (let i = 0; i < 20; i++) await s3.putObject("b", `warm${i}.txt`, `w${i}`);
    const cache = make({ timeout: 0 });
    assertEquals((await prefill({ cache, uris: warm })).fetched, 20);
    await s3.stop();
    const cold = Array.from({ length: 20 }, (_, i) => `s3://b/cold${i}.txt`);
    const summary = await prefill({
      cache,
      uris: [...cold, ...warm],
      concurrency: 2,
      storeDownWait: 0,
    });
    assertEquals(summary.alreadyCached, 20, JSON.stringify(summary.failed.slice(-1)));
    assertEquals(summary.failed.map((f) => f.item), cold);
    assert(summary.failed.some((f) => f.error.includes("not tried")), summary.failed[0]!.error);
  }, { maxAttempts: 1 });
});
