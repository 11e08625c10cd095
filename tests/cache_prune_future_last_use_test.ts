/**
 * `prune` orders entries by last use, the copies' access times. One marked
 * "in the future" (by a clock that ran ahead, or in a cache restored from
 * such a machine) was taken for the newest: `--max-size` removed the entries
 * used today first and kept it, and `--older-than` kept it until that date.
 * Any use since marks it now, so such a time says it has not been used since
 * the clock was right: it counts as no use, and goes first.
 */
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const FUTURE = new Date("2040-01-01T00:00:00Z");

async function setUsed(path: string, when: Date): Promise<void> {
  const { mtime } = await Deno.stat(path);
  await Deno.utime(path, when, mtime!);
}

Deno.test("prune --max-size removes an entry last used in the future first", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "skewed.txt", "0123456789");
    await s3.putObject("b", "today.txt", "abcdefghij");
    const cache = make();
    const skewed = await cache.cache("s3://b/skewed.txt");
    const today = await cache.cache("s3://b/today.txt");
    await setUsed(skewed, FUTURE);
    await setUsed(today, new Date(Date.now() - 3_600_000));
    const result = await cache.prune({ maxBytes: 10 });
    assertEquals(result.removed.map((e) => e.uri), ["s3://b/skewed.txt"]);
    assertEquals(await Deno.readTextFile(today), "abcdefghij");
  });
});

Deno.test("prune --older-than removes an entry last used in the future", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "skewed.txt", "0123456789");
    await s3.putObject("b", "today.txt", "abcdefghij");
    const cache = make();
    const skewed = await cache.cache("s3://b/skewed.txt");
    await cache.cache("s3://b/today.txt");
    await setUsed(skewed, FUTURE);
    const result = await cache.prune({ olderThan: 86_400 });
    assertEquals(result.removed.map((e) => e.uri), ["s3://b/skewed.txt"]);
  });
});
