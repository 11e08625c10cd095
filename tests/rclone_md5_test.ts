/**
 * rclone's `md5chksum` metadata (Base64 of the content MD5), both ways: vc's
 * multipart uploads carry it, so `rclone check` / `md5sum` / `sync
 * --checksum` can compare them (without it rclone re-uploads every large
 * file vc mirrored); and vc checks an object rclone uploaded with an opaque
 * (SSE-KMS) ETag against it, as it does its own `vc-md5`.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex, RCLONE_MD5_KEY } from "../src/hash.ts";
import { hexToBase64 } from "../src/store/s3_request.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("S3Store: a multipart upload with a known MD5 carries rclone's md5chksum beside vc-md5", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
  const store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 2048,
    partSize: 1024,
  });
  try {
    const body = new Uint8Array(3000).map((_, i) => i & 0xff);
    const md5 = md5Hex(body);
    const { etag } = await store.put("big.bin", body, { md5 });
    assertEquals(etag.endsWith("-3"), true);
    const info = await store.head("big.bin");
    assertEquals(info?.metadata?.["vc-md5"], md5);
    assertEquals(info?.metadata?.[RCLONE_MD5_KEY], hexToBase64(md5));
  } finally {
    store.close();
  }
});

Deno.test("asset cache: an opaque-ETag object rclone uploaded is checked against its md5chksum", async () => {
  await using dir = await tempDir("vc-rclone-md5-");
  const data = new TextEncoder().encode("uploaded by rclone, encrypted with SSE-KMS\n");
  const object = (bytes: Uint8Array) => ({
    data: bytes,
    etag: "8f1e4b0c2d6a9e7f3b5c1d0a2e4f6b8c",
    lastModified: new Date(),
    metadata: { [RCLONE_MD5_KEY]: hexToBase64(md5Hex(data)) },
    opaqueEtag: true,
  });
  const intact = new Map([["k.txt", object(data)]]);
  const bad = data.slice();
  bad[0] = bad[0]! ^ 1;
  const corrupt = new Map([["k.txt", object(bad)]]);
  const make = (objects: typeof intact, name: string) =>
    new AssetCache({
      cacheDir: `${dir.path}/${name}`,
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(new MemoryStore({ objects })),
      warn: () => {},
    });
  await using good = make(intact, "good");
  assertEquals(await Deno.readFile(await good.cache("s3://b/k.txt")), data);
  await using wrong = make(corrupt, "wrong");
  await assertRejects(() => wrong.cache("s3://b/k.txt"), IntegrityError, "md5");
});
