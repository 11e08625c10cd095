/**
 * A connection dropped under the SDK's requests (CreateMultipartUpload,
 * CompleteMultipartUpload, DeleteObjects, copies) after every retry failed
 * with Node's own word for it, `... failed: aborted`, which tells a user
 * nothing. The message now says the connection was closed mid-answer.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import type { S3Operation } from "../src/testing/fake_s3/types.ts";
import { S3Store } from "../src/store/s3.ts";
import { StoreError } from "../src/errors.ts";

for (
  const [op, run] of [
    ["CompleteMultipartUpload", (s: S3Store) => s.put("k.bin", new Uint8Array(3000))],
    ["DeleteObjects", (s: S3Store) => s.delete(["a", "b"])],
  ] as const
) {
  Deno.test(`S3 ${op} cut on every attempt: the message says the connection was closed`, async () => {
    await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
    await using store = new S3Store({
      bucket: "b",
      endpoint: s3.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      multipartThreshold: 2048,
      partSize: 1024,
      maxAttempts: 2,
    });
    s3.failNext(10, "reset", (t) => t.op === (op as S3Operation));
    const e = await assertRejects(() => run(store), StoreError);
    assertStringIncludes(e.message, op);
    assertStringIncludes(e.message, "s3://b/");
    assertStringIncludes(e.message, "the connection was closed before the answer was complete");
  });
}
