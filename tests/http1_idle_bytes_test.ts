// Bytes a server sends on a pooled keep-alive connection nobody asked on (a
// second response without a request, bytes past a response) must not become
// the answer to the next request: the asset cache took another object's
// response, verified by its own ETag, for the one it asked for.
import { Http1Client } from "../src/store/http1_client.ts";
import { assertEquals } from "./assert.ts";
import { rawServer } from "./raw_server.ts";

const encoder = new TextEncoder();

Deno.test("http1: a response nobody asked for on an idle connection is not the next request's answer", async () => {
  await using server = rawServer(async (conn) => {
    const buf = new Uint8Array(4096);
    for (let n = 0; n < 10; n++) {
      const got = await conn.read(buf).catch(() => null);
      if (got === null) return;
      const path = new TextDecoder().decode(buf.subarray(0, got)).split(" ")[1]!;
      const answer = (body: string) =>
        encoder.encode(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      await conn.write(answer(path));
      // A copy of the answer, unasked, once the client has pooled the connection.
      await new Promise((r) => setTimeout(r, 30));
      await conn.write(answer(path)).catch(() => 0);
    }
  });
  const client = new Http1Client();
  try {
    const url = (p: string) => new URL(`${server.url}${p}`);
    const first = await client.exchange({ method: "GET", url: url("/a"), headers: {} });
    assertEquals(new TextDecoder().decode(first.bytes), "/a");
    await new Promise((r) => setTimeout(r, 150));
    const second = await client.exchange({ method: "GET", url: url("/b"), headers: {} });
    assertEquals(new TextDecoder().decode(second.bytes), "/b");
  } finally {
    client.close();
  }
});
