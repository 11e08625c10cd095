// Virtual-hosted addressing asked for (VC_S3_PATH_STYLE=0, forcePathStyle:
// false) with an endpoint that is an IP address: `bucket.127.0.0.1` is no
// host name, and the bucket used to be dropped from vc's own requests, so
// `s3://b/other/x` read the object `x` of the bucket `other`. The AWS SDK
// (multipart, copy, batched delete) addresses such an endpoint path-style;
// vc's signed requests must do the same.
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { bucketBaseUrl } from "../src/store/s3_config.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("bucketBaseUrl: an IP endpoint is path-style even when virtual-hosted is asked for", () => {
  const virtual = { forcePathStyle: false };
  assert.equal(
    bucketBaseUrl({ ...virtual, endpoint: "http://127.0.0.1:9000" }, "bkt", "us-east-1"),
    "http://127.0.0.1:9000/bkt",
  );
  assert.equal(
    bucketBaseUrl({ ...virtual, endpoint: "http://[::1]:9000" }, "bkt", "us-east-1"),
    "http://[::1]:9000/bkt",
  );
  assert.equal(
    bucketBaseUrl({ ...virtual, endpoint: "http://minio.lan:9000" }, "bkt", "us-east-1"),
    "http://bkt.minio.lan:9000",
  );
});

Deno.test("S3Store with forcePathStyle: false on an IP endpoint reads and writes its own bucket", async () => {
  await using s3 = await startFakeS3({ buckets: ["bkt", "other"] });
  await s3.putObject("other", "x.txt", "the other bucket's object");
  await s3.putObject("bkt", "other/x.txt", "bkt's object");
  await using store = new S3Store({
    bucket: "bkt",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: false,
    credentials,
    maxAttempts: 1,
  });
  const got = await store.get("other/x.txt");
  const text = new TextDecoder().decode(got.bytes ?? await new Response(got.body).arrayBuffer());
  assert.equal(text, "bkt's object");
  const keys: string[] = [];
  for await (const o of store.list("other/")) keys.push(o.key);
  assert.deepEqual(keys, ["other/x.txt"]);
  await store.put("new/y.txt", new TextEncoder().encode("y"));
  assert.equal((await store.head("new/y.txt"))?.size, 1);
  assert.equal(
    await s3.getObject("bkt", "new/y.txt").then((b) => b && new TextDecoder().decode(b)),
    "y",
  );
});
