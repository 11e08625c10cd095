/**
 * S3 answers a GET of a key that does not exist with 403 AccessDenied, not
 * 404, when the credentials may not list the bucket (no `s3:ListBucket`: a
 * read-only policy granting `s3:GetObject` alone, common for a data bucket).
 * A HEAD's 403 said so; a GET's said only "the credentials ... are not allowed
 * to do this", so `vc cache get s3://b/tpyo.csv` (the cache GETs at once) sent
 * the user to the IAM policy for what was a misspelt key. The GET's refusal
 * now says it too, naming the key; a refusal of the credentials themselves
 * (InvalidAccessKeyId) does not.
 */
import { AccessDeniedError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { errorXml } from "./s3_proxy.ts";
import { answeringS3, cacheOverEndpoint, testS3Store, withTempDir } from "./versioned_helpers.ts";

/** A bucket whose every key is refused with `code` (HEAD: a bare 403, as S3 sends it). */
async function withRefusingServer(
  code: string,
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  await using server = answeringS3((req) =>
    new Response(req.method === "HEAD" ? null : errorXml(code, "Access Denied"), {
      status: 403,
      headers: { "content-type": "application/xml" },
    })
  );
  await fn(server.url);
}

Deno.test("S3Store: a GET refused with 403 AccessDenied says a missing key is refused so without s3:ListBucket", async () => {
  await withRefusingServer("AccessDenied", async (endpoint) => {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const get = await assertRejects(() => store.get("tables/tpyo.csv"), AccessDeniedError);
    assertStringIncludes(get.message, "GET s3://b/tables/tpyo.csv");
    assertStringIncludes(get.message, "403 AccessDenied");
    assertStringIncludes(
      get.message,
      "S3 also answers 403 for a missing key without s3:ListBucket",
    );
    // The HEAD's, as before.
    const head = await assertRejects(() => store.head("tables/tpyo.csv"), AccessDeniedError);
    assertStringIncludes(head.message, "missing key without s3:ListBucket");
  });
});

Deno.test("S3Store: a GET whose credentials are refused says nothing of missing keys", async () => {
  await withRefusingServer("InvalidAccessKeyId", async (endpoint) => {
    await using store = testS3Store({ url: endpoint }, "b", { maxAttempts: 1 });
    const e = await assertRejects(() => store.get("k.csv"), AccessDeniedError);
    assertStringIncludes(e.message, "were refused");
    assert(!e.message.includes("ListBucket"), e.message);
  });
});

Deno.test("cache: a first fetch refused with 403 names the URI and the missing-key case", async () => {
  await withRefusingServer("AccessDenied", async (endpoint) => {
    await withTempDir(async (dir) => {
      await using cache = cacheOverEndpoint(dir, endpoint);
      const e = await assertRejects(() => cache.cache("s3://b/tables/tpyo.csv"), AccessDeniedError);
      assertStringIncludes(e.message, "s3://b/tables/tpyo.csv");
      assertStringIncludes(e.message, "missing key without s3:ListBucket");
      // Said once, not again by the cache.
      assert(e.message.split("ListBucket").length === 2, e.message);
    }, "vc-get-denied-hint-");
  });
});
