/**
 * A download waiting for its identity's share (`maxDownloadsPerIdentity`)
 * was bounded by `uploadQueueTimeoutMs` (`--upload-queue-timeout`), a name
 * that says nothing about downloads: an operator tuning how long downloads
 * may wait had to find it in the fine print, and could not let uploads wait
 * on while bounding downloads. Downloads now have their own bound,
 * `downloadQueueTimeoutMs` (`--download-queue-timeout`, default 60 s, 0:
 * waits on), checked like the other amounts, and `uploadQueueTimeoutMs`
 * bounds uploads only.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { createHandler } from "../src/server/handler.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

// Large enough that its response is still being sent while its body is not read.
const BIG = new Uint8Array(32 << 20).fill(7);

Deno.test("serve: a queued download waits downloadQueueTimeoutMs, not uploadQueueTimeoutMs", async () => {
  // Uploads wait on (0); downloads are bounded on their own.
  await using t = await startService({
    maxDownloadsPerIdentity: 1,
    uploadQueueTimeoutMs: 0,
    downloadQueueTimeoutMs: 300,
  });
  const A = t.tokens.alice;
  const bigId = (await newCacheId(t.url, A, { dq: 1 })).doc.cache_id as string;
  const smallId = (await newCacheId(t.url, A, { dq: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, A, bigId, BIG, "big.bin")).status, 200);
  assertEquals((await upload(t.url, A, smallId, "small")).status, 200);
  const get = (id: string) => fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: A } });
  const held = await get(bigId);
  try {
    assertEquals(held.status, 200);
    const refused = await get(smallId);
    const text = await refused.text();
    assertEquals(refused.status, 503, text);
    assertEquals(refused.headers.get("retry-after"), "5");
    assertStringIncludes(text, "no download slot came free within 0.3 s");
  } finally {
    await held.body?.cancel();
  }
});

Deno.test("serve: downloadQueueTimeoutMs is checked like the other amounts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_download_queue_timeout_" });
  try {
    const store = new FsStore(dir);
    for (const bad of [-1, Number.NaN, "60"]) {
      const e = assertThrows(
        () =>
          createHandler({
            store,
            auth: { authenticate: () => Promise.reject() },
            downloadQueueTimeoutMs: bad as number,
          }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "downloadQueueTimeoutMs");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
