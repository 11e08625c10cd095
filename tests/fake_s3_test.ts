// Behaviour of the fake S3 server, checked with raw fetch (exact wire
// format) and with @aws-sdk/client-s3 (what vc's S3Store uses).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { InvalidInputError } from "../src/errors.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { md5Hex, multipartEtag } from "../src/hash.ts";
import { crc32Base64 } from "../src/store/crc32.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";

const MiB = 1024 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

function makeClient(url: string, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: url,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...extra,
  });
}

/** Starts a server and an SDK client, runs `fn`, and always cleans up both. */
async function withS3(
  fn: (s3: FakeS3, client: S3Client) => Promise<void>,
  options: Parameters<typeof startFakeS3>[0] = {},
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"], ...options });
  const client = makeClient(s3.url);
  try {
    await fn(s3, client);
  } finally {
    client.destroy();
  }
}

interface SdkFailure {
  name: string;
  status: number | undefined;
}

async function sdkFailure(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the request to fail");
}

function byteOrder(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function xmlTexts(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(
      /&#x([0-9A-F]+);/gi,
      (_, h) => String.fromCharCode(parseInt(h, 16)),
    )
    .replace(/&amp;/g, "&");
}

async function rawRequest(port: number, head: string, body?: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode(head));
    if (body) await conn.write(body);
    let out = "";
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += dec.decode(buf.subarray(0, n));
    }
    return out;
  } finally {
    conn.close();
  }
}

Deno.test("put, get and head keep bytes, ETag, metadata and content type (SDK)", async () => {
  await withS3(async (s3, client) => {
    const body = randomBytes(100_000, 1);
    const put = await client.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: "data/x.bin",
        Body: body,
        ContentType: "application/x-test",
        Metadata: { Origin: "unit", "md5-hex": md5Hex(body) },
        CacheControl: "max-age=60",
      }),
    );
    assert.equal(put.ETag, `"${md5Hex(body)}"`);
    const get = await client.send(new GetObjectCommand({ Bucket: "b", Key: "data/x.bin" }));
    assert.deepEqual(await get.Body!.transformToByteArray(), body);
    assert.equal(get.ETag, `"${md5Hex(body)}"`);
    assert.equal(get.ContentType, "application/x-test");
    assert.equal(get.CacheControl, "max-age=60");
    assert.deepEqual(get.Metadata, { origin: "unit", "md5-hex": md5Hex(body) });
    assert.equal(get.AcceptRanges, "bytes");
    const head = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "data/x.bin" }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ETag, `"${md5Hex(body)}"`);
    assert.ok(head.LastModified instanceof Date);
    const info = s3.headObject("b", "data/x.bin");
    assert.equal(info?.etag, md5Hex(body));
    assert.equal(info?.contentType, "application/x-test");
    const missing = await sdkFailure(
      client.send(new GetObjectCommand({ Bucket: "b", Key: "nope" })),
    );
    assert.deepEqual(missing, { name: "NoSuchKey", status: 404 });
    const missingHead = await sdkFailure(
      client.send(new HeadObjectCommand({ Bucket: "b", Key: "nope" })),
    );
    assert.equal(missingHead.status, 404);
  });
});

Deno.test("keys over 1024 bytes of UTF-8 are refused as S3 does (KeyTooLongError)", async () => {
  await withS3(async (_s3, client) => {
    const longest = "é".repeat(512); // 1024 bytes
    await client.send(new PutObjectCommand({ Bucket: "b", Key: longest, Body: "ok" }));
    const get = await client.send(new GetObjectCommand({ Bucket: "b", Key: longest }));
    assert.equal(await get.Body!.transformToString(), "ok");
    for (
      const send of [
        () => client.send(new PutObjectCommand({ Bucket: "b", Key: `${longest}x`, Body: "no" })),
        () =>
          client.send(
            new CopyObjectCommand({ Bucket: "b", Key: `${longest}x`, CopySource: `b/${longest}` }),
          ),
        () => client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: `${longest}x` })),
      ]
    ) {
      await assert.rejects(send, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, "KeyTooLongError");
        assert.equal(e.$metadata?.httpStatusCode, 400);
        return true;
      });
    }
  });
});

Deno.test("default content type, empty objects and overwrite", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const put = await fetch(`${s3.url}/b/empty`, { method: "PUT", body: new Uint8Array(0) });
  await put.body?.cancel();
  assert.equal(put.headers.get("etag"), `"${md5Hex("")}"`);
  const get = await fetch(`${s3.url}/b/empty`);
  assert.equal(get.headers.get("content-type"), "binary/octet-stream");
  assert.equal(get.headers.get("content-length"), "0");
  assert.equal((await get.arrayBuffer()).byteLength, 0);
  await s3.putObject("b", "empty", "now full");
  const again = await fetch(`${s3.url}/b/empty`);
  assert.equal(await again.text(), "now full");
});

