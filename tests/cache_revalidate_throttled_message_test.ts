/**
 * A revalidation whose store answers at once with 503 SlowDown and a
 * `Retry-After` longer than the revalidation wait serves the stale copy at
 * the deadline, as for a store that never answers, but its warning says what
 * the store answered (throttled), not that the store gave no answer or could
 * not be reached: that sent users checking the network and the endpoint.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
  "<Message>Please reduce your request rate.</Message></Error>";

Deno.test("revalidation throttled past its wait: the warning names the store's 503 and its wait, not 'no answer'", async () => {
  let throttled = false;
  let answered = 0;
  await using proxy = await startS3Proxy((_req, forward) => {
    if (!throttled) return forward();
    answered++;
    return new Response(SLOW_DOWN, {
      status: 503,
      headers: { "content-type": "application/xml", "retry-after": "15" },
    });
  });
  await proxy.fake.putObject("b", "k.csv", "a,b\n");
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-throttled-" });
  const warnings: string[] = [];
  const stale: string[] = [];
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      revalidateTimeout: 0.5,
      warn: (m) => warnings.push(m),
      store: testS3Options({ url: proxy.endpoint }, { maxAttempts: 5 }),
    });
    const path = await cache.cache("s3://b/k.csv");
    throttled = true;
    assertEquals(await cache.cache("s3://b/k.csv", { onStale: (s) => stale.push(s.reason) }), path);
    assert(answered >= 1, "the store was asked");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    const [warning] = warnings as [string];
    // What the store said (a HEAD's 503 has no body: its status), and that
    // the retry it asked for (Retry-After: 15) came past the revalidation wait.
    assertStringIncludes(warning, "HEAD s3://b/k.csv failed: 503");
    assertStringIncludes(warning, "asked again only after 15 s");
    assertStringIncludes(warning, "past the revalidation wait of 0.5 s");
    assertStringIncludes(warning, "serving the cached copy");
    // Not a store that could not be reached, nor one that gave no answer.
    assert(!warning.includes("cannot reach"), warning);
    assert(!warning.includes("no answer from"), warning);
    assertEquals(stale.length, 1);
    assertStringIncludes(stale[0]!, "failed: 503");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
