/**
 * One identity (one token) could take every upload slot (its own slow uploads, or a
 * hostile client with a valid token), leaving every other identity's
 * uploads queued until they got 503. With `maxUploadsPerIdentity`, an identity's
 * uploads past that many wait (bounded by `uploadQueueTimeoutMs`, then 503)
 * without taking a slot, so the other identities' uploads go through.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  assertHandlerRefuses,
  heldUpload,
  newCacheId,
  startService,
  transferGauges,
  untilGauges,
  upload,
} from "./server_helpers.ts";

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
  const held = heldUpload(t.url, A, heldId);
  try {
    await untilGauges(t.url, "uploads", (g) => g.active === 1);
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
    held.finish();
  }
  assertEquals((await held.answer).status, 200);
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
  const held = heldUpload(t.url, A, heldId);
  let second: Promise<{ status: number }> | undefined;
  try {
    await untilGauges(t.url, "uploads", (g) => g.active === 1);
    second = upload(t.url, A, secondId, "second");
    const { queued } = await untilGauges(t.url, "uploads", (g) => g.queued === 1);
    assertEquals(queued, 1, "the upload waiting for its identity's share is queued");
  } finally {
    held.finish();
  }
  assertEquals((await held.answer).status, 200);
  assertEquals((await second!).status, 200);
  assertEquals((await transferGauges(t.url, "uploads")).queued, 0);
});

Deno.test("serve: maxUploadsPerIdentity must be a positive integer", async () => {
  await assertHandlerRefuses(
    "maxUploadsPerIdentity",
    [0, 1.5, -1, Number.NaN],
    "maxUploadsPerIdentity must be a positive integer",
  );
});
