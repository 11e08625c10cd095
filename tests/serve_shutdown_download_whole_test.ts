/**
 * A graceful shutdown (SIGTERM, Ctrl-C, `shutdown()`) lets a download in
 * flight finish whole: a client that reads slowly, its file far past what
 * the kernel's socket buffers hold when the shutdown starts, still gets
 * every byte before the service stops. So does one whose answer says
 * `Connection: close` (a `GET` sent with a chunked body) with a request its
 * client pipelined behind it: that request is left unanswered, and the
 * connection closed only once the download was sent, not cut by the
 * shutdown's close of connections holding an unanswered request.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 16 * 1024 * 1024;

/** Reads `conn` until the service closes it (bounded in reads), returning every byte. */
async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(256 * 1024);
  // Bounded: the whole answer comes in well under this many reads of at least a byte.
  for (let i = 0; i < 10_000_000; i++) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

const cases: [string, (head: string) => string][] = [
  ["a plain download", (head) => head + "\r\n"],
  [
    "a download answered with Connection: close, a request pipelined behind it",
    (head) =>
      head + "transfer-encoding: chunked\r\n\r\n0\r\n\r\n" +
      "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
  ],
];

for (const [what, request] of cases) {
  Deno.test(`serve: ${what} in flight at shutdown is sent whole`, async () => {
    await using t = await startService();
    const file = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i += 4096) file[i] = (i / 4096) % 251;
    const id = (await newCacheId(t.url, t.tokens.alice, { whole: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, file, "f.bin")).status, 200);
    const { hostname, port } = new URL(t.url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(new TextEncoder().encode(request(
        `GET /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${t.tokens.alice}\r\n`,
      )));
      // The answer's first bytes: the download is in flight, most of it not sent yet.
      const first = new Uint8Array(1024);
      const n = await conn.read(first);
      assert(n !== null && n > 0, "the download started");
      const stopping = t.service.shutdown();
      const rest = await readAll(conn);
      const all = new Uint8Array(n + rest.length);
      all.set(first.subarray(0, n));
      all.set(rest, n);
      const text = new TextDecoder("latin1").decode(all.subarray(0, 4096));
      const headEnd = text.indexOf("\r\n\r\n");
      assert(text.startsWith("HTTP/1.1 200"), text.slice(0, 200));
      // The second case's answer says close, as its name says.
      const closes = /\r\nconnection: close\r\n/i.test(text.slice(0, headEnd + 2));
      assertEquals(closes, what.includes("Connection: close"), text.slice(0, headEnd));
      const body = all.subarray(headEnd + 4);
      // Every byte of the file, and nothing after it (the pipelined request is not answered).
      assertEquals(body.length, SIZE);
      assert(body.every((b, i) => b === file[i]), "the body is the file");
      await stopping;
    } finally {
      conn.close();
    }
  });
}
