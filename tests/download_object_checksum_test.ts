/**
 * Objects whose ETag is no MD5 (SSE-KMS, SSE-C, a store's own ETags) and
 * that have no vc-md5 are checked against the store's full-object checksum
 * (`x-amz-checksum-*`, asked for with `x-amz-checksum-mode: ENABLED`), not by
 * their size alone: corruption on the way is an IntegrityError naming the
 * URI, the algorithm, the expected and the received value, and the record
 * says which checksum was the check.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { readEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { IntegrityError } from "../src/errors.ts";
import { checksumHasher } from "../src/object_checksum.ts";
import { downloadToFile } from "../src/store/download.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ChecksumAlgorithm, ObjectChecksum } from "../src/store/types.ts";
import { testS3Store } from "./versioned_helpers.ts";

const DATA = new TextEncoder().encode("encrypted at rest with a KMS key, uploaded by aws CLI v2\n");

async function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  const h = await checksumHasher(algorithm);
  h.update(bytes);
  return h.base64();
}

Deno.test("S3Store asks for the object's checksum on HEAD and GET, not on a range", async () => {
  await withS3Cache(async (s3) => {
    await s3.putObject("b", "k.txt", DATA, {
      checksum: "CRC64NVME",
      serverSideEncryption: "aws:kms",
    });
    await using store = testS3Store(s3, "b");
    const expected: ObjectChecksum = {
      algorithm: "CRC64NVME",
      value: await checksumOf("CRC64NVME", DATA),
      type: "FULL_OBJECT",
    };
    const head = await store.head("k.txt");
    assertEquals([head?.opaqueEtag, head?.checksum], [true, expected]);
    const got = await store.get("k.txt");
    await got.body.cancel();
    assertEquals(got.info.checksum, expected);
    const ranged = await store.get("k.txt", { range: { start: 1, end: 3 } });
    await ranged.body.cancel();
    assertEquals(ranged.info.checksum, undefined);
  });
});

Deno.test("SSE-KMS object corrupted on the way: IntegrityError naming its CRC64NVME, nothing cached", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", DATA, {
      checksum: "CRC64NVME",
      serverSideEncryption: "aws:kms",
    });
    await using cache = make();
    s3.failNext(50, "corrupt", (t) => t.op === "GetObject");
    const e = await assertRejects(() => cache.cache("s3://b/k.txt"), IntegrityError);
    assertStringIncludes(e.message, "s3://b/k.txt");
    assertStringIncludes(e.message, "CRC64NVME");
    assertStringIncludes(e.message, `expected ${await checksumOf("CRC64NVME", DATA)}, got `);
    assertEquals((await cache.ls()).length, 0);
    s3.clearFaults();
    // Intact: cached, and the record says the checksum was the check.
    const path = await cache.cache("s3://b/k.txt");
    assertEquals(await Deno.readFile(path), DATA);
    const checksum = `CRC64NVME:${await checksumOf("CRC64NVME", DATA)}`;
    assertEquals(readEntryRecord(recordPathsOf(cache.dir, path))?.meta.checksum, checksum);
    assertEquals((await cache.ls()).map((x) => x.checksum), [checksum]);
  });
});

Deno.test("a refresh whose new SSE-KMS version comes corrupt keeps the old copy", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", DATA, { checksum: "CRC32", serverSideEncryption: "aws:kms" });
    await using cache = make({ timeout: 0 });
    const path = await cache.cache("s3://b/k.txt");
    const next = new TextEncoder().encode("the second version, same length as before, or not...\n");
    await s3.putObject("b", "k.txt", next, { checksum: "CRC32", serverSideEncryption: "aws:kms" });
    s3.failNext(50, "corrupt", (t) => t.op === "GetObject");
    await assertRejects(() => cache.cache("s3://b/k.txt"), IntegrityError, "CRC32");
    assertEquals(await Deno.readFile(path), DATA);
    s3.clearFaults();
    assertEquals(await Deno.readFile(await cache.cache("s3://b/k.txt")), next);
  });
});

Deno.test("each algorithm is checked; a COMPOSITE checksum or one with an MD5 ETag is not", async () => {
  const bad = DATA.slice();
  bad[3] = bad[3]! ^ 1;
  const dir = await Deno.makeTempDir({ prefix: "vc-checksum-" });
  try {
    for (const algorithm of ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"] as const) {
      const checksum: ObjectChecksum = {
        algorithm,
        value: await checksumOf(algorithm, DATA),
        type: "FULL_OBJECT",
      };
      const object = { etag: "v1-opaque-etag", lastModified: new Date(), metadata: {}, checksum };
      const good = new MemoryStore({ objects: new Map([["k", { ...object, data: DATA }]]) });
      const got = await downloadToFile(good, "k", `${dir}/out`);
      assertEquals(got.checksumChecked, checksum);
      const corrupt = new MemoryStore({ objects: new Map([["k", { ...object, data: bad }]]) });
      const e = await assertRejects(
        () => downloadToFile(corrupt, "k", `${dir}/out`, { uri: "s3://b/k", attempts: 1 }),
        IntegrityError,
      );
      assertStringIncludes(e.message, `s3://b/k: content does not match the store's ${algorithm}`);
      assertStringIncludes(
        e.message,
        `expected ${checksum.value}, got ${await checksumOf(algorithm, bad)}`,
      );
      // The old copy stays.
      assertEquals(await Deno.readFile(`${dir}/out`), DATA);
    }
    // A COMPOSITE checksum is of the parts' checksums: not compared with the content's.
    const composite: ObjectChecksum = {
      algorithm: "CRC32",
      value: "AAAAAA==-2",
      type: "COMPOSITE",
    };
    const store = new MemoryStore({
      objects: new Map([["k", {
        data: DATA,
        etag: "v2-opaque",
        lastModified: new Date(),
        metadata: {},
        checksum: composite,
      }]]),
    });
    assertEquals((await downloadToFile(store, "k", `${dir}/c`)).checksumChecked, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a multipart ETag no part size explains is verified by a full-object checksum", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-checksum-" });
  try {
    const data = new Uint8Array(3000).map((_, i) => i % 251);
    const checksum: ObjectChecksum = {
      algorithm: "CRC64NVME",
      value: await checksumOf("CRC64NVME", data),
      type: "FULL_OBJECT",
    };
    // Parts of 1000 bytes (no usual part size), and a store that cannot tell part sizes.
    const etag = "0123456789abcdef0123456789abcdef-3";
    const object = { data, etag, lastModified: new Date(), metadata: {}, checksum };
    const store = new MemoryStore({ objects: new Map([["k", object]]) });
    const got = await downloadToFile(store, "k", `${dir}/out`);
    assertEquals(got.checksumChecked, checksum);
    const bad = data.slice();
    bad[0] = 99;
    const corrupt = new MemoryStore({ objects: new Map([["k", { ...object, data: bad }]]) });
    await assertRejects(
      () => downloadToFile(corrupt, "k", `${dir}/bad`, { attempts: 1 }),
      IntegrityError,
      "CRC64NVME",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the fake S3 checks a PUT's full-object checksum and answers it only when asked", async () => {
  await withS3Cache(async (s3) => {
    const crc = await checksumOf("CRC32C", DATA);
    const put = (value: string) =>
      fetch(`${s3.url}/b/k`, {
        method: "PUT",
        body: DATA,
        headers: { "x-amz-checksum-crc32c": value },
      });
    const bad = await put("AAAAAA==");
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), "BadDigest");
    const ok = await put(crc);
    await ok.body?.cancel();
    assertEquals(ok.headers.get("x-amz-checksum-crc32c"), crc);
    const head = async (headers: HeadersInit) => {
      const res = await fetch(`${s3.url}/b/k`, { method: "HEAD", headers });
      await res.body?.cancel();
      return [res.headers.get("x-amz-checksum-crc32c"), res.headers.get("x-amz-checksum-type")];
    };
    assertEquals(await head({ "x-amz-checksum-mode": "ENABLED" }), [crc, "FULL_OBJECT"]);
    assertEquals(await head({}), [null, null]);
  });
});
