/**
 * A store whose ETags look like an MD5 and are not one (an S3-compatible
 * store's, with encryption or compression, that says nothing of it) sends
 * the same bytes at every try, and they never match. The download said so
 * (`the same content came 2 times: it is what the store holds`), and the
 * asset cache went on "Try again; if it persists, the object in the store
 * (or a proxy on the way) is damaged": a retry that cannot help, and damage
 * as the only cause. It now says a retry fetches the same bytes, and names
 * both causes.
 */
import { md5Hex } from "../src/hash.ts";
import { IntegrityError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint, withTempDir } from "./versioned_helpers.ts";

Deno.test("cache: the same bytes that never match their ETag: no 'try again', both causes named", async () => {
  await using server = answeringS3(() =>
    new Response("hello", {
      headers: {
        etag: `"${md5Hex("not hello")}"`,
        "last-modified": "Sat, 05 Dec 2026 10:00:00 GMT",
        "x-amz-request-id": "R",
      },
    })
  );
  await withTempDir(async (dir) => {
    await using cache = cacheOverEndpoint(dir, server.url);
    const e = await assertRejects(() => cache.cache("s3://b/k.txt"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.txt");
    assertStringIncludes(e.message, "the same content came 2 times");
    assertStringIncludes(e.message, "nothing was cached");
    assertStringIncludes(e.message, "a retry fetches the same bytes");
    assertStringIncludes(e.message, "ETags are no MD5 of the content");
    assert(!/Try again/.test(e.message), e.message);
  }, "vc-etag-not-md5-");
});
