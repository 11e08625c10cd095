/**
 * What the README promises of an object in an immutable bucket that did
 * change (uploaded again): the copy cached before is served, unasked,
 * whatever the TTL; `ls({ checkRemote })` finds it outdated, `verify()`
 * does not (it checks the copy against the ETag it was downloaded with);
 * `invalidate` is the way out: the next use downloads the new version.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("an immutable bucket's object that changed: served as cached until invalidate", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.createBucket("rel");
    await s3.putObject("rel", "w.bin", "release 1");
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    const cache = make({ clock, timeout: 60, immutableBuckets: ["rel"] });
    const path = await cache.cache("s3://rel/w.bin");
    await s3.putObject("rel", "w.bin", "release 1, fixed");
    await clock.advance(3 * 86_400_000);
    s3.resetStats();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://rel/w.bin")), "release 1");
    assertEquals(s3.stats.total, 0, "an immutable copy is served unasked");
    const [entry] = await cache.ls({ checkRemote: true });
    assertEquals([entry?.uri, entry?.outdated], ["s3://rel/w.bin", true]);
    const verified = await cache.verify();
    assertEquals([verified.ok, verified.corrupt.length], [1, 0]);
    assertEquals(await cache.invalidate("s3://rel/w.bin"), true);
    assertEquals(await cache.cache("s3://rel/w.bin"), path);
    assertEquals(await Deno.readTextFile(path), "release 1, fixed");
  });
});
