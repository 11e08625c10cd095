// A PUT (single or UploadPart) answered 200 OK with an S3 <Error> in the body
// and no ETag (a proxy, a broken S3-compatible server) stored nothing: it
// used to count as a successful upload (the body was dropped unread and the
// missing ETag replaced by the body's MD5). It must fail, saying what the
// server said and that it came with 200, and nothing may be recorded.
import { assertEquals } from "./assert.ts";
import type { S3Store } from "../src/store/s3.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

const DENIED = errorXml("AccessDenied", "Quota exceeded by proxy") + "\n";

async function withProxy(
  faulty: (req: Request, url: URL) => boolean,
  fn: (store: S3Store, hits: () => number) => Promise<void>,
  http1 = true,
): Promise<void> {
  let hits = 0;
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (faulty(req, new URL(req.url))) {
      hits++;
      await req.body?.cancel();
      return new Response(DENIED, { status: 200, headers: { "content-type": "application/xml" } });
    }
    return await forward();
  }, {
    fake: { minPartSize: 64 * 1024 },
    store: { multipartThreshold: 128 * 1024, partSize: 128 * 1024, maxAttempts: 2, http1 },
  });
  await fn(proxied.store, () => hits);
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

// A multipart upload's step answered 200 with an <Error>: the whole put fails, nothing stored.
for (
  const [name, method] of [
    ["an UploadPart answered 200 with an <Error> fails the upload", "PUT"],
    ["CompleteMultipartUpload answered 200 with an <Error> stores nothing", "POST"],
  ] as const
) {
  Deno.test(`S3Store.put: ${name}`, async () => {
    await withProxy(
      (req, url) => req.method === method && url.searchParams.has("uploadId"),
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
}

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
