/**
 * An answer that closes its connection says `Connection: close` once. When
 * the client asked for the close itself (`Connection: close`, as Python's
 * `urllib.request` sends on every request), Deno's HTTP server adds its own
 * `connection: close` to the answer, and the service's was sent beside it:
 * the header twice (a refused chunked upload's 401, every 503 of a service
 * shutting down, a 408). The close itself is unchanged: the connection ends
 * after the answer, a request pipelined behind it unanswered.
 */
import { assertEquals } from "./assert.ts";
import { heldUpload, newCacheId, rawRequest, startService } from "./server_helpers.ts";

/** The `connection` header lines of the answer's head. */
function connectionLines(text: string): string[] {
  const head = text.split("\r\n\r\n")[0] ?? "";
  return head.split("\r\n").filter((line) => /^connection\s*:/i.test(line))
    .map((line) => line.toLowerCase());
}

const healthz = "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";

// With the header timeout (vc's own accept loop) and without it (Deno.serve).
for (const headerTimeoutMs of [600_000, 0]) {
  Deno.test(`serve: a refused chunked upload asked to close says connection: close once (header timeout ${headerTimeoutMs})`, async () => {
    await using t = await startService({ headerTimeoutMs });
    const text = await rawRequest(
      t.url,
      `POST /v1/cache/${"a".repeat(128)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n` +
        "authorization: nope\r\ncontent-type: multipart/form-data; boundary=b\r\n" +
        "transfer-encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    );
    assertEquals(text.match(/HTTP\/1\.1 \d{3}/g), ["HTTP/1.1 401"], text);
    assertEquals(connectionLines(text), ["connection: close"], text);
  });
}

Deno.test("serve: a 503 while shutting down, to a client that asked to close, says it once", async () => {
  await using t = await startService({ headerTimeoutMs: 600_000 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { held: 1 });
  // An upload in flight holds the drain open: requests meanwhile get 503.
  const held = heldUpload(t.url, t.tokens.alice, doc.cache_id as string);
  let finished = false;
  try {
    // The upload reached the handler before the shutdown starts.
    for (let i = 0; i < 200; i++) {
      const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
      if (/^vc_serve_uploads_active 1$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopping = t.service.shutdown();
    // As urllib.request sends it; and as curl or requests send it (no close asked).
    const asked = await rawRequest(
      t.url,
      "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assertEquals(asked.match(/HTTP\/1\.1 \d{3}/g), ["HTTP/1.1 503"], asked);
    assertEquals(connectionLines(asked), ["connection: close"], asked);
    const unasked = await rawRequest(t.url, healthz + healthz);
    assertEquals(unasked.match(/HTTP\/1\.1 \d{3}/g), ["HTTP/1.1 503"], unasked);
    assertEquals(connectionLines(unasked), ["connection: close"], unasked);
    held.finish();
    finished = true;
    assertEquals((await held.answer).status, 200);
    await stopping;
  } finally {
    if (!finished) held.finish();
    await held.answer.then((r) => r.body?.cancel(), () => {});
  }
});
