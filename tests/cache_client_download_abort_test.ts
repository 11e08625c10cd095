/**
 * `CacheClient.download`, `get` and `getBytes` (so `vc cache-client get`)
 * stop when their signal aborts while the body is coming. fetch's abort does
 * not end a body that is already flowing from a remote service (its chunks
 * kept coming), so a Ctrl-C or SIGTERM of `vc cache-client get ID DEST` let
 * the download run to its end and exit 0 with DEST written. Now the body
 * stops at the abort itself: the call rejects with the signal's reason,
 * DEST is not written and no temp file is left beside it.
 */
import { join } from "node:path";
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals } from "./assert.ts";

const CACHE_ID = "a".repeat(128);
const CHUNKS = 64;

/** A service whose file keeps coming whatever the request's signal says (bounded: CHUNKS chunks). */
const flowingFetch: typeof fetch = (input) => {
  assert(String(input).endsWith(`/v1/cache/${CACHE_ID}`), String(input));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === CHUNKS) controller.close();
      else controller.enqueue(new Uint8Array(1024).fill(7));
    },
  });
  return Promise.resolve(new Response(body, { status: 200 }));
};

function interruptOnFirstBytes(): { signal: AbortSignal; onProgress: () => void } {
  const stop = new AbortController();
  return {
    signal: stop.signal,
    onProgress: () => stop.abort(new DOMException("interrupted", "AbortError")),
  };
}

Deno.test("CacheClient.download: an abort while the body flows stops it, DEST untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cc-abort-" });
  try {
    const client = new CacheClient({ url: "http://127.0.0.1:9", token: "t", fetch: flowingFetch });
    const result = await client.download(CACHE_ID, join(dir, "got.bin"), interruptOnFirstBytes())
      .then((ok) => ({ ok }), (error: unknown) => ({ error }));
    assert("error" in result, `the download ran to its end: ${JSON.stringify(result)}`);
    assertEquals((result.error as Error).name, "AbortError", String(result.error));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient.get: reading the body after an abort rejects, never a short body that ends", async () => {
  const client = new CacheClient({ url: "http://127.0.0.1:9", token: "t", fetch: flowingFetch });
  const stop = new AbortController();
  const res = await client.get(CACHE_ID, { signal: stop.signal });
  assert(res?.body);
  const reader = res.body.getReader();
  assert(!(await reader.read()).done);
  stop.abort(new DOMException("interrupted", "AbortError"));
  let read = 0;
  const error = await (async () => {
    for (; read <= CHUNKS; read++) if ((await reader.read()).done) return undefined;
  })().then(() => undefined, (e: unknown) => e);
  assert(error instanceof DOMException, `the body went on (${read} more chunks): ${error}`);
  assertEquals(error.name, "AbortError");
});
