/**
 * A request the AWS SDK sends (batch delete, copy, multipart bookkeeping)
 * that failed on every attempt says so, as vc's own requests do: the
 * message read as one answer (`DeleteObjects of 3 keys … failed: 500
 * InternalError …`) where the store had given it five times.
 */
import { StoreError } from "../src/errors.ts";
import { retriedInFull } from "../src/store/retry.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

function storeOf(url: string, maxAttempts: number): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
  });
}

Deno.test("s3 (fake S3): an SDK request failing on every attempt ends in 'gave up after N attempts'", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using store = storeOf(fake.url, 3);
  fake.failNext(3, "internal", (t) => t.op === "DeleteObjects");
  const error = await assertRejects(() => store.delete(["a", "b", "c"]), StoreError);
  assertStringIncludes(error.message, "DeleteObjects of 3 keys");
  assert(error.message.endsWith("(gave up after 3 attempts)"), error.message);
  assert(retriedInFull(error), "taken as retried in full by the callers above");
});

Deno.test("s3 (fake S3): an SDK request failing once, unretried, does not say it gave up", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using store = storeOf(fake.url, 1);
  fake.failNext(1, "internal", (t) => t.op === "DeleteObjects");
  const error = await assertRejects(() => store.delete(["a", "b"]), StoreError);
  assertEquals(error.message.includes("gave up"), false, error.message);
});
