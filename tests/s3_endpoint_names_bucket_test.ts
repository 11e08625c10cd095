/**
 * An endpoint that already names the bucket (DigitalOcean Spaces shows a
 * bucket's "origin endpoint" as `https://BUCKET.nyc3.digitaloceanspaces.com`,
 * R2 and Wasabi users paste the like) is addressed virtual-hosted as
 * `BUCKET.BUCKET.HOST`, which does not resolve. vc's error said to use
 * path-style addressing (`VC_S3_PATH_STYLE=1`): followed, every request goes
 * to `BUCKET.HOST/BUCKET/KEY`, which such a store reads as the key
 * `BUCKET/KEY`, so uploads land under a stray `BUCKET/` prefix and reads miss.
 * The error now names the cure: the endpoint without the bucket.
 */
import { OfflineError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("S3Store: an endpoint naming the bucket is said to, with the endpoint to use instead", async () => {
  // `.invalid` never resolves (RFC 6761): no request leaves the machine.
  await using store = new S3Store({
    bucket: "mybucket",
    endpoint: "http://mybucket.nyc3.spaces.invalid:9000",
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const e = await assertRejects(() => store.head("data/k.csv"), OfflineError);
  assertStringIncludes(e.message, "HEAD s3://mybucket/data/k.csv");
  assertStringIncludes(e.message, "already names bucket mybucket");
  assertStringIncludes(e.message, "mybucket.mybucket.nyc3.spaces.invalid");
  assertStringIncludes(e.message, "http://nyc3.spaces.invalid:9000");
  // Path-style would put the keys under a stray mybucket/ prefix: not advised.
  assert(!e.message.includes("VC_S3_PATH_STYLE=1"), e.message);
});

Deno.test("S3Store: an unresolvable BUCKET.HOST of another endpoint still advises path-style", async () => {
  await using store = new S3Store({
    bucket: "mybucket",
    endpoint: "http://minio.spaces.invalid:9000",
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const e = await assertRejects(() => store.head("k"), OfflineError);
  assertStringIncludes(e.message, "VC_S3_PATH_STYLE=1");
  assert(!e.message.includes("already names"), e.message);
});
