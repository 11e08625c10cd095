// S3 answers CompleteMultipartUpload and CopyObject 200 and may put an
// <Error> in the body. One followed by a newline (a proxy, an S3-compatible
// server) must be an error too, and an InternalError retried: it used to be
// read as a result without an ETag, the upload aborted, never retried.
import { assertEquals } from "./assert.ts";
import type { S3Store } from "../src/store/s3.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

const INTERNAL = errorXml("InternalError", "We encountered an internal error. Please try again.") +
  "\n";

async function withFaultyProxy(
  faulty: (req: Request, url: URL) => boolean,
  fn: (store: S3Store, hits: () => number) => Promise<void>,
): Promise<void> {
  let hits = 0;
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (faulty(req, new URL(req.url)) && hits++ === 0) {
      await req.body?.cancel();
      return new Response(INTERNAL, {
        status: 200,
        headers: { "content-type": "application/xml" },
      });
    }
    return await forward();
  }, {
    fake: { minPartSize: 64 * 1024 },
    store: { multipartThreshold: 128 * 1024, partSize: 128 * 1024 },
  });
  await fn(proxied.store, () => hits);
}

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
}

Deno.test("S3Store.put: CompleteMultipartUpload answering 200 with an InternalError and a newline is retried", async () => {
  await withFaultyProxy(
    (req, url) => req.method === "POST" && url.searchParams.has("uploadId"),
    async (store, hits) => {
      const body = bytes(300 * 1024);
      const { etag } = await store.put("big.bin", body);
      assertEquals(hits(), 2);
      assertEquals(etag.endsWith("-3"), true, etag);
      const got = await store.get("big.bin");
      assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), body);
    },
  );
});

Deno.test("S3Store.copy: CopyObject answering 200 with an InternalError and a newline is retried", async () => {
  await withFaultyProxy(
    (req) => req.method === "PUT" && req.headers.has("x-amz-copy-source"),
    async (store, hits) => {
      await store.put("a.txt", new TextEncoder().encode("hello"));
      const { etag } = await store.copy("a.txt", "b.txt");
      assertEquals(hits(), 2);
      assertEquals(etag, "5d41402abc4b2a76b9719d911017c592");
    },
  );
});

Deno.test("S3Store.copy: an <Error> answered with 200 says so, not a 503 the server never sent", async () => {
  const denied = errorXml("AccessDenied", "Access Denied by proxy");
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "PUT" && req.headers.has("x-amz-copy-source")) {
      await req.body?.cancel();
      return new Response(denied, { status: 200, headers: { "content-type": "application/xml" } });
    }
    return await forward();
  });
  const store = proxied.store;
  await store.put("a.txt", new TextEncoder().encode("hello"));
  const message = await store.copy("a.txt", "b.txt").then(
    () => "copied",
    (e: Error) => e.message,
  );
  assertEquals(message.includes("503"), false, message);
  assertEquals(
    message.includes(
      "answered 200 OK with an <Error> in the body: AccessDenied: Access Denied by proxy",
    ),
    true,
    message,
  );
});

// A DeleteObjects answer that is one <Error> (not <DeleteResult>) and ends in
// a newline was read as a result naming no failed key: the mirror counted the
// objects as deleted while every one was still there.
Deno.test("S3Store.delete: DeleteObjects answering 200 with an InternalError and a newline is retried", async () => {
  await withFaultyProxy(
    (req, url) => req.method === "POST" && url.searchParams.has("delete"),
    async (store, hits) => {
      await store.put("a.txt", new TextEncoder().encode("a"));
      await store.put("b.txt", new TextEncoder().encode("b"));
      await store.delete(["a.txt", "b.txt"]);
      assertEquals(hits(), 2);
      assertEquals(await store.head("a.txt"), undefined);
      assertEquals(await store.head("b.txt"), undefined);
    },
  );
});

/**
 * `store.delete(["a.txt", "b.txt"])` of two objects put first, through a
 * proxy whose every DeleteObjects answer is a 200 with `body`: what the
 * delete said (its error's message, or "deleted").
 */
async function deleteAnswered(
  body: string,
): Promise<{ message: string; store: S3Store } & AsyncDisposable> {
  const proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "POST" && new URL(req.url).searchParams.has("delete")) {
      await req.body?.cancel();
      return new Response(body, { status: 200, headers: { "content-type": "application/xml" } });
    }
    return await forward();
  });
  try {
    const store = proxied.store;
    await store.put("a.txt", new TextEncoder().encode("a"));
    await store.put("b.txt", new TextEncoder().encode("b"));
    const message = await store.delete(["a.txt", "b.txt"]).then(
      () => "deleted",
      (e: Error) => e.message,
    );
    return { message, store, [Symbol.asyncDispose]: () => proxied[Symbol.asyncDispose]() };
  } catch (e) {
    await proxied[Symbol.asyncDispose]();
    throw e;
  }
}

Deno.test("S3Store.delete: DeleteObjects answering 200 with an <Error> and a newline fails", async () => {
  await using d = await deleteAnswered(
    errorXml("AccessDenied", "Access Denied by proxy") + "\n",
  );
  assertEquals(
    d.message.includes(
      "answered 200 OK with an <Error> in the body: AccessDenied: Access Denied by proxy",
    ),
    true,
    d.message,
  );
  assertEquals((await d.store.head("a.txt"))?.size, 1);
});

// A DeleteObjects answer that names as deleted a key never asked for is not
// about this request: it used to count as "no key failed", so vc mirror
// --delete reported objects deleted that were all still there.
Deno.test("S3Store.delete: a DeleteObjects answer naming a key never asked confirms nothing", async () => {
  await using d = await deleteAnswered(
    `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult><Deleted><Key>never-asked</Key></Deleted></DeleteResult>`,
  );
  const { message } = d;
  assertEquals(message.includes("could not delete 2 of 2 keys"), true, message);
  assertEquals(message.includes("s3://b/a.txt") && message.includes("s3://b/b.txt"), true, message);
  assertEquals(message.includes('"never-asked" as deleted, a key not asked for'), true, message);
  assertEquals((await d.store.head("a.txt"))?.size, 1);
});

Deno.test("S3Store.delete: a server that ignores Quiet and names every deleted key is fine", async () => {
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "POST" && new URL(req.url).searchParams.has("delete")) {
      const asked = [...(await req.clone().text()).matchAll(/<Key>([^<]*)<\/Key>/g)]
        .map((m) => m[1]);
      const answer = await forward();
      await answer.body?.cancel();
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult>${
          asked.map((k) => `<Deleted><Key>${k}</Key></Deleted>`).join("")
        }</DeleteResult>`,
        { status: 200, headers: { "content-type": "application/xml" } },
      );
    }
    return await forward();
  });
  const store = proxied.store;
  const keys = ["a.txt", " b.txt", "c d.txt", "e&f.txt"];
  for (const k of keys) await store.put(k, new TextEncoder().encode("x"));
  await store.delete(keys);
  for (const k of keys) assertEquals(await store.head(k), undefined, k);
});
