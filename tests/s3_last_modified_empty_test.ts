/**
 * An answer whose `Last-Modified` header is there but empty (a gateway or
 * framework that writes the header for an object it knows no time of) was
 * refused as `its Last-Modified "" is no date`: the asset cache could not
 * cache any object of such a store, verified as its bytes were by their MD5
 * ETag, and a revalidation served the old copy with a warning after every
 * TTL, never the object replaced in the bucket. An empty header says what
 * none says: the time is not known (a Last-Modified that is no date stays
 * refused: tests/s3_last_modified_header_test.ts).
 */
import { md5Hex } from "../src/hash.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { answeringS3, cacheOverEndpoint, testS3Store, withTempDir } from "./versioned_helpers.ts";

Deno.test("s3 store: an empty Last-Modified is taken for none", async () => {
  await using server = answeringS3((req) =>
    new Response(req.method === "HEAD" ? null : "hello", {
      headers: { etag: `"${md5Hex("hello")}"`, "last-modified": " ", "content-length": "5" },
    })
  );
  await using store = testS3Store(server, "b", { maxAttempts: 1 });
  assertEquals((await store.head("k"))?.lastModified.getTime(), 0);
  const got = await store.get("k");
  await got.body.cancel();
  assertEquals(got.info.lastModified.getTime(), 0);
});

Deno.test("cache: a store answering an empty Last-Modified is cached and revalidated", async () => {
  let body = "hello";
  const gets: string[] = [];
  await using server = answeringS3((req) => {
    if (req.method === "GET") gets.push(body);
    return new Response(req.method === "HEAD" ? null : body, {
      headers: {
        etag: `"${md5Hex(body)}"`,
        "last-modified": "",
        "content-length": String(body.length),
        "x-amz-request-id": "R",
      },
    });
  });
  await withTempDir(async (dir) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    await using cache = cacheOverEndpoint(dir, server.url, { clock, timeout: 60 });
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "hello");
    body = "jello";
    await clock.advance(61_000);
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "jello");
    assertEquals(gets, ["hello", "jello"]);
  }, "vc-empty-last-modified-");
});
