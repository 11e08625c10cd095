/**
 * A revalidation's HEAD answer that vc refuses for its form (a Last-Modified
 * that is no date, as a broken S3-compatible server or a proxy sends) failed
 * the call, though the good cached copy was there to serve: as for an answer
 * with no ETag, the copy is now served with a warning that says what was
 * wrong with the answer, and never replaced; `onUnreachable: "fail"` throws.
 */
import { OfflineError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint } from "./versioned_helpers.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";

Deno.test("revalidation: a HEAD answer refused for its Last-Modified serves the copy, warned", async () => {
  let lastModified = "Wed, 02 Dec 2026 10:00:00 GMT";
  let heads = 0;
  await using server = answeringS3((req) => {
    if (req.method === "HEAD") heads++;
    const headers = new Headers({
      etag: `"${MD5_HELLO}"`,
      "content-length": "5",
      "last-modified": lastModified,
    });
    return new Response(req.method === "HEAD" ? null : "hello", { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-refused-head-" });
  const warnings: string[] = [];
  const open = (o: { onUnreachable?: "fail" } = {}) =>
    cacheOverEndpoint(dir, server.url, { timeout: 0, warn: (m) => warnings.push(m), ...o });
  try {
    await using cache = open();
    const path = await cache.cache("s3://b/k.txt");
    lastModified = "garbage";
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertEquals(await Deno.readTextFile(path), "hello");
    assertEquals(heads, 1, "the store was asked");
    assertEquals(warnings.length, 1);
    assertStringIncludes(warnings[0]!, "cannot revalidate s3://b/k.txt");
    assertStringIncludes(warnings[0]!, '"garbage"');
    await using failing = open({ onUnreachable: "fail" });
    const e = await assertRejects(() => failing.cache("s3://b/k.txt"), OfflineError);
    assertStringIncludes(e.message, "Last-Modified");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ls --check-remote: a HEAD answer refused for its form makes REMOTE unknown, not a failure", async () => {
  await using server = answeringS3((req) => {
    const bad = new URL(req.url).pathname.endsWith("/bad.txt");
    const headers = new Headers({ etag: `"${MD5_HELLO}"`, "content-length": "5" });
    if (bad && req.method === "HEAD") headers.set("last-modified", "garbage");
    return new Response(req.method === "HEAD" ? null : "hello", { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-refused-head-ls-" });
  try {
    await using cache = cacheOverEndpoint(dir, server.url);
    await cache.cache("s3://b/bad.txt");
    await cache.cache("s3://b/good.txt");
    const entries = await cache.ls({ checkRemote: true });
    const bad = entries.find((e) => e.uri === "s3://b/bad.txt")!;
    const good = entries.find((e) => e.uri === "s3://b/good.txt")!;
    assertEquals(bad.outdated, undefined);
    assertStringIncludes(bad.remoteError!, '"garbage"');
    assertEquals(good.outdated, false);
    assertEquals(good.remoteError, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
