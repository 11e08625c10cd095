// A download vouches for the object as it was when its GET was answered,
// not when its last byte arrived: an object replaced by another tool while
// a long download was in flight (`aws s3 cp` of a new version during a
// 20-minute download) was recorded as validated at the download's end, so
// the TTL counted from then and the old bytes were served without a HEAD
// for that much longer than the TTL says. The copy's validation dates from
// the start of the download that fetched it.
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assertEquals } from "./assert.ts";
import { overriding } from "./overriding.ts";

const HOUR = 3_600_000;

Deno.test("cache(): an object replaced during a two-hour download is revalidated by a one-hour TTL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_validated_at_start_" });
  try {
    await using memory = new MemoryStore();
    await memory.put("k.txt", new TextEncoder().encode("old"));
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const started = clock.now();
    let first = true;
    // The first GET is answered with the old bytes; the download then takes
    // two hours, during which another tool uploads a new version.
    const get = async (key: string, options: GetOptions = {}): Promise<GetResult> => {
      const result = await memory.get(key, options);
      if (first) {
        first = false;
        await clock.advance(2 * HOUR);
        await memory.put(key, new TextEncoder().encode("new"));
      }
      return result;
    };
    const store = overriding(memory, { get });
    const cache = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      clock,
      timeout: 3600,
      warn: () => {},
      openStore: () => Promise.resolve(store),
    });
    try {
      const path = await cache.cache("s3://b/k.txt");
      assertEquals(await Deno.readTextFile(path), "old");
      const [entry] = await cache.ls({ uri: "s3://b/k.txt" });
      assertEquals(entry?.validatedAt?.getTime(), started);
      // The old bytes were vouched for two hours ago: past the TTL, so the
      // next use asks the store and gets the new version.
      assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "new");
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
