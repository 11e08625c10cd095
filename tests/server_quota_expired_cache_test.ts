/**
 * A cache past its expiry still counts against its identity's quota until it
 * is removed (a sweep, or a request for its ID, which answers 404): the 413
 * says so (it said only "delete caches first", which a client that no longer
 * sees the cache cannot act on), and once it is removed the upload fits.
 */
import { Entries } from "../src/server/entries.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { DAY, newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("quota: an expired cache counts until a sweep, as the 413 says; after the sweep the upload fits", async () => {
  await using t = await startService({ maxBytesPerIdentity: 10_000 });
  const token = t.tokens.alice;
  const first = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, first, "a".repeat(9_000))).status, 200);
  t.clock.advance(31 * DAY);

  const second = (await newCacheId(t.url, token, { n: 2 })).doc.cache_id as string;
  const refused = await upload(t.url, token, second, "b".repeat(9_000));
  assertEquals(refused.status, 413);
  assertStringIncludes(String(refused.doc.error), "delete caches first");
  assertStringIncludes(
    String(refused.doc.error),
    "an expired cache counts until it is removed",
  );

  await new Entries(t.store, { clock: t.clock, maxBytesPerIdentity: 10_000 }).sweep();
  assertEquals((await upload(t.url, token, second, "b".repeat(9_000))).status, 200);
});

Deno.test("quota: a request for an expired cache's ID (404) removes it and frees its room", async () => {
  await using t = await startService({ maxBytesPerIdentity: 10_000 });
  const token = t.tokens.alice;
  const first = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, first, "a".repeat(9_000))).status, 200);
  t.clock.advance(31 * DAY);
  const gone = await fetch(`${t.url}/v1/cache/${first}`, { headers: { authorization: token } });
  await gone.body?.cancel();
  assertEquals(gone.status, 404);
  const second = (await newCacheId(t.url, token, { n: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, second, "b".repeat(9_000))).status, 200);
});
