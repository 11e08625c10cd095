// A reply that repeats a header name (two `x-amz-meta-*` lines: a proxy, a
// server that appends) reads as fetch's `Headers` reads it, the values
// joined by ", ", through vc's HTTP/1.1 client as through fetch; a reply
// with each name once is read from its header pairs as they came.
import { assertEquals } from "./assert.ts";
import { rawServer, readHead, storeAt } from "./raw_server.ts";

/** A server answering every GET with `extra` header lines and the body "hello". */
function answering(extra: string) {
  return rawServer(async (conn) => {
    for (;;) {
      const request = await readHead(conn);
      if (request === "") return;
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n" +
            'etag: "5d41402abc4b2a76b9719d911017c592"\r\n' + extra + "\r\nhello",
        ),
      );
    }
  });
}

for (const http1 of [true, false]) {
  const via = http1 ? "vc's HTTP/1.1 client" : "fetch";
  Deno.test(`s3 get (${via}): a repeated header's values are joined as Headers joins them`, async () => {
    await using server = answering(
      "x-amz-meta-tag: one\r\nx-amz-meta-other: x\r\nx-amz-meta-tag: two\r\n",
    );
    await using store = storeAt(server.url, 5_000, { http1 });
    const got = await store.get("k");
    assertEquals(got.info.metadata, { tag: "one, two", other: "x" });
    assertEquals(got.info.size, 5);
    assertEquals(got.info.etag, "5d41402abc4b2a76b9719d911017c592");
    assertEquals(new TextDecoder().decode(await new Response(got.body).arrayBuffer()), "hello");
  });

  Deno.test(`s3 get (${via}): a reply with each header once gives each value`, async () => {
    await using server = answering("x-amz-meta-tag: one\r\ncontent-type: text/plain\r\n");
    await using store = storeAt(server.url, 5_000, { http1 });
    const got = await store.get("k");
    assertEquals(got.info.metadata, { tag: "one" });
    assertEquals(got.info.contentType, "text/plain");
    assertEquals(got.info.size, 5);
  });
}