Deno.test("range requests: a-b, a-, -n, clamping, 416 and partNumber", async () => {
  await withS3(async (s3, client) => {
    const body = enc.encode("0123456789");
    await s3.putObject("b", "r", body);
    const cases: [string, number, string, string][] = [
      ["bytes=2-4", 206, "234", "bytes 2-4/10"],
      ["bytes=7-", 206, "789", "bytes 7-9/10"],
      ["bytes=-3", 206, "789", "bytes 7-9/10"],
      ["bytes=8-100", 206, "89", "bytes 8-9/10"],
      ["bytes=-100", 206, "0123456789", "bytes 0-9/10"],
    ];
    for (const [range, status, text, contentRange] of cases) {
      const res = await fetch(`${s3.url}/b/r`, { headers: { range } });
      assert.equal(res.status, status, range);
      assert.equal(await res.text(), text, range);
      assert.equal(res.headers.get("content-range"), contentRange, range);
      assert.equal(res.headers.get("content-length"), String(text.length), range);
    }
    for (const range of ["bytes=10-", "bytes=10-20", "bytes=-0"]) {
      const res = await fetch(`${s3.url}/b/r`, { headers: { range } });
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get("content-range"), "bytes */10");
      assert.match(await res.text(), /<Code>InvalidRange<\/Code>/);
    }
    // A range S3 ignores (several ranges) returns the whole object.
    const multi = await fetch(`${s3.url}/b/r`, { headers: { range: "bytes=0-1,4-5" } });
    assert.equal(multi.status, 200);
    assert.equal(await multi.text(), "0123456789");
    const sdk = await client.send(
      new GetObjectCommand({ Bucket: "b", Key: "r", Range: "bytes=3-5" }),
    );
    assert.equal(await sdk.Body!.transformToString(), "345");
    assert.equal(sdk.ContentRange, "bytes 3-5/10");
    const bad = await sdkFailure(
      client.send(new GetObjectCommand({ Bucket: "b", Key: "r", Range: "bytes=50-" })),
    );
    assert.deepEqual(bad, { name: "InvalidRange", status: 416 });
    const part = await fetch(`${s3.url}/b/r?partNumber=1`);
    assert.equal(part.status, 206);
    assert.equal(await part.text(), "0123456789");
    const noPart = await fetch(`${s3.url}/b/r?partNumber=2`);
    assert.equal(noPart.status, 416);
    await noPart.body?.cancel();
  });
});

Deno.test("conditional GET and HEAD: If-None-Match 304, If-Match 412, dates", async () => {
  await withS3(async (s3, client) => {
    const { etag } = await s3.putObject("b", "c", "content");
    const notModified = await fetch(`${s3.url}/b/c`, { headers: { "if-none-match": `"${etag}"` } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get("etag"), `"${etag}"`);
    await notModified.body?.cancel();
    const modified = await fetch(`${s3.url}/b/c`, { headers: { "if-none-match": '"other"' } });
    assert.equal(modified.status, 200);
    assert.equal(await modified.text(), "content");
    const failed = await fetch(`${s3.url}/b/c`, { headers: { "if-match": '"other"' } });
    assert.equal(failed.status, 412);
    assert.match(await failed.text(), /<Code>PreconditionFailed<\/Code>/);
    const matched = await fetch(`${s3.url}/b/c`, { headers: { "if-match": `"${etag}"` } });
    assert.equal(await matched.text(), "content");
    const future = new Date(Date.now() + 3600_000).toUTCString();
    const past = new Date(Date.now() - 3600_000).toUTCString();
    const ims = await fetch(`${s3.url}/b/c`, { headers: { "if-modified-since": future } });
    assert.equal(ims.status, 304);
    await ims.body?.cancel();
    const ius = await fetch(`${s3.url}/b/c`, { headers: { "if-unmodified-since": past } });
    assert.equal(ius.status, 412);
    await ius.body?.cancel();
    const sdk304 = await sdkFailure(
      client.send(new GetObjectCommand({ Bucket: "b", Key: "c", IfNoneMatch: `"${etag}"` })),
    );
    assert.equal(sdk304.status, 304);
    const sdk412 = await sdkFailure(
      client.send(new HeadObjectCommand({ Bucket: "b", Key: "c", IfMatch: '"nope"' })),
    );
    assert.equal(sdk412.status, 412);
  });
});

Deno.test("conditional PUT: If-None-Match * creates once, If-Match compares and swaps", async () => {
  await withS3(async (s3, client) => {
    const first = await client.send(
      new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v1", IfNoneMatch: "*" }),
    );
    assert.equal(first.ETag, `"${md5Hex("v1")}"`);
    const second = await sdkFailure(
      client.send(new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v2", IfNoneMatch: "*" })),
    );
    assert.deepEqual(second, { name: "PreconditionFailed", status: 412 });
    assert.equal(dec.decode(await s3.getObject("b", "once")), "v1");
    const swapped = await client.send(
      new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v2", IfMatch: first.ETag! }),
    );
    assert.equal(swapped.ETag, `"${md5Hex("v2")}"`);
    const stale = await sdkFailure(
      client.send(
        new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v3", IfMatch: first.ETag! }),
      ),
    );
    assert.deepEqual(stale, { name: "PreconditionFailed", status: 412 });
    const missing = await sdkFailure(
      client.send(
        new PutObjectCommand({ Bucket: "b", Key: "absent", Body: "x", IfMatch: '"abc"' }),
      ),
    );
    assert.equal(missing.status, 404);
    assert.equal(s3.headObject("b", "absent"), undefined);
    assert.equal(dec.decode(await s3.getObject("b", "once")), "v2");
  });
});

Deno.test("concurrent create-once writes: exactly one wins (memory and disk)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const options of [{}, { dir }]) {
      await using s3 = await startFakeS3({ buckets: ["b"], ...options });
      const results = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const res = await fetch(`${s3.url}/b/lock`, {
            method: "PUT",
            body: `writer ${i}`,
            headers: { "if-none-match": "*" },
          });
          await res.body?.cancel();
          return res.status;
        }),
      );
      assert.equal(results.filter((s) => s === 200).length, 1, JSON.stringify(results));
      assert.equal(results.filter((s) => s === 412).length, 11);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Content-MD5 is verified: BadDigest for a mismatch, InvalidDigest for garbage", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const md5b64 = (s: string) => createHash("md5").update(s).digest("base64");
  const ok = await fetch(`${s3.url}/b/m`, {
    method: "PUT",
    body: "right",
    headers: { "content-md5": md5b64("right") },
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const bad = await fetch(`${s3.url}/b/m`, {
    method: "PUT",
    body: "wrong",
    headers: { "content-md5": md5b64("right") },
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /<Code>BadDigest<\/Code>/);
  const garbage = await fetch(`${s3.url}/b/m`, {
    method: "PUT",
    body: "x",
    headers: { "content-md5": "not-base64!" },
  });
  assert.equal(garbage.status, 400);
  assert.match(await garbage.text(), /<Code>InvalidDigest<\/Code>/);
  assert.equal(dec.decode(await s3.getObject("b", "m")), "right");
});

Deno.test("ListObjectsV2 paginates 2500 keys, honours prefix, delimiter and start-after", async () => {
  await withS3(async (s3, client) => {
    const keys: string[] = [];
    for (let i = 0; i < 2500; i++) keys.push(`k/${String(i).padStart(4, "0")}`);
    for (let d = 0; d < 5; d++) for (let f = 0; f < 3; f++) keys.push(`dir${d}/file${f}`);
    keys.push("top.txt");
    await Promise.all(keys.map((k) => s3.putObject("b", k, k)));

    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: "b", Prefix: "k/", ContinuationToken: token }),
      );
      pages.push(page);
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(pages.map((p) => p.KeyCount), [1000, 1000, 500]);
    assert.deepEqual(pages.map((p) => p.IsTruncated), [true, true, false]);
    const listed = pages.flatMap((p) => p.Contents!.map((c) => c.Key!));
    assert.deepEqual(listed, keys.slice(0, 2500));
    const first = pages[0]!.Contents![0]!;
    assert.equal(first.Size, 6);
    assert.equal(first.ETag, `"${md5Hex("k/0000")}"`);
    assert.equal(s3.stats.ListObjectsV2, 3);

    const capped = await client.send(
      new ListObjectsV2Command({ Bucket: "b", Prefix: "k/", MaxKeys: 5000 }),
    );
    assert.equal(capped.KeyCount, 1000);

    const after = await client.send(
      new ListObjectsV2Command({ Bucket: "b", Prefix: "k/", StartAfter: "k/1499", MaxKeys: 2 }),
    );
    assert.deepEqual(after.Contents!.map((c) => c.Key), ["k/1500", "k/1501"]);

    const grouped = await client.send(new ListObjectsV2Command({ Bucket: "b", Delimiter: "/" }));
    assert.deepEqual(grouped.CommonPrefixes!.map((p) => p.Prefix), [
      "dir0/",
      "dir1/",
      "dir2/",
      "dir3/",
      "dir4/",
      "k/",
    ]);
    assert.deepEqual(grouped.Contents!.map((c) => c.Key), ["top.txt"]);
    assert.equal(grouped.KeyCount, 7);

    // Paging through common prefixes two at a time never repeats or skips one.
    const seen: string[] = [];
    token = undefined;
    do {
      const page: ListObjectsV2CommandOutput = await client.send(
        new ListObjectsV2Command({
          Bucket: "b",
          Delimiter: "/",
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(byteOrder(seen), [
      "dir0/",
      "dir1/",
      "dir2/",
      "dir3/",
      "dir4/",
      "k/",
      "top.txt",
    ]);

    const inDir = await client.send(
      new ListObjectsV2Command({ Bucket: "b", Prefix: "dir1/", Delimiter: "/" }),
    );
    assert.deepEqual(inDir.Contents!.map((c) => c.Key), ["dir1/file0", "dir1/file1", "dir1/file2"]);
    assert.equal(inDir.CommonPrefixes, undefined);

    const badToken = await sdkFailure(
      client.send(new ListObjectsV2Command({ Bucket: "b", ContinuationToken: "garbage" })),
    );
    assert.equal(badToken.status, 400);
  });
});

Deno.test("ListObjects v1 pages with Marker / NextMarker", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const k of ["a/1", "a/2", "b/1", "c", "d"]) await s3.putObject("b", k, k);
  const seen: string[] = [];
  let marker = "";
  for (let i = 0; i < 10; i++) {
    const res = await fetch(
      `${s3.url}/b?delimiter=%2F&max-keys=2&marker=${encodeURIComponent(marker)}`,
    );
    const xml = await res.text();
    seen.push(...xmlTexts(xml, "Key"), ...xmlTexts(xml, "Prefix").filter((p) => p !== ""));
    if (!xml.includes("<IsTruncated>true</IsTruncated>")) break;
    marker = xmlTexts(xml, "NextMarker")[0]!;
  }
  assert.deepEqual(byteOrder(seen), ["a/", "b/", "c", "d"]);
  assert.equal(s3.stats.ListObjects, 2);
});

