// `s3://MyBucket` "does not exist": S3 bucket names are lower case (and have
// no "_"), so the error says so and names the likely bucket, where it used
// to leave the user to find out why a bucket they can see in the console is
// "missing".
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreNotFoundError } from "../src/errors.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store: a missing bucket with upper case or _ in its name gets the lower-case hint", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-assets"] });
  for (
    const [bucket, hint] of [
      ["My-Assets", "did you mean s3://my-assets?"],
      ["my_assets", "did you mean s3://my-assets?"],
    ] as const
  ) {
    await using store = new S3Store({
      bucket,
      endpoint: s3.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    const e = await store.get("k.txt").then(() => undefined, (e: Error) => e);
    assert.ok(e, `${bucket}: fails`);
    assert.match(e.message, new RegExp(`bucket s3://${bucket} does not exist at `));
    assert.ok(e.message.includes("S3 bucket names are lower case"), e.message);
    assert.ok(e.message.endsWith(hint), e.message);
  }
  // A lower-case name that is missing gets no hint.
  await using plain = new S3Store({
    bucket: "nobucket",
    endpoint: s3.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  const e = await plain.get("k.txt").then(() => undefined, (e: Error) => e);
  assert.ok(e && !e.message.includes("lower case"), e?.message);
});

Deno.test("AssetCache: cache() of an upper-case bucket keeps the lower-case hint", async () => {
  // `vc cache get s3://Assets/k` said only "check the bucket name and the
  // endpoint": the cache's rewording dropped the store's hint.
  await using s3 = await startFakeS3({ buckets: ["my-assets"] });
  const cacheDir = await Deno.makeTempDir({ prefix: "vc_bucket_case_hint_" });
  try {
    await using assets = new AssetCache({
      cacheDir,
      configPath: false,
      env: { ...s3.env, AWS_MAX_ATTEMPTS: "1" },
    });
    const e = await assets.cache("s3://My_Assets/k.txt").then(() => undefined, (e: Error) => e);
    assert.ok(e instanceof StoreNotFoundError, String(e));
    assert.match(
      e.message,
      /^cannot download s3:\/\/My_Assets\/k\.txt: its bucket s3:\/\/My_Assets/,
    );
    assert.ok(e.message.includes("check the bucket name and the endpoint"), e.message);
    assert.ok(e.message.endsWith("did you mean s3://my-assets?"), e.message);
    const plain = await assets.cache("s3://nobucket/k.txt").then(() => undefined, (e: Error) => e);
    assert.ok(plain && !plain.message.includes("lower case"), plain?.message);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
