/**
 * A store that accepts connections and never answers (a train's dead
 * Wi-Fi) costs a revalidation its whole `revalidateTimeout` (5 s), and the
 * minute that follows, in which the store's other stale copies are served
 * without asking, was this process's alone: a script calling
 * `vc cache get` once per asset paid the wait in every call (6 calls, 35
 * s). A revalidation that got no answer now notes it in the cache dir (see
 * `silent_store.ts`), and another process (here another `AssetCache`) in
 * that minute serves its stale copies with the warning, without asking.
 * The note is the bucket's, as the process's own minute is (on AWS every
 * bucket shares the `s3` namespace: an endpoint's note made one bucket's
 * silence keep other processes from asking every other bucket), and it
 * says how long its writer waited: a process that would wait longer (5 s,
 * against a prompt hook's 0.3 s) still asks a store that was only slow.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { forgetJournals } from "../src/cache/journal_memo.ts";
import { systemClock } from "../src/clock.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

/** A cache whose objects were cached, then their store fell silent. */
interface SilentStore {
  /** The paths of the requests the store got while silent. */
  asked: string[];
  /** The cached copy's path of each URI, cached before the silence. */
  paths: Map<string, string>;
  /** Makes the store answer again (false) or fall silent again (true). */
  setSilent(silent: boolean): void;
  /** Another process's cache, whose copies are stale (validated more than a TTL before). */
  stale(options?: Partial<AssetCacheOptions>): AssetCache;
}

/**
 * Caches `uris` through a proxy to a fake S3, then runs `body` with the
 * store silent: a request whose path `silentPath` selects (default: every
 * one) gets no answer until vc gives up (its abort) or the test ends.
 */
async function withSilentStore(
  uris: string[],
  body: (store: SilentStore) => Promise<void>,
  options: {
    silentPath?: (path: string) => boolean;
    cacheOptions?: Partial<AssetCacheOptions>;
  } = {},
): Promise<void> {
  let silent = false;
  const asked: string[] = [];
  const held: (() => void)[] = [];
  const silentPath = options.silentPath ?? (() => true);
  await using proxy = await startS3Proxy((req, forward) => {
    if (!silent) return forward();
    const path = new URL(req.url).pathname;
    asked.push(path);
    if (!silentPath(path)) return forward();
    return new Promise<Response>((resolve) => {
      const release = () => resolve(new Response(null, { status: 503 }));
      held.push(release);
      req.signal.addEventListener("abort", release);
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-silent-store-" });
  const make = (o: Partial<AssetCacheOptions> = {}) =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 3600,
      store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 1 }),
      ...options.cacheOptions,
      ...o,
    });
  try {
    const paths = new Map<string, string>();
    for (const uri of uris) {
      const { host, pathname } = new URL(uri);
      await proxy.fake.putObject(host, pathname.slice(1), uri);
    }
    {
      await using cache = make();
      for (const uri of uris) paths.set(uri, await cache.cache(uri));
    }
    silent = true;
    await body({
      asked,
      paths,
      setSilent: (on) => silent = on,
      stale: (o = {}) => {
        forgetJournals();
        return make({ ...o, clock: { ...systemClock, now: () => Date.now() + 7200_000 } });
      },
    });
  } finally {
    for (const release of held) release();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Caches `uri` through `cache`, asserting the copy cached before, and returns its warnings. */
async function cachedAgain(
  store: SilentStore,
  uri: string,
  options: Partial<AssetCacheOptions> = {},
  invalidate = false,
): Promise<string[]> {
  const warnings: string[] = [];
  await using cache = store.stale({ ...options, warn: (m) => warnings.push(m) });
  if (invalidate) await cache.invalidate(uri);
  assertEquals(await cache.cache(uri), store.paths.get(uri));
  return warnings;
}

Deno.test("a store that did not answer is not asked again by another process within the minute", async () => {
  const [a, c] = ["s3://b/a.txt", "s3://b/c.txt"];
  await withSilentStore([a, c], async (store) => {
    const first = await cachedAgain(store, a);
    assertEquals(store.asked.length, 1);
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "serving the cached copy");
    const second = await cachedAgain(store, c);
    assertEquals(store.asked.length, 1, "another process asked the silent store again");
    assertEquals(second.length, 1, second.join("\n"));
    assertStringIncludes(second[0]!, "serving the cached copy");
    assertStringIncludes(second[0]!, "did not answer");
    assertStringIncludes(second[0]!, a);
    // An invalidated entry still asks.
    await cachedAgain(store, c, {}, true);
    assertEquals(store.asked.length, 2);
    // The store answers again: asked, and the note is gone for the next.
    store.setSilent(false);
    await cachedAgain(store, a, {}, true);
    store.setSilent(true);
    const after = await cachedAgain(store, c);
    assertEquals(store.asked.length, 3, "the note outlived the store's answer");
    assert(!after.join("\n").includes("not asked"), after.join("\n"));
  }, { cacheOptions: { revalidateTimeout: 0.3 } });
});

Deno.test("a bucket that did not answer does not keep another process from asking another bucket", async () => {
  const [slow, fine] = ["s3://slow/a.txt", "s3://fine/c.txt"];
  await withSilentStore([slow, fine], async (store) => {
    const first = await cachedAgain(store, slow);
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "serving the cached copy");
    const second = await cachedAgain(store, fine);
    assertEquals(second, [], "another bucket's silence kept this one from being asked");
    assert(store.asked.some((p) => p.startsWith("/fine/")), store.asked.join(" "));
    // The silent bucket's own minute still holds in another process.
    const before = store.asked.length;
    const third = await cachedAgain(store, slow);
    assertEquals(store.asked.length, before, "the silent bucket was asked again");
    assertEquals(third.length, 1, third.join("\n"));
    assertStringIncludes(third[0]!, "did not answer");
  }, { silentPath: (path) => path.startsWith("/slow/"), cacheOptions: { revalidateTimeout: 0.3 } });
});

Deno.test("a note of a shorter wait than this process's does not keep it from asking the store", async () => {
  const [a, c] = ["s3://b/a.txt", "s3://b/c.txt"];
  await withSilentStore([a, c], async (store) => {
    const first = await cachedAgain(store, a, { revalidateTimeout: 0.3 });
    assertEquals(store.asked.length, 1);
    assertEquals(first.length, 1, first.join("\n"));
    assertStringIncludes(first[0]!, "within 0.3 s");
    // The store answers the next request (it was slow, not gone): a process
    // that waits 5 s asks it, and is answered.
    store.setSilent(false);
    const patient = await cachedAgain(store, c, { revalidateTimeout: 5 });
    assertEquals(patient, [], "a note of a 0.3 s wait kept a 5 s wait from asking");
  });
});
