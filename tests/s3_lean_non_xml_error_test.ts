// An error answer that is no XML to one of vc's own requests (GET, PUT, a
// listing): a proxy's HTML 502 page while the store behind it is down, a
// plain-text 500. The error said only "GET s3://b/k.txt failed: 502",
// nothing of what answered; it now says the status and the start of what
// came, as the AWS SDK's requests say it
// (s3_sdk_non_xml_error_test.ts), and is still retried as a 5xx.
import { assert, assertEquals } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import type { StoreError } from "../src/errors.ts";

const NGINX_502 = "<html><head><title>502 Bad Gateway</title></head><body>" +
  "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

for (
  const [status, type, body] of [
    [502, "text/html", NGINX_502],
    [500, "text/plain", "Internal Server Error"],
    [503, "text/html", `<html><body>${"x".repeat(300)}</body></html>`],
  ] as const
) {
  Deno.test(`S3Store: a ${status} ${type} answer to a GET, PUT or listing says what came`, async () => {
    let hits = 0;
    await using proxied = await startS3Proxy(async (req) => {
      hits++;
      await req.body?.cancel();
      return new Response(body, { status, headers: { "content-type": type } });
    }, { store: { maxAttempts: 2 } });
    const { store } = proxied;
    const failures = await Promise.all([
      store.get("k.txt").then(() => undefined, (e: StoreError) => e),
      store.put("k.txt", new TextEncoder().encode("a")).then(() => undefined, (e: StoreError) => e),
      Array.fromAsync(store.list("p/")).then(() => undefined, (e: StoreError) => e),
    ]);
    for (const error of failures) {
      assert(error !== undefined);
      assert(
        error.message.includes(
          `${status}: the answer is not S3's XML: ${JSON.stringify(body.slice(0, 200))}`,
        ),
        error.message,
      );
      assertEquals(error.status, status);
    }
    // Still a 5xx, retried: each request was sent twice.
    assertEquals(hits, 6);
  });
}
