/**
 * With `onUnreachable: "fail"`, a second call in the minute after the store
 * was found unreachable (that entry's or another's) rejected with the reason
 * said twice: `cannot reach the store to revalidate s3://b/a.txt (cached at
 * …): cannot reach the store to revalidate s3://b/a.txt (cached at …): not
 * asked: …`, the refusal thrown inside the revalidation's own try and
 * caught there as one more unreachable store. It is said once.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { OfflineError } from "../mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const count = (text: string, part: string) => text.split(part).length - 1;

Deno.test('onUnreachable "fail": a store just found unreachable is named once in the next refusals', async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "a.txt", "a");
    await s3.putObject("b", "b.txt", "b");
    const clock = new ManualClock(Date.now());
    const cache = make({ clock, timeout: 60, onUnreachable: "fail" });
    await cache.cache("s3://b/a.txt");
    await cache.cache("s3://b/b.txt");
    await s3.stop();
    clock.advance(61_000);
    const first = await assertRejects(() => cache.cache("s3://b/a.txt"), OfflineError);
    assertEquals(count(first.message, "cannot reach the store to revalidate"), 1, first.message);
    for (const uri of ["s3://b/a.txt", "s3://b/b.txt"]) {
      const next = await assertRejects(() => cache.cache(uri), OfflineError);
      assertEquals(count(next.message, "cannot reach the store to revalidate"), 1, next.message);
      assertStringIncludes(next.message, `revalidate ${uri} (cached at `);
      assertStringIncludes(
        next.message,
        "not asked: it did not answer for s3://b/a.txt just before",
      );
    }
  }, { maxAttempts: 1 });
});
