/**
 * A path whose unreserved characters are percent-encoded (`/v1/cache%5Fid`,
 * as over-eager URL encoders and some proxies send `_`) is the same URI as
 * the plain one (RFC 3986 6.2.2.2), and Werkzeug, under the KBase server,
 * routes it so. vc serve decoded the cache ID's segment but not the route's
 * own: `/v1/cache/%61b…` was a download, `/v1/cache%5Fid` a 404 "no route".
 * An encoded reserved character (`%2F`) still stays data, never a separator.
 */
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("serve: percent-encoded unreserved characters in a route are read as the characters", async () => {
  await using t = await startService({ basePath: "/cache" });
  const auth = { authorization: t.tokens.alice };
  const json = { ...auth, "content-type": "application/json" };
  const origin = new URL(t.url).origin;
  const direct = await newCacheId(`${origin}/cache`, t.tokens.alice, { k: 1 });
  assertEquals(direct.status, 200, JSON.stringify(direct.doc));
  const id = String(direct.doc.cache_id);
  for (
    const path of ["/cache/v1/cache%5Fid", "/%63ache/%76%31/cache_id", "/cache/v1/cache%5fid/"]
  ) {
    const res = await fetch(`${origin}${path}`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ k: 1 }),
    });
    const doc = await res.json();
    assertEquals([res.status, doc.cache_id], [200, id], `${path}: ${JSON.stringify(doc)}`);
  }
  assertEquals((await upload(`${origin}/cache`, t.tokens.alice, id, "hi", "x.txt")).status, 200);
  const got = await fetch(`${origin}/cache/v1/%63ache/${id}`, { headers: auth });
  assertEquals([got.status, await got.text()], [200, "hi"]);
  // An encoded slash is data: no route.
  const slash = await fetch(`${origin}/cache/v1%2Fcache_id`, {
    method: "POST",
    headers: json,
    body: "{}",
  });
  assertEquals(slash.status, 404);
  await slash.body?.cancel();
});
