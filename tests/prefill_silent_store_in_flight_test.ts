/**
 * A store that accepts connections and never answers: after 16 items timed
 * out in a row the breaker stopped the store's items not yet started, but
 * the ones already waiting (taken while the first ones were timing out, up
 * to `concurrency - 1` of them) each waited out their own timeouts and
 * retries, a second full round: a prefill against a wrong endpoint took
 * twice as long (10 minutes at the default 60 s timeout instead of 5). Those
 * waiting items, which have received nothing, are now stopped when the
 * breaker opens, failing with its reason.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { rawServer, silentServer } from "./raw_server.ts";
import { testS3Options } from "./versioned_helpers.ts";

/**
 * An AssetCache in a temp dir whose store is a server that accepts
 * connections and never answers: one attempt a request, `timeoutMs` each.
 * Disposing it closes the cache, then removes the dir and stops the server.
 */
async function silentCache(timeoutMs: number): Promise<{ cache: AssetCache } & AsyncDisposable> {
  const server = silentServer();
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-silent-" });
  const cache = new AssetCache({
    cacheDir: dir,
    configPath: false,
    env: {},
    store: testS3Options(server, { maxAttempts: 1, requestTimeoutMs: timeoutMs }),
    warn: () => {},
  });
  return {
    cache,
    async [Symbol.asyncDispose]() {
      try {
        await cache.close();
        await Deno.remove(dir, { recursive: true });
      } finally {
        await server[Symbol.asyncDispose]();
      }
    },
  };
}

Deno.test("prefill: items waiting on a silent store are stopped when it is taken for down", async () => {
  // The store drops its first 15 connections at once, and the 16th when a
  // 17th has come (an item started in a freed slot, now waiting); every
  // later one is held with no answer, and their timeout (30 s) is past the
  // test's end, so only the breaker can end them. (With every request timing
  // out after 300 ms, a loaded machine that counted the 16th failure late
  // had also seen the 17th item's own timeout expire: 17 own failures.)
  let connections = 0;
  let sixteenth: Deno.Conn | undefined;
  await using server = rawServer((conn) => {
    const n = ++connections;
    if (n <= 15) conn.close();
    else if (n === 16) sixteenth = conn;
    else if (n === 17) sixteenth?.close();
    return Promise.resolve();
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-silent-" });
  const cache = new AssetCache({
    cacheDir: dir,
    configPath: false,
    env: {},
    store: testS3Options(server, { maxAttempts: 1, requestTimeoutMs: 30_000 }),
    warn: () => {},
  });
  try {
    const uris = Array.from({ length: 40 }, (_, i) => `s3://b/k${i}`);
    // Taken for down at the 16th failure; the items waiting then are stopped.
    const summary = await prefill({ cache, uris, concurrency: 16, storeDownWait: 0 });
    assertEquals(summary.failed.length, 40);
    const cut = summary.failed.filter((f) => f.error.includes("could not be asked"));
    // Only the 16 failures that opened the breaker are their own; the items
    // waiting with them then were stopped (their error names why).
    assertEquals(
      summary.failed.length - cut.length,
      16,
      JSON.stringify(summary.failed.filter((f) => !f.error.includes("could not be asked"))),
    );
    assert(cut.some((f) => f.error.startsWith("stopped waiting")), JSON.stringify(cut));
    assert(!cut.some((f) => f.error.includes("timed out after 30")), JSON.stringify(cut));
    assertStringIncludes(cut[0]!.error, "s3://b could not be asked for 16 items in a row");
    // The items not asked fail as the ones asked did (a dropped connection: StoreError).
    assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["StoreError"]);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill: an item waiting for its first byte is named in the progress", async () => {
  // A CI log line of a prefill stuck on a store that does not answer said
  // `0%  0/1  0 B` for minutes without naming what it waited for: an item
  // was named only once bytes came or it ended.
  await using silent = await silentCache(200);
  const { cache } = silent;
  const seen: Array<{ done: number; current?: string }> = [];
  await prefill({
    cache,
    uris: ["s3://b/slow.bin"],
    onProgress: (p) => seen.push({ done: p.done, ...(p.current ? { current: p.current } : {}) }),
  });
  assert(
    seen.some((p) => p.done === 0 && p.current === "s3://b/slow.bin"),
    JSON.stringify(seen),
  );
});
