/**
 * A store that answered 5xx for a moment (an S3-compatible server restarting,
 * a load balancer's blip) took 16 failures in a row and was taken for down
 * for the rest of the run: every item after them failed at once, "not
 * tried", though the store answered again a second later. A CI prefill of
 * 2,000 objects lost ~1,700 of them to a one-second outage. A store is now
 * taken for down only once it has also said nothing for `storeDownWait`
 * seconds (default 30): one that answers again within it has only the items
 * that failed while it was down failed.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("prefill: a store that answers 5xx for a moment and recovers has its other items fetched", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 120 }, (_, i) => `s3://b/k${i}.txt`);
    for (let i = 0; i < uris.length; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    const cache = make();
    // The first 40 GETs are answered 500 (more than 16 items in a row), then
    // the store answers again.
    let gets = 0;
    s3.faults = { errorRate: 1, match: (t) => t.op === "GetObject" && gets++ < 40 };
    const summary = await prefill({ cache, uris, concurrency: 4 });
    assertEquals(summary.failed.length, 40, summary.failed.at(-1)?.error);
    assert(
      summary.failed.every((f) => !f.error.includes("not tried")),
      summary.failed.at(-1)?.error,
    );
    assertEquals(summary.fetched, 80);
  }, { maxAttempts: 1 });
});

Deno.test("prefill: a store down for longer than storeDownWait has its other items failed at once", async () => {
  await withS3Cache(async (s3, make) => {
    const uris = Array.from({ length: 200 }, (_, i) => `s3://b/k${i}.txt`);
    s3.faults = { errorRate: 1, match: (t) => t.bucket === "b" };
    // A short wait: the items tried within it each fail on their own, the
    // rest at once without a request.
    const summary = await prefill({ cache: make(), uris, concurrency: 4, storeDownWait: 0.05 });
    assertEquals(summary.failed.length, 200);
    const notTried = summary.failed.filter((f) => f.error.includes("not tried"));
    assert(notTried.length > 0, summary.failed.at(-1)?.error);
    assertStringIncludes(notTried[0]!.error, "could not be asked for");
    assert(s3.stats.total < 200, JSON.stringify(s3.stats));
  }, { maxAttempts: 1 });
});

Deno.test("prefill: storeDownWait must be a number of seconds, 0 or more", async () => {
  await withS3Cache(async (_s3, make) => {
    const cache = make();
    for (const bad of [-1, Number.NaN, "30", Infinity]) {
      await assertRejects(
        () => prefill({ cache, uris: [], storeDownWait: bad as number }),
        InvalidInputError,
        "storeDownWait",
      );
    }
  });
});
