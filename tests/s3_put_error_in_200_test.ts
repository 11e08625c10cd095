// A PUT (single or UploadPart) answered 200 OK with an S3 <Error> in the body
// and no ETag (a proxy, a broken S3-compatible server) stored nothing: it
// used to count as a successful upload (the body was dropped unread and the
// missing ETag replaced by the body's MD5). It must fail, saying what the
// server said and that it came with 200, and nothing may be recorded.
import { assertEquals } from "./assert.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";

const DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
  "<Message>Quota exceeded by proxy</Message><RequestId>R9</RequestId></Error>\n";

async function withProxy(
  faulty: (req: Request, url: URL) => boolean,
  fn: (store: S3Store, hits: () => number) => Promise<void>,
  http1 = true,
): Promise<void> {
  await using fake = await startFakeS3({ buckets: ["b"], minPartSize: 64 * 1024 });
  const upstream = new URL(fake.url);
  let hits = 0;
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (faulty(req, url)) {
      hits++;
      await req.body?.cancel();
      return new Response(DENIED, { status: 200, headers: { "content-type": "application/xml" } });
    }
    const headers = new Headers(req.headers);
    headers.set("host", upstream.host);
    return await fetch(new URL(url.pathname + url.search, upstream), {
      method: req.method,
      headers,
      body: req.body,
    });
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${proxy.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 128 * 1024,
    partSize: 128 * 1024,
    maxAttempts: 2,
    http1,
  });
  try {
    await fn(store, () => hits);
  } finally {
    await store.close();
    await proxy.shutdown();
  }
}

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
}

function says200(message: string): boolean {
  return message.includes("200 OK with an <Error> in the body") &&
    message.includes("AccessDenied: Quota exceeded by proxy");
}

for (const http1 of [false, true]) {
  Deno.test(`S3Store.put: a single PUT answered 200 with an <Error> fails${http1 ? " (http1)" : ""}`, async () => {
    await withProxy(
      (req, url) => req.method === "PUT" && !url.searchParams.has("uploadId"),
      async (store, hits) => {
        const message = await store.put("a.txt", new TextEncoder().encode("hello")).then(
          () => "stored",
          (e: Error) => e.message,
        );
        assertEquals(says200(message), true, message);
        assertEquals(hits() >= 1, true);
        assertEquals(await store.head("a.txt"), undefined);
      },
      http1,
    );
  });
}

Deno.test("S3Store.put: an UploadPart answered 200 with an <Error> fails the upload", async () => {
  await withProxy(
    (req, url) => req.method === "PUT" && url.searchParams.has("uploadId"),
    async (store) => {
      const message = await store.put("big.bin", bytes(300 * 1024)).then(
        () => "stored",
        (e: Error) => e.message,
      );
      assertEquals(says200(message), true, message);
      assertEquals(await store.head("big.bin"), undefined);
    },
  );
});

Deno.test("S3Store.put: CompleteMultipartUpload answered 200 with an <Error> stores nothing", async () => {
  await withProxy(
    (req, url) => req.method === "POST" && url.searchParams.has("uploadId"),
    async (store) => {
      const message = await store.put("big.bin", bytes(300 * 1024)).then(
        () => "stored",
        (e: Error) => e.message,
      );
      assertEquals(says200(message), true, message);
      assertEquals(await store.head("big.bin"), undefined);
    },
  );
});

Deno.test("S3Store.copy: CopyObject answered 200 with an <Error> stores nothing", async () => {
  await withProxy(
    (req) => req.method === "PUT" && req.headers.has("x-amz-copy-source"),
    async (store) => {
      await store.put("a.txt", new TextEncoder().encode("hello"));
      const message = await store.copy("a.txt", "b.txt").then(
        () => "copied",
        (e: Error) => e.message,
      );
      assertEquals(says200(message), true, message);
      assertEquals(await store.head("b.txt"), undefined);
    },
  );
});

Deno.test("S3Store.put: a normal PUT still succeeds through the proxy", async () => {
  await withProxy(() => false, async (store) => {
    const { etag } = await store.put("a.txt", new TextEncoder().encode("hello"));
    assertEquals(etag, "5d41402abc4b2a76b9719d911017c592");
    const big = bytes(300 * 1024);
    await store.put("big.bin", big);
    const got = await store.get("big.bin");
    assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), big);
  });
});
