/**
 * A followed region redirect is told process-wide (`listenToBucketRegions`),
 * as a store's retries are: once per bucket, however many requests followed
 * it at once, whether the lean client's request or an AWS SDK call met it
 * first; a store opened later starts in the bucket's region and tells
 * nothing. The CLI says it (cli_bucket_region_warning_test.ts).
 */
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { type BucketRegionNotice, listenToBucketRegions } from "../src/store/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

/** The notices heard while `run` uses a fake whose bucket eu-data is in eu-west-1, then another store of it. */
async function heard(run: (fake: FakeS3) => Promise<void>): Promise<BucketRegionNotice[]> {
  const notices: BucketRegionNotice[] = [];
  const stop = listenToBucketRegions((n) => notices.push(n));
  try {
    await using fake = await startFakeS3({
      buckets: ["eu-data"],
      bucketRegions: { "eu-data": "eu-west-1" },
    });
    for (let i = 0; i < 8; i++) await fake.putObject("eu-data", `k${i}`, `${i}`);
    await run(fake);
    // Another store of the bucket starts in its region: nothing more.
    await using again = testS3Store(fake, "eu-data");
    assertEquals((await again.head("k0"))?.size, 1);
  } finally {
    stop();
  }
  return notices;
}

function checkOne(notices: BucketRegionNotice[]): void {
  assertEquals(notices.length, 1, JSON.stringify(notices));
  const { message, ...rest } = notices[0]!;
  assertEquals(rest, {
    bucket: "eu-data",
    region: "eu-west-1",
    configured: "us-east-1",
    configuredSource: "option region",
  });
  assertStringIncludes(message, "bucket eu-data is in region eu-west-1, not us-east-1");
}

Deno.test("region redirect notice: told once for eight concurrent lean requests", async () => {
  checkOne(
    await heard(async (fake) => {
      await using store = testS3Store(fake, "eu-data");
      const sizes = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await store.head(`k${i}`))?.size),
      );
      assertEquals(sizes, Array(8).fill(1));
    }),
  );
});

Deno.test("region redirect notice: told once when an SDK call met it first", async () => {
  checkOne(
    await heard(async (fake) => {
      await using store = testS3Store(fake, "eu-data");
      await store.delete(["k1", "k2"]); // DeleteObjects, through the SDK
      assertEquals(await store.head("k1"), undefined);
    }),
  );
});
