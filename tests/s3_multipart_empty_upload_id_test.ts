/**
 * A CreateMultipartUpload answered with an empty `<UploadId></UploadId>` (a
 * broken S3-compatible server) fails the upload, naming the key: it used to
 * go on and send every part as `?partNumber=N&uploadId=`, which a lax server
 * takes for plain PUTs of the key.
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("s3 store: an empty UploadId fails a multipart put, no part is sent", async () => {
  let partsSent = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      await req.body?.cancel();
      const url = new URL(req.url);
      if (req.method === "POST" && url.searchParams.has("uploads")) {
        return new Response(
          "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>" +
            "<UploadId></UploadId></InitiateMultipartUploadResult>",
        );
      }
      if (url.searchParams.has("partNumber")) partsSent++;
      if (req.method === "POST") {
        return new Response(
          '<CompleteMultipartUploadResult><ETag>"x-3"</ETag></CompleteMultipartUploadResult>',
        );
      }
      return new Response(null, { status: req.method === "DELETE" ? 204 : 200 });
    },
  );
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
    maxAttempts: 1,
    multipartThreshold: 5 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
  });
  try {
    const error = await assertRejects(
      () => store.put("k", new Uint8Array(11 * 1024 * 1024)),
      StoreError,
    );
    assertStringIncludes(error.message, "s3://b/k returned no UploadId");
    assertEquals(partsSent, 0);
  } finally {
    await store.close();
  }
});
