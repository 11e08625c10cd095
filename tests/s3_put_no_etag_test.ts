// A single PUT answered 200 with an empty body and no ETag by something
// that stored nothing (a proxy answering every request 200): the missing
// ETag was replaced by the body's MD5 and the upload counted as stored. A
// PUT without an ETag is now confirmed with a HEAD.
import { assertEquals } from "./assert.ts";
import type { S3Store } from "../src/store/s3.ts";
import { startS3Proxy } from "./s3_proxy.ts";

async function withProxy(
  swallow: boolean,
  fn: (store: S3Store, direct: S3Store) => Promise<void>,
): Promise<void> {
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (req.method === "PUT" && swallow) {
      await req.body?.cancel();
      return new Response(null, { status: 200 });
    }
    const res = await forward();
    if (req.method !== "PUT") return res;
    // Stored, but the ETag is stripped on the way back.
    const out = new Headers(res.headers);
    out.delete("etag");
    return new Response(res.body, { status: res.status, headers: out });
  });
  await fn(proxied.store, proxied.direct);
}

Deno.test("S3Store.put: a 200 without an ETag for a PUT that stored nothing fails", async () => {
  await withProxy(true, async (store) => {
    const message = await store.put("a.txt", new TextEncoder().encode("hello")).then(
      () => "stored",
      (e: Error) => e.message,
    );
    assertEquals(message.includes("without an ETag"), true, message);
    assertEquals(await store.head("a.txt"), undefined);
  });
});

Deno.test("S3Store.put: a 200 without an ETag for a PUT that did store succeeds", async () => {
  await withProxy(false, async (store) => {
    const { etag } = await store.put("a.txt", new TextEncoder().encode("hello"));
    assertEquals(etag, "5d41402abc4b2a76b9719d911017c592");
  });
});

Deno.test("S3Store.put: a 200 without an ETag over an older object of the same size fails", async () => {
  await withProxy(true, async (store, direct) => {
    await direct.put("a.txt", new TextEncoder().encode("world"));
    const message = await store.put("a.txt", new TextEncoder().encode("hello")).then(
      () => "stored",
      (e: Error) => e.message,
    );
    // The HEAD finds the old object: its ETag is not the new body's MD5.
    assertEquals(
      message.includes("the body's MD5 is 5d41402abc4b2a76b9719d911017c592"),
      true,
      message,
    );
    assertEquals(await new Response((await direct.get("a.txt")).body).text(), "world");
  });
});
