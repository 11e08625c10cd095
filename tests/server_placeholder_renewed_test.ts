/**
 * A cache ID "expires after 7 days if unused", and clients ask for it again
 * each time they use the cache (withCache: ask, look, compute, upload). Asking
 * again returned the old placeholder unchanged: a job that asked on day 6 of
 * a placeholder a failed run left behind, then computed for two days, had
 * its upload refused (404 Cache ID not found) and its output lost. Asking
 * for the ID of a placeholder now renews its reservation, once a day at most
 * (a write only when that gains more than a day), as a download does a file's.
 */
import { assertEquals } from "./assert.ts";
import { DAY, newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("cache_id: asking again for a placeholder's ID renews its 7 days", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const first = await newCacheId(t.url, alice, { job: 1 });
  const id = first.doc.cache_id as string;
  const expiration = () => newCacheId(t.url, alice, { job: 1 }).then((r) => r.doc.metadata);
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  assertEquals(
    (first.doc.metadata as { expiration: string }).expiration,
    seconds(t.clock.now() + 7 * DAY),
  );

  // Within a day of its reservation: no write, the same expiration.
  t.clock.advance(DAY / 2);
  assertEquals(
    ((await expiration()) as { expiration: string }).expiration,
    seconds(t.clock.now() - DAY / 2 + 7 * DAY),
  );
  // On day 6 the ID is asked for again, and 7 days start from then.
  t.clock.advance(5.5 * DAY);
  const renewed = (await expiration()) as { filename: string; expiration: string };
  assertEquals([renewed.filename, renewed.expiration], [
    "placeholder",
    seconds(t.clock.now() + 7 * DAY),
  ]);
  // Two days of computing later (day 8), the upload is taken.
  t.clock.advance(2 * DAY);
  assertEquals((await upload(t.url, alice, id, "output")).status, 200);
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await got.text(), "output");
  // A file's 30 days are not moved by asking for its ID (downloads and uploads do that).
  const fileExpiry = ((await expiration()) as { expiration: string }).expiration;
  t.clock.advance(3 * DAY);
  assertEquals(((await expiration()) as { expiration: string }).expiration, fileExpiry);
});
