/**
 * `vc cache ls --check-remote` compared the store's HEAD answer with the
 * record even when the answer had nothing to compare (no ETag, or a weak
 * ETag that is no MD5: a proxy or S3-compatible server that drops them), and
 * reported every entry `outdated`, while a revalidation rightly says such an
 * answer cannot be checked and keeps the copy. REMOTE is now `unknown`, with
 * that reason as `remoteError`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint } from "./versioned_helpers.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";

for (
  const [name, etag, reason] of [
    ["no ETag", undefined, "no ETag"],
    ["a weak ETag that is no MD5", 'W/"opaque-1"', "weak ETag"],
  ] as const
) {
  Deno.test(`ls --check-remote: an answer with ${name} is REMOTE unknown, not outdated`, async () => {
    let cached = false;
    await using server = answeringS3((req) => {
      const headers = new Headers({ "content-length": "5" });
      // Cached through the store's real answer; then the answers change.
      if (!cached) headers.set("etag", `"${MD5_HELLO}"`);
      else if (etag !== undefined) headers.set("etag", etag);
      return new Response(req.method === "HEAD" ? null : "hello", { headers });
    });
    const dir = await Deno.makeTempDir({ prefix: "vc-ls-unverifiable-" });
    try {
      await using cache = cacheOverEndpoint(dir, server.url);
      await cache.cache("s3://b/k.txt");
      cached = true;
      const [entry] = await cache.ls({ checkRemote: true });
      assertEquals(entry!.outdated, undefined);
      assertEquals(entry!.remoteDeleted, undefined);
      assertStringIncludes(entry!.remoteError!, reason);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
