/**
 * The fake S3 server checks a body against the SHA-256 its request signed
 * (`x-amz-content-sha256` in hex), as S3 does (400
 * XAmzContentSHA256Mismatch, nothing stored). Before, it took any body
 * whatever the header said, as moto does: a client that signed the hash of
 * other bytes than it sent (a retry with another body, a view of the wrong
 * bytes) passed every test on the fake and on moto and failed on S3.
 */
import { sha256Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const WRONG = "0".repeat(64);

async function put(url: string, body: string, sha: string, query = ""): Promise<Response> {
  return await fetch(`${url}/b/k${query}`, {
    method: "PUT",
    headers: { "x-amz-content-sha256": sha },
    body,
  });
}

Deno.test("fake S3: a PutObject body other than the SHA-256 it signed is refused, nothing stored", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const res = await put(s3.url, "abc", WRONG);
  const text = await res.text();
  assertEquals(res.status, 400);
  assertStringIncludes(text, "<Code>XAmzContentSHA256Mismatch</Code>");
  assertEquals((await fetch(`${s3.url}/b/k`, { method: "HEAD" })).status, 404);

  // The right hash, upper case too (S3 compares case-insensitively), and the
  // unsigned forms, are taken.
  for (const sha of [sha256Hex("abc"), sha256Hex("abc").toUpperCase(), "UNSIGNED-PAYLOAD"]) {
    const ok = await put(s3.url, "abc", sha);
    await ok.body?.cancel();
    assertEquals(ok.status, 200, sha);
  }
  const plain = await fetch(`${s3.url}/b/k`, { method: "PUT", body: "abc" });
  await plain.body?.cancel();
  assertEquals(plain.status, 200, "no header: not checked");
});

Deno.test("fake S3: an UploadPart and a CompleteMultipartUpload body are checked against their SHA-256 too", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const created = await (await fetch(`${s3.url}/b/k?uploads`, { method: "POST" })).text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)![1]!;
  const part = await put(s3.url, "abc", WRONG, `?partNumber=1&uploadId=${id}`);
  assertStringIncludes(await part.text(), "XAmzContentSHA256Mismatch");
  assertEquals(part.status, 400);
  const good = await put(s3.url, "abc", sha256Hex("abc"), `?partNumber=1&uploadId=${id}`);
  await good.body?.cancel();
  const etag = good.headers.get("etag")!;
  const xml =
    `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;
  const complete = await fetch(`${s3.url}/b/k?uploadId=${id}`, {
    method: "POST",
    headers: { "x-amz-content-sha256": WRONG },
    body: xml,
  });
  assertStringIncludes(await complete.text(), "XAmzContentSHA256Mismatch");
  assertEquals(complete.status, 400);
  const done = await fetch(`${s3.url}/b/k?uploadId=${id}`, {
    method: "POST",
    headers: { "x-amz-content-sha256": sha256Hex(xml) },
    body: xml,
  });
  await done.body?.cancel();
  assertEquals(done.status, 200);
});
