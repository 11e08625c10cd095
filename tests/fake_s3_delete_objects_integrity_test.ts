/**
 * The fake S3 server takes a DeleteObjects request as S3 does: S3 refuses one
 * that carries neither a `Content-MD5` nor an `x-amz-checksum-*` header of its
 * body (400 `InvalidRequest`, "Missing required header for this request:
 * Content-MD5"), and one whose checksum is not of the body it came with
 * (400 `BadDigest`), deleting nothing. moto takes both, and so did the fake:
 * a client that stopped sending the header (the AWS SDK sends a CRC32 since
 * 3.729 and no Content-MD5, which older MinIO and Ceph require: `S3Store` adds
 * it) passed every test here and failed on S3.
 */
import { md5Hex } from "../src/hash.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

const BODY = "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>";

function base64OfHex(hex: string): string {
  return btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));
}

Deno.test("fake S3 DeleteObjects: no Content-MD5 nor checksum header is refused, nothing deleted", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "a", "1");
  await s3.putObject("b", "b", "2");
  const res = await fetch(`${s3.url}/b?delete`, { method: "POST", body: BODY });
  const text = await res.text();
  assertEquals(res.status, 400, text);
  assertMatch(text, /<Code>InvalidRequest<\/Code>/);
  assertMatch(text, /Missing required header for this request: Content-MD5/);
  assertEquals(s3.listKeys("b"), ["a", "b"]);
});

Deno.test("fake S3 DeleteObjects: a checksum header of other bytes is BadDigest, nothing deleted", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "a", "1");
  await s3.putObject("b", "b", "2");
  for (
    const [header, value] of [
      ["x-amz-checksum-crc32", "AAAAAA=="],
      ["x-amz-checksum-sha256", base64OfHex("00".repeat(32))],
    ]
  ) {
    const res = await fetch(`${s3.url}/b?delete`, {
      method: "POST",
      headers: { [header!]: value! },
      body: BODY,
    });
    const text = await res.text();
    assertEquals(res.status, 400, `${header}: ${text}`);
    assertMatch(text, /<Code>BadDigest<\/Code>/);
  }
  assertEquals(s3.listKeys("b"), ["a", "b"]);
});

Deno.test("fake S3 DeleteObjects: Content-MD5 alone, or a right checksum alone, deletes", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "a", "1");
  await s3.putObject("b", "b", "2");
  const md5 = await fetch(`${s3.url}/b?delete`, {
    method: "POST",
    headers: { "content-md5": base64OfHex(md5Hex(new TextEncoder().encode(BODY))) },
    body: BODY,
  });
  assertEquals(md5.status, 200, await md5.text());
  assertEquals(s3.listKeys("b"), []);
  await s3.putObject("b", "a", "1");
  // CRC32 of BODY, as the AWS SDK sends it (and nothing else).
  const { crc32 } = await import("node:zlib");
  const crc = crc32(new TextEncoder().encode(BODY)) >>> 0;
  const crcB64 = base64OfHex(crc.toString(16).padStart(8, "0"));
  const byCrc = await fetch(`${s3.url}/b?delete`, {
    method: "POST",
    headers: { "x-amz-checksum-crc32": crcB64 },
    body: BODY,
  });
  assertEquals(byCrc.status, 200, await byCrc.text());
  assertEquals(s3.listKeys("b"), []);
});

Deno.test("fake S3 DeleteObjects: S3Store's batch delete passes the stricter check", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  for (const k of ["a", "b b", "c+c"]) await s3.putObject("b", k, k);
  await store.delete(["a", "b b", "c+c"]);
  assertEquals(s3.listKeys("b"), []);
  assert(s3.stats.DeleteObjects >= 1, JSON.stringify(s3.stats));
});
