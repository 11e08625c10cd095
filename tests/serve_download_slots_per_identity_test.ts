/**
 * Uploads had `maxUploadsPerIdentity`, downloads no bound at all: one token
 * (a job fanning out hundreds of downloads, or a hostile client with a
 * valid token reading slowly) held as many store streams, file descriptors
 * and connections as it liked, for as long as its downloads' bound let it.
 * With `maxDownloadsPerIdentity`, an identity's downloads past that many
 * wait for one of its own to finish (bounded by `downloadQueueTimeoutMs`,
 * then 503 with `Retry-After: 5`), without touching the store, while other
 * identities' downloads go through; `/metrics` shows them.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  assertHandlerRefuses,
  newCacheId,
  startService,
  transferGauges,
  untilGauges,
  upload,
} from "./server_helpers.ts";

// Large enough that its response is still being sent while its body is not read.
const BIG = new Uint8Array(32 << 20).fill(7);

Deno.test("serve: an identity past maxDownloadsPerIdentity waits, others' downloads go through", async () => {
  await using t = await startService({ maxDownloadsPerIdentity: 1, downloadQueueTimeoutMs: 1000 });
  const A = t.tokens.alice;
  const B = t.tokens.bob;
  const bigId = (await newCacheId(t.url, A, { dl: 1 })).doc.cache_id as string;
  const smallId = (await newCacheId(t.url, A, { dl: 2 })).doc.cache_id as string;
  const bobId = (await newCacheId(t.url, B, { dl: 3 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, bigId, BIG, "big.bin")).status, 200);
  assertEquals((await upload(t.url, A, smallId, "small")).status, 200);
  assertEquals((await upload(t.url, B, bobId, "bob's")).status, 200);
  const get = (token: string, id: string) =>
    fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });

  // Alice's first download holds her one slot while its body is unread.
  const held = await get(A, bigId);
  assertEquals(held.status, 200);
  try {
    assertEquals((await untilGauges(t.url, "downloads", (g) => g.active === 1)).active, 1);
    // Her second waits for it (counted as queued), then gets 503.
    const waiting = get(A, smallId);
    assertEquals((await untilGauges(t.url, "downloads", (g) => g.queued === 1)).queued, 1);
    // Bob's download goes through meanwhile.
    const bob = await get(B, bobId);
    assertEquals([bob.status, await bob.text()], [200, "bob's"]);
    const refused = await waiting;
    const text = await refused.text();
    assertEquals(refused.status, 503, text);
    assertEquals(refused.headers.get("retry-after"), "5");
    assertStringIncludes(text, "this identity's downloads");
    assertEquals((await transferGauges(t.url, "downloads")).queued, 0);
  } finally {
    await held.body?.cancel();
  }
  // Her slot is free once the held download ended.
  assertEquals((await untilGauges(t.url, "downloads", (g) => g.active === 0)).active, 0);
  const again = await get(A, smallId);
  assertEquals([again.status, await again.text()], [200, "small"]);
});

Deno.test("serve: a download queued for its identity's slot goes on when one frees", async () => {
  await using t = await startService({ maxDownloadsPerIdentity: 1, downloadQueueTimeoutMs: 0 });
  const A = t.tokens.alice;
  const bigId = (await newCacheId(t.url, A, { dl: 4 })).doc.cache_id as string;
  const smallId = (await newCacheId(t.url, A, { dl: 5 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, bigId, BIG, "big.bin")).status, 200);
  assertEquals((await upload(t.url, A, smallId, "small")).status, 200);
  const held = await fetch(`${t.url}/v1/cache/${bigId}`, { headers: { authorization: A } });
  assertEquals(held.status, 200);
  const waiting = fetch(`${t.url}/v1/cache/${smallId}`, { headers: { authorization: A } });
  assertEquals((await untilGauges(t.url, "downloads", (g) => g.queued === 1)).queued, 1);
  // Read to its end, the held download frees the slot for the waiting one.
  assertEquals((await held.bytes()).length, BIG.length);
  const res = await waiting;
  assertEquals([res.status, await res.text()], [200, "small"]);
});

Deno.test("serve: maxDownloadsPerIdentity must be a positive integer", async () => {
  await assertHandlerRefuses(
    "maxDownloadsPerIdentity",
    [0, 1.5, -1, Number.NaN],
    "maxDownloadsPerIdentity must be a positive integer",
  );
});
