/**
 * Over HTTP/2 without TLS (a client that opens with the preface: `curl
 * --http2-prior-knowledge`, a proxy sending h2c upstream), an answer the
 * service marks `Connection: close` (a queued upload's 503, a 408) ends its
 * own stream only: the requests on the connection's other streams are still
 * answered. Before, the connection was treated as HTTP/1.1's after a closing
 * answer, and every request sent on it afterwards was left unanswered, for
 * good, while another stream kept it open (a proxy multiplexing many
 * clients over one connection stalled them all).
 */
import http2 from "node:http2";
import { assertEquals } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

/** The `:status` of `stream`'s answer, or "no answer" once `boundMs` passed (a bound, not a timing assertion). */
function statusOf(stream: http2.ClientHttp2Stream, boundMs = 10_000): Promise<number | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    new Promise<number | string>((resolve) => {
      stream.on("response", (headers) => resolve(Number(headers[":status"])));
      stream.on("error", (e) => resolve(`error: ${e.message}`));
      stream.on("close", () => resolve(`closed (${stream.rstCode})`));
    }),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve("no answer"), boundMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

Deno.test("serve: over HTTP/2, a request after a stream's closing 503 is answered", async () => {
  await using t = await startService({
    headerTimeoutMs: 600_000,
    maxUploads: 1,
    uploadQueueTimeoutMs: 200,
  });
  const a = (await newCacheId(t.url, t.tokens.alice, { h2: 1 })).doc.cache_id as string;
  const b = (await newCacheId(t.url, t.tokens.alice, { h2: 2 })).doc.cache_id as string;
  const session = http2.connect(new URL(t.url).origin);
  session.on("error", () => {});
  try {
    const post = (id: string) =>
      session.request({
        ":method": "POST",
        ":path": `/v1/cache/${id}`,
        authorization: t.tokens.alice,
        "content-type": "multipart/form-data; boundary=Z",
      });
    const part = (name: string) =>
      `--Z\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n${name}`;
    // The one upload slot, held while its body is unfinished.
    const held = post(a);
    const heldStatus = statusOf(held, 30_000);
    held.write(part("a.txt"));
    // It holds the slot before the next upload asks for one (bounded wait).
    for (let i = 0; i < 500; i++) {
      const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
      if (/^vc_serve_uploads_active 1$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // Waits for the slot: answered 503 (marked Connection: close) after the queue timeout.
    const queued = post(b);
    queued.write(part("b.txt"));
    assertEquals(await statusOf(queued), 503);
    // Another request on the same connection, the held upload still in flight.
    assertEquals(await statusOf(session.request({ ":path": "/healthz" })), 200);
    held.end("\r\n--Z--\r\n");
    assertEquals(await heldStatus, 200);
  } finally {
    session.destroy();
  }
});
