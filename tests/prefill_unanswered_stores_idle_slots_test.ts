/**
 * The stores that have not answered hold half the download slots between
 * them while other stores have work, so that the others' items are not held
 * up. When the only other work is that of stores that have not answered
 * either (two buckets behind an endpoint that never answers), that work
 * cannot take the slots kept for it: each store's items waited for the
 * other's, and a slot stood idle for the whole run (3 of 4 in flight here,
 * 9 of 16 at the defaults, the second store at 1 slot until the first was
 * taken for down).
 */
import { assert } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { silentStoreCache } from "./cache_s3_helpers.ts";

Deno.test("prefill: stores that have not answered use every slot when no other store has work", async () => {
  // No item of the silent stores ends during the test (no failure frees a slot).
  await using silentCache = await silentStoreCache("vc-prefill-unanswered-idle-slots-");
  const { server, cache } = silentCache;
  const controller = new AbortController();
  const dead = (bucket: string) => Array.from({ length: 10 }, (_, i) => `s3://${bucket}/k${i}`);
  const running = prefill({
    cache,
    uris: [...dead("dead"), ...dead("dead2")],
    concurrency: 4,
    signal: controller.signal,
  }).catch(() => {});
  try {
    // Every slot's request reaches the server (one connection each), or,
    // one slot idle, the count stays at 3 until the guard stops the wait.
    const guard = AbortSignal.timeout(10_000);
    while (server.accepted() < 4 && !guard.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert(server.accepted() >= 4, `requests in flight: ${server.accepted()} of 4 slots`);
  } finally {
    controller.abort();
    await running;
  }
});
