/**
 * `immutableBuckets` / `VC_IMMUTABLE_BUCKETS` take bucket names and URIs of
 * a prefix or a directory; the URI of one object (`s3://b/models/w.bin`),
 * the way a user not calling `cache()` (`vc path`, `vc prefill`) would mark
 * one object that never changes, was accepted and matched nothing: only the
 * keys below `s3://b/models/w.bin/` were taken as immutable, and the object
 * itself was revalidated after every TTL, without a word. Such an item now
 * covers the object at that URI too (and still what lies below it), never a
 * sibling whose name merely starts the same.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("immutableBuckets: an object's URI makes that object immutable, not its siblings", async () => {
  await withS3Cache(async (s3, make) => {
    const keys = ["models/w.bin", "models/w.bin.bak"];
    for (const key of keys) await s3.putObject("b", key, key);
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    for (
      const options of [
        { immutableBuckets: ["s3://b/models/w.bin"] },
        { env: { VC_IMMUTABLE_BUCKETS: "s3://b/models/w.bin" } },
      ]
    ) {
      const cache = make({ clock, timeout: 60, ...options });
      for (const key of keys) await cache.cache(`s3://b/${key}`);
      await clock.advance(120_000);
      const heads: number[] = [];
      for (const key of keys) {
        s3.resetStats();
        await cache.cache(`s3://b/${key}`);
        heads.push(s3.stats.HeadObject);
      }
      // The object itself: not asked; a sibling: asked.
      assertEquals(heads, [0, 1], JSON.stringify(options));
    }
  });
});
