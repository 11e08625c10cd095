/**
 * A create-only copy (`copy(from, to, { ifNoneMatch: "*" })`) whose first
 * answer is lost after the store made the copy (a dropped connection): the
 * SDK's retry is answered 412, and the copy failed as "the key already
 * exists", the key holding the very copy it made. Now a 412 on a retry is
 * the copy's own when the object there is the source's content (its size
 * and MD5, from the ETag or `vc-md5`); another writer's object still fails.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const utf8 = new TextEncoder();

async function setup() {
  const s3 = await startFakeS3({ buckets: ["b"] });
  const store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 3,
  });
  return {
    s3,
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      await s3.stop();
    },
  };
}

Deno.test("create-only copy: a lost answer retried into 412 is the copy's own", async () => {
  await using t = await setup();
  await t.s3.putObject("b", "src.csv", "a,b\n1,2\n");
  t.s3.failNext(1, "lostResponse", (r) => r.op === "CopyObject");
  const { etag } = await t.store.copy("src.csv", "dst.csv", { ifNoneMatch: "*" });
  assertEquals(etag, t.s3.headObject("b", "dst.csv")?.etag);
  assertEquals(await t.s3.getObject("b", "dst.csv"), utf8.encode("a,b\n1,2\n"));
});

Deno.test("create-only copy: another writer's object at the key, after a retry, is still taken", async () => {
  await using t = await setup();
  await t.s3.putObject("b", "src.csv", "a,b\n1,2\n");
  // The first attempt fails before it copies; another writer's object
  // (same size, other bytes) lands before the retry.
  t.s3.failNext(1, "internal", (r) => {
    if (r.op !== "CopyObject") return false;
    void t.s3.putObject("b", "dst.csv", "x,y\n3,4\n");
    return true;
  });
  await assertRejects(
    () => t.store.copy("src.csv", "dst.csv", { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  assertEquals(await t.s3.getObject("b", "dst.csv"), utf8.encode("x,y\n3,4\n"));
});
