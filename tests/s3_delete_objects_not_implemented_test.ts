// Google Cloud Storage's XML API (until 2026), MEGA S4 and Riak CS answer
// DeleteObjects (POST ?delete) with 501 NotImplemented: "POST ?delete is not
// implemented for objects". vc's delete of more than one key (a mirror's
// --delete, gc, rm of a prefix) failed whole there, deleting nothing. It now
// deletes the keys one by one instead, and asks no more batches of that store.
import assert from "node:assert/strict";
import { StoreError } from "../src/errors.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

const GCS_ANSWER = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NotImplemented</Code>" +
  "<Message>A header or query you provided requested a function that is not implemented." +
  "</Message><Details>POST ?delete is not implemented for objects.</Details></Error>";

async function withoutBatchDelete(
  fn: (
    proxied: Awaited<ReturnType<typeof startS3Proxy>>,
    seen: { batches: number; singles: number },
  ) => Promise<void>,
  answer = { status: 501, body: GCS_ANSWER },
): Promise<void> {
  const seen = { batches: 0, singles: 0 };
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "POST" && url.searchParams.has("delete")) {
      seen.batches++;
      await req.body?.cancel();
      return new Response(answer.body, {
        status: answer.status,
        headers: { "content-type": "application/xml; charset=UTF-8" },
      });
    }
    if (req.method === "DELETE") seen.singles++;
    return await forward();
  }, { store: { maxAttempts: 2 } });
  await fn(proxied, seen);
}

Deno.test("S3Store.delete: a store without DeleteObjects (501 NotImplemented) gets one DELETE a key", async () => {
  await withoutBatchDelete(async ({ store, direct, fake }, seen) => {
    for (const key of ["a", "b", "c", "keep"]) {
      await direct.put(key, new TextEncoder().encode(key));
    }
    await store.delete(["a", "b", "c", "never-there"]);
    assert.deepEqual(fake.listKeys("b"), ["keep"]);
    assert.equal(seen.batches, 1, "the batch is asked once, not retried");
    assert.equal(seen.singles, 4);
    // Known now: the next delete of many goes key by key at once.
    await direct.put("d", new TextEncoder().encode("d"));
    await direct.put("e", new TextEncoder().encode("e"));
    await store.delete(["d", "e"]);
    assert.deepEqual(fake.listKeys("b"), ["keep"]);
    assert.equal(seen.batches, 1, "no batch is asked of a store known to refuse them");
    assert.equal(seen.singles, 6);
  });
});

Deno.test("S3Store.delete: other failures of a batch still fail it, nothing deleted key by key", async () => {
  await withoutBatchDelete(async ({ store, direct, fake }, seen) => {
    await direct.put("a", new TextEncoder().encode("a"));
    await direct.put("b", new TextEncoder().encode("b"));
    const error = await store.delete(["a", "b"]).then(() => undefined, (e: Error) => e);
    assert(error instanceof StoreError, String(error));
    assert.equal(error.status, 500);
    assert.equal(seen.singles, 0);
    assert.deepEqual(fake.listKeys("b"), ["a", "b"]);
  }, { status: 500, body: errorXml("InternalError", "We encountered an internal error.") });
});

Deno.test("S3Store.delete: NotImplemented under another status is taken as no DeleteObjects too", async () => {
  await withoutBatchDelete(async ({ store, direct, fake }, seen) => {
    await direct.put("a", new TextEncoder().encode("a"));
    await direct.put("b", new TextEncoder().encode("b"));
    await store.delete(["a", "b"]);
    assert.deepEqual(fake.listKeys("b"), []);
    assert.equal(seen.singles, 2);
  }, { status: 400, body: GCS_ANSWER });
});
