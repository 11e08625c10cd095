/**
 * An SSE-KMS object (its ETag no MD5) uploaded in parts with CRC32 part
 * checksums, as the aws CLI v2 and the SDKs upload, and without vc-md5:
 * S3 keeps only its COMPOSITE checksum (`<Base64>-N`, the CRC32 of the parts'
 * CRC32s). vc checked such an object by its size alone, so bytes corrupted
 * on the way were cached as the object's. The composite is now computed from
 * the file with the usual part sizes, else the store's real ones (HEAD
 * ?partNumber=N): a valid object still downloads, a corrupted one is caught,
 * and where no part size can be learned the size stays the check.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { downloadToFile } from "../src/store/download.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const MiB = 1024 * 1024;

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + (i >> 11)) & 0xff);
}

/**
 * The fake behind a proxy that answers reads as S3 does for an SSE-KMS
 * object; `partSizes: false` makes it refuse `?partNumber=` (a store that
 * cannot tell part sizes), `flip` flips a byte in the middle of every GET's body.
 */
async function withKmsObject(
  partSize: number,
  size: number,
  options: { partSizes?: boolean; flip?: boolean },
  fn: (download: () => Promise<unknown>, body: Uint8Array) => Promise<void>,
): Promise<void> {
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (
      url.searchParams.has("partNumber") && req.method === "HEAD" && options.partSizes === false
    ) {
      return new Response(null, { status: 400 });
    }
    const res = await forward();
    if (req.method !== "GET" && req.method !== "HEAD") return res;
    const headers = new Headers(res.headers);
    headers.set("x-amz-server-side-encryption", "aws:kms");
    if (req.method === "GET" && options.flip === true && res.ok) {
      const body = new Uint8Array(await res.arrayBuffer());
      body[body.length >> 1]! ^= 0x20;
      return new Response(body, { status: res.status, headers });
    }
    return new Response(res.body, { status: res.status, headers });
  }, {
    fake: { minPartSize: MiB },
    store: { partSize, multipartThreshold: partSize, maxAttempts: 1 },
  });
  const body = bytes(size);
  await proxied.direct.put("k.bin", ReadableStream.from([body]), { partChecksum: "crc32" });
  const dir = await Deno.makeTempDir();
  try {
    await fn(
      () => downloadToFile(proxied.store, "k.bin", `${dir}/k.bin`, { attempts: 1 }),
      body,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an intact SSE-KMS object with a COMPOSITE CRC32 downloads", async () => {
  await withKmsObject(5 * MiB, 11 * MiB + 3, {}, async (download, body) => {
    assertEquals((await download() as { size: number }).size, body.length);
  });
});

Deno.test("a corrupted SSE-KMS object with a COMPOSITE CRC32 is caught", async () => {
  await withKmsObject(5 * MiB, 11 * MiB + 3, { flip: true }, async (download) => {
    const e = await assertRejects(download, IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.bin");
    assertStringIncludes(e.message, "COMPOSITE");
  });
});

Deno.test("a COMPOSITE CRC32 of uncommon part sizes is checked with the store's real ones", async () => {
  // 3 MiB + 5 bytes: no usual part size gives 3 parts of 7 MiB + 10 bytes this way.
  const part = 3 * MiB + 5;
  await withKmsObject(part, 2 * part + 1000, {}, async (download, body) => {
    assertEquals((await download() as { size: number }).size, body.length);
  });
  await withKmsObject(part, 2 * part + 1000, { flip: true }, async (download) => {
    await assertRejects(download, IntegrityError);
  });
});

Deno.test("a COMPOSITE CRC32 whose part sizes no one can tell leaves the size as the check", async () => {
  const part = 3 * MiB + 5;
  await withKmsObject(part, 2 * part + 1000, { partSizes: false }, async (download, body) => {
    assertEquals((await download() as { size: number }).size, body.length);
  });
});
