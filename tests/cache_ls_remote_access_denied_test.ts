/**
 * `ls --check-remote` with one entry the store refuses (403: a key deleted
 * while the credentials may not list the bucket, or one a bucket policy
 * denies) failed as a whole with that entry's `AccessDeniedError`: one
 * refused key hid the REMOTE column of every other entry. That entry's
 * REMOTE is now unknown, with the refusal as its `remoteError`, and the
 * others are compared as usual, as for an answer that cannot be compared.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startForwardingProxy } from "./forwarding_proxy.ts";
import { cacheOverEndpoint } from "./versioned_helpers.ts";

const DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
  "<Message>Access Denied</Message></Error>";

Deno.test("ls --check-remote: a key the store refuses is REMOTE unknown, the others are compared", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  await s3.putObject("b", "a.txt", "a");
  await s3.putObject("b", "z.txt", "z");
  let deny = false;
  const proxy = startForwardingProxy(s3.url, (req, url) => {
    if (!deny || !url.pathname.endsWith("/a.txt")) return undefined;
    return new Response(req.method === "HEAD" ? null : DENIED, {
      status: 403,
      headers: { "content-type": "application/xml" },
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-ls-remote-403-" });
  try {
    await using cache = cacheOverEndpoint(dir, `http://127.0.0.1:${proxy.addr.port}`);
    await cache.cache("s3://b/a.txt");
    await cache.cache("s3://b/z.txt");
    await s3.putObject("b", "z.txt", "zz");
    deny = true;
    const [a, z] = await cache.ls({ checkRemote: true });
    assertEquals(a?.uri, "s3://b/a.txt");
    assertEquals(a?.outdated, undefined);
    assertStringIncludes(a?.remoteError ?? "", "access denied");
    assertStringIncludes(a?.remoteError ?? "", "s3:ListBucket");
    assertEquals([z?.uri, z?.outdated, z?.remoteError], ["s3://b/z.txt", true, undefined]);
  } finally {
    await proxy.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
