/**
 * Uploads as real clients send them over a socket: a small file whose bytes
 * arrive in a network read of their own, shorter than the multipart
 * delimiter (a slow client, a proxy forwarding segment by segment), and a
 * chunked body (no Content-Length: `requests` with a generator, a proxy
 * that does not buffer). Both were answered 500 or read at a cost that grew
 * with the upload; each must store exactly the bytes sent.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, serviceS3Store, startService, type TestService } from "./server_helpers.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const enc = new TextEncoder();

/**
 * Runs `fn` over a service on a plain directory and on S3 (the fake server):
 * S3Store reads the file into its parts with a reader of its own buffers,
 * a path of its own through the multipart reader.
 */
async function withEachStore(fn: (t: TestService, store: string) => Promise<void>) {
  {
    await using t = await startService();
    await fn(t, "file");
  }
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using t = await startService({ store: serviceS3Store(fake.url) });
  await fn(t, "s3");
}

/** Sends `head` then each segment with a pause, so each arrives in a read of its own. */
async function sendSegmented(url: string, head: string, segments: Uint8Array[]): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    conn.setNoDelay(true);
    await conn.write(enc.encode(head));
    for (const segment of segments) {
      await new Promise((r) => setTimeout(r, 50));
      for (let o = 0; o < segment.length;) o += await conn.write(segment.subarray(o));
    }
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).bytes());
  } finally {
    try {
      conn.close();
    } catch {
      // Closed by the server already.
    }
  }
}

Deno.test("serve: a small file whose bytes arrive in a read of their own is stored whole", async () => {
  await withEachStore(async (t, store) => {
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    for (const file of ["abc", "", "x".repeat(43)]) {
      const segments = [
        enc.encode('--B0\r\nContent-Disposition: form-data; name="file"; filename="s.txt"\r\n\r\n'),
        enc.encode(file),
        enc.encode("\r\n--B0--\r\n"),
      ].filter((s) => s.length > 0);
      const length = segments.reduce((n, s) => n + s.length, 0);
      const answer = await sendSegmented(
        t.url,
        `POST /v1/cache/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${t.tokens.alice}\r\n` +
          `Content-Type: multipart/form-data; boundary=B0\r\nContent-Length: ${length}\r\n` +
          "Connection: close\r\n\r\n",
        segments,
      );
      assertStringIncludes(answer, "HTTP/1.1 200", `${store}, ${file.length} bytes: ${answer}`);
      const res = await fetch(`${t.url}/v1/cache/${id}`, {
        headers: { authorization: t.tokens.alice },
      });
      assertEquals(await res.text(), file);
    }
  });
});

Deno.test("serve: a chunked upload (no Content-Length) stores exactly the bytes sent", async () => {
  await withEachStore(async (t, store) => {
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 2 });
    const id = doc.cache_id as string;
    const content = new Uint8Array(12 * 1024 * 1024 + 5);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 13)) & 0xff;
    const body = new Blob([
      enc.encode('--B1\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'),
      content,
      enc.encode("\r\n--B1--\r\n"),
    ]);
    const bytes = await body.bytes();
    // Pieces of uneven sizes, as a client writing as it goes sends them.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let o = 0, k = 0; o < bytes.length; k++) {
          const n = [16_384, 7, 65_536, 1_000][k % 4]!;
          controller.enqueue(bytes.slice(o, o + n));
          o += n;
        }
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: {
        authorization: t.tokens.alice,
        "content-type": "multipart/form-data; boundary=B1",
      },
      body: stream,
    });
    assertEquals(res.status, 200, `${store}: ${await res.text()}`);
    const got = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    const back = await got.bytes();
    assertEquals(back.length, content.length);
    assertEquals(back.every((b, i) => b === content[i]), true);
  });
});
