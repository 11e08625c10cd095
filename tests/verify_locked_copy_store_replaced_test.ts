/**
 * `vc verify` of a locked entry whose object was replaced in the bucket by
 * other bytes of the same size, while the cached copy still is the locked
 * content: the store is what changed, and the advice must not be to remove
 * the cached copy (the only good one: the next use would refuse the store's
 * bytes and have nothing). And the mirror case: the cached copy is the
 * store's replaced content (read without the lock file), so removing it
 * would not help and would hide the replacement from the next verify.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { rawPut, tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const BUCKET = "verify-locked";

/** An asset cache in `dir/cache` over the fake S3 `s3`, no settings read. */
function cacheOver(s3: FakeS3, dir: string): AssetCache {
  return new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
}

Deno.test("verify: a same-size replacement behind a locked, cached copy blames the store, keeps the copy", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = cacheOver(s3, dir.path);
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store: testS3Options(s3),
  });
  await vc.add("/d/t.csv", await writeFile(dir.path, "t.csv", "a,b\n1,2\n"));
  const local = await vc.path("/d/t.csv");
  await rawPut(s3, BUCKET, "d/t.1.0.0.csv", "x,y\n9,9\n"); // same size, other bytes

  const [result] = await vc.verify();
  assertEquals(result?.ok, false);
  assertEquals(result?.locked, true);
  assertStringIncludes(
    result!.problem!,
    "s3://verify-locked/d/t.1.0.0.csv no longer holds the locked content",
  );
  assertStringIncludes(result!.problem!, `the cached copy ${local} is the locked content, keep it`);
  assert(!/vc cache rm|delete\(/.test(result!.problem!), result!.problem);
  assertEquals(await Deno.readTextFile(local), "a,b\n1,2\n");
});

Deno.test("verify: a cached copy that is the store's replaced content blames the store, not the copy", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await using cache = cacheOver(s3, dir.path);
  const manifest = join(dir.path, "manifest.json");
  const options = { manifest, bucket: `s3://${BUCKET}`, cache, store: testS3Options(s3) };
  await using vc = new VersionedCache(options);
  await vc.add("/d/t.csv", await writeFile(dir.path, "t.csv", "a,b\n1,2\n"));
  await rawPut(s3, BUCKET, "d/t.1.0.0.csv", "x,y\n9,9\n"); // same size, other bytes
  // Read without the lock file (as before it was pulled): the store's bytes are cached.
  await using unlocked = new VersionedCache({ ...options, lock: false });
  const local = await unlocked.path("/d/t.csv");
  assertEquals(await Deno.readTextFile(local), "x,y\n9,9\n");

  const [result] = await vc.verify();
  assertEquals(result?.ok, false);
  assertStringIncludes(
    result!.problem!,
    `s3://${BUCKET}/d/t.1.0.0.csv does not hold the locked content: it and its cached copy`,
  );
  assert(!/vc cache rm|delete\(/.test(result!.problem!), result!.problem);
});
