/**
 * A DELETE first claims its entry (a conditional metadata write) and counts
 * it off the owner's usage: from then on the entry is gone for every reader.
 * A store failure deleting the data or the claim after that answered 503
 * ("try again later"), and the retry then got 404 `Cache ID not found`, so
 * `vc cache-client rm` failed both times for a delete that had happened.
 * Found with a fault-injecting fake S3 behind `vc serve`. The rest is left
 * to a sweep, as an upload leaves the file it replaced.
 */
import { Entries } from "../src/server/entries.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { failingDeletes } from "./server_helpers.ts";

const bytes = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);

for (const prefix of ["data/", "meta/"]) {
  Deno.test(`serve: a DELETE whose ${prefix} delete fails after its claim is done, and a sweep finishes it`, async () => {
    await using inner = new MemoryStore();
    const failing: { prefix: string | undefined } = { prefix: undefined };
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const entries = new Entries(failingDeletes(inner, failing), {
      clock,
      maxBytesPerIdentity: 1_000_000,
    });
    const owner = "token-file:alice";
    const id = "c".repeat(128);
    await entries.reserve(id, owner);
    await entries.upload(id, owner, { filename: "out.txt", body: bytes("0123456789") });
    failing.prefix = prefix;
    await entries.remove(id, owner); // was: StoreError (503 to the client)
    assertEquals(await new UsageCounter(inner, Infinity).bytes(owner), 0);
    await assertRejects(() => entries.open(id, owner)); // gone for readers (404)
    failing.prefix = undefined;
    clock.jump(2 * 86_400_000);
    await entries.sweep();
    const left: string[] = [];
    for await (const info of inner.list("")) {
      if (!info.key.startsWith("usage")) left.push(info.key);
    }
    assertEquals(left, []);
    assertEquals(await new UsageCounter(inner, Infinity).bytes(owner), 0);
  });
}
