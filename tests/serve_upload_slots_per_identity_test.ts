/**
 * One identity (one token) could take every upload slot (its own slow uploads, or a
 * hostile client with a valid token), leaving every other identity's
 * uploads queued until they got 503. With `maxUploadsPerIdentity`, an identity's
 * uploads past that many wait (bounded by `uploadQueueTimeoutMs`, then 503)
 * without taking a slot, so the other identities' uploads go through.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { createHandler } from "../src/server/handler.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();

Deno.test("serve: an identity past maxUploadsPerIdentity waits, others' uploads go through", async () => {
  await using t = await startService({
    maxUploads: 4,
    maxUploadsPerIdentity: 1,
    uploadQueueTimeoutMs: 200,
  });
  const A = t.tokens.alice;
  const B = t.tokens.bob;
  const heldId = (await newCacheId(t.url, A, { tok: 1 })).doc.cache_id as string;
  const secondId = (await newCacheId(t.url, A, { tok: 2 })).doc.cache_id as string;
  const bobId = (await newCacheId(t.url, B, { tok: 3 })).doc.cache_id as string;
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  push.enqueue(enc.encode(
    `--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nheld-`,
  ));
  const held = fetch(`${t.url}/v1/cache/${heldId}`, {
    method: "POST",
    headers: { authorization: A, "content-type": "multipart/form-data; boundary=bnd" },
    body,
  });
  try {
    for (let i = 0; i < 500; i++) {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      if (/^vc_serve_uploads_active 1$/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // Alice's second upload waits for her own slot, then gets 503.
    const form = new FormData();
    form.append("file", new Blob(["second"], { type: "text/plain" }), "b.txt");
    const res = await fetch(`${t.url}/v1/cache/${secondId}`, {
      method: "POST",
      headers: { authorization: A },
      body: form,
    });
    const text = await res.text();
    assertEquals(res.status, 503, text);
    assertEquals(res.headers.get("retry-after"), "5");
    assertStringIncludes(text, "this identity's uploads hold all");
    // Bob's upload takes one of the free slots.
    assertEquals((await upload(t.url, B, bobId, "bob")).status, 200);
  } finally {
    push.enqueue(enc.encode(`done\r\n--bnd--\r\n`));
    push.close();
  }
  assertEquals((await held).status, 200);
  // Alice's slot is free again.
  assertEquals((await upload(t.url, A, secondId, "second")).status, 200);
});

Deno.test("serve: an upload waiting for its identity's share counts in vc_serve_uploads_queued", async () => {
  // It waits without a slot, so it was in no gauge: /metrics said 0 queued
  // while an identity's uploads piled up behind its share.
  await using t = await startService({
    maxUploads: 4,
    maxUploadsPerIdentity: 1,
    uploadQueueTimeoutMs: 0,
  });
  const A = t.tokens.alice;
  const heldId = (await newCacheId(t.url, A, { q: 1 })).doc.cache_id as string;
  const secondId = (await newCacheId(t.url, A, { q: 2 })).doc.cache_id as string;
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  push.enqueue(enc.encode(
    `--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nheld-`,
  ));
  const held = fetch(`${t.url}/v1/cache/${heldId}`, {
    method: "POST",
    headers: { authorization: A, "content-type": "multipart/form-data; boundary=bnd" },
    body,
  });
  const gauge = async (name: string) =>
    Number(
      new RegExp(`^${name} (\\d+)$`, "m").exec(await (await fetch(`${t.url}/metrics`)).text())
        ?.[1],
    );
  let second: Promise<{ status: number }> | undefined;
  try {
    for (let i = 0; i < 500 && await gauge("vc_serve_uploads_active") !== 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    second = upload(t.url, A, secondId, "second");
    let queued = await gauge("vc_serve_uploads_queued");
    for (let i = 0; i < 200 && queued !== 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
      queued = await gauge("vc_serve_uploads_queued");
    }
    assertEquals(queued, 1, "the upload waiting for its identity's share is queued");
  } finally {
    push.enqueue(enc.encode(`done\r\n--bnd--\r\n`));
    push.close();
  }
  assertEquals((await held).status, 200);
  assertEquals((await second!).status, 200);
  assertEquals(await gauge("vc_serve_uploads_queued"), 0);
});

Deno.test("serve: maxUploadsPerIdentity must be a positive integer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_upload_slots_per_identity_" });
  try {
    const store = new FsStore(dir);
    for (const bad of [0, 1.5, -1, Number.NaN]) {
      const e = assertThrows(
        () =>
          createHandler({
            store,
            auth: { authenticate: () => Promise.reject() },
            maxUploadsPerIdentity: bad,
          }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "maxUploadsPerIdentity must be a positive integer");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
