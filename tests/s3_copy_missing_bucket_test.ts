// S3Store.copy in a bucket that does not exist said the source key does not
// exist: it looks the source up with a HEAD, whose 404 has no body to say
// NoSuchBucket, so a mistyped bucket sent the user looking for the key. The
// bucket is now named; a key missing from a bucket that exists is still
// named as the key.
import { assert, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { NotFoundError } from "../src/errors.ts";

async function copyError(bucket: string): Promise<Error> {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using store = new S3Store({
    bucket,
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return await store.copy("a.txt", "b.txt").then(
    () => new Error("copied"),
    (e: Error) => e,
  );
}

Deno.test("S3Store.copy: a bucket that does not exist is named as such, not the key", async () => {
  const error = await copyError("nobucket");
  assert(error instanceof NotFoundError, error.message);
  assertStringIncludes(error.message, "COPY s3://nobucket/a.txt to s3://nobucket/b.txt");
  assertStringIncludes(error.message, "bucket s3://nobucket does not exist at");
});

Deno.test("S3Store.copy: a missing source key in a bucket that exists is named as the key", async () => {
  const error = await copyError("assets");
  assert(error instanceof NotFoundError, error.message);
  assertStringIncludes(error.message, "s3://assets/a.txt does not exist");
  assert(!error.message.includes("bucket s3://assets does not exist"), error.message);
});
