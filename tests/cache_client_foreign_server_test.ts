/**
 * `CacheClient` against a server that is not (only) the cache service: a
 * proxy's HTML error page, an "ok" without a cache ID, a redirect, a body
 * cut off mid-download. Each was a raw HTML dump, a TypeError, a puzzling
 * 405 / "missing Authorization header" (fetch followed the redirect as a
 * GET without the token) or an "internal error" with no cache ID; each is
 * now an error naming the request and what the server did, and a download
 * cut off leaves no file.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { OfflineError } from "../src/errors.ts";

const ID = "a".repeat(128);

function foreign(handler: (req: Request) => Response) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return handler(req);
  });
}

Deno.test("cache client: an HTML error page is named by its title, not dumped", async () => {
  await using server = foreign(() =>
    new Response(
      "<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>",
      {
        status: 502,
        headers: { "content-type": "text/html" },
      },
    )
  );
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  const e = await assertRejects(() => client.rm(ID), CacheServiceError);
  assert(
    e.message.includes(
      `delete of cache ${ID}: the cache service at http://127.0.0.1:${server.addr.port} failed (502)`,
    ),
    e.message,
  );
  assert(e.message.includes("an HTML page (502 Bad Gateway)"), e.message);
  assert(!e.message.includes("<h1>"), e.message);
});

Deno.test("cache client: an ok answer without a cache ID is refused, not a TypeError", async () => {
  await using server = foreign(() => Response.json({ status: "ok", cache_id: 5 }));
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  const e = await assertRejects(() => client.id({ k: 1 }), CacheServiceError);
  assert(e.message.includes('not {"cache_id", "metadata"}'), e.message);
});

Deno.test("cache client: a redirect is reported with its Location, not followed without the token", async () => {
  let seen = 0;
  await using server = foreign((req) => {
    seen++;
    return new Response(null, {
      status: 301,
      headers: { location: `http://127.0.0.1:9/elsewhere${new URL(req.url).pathname}` },
    });
  });
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  for (const call of [() => client.id({ k: 1 }), () => client.get(ID)]) {
    const e = await assertRejects(call, CacheServiceError);
    assertEquals(e.status, 301);
    assert(e.message.includes("redirects to http://127.0.0.1:9/elsewhere/v1/"), e.message);
  }
  assertEquals(seen, 2);
});

Deno.test("cache client: a redirect to an invalid URL is named as sent, not a bare TypeError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const location of ["http://[::1", "http://a b/", "//"]) {
      await using server = foreign(() =>
        new Response(null, { status: 302, headers: { location } })
      );
      const url = `http://127.0.0.1:${server.addr.port}`;
      const client = new CacheClient({ url, token: "t" });
      const dest = join(dir, "out");
      for (const call of [() => client.getBytes(ID), () => client.download(ID, dest)]) {
        const e = await assertRejects(call, CacheServiceError);
        assertEquals(e.status, 302);
        assert(
          e.message.includes(
            `download of cache ${ID}: the cache service at ${url} failed (302): it redirects to ${
              JSON.stringify(location)
            } (not a valid URL)`,
          ),
          e.message,
        );
      }
      await assertRejects(() => Deno.lstat(dest), Deno.errors.NotFound);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: a download cut off names the cache ID and leaves no file", async () => {
  await using server = foreign(() => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("gone"));
        sent = true;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    return new Response(body, { headers: { "content-length": String(1024 * 1024) } });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc_cut_" });
  try {
    for (const timeoutMs of [0, 5_000]) {
      const client = new CacheClient({
        url: `http://127.0.0.1:${server.addr.port}`,
        token: "t",
        timeoutMs,
      });
      const path = join(dir, "out.bin");
      const e = await assertRejects(() => client.download(ID, path), OfflineError);
      assert(e.message.includes(`download of cache ${ID}: the answer of`), e.message);
      assert(e.message.includes("broke off"), e.message);
      assertEquals(await Array.fromAsync(Deno.readDir(dir)), []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
