/**
 * The note a revalidation that got no answer leaves for other processes
 * (see `silent_store.ts`) said only that the store did not answer, not
 * within how long: a process given a short revalidation wait
 * (`VC_REVALIDATE_TIMEOUT=0.3` in a prompt hook) gave up on a store slow to
 * answer, and every other process, willing to wait its 5 s, then served its
 * stale copies for a minute without asking a store that would have
 * answered it. A note is taken only by a process that would not wait
 * longer than its writer did.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { systemClock } from "../src/clock.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("a note of a shorter wait than this process's does not keep it from asking the store", async () => {
  let silent = false;
  let asked = 0;
  const held: (() => void)[] = [];
  await using proxy = await startS3Proxy((req, forward) => {
    if (!silent) return forward();
    asked++;
    // No answer in time: released when vc gives up (its abort) or at the end.
    return new Promise<Response>((resolve) => {
      const release = () => resolve(new Response(null, { status: 503 }));
      held.push(release);
      req.signal.addEventListener("abort", release);
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-silent-store-wait-" });
  const make = (o: Partial<AssetCacheOptions> = {}) =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 3600,
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
    // Stale for this TTL: validated more than a second before.
    const stale = (o: Partial<AssetCacheOptions> = {}) =>
      make({ ...o, clock: { ...systemClock, now: () => Date.now() + 7200_000 } });
    silent = true;
    const first: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ revalidateTimeout: 0.3, warn: (m) => first.push(m) });
      assertEquals(await cache.cache("s3://b/a.txt"), paths[0]);
    }
    assertEquals(asked, 1);
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "within 0.3 s");
    // The store answers the next request (it was slow, not gone): a process
    // that waits 5 s asks it, and is answered.
    silent = false;
    const patient: string[] = [];
    {
      forgetJournals();
      await using cache = stale({ revalidateTimeout: 5, warn: (m) => patient.push(m) });
      assertEquals(await cache.cache("s3://b/c.txt"), paths[1]);
    }
    assertEquals(patient, [], "a note of a 0.3 s wait kept a 5 s wait from asking");
  } finally {
    for (const release of held) release();
    await Deno.remove(dir, { recursive: true });
  }
});
