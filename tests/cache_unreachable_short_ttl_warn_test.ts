/**
 * With a TTL under the minute an unreachable store's copy is served for
 * (`timeout: 0`: revalidate on every call), every call asked the store
 * again, as it should, and warned again: a loop of `cache()` over a dead
 * store printed one warning per call, the same one. Each call still asks
 * (the TTL says so), but an entry's warning is now given once a minute,
 * as with a longer TTL; once the store answers, a later failure is said
 * again at once.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint } from "./versioned_helpers.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";

Deno.test("revalidation: TTL 0 and a store that is down warn once a minute, not on every call", async () => {
  let down = false;
  let heads = 0;
  await using server = answeringS3((req) => {
    if (req.method === "HEAD") heads++;
    if (down) return new Response(req.method === "HEAD" ? null : "busy", { status: 503 });
    const headers = new Headers({ etag: `"${MD5_HELLO}"`, "content-length": "5" });
    return new Response(req.method === "HEAD" ? null : "hello", { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-ttl0-warn-" });
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const warnings: string[] = [];
  try {
    await using cache = cacheOverEndpoint(dir, server.url, {
      clock,
      timeout: 0,
      warn: (m) => warnings.push(m),
    });
    const path = await cache.cache("s3://b/k.txt");
    down = true;
    heads = 0;
    for (let i = 0; i < 5; i++) {
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      await clock.advance(1_000);
    }
    assertEquals(heads, 5, "TTL 0: every call asks");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "serving the cached copy");
    // A minute on, said again.
    await clock.advance(60_000);
    await cache.cache("s3://b/k.txt");
    assertEquals(warnings.length, 2, warnings.join("\n"));
    // The store answers, then fails again: said at once.
    down = false;
    await cache.cache("s3://b/k.txt");
    down = true;
    await cache.cache("s3://b/k.txt");
    assertEquals(warnings.length, 3, warnings.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
