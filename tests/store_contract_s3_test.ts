/**
 * The ObjectStore contract against S3Store: always against the in-process
 * fake S3 server, and also against a real S3-compatible endpoint (moto,
 * MinIO, ...) when `VC_TEST_S3_ENDPOINT` is set. Against a real endpoint each
 * store gets a fresh bucket (deleted afterwards) unless `VC_TEST_S3_BUCKET`
 * names an existing one to share (tests isolate themselves by key prefix).
 * `VC_TEST_S3_CONDITIONAL_PUT_RACY` set says the endpoint checks a
 * conditional put and then writes without a lock (moto), so two racing
 * creators may both win (`atomicConditionalPut: false`).
 */
import { CreateBucketCommand, DeleteBucketCommand } from "@aws-sdk/client-s3";
import { withS3Client } from "./s3_test_client.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { listKeys, storeContract } from "../src/testing/store_contract.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";
const uniqueBucket = () => `vc-contract-${crypto.randomUUID().slice(0, 12)}`;

// Both transports: vc's own HTTP/1.1 client (the default for plain-http
// endpoints such as this one) and fetch (every https endpoint).
for (
  const [prefix, http1] of [[undefined, true], ["nested/root", true], [undefined, false], [
    "nested/root",
    false,
  ]] as const
) {
  const transport = http1 ? "" : ", over fetch";
  storeContract(`S3Store (fake S3${prefix ? `, prefix ${prefix}` : ""}${transport})`, async () => {
    const fake = await startFakeS3();
    try {
      const bucket = uniqueBucket();
      await fake.createBucket(bucket);
      const store = new S3Store({
        bucket,
        // With a prefix, also small parts: streamed puts of a few MiB then
        // take the multipart path, without one the single-PUT path.
        ...(prefix === undefined
          ? {}
          : { prefix, multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 }),
        endpoint: fake.url,
        region,
        forcePathStyle: true,
        credentials,
        http1,
      });
      return {
        store,
        cleanup: async () => {
          try {
            await store.close();
          } finally {
            await fake[Symbol.asyncDispose]();
          }
        },
      };
    } catch (e) {
      await fake[Symbol.asyncDispose]();
      throw e;
    }
  });
}

const endpoint = env("VC_TEST_S3_ENDPOINT");
if (endpoint !== undefined) {
  const shared = env("VC_TEST_S3_BUCKET");
  storeContract(`S3Store (${endpoint})`, async () => {
    const bucket = shared ?? uniqueBucket();
    if (shared === undefined) {
      await withS3Client(endpoint, (c) => c.send(new CreateBucketCommand({ Bucket: bucket })));
    }
    const store = new S3Store({ bucket, endpoint, region, forcePathStyle: true, credentials });
    return {
      store,
      cleanup: async () => {
        try {
          if (shared === undefined) {
            await store.delete(await listKeys(store, ""));
            await withS3Client(
              endpoint,
              (c) => c.send(new DeleteBucketCommand({ Bucket: bucket })),
            );
          }
        } finally {
          await store.close();
        }
      },
    };
  }, { atomicConditionalPut: env("VC_TEST_S3_CONDITIONAL_PUT_RACY") === undefined });
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}
