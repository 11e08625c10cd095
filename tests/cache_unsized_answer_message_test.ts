/**
 * A store or proxy that sends an object chunked, without Content-Length,
 * and ignores Range (a re-chunking proxy, a server speaking HTTP/1.0) tells
 * no size to verify the bytes by: the asset cache refuses them, rightly, but
 * went on "Try again; if it persists, the object in the store (or a proxy
 * on the way) is damaged", sending the user to retry and to look for
 * damage in an object that has none: the same answer comes every time. The
 * error now ends at what happened and that nothing was cached (as the one
 * of Google Cloud Storage's decompressive transcoding did already).
 */
import { IntegrityError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint, withTempDir } from "./versioned_helpers.ts";

Deno.test("cache: an answer without Content-Length that ignores Range: refused, not called damage", async () => {
  await using server = answeringS3(() =>
    // A stream body: Deno sends it chunked, without Content-Length.
    new Response(new Blob(["hello"]).stream(), {
      headers: {
        etag: '"5d41402abc4b2a76b9719d911017c592"',
        "last-modified": "Sat, 05 Dec 2026 10:00:00 GMT",
      },
    })
  );
  await withTempDir(async (dir) => {
    await using cache = cacheOverEndpoint(dir, server.url);
    const e = await assertRejects(() => cache.cache("s3://b/k.txt"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.txt");
    assertStringIncludes(e.message, "tells no size");
    assertStringIncludes(e.message, "nothing was cached");
    assert(!/damaged|Try again/.test(e.message), e.message);
  }, "vc-unsized-answer-");
});
