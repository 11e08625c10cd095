/**
 * Metadata whose `dataKey` is no key the service writes (`data/../x`, put
 * there by whoever can write the store) is an entry that cannot be used, as
 * metadata that does not parse is: a download is a 404 naming the metadata
 * object (not a 500 internal error with the store's refusal), and the owner
 * asking for the cache ID again replaces it. The key is never read.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("metadata with a dataKey outside data/: 404 naming it, replaced by its owner", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const params = { hostile: "dataKey" };
  const id = (await newCacheId(svc.url, token, params)).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
  await Deno.writeTextFile(`${svc.dir}/outside.txt`, "not the service's");
  const meta = {
    owner: "token-file:alice",
    filename: "a.txt",
    expiresAt: Date.now() + 86_400_000,
    size: 17,
    dataKey: "data/../../outside.txt",
  };
  await svc.store.put(`meta/${id}.json`, new TextEncoder().encode(JSON.stringify(meta)));

  const res = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  const body = await res.text();
  assertEquals(res.status, 404, body);
  assertStringIncludes(body, `meta/${id}.json`);
  assertStringIncludes(body, "dataKey");

  const again = await newCacheId(svc.url, token, params);
  assertEquals(again.doc.cache_id, id);
  assertEquals((await upload(svc.url, token, id, "fresh")).status, 200);
  const got = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals([got.status, await got.text()], [200, "fresh"]);
  assertEquals(await Deno.readTextFile(`${svc.dir}/outside.txt`), "not the service's");
});
