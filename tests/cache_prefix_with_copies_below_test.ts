/**
 * A prefix given where an object goes (`s3://b/models` in a prefill list,
 * meant as "everything below"), once copies of keys below it were cached,
 * was refused as a cache layout clash ("the path is taken by a directory …
 * S3 allows keys "a" and "a/b""), which reads as a cache problem to clear,
 * while with a cold cache the same line said the object does not exist. No
 * object at that key is now said as the miss it is, and why it likely
 * happened; a key that does exist beside keys below it is still refused
 * before its GET (cache_key_under_its_own_name_test.ts).
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import type { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const NOT_BELOW = "a URI names the object at that key, not the objects below it";

Deno.test("a prefix whose keys below are cached is a miss that says so, not a layout clash", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "models/a.bin", "a");
    const cache: AssetCache = make();
    await cache.cache("s3://b/models/a.bin");
    s3.resetStats();
    const e = await assertRejects(() => cache.cache("s3://b/models"), NotFoundError);
    assertStringIncludes(e.message, "s3://b/models does not exist in the store");
    assertStringIncludes(e.message, NOT_BELOW);
    assertEquals(s3.stats.GetObject, 0);
    // As a prefill sees it: the same failure as on a cold cache, of the same kind.
    const summary = await prefill({ cache, uris: ["s3://b/models/a.bin", "s3://b/models"] });
    assertEquals(summary.failed.map((f) => [f.item, f.errorName]), [
      ["s3://b/models", "NotFoundError"],
    ]);
    assertStringIncludes(summary.failed[0]!.error, NOT_BELOW);
  });
});

Deno.test("a key below a cached file's name that does not exist is a miss, not a layout clash", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "c", "file");
    const cache: AssetCache = make();
    await cache.cache("s3://b/c");
    s3.resetStats();
    const e = await assertRejects(() => cache.cache("s3://b/c/d"), NotFoundError);
    assertStringIncludes(e.message, "s3://b/c/d does not exist in the store");
    assertEquals(s3.stats.GetObject, 0);
  });
});
