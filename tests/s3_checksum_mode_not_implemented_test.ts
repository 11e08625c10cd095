/**
 * vc asks HEADs and whole GETs for the object's checksum
 * (`x-amz-checksum-mode: ENABLED`). A store that does not implement that
 * header and says so with 501 NotImplemented (Cloudflare R2's wording for
 * the checksum headers it did not take: "Header 'x-amz-checksum-crc32' with
 * value '…' not implemented"; a HEAD's 501 has no body) failed every HEAD and
 * every download. As for Backblaze B2's 400 "Unsupported header", the
 * request is sent again without it, and the store is not asked for it again.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { AccessDeniedError, StoreError } from "../src/errors.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { tempCache } from "./temp_cache.ts";

const HELLO = new TextEncoder().encode("hello");

/** The fake S3 behind a proxy answering 501 to any request asking for checksums. */
async function refusingChecksumMode() {
  const refused: string[] = [];
  const proxied = await startS3Proxy(async (req, forward) => {
    if (req.headers.has("x-amz-checksum-mode")) {
      refused.push(req.method);
      await req.body?.cancel();
      const body = req.method === "HEAD" ? null : errorXml(
        "NotImplemented",
        "Header 'x-amz-checksum-mode' with value 'ENABLED' not implemented",
      );
      return new Response(body, { status: 501, headers: { "content-type": "application/xml" } });
    }
    return await forward();
  }, { store: { maxAttempts: 3 } });
  await proxied.direct.put("a.txt", HELLO);
  return { proxied, refused };
}

Deno.test("s3 head: a bare 501 to x-amz-checksum-mode is answered without it, once", async () => {
  const { proxied, refused } = await refusingChecksumMode();
  await using _ = proxied;
  assertEquals((await proxied.store.head("a.txt"))?.size, 5);
  assertEquals((await proxied.store.head("a.txt"))?.size, 5);
  const got = await proxied.store.get("a.txt");
  assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), HELLO);
  assertEquals(refused, ["HEAD"]);
});

Deno.test("s3 get: a 501 NotImplemented naming x-amz-checksum-mode is answered without it, once", async () => {
  const { proxied, refused } = await refusingChecksumMode();
  await using _ = proxied;
  const got = await proxied.store.get("a.txt");
  assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), HELLO);
  assertEquals((await proxied.store.head("a.txt"))?.size, 5);
  assertEquals(refused, ["GET"]);
});

Deno.test("s3: cache() reads a store that does not implement x-amz-checksum-mode", async () => {
  const { proxied } = await refusingChecksumMode();
  await using _ = proxied;
  await using temp = await tempCache("vc-checksum-mode-501-", {
    store: testS3Options({ url: proxied.endpoint }),
  });
  const { cache } = temp;
  assertEquals(await Deno.readFile(await cache.cache("s3://b/a.txt")), HELLO);
});

Deno.test("s3 get: a 501 that also comes without x-amz-checksum-mode stays the error", async () => {
  await using proxied = await startS3Proxy(async (req) => {
    await req.body?.cancel();
    return new Response(
      errorXml(
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
      ),
      {
        status: 501,
        headers: { "content-type": "application/xml" },
      },
    );
  }, { store: { maxAttempts: 1 } });
  await assertRejects(() => proxied.store.get("a.txt"), StoreError, "501 NotImplemented");
});

Deno.test("s3 head: what the HEAD sent again without x-amz-checksum-mode fails with is the error, not the 501", async () => {
  await using proxied = await startS3Proxy((req) => {
    // A HEAD's answers have no body: the status is all there is to go by.
    const status = req.headers.has("x-amz-checksum-mode") ? 501 : 403;
    return new Response(null, { status });
  }, { store: { maxAttempts: 1 } });
  await assertRejects(() => proxied.store.head("a.txt"), AccessDeniedError);
});
