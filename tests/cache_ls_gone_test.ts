// `ls` says which copies belong to objects the store said are deleted: such a
// copy stays on disk but is not served, so listing it like any other entry
// read as if it were still cached.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("ls marks a copy whose object the store deleted as gone", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    await s3.putObject("b", "kept.txt", "kept");
    const clock = new ManualClock(10_000_000);
    const cache = make({ timeout: 10, clock });
    await cache.cache("s3://b/k.txt");
    await cache.cache("s3://b/kept.txt");
    const res = await fetch(`${s3.url}/b/k.txt`, { method: "DELETE" });
    await res.body?.cancel();
    await clock.advance(20_000);
    await assertRejects(() => cache.cache("s3://b/k.txt"), NotFoundError, "no longer exists");
    const entries = await cache.ls();
    assertEquals(entries.map((e) => [e.uri, e.gone]), [
      ["s3://b/k.txt", true],
      ["s3://b/kept.txt", undefined],
    ]);
    assert(!("gone" in entries[1]!));
  }, { maxAttempts: 1 });
});
