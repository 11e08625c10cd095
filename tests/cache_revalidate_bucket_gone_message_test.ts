/**
 * A revalidation that finds the whole bucket gone (S3's `NoSuchBucket`: the
 * bucket deleted, or a local S3 such as MinIO or LocalStack started afresh)
 * recorded the copy as deleted and said only that the object "no longer
 * exists in the store", as for one deleted key: the user went looking for
 * that key. The error now says the store's own words, that the bucket does
 * not exist, as a cold miss of the same key does; the copy is recorded as
 * gone as before.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError, StoreNotFoundError } from "../src/errors.ts";
import type { GetOptions, GetResult, ObjectInfo } from "../src/store/types.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

const MISSING = "bucket s3://bucket does not exist at http://127.0.0.1:9 (404 NoSuchBucket)";

/** Answers as S3 does for a bucket deleted, once `bucketGone` is set. */
class BucketGoneStore extends FaultStore {
  bucketGone = false;
  override async head(key: string, options: { signal?: AbortSignal } = {}) {
    if (this.bucketGone) return undefined; // a HEAD's 404 has no body to say why
    const info: ObjectInfo | undefined = await super.head(key, options);
    return info;
  }
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    if (this.bucketGone) throw new StoreNotFoundError(MISSING);
    return await super.get(key, options);
  }
}

Deno.test("cache: a revalidation that finds the bucket gone says so, not only that the object is", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-bucket-gone-" });
  const store = new BucketGoneStore("s3://bucket");
  const open = () =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      timeout: 0,
      openStore: () => Promise.resolve(store),
      warn: () => {},
    });
  try {
    store.set("d/x.bin", randomBytes(100));
    let path: string;
    {
      await using cache = open();
      path = await cache.cache("s3://bucket/d/x.bin");
    }
    store.bucketGone = true;
    await using cache = open();
    const e = await assertRejects(() => cache.cache("s3://bucket/d/x.bin"), NotFoundError);
    assertStringIncludes(e.message, "s3://bucket/d/x.bin no longer exists in the store");
    assertStringIncludes(e.message, MISSING);
    assertStringIncludes(e.message, `the cached copy at ${path} is kept`);
    const [entry] = await cache.ls();
    assertEquals(entry?.gone, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
