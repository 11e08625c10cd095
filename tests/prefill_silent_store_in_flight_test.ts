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
import { silentServer } from "./raw_server.ts";
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
  await using silent = await silentCache(300);
  const { cache } = silent;
  const uris = Array.from({ length: 40 }, (_, i) => `s3://b/k${i}`);
  // Taken for down at the 16th timeout, not after 30 s more of them.
  const summary = await prefill({ cache, uris, concurrency: 16, storeDownWait: 0 });
  assertEquals(summary.failed.length, 40);
  const timedOut = summary.failed.filter((f) => f.error.includes("timed out after"));
  const cut = timedOut.filter((f) => f.error.includes("could not be asked"));
  // Only the 16 failures that opened the breaker waited out their timeouts;
  // the items waiting with them then were stopped (their error names why).
  assertEquals(timedOut.length - cut.length, 16, JSON.stringify(summary.failed.slice(16, 18)));
  assert(cut.some((f) => f.error.startsWith("stopped waiting")), summary.failed[16]!.error);
  assertStringIncludes(cut[0]!.error, "s3://b could not be asked for 16 items in a row");
  assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["OfflineError"]);
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
