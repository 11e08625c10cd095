/**
 * A request body sent with a transfer coding besides chunked
 * (`Transfer-Encoding: gzip, chunked`) is refused 501 (RFC 9112 6.1), naming
 * the coding: Deno.serve undoes only the chunking, so the coded bytes were
 * read as "malformed multipart body" (or, sent plain under that label,
 * accepted). Plain chunked bodies still work.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, rawRequest, startService } from "./server_helpers.ts";

Deno.test("a body with a transfer coding other than chunked gets 501, not a misread", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { te: 1 })).doc.cache_id as string;
  const form = `--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n` +
    `PLAIN\r\n--zz--\r\n`;
  const send = (path: string, type: string, te: string, body: string) =>
    rawRequest(
      t.url,
      new TextEncoder().encode(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${alice}\r\n` +
          `Content-Type: ${type}\r\nTransfer-Encoding: ${te}\r\nConnection: close\r\n\r\n` +
          `${new TextEncoder().encode(body).length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      ),
    );
  for (
    const [path, type, body] of [
      [`/v1/cache/${id}`, "multipart/form-data; boundary=zz", form],
      ["/v1/cache_id", "application/json", '{"a": 1}'],
    ] as const
  ) {
    const refused = await send(path, type, "gzip, chunked", body);
    assert(refused.startsWith("HTTP/1.1 501 "), refused);
    const doc = JSON.parse(refused.slice(refused.indexOf("\r\n\r\n") + 4));
    assertEquals(doc.status, "error");
    assert(doc.error.includes("Transfer-Encoding gzip, chunked"), doc.error);
    const ok = await send(path, type, "chunked", body);
    assert(ok.startsWith("HTTP/1.1 200 "), ok);
  }
  const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await res.text(), "PLAIN");
});
