/**
 * A metadata read damaged on its way (a proxy or a flaky link flipping
 * bytes) is not damaged metadata: the service reads it again before it
 * calls it unreadable, so asking for the cache ID again keeps the live entry
 * and its file (replacing it would orphan a good upload). Damage at rest,
 * read the same twice with the ETag of what the store holds, is still
 * unreadable (tests/server_unreadable_meta_test.ts).
 */
import { assertEquals } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { md5Hex } from "../src/hash.ts";

/**
 * A store whose next `damageNext` reads of a metadata object answer garbage:
 * under the object's ETag (damage on the way), or `atRest` under the
 * garbage's own (what a store computes for the bytes it holds).
 */
class FlakyMetaStore extends MemoryStore {
  damageNext = 0;
  atRest = false;
  damaged = 0;
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    const got = await super.get(key, options);
    if (!key.startsWith("meta/") || this.damageNext === 0) return got;
    this.damageNext--;
    this.damaged++;
    await got.body.cancel();
    const bytes = new TextEncoder().encode("{\u0000garbled");
    return {
      info: this.atRest ? { ...got.info, etag: `"${md5Hex(bytes)}"` } : got.info,
      body: new Response(bytes).body!,
      ...(got.bytes === undefined ? {} : { bytes }),
    };
  }
}

Deno.test("a metadata read damaged once in transit: the live entry and its file stay", async () => {
  const store = new FlakyMetaStore();
  await using svc = await startService({ store });
  const token = svc.tokens.alice;
  const params = { transit: "flip" };
  const id = (await newCacheId(svc.url, token, params)).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
  const data = await keys(store, "data/");

  store.damageNext = 1;
  const again = await newCacheId(svc.url, token, params);
  assertEquals(again.doc.cache_id, id);
  assertEquals(store.damaged, 1);
  const got = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals([got.status, await got.text()], [200, "payload"]);
  assertEquals(await keys(store, "data/"), data);

  // Damaged on every read (at rest, as far as anyone can tell): unreadable, a 404.
  store.atRest = true;
  store.damageNext = 2;
  const res = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
  await res.body?.cancel();
  assertEquals(res.status, 404);
});
