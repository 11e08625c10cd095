/**
 * `CacheClient.rm` (so `vc cache-client rm`) retries a DELETE whose answer
 * was lost: a proxy's 502/504 after the service removed the entry, or a
 * connection reset after it did. The retry then finds the entry gone (404),
 * and `rm` reported "delete failed (404): Cache ID not found" for a removal
 * that was made. A 404 at a retry now means done; a 404 at the first attempt
 * (nothing was there to delete) is still an error, as before.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/mod.ts";
import { anyTokenService } from "./server_helpers.ts";

/** A proxy in front of `backend` that forwards the first DELETE, then answers 502 for it. */
function losingFront(backend: string) {
  let deletes = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.body === null ? undefined : await req.arrayBuffer();
    const res = await fetch(`${backend}${url.pathname}`, {
      method: req.method,
      headers: req.headers,
      ...(body === undefined ? {} : { body }),
    });
    if (req.method === "DELETE" && ++deletes === 1) {
      await res.body?.cancel();
      return new Response("<html><title>502 Bad Gateway</title></html>", { status: 502 });
    }
    return res;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    deletes: () => deletes,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("CacheClient.rm: a removal whose answer was lost is done, not a 404 failure", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_client_rm_answer_lost_" });
  try {
    await using service = await anyTokenService(dir);
    await using front = losingFront(service.url);
    const client = new CacheClient({ url: front.url, token: "alice", retryBaseDelayMs: 1 });
    const { cacheId } = await client.id({ k: 1 });
    await client.put(cacheId, new TextEncoder().encode("result"));
    await client.rm(cacheId);
    assertEquals(front.deletes(), 2);
    assertEquals(await client.getBytes(cacheId), undefined);
    // Nothing there at the first attempt: still the service's 404, at once.
    const direct = new CacheClient({ url: service.url, token: "alice", retryBaseDelayMs: 1 });
    const error = await assertRejects(() => direct.rm(cacheId), CacheServiceError);
    assertEquals(error.status, 404);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
