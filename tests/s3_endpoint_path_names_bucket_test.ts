/**
 * A server's URL pasted as the endpoint with the bucket on it
 * (`AWS_ENDPOINT_URL=http://127.0.0.1:9000/my-assets`, as a MinIO console
 * shows a bucket): another server's endpoint keeps its path, so every
 * request went to `/my-assets/my-assets/…`, and `vc add` failed with
 * "s3://my-assets/x/f. does not exist (LIST: 404 NoSuchKey …)", `vc cache
 * get` with "does not exist in the store". The errors now say the endpoint
 * ends in the bucket's name and give the endpoint to set. An endpoint with
 * another path (a gateway's) gets no such hint.
 */
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store: an endpoint that ends in the bucket's name is named on a miss", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-assets"] });
  await using store = new S3Store({
    bucket: "my-assets",
    endpoint: `${s3.url}/my-assets`,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  const hint = `the endpoint ${s3.url}/my-assets ends in the bucket's name`;
  const got = await store.get("x/f.csv").then(() => undefined, (e: Error) => e);
  assert.ok(got instanceof NotFoundError, String(got));
  assert.ok(got.message.includes(hint), got.message);
  assert.ok(got.message.includes(`set the endpoint to ${s3.url} `), got.message);
  const listed = await (async () => {
    for await (const _ of store.list("x/f.")) return undefined;
  })().then(() => undefined, (e: Error) => e);
  assert.ok(listed?.message.includes(hint), listed?.message);
});

Deno.test("AssetCache: cache() through an endpoint that ends in the bucket's name says so", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-assets"] });
  const cacheDir = await Deno.makeTempDir({ prefix: "vc_endpoint_path_bucket_" });
  try {
    await using assets = new AssetCache({
      cacheDir,
      configPath: false,
      env: { ...s3.env, AWS_ENDPOINT_URL_S3: `${s3.url}/my-assets/`, AWS_MAX_ATTEMPTS: "1" },
    });
    const e = await assets.cache("s3://my-assets/k.txt").then(() => undefined, (e: Error) => e);
    assert.ok(e instanceof NotFoundError, String(e));
    assert.match(e.message, /^s3:\/\/my-assets\/k\.txt does not exist in the store/);
    assert.ok(e.message.includes("ends in the bucket's name"), e.message);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("S3Store: an endpoint with another path (a gateway's) gets no such hint", async () => {
  await using s3 = await startFakeS3({ buckets: ["gw"] });
  await using store = new S3Store({
    bucket: "my-assets",
    endpoint: `${s3.url}/gw`,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  const e = await store.get("k.txt").then(() => undefined, (e: Error) => e);
  assert.ok(e && !e.message.includes("bucket's name"), e?.message);
});
