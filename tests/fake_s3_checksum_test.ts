/**
 * The fake S3 checks multipart CRC32 checksums as S3 does: an upload created
 * with `x-amz-checksum-algorithm: CRC32` refuses a part whose bytes do not
 * match its `x-amz-checksum-crc32` (header or aws-chunked trailer) with
 * BadDigest and keeps nothing of it, refuses a part without a checksum,
 * and a completion must list each part's checksum (missing: InvalidRequest,
 * wrong: InvalidPart); a good completion answers with the composite CRC32.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { compositeCrc32, crc32Base64 } from "../src/store/crc32.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const MiB = 1024 * 1024;

function bytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 997) b[i] = (i + seed) & 0xff;
  return b;
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

async function withUpload(
  fn: (ctx: {
    url: string;
    upload: string;
    part: (
      n: number,
      body: Uint8Array<ArrayBuffer>,
      headers?: Record<string, string>,
    ) => Promise<Response>;
    complete: (xmlParts: string) => Promise<Response>;
  }) => Promise<void>,
  createHeaders: Record<string, string> = { "x-amz-checksum-algorithm": "CRC32" },
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const url = `${s3.url}/b/k`;
  const created = await fetch(`${url}?uploads`, { method: "POST", headers: createHeaders });
  const text = await created.text();
  assertEquals(created.status, 200, text);
  const upload = tag(text, "UploadId")!;
  await fn({
    url,
    upload,
    part: (n, body, headers = {}) =>
      fetch(`${url}?partNumber=${n}&uploadId=${upload}`, { method: "PUT", body, headers }),
    complete: (xmlParts) =>
      fetch(`${url}?uploadId=${upload}`, {
        method: "POST",
        body: `<CompleteMultipartUpload>${xmlParts}</CompleteMultipartUpload>`,
      }),
  });
}

function partXml(n: number, etag: string, crc32?: string): string {
  return `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag>${
    crc32 === undefined ? "" : `<ChecksumCRC32>${crc32}</ChecksumCRC32>`
  }</Part>`;
}

Deno.test("fake S3: CRC32 multipart upload: parts checked, composite checksum on completion", async () => {
  await withUpload(async ({ url, upload, part, complete }) => {
    const a = bytes(MiB, 1);
    const b = bytes(1000, 2);
    const crcA = await crc32Base64(a);
    const crcB = await crc32Base64(b);
    const ok = await part(1, a, { "x-amz-checksum-crc32": crcA });
    await ok.body?.cancel();
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("x-amz-checksum-crc32"), crcA, "the checksum is confirmed");
    // A part whose bytes do not match its checksum is refused and not kept.
    const bad = await part(2, b, { "x-amz-checksum-crc32": crcA });
    const badText = await bad.text();
    assertEquals(bad.status, 400);
    assertEquals(tag(badText, "Code"), "BadDigest");
    const listed = await (await fetch(`${url}?uploadId=${upload}`)).text();
    assert(!listed.includes("<PartNumber>2</PartNumber>"), listed);
    assertStringIncludes(listed, `<ChecksumCRC32>${crcA}</ChecksumCRC32>`);
    // A part without a checksum, to an upload created with CRC32.
    const none = await part(2, b);
    assertEquals(none.status, 400);
    assertEquals(tag(await none.text(), "Code"), "InvalidRequest");
    const good = await part(2, b, { "x-amz-checksum-crc32": crcB });
    await good.body?.cancel();
    assertEquals(good.status, 200);
    const etagA = ok.headers.get("etag")!;
    const etagB = good.headers.get("etag")!;
    // The completion must list each part's checksum, and the right one.
    const missing = await complete(partXml(1, etagA, crcA) + partXml(2, etagB));
    assertEquals(missing.status, 400);
    const missingText = await missing.text();
    assertEquals(tag(missingText, "Code"), "InvalidRequest");
    assertStringIncludes(missingText, "part 2");
    const wrong = await complete(partXml(1, etagA, crcB) + partXml(2, etagB, crcB));
    assertEquals(wrong.status, 400);
    assertEquals(tag(await wrong.text(), "Code"), "InvalidPart");
    const done = await complete(partXml(1, etagA, crcA) + partXml(2, etagB, crcB));
    const doneText = await done.text();
    assertEquals(done.status, 200, doneText);
    assertEquals(tag(doneText, "ChecksumCRC32"), await compositeCrc32([crcA, crcB]));
    assertEquals(tag(doneText, "ChecksumType"), "COMPOSITE");
    const back = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assertEquals(back.length, a.length + b.length);
    assertEquals(await crc32Base64(back.subarray(a.length)), crcB);
  });
});

Deno.test("fake S3: CreateMultipartUpload with CRC32 answers with the algorithm", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const res = await fetch(`${s3.url}/b/k?uploads`, {
    method: "POST",
    headers: { "x-amz-checksum-algorithm": "CRC32" },
  });
  const text = await res.text();
  assertEquals(res.headers.get("x-amz-checksum-algorithm"), "CRC32");
  assertEquals(tag(text, "ChecksumAlgorithm"), "CRC32");
  assertEquals(tag(text, "ChecksumType"), "COMPOSITE");
});

Deno.test("fake S3: a part's CRC32 in an aws-chunked trailer is checked too", async () => {
  await withUpload(async ({ part }) => {
    const data = bytes(300, 3);
    const framed = (crc: string) =>
      new Uint8Array([
        ...new TextEncoder().encode(`${data.length.toString(16)}\r\n`),
        ...data,
        ...new TextEncoder().encode(`\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`),
      ]);
    const headers = {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
    };
    const right = await crc32Base64(data);
    const ok = await part(1, framed(right), headers);
    await ok.body?.cancel();
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("x-amz-checksum-crc32"), right);
    const bad = await part(2, framed(await crc32Base64(bytes(300, 4))), headers);
    assertEquals(bad.status, 400);
    assertEquals(tag(await bad.text(), "Code"), "BadDigest");
  });
});

Deno.test("fake S3: without an upload checksum, a part's CRC32 is still checked, and none is needed", async () => {
  await withUpload(async ({ part, complete }) => {
    const data = bytes(100, 5);
    const bad = await part(1, data, { "x-amz-checksum-crc32": await crc32Base64(bytes(100, 6)) });
    assertEquals(bad.status, 400);
    assertEquals(tag(await bad.text(), "Code"), "BadDigest");
    const plain = await part(1, data);
    await plain.body?.cancel();
    assertEquals(plain.status, 200);
    const done = await complete(partXml(1, plain.headers.get("etag")!));
    const text = await done.text();
    assertEquals(done.status, 200, text);
    assertEquals(tag(text, "ChecksumCRC32"), undefined);
  }, {});
});
