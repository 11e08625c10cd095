/**
 * withCache asks for the cache ID, looks, computes, uploads. When the ID's
 * placeholder went while `compute` ran (a computation longer than the 7
 * days of the reservation, a `DELETE` by another job, a store cleaned up),
 * the upload got 404 and withCache threw: the output it had just computed
 * (hours of work) was lost. It now asks for the ID again, which reserves a
 * new placeholder, and sends the output once more.
 */
import { CacheClient, withCache } from "../src/server/client.ts";
import { assertEquals } from "./assert.ts";
import { DAY, startService } from "./server_helpers.ts";

Deno.test("withCache: a placeholder gone during compute is reserved again and the output kept", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice, maxAttempts: 1 });
  let runs = 0;
  const slow = () => {
    runs++;
    t.clock.advance(8 * DAY); // longer than the placeholder's 7 days
    return Promise.resolve(new TextEncoder().encode("eight days of work"));
  };
  const first = await withCache({ job: "slow" }, slow, { client });
  assertEquals(new TextDecoder().decode(first), "eight days of work");
  // Stored: the next call is a hit, no compute.
  const again = await withCache({ job: "slow" }, slow, { client });
  assertEquals([runs, new TextDecoder().decode(again)], [1, "eight days of work"]);

  // Removed by another job while computing: kept all the same.
  const removed = () => {
    runs++;
    return client.id({ job: "removed" })
      .then(({ cacheId }) => client.rm(cacheId))
      .then(() => new TextEncoder().encode("kept"));
  };
  await withCache({ job: "removed" }, removed, { client });
  const { cacheId } = await client.id({ job: "removed" });
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "kept");
});