const HOSTILE_KEYS = [
  "a b.txt",
  "ü/ñ/日本語.csv",
  "../escape",
  "a/./b/../c",
  "a//b",
  "/leading",
  "trailing/",
  "%41%2F%",
  "+plus+",
  "q?x=1&y=2",
  "hash#frag",
  "emoji 😀.bin",
  "z\uFFFD",
  "z\uE000",
  "z😀",
  "semi;colon=1,comma",
  "amp&lt;<tag>",
  "tab\there",
  "quote\"'",
  "back\\slash",
  "~tilde*!()[]{}",
];

Deno.test("hostile and unicode keys round-trip and list in UTF-8 byte order (SDK)", async () => {
  await withS3(async (s3, client) => {
    for (const key of HOSTILE_KEYS) {
      await client.send(new PutObjectCommand({ Bucket: "b", Key: key, Body: `body of ${key}` }));
    }
    assert.deepEqual(s3.listKeys("b"), byteOrder(HOSTILE_KEYS));
    for (const key of HOSTILE_KEYS) {
      const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: key }));
      assert.equal(await got.Body!.transformToString(), `body of ${key}`, key);
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "b" }));
    assert.deepEqual(listed.Contents!.map((c) => c.Key), byteOrder(HOSTILE_KEYS));
    // "😀" sorts after U+E000 and U+FFFD in UTF-8 although its UTF-16 units sort before.
    const zs = s3.listKeys("b").filter((k) => k.startsWith("z"));
    assert.deepEqual(zs, ["z\uE000", "z\uFFFD", "z😀"]);
  });
});

