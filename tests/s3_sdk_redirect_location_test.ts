/**
 * A redirect answering a request that goes through the AWS SDK (a copy, a
 * multipart upload's bookkeeping) is named with its Location as on the lean
 * path: the message said "an unnamed location (no Location header)" when
 * the answer had one, sending the user looking for a header that was there.
 * The request is never sent after it (vc follows no redirect).
 */
import { StoreError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";

Deno.test("S3Store: a redirect answering an SDK request (copy, multipart upload) names its Location", async () => {
  let elsewhere = 0;
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    elsewhere++;
    return new Response("");
  });
  try {
    const otherUrl = `http://127.0.0.1:${other.addr.port}`;
    await using proxied = await startS3Proxy(async (req, forward) => {
      const url = new URL(req.url);
      const sdk = req.headers.has("x-amz-copy-source") ||
        (req.method === "POST" && url.searchParams.has("uploads"));
      if (!sdk) return await forward();
      await req.body?.cancel();
      return new Response(null, {
        status: 307,
        headers: { location: `${otherUrl}${url.pathname}${url.search}` },
      });
    }, {
      fake: { minPartSize: 64 * 1024 },
      store: { multipartThreshold: 128 * 1024, partSize: 128 * 1024, maxAttempts: 1 },
    });
    await proxied.direct.put("a.txt", new TextEncoder().encode("hello"));
    for (
      const op of [
        () => proxied.store.copy("a.txt", "b.txt"),
        () => proxied.store.put("big.bin", new Uint8Array(300 * 1024)),
      ]
    ) {
      const error = await assertRejects(op, StoreError);
      assertStringIncludes(error.message, `redirected (307) to ${otherUrl}/b/`);
    }
    assertEquals(elsewhere, 0);
  } finally {
    await other.shutdown();
  }
});

Deno.test("S3Store: a PermanentRedirect answering an SDK request names the region its body's endpoint gives", async () => {
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (!req.headers.has("x-amz-copy-source")) return await forward();
    await req.body?.cancel();
    return new Response(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The ` +
        `bucket you are attempting to access must be addressed using the specified endpoint.` +
        `</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>b</Bucket></Error>`,
      { status: 301, headers: { "content-type": "application/xml" } },
    );
  }, { store: { maxAttempts: 1 } });
  await proxied.direct.put("a.txt", new TextEncoder().encode("hello"));
  const error = await assertRejects(() => proxied.store.copy("a.txt", "b.txt"), StoreError);
  // AWS's regional host names the region to set (no x-amz-bucket-region came).
  assertStringIncludes(error.message, "COPY s3://b/a.txt to s3://b/b.txt");
  assertStringIncludes(
    error.message,
    "bucket b is in region eu-west-1, not us-east-1: set AWS_REGION=eu-west-1",
  );
  assertStringIncludes(error.message, "301 PermanentRedirect");
});
