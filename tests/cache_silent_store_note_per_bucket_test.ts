/**
 * The note a revalidation that got no answer leaves for other processes
 * (see `silent_store.ts`) was the endpoint's: on AWS every bucket of every
 * region shares the `s3` namespace, so one bucket's silence (its region's
 * host firewalled, its own virtual host not answering) made another
 * process serve the stale copies of every other bucket for a minute
 * without asking, while this process asks them (its minute is the
 * bucket's). The note is the bucket's now, as that minute is.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { systemClock } from "../src/clock.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("a bucket that did not answer does not keep another process from asking another bucket", async () => {
  let silent = false;
  const asked: string[] = [];
  const held: (() => void)[] = [];
  await using proxy = await startS3Proxy((req, forward) => {
    if (!silent) return forward();
    const path = new URL(req.url).pathname;
    asked.push(path);
    if (!path.startsWith("/slow/")) return forward();
    // Never answers: released when vc gives up (its abort) or at the end.
    return new Promise<Response>((resolve) => {
      const release = () => resolve(new Response(null, { status: 503 }));
      held.push(release);
      req.signal.addEventListener("abort", release);
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-silent-bucket-" });
  const make = (o: Partial<AssetCacheOptions> = {}) =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 3600,
      revalidateTimeout: 0.3,
      store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 1 }),
      ...o,
    });
  try {
    await proxy.fake.putObject("slow", "a.txt", "a");
    await proxy.fake.putObject("fine", "c.txt", "c");
    const paths: string[] = [];
    {
      await using cache = make();
      paths.push(await cache.cache("s3://slow/a.txt"), await cache.cache("s3://fine/c.txt"));
    }
    silent = true;
    // Stale for this TTL: validated more than a second before.
    const stale = (o: Partial<AssetCacheOptions> = {}) =>
      make({ ...o, clock: { ...systemClock, now: () => Date.now() + 7200_000 } });
    const first: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => first.push(m) });
      assertEquals(await cache.cache("s3://slow/a.txt"), paths[0]);
    }
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "serving the cached copy");
    const second: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => second.push(m) });
      assertEquals(await cache.cache("s3://fine/c.txt"), paths[1]);
    }
    assertEquals(second, [], "another bucket's silence kept this one from being asked");
    assertEquals(asked.filter((p) => p.startsWith("/fine/")).length > 0, true, asked.join(" "));
    // The silent bucket's own minute still holds in another process.
    const third: string[] = [];
    const before = asked.length;
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => third.push(m) });
      assertEquals(await cache.cache("s3://slow/a.txt"), paths[0]);
    }
    assertEquals(asked.length, before, "the silent bucket was asked again");
    assertEquals(third.length, 1, third.join("\n"));
    assertStringIncludes(third[0]!, "did not answer");
  } finally {
    for (const release of held) release();
    await Deno.remove(dir, { recursive: true });
  }
});