Deno.test("encoding-type=url lists keys the way the aws CLI decodes them", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const key of HOSTILE_KEYS) await s3.putObject("b", key, "x");
  const res = await fetch(`${s3.url}/b?list-type=2&encoding-type=url`);
  const xml = await res.text();
  assert.match(xml, /<EncodingType>url<\/EncodingType>/);
  // botocore decodes with unquote_plus: "+" is a space, "%2B" a plus.
  const unquotePlus = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  const keys = xmlTexts(xml, "Key").map((k) => unquotePlus(unescapeXml(k)));
  assert.deepEqual(keys, byteOrder(HOSTILE_KEYS));
  const plain = await fetch(`${s3.url}/b?list-type=2`);
  const plainKeys = xmlTexts(await plain.text(), "Key").map(unescapeXml);
  assert.deepEqual(plainKeys, byteOrder(HOSTILE_KEYS));
});

Deno.test("multipart upload: parts, ETag md5-of-md5s, ListParts, partNumber reads (SDK, memory and disk)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The disk backend joins parts in blocks smaller than a part: the bytes
    // must come out whole and in order.
    for (const options of [{}, { dir }]) {
      await withS3(async (_s3, client) => {
        const parts = [randomBytes(5 * MiB, 1), randomBytes(5 * MiB, 2), randomBytes(1234, 3)];
        const created = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: "b",
            Key: "big/file.bin",
            ContentType: "application/x-big",
            Metadata: { kind: "multipart" },
          }),
        );
        const uploadId = created.UploadId!;
        const etags: string[] = [];
        for (const [i, body] of parts.entries()) {
          const res = await client.send(
            new UploadPartCommand({
              Bucket: "b",
              Key: "big/file.bin",
              UploadId: uploadId,
              PartNumber: i + 1,
              Body: body,
            }),
          );
          assert.equal(res.ETag, `"${md5Hex(body)}"`);
          etags.push(res.ETag!);
        }
        const listed = await client.send(
          new ListPartsCommand({ Bucket: "b", Key: "big/file.bin", UploadId: uploadId }),
        );
        assert.deepEqual(listed.Parts!.map((p) => [p.PartNumber, p.Size]), [
          [1, 5 * MiB],
          [2, 5 * MiB],
          [3, 1234],
        ]);
        const done = await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: "b",
            Key: "big/file.bin",
            UploadId: uploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        );
        const expected = multipartEtag(parts.map((p) => md5Hex(p)));
        assert.equal(done.ETag, `"${expected}"`);
        assert.ok(expected.endsWith("-3"));
        const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "big/file.bin" }));
        assert.equal(got.ETag, `"${expected}"`);
        assert.equal(got.ContentType, "application/x-big");
        assert.deepEqual(got.Metadata, { kind: "multipart" });
        const bytes = await got.Body!.transformToByteArray();
        assert.equal(bytes.length, 10 * MiB + 1234);
        assert.equal(md5Hex(bytes), md5Hex(Buffer.concat(parts)));
        // A range across the part boundary.
        const across = await client.send(
          new GetObjectCommand({
            Bucket: "b",
            Key: "big/file.bin",
            Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}`,
          }),
        );
        assert.deepEqual(
          await across.Body!.transformToByteArray(),
          new Uint8Array(Buffer.concat([parts[0]!.subarray(-2), parts[1]!.subarray(0, 2)])),
        );
        const part2 = await client.send(
          new HeadObjectCommand({ Bucket: "b", Key: "big/file.bin", PartNumber: 2 }),
        );
        assert.equal(part2.ContentLength, 5 * MiB);
        assert.equal(part2.PartsCount, 3);
        // A retried completion of the same upload answers the same.
        const retry = await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: "b",
            Key: "big/file.bin",
            UploadId: uploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        );
        assert.equal(retry.ETag, `"${expected}"`);
      }, options);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("multipart errors: InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload, 412", async () => {
  await withS3(async (s3, client) => {
    const key = "m";
    const start = async () =>
      (await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: key }))).UploadId!;
    const upload = async (id: string, n: number, body: Uint8Array) =>
      (await client.send(
        new UploadPartCommand({ Bucket: "b", Key: key, UploadId: id, PartNumber: n, Body: body }),
      )).ETag!;
    const complete = (
      id: string,
      parts: { ETag: string; PartNumber: number }[],
      ifNoneMatch?: string,
    ) =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: "b",
          Key: key,
          UploadId: id,
          MultipartUpload: { Parts: parts },
          ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
        }),
      );

    const id = await start();
    const e1 = await upload(id, 1, randomBytes(5 * MiB, 4));
    const e2 = await upload(id, 2, randomBytes(10, 5));
    assert.equal(
      (await sdkFailure(complete(id, [{ ETag: '"0123"', PartNumber: 1 }]))).name,
      "InvalidPart",
    );
    assert.equal(
      (await sdkFailure(complete(id, [{ ETag: e1, PartNumber: 3 }]))).name,
      "InvalidPart",
    );
    assert.equal(
      (await sdkFailure(complete(id, [{ ETag: e2, PartNumber: 2 }, { ETag: e1, PartNumber: 1 }])))
        .name,
      "InvalidPartOrder",
    );
    // A small part that is not the last one.
    const small = await start();
    const s1 = await upload(small, 1, randomBytes(10, 6));
    const s2 = await upload(small, 2, randomBytes(10, 7));
    assert.equal(
      (await sdkFailure(
        complete(small, [{ ETag: s1, PartNumber: 1 }, { ETag: s2, PartNumber: 2 }]),
      ))
        .name,
      "EntityTooSmall",
    );
    // The failed attempts left the upload usable.
    await complete(id, [{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }]);
    assert.equal(s3.headObject("b", key)?.size, 5 * MiB + 10);
    // Create-once completion.
    const again = await start();
    const a1 = await upload(again, 1, randomBytes(3, 8));
    const refused = await sdkFailure(complete(again, [{ ETag: a1, PartNumber: 1 }], "*"));
    assert.deepEqual(refused, { name: "PreconditionFailed", status: 412 });
    assert.equal(s3.headObject("b", key)?.size, 5 * MiB + 10);
    await client.send(new AbortMultipartUploadCommand({ Bucket: "b", Key: key, UploadId: again }));
    const gone = await sdkFailure(upload(again, 2, randomBytes(3, 9)));
    assert.deepEqual(gone, { name: "NoSuchUpload", status: 404 });
    const abortUnknown = await sdkFailure(
      client.send(new AbortMultipartUploadCommand({ Bucket: "b", Key: key, UploadId: "nope" })),
    );
    assert.equal(abortUnknown.status, 404);
    const badNumber = await fetch(`${s3.url}/b/${key}?partNumber=0&uploadId=${small}`, {
      method: "PUT",
      body: "x",
    });
    assert.equal(badNumber.status, 400);
    await badNumber.body?.cancel();
  });
});

Deno.test("minPartSize option lets tests use small parts; UploadPartCopy copies ranges", async () => {
  await withS3(async (s3, client) => {
    await s3.putObject("b", "src", "abcdefghij");
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: "b", Key: "dst" }),
    );
    const p1 = await client.send(
      new UploadPartCopyCommand({
        Bucket: "b",
        Key: "dst",
        UploadId,
        PartNumber: 1,
        CopySource: "b/src",
        CopySourceRange: "bytes=0-3",
      }),
    );
    const p2 = await client.send(
      new UploadPartCommand({ Bucket: "b", Key: "dst", UploadId, PartNumber: 2, Body: "XYZ" }),
    );
    assert.equal(p1.CopyPartResult?.ETag, `"${md5Hex("abcd")}"`);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: "b",
        Key: "dst",
        UploadId,
        MultipartUpload: {
          Parts: [
            { ETag: p1.CopyPartResult!.ETag!, PartNumber: 1 },
            { ETag: p2.ETag!, PartNumber: 2 },
          ],
        },
      }),
    );
    assert.equal(dec.decode(await s3.getObject("b", "dst")), "abcdXYZ");
    assert.equal(s3.headObject("b", "dst")?.etag, multipartEtag([md5Hex("abcd"), md5Hex("XYZ")]));
  }, { minPartSize: 1 });
});

Deno.test("DeleteObjects removes a batch; Quiet leaves out the successes", async () => {
  await withS3(async (s3, client) => {
    for (let i = 0; i < 20; i++) await s3.putObject("b", `d/${i}`, "x");
    const res = await client.send(
      new DeleteObjectsCommand({
        Bucket: "b",
        Delete: {
          Objects: [...Array(10).keys()].map((i) => ({ Key: `d/${i}` })).concat([{
            Key: "missing",
          }]),
        },
      }),
    );
    assert.equal(res.Deleted?.length, 11);
    assert.equal(s3.listKeys("b", "d/").length, 10);
    const quiet = await client.send(
      new DeleteObjectsCommand({
        Bucket: "b",
        Delete: {
          Quiet: true,
          Objects: [...Array(10).keys()].map((i) => ({ Key: `d/${i + 10}` })),
        },
      }),
    );
    assert.equal(quiet.Deleted, undefined);
    assert.deepEqual(s3.listKeys("b"), []);
    await s3.putObject("b", "one", "1");
    await client.send(new DeleteObjectCommand({ Bucket: "b", Key: "one" }));
    await client.send(new DeleteObjectCommand({ Bucket: "b", Key: "one" })); // missing: still fine
    assert.equal(s3.stats.DeleteObject, 2);
    const malformed = await fetch(`${s3.url}/b?delete`, {
      method: "POST",
      headers: { "content-md5": "2/tgmBdmQLO+511KLYgSag==" }, // of the body: S3 needs one
      body: "<Delete><Object>",
    });
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /MalformedXML/);
  });
});

Deno.test("CopyObject: COPY keeps metadata, REPLACE replaces, self-copy needs REPLACE", async () => {
  await withS3(async (s3, client) => {
    await s3.putObject("b", "src key", "copied bytes", {
      contentType: "text/x-src",
      metadata: { a: "1" },
    });
    const copy = await client.send(
      new CopyObjectCommand({ Bucket: "b", Key: "dst/1", CopySource: "b/src%20key" }),
    );
    assert.equal(copy.CopyObjectResult?.ETag, `"${md5Hex("copied bytes")}"`);
    assert.deepEqual(s3.headObject("b", "dst/1")?.metadata, { a: "1" });
    assert.equal(s3.headObject("b", "dst/1")?.contentType, "text/x-src");
    await client.send(
      new CopyObjectCommand({
        Bucket: "b",
        Key: "dst/2",
        CopySource: "b/src%20key",
        MetadataDirective: "REPLACE",
        Metadata: { b: "2" },
        ContentType: "text/x-new",
      }),
    );
    assert.deepEqual(s3.headObject("b", "dst/2")?.metadata, { b: "2" });
    assert.equal(s3.headObject("b", "dst/2")?.contentType, "text/x-new");
    assert.equal(dec.decode(await s3.getObject("b", "dst/2")), "copied bytes");
    const self = await sdkFailure(
      client.send(
        new CopyObjectCommand({ Bucket: "b", Key: "src key", CopySource: "b/src%20key" }),
      ),
    );
    assert.deepEqual(self, { name: "InvalidRequest", status: 400 });
    const missing = await sdkFailure(
      client.send(new CopyObjectCommand({ Bucket: "b", Key: "x", CopySource: "b/none" })),
    );
    assert.equal(missing.name, "NoSuchKey");
    // Destination condition and source condition over the wire.
    const exists = await fetch(`${s3.url}/b/dst/1`, {
      method: "PUT",
      headers: { "x-amz-copy-source": "/b/src%20key", "if-none-match": "*" },
    });
    assert.equal(exists.status, 412);
    await exists.body?.cancel();
    const srcCond = await fetch(`${s3.url}/b/dst/3`, {
      method: "PUT",
      headers: { "x-amz-copy-source": "/b/src%20key", "x-amz-copy-source-if-match": '"nope"' },
    });
    assert.equal(srcCond.status, 412);
    await srcCond.body?.cancel();
    assert.equal(s3.headObject("b", "dst/3"), undefined);
    assert.equal(s3.stats.CopyObject, 6);
  });
});

Deno.test("buckets: create, list, head, delete, BucketNotEmpty, NoSuchBucket", async () => {
  await withS3(async (s3, client) => {
    await client.send(new CreateBucketCommand({ Bucket: "second" }));
    const dup = await sdkFailure(client.send(new CreateBucketCommand({ Bucket: "second" })));
    assert.equal(dup.status, 409);
    const listed = await client.send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets!.map((b) => b.Name), ["b", "second"]);
    await client.send(new HeadBucketCommand({ Bucket: "second" }));
    const noBucket = await sdkFailure(client.send(new HeadBucketCommand({ Bucket: "nope" })));
    assert.equal(noBucket.status, 404);
    await s3.putObject("second", "k", "v");
    const notEmpty = await sdkFailure(client.send(new DeleteBucketCommand({ Bucket: "second" })));
    assert.deepEqual(notEmpty, { name: "BucketNotEmpty", status: 409 });
    await client.send(new DeleteObjectCommand({ Bucket: "second", Key: "k" }));
    await client.send(new DeleteBucketCommand({ Bucket: "second" }));
    const put = await sdkFailure(
      client.send(new PutObjectCommand({ Bucket: "second", Key: "k", Body: "v" })),
    );
    assert.deepEqual(put, { name: "NoSuchBucket", status: 404 });
  });
});

Deno.test("error bodies are S3 XML naming the code, key and request id", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const res = await fetch(`${s3.url}/b/missing%20key.txt`);
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("content-type"), "application/xml");
  const xml = await res.text();
  assert.match(xml, /^<\?xml/);
  assert.deepEqual(xmlTexts(xml, "Code"), ["NoSuchKey"]);
  assert.deepEqual(xmlTexts(xml, "Key"), ["missing key.txt"]);
  assert.match(xmlTexts(xml, "Message")[0]!, /missing key\.txt/);
  assert.equal(xmlTexts(xml, "RequestId")[0], res.headers.get("x-amz-request-id"));
  const head = await fetch(`${s3.url}/b/missing`, { method: "HEAD" });
  assert.equal(head.status, 404);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const unsupported = await fetch(`${s3.url}/b?policy`);
  assert.equal(unsupported.status, 501);
  assert.match(await unsupported.text(), /NotImplemented/);
  const badUri = await fetch(`${s3.url}/b/%E0%A4%A`);
  assert.equal(badUri.status, 400);
  assert.match(await badUri.text(), /InvalidURI/);
  assert.equal(s3.stats.total, 4);
});

Deno.test("aws-chunked bodies (signed and unsigned-with-trailer) are decoded", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const payload = randomBytes(200_000, 11);
  // The fake checks a trailing checksum as S3 does (BadDigest when it differs).
  const crc = await crc32Base64(payload);
  const frame = (signed: boolean): Uint8Array<ArrayBuffer> => {
    const pieces: Uint8Array[] = [];
    const sig = signed ? `;chunk-signature=${"0".repeat(64)}` : "";
    for (let at = 0; at < payload.length; at += 65536) {
      const chunk = payload.subarray(at, at + 65536);
      pieces.push(enc.encode(`${chunk.length.toString(16)}${sig}\r\n`), chunk, enc.encode("\r\n"));
    }
    pieces.push(enc.encode(`0${sig}\r\n`));
    if (!signed) pieces.push(enc.encode(`x-amz-checksum-crc32:${crc}\r\n`));
    pieces.push(enc.encode("\r\n"));
    return new Uint8Array(Buffer.concat(pieces));
  };
  for (const signed of [true, false]) {
    const key = signed ? "signed" : "trailer";
    const res = await fetch(`${s3.url}/b/${key}`, {
      method: "PUT",
      body: frame(signed),
      headers: {
        "x-amz-content-sha256": signed
          ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
          : "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": String(payload.length),
        "x-amz-trailer": "x-amz-checksum-crc32",
      },
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(res.headers.get("etag"), `"${md5Hex(payload)}"`);
    assert.deepEqual(await s3.getObject("b", key), payload);
    // aws-chunked is framing, not a stored content encoding.
    const get = await fetch(`${s3.url}/b/${key}`, { method: "HEAD" });
    assert.equal(get.headers.get("content-encoding"), null);
    await get.body?.cancel();
  }
  const broken = await fetch(`${s3.url}/b/broken`, {
    method: "PUT",
    body: "zz\r\nabc",
    headers: { "content-encoding": "aws-chunked" },
  });
  assert.equal(broken.status, 400);
  assert.match(await broken.text(), /IncompleteBody/);
});

Deno.test("SDK stream uploads with flexible checksums (aws-chunked) store the right bytes", async () => {
  const { Readable } = await import("node:stream");
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const client = makeClient(s3.url, {
    requestChecksumCalculation: "WHEN_SUPPORTED",
    responseChecksumValidation: "WHEN_SUPPORTED",
  });
  try {
    const body = randomBytes(300_000, 12);
    await client.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: "streamed",
        Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        ContentLength: body.length,
      }),
    );
    assert.deepEqual(await s3.getObject("b", "streamed"), body);
    const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "streamed" }));
    assert.deepEqual(await got.Body!.transformToByteArray(), body);
  } finally {
    client.destroy();
  }
});

Deno.test("Expect: 100-continue gets a 100 before the body is sent", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s3.port });
  try {
    await conn.write(enc.encode(
      "PUT /b/expect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n" +
        "Expect: 100-continue\r\nConnection: close\r\n\r\n",
    ));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    assert.match(dec.decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 100 Continue/);
    await conn.write(enc.encode("hello"));
    let rest = "";
    for (;;) {
      const m = await conn.read(buf);
      if (m === null) break;
      rest += dec.decode(buf.subarray(0, m));
    }
    assert.match(rest, /HTTP\/1\.1 200 OK/);
  } finally {
    conn.close();
  }
  assert.equal(dec.decode(await s3.getObject("b", "expect")), "hello");
});

Deno.test("raw request targets keep dot segments; virtual-host style addresses the bucket", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  const put = await rawRequest(
    s3.port,
    "PUT /vb/a/../b/./c HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n",
    enc.encode("dot"),
  );
  assert.match(put, /^HTTP\/1\.1 200/);
  assert.deepEqual(s3.listKeys("vb"), ["a/../b/./c"]);
  const vhost = await rawRequest(
    s3.port,
    `GET /a/../b/./c HTTP/1.1\r\nHost: vb.localhost:${s3.port}\r\nConnection: close\r\n\r\n`,
  );
  assert.match(vhost, /^HTTP\/1\.1 200/);
  assert.ok(vhost.endsWith("dot"));
});

Deno.test("stats count requests per operation; resetStats zeroes them", async () => {
  await withS3(async (s3, client) => {
    await s3.putObject("b", "k", "v"); // direct: not counted
    assert.equal(s3.stats.total, 0);
    await client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).then((r) =>
      r.Body!.transformToString()
    );
    await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    const snapshot = s3.stats;
    assert.equal(snapshot.GetObject, 1);
    assert.equal(snapshot.HeadObject, 2);
    assert.equal(snapshot.PutObject, 0);
    assert.equal(snapshot.total, 3);
    s3.resetStats();
    assert.equal(s3.stats.total, 0);
    assert.equal(s3.stats.HeadObject, 0);
    assert.equal(snapshot.HeadObject, 2, "snapshots do not change afterwards");
  });
});

Deno.test("on-disk backend streams to files, keeps metadata and survives a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const body = randomBytes(3 * MiB + 17, 21);
    {
      await using s3 = await startFakeS3({ dir, buckets: ["b"], minPartSize: 1 });
      const client = makeClient(s3.url);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: "b",
            Key: "../weird/ü key",
            Body: body,
            ContentType: "text/x-disk",
            Metadata: { m: "1" },
          }),
        );
        await client.send(new PutObjectCommand({ Bucket: "b", Key: "a", Body: "file a" }));
        await client.send(new PutObjectCommand({ Bucket: "b", Key: "a/b", Body: "file a/b" }));
        const { UploadId } = await client.send(
          new CreateMultipartUploadCommand({ Bucket: "b", Key: "mp" }),
        );
        const e1 = await client.send(
          new UploadPartCommand({
            Bucket: "b",
            Key: "mp",
            UploadId,
            PartNumber: 1,
            Body: "first-",
          }),
        );
        const e2 = await client.send(
          new UploadPartCommand({
            Bucket: "b",
            Key: "mp",
            UploadId,
            PartNumber: 2,
            Body: "second",
          }),
        );
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: "b",
            Key: "mp",
            UploadId,
            MultipartUpload: {
              Parts: [{ ETag: e1.ETag!, PartNumber: 1 }, { ETag: e2.ETag!, PartNumber: 2 }],
            },
          }),
        );
        const range = await client.send(
          new GetObjectCommand({ Bucket: "b", Key: "../weird/ü key", Range: "bytes=1000-1999" }),
        );
        assert.deepEqual(await range.Body!.transformToByteArray(), body.subarray(1000, 2000));
        await client.send(new PutObjectCommand({ Bucket: "b", Key: "gone", Body: "x" }));
        await client.send(new DeleteObjectCommand({ Bucket: "b", Key: "gone" }));
        // Nothing lands outside the bucket directory and the staging area.
        const top = [];
        for await (const e of Deno.readDir(dir)) top.push(e.name);
        assert.deepEqual(top.sort(), [".tmp", "b"]);
      } finally {
        client.destroy();
      }
    }
    await using s3 = await startFakeS3({ dir });
    assert.deepEqual(s3.listKeys("b"), ["../weird/ü key", "a", "a/b", "mp"]);
    const info = s3.headObject("b", "../weird/ü key");
    assert.equal(info?.contentType, "text/x-disk");
    assert.deepEqual(info?.metadata, { m: "1" });
    assert.equal(info?.etag, md5Hex(body));
    assert.deepEqual(await s3.getObject("b", "../weird/ü key"), body);
    assert.equal(dec.decode(await s3.getObject("b", "mp")), "first-second");
    assert.equal(
      s3.headObject("b", "mp")?.etag,
      multipartEtag([md5Hex("first-"), md5Hex("second")]),
    );
    const res = await fetch(`${s3.url}/b/a/b`);
    assert.equal(await res.text(), "file a/b");
    const part = await fetch(`${s3.url}/b/mp?partNumber=2`);
    assert.equal(await part.text(), "second");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("large objects stream through both backends intact", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const options of [{}, { dir }]) {
      await using s3 = await startFakeS3({ buckets: ["b"], ...options });
      const body = randomBytes(20 * MiB + 3, 31);
      const put = await fetch(`${s3.url}/b/large`, { method: "PUT", body });
      await put.body?.cancel();
      assert.equal(put.headers.get("etag"), `"${md5Hex(body)}"`);
      const res = await fetch(`${s3.url}/b/large`);
      assert.equal(res.headers.get("content-length"), String(body.length));
      const hash = createHash("md5");
      let size = 0;
      for await (const chunk of res.body!) {
        hash.update(chunk);
        size += chunk.length;
      }
      assert.equal(size, body.length);
      assert.equal(hash.digest("hex"), md5Hex(body));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startFakeS3 validates options; stop is idempotent", async () => {
  await assert.rejects(startFakeS3({ port: 70000 }), InvalidInputError);
  await assert.rejects(startFakeS3({ faults: { errorRate: 1.5 } }), InvalidInputError);
  await assert.rejects(startFakeS3({ buckets: ["bad/name"] }), InvalidInputError);
  const s3 = await startFakeS3();
  assert.match(s3.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s3.env.AWS_ENDPOINT_URL, s3.url);
  await s3.stop();
  await s3.stop();
  await assert.rejects(fetch(`${s3.url}/`));
});

Deno.test("stop() does not hang on a response body the client never reads", async () => {
  const s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "big", new Uint8Array(64 * MiB));
  const res = await fetch(`${s3.url}/b/big`);
  const started = performance.now();
  await s3.stop(); // waits its grace period, warns, and gives up on the stuck response
  const took = performance.now() - started;
  await res.body?.cancel();
  assert.ok(took >= 1500 && took < 10_000, `stop() took ${took}ms`);
});

Deno.test("streamed uploads without Content-Length (chunked) store the right bytes", async () => {
  // Chunked PUTs to the disk backend used to be 10-30x slower than sized ones
  // (timings live in scripts/bench/, not here); this checks the bytes of that
  // path on both backends. Content is a random 1 MiB block with a different
  // first byte per MiB, so it is cheap to make and a misplaced block changes
  // the ETag.
  const block = randomBytes(MiB, 41);
  const blocks = 64;
  const expected = createHash("md5");
  for (let i = 0; i < blocks; i++) {
    block[0] = i;
    expected.update(block);
  }
  const etag = `"${expected.digest("hex")}"`;
  const dir = await Deno.makeTempDir();
  try {
    for (const options of [{}, { dir }]) {
      await using s3 = await startFakeS3({ buckets: ["b"], ...options });
      let i = 0;
      let offset = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i === blocks) return controller.close();
          // 64 KiB pieces, like a client copying a file stream.
          block[0] = i;
          const piece = block.slice(offset, offset + 64 * 1024);
          offset += piece.length;
          if (offset === MiB) {
            offset = 0;
            i++;
          }
          controller.enqueue(piece);
        },
      });
      const put = await fetch(`${s3.url}/b/streamed`, {
        method: "PUT",
        body,
        duplex: "half",
      } as RequestInit);
      await put.body?.cancel();
      assert.equal(put.status, 200, JSON.stringify(options));
      assert.equal(put.headers.get("etag"), etag);
      const info = s3.headObject("b", "streamed");
      assert.equal(info?.size, blocks * MiB);
      assert.equal(info?.etag, etag.slice(1, -1));
      const res = await fetch(`${s3.url}/b/streamed`);
      const hash = createHash("md5");
      for await (const chunk of res.body!) hash.update(chunk);
      assert.equal(`"${hash.digest("hex")}"`, etag);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("control endpoints: off by default, stats JSON and reset when enabled", async () => {
  // Off: /_fake_s3/... is an ordinary (invalid-bucket) S3 request and is counted.
  await withS3(async (s3) => {
    const res = await fetch(`${s3.url}/_fake_s3/stats`);
    await res.body?.cancel();
    assert.notEqual(res.headers.get("content-type"), "application/json");
    assert.equal(s3.stats.total, 1);
  });
  await withS3(async (s3, client) => {
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "v" }));
    await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    const res = await fetch(`${s3.url}/_fake_s3/stats`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const stats = await res.json();
    assert.deepEqual(stats, s3.stats, "the JSON is the stats object");
    assert.equal(stats.PutObject, 1);
    assert.equal(stats.HeadObject, 1);
    assert.equal(stats.total, 2, "control requests are not counted");

    const wrongMethod = await fetch(`${s3.url}/_fake_s3/reset`);
    await wrongMethod.body?.cancel();
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    const unknown = await fetch(`${s3.url}/_fake_s3/nope`, { method: "POST" });
    await unknown.body?.cancel();
    assert.equal(unknown.status, 404);
    assert.equal(s3.stats.total, 2);

    const reset = await fetch(`${s3.url}/_fake_s3/reset`, { method: "POST", body: "ignored" });
    await reset.body?.cancel();
    assert.equal(reset.status, 204);
    assert.equal(s3.stats.total, 0);
    assert.equal(s3.stats.PutObject, 0);

    // Faults never hit control requests, so a flaky server can still be inspected.
    s3.setFaults({ errorRate: 1 });
    const during = await fetch(`${s3.url}/_fake_s3/stats`);
    assert.equal(during.status, 200);
    assert.equal((await during.json()).total, 0);
    s3.clearFaults();

    // The same key under a real bucket is still an object.
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "_fake_s3/stats", Body: "obj" }));
    const obj = await fetch(`${s3.url}/b/_fake_s3/stats`);
    assert.equal(await obj.text(), "obj");
  }, { controlEndpoints: true });
});

Deno.test("scripts/fake_s3.ts serves stats and reset to another process", async () => {
  const script = new URL("../scripts/fake_s3.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", script, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { done, value } = await lines.read();
      if (done) break;
      out += value;
    }
    const url = /^fake-s3 listening on (\S+)/.exec(out)?.[1];
    assert.ok(url, `unexpected first output: ${JSON.stringify(out)}`);
    const list = await fetch(`${url}/`);
    await list.body?.cancel();
    const stats = await (await fetch(`${url}/_fake_s3/stats`)).json();
    assert.equal(stats.ListBuckets, 1);
    assert.equal(stats.total, 1);
    const reset = await fetch(`${url}/_fake_s3/reset`, { method: "POST" });
    await reset.body?.cancel();
    assert.equal(reset.status, 204);
    assert.equal((await (await fetch(`${url}/_fake_s3/stats`)).json()).total, 0);
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    await child.status;
    await stderr;
  }
});

Deno.test("scripts/fake_s3.ts --help documents the control endpoints", async () => {
  const script = new URL("../scripts/fake_s3.ts", import.meta.url).pathname;
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", script, "--help"],
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  const help = dec.decode(stdout);
  assert.match(help, /GET +\/_fake_s3\/stats/);
  assert.match(help, /POST +\/_fake_s3\/reset/);
});
