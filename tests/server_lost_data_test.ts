/**
 * An entry whose data object is gone from the store (a bucket lifecycle rule,
 * someone's cleanup) while its metadata lives: a download is a 404 the client
 * can recover from (recompute, upload again), not a 500 on every try.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("GET of an entry whose data object was deleted behind the service's back is a 404", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { purpose: "lost data" })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
  const data = (await keys(svc.store, "data/")).filter((k) => k.startsWith(`data/${id}/`));
  assertEquals(data.length, 1);
  await svc.store.delete(data);
  const res = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  const body = await res.text();
  assertEquals(res.status, 404, body);
  assertStringIncludes(body, id);
  // Uploading again repairs the entry.
  assertEquals((await upload(svc.url, token, id, "again")).status, 200);
  const again = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals([again.status, await again.text()], [200, "again"]);
});
