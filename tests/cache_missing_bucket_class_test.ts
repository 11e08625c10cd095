/**
 * `cache()` of an object in a bucket that does not exist rejected with a
 * plain `NotFoundError`: the `StoreNotFoundError` the store threw was
 * rewrapped (to name the URI) in the base class, so `isMissingKey(e)` said
 * a key was missing from a bucket that exists, and `instanceof
 * StoreNotFoundError`, which the README offers to tell the two apart, was
 * false. The message still names the URI; the class is the store's.
 */
import { isMissingKey, NotFoundError, StoreNotFoundError } from "../mod.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("cache() of an object in a missing bucket is a StoreNotFoundError, not a missing key", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "there.csv", "x");
    const cache = make();
    const bucket = await assertRejects(
      () => cache.cache("s3://nobucket/k.csv"),
      StoreNotFoundError,
      "cannot download s3://nobucket/k.csv: its bucket s3://nobucket does not exist",
    );
    assert(!isMissingKey(bucket));
    const key = await assertRejects(() => cache.cache("s3://b/nokey.csv"), NotFoundError);
    assert(isMissingKey(key), key.message);
    assertStringIncludes(key.message, "s3://b/nokey.csv does not exist in the store");
  });
});
