/**
 * What the KBase file cache API v1's clients notice, beyond the status codes:
 * the Python `kbase_cache_client` tells a missing cache apart by the error
 * text `Cache ID not found` (as the KBase server sends it), and a KBase token
 * whose `expires` has passed is refused at once (the KBase server asks the
 * auth service on every request), however long answers are otherwise cached.
 */
import { KBaseAuth } from "../src/server/auth.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { DAY, ManualClock, newCacheId, startService, upload } from "./server_helpers.ts";

async function call(
  url: string,
  method: string,
  token: string,
): Promise<{ status: number; doc: Record<string, unknown> }> {
  const res = await fetch(url, { method, headers: { authorization: token } });
  return { status: res.status, doc: await res.json() };
}

Deno.test("kbase compat: every missing cache is 404 'Cache ID not found', details in the log", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const notFound = { status: "error", error: "Cache ID not found" };
  const id = (await newCacheId(t.url, alice, { job: 1 })).doc.cache_id as string;
  const at = `${t.url}/v1/cache/${id}`;
  // A placeholder has no file to download (the KBase server says the same).
  assertEquals(await call(at, "GET", alice), { status: 404, doc: notFound });
  // Never generated, and not an ID at all.
  const unknown = `${t.url}/v1/cache/${"0".repeat(128)}`;
  for (const method of ["GET", "DELETE"]) {
    assertEquals(await call(unknown, method, alice), { status: 404, doc: notFound }, method);
    assertEquals(
      await call(`${t.url}/v1/cache/xyz`, method, alice),
      { status: 404, doc: notFound },
      method,
    );
  }
  assertEquals((await upload(t.url, alice, "f".repeat(128), "x")).doc, notFound);
  // Deleted: the second DELETE (kbase_cache_client's CacheNonexistent), GET and upload.
  assertEquals((await upload(t.url, alice, id, "data")).status, 200);
  assertEquals(await call(at, "DELETE", alice), { status: 200, doc: { status: "ok" } });
  assertEquals(await call(at, "DELETE", alice), { status: 404, doc: notFound });
  assertEquals(await call(at, "GET", alice), { status: 404, doc: notFound });
  assertEquals(await upload(t.url, alice, id, "again"), { status: 404, doc: notFound });
  // vc's own client names the ID the service no longer does.
  const client = new CacheClient({ url: t.url, token: alice });
  const error = await assertRejects(() => client.rm(id), CacheServiceError);
  assertStringIncludes(
    error.message,
    `delete of cache ${id}: the cache service at ${t.url} failed (404): Cache ID not found`,
  );
  // Expired (31 idle days).
  assertEquals((await newCacheId(t.url, alice, { job: 1 })).doc.cache_id, id);
  assertEquals((await upload(t.url, alice, id, "data")).status, 200);
  t.clock.advance(31 * DAY);
  assertEquals(await call(at, "DELETE", alice), { status: 404, doc: notFound });
  // Which ID and why stay in the log.
  const errors = t.logs.map((line) => JSON.parse(line).error as string | undefined);
  for (
    const why of ["no file yet (placeholder)", "not found", "is not a cache ID", "has expired"]
  ) {
    assert(errors.some((e) => e?.startsWith("Cache ID not found: cache ") && e.includes(why)), why);
  }
});

Deno.test("kbase compat: a KBase token is not taken past its expires nor its cachefor", async () => {
  const clock = new ManualClock();
  const state = { calls: 0, expires: clock.now() + 60_000, cachefor: 300_000 };
  await using auth = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    state.calls++;
    if (req.headers.get("authorization") !== "tok" || clock.now() >= state.expires) {
      return Response.json({ error: { httpcode: 401, message: "10020 Invalid token" } }, {
        status: 401,
      });
    }
    return Response.json({
      type: "Service",
      user: "alice",
      expires: state.expires,
      cachefor: state.cachefor,
    });
  });
  const authUrl = `http://127.0.0.1:${auth.addr.port}`;
  await using t = await startService({
    auth: new KBaseAuth({ authUrl, clock, ttlMs: 3_600_000 }),
  });
  assertEquals((await newCacheId(t.url, "tok", { a: 1 })).status, 200);
  clock.advance(30_000);
  assertEquals((await newCacheId(t.url, "tok", { a: 1 })).status, 200);
  assertEquals(state.calls, 1, "reused before it expires");
  clock.advance(30_000);
  const late = await newCacheId(t.url, "tok", { a: 1 });
  assertEquals([late.status, late.doc.error], [401, "invalid token"]);
  assertEquals(state.calls, 2);
  // A token that lives on is asked about again after cachefor, not the 1 h TTL.
  state.expires = clock.now() + 10 * DAY;
  state.cachefor = 60_000;
  assertEquals((await newCacheId(t.url, "tok", { a: 1 })).status, 200);
  clock.advance(59_000);
  assertEquals((await newCacheId(t.url, "tok", { a: 1 })).status, 200);
  assertEquals(state.calls, 3);
  clock.advance(2_000);
  assertEquals((await newCacheId(t.url, "tok", { a: 1 })).status, 200);
  assertEquals(state.calls, 4);
});
