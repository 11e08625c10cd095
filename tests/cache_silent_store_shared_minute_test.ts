/**
 * A store that accepts connections and never answers (a train's dead
 * Wi-Fi) costs a revalidation its whole `revalidateTimeout` (5 s), and the
 * minute that follows, in which the store's other stale copies are served
 * without asking, was this process's alone: a script calling
 * `vc cache get` once per asset paid the wait in every call (6 calls, 35
 * s). A revalidation that got no answer now notes it in the cache dir, and
 * another process (here another `AssetCache`) in that minute serves its
 * stale copies with the warning, without asking; an invalidated entry
 * still asks, and once the store answers again the note is gone.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { systemClock } from "../src/clock.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("a store that did not answer is not asked again by another process within the minute", async () => {
  let silent = false;
  let asked = 0;
  const held: (() => void)[] = [];
  await using proxy = await startS3Proxy((req, forward) => {
    if (!silent) return forward();
    asked++;
    // Never answers: released when vc gives up (its abort) or at the end.
    return new Promise<Response>((resolve) => {
      const release = () => resolve(new Response(null, { status: 503 }));
      held.push(release);
      req.signal.addEventListener("abort", release);
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-silent-store-shared-" });
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
    await proxy.fake.putObject("b", "a.txt", "a");
    await proxy.fake.putObject("b", "c.txt", "c");
    const paths: string[] = [];
    {
      await using cache = make();
      paths.push(await cache.cache("s3://b/a.txt"), await cache.cache("s3://b/c.txt"));
    }
    silent = true;
    // Stale for this TTL: validated more than a second before.
    const stale = (o: Partial<AssetCacheOptions> = {}) =>
      make({ ...o, clock: { ...systemClock, now: () => Date.now() + 7200_000 } });
    const first: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => first.push(m) });
      assertEquals(await cache.cache("s3://b/a.txt"), paths[0]);
    }
    assertEquals(asked, 1);
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "serving the cached copy");
    const second: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => second.push(m) });
      assertEquals(await cache.cache("s3://b/c.txt"), paths[1]);
    }
    assertEquals(asked, 1, "another process asked the silent store again");
    assertEquals(second.length, 1, second.join("\n"));
    assertStringIncludes(second[0]!, "serving the cached copy");
    assertStringIncludes(second[0]!, "did not answer");
    assertStringIncludes(second[0]!, "s3://b/a.txt");
    // An invalidated entry still asks.
    {
      forgetJournals();
      await using cache = stale({ warn: () => {} });
      await cache.invalidate("s3://b/c.txt");
      assertEquals(await cache.cache("s3://b/c.txt"), paths[1]);
    }
    assertEquals(asked, 2);
    // The store answers again: asked, and the note is gone for the next.
    silent = false;
    {
      forgetJournals();
      await using cache = stale({ warn: () => {} });
      await cache.invalidate("s3://b/a.txt");
      assertEquals(await cache.cache("s3://b/a.txt"), paths[0]);
    }
    silent = true;
    const after: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ warn: (m) => after.push(m) });
      assertEquals(await cache.cache("s3://b/c.txt"), paths[1]);
    }
    assertEquals(asked, 3, "the note outlived the store's answer");
    assert(!after.join("\n").includes("not asked"), after.join("\n"));
  } finally {
    for (const release of held) release();
    await Deno.remove(dir, { recursive: true });
  }
});
