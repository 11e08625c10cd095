/**
 * Google Cloud Storage's XML API (an S3-compatible endpoint with HMAC keys)
 * serves an object stored with `Content-Encoding: gzip` decompressed to a
 * client that does not accept gzip (vc asks for `identity`), chunked, without
 * Content-Length, ignoring Range, under the stored object's ETag: its
 * "decompressive transcoding". vc refused it, rightly (no size, and the bytes
 * are not the ones the ETag's MD5 describes), but guessed "a proxy on the way
 * re-chunking responses, or a server speaking HTTP/1.0", sending the user
 * after a proxy that is not there. The answer says what happened
 * (`x-goog-stored-content-encoding: gzip`): the error now says so, and how to
 * have the object served as stored (`Cache-Control: no-transform`).
 */
import { IntegrityError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint, testS3Store, withTempDir } from "./versioned_helpers.ts";

const TEXT = "x".repeat(5000);

/** A GCS-like endpoint holding t.txt stored gzipped; `transcode` false: a plain chunked server. */
async function withGcsLike(
  transcode: boolean,
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  await using server = answeringS3((req) => {
    const headers: Record<string, string> = {
      etag: '"17f1dfceb223d5309c1a34b7f2c1342d"',
      "last-modified": "Sat, 05 Dec 2026 10:00:00 GMT",
      "content-type": "text/plain",
    };
    if (transcode) {
      headers["x-goog-stored-content-encoding"] = "gzip";
      headers["x-goog-stored-content-length"] = "47";
      headers["warning"] = "214 UploadServer gunzipped";
    }
    if (req.method === "HEAD") return new Response(null, { headers });
    // A stream: sent chunked, no Content-Length; Range ignored (200).
    return new Response(ReadableStream.from([new TextEncoder().encode(TEXT)]), { headers });
  });
  await fn(server.url);
}

Deno.test("S3Store: GCS serving a gzip-stored object decompressed is named as such, with the cure", async () => {
  await withGcsLike(true, async (endpoint) => {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const e = await assertRejects(() => store.get("t.txt"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/t.txt");
    assertStringIncludes(e.message, "x-goog-stored-content-encoding: gzip");
    assertStringIncludes(e.message, "decompress");
    assertStringIncludes(e.message, "Cache-Control: no-transform");
    assert(!e.message.includes("HTTP/1.0"), e.message);
  });
});

Deno.test("cache: a GCS-transcoded object is refused naming the URI and the cure; nothing cached", async () => {
  await withGcsLike(true, async (endpoint) => {
    await withTempDir(async (dir) => {
      await using cache = cacheOverEndpoint(dir, endpoint);
      const e = await assertRejects(() => cache.cache("s3://b/t.txt"), IntegrityError);
      assertStringIncludes(e.message, "s3://b/t.txt");
      assertStringIncludes(e.message, "Cache-Control: no-transform");
      assertStringIncludes(e.message, "nothing was cached");
      // Not damage, and not cured by trying again.
      assert(!e.message.includes("is damaged"), e.message);
      assert((await cache.ls()).length === 0);
    }, "vc-gcs-transcoding-");
  });
});

Deno.test("S3Store: a chunked answer without GCS's headers keeps the proxy guess", async () => {
  await withGcsLike(false, async (endpoint) => {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const e = await assertRejects(() => store.get("t.txt"), IntegrityError);
    assertStringIncludes(e.message, "re-chunking");
    assert(!e.message.includes("no-transform"), e.message);
  });
});
