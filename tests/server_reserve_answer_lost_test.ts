/**
 * A new cache ID asked for where its entry has expired replaces the entry
 * with a placeholder, conditional on the version read. When the store made
 * that write but its answer was lost (a reset, a proxy's 500), the store's
 * retry gets 412, since the metadata is already this placeholder. It is the
 * request's own write: the expired file must still come off the owner's
 * usage and its data go (before, the usage kept its size until a recount,
 * and its data was left for a sweep).
 */
import { UsageCounter } from "../src/server/quota.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { DAY, keys, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

Deno.test("serve over S3: a cache ID replacing an expired entry whose answer is lost counts the file off", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using t = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 30,
  });
  const token = t.tokens.alice;
  const id = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, id, "ten bytes!")).status, 200);
  t.clock.advance(31 * DAY);
  // The first metadata write is the create-only one (412: the entry is
  // there); the second replaces the expired entry, and loses its answer.
  let metaWrites = 0;
  fake.failNext(
    1,
    "lostResponse",
    (r) => r.op === "PutObject" && r.key === `svc/meta/${id}.json` && ++metaWrites === 2,
  );
  const again = await newCacheId(t.url, token, { n: 1 });
  assertEquals([again.status, again.doc.cache_id], [200, id]);
  assertEquals(metaWrites, 2);
  assertEquals(await new UsageCounter(t.store, Infinity).bytes("token-file:alice"), 0);
  assertEquals(await keys(t.store, "data/"), []);
});
