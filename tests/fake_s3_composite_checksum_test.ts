/**
 * A multipart object uploaded with COMPOSITE CRC32 part checksums (as the aws
 * CLI v2 and the SDKs made them before CRC64NVME) keeps its checksum on S3:
 * a GET or HEAD of the whole object asked with `x-amz-checksum-mode: ENABLED`
 * answers `x-amz-checksum-crc32: <Base64>-<parts>` with
 * `x-amz-checksum-type: COMPOSITE`. The fake used to answer the completion
 * with it and then forget it, so vc's reading of such an object (a checksum
 * of the parts' checksums, never compared with the content's) ran against
 * no test: here a valid object downloads, and a corrupted one is still caught.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { downloadToFile } from "../src/store/download.ts";
import { compositeCrc32, crc32Base64 } from "../src/store/crc32.ts";
import { IntegrityError } from "../src/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const MiB = 1024 * 1024;
const PART = MiB;

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
}

async function withCompositeObject(
  fn: (ctx: {
    url: string;
    store: S3Store;
    body: Uint8Array;
    composite: string;
    s3: Awaited<ReturnType<typeof startFakeS3>>;
  }) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: PART });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    env: {},
    partSize: PART,
    multipartThreshold: PART,
    maxAttempts: 1,
  });
  const body = bytes(2 * PART + 1000);
  await store.put("k.bin", ReadableStream.from([body]), { partChecksum: "crc32" });
  const parts = [0, PART, 2 * PART].map((o) => body.subarray(o, o + PART));
  const composite = await compositeCrc32(await Promise.all(parts.map((p) => crc32Base64(p))));
  await fn({ url: `${s3.url}/b/k.bin`, store, body, composite, s3 });
}

Deno.test("fake S3: a COMPOSITE CRC32 object answers its checksum, -N included, when asked", async () => {
  await withCompositeObject(async ({ url, composite }) => {
    assertEquals(composite.endsWith("-3"), true);
    const asked = { "x-amz-checksum-mode": "ENABLED" };
    for (const method of ["HEAD", "GET"]) {
      const res = await fetch(url, { method, headers: asked });
      await res.body?.cancel();
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("x-amz-checksum-crc32"), composite, method);
      assertEquals(res.headers.get("x-amz-checksum-type"), "COMPOSITE", method);
    }
    // Not asked for, or a range (whose bytes it is not of): none.
    const plain = await fetch(url, { method: "HEAD" });
    assertEquals(plain.headers.get("x-amz-checksum-crc32"), null);
    const range = await fetch(url, { headers: { ...asked, range: "bytes=0-9" } });
    await range.body?.cancel();
    assertEquals(range.status, 206);
    assertEquals(range.headers.get("x-amz-checksum-crc32"), null);
  });
});

Deno.test("S3Store: a COMPOSITE checksum is read as one, and a valid object downloads", async () => {
  await withCompositeObject(async ({ store, body, composite }) => {
    const info = await store.head("k.bin");
    assertEquals(info?.checksum, { algorithm: "CRC32", value: composite, type: "COMPOSITE" });
    const dir = await Deno.makeTempDir();
    try {
      const got = await downloadToFile(store, "k.bin", `${dir}/k.bin`);
      assertEquals(got.size, body.length);
      assertEquals(new Uint8Array(await Deno.readFile(`${dir}/k.bin`)), body);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("S3Store: a corrupted COMPOSITE-checksum object is still caught", async () => {
  await withCompositeObject(async ({ store, s3 }) => {
    s3.setFaults({ corruptRate: 1 });
    const dir = await Deno.makeTempDir();
    try {
      await assertRejects(
        () => downloadToFile(store, "k.bin", `${dir}/k.bin`, { attempts: 1 }),
        IntegrityError,
      );
      assertEquals([...Deno.readDirSync(dir)], []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
