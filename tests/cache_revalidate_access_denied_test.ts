/**
 * A revalidation the store refuses with 403 (S3 answers so also for a key
 * that was deleted, when the credentials may not list the bucket: no
 * s3:ListBucket) failed with the GET's bare "the credentials are not allowed
 * to do this", saying nothing of the cached copy: whether it was removed,
 * kept, or could be had at all. The copy is kept (not recorded as deleted,
 * unlike a 404) and not served while the store refuses; the error, still an
 * `AccessDeniedError`, now says so, names the copy and its age, that the
 * object may have been deleted, and how offline mode serves the copy. Once
 * the store answers again, the copy is served as before, not downloaded.
 */
import { ManualClock, startFakeS3 } from "../src/testing/mod.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startForwardingProxy } from "./forwarding_proxy.ts";
import { cacheOverEndpoint } from "./versioned_helpers.ts";

const DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
  "<Message>Access Denied</Message></Error>";

Deno.test("revalidation: a 403 keeps the copy, and the error says so and how to serve it", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  await s3.putObject("b", "k.txt", "hello");
  let deny = false;
  const proxy = startForwardingProxy(s3.url, (req) => {
    if (!deny) return undefined;
    return new Response(req.method === "HEAD" ? null : DENIED, {
      status: 403,
      headers: { "content-type": "application/xml" },
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-reval-403-" });
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const url = `http://127.0.0.1:${proxy.addr.port}`;
  try {
    await using cache = cacheOverEndpoint(dir, url, { clock, timeout: 3600 });
    const path = await cache.cache("s3://b/k.txt");
    await clock.advance(2 * 3600_000);
    deny = true;
    const e = await assertRejects(() => cache.cache("s3://b/k.txt"), AccessDeniedError);
    assertStringIncludes(e.message, "access denied");
    assertStringIncludes(e.message, `cached copy at ${path}`);
    assertStringIncludes(e.message, "validated 2 h ago");
    assertStringIncludes(e.message, "kept but not served");
    assertStringIncludes(e.message, "s3:ListBucket");
    assertStringIncludes(e.message, "VC_OFFLINE=1");
    // Kept on disk and not recorded as deleted: offline serves it.
    await using offline = cacheOverEndpoint(dir, url, { clock, offline: true });
    assertEquals(await offline.cache("s3://b/k.txt"), path);
    const [entry] = await cache.ls();
    assertEquals(entry?.gone, undefined);
    // The store answers again: the copy is current, not downloaded.
    deny = false;
    s3.resetStats();
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertEquals([s3.stats.HeadObject, s3.stats.GetObject], [1, 0]);
  } finally {
    await proxy.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
