/**
 * A TTL of 0 is documented as "revalidate on every call". A record
 * validated up to 5 minutes "in the future" (the skew tolerated for
 * machines sharing a cache dir) holds as the TTL says from then, and with a
 * TTL of 0 that made `now - validatedAt < 0` true: after the system clock
 * was stepped back (NTP correcting a clock that ran ahead, a VM resumed) or
 * with a copy cached by a machine whose clock is ahead, every call served
 * the copy without asking the store for up to 5 minutes, also after the
 * object was replaced in the bucket. A TTL of 0 now asks on every call,
 * whatever the clocks say.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const URI = "s3://b/k.txt";

Deno.test("a TTL of 0 asks the store on every call, also after the clock was stepped back", async () => {
  await withS3Cache(async (s3, make) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    await s3.putObject("b", "k.txt", "hello");
    const cache = make({ clock, timeout: 0 });
    const path = await cache.cache(URI);
    // The clock is stepped back 2 minutes; the object is replaced.
    clock.jump(-120_000);
    await s3.putObject("b", "k.txt", "jello");
    s3.resetStats();
    assertEquals(await cache.cache(URI), path);
    assertEquals(s3.stats.HeadObject, 1, "asked, as a TTL of 0 says");
    assertEquals(await Deno.readTextFile(path), "jello");
    // Another process (another AssetCache) with the same clock asks too.
    s3.resetStats();
    await make({ clock, timeout: 0 }).cache(URI);
    assertEquals(s3.stats.HeadObject, 1);
  });
});

Deno.test("a TTL of 0 on a machine behind the one that cached: asked on every call", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    const ahead = new ManualClock(Date.UTC(2026, 11, 5) + 120_000);
    const behind = new ManualClock(Date.UTC(2026, 11, 5));
    await make({ clock: ahead, timeout: 0 }).cache(URI);
    s3.resetStats();
    for (let i = 0; i < 3; i++) await make({ clock: behind, timeout: 0 }).cache(URI);
    assertEquals(s3.stats.HeadObject, 3);
  });
});
