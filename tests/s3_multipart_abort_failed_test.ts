/**
 * A multipart upload (or copy) that fails is aborted, so its parts are not
 * billed. When the abort failed too (the store down for good, no
 * s3:AbortMultipartUpload), the upload stayed open without a word: the
 * error named only the part that failed, and nothing told the user to
 * abort it. The message now says it is left open, and how to abort it.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import type { S3Operation } from "../src/testing/fake_s3/types.ts";
import { S3Store } from "../src/store/s3.ts";
import { StoreError } from "../src/errors.ts";

async function withStore(
  fn: (s3: Awaited<ReturnType<typeof startFakeS3>>, store: S3Store) => Promise<void>,
) {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
  const store = new S3Store({
    bucket: "b",
    prefix: "team",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 2048,
    partSize: 1024,
    multipartCopyThreshold: 2048,
    copyPartSize: 1024,
    maxAttempts: 2,
  });
  try {
    await fn(s3, store);
  } finally {
    await store.close();
  }
}

const failing = (...ops: S3Operation[]) => ({
  errorRate: 1,
  match: (t: { op: S3Operation }) => ops.includes(t.op),
});

async function openUploads(store: S3Store): Promise<string[]> {
  const ids: string[] = [];
  for await (const u of store.pendingUploads("")) ids.push(u.uploadId);
  return ids;
}

Deno.test("multipart upload: a failed abort leaves the upload open, and the error says how to abort it", async () => {
  await withStore(async (s3, store) => {
    s3.setFaults(failing("UploadPart", "AbortMultipartUpload"));
    const e = await assertRejects(() => store.put("my data.bin", new Uint8Array(5000)), StoreError);
    s3.clearFaults();
    const [id] = await openUploads(store);
    assert(id !== undefined, "the upload is still open, as the message says");
    assertStringIncludes(e.message, "UploadPart");
    assertStringIncludes(
      e.message,
      "could not be aborted either (AbortMultipartUpload s3://b/team/my data.bin failed: 500",
    );
    assertStringIncludes(
      e.message,
      `aws s3api abort-multipart-upload --bucket b --key 'team/my data.bin' --upload-id ${id}`,
    );
  });
});

Deno.test("multipart upload: an abort that works leaves nothing open and is not mentioned", async () => {
  await withStore(async (s3, store) => {
    s3.setFaults(failing("UploadPart"));
    const e = await assertRejects(() => store.put("k.bin", new Uint8Array(5000)), StoreError);
    s3.clearFaults();
    assertEquals(await openUploads(store), []);
    assert(!e.message.includes("abort"), e.message);
  });
});

Deno.test("multipart copy: a failed abort leaves the upload open, and the error says how to abort it", async () => {
  await withStore(async (s3, store) => {
    await s3.putObject("b", "team/big.bin", new Uint8Array(5000));
    s3.setFaults(failing("UploadPartCopy", "AbortMultipartUpload"));
    const e = await assertRejects(() => store.copy("big.bin", "copy.bin"), StoreError);
    s3.clearFaults();
    const [id] = await openUploads(store);
    assert(id !== undefined, "the upload is still open, as the message says");
    assertStringIncludes(e.message, `--bucket b --key team/copy.bin --upload-id ${id}`);
  });
});

Deno.test("multipart upload and copy: the abort command names a store's endpoint that is not AWS", async () => {
  // Without it the aws CLI aborts on AWS, not on the MinIO or other server
  // vc was given: NoSuchUpload there, and the upload stays open here.
  await withStore(async (s3, store) => {
    s3.setFaults(failing("UploadPart", "AbortMultipartUpload"));
    const put = await assertRejects(() => store.put("k.bin", new Uint8Array(5000)), StoreError);
    s3.clearFaults();
    const [id] = await openUploads(store);
    assertStringIncludes(put.message, `--upload-id ${id} --endpoint-url ${s3.url},`);
    await s3.putObject("b", "team/big.bin", new Uint8Array(5000));
    s3.setFaults(failing("UploadPartCopy", "AbortMultipartUpload"));
    const copy = await assertRejects(() => store.copy("big.bin", "copy.bin"), StoreError);
    s3.clearFaults();
    assertStringIncludes(copy.message, ` --endpoint-url ${s3.url},`);
  });
});
