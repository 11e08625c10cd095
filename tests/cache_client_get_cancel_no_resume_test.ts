/**
 * A download's body that its reader cancels (`vc cache-client get ID | head`:
 * head exits, the pipe closes) is done with. The cancel ended the pending
 * read of the answer as if the body had ended short, and that was taken for
 * a cut: a `Range` request went out for the rest (nobody would read it), and
 * `vc cache-client get ID | head -c 100` printed `the answer ended at byte N
 * of the file's M; resuming at byte N` on stderr.
 */
import { assertEquals } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { listenToStoreRetries, type StoreRetry } from "../src/store/retry_notice.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 300_000;

Deno.test("cache-client get: a body cancelled by its reader mid-download is not resumed", async () => {
  await using service = await startService();
  const token = service.tokens.alice;
  const { doc } = await newCacheId(service.url, token, { sample: "cancelled body" });
  const id = doc.cache_id as string;
  assertEquals((await upload(service.url, token, id, new Uint8Array(SIZE).fill(7))).status, 200);
  // Downloads seen (their Range); the first answer's body gives one chunk
  // and then nothing more, as a slow service's does while its reader goes away.
  const ranges: (string | null)[] = [];
  const fetchSpy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if ((init?.method ?? "GET") !== "GET") return res;
    ranges.push(new Headers(init?.headers).get("range"));
    if (ranges.length > 1) return res;
    const reader = res.body!.getReader();
    const first = await reader.read();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(first.value!);
      },
      pull: () => new Promise<void>(() => {}),
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(stalled, { status: res.status, headers: res.headers });
  };
  const client = new CacheClient({ url: service.url, token, fetch: fetchSpy, retryBaseDelayMs: 0 });
  const heard: StoreRetry[] = [];
  const stop = listenToStoreRetries((r) => heard.push(r));
  try {
    const res = await client.get(id);
    const reader = res!.body!.getReader();
    assertEquals((await reader.read()).done, false);
    await reader.cancel(new Error("the reader went away"));
    // Long enough for a resume (no backoff here) to have been asked for.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    stop();
  }
  assertEquals(heard.map((r) => r.reason), []);
  assertEquals(ranges, [null]);
});
