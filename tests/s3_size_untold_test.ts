// Answers that tell no object size. A GET answered with Transfer-Encoding:
// chunked (some S3-compatible servers, proxies re-chunking responses) was
// refused with "has no Content-Length"; a HEAD without Content-Length was
// read as size 0, so an object looked empty. Both now learn the size from a
// ranged GET of the same version (its Content-Range total; 416: empty).
import { IntegrityError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { rawServer, readHead, storeAt } from "./raw_server.ts";
import { startS3Proxy } from "./s3_proxy.ts";

/** The fake S3 behind a proxy that strips every GET answer's Content-Length (chunked). */
function rechunkingProxy(http1: boolean) {
  return startS3Proxy(async (req, forward) => {
    const res = await forward();
    if (req.method !== "GET" || res.body === null) return res;
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return new Response(res.body.pipeThrough(new TransformStream()), {
      status: res.status,
      headers,
    });
  }, { store: { http1 } });
}

for (const http1 of [true, false]) {
  const via = http1 ? "vc's HTTP/1.1 client" : "fetch";
  Deno.test(`s3 get (${via}): chunked answers are read, with the object's size`, async () => {
    await using s3 = await rechunkingProxy(http1);
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    for (
      const [key, bytes] of [["small.txt", new TextEncoder().encode("hello")], [
        "big.bin",
        big,
      ]] as const
    ) {
      await s3.direct.put(key, bytes);
      const got = await s3.store.get(key);
      assertEquals(got.info.size, bytes.length, key);
      assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), bytes, key);
    }
    await s3.direct.put("empty.txt", new Uint8Array());
    const empty = await s3.store.get("empty.txt");
    assertEquals(empty.info.size, 0);
    assertEquals((await new Response(empty.body).arrayBuffer()).byteLength, 0);
  });
}

/** A server answering HEAD with `head` (no Content-Length) and a ranged GET with `ranged`. */
function sizeServer(head: string, ranged: string) {
  return rawServer(async (conn) => {
    for (let n = 0; n < 4; n++) {
      const request = await readHead(conn);
      if (request === "") return;
      const answer = request.startsWith("HEAD ") ? head : ranged;
      await conn.write(new TextEncoder().encode(answer));
    }
  });
}

const HEAD_200 =
  'HTTP/1.1 200 OK\r\netag: "abc"\r\nlast-modified: Wed, 01 Jan 2025 00:00:00 GMT\r\n' +
  "x-amz-meta-owner: alice\r\n\r\n";
const PART = 'HTTP/1.1 206 Partial Content\r\netag: "abc"\r\ncontent-range: bytes 0-0/5\r\n' +
  "last-modified: Wed, 01 Jan 2025 00:00:00 GMT\r\nx-amz-meta-owner: alice\r\ncontent-length: 1\r\n\r\nh";
const EMPTY_416 = "HTTP/1.1 416 Requested Range Not Satisfiable\r\ncontent-range: bytes */0\r\n" +
  "content-type: application/xml\r\ncontent-length: 0\r\n\r\n";
const WHOLE = 'HTTP/1.1 200 OK\r\netag: "abc"\r\nconnection: close\r\n\r\nhello';

Deno.test("s3 head: an answer without Content-Length gets its size from a ranged GET", async () => {
  await using server = sizeServer(HEAD_200, PART);
  await using store = storeAt(server.url, 5_000);
  const info = await store.head("k.txt");
  assertEquals(info?.size, 5);
  assertEquals(info?.etag, "abc");
  assertEquals(info?.metadata, { owner: "alice" });
});

Deno.test("s3 head: an empty object answered without Content-Length is empty (416 to bytes=0-0)", async () => {
  await using server = sizeServer(HEAD_200, EMPTY_416);
  await using store = storeAt(server.url, 5_000);
  const info = await store.head("k.txt");
  assertEquals(info?.size, 0);
  assertEquals(info?.etag, "abc");
});

Deno.test("s3 head: no size from the HEAD nor a ranged GET is an IntegrityError, not size 0", async () => {
  await using server = sizeServer(HEAD_200, WHOLE);
  await using store = storeAt(server.url, 5_000);
  const error = await assertRejects(() => store.head("k.txt"), IntegrityError);
  assertStringIncludes(error.message, "s3://b/k.txt");
  assertStringIncludes(error.message, "no Content-Length");
});

Deno.test("s3 head: an object deleted before the ranged GET is missing, not an error", async () => {
  const xml = "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>";
  await using server = sizeServer(
    HEAD_200,
    `HTTP/1.1 404 Not Found\r\ncontent-type: application/xml\r\ncontent-length: ${xml.length}\r\n\r\n${xml}`,
  );
  await using store = storeAt(server.url, 5_000);
  assertEquals(await store.head("k.txt"), undefined);
});
