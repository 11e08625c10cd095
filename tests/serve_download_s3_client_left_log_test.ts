/**
 * A download from an S3 store whose client leaves mid-body. Deno.serve
 * resolves the response's `completed` as for a body sent whole, and the
 * log line said the whole file was handed on (`bytes_out` its size, with
 * `bytes_out_unconfirmed`): an operator could not tell clients that gave up
 * from ones that got their file. The relay's guard sees its body cancelled
 * and knows what it passed on: the line says `aborted` with those bytes.
 */
import { assert, assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { logRecord, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

const SIZE = 32 << 20; // more than loopback's socket buffers take in

Deno.test("serve: a download from S3 whose client left mid-body is logged aborted, with the bytes passed on", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using t = await startService({ store: serviceS3Store(fake.url, "svc") });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const id = doc.cache_id as string;
  const put = await upload(t.url, t.tokens.alice, id, new Uint8Array(SIZE), "big.bin");
  assertEquals(put.status, 200);

  // A raw client: sends the GET, reads ~100 KB, and closes its socket.
  const { port } = new URL(t.url);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(
      `GET /v1/cache/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.tokens.alice}\r\n\r\n`,
    ));
    const buf = new Uint8Array(16384);
    let got = 0;
    while (got < 100_000) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += n;
    }
    assert(got >= 100_000, `read ${got} bytes`);
  } finally {
    conn.close();
  }
  const line = await logRecord(
    t.logs,
    (l) => l.method === "GET" && l.route === "/v1/cache/{id}",
  );
  assertEquals(line.aborted, true, JSON.stringify(line));
  assert((line.bytes_out as number) < SIZE, JSON.stringify(line));
  assertEquals(line.bytes_out_unconfirmed, undefined);
});
