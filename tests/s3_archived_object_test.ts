/**
 * An object a lifecycle rule (or `aws s3 cp --storage-class GLACIER`) moved
 * to an archive storage class: S3 lists and HEADs it, but refuses a GET (and
 * a copy from it) with 403 InvalidObjectState until it is restored. vc says
 * so, naming the storage class, instead of "access denied: the credentials
 * are not allowed to do this", which sent users to their IAM policy; and it
 * does not retry. Always against a stub answering as S3 does; also as `vc`
 * processes against a third-party S3 implementation when
 * `VC_TEST_S3_ENDPOINT` is set (`deno task test:compat` points it at
 * moto_server, which refuses reads of GLACIER objects as S3 does).
 */
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AccessDeniedError, ObjectArchivedError, StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

function archivedError(storageClass: string, accessTier?: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidObjectState</Code>` +
      `<Message>The operation is not valid for the object's storage class</Message>` +
      `<StorageClass>${storageClass}</StorageClass>` +
      (accessTier === undefined ? "" : `<AccessTier>${accessTier}</AccessTier>`) +
      `<RequestId>REQ1</RequestId></Error>`,
    { status: 403, headers: { "content-type": "application/xml" } },
  );
}

Deno.test("s3 store: reading an archived object says it is archived, not access denied", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}`);
    if (req.method === "GET" && url.pathname === "/bkt/cold.csv") return archivedError("GLACIER");
    if (req.method === "GET" && url.pathname === "/bkt/tiered.bin") {
      return archivedError("INTELLIGENT_TIERING", "ARCHIVE_ACCESS");
    }
    // CopyObject from an archived source (the SDK's path).
    if (req.method === "PUT" && req.headers.has("x-amz-copy-source")) {
      return archivedError("DEEP_ARCHIVE");
    }
    // S3 HEADs an archived object as any other (the copy looks at its source first).
    if (req.method === "HEAD") {
      return new Response(null, {
        headers: {
          "content-length": "4",
          etag: '"e20523853d6733721071c2a4e95c9c60"',
          "x-amz-storage-class": "DEEP_ARCHIVE",
        },
      });
    }
    return new Response(null, { status: 500 });
  });
  const store = new S3Store({
    bucket: "bkt",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 3,
  });
  try {
    const e = await assertRejects(() => store.get("cold.csv"), ObjectArchivedError);
    assert(!(e instanceof AccessDeniedError), e.message);
    assertEquals(e.status, 403);
    assertStringIncludes(e.message, "GET s3://bkt/cold.csv: the object is archived");
    assertStringIncludes(e.message, "(storage class GLACIER)");
    assertStringIncludes(e.message, "restore-object");
    assert(!e.message.includes("credentials"), e.message);
    // Refused for good until a restore: asked once, not retried.
    assertEquals(seen.filter((s) => s === "GET /bkt/cold.csv").length, 1);

    const tiered = await assertRejects(() => store.get("tiered.bin"), StoreError);
    assertStringIncludes(
      tiered.message,
      "(storage class INTELLIGENT_TIERING, access tier ARCHIVE_ACCESS)",
    );

    const copy = await assertRejects(() => store.copy("deep.bin", "copy.bin"), StoreError);
    assert(!(copy instanceof AccessDeniedError), copy.message);
    // The source is the archived one, so the message names it.
    assertStringIncludes(copy.message, "COPY s3://bkt/deep.bin: the object is archived");
    assertStringIncludes(copy.message, "(storage class DEEP_ARCHIVE)");
  } finally {
    await store.close();
    await server.shutdown();
  }
});

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
Deno.test({
  name: `vc process on s3:// (${
    endpoint ?? "VC_TEST_S3_ENDPOINT unset"
  }): an object another tool stored as GLACIER is reported as archived`,
  ignore: endpoint === undefined,
  async fn() {
    const bucket = `vc-archived-${crypto.randomUUID().slice(0, 8)}`;
    const s3 = new S3Client({
      endpoint: endpoint!,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "p/cold.csv",
          Body: "a,b\n",
          StorageClass: "GLACIER",
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "p/warm.csv", Body: "c,d\n" }));
    } finally {
      s3.destroy();
    }
    await withWorkspace(async (dir, vc) => {
      const env = {
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: endpoint!,
      };
      const get = await vc(["cache", "get", `s3://${bucket}/p/cold.csv`], env);
      assertEquals(get.code, 1, get.stderr);
      assertStringIncludes(get.stderr, `s3://${bucket}/p/cold.csv: the object is archived`);
      assertStringIncludes(get.stderr, "(storage class GLACIER)");
      assert(!get.stderr.includes("access denied"), get.stderr);

      // A mirror down fetches what it can and names the archived object.
      const down = join(dir, "down");
      const mirror = await vc(["mirror", `s3://${bucket}/p`, down], env);
      assertEquals(mirror.code, 1, mirror.stderr);
      assertStringIncludes(mirror.stderr, "cold.csv: the object is archived");
      assertEquals(await Deno.readTextFile(join(down, "warm.csv")), "c,d\n");
      ok(await vc(["cache", "get", `s3://${bucket}/p/warm.csv`], env), "cache get warm.csv");
    });
  },
});
