// An answer that is no XML to one of the requests the AWS SDK makes
// (CompleteMultipartUpload, DeleteObjects, copies): a proxy's HTML 502 page,
// a plain-text 500. The error told of the SDK's parser and its internals
// ("502 Error: @aws-sdk XML parse error: mismatched tags <hr> and </body>.
// Deserialization error: to see the raw response, inspect the hidden field
// {error}.$response on this object."); it now says the status and the start
// of what came, as vc's own requests do.
import { assert, assertEquals } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const NGINX_502 = "<html><head><title>502 Bad Gateway</title></head><body>" +
  "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

for (
  const [status, type, body] of [
    [502, "text/html", NGINX_502],
    [500, "text/plain", "Internal Server Error"],
  ] as const
) {
  Deno.test(`S3Store: a ${status} ${type} answer to an SDK request says what came, not the SDK's parser`, async () => {
    let hits = 0;
    await using proxied = await startS3Proxy(async (req, forward) => {
      const url = new URL(req.url);
      if (
        req.method === "POST" &&
        (url.searchParams.has("uploadId") || url.searchParams.has("delete"))
      ) {
        hits++;
        await req.body?.cancel();
        return new Response(body, { status, headers: { "content-type": type } });
      }
      return await forward();
    }, {
      fake: { minPartSize: 64 * 1024 },
      store: { multipartThreshold: 128 * 1024, partSize: 128 * 1024, maxAttempts: 2 },
    });
    const put = await proxied.store.put("big.bin", new Uint8Array(300 * 1024)).then(
      () => "stored",
      (e: Error) => e.message,
    );
    await proxied.direct.put("a.txt", new TextEncoder().encode("a"));
    await proxied.direct.put("b.txt", new TextEncoder().encode("b"));
    const deleted = await proxied.store.delete(["a.txt", "b.txt"]).then(
      () => "deleted",
      (e: Error) => e.message,
    );
    for (const [message, operation] of [[put, "CompleteMultipartUpload"], [deleted, ""]] as const) {
      assert(
        message.includes(`${status}: the answer is not S3's XML: ${JSON.stringify(body)}`),
        message,
      );
      assert(message.includes(operation), message);
      assert(!/Deserialization|\$response|parse error/.test(message), message);
    }
    assertEquals(hits >= 2, true);
  });
}
