/**
 * An upload that carries no body at all: a client that forgot it, or an
 * HTTP/1.0 client that sends its file until it closes, without a
 * Content-Length (HTTP reads such a request as having no body; the service
 * never sees the bytes). It was answered `malformed multipart body: missing
 * boundary delimiter`, which sends its user looking for a fault in the
 * multipart encoding. Now the 400 says the request had no body and that the
 * body needs a Content-Length, as a `cache_id` request without a body is
 * told it has none.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

Deno.test("serve: an upload with no body gets a 400 saying it had none", async () => {
  await using svc = await startService();
  const { doc } = await newCacheId(svc.url, svc.tokens.alice, { k: 1 });
  const res = await fetch(`${svc.url}/v1/cache/${doc.cache_id}`, {
    method: "POST",
    headers: {
      authorization: svc.tokens.alice,
      "content-type": "multipart/form-data; boundary=B",
    },
  });
  const answer = await res.json();
  assertEquals(res.status, 400);
  assertStringIncludes(answer.error, "the upload has no body");
});

Deno.test("serve: an HTTP/1.0 upload sent without a Content-Length is told to send one", async () => {
  await using svc = await startService();
  const { doc } = await newCacheId(svc.url, svc.tokens.alice, { k: 2 });
  const port = new URL(svc.url).port;
  const body = '--B\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n' +
    "hello\r\n--B--\r\n";
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  try {
    const head =
      `POST /v1/cache/${doc.cache_id} HTTP/1.0\r\nauthorization: ${svc.tokens.alice}\r\n` +
      "content-type: multipart/form-data; boundary=B\r\n\r\n";
    await conn.write(new TextEncoder().encode(head + body));
    const answer = await new Response(conn.readable).text();
    assertStringIncludes(answer, " 400 ");
    assertStringIncludes(answer, "the upload has no body");
    assertStringIncludes(answer, "Content-Length");
  } finally {
    try {
      conn.close();
    } catch { /* closed by reading to its end */ }
  }
});
