/**
 * Deno.serve hands a request body over in the pieces its client wrote, also
 * one with a Content-Length: a client that writes 40 bytes at a time with a
 * pause between (TCP_NODELAY, as Node's http sets it) has each piece read on
 * its own, and its upload is refused with the tiny-chunk 400 as a chunked one
 * is. The 400 told it to "send it ... with a Content-Length", which it had
 * done; it now says to write larger pieces, which is what counts.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("serve: an upload with a Content-Length written in 40-byte pieces: the 400 asks for larger writes", async () => {
  await using t = await startService();
  const { cache_id: id } = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: t.tokens.alice, "content-type": "application/json" },
    body: '{"k": 1}',
  }).then((r) => r.json());
  const body = enc.encode(
    `--b\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\n` +
      `${"a".repeat(200_000)}\r\n--b--\r\n`,
  );
  const { hostname, port } = new URL(t.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    conn.setNoDelay(true);
    await conn.write(enc.encode(
      `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
        `content-type: multipart/form-data; boundary=b\r\ncontent-length: ${body.length}\r\n\r\n`,
    ));
    const buf = new Uint8Array(16 * 1024);
    let answered = false;
    const reading = conn.read(buf).catch(() => null).finally(() => answered = true);
    // Each piece after a turn of the event loop: read on its own.
    for (let i = 0; i < body.length && !answered; i += 40) {
      if (await conn.write(body.subarray(i, i + 40)).then(() => false, () => true)) break;
      await new Promise((r) => setTimeout(r, 0));
    }
    const n = await reading;
    assert(n !== null, "no answer");
    const answer = dec.decode(buf.subarray(0, n));
    assertEquals(answer.split(" ")[1], "400", answer);
    assert(/chunks of [\d.]+ bytes on average/.test(answer), answer);
    assert(!answer.includes("with a Content-Length"), answer);
    assertStringIncludes(answer, "64 KiB");
  } finally {
    conn.close();
  }
});
