/**
 * A listing that fails names the prefix it listed, as every other message
 * names its key: `LIST s3://b/photos/2024/ failed: 500 …`, not the bucket's
 * root (`LIST s3://b/ failed`), which sent a user of `vc mirror DIR
 * s3://b/photos/2024` looking at the wrong place (the request's own key is
 * the empty one: the prefix goes in its query).
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("s3 list (fake S3): a failed listing names its prefix, not the bucket's root", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "photos/2024/a.jpg", "x");
  await using store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  fake.failNext(1, "internal", (t) => t.op === "ListObjectsV2");
  const error = await assertRejects(async () => {
    for await (const _ of store.list("photos/2024/")) { /* the listing fails */ }
  }, StoreError);
  assertStringIncludes(error.message, "LIST s3://b/photos/2024/ failed");
});
