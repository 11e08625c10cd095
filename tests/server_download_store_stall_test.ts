/**
 * A download whose store stops sending mid-body (its connection open) is
 * held by the same bound as a client that stops reading: the service passes
 * the bytes untouched and cannot tell the two apart, so the log line's
 * error must name both causes. It blamed only the client ("the client read
 * slower … or stopped reading"), sending an operator after clients while
 * the store was stalling.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";
import { FsStore } from "../src/store/fs.ts";
import { logRecord, newCacheId, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const SIZE = 1 << 20;

/**
 * `inner`, with data objects' bodies stalling (open, silent) after their
 * first half; the read's signal ends the stall.
 */
function stallingDataBodies(inner: ObjectStore, stall: { on: boolean }): ObjectStore {
  const get = async (key: string, options?: GetOptions): Promise<GetResult> => {
    const result = await inner.get(key, options);
    if (!stall.on || !key.startsWith("data/")) return result;
    const reader = result.body.getReader();
    let sent = 0;
    const stalled = Promise.withResolvers<void>();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= SIZE / 2) {
          // Silent from here on, until the read is aborted (as a store's is).
          const signal = options?.signal;
          signal?.addEventListener("abort", () => stalled.reject(signal.reason), { once: true });
          return await stalled.promise;
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        sent += value.length;
        controller.enqueue(value);
      },
      async cancel(reason) {
        stalled.resolve();
        await reader.cancel(reason);
      },
    });
    return { info: result.info, body };
  };
  return overriding(inner, { get });
}

Deno.test("serve: a download whose store stalls mid-body is cut, the log naming the store too", async () => {
  const stall = { on: false };
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_store_stall_" });
  try {
    await using t = await startService({
      store: stallingDataBodies(new FsStore(dir), stall),
      bodyIdleTimeoutMs: 300,
      downloadMinRate: 64 << 20,
    });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    assertEquals(
      (await upload(t.url, t.tokens.alice, id, new Uint8Array(SIZE), "big.bin")).status,
      200,
    );
    stall.on = true;
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
      signal: AbortSignal.timeout(20_000), // bounded whatever happens
    });
    assertEquals(res.status, 200);
    // The cut ends the body before its length: never a clean end.
    const ended = await res.bytes().then((b) => `clean end at ${b.length}`, () => "cut");
    assertEquals(ended, "cut");
    const record = await logRecord(
      t.logs,
      (r) => r.method === "GET" && String(r.error).includes("download cut"),
    );
    assertEquals(record.aborted, true);
    assertStringIncludes(String(record.error), "or the store stopped sending");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
