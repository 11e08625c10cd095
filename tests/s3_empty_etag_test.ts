/**
 * An answer whose ETag is empty (`ETag: ""`, `<ETag></ETag>`: a proxy or an
 * S3-compatible server answering for S3) is an answer without one. Each used
 * to pass: `put` and `copy` returned the ETag `""`, which callers record as
 * the object's (a cache, a mirror's state, a repository's catalog), and an
 * UploadPart's `""` was sent back in the completion.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import type { S3Store } from "../src/store/s3.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592";

/** The fake S3 behind a proxy that runs `alter` on the answers to requests `matches` picks. */
async function withProxy(
  matches: (req: Request, url: URL) => boolean,
  alter: (res: Response) => Promise<Response>,
  fn: (store: S3Store, direct: S3Store) => Promise<void>,
): Promise<void> {
  await using proxied = await startS3Proxy(async (req, forward) => {
    const res = await forward();
    return matches(req, new URL(req.url)) ? await alter(res) : res;
  }, {
    fake: { minPartSize: 64 * 1024 },
    store: {
      multipartThreshold: 128 * 1024,
      partSize: 128 * 1024,
      multipartCopyThreshold: 128 * 1024,
      copyPartSize: 128 * 1024,
      maxAttempts: 2,
    },
  });
  await fn(proxied.store, proxied.direct);
}

function withEtagHeader(etag: string): (res: Response) => Promise<Response> {
  return (res) => {
    const headers = new Headers(res.headers);
    headers.set("etag", etag);
    return Promise.resolve(new Response(res.body, { status: res.status, headers }));
  };
}

/** The answer with its `<ETag>` element's text replaced by `etag`. */
function withEtagElement(etag: string): (res: Response) => Promise<Response> {
  return async (res) =>
    new Response((await res.text()).replace(/<ETag>[^<]*<\/ETag>/, `<ETag>${etag}</ETag>`), {
      status: res.status,
      headers: res.headers,
    });
}

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
}

const singlePut = (req: Request, url: URL) =>
  req.method === "PUT" && !url.searchParams.has("uploadId") &&
  !req.headers.has("x-amz-copy-source");

Deno.test('S3Store.put: a PUT answered with an empty ETag is confirmed as one without, not stored as ETag ""', async () => {
  for (const etag of [`""`, ` `, `W/""`]) {
    await withProxy(singlePut, withEtagHeader(etag), async (store) => {
      const { etag: stored } = await store.put("a.txt", new TextEncoder().encode("hello"));
      assertEquals(stored, HELLO_MD5, JSON.stringify(etag));
    });
  }
});

Deno.test("S3Store.put: an UploadPart answered with an empty ETag still completes with the part's MD5", async () => {
  await withProxy(
    (req, url) => req.method === "PUT" && url.searchParams.has("uploadId"),
    withEtagHeader(`""`),
    async (store, direct) => {
      const body = bytes(300 * 1024);
      const { etag } = await store.put("big.bin", body);
      assertEquals(etag, (await direct.head("big.bin"))?.etag);
    },
  );
});

Deno.test("S3Store.put: a CompleteMultipartUpload answered with an empty ETag fails, naming the upload", async () => {
  for (const etag of ["", "&quot;&quot;"]) {
    await withProxy(
      (req, url) => req.method === "POST" && url.searchParams.has("uploadId"),
      withEtagElement(etag),
      async (store) => {
        const message = await store.put("big.bin", bytes(300 * 1024)).then(
          (r) => `stored with ETag ${JSON.stringify(r.etag)}`,
          (e: Error) => e.message,
        );
        assertStringIncludes(message, "s3://b/big.bin returned no ETag");
      },
    );
  }
});

Deno.test("S3Store.copy: a CopyObject answered with an empty ETag fails, naming the copy", async () => {
  await withProxy(
    (req) => req.method === "PUT" && req.headers.has("x-amz-copy-source"),
    withEtagElement("&quot;&quot;"),
    async (store) => {
      await store.put("a.txt", new TextEncoder().encode("hello"));
      const message = await store.copy("a.txt", "b.txt").then(
        (r) => `copied with ETag ${JSON.stringify(r.etag)}`,
        (e: Error) => e.message,
      );
      assertStringIncludes(message, "returned no ETag");
      assertStringIncludes(message, "s3://b/b.txt");
    },
  );
});

Deno.test("S3Store.copy: an UploadPartCopy answered with an empty ETag fails, naming the part", async () => {
  await withProxy(
    (req, url) =>
      req.method === "PUT" && req.headers.has("x-amz-copy-source") &&
      url.searchParams.has("uploadId"),
    withEtagElement(""),
    async (store) => {
      await store.put("big.bin", bytes(300 * 1024));
      const message = await store.copy("big.bin", "copy.bin").then(
        (r) => `copied with ETag ${JSON.stringify(r.etag)}`,
        (e: Error) => e.message,
      );
      assertStringIncludes(message, "returned no ETag");
    },
  );
});
