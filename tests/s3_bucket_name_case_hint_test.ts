// `s3://MyBucket` "does not exist": S3 bucket names are lower case (and have
// no "_"), so the error says so and names the likely bucket, where it used
// to leave the user to find out why a bucket they can see in the console is
// "missing".
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

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
