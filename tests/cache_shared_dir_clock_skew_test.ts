/**
 * Two machines sharing a cache dir (NFS) whose clocks differ by more than
 * the TTL revalidated on nearly every call: the one behind took the other's
 * record as validated "in the future" (stale), asked the store and dated it
 * by its own clock, which the one ahead then took as older than the TTL,
 * asked and dated it again, and so on (9 HEADs for 10 calls, a 2-minute
 * skew and a 60 s TTL). A validation time at most a few minutes ahead (the
 * skew Kerberos tolerates between hosts) now holds, so each machine asks
 * about as its TTL says; one further ahead (a clock that ran ahead, a cache
 * restored from such a machine) still counts as stale, so it never makes an
 * entry fresh for longer than the TTL and that tolerance.
 */
import { assert, assertEquals } from "./assert.ts";
import type { Clock } from "../src/clock.ts";
import type { AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a cache dir shared by machines 2 minutes apart: revalidated as the TTL says, not on every call", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    let real = Date.UTC(2026, 11, 5);
    const ahead: Clock = { now: () => real + 120_000, sleep: () => Promise.resolve() };
    const behind: Clock = { now: () => real, sleep: () => Promise.resolve() };
    // A new cache for each call, as each `vc cache get` is a new process.
    const get = async (clock: Clock) => {
      const options: AssetCacheOptions = { clock, timeout: 60 };
      return await make(options).cache("s3://b/k.txt");
    };
    const path = await get(ahead);
    s3.resetStats();
    // Within the TTL, by either clock's count from the last validation.
    for (let i = 0; i < 5; i++) {
      assertEquals(await get(behind), path);
      assertEquals(await get(ahead), path);
      real += 5_000;
    }
    assertEquals(s3.stats.HeadObject, 0, "a validation 2 minutes ahead holds");
    // Ten minutes of calls every 10 s on both: about one HEAD a TTL, not one a call.
    for (let i = 0; i < 60; i++) {
      assertEquals(await get(i % 2 === 0 ? behind : ahead), path);
      real += 10_000;
    }
    assert(s3.stats.HeadObject <= 11, `${s3.stats.HeadObject} HEADs for 60 calls`);
    assertEquals(s3.stats.GetObject, 0);
  });
});

Deno.test("a validation time far in the future still counts as stale: one HEAD, then dated by this clock", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    let real = Date.UTC(2026, 11, 5);
    const ranAhead: Clock = { now: () => real + 86_400_000, sleep: () => Promise.resolve() };
    const clock: Clock = { now: () => real, sleep: () => Promise.resolve() };
    const path = await make({ clock: ranAhead, timeout: 60 }).cache("s3://b/k.txt");
    s3.resetStats();
    for (let i = 0; i < 3; i++) {
      assertEquals(await make({ clock, timeout: 60 }).cache("s3://b/k.txt"), path);
      real += 1_000;
    }
    assertEquals(s3.stats.HeadObject, 1);
  });
});
