/**
 * A file download whose client leaves mid-body: Deno.serve (2.9.6) resolves
 * the response's `completed` promise as for a download sent whole, so the
 * service cannot tell what the client got. Its log line must not claim the
 * client got every byte: `bytes_out` is what was handed to Deno.serve, and
 * the line says so with `bytes_out_unconfirmed`; `/metrics` says the same of
 * its byte counter.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { logRecord, newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 4 << 20;

Deno.test("serve: a download the client broke off is not logged as received whole", async () => {
  await using t = await startService();
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const id = doc.cache_id as string;
  const up = await upload(t.url, t.tokens.alice, id, new Uint8Array(SIZE).fill(7), "big.bin");
  assertEquals(up.status, 200, JSON.stringify(up.doc));

  // A raw client: sends the GET, reads ~100 KB, and closes its socket.
  const { port } = new URL(t.url);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await conn.write(new TextEncoder().encode(
    `GET /v1/cache/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.tokens.alice}\r\n\r\n`,
  ));
  const buf = new Uint8Array(16384);
  let got = 0;
  const until = Date.now() + 5000;
  while (got < 100_000 && Date.now() < until) {
    const n = await conn.read(buf);
    if (n === null) break;
    got += n;
  }
  conn.close();
  assert(got >= 100_000 && got < SIZE, `read ${got} bytes`);

  const line = await logRecord(
    t.logs,
    (l) => l.method === "GET" && l.route === "/v1/cache/{id}",
  );
  assertEquals(line.status, 200);
  // Either Deno told (aborted) or the line says its count is unconfirmed.
  assert(
    line.aborted === true || line.bytes_out_unconfirmed === true,
    `logged as received whole: ${JSON.stringify(line)}`,
  );

  // An upload's answer, or any JSON answer, is no file passed through.
  for (const l of t.logs.map((l) => JSON.parse(l)).filter((l) => l.method !== "GET")) {
    assertEquals(l.bytes_out_unconfirmed, undefined, JSON.stringify(l));
  }

  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  assertStringIncludes(metrics, "# HELP vc_serve_bytes_out_total Response body bytes handed to");
});
