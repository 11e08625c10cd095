/**
 * An AWS SDK client of a test's S3 endpoint (the fake's, or the
 * compatibility run's `VC_TEST_S3_ENDPOINT`), for what the store under test
 * does not do itself: making and removing the test's bucket, writing keys as
 * another tool would.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

/** Runs `fn` with a path-style client of `endpoint` (test credentials), destroyed after. */
export async function withS3Client<T>(
  endpoint: string,
  fn: (client: S3Client) => Promise<T>,
): Promise<T> {
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

/**
 * Makes a bucket on `endpoint` named `prefix` and a random suffix, and
 * returns its name. It is left to the throwaway endpoint (the compatibility
 * run stops moto afterwards).
 */
export async function freshBucket(endpoint: string, prefix: string): Promise<string> {
  const bucket = `${prefix}-${crypto.randomUUID().slice(0, 12)}`;
  await withS3Client(endpoint, (c) => c.send(new CreateBucketCommand({ Bucket: bucket })));
  return bucket;
}
