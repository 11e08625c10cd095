/**
 * An upload waiting for one of `maxUploads` slots waited with no bound:
 * clients holding every slot (trickling their bodies just over the floor)
 * left each later upload hanging with no answer at all. A queued upload now
 * waits at most `uploadQueueTimeoutMs`, then gets 503 with `Retry-After`
 * (its body unread, nothing stored), which `CacheClient`, curl's `--retry`
 * and `requests`' `Retry` treat as "try again later".
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  assertHandlerRefuses,
  heldUpload,
  keys,
  newCacheId,
  startService,
  transferGauges,
  untilGauges,
  upload,
} from "./server_helpers.ts";

Deno.test("serve: an upload queued past uploadQueueTimeoutMs gets 503 with Retry-After", async () => {
  await using t = await startService({ maxUploads: 1, uploadQueueTimeoutMs: 200 });
  const A = t.tokens.alice;
  const heldId = (await newCacheId(t.url, A, { q: 1 })).doc.cache_id as string;
  const queuedId = (await newCacheId(t.url, A, { q: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, queuedId, "old")).status, 200);
  const before = await keys(t.store, "data/");
  const held = heldUpload(t.url, A, heldId);
  try {
    // The held upload takes the only slot once its body is being read.
    assertEquals(
      (await untilGauges(t.url, "uploads", (g) => g.active === 1)).active,
      1,
      "the held upload never took its slot",
    );
    const form = new FormData();
    form.append("file", new Blob(["new"], { type: "text/plain" }), "b.txt");
    // Before, this answer never came: a guard so the test fails instead of hanging.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const res = await Promise.race([
      fetch(`${t.url}/v1/cache/${queuedId}`, {
        method: "POST",
        headers: { authorization: A },
        body: form,
      }),
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error("the queued upload got no answer")), 10_000);
      }),
    ]).finally(() => clearTimeout(guard));
    const doc = await res.json();
    assertEquals(res.status, 503, JSON.stringify(doc));
    assert(Number(res.headers.get("retry-after")) >= 1, "a Retry-After in seconds");
    assertStringIncludes(JSON.stringify(doc), "upload slot");
    assertEquals(
      (await transferGauges(t.url, "uploads")).queued,
      0,
      "the queued upload left the queue",
    );
  } finally {
    held.finish();
  }
  assertEquals((await held.answer).status, 200);
  const got = await fetch(`${t.url}/v1/cache/${queuedId}`, { headers: { authorization: A } });
  assertEquals(await got.text(), "old", "the refused upload stored nothing");
  const added = (await keys(t.store, "data/")).filter((k) => !before.includes(k));
  assertEquals(added.length, 1, "only the held upload stored a file");
  // The slot is free again: the next upload goes through.
  assertEquals((await upload(t.url, A, queuedId, "new")).status, 200);
});

Deno.test("serve: uploadQueueTimeoutMs must be a number, 0 or more", async () => {
  await assertHandlerRefuses(
    "uploadQueueTimeoutMs",
    [-1, Number.NaN, "5"],
    "uploadQueueTimeoutMs",
  );
});
