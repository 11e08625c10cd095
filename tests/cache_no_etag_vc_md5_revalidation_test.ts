/**
 * A store (or a proxy before it) that sends no ETag, for an object that
 * states its MD5 in `vc-md5` (as vc writes it), is cached: the `vc-md5`
 * verifies the download. Its revalidation then compared the empty ETag of
 * the store's HEAD with the empty ETag recorded, found them equal and took
 * the copy for current: the object replaced in the bucket (another
 * `vc-md5`) was never downloaded, the old copy served silently after every
 * TTL, and `ls --check-remote` called it current. No ETag names no version:
 * the stated MD5 decides (the same: kept, no download; another: the new
 * version is downloaded).
 */
import { ManualClock } from "../src/testing/mod.ts";
import { md5Hex } from "../src/hash.ts";
import { assertEquals } from "./assert.ts";
import { answeringS3, cacheOverEndpoint } from "./versioned_helpers.ts";

const URI = "s3://b/k.txt";

Deno.test("revalidation: no ETag, vc-md5 of another content: the new version is downloaded", async () => {
  let body = "hello";
  const gets: string[] = [];
  // Answers like S3 behind a proxy that strips ETags: size, vc-md5, no ETag.
  await using server = answeringS3((req) => {
    if (req.method === "GET") gets.push(body);
    const headers = new Headers({
      "content-length": String(body.length),
      "x-amz-meta-vc-md5": md5Hex(body),
      "last-modified": new Date(0).toUTCString(),
    });
    return new Response(req.method === "HEAD" ? null : body, { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-no-etag-vc-md5-" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    await using cache = cacheOverEndpoint(dir, server.url, { clock, timeout: 60 });
    const path = await cache.cache(URI);
    assertEquals(await Deno.readTextFile(path), "hello");

    // Within the TTL's reach the same content stays, with no download.
    await clock.advance(61_000);
    gets.length = 0;
    assertEquals(await Deno.readTextFile(await cache.cache(URI)), "hello");
    assertEquals(gets, [], "the same vc-md5: not downloaded again");
    assertEquals((await cache.ls({ checkRemote: true }))[0]?.outdated, false);

    // Replaced in the bucket (same size, another vc-md5).
    body = "jello";
    assertEquals(
      (await cache.ls({ checkRemote: true }))[0]?.outdated,
      true,
      "ls --check-remote: another vc-md5 is another version",
    );
    await clock.advance(61_000);
    assertEquals(await Deno.readTextFile(await cache.cache(URI)), "jello");
    assertEquals(gets, ["jello"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
