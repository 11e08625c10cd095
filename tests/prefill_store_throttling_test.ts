/**
 * A store that answers 503 SlowDown (or 429) for a while: each item backed
 * off on its own, gave up after its attempts and failed, while the next
 * items started at full speed. A 10-second SlowDown window failed 36 of 300
 * items (a red CI job) after ~230 throttled requests. Now the store's
 * downloads pause as a whole: an item that gives up on throttling waits for
 * the store's pause (growing while the store keeps asking) and is tried
 * again; the items of the store not started wait for it too; the CI log
 * says so, once per pause.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { listenToStoreRetries, type StoreRetry } from "../src/store/retry_notice.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { retryLines } from "../src/cli/retry_lines.ts";

Deno.test("prefill: a store that asks to slow down for a while pauses, and its items are fetched", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 60 }, (_, i) => `s3://b/k${i}.txt`);
    for (let i = 0; i < uris.length; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    // The first 12 GETs are answered 503 SlowDown, then the store answers.
    let gets = 0;
    s3.faults = {
      errorRate: 1,
      errorKind: "slowdown",
      match: (t) => t.op === "GetObject" && gets++ < 12,
    };
    const told: StoreRetry[] = [];
    const stop = listenToStoreRetries((r) => told.push(r));
    try {
      const summary = await prefill({ cache: make(), uris, concurrency: 4, throttleWait: 0.05 });
      assertEquals(summary.failed, []);
      assertEquals(summary.fetched, 60);
    } finally {
      stop();
    }
    // Each throttled item was asked again after the pause: no more GETs.
    assertEquals(s3.stats.GetObject, 60 + 12);
    const paused = told.filter((r) => r.pausedStore !== undefined);
    assert(paused.length > 0, JSON.stringify(told.map((r) => r.reason)));
    assertEquals(paused[0]!.pausedStore, "s3://b");
    assertStringIncludes(paused[0]!.reason, "SlowDown");
  }, { maxAttempts: 1 });
});

Deno.test("prefill: a store that keeps asking to slow down fails its items in the end", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 3 }, (_, i) => `s3://b/k${i}.txt`);
    for (let i = 0; i < uris.length; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    s3.faults = { errorRate: 1, errorKind: "slowdown", match: (t) => t.op === "GetObject" };
    const summary = await prefill({ cache: make(), uris, concurrency: 4, throttleWait: 0.01 });
    assertEquals(summary.failed.length, 3);
    assertStringIncludes(summary.failed[0]!.error, "SlowDown");
    assertEquals(summary.failed[0]!.errorName, "StoreError");
  }, { maxAttempts: 1 });
});

Deno.test("vc's log says a store's pause each time, right after a retry line too", () => {
  const lines: string[] = [];
  const onRetry = retryLines((line) => lines.push(line), () => 0);
  const reason = "GET s3://b/k: 503 SlowDown: Please reduce your request rate.";
  onRetry({ reason, error: undefined, attempt: 1, maxAttempts: 5, delayMs: 500 });
  onRetry({
    reason,
    error: undefined,
    attempt: 1,
    maxAttempts: 8,
    delayMs: 2000,
    pausedStore: "s3://b",
  });
  assertEquals(lines, [
    "GET s3://b/k: 503 SlowDown: Please reduce your request rate; trying again (2/5) in 500 ms",
    "GET s3://b/k: 503 SlowDown: Please reduce your request rate; s3://b asks to slow down: " +
    "its downloads pause for 2.0 s, then go on",
  ]);
});

Deno.test("prefill: an item failed after its store's pauses says how many times it was tried", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v");
    s3.faults = { errorRate: 1, errorKind: "slowdown", match: (t) => t.op === "GetObject" };
    const summary = await prefill({
      cache: make(),
      uris: ["s3://b/k.txt"],
      concurrency: 1,
      throttleWait: 0.01,
    });
    assertEquals(summary.failed.length, 1);
    // 8 tries of 2 attempts each: its error said only the last try's 2, as
    // if the store had been asked twice.
    assertEquals(s3.stats.GetObject, 16);
    const error = summary.failed[0]!.error;
    assertStringIncludes(error, "(gave up after 2 attempts)");
    assertStringIncludes(
      error,
      "; tried 8 times, s3://b's downloads paused in between as it asked to slow down",
    );
    assertEquals(summary.failed[0]!.errorName, "StoreError");
  }, { maxAttempts: 2 });
});
