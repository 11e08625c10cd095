/**
 * An upload refused mid-body (its file past `maxUploadBytes`, found while
 * streaming: a Content-Length within the 1 MiB of framing slack) leaves its
 * connection usable: the rest of the body is let go and the client's next
 * request on the kept-alive connection is answered. Before, the request body
 * stayed locked and unread after the 413, and the connection hung (a
 * `requests` session reusing it waited forever). A chunked body is answered
 * with `Connection: close` instead, and its connection closed (draining it
 * cost a read per chunk: see serve_refused_body_not_drained_test.ts), so a
 * request pipelined behind it is left unanswered (RFC 9112 §9.6).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Writes `request` on a fresh connection and reads until the server closes
 * it; a connection still open after 10 s is closed here (what was read so
 * far is returned, so a hang fails the assertions instead of the run).
 */
async function exchange(url: string, request: Uint8Array): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const giveUp = setTimeout(() => conn.close(), 10_000);
  let text = "";
  try {
    await conn.write(request);
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(giveUp);
    try {
      conn.close();
    } catch {
      // closed by the timer
    }
  }
  return text;
}

for (const framing of ["content-length", "chunked"] as const) {
  Deno.test(
    `serve: a ${framing} upload over the limit gets 413${
      framing === "chunked" ? ", its connection closed" : " and the next request its answer"
    }`,
    async () => {
      await using t = await startService({ maxUploadBytes: 1000 });
      const { doc } = await newCacheId(t.url, t.tokens.alice, { framing });
      const id = doc.cache_id as string;
      assertEquals((await upload(t.url, t.tokens.alice, id, "previous")).status, 200);
      const body =
        `--bnd\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\n\r\n` +
        "x".repeat(50_000) + "\r\n--bnd--\r\n";
      const sent = framing === "chunked"
        ? `transfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
        : `content-length: ${body.length}\r\n\r\n${body}`;
      const text = await exchange(
        t.url,
        enc.encode(
          `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n` +
            `content-type: multipart/form-data; boundary=bnd\r\n${sent}` +
            `GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
        ),
      );
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
      assertStringIncludes(text, "file exceeds the upload limit of 1000 bytes");
      assertEquals(statuses, framing === "chunked" ? ["413"] : ["413", "200"]);
      // The 413's own head (the /healthz request asked for its close itself).
      const first = text.split("HTTP/1.1 ")[1] ?? "";
      assertEquals(/\r\nconnection: close\r\n/i.test(first), framing === "chunked", text);
      // The refused upload stored nothing: the previous file is served.
      const res = await fetch(`${t.url}/v1/cache/${id}`, {
        headers: { authorization: t.tokens.alice },
      });
      assertEquals(await res.text(), "previous");
      assertEquals((await keys(t.store, "data/")).length, 1);
    },
  );
}
