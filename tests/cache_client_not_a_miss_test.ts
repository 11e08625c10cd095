/**
 * `CacheClient` against answers that only look like a miss, or never end:
 * a 404 that is not the API's "no such file" (vc serve's "no route" for a
 * URL without the service's base path, a proxy's HTML page) was reported as
 * "cache … has no file" (and withCache computed, to fail at the upload); an
 * endless answer to a JSON request was buffered until a bare
 * "RangeError: string too long" after gigabytes of memory; a filename with a
 * lone surrogate was a bare "URIError: URI malformed".
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { InvalidInputError } from "../src/errors.ts";
import { anyTokenService } from "./server_helpers.ts";

const ID = "a".repeat(128);

Deno.test("cache client: a 404 for a URL without the base path is an error, not a miss", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using service = await anyTokenService(dir, { basePath: "cache" });
    const good = new CacheClient({ url: service.url, token: "alice" });
    const { cacheId } = await good.id({ k: 1 });
    assertEquals(await good.get(cacheId), undefined); // a placeholder: a miss
    await good.put(cacheId, new TextEncoder().encode("result"));
    const root = new URL(service.url).origin;
    const wrong = new CacheClient({ url: root, token: "alice" });
    const e = await assertRejects(() => wrong.get(cacheId), CacheServiceError);
    assertEquals(e.status, 404);
    assert(
      e.message.includes(
        `download of cache ${cacheId}: the cache service at ${root} failed (404): no route`,
      ),
      e.message,
    );
    assert(e.message.includes("base path"), e.message);
    await assertRejects(() => wrong.download(cacheId, join(dir, "out")), CacheServiceError);
    await assertRejects(() => Deno.lstat(join(dir, "out")), Deno.errors.NotFound);
    let runs = 0;
    await assertRejects(
      () => wrong.withCache({ k: 1 }, () => Promise.resolve(new Uint8Array([++runs]))),
      CacheServiceError,
    );
    assertEquals(runs, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: a proxy's 404 page is an error naming it, not a miss", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response("<html><title>404 Not Found</title></html>", {
        status: 404,
        headers: { "content-type": "text/html" },
      }),
  );
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  const e = await assertRejects(() => client.get(ID), CacheServiceError);
  assert(
    e.message.includes(
      `download of cache ${ID}: the cache service at http://127.0.0.1:${server.addr.port} failed (404)`,
    ),
    e.message,
  );
  assert(e.message.includes("an HTML page (404 Not Found)"), e.message);
});

Deno.test("cache client: the API's 404 is still a miss", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json({ status: "error", error: "Cache ID not found" }, { status: 404 }),
  );
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  assertEquals(await client.get(ID), undefined);
  assertEquals(await client.getBytes(ID), undefined);
});

Deno.test("cache client: an endless answer to a JSON request is refused after 1 MiB", async () => {
  for (const status of [200, 500]) {
    let sent = 0;
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
      const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          // Bounded for the test: 256 MiB, far past the limit.
          if (sent++ < 4096) c.enqueue(chunk);
          else c.close();
        },
      });
      return new Response(body, { status, headers: { "content-type": "application/json" } });
    });
    // One attempt: a 500 is retried, and each answer's reading is what is bounded here.
    const url = `http://127.0.0.1:${server.addr.port}`;
    const client = new CacheClient({ url, token: "t", maxAttempts: 1 });
    const e = await assertRejects(() => client.id({ k: 1 }), CacheServiceError);
    assertEquals(e.status, status);
    assert(
      e.message.includes(`cache_id: the cache service at ${url} failed (${status})`),
      e.message,
    );
    if (status === 200) assert(e.message.includes("more than 1 MiB"), e.message);
    assert(sent < 200, `read ${sent} chunks`);
  }
});

Deno.test("cache client: a filename with a lone surrogate is refused before any request", async () => {
  let requests = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    requests++;
    return Response.json({ status: "ok" });
  });
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  const e = await assertRejects(
    () => client.put(ID, new Uint8Array([1]), { filename: "a\uD800b" }),
    InvalidInputError,
  );
  assert(e.message.includes("not well-formed Unicode"), e.message);
  assertEquals(requests, 0);
});
