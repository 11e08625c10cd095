/**
 * A removal's claim (the metadata rewritten as expired, conditional on the
 * version read) that the store made but whose answer was lost (a reset, a
 * proxy's 500 after S3 stored it): the store's retry gets 412, since the
 * metadata is already this claim. That is the remover's own claim, so it
 * won and counts the removal: the DELETE answers 200 and the owner's usage
 * goes down by the file (before, the DELETE answered 404 and the usage kept
 * the file's size until a recount, so the quota refused uploads).
 */
import { Entries } from "../src/server/entries.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { DAY, keys, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

const OWNER = "token-file:alice";

for (const remover of ["DELETE", "sweep"] as const) {
  Deno.test(`serve over S3: a removal claim whose answer is lost counts the removal (${remover})`, async () => {
    await using fake = await startFakeS3({ buckets: ["cache"] });
    await using t = await startService({
      store: serviceS3Store(fake.url, "svc"),
      maxBytesPerIdentity: 30,
    });
    const token = t.tokens.alice;
    const usage = new UsageCounter(t.store, Infinity);
    const id = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, token, id, "ten bytes!")).status, 200);
    assertEquals(await usage.bytes(OWNER), 10);
    fake.failNext(
      1,
      "lostResponse",
      (r) => r.op === "PutObject" && r.key === `svc/meta/${id}.json`,
    );
    if (remover === "DELETE") {
      const res = await fetch(`${t.url}/v1/cache/${id}`, {
        method: "DELETE",
        headers: { authorization: token },
      });
      assertEquals([res.status, await res.text()], [200, `{"status":"ok"}`]);
    } else {
      t.clock.advance(31 * DAY);
      const entries = new Entries(t.store, { clock: t.clock, maxBytesPerIdentity: 30 });
      assertEquals((await entries.sweep()).removed, 1);
    }
    assertEquals(await usage.bytes(OWNER), 0);
    assertEquals(await keys(t.store, "meta/"), []);
    assertEquals(await keys(t.store, "data/"), []);
  });
}
