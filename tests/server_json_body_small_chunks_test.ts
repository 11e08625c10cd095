/**
 * A `cache_id` JSON body sent chunked in tiny chunks (any client can: a
 * generator body, a proxy forwarding byte by byte) keeps only its bytes.
 * Deno.serve hands each chunk in a 64 KiB buffer of its own: kept as they
 * came, a 10 KB body sent byte by byte took the service from 57 to 522 MiB,
 * and a 1 MiB one past 15 GiB while every other request waited.
 */
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const enc = new TextEncoder();

/** `body` as an HTTP/1.1 chunked body of 1-byte chunks. */
function oneByteChunks(body: Uint8Array): Uint8Array {
  const parts: number[] = [];
  for (const byte of body) parts.push(...enc.encode("1\r\n"), byte, 13, 10);
  parts.push(...enc.encode("0\r\n\r\n"));
  return new Uint8Array(parts);
}

/** Reads one HTTP response head and its Content-Length body from `conn`. */
async function readResponse(conn: Deno.Conn): Promise<{ status: number; body: string }> {
  const dec = new TextDecoder();
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  for (let reads = 0; reads < 1000; reads++) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? "0");
      if (text.length >= end + 4 + length) {
        return {
          status: Number(text.slice(9, 12)),
          body: text.slice(end + 4, end + 4 + length),
        };
      }
    }
    const n = await conn.read(buf);
    if (n === null) break;
    text += dec.decode(buf.subarray(0, n), { stream: true });
  }
  throw new Error(`no whole response: ${JSON.stringify(text.slice(0, 200))}`);
}

Deno.test("serve: a cache_id body sent in 1-byte chunks keeps only its bytes, not a 64 KiB buffer per chunk", async () => {
  await using t = await startService();
  // 12,000 chunks: 750 MiB of read buffers when kept; let go, they are
  // garbage the next collection takes (47 MiB at most, measured: V8 counts
  // them as external memory either way).
  const json = enc.encode(JSON.stringify({ pad: "x".repeat(12_000 - 12) }));
  const port = new URL(t.url).port;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  let peak = Deno.memoryUsage().external;
  const before = peak;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().external), 1);
  try {
    const head =
      `POST /v1/cache_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.tokens.alice}\r\n` +
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const request = new Uint8Array([...enc.encode(head), ...oneByteChunks(json)]);
    for (let written = 0; written < request.length;) {
      written += await conn.write(request.subarray(written));
    }
    const { status, body } = await readResponse(conn);
    peak = Math.max(peak, Deno.memoryUsage().external);
    assertEquals(status, 200, body);
    // The same ID as the body sent in one piece.
    const whole = await fetch(`${t.url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: t.tokens.alice, "content-type": "application/json" },
      body: json,
    });
    assertEquals(JSON.parse(body).cache_id, (await whole.json()).cache_id);
  } finally {
    clearInterval(sampler);
    conn.close();
  }
  const grewMiB = (peak - before) / 2 ** 20;
  assert(
    grewMiB < 256,
    `reading a 12 KB body held ${grewMiB.toFixed(0)} MiB of buffers (external memory)`,
  );
});
