/**
 * A HEAD answered `Content-Length: 0` for an object that is not empty: an
 * HTTP framework or proxy in front of an S3-compatible store that sets the
 * length of the (empty) HEAD body it sends, as `Deno.serve` and others do.
 * vc read the object as empty, so every revalidation of a cached copy found
 * "another version" (same ETag, size 0) and downloaded the whole object
 * again, once a TTL, forever. A plain MD5 ETag that is not the empty
 * content's says the length is wrong: the size is learnt from a ranged GET of
 * the first byte, as for a HEAD with no Content-Length, and an intact copy
 * costs a HEAD and one byte, not a download.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assertEquals } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

const BODY = "hello, world\n".repeat(1000);

Deno.test("s3 head: Content-Length 0 with the MD5 ETag of other content is no size: learnt from a GET", async () => {
  const gets: string[] = [];
  await using s3 = await startS3Proxy(async (req, forward) => {
    const res = await forward();
    if (req.method === "GET") gets.push(req.headers.get("range") ?? "whole");
    if (req.method !== "HEAD" || res.status !== 200) return res;
    const headers = new Headers(res.headers);
    headers.set("content-length", "0");
    return new Response(null, { status: 200, headers });
  });
  await s3.direct.put("k.txt", new TextEncoder().encode(BODY));
  await s3.direct.put("empty.txt", new Uint8Array());
  assertEquals((await s3.store.head("k.txt"))?.size, BODY.length);
  assertEquals(gets, ["bytes=0-0"]);
  // A truly empty object (its ETag the MD5 of no bytes): taken at its word.
  gets.length = 0;
  assertEquals((await s3.store.head("empty.txt"))?.size, 0);
  assertEquals(gets, []);

  // The cache: a revalidation after the TTL keeps the copy, no download.
  const dir = await Deno.makeTempDir({ prefix: "vc-head-zero-length-" });
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 60,
      clock,
      warn: () => {},
      store: testS3Options({ url: s3.endpoint }, { maxAttempts: 1 }),
    });
    const path = await cache.cache("s3://b/k.txt");
    for (let i = 0; i < 3; i++) {
      await clock.advance(61_000);
      gets.length = 0;
      assertEquals(await cache.cache("s3://b/k.txt"), path);
      assertEquals(gets, ["bytes=0-0"], `revalidation ${i}: one byte, not the object`);
    }
    assertEquals(await Deno.readTextFile(path), BODY);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s3 head: an empty object whose ETag is no MD5 of it, on a store that ignores Range on it, is empty", async () => {
  // A store whose ETags are not MD5s (of no bytes neither) and that answers a
  // ranged GET of an empty object 200 with its whole (empty) body, as a
  // server may ignore Range: the HEAD's 0 stands, not a "tells no size" error.
  const etag = '"0123456789abcdef0123456789abcdef"';
  await using s3 = await startS3Proxy((req, forward) => {
    const empty = new URL(req.url).pathname.endsWith("/empty.txt");
    if (!empty || (req.method !== "GET" && req.method !== "HEAD")) return forward();
    const headers = { etag, "content-length": "0", "content-type": "text/plain" };
    return new Response(null, { status: 200, headers });
  });
  await s3.direct.put("empty.txt", new Uint8Array());
  const info = await s3.store.head("empty.txt");
  assertEquals([info?.size, info?.etag], [0, etag.slice(1, -1)]);
});
