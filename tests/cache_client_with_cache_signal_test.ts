// withCache's `signal` stops its look-up (the cache_id request and the
// download of a hit), not only the upload: before, a service gone silent
// held an aborted withCache until the request timeout, and a look-up that
// ended after the abort still started `compute`.
import { CacheClient, withCache } from "../src/server/client.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { rawServer } from "./raw_server.ts";

// Long enough that only the signal can end the calls below: without it they
// reject with the timeout's OfflineError, not the abort's reason.
const TIMEOUT_MS = 10_000;

Deno.test("withCache: the signal aborts a cache_id request the service does not answer", async () => {
  const controller = new AbortController();
  const reason = new Error("given up");
  // The request has reached the service: the user gives up then.
  await using server = rawServer(async (conn) => {
    controller.abort(reason);
    await conn.read(new Uint8Array(4096)).catch(() => null);
  });
  const client = new CacheClient({ url: server.url, token: "t", timeoutMs: TIMEOUT_MS });
  let computed = 0;
  const compute = () => Promise.resolve(new Uint8Array([++computed]));
  const error = await assertRejects(
    () => withCache({ k: 1 }, compute, { client, signal: controller.signal }),
  );
  assertEquals(error, reason);
  assertEquals(computed, 0);
});

Deno.test("withCache: an abort while the hit is looked up runs no compute", async () => {
  const controller = new AbortController();
  const reason = new Error("given up");
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.method === "POST") {
      return Response.json({
        status: "ok",
        cache_id: "a".repeat(128),
        metadata: { filename: "f" },
      });
    }
    // The download of a hit: the user gives up while it waits.
    controller.abort(reason);
    await new Promise((resolve) => req.signal.addEventListener("abort", resolve, { once: true }));
    return new Response(null, { status: 503 });
  });
  try {
    const client = new CacheClient({
      url: `http://127.0.0.1:${server.addr.port}`,
      token: "t",
      timeoutMs: TIMEOUT_MS,
    });
    let computed = 0;
    const compute = () => Promise.resolve(new Uint8Array([++computed]));
    const error = await assertRejects(
      () => withCache({ k: 1 }, compute, { client, signal: controller.signal }),
    );
    assertEquals(error, reason);
    assertEquals(computed, 0);
  } finally {
    await server.shutdown();
  }
});
