/**
 * A cold download's request heard the stop of its download (the cache's
 * flight: the last caller gone, or `close()`) through an `abort` event
 * listener added to the flight's fresh signal, once per object: on a fresh
 * signal Deno's `addEventListener` allocates its listener map, record and
 * options (~0.9 KB), a cold prefill's to pay a thousand times. The flight's
 * controller is a `HubController` now (abort_hub.ts): its `abort()` runs the
 * callbacks registered with `onAbort` itself, so no listener is added, and
 * the stop still reaches the request.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { prefill } from "../src/prefill/prefill.ts";

/** Runs `fn`, counting the `abort` listeners added to any `AbortSignal` meanwhile. */
async function abortListenersAdded(fn: () => Promise<unknown>): Promise<number> {
  const add = AbortSignal.prototype.addEventListener;
  let added = 0;
  AbortSignal.prototype.addEventListener = function (
    this: AbortSignal,
    ...args: Parameters<typeof add>
  ) {
    if (args[0] === "abort") added++;
    return add.apply(this, args);
  } as typeof add;
  try {
    await fn();
  } finally {
    AbortSignal.prototype.addEventListener = add;
  }
  return added;
}

const NAMES = Array.from({ length: 12 }, (_, i) => `k${i}.txt`);

Deno.test("cold cache() downloads add no abort listener per object", async () => {
  await withS3Cache(async (s3, make) => {
    for (const n of [...NAMES, "first.txt"]) await s3.putObject("b", n, n);
    const cache = make();
    // The first download opens the store (and loads the modules).
    await cache.cache("s3://b/first.txt");
    let paths: string[] = [];
    const added = await abortListenersAdded(async () => {
      paths = await Promise.all(NAMES.map((n) => cache.cache(`s3://b/${n}`)));
    });
    for (const [i, p] of paths.entries()) assertEquals(await Deno.readTextFile(p), NAMES[i]);
    assertEquals(added, 0);
  });
});

Deno.test("a cold prefill with a caller's signal adds no abort listener per object", async () => {
  await withS3Cache(async (s3, make) => {
    for (const n of [...NAMES, "first.txt"]) await s3.putObject("b", n, n);
    const cache = make();
    await cache.cache("s3://b/first.txt");
    const controller = new AbortController();
    const added = await abortListenersAdded(async () => {
      const summary = await prefill({
        cache,
        uris: NAMES.map((n) => `s3://b/${n}`),
        signal: controller.signal,
      });
      assertEquals([summary.fetched, summary.failed], [NAMES.length, []]);
    });
    // The run's own listeners on the caller's signal (2 today), none per item.
    assertEquals(added <= 2, true, `${added} abort listeners for ${NAMES.length} items`);
  });
});

Deno.test("a download whose only caller stops is still stopped by the flight's signal", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "first.txt", "1");
    await s3.putObject("b", "slow.txt", "x".repeat(64));
    const cache = make();
    await cache.cache("s3://b/first.txt");
    const controller = new AbortController();
    const pending = cache.cache("s3://b/slow.txt", { signal: controller.signal });
    controller.abort(new Error("stopped by the caller"));
    await assertRejects(() => pending, Error, "stopped by the caller");
    // Nothing was left half done: the next call downloads it whole.
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/slow.txt")), "x".repeat(64));
  });
});
