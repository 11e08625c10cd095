/**
 * Google Cloud Storage's XML API answers an object's user metadata as
 * `x-goog-meta-*` (its documented response header), also for metadata that
 * was sent as `x-amz-meta-*`. vc read only `x-amz-meta-*`: the `vc-md5` of
 * an object it uploaded in parts was not seen, so the check after a
 * `vc add` of a large file refused the upload ("no vc-md5 metadata was
 * stored"), and downloads of such objects were not checked by it.
 */
import { assertEquals } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { TINY_MULTIPART } from "./s3_tiny_multipart.ts";
import { md5Hex } from "../src/hash.ts";
import { uploadProblem } from "../src/upload_check.ts";

/** The fake S3 behind a proxy that answers metadata as GCS does. */
function gcsMetadata() {
  return startS3Proxy(async (req, forward) => {
    const res = await forward();
    const headers = new Headers();
    res.headers.forEach((value, name) => {
      headers.set(name.startsWith("x-amz-meta-") ? `x-goog-meta-${name.slice(11)}` : name, value);
    });
    const body = req.method === "HEAD" ? null : await res.arrayBuffer();
    if (body === null) await res.body?.cancel();
    return new Response(body, { status: res.status, headers });
  }, { fake: { minPartSize: 1 }, store: TINY_MULTIPART });
}

Deno.test("s3 head: x-goog-meta-* headers are the object's metadata", async () => {
  await using proxied = await gcsMetadata();
  await proxied.direct.put("k.txt", new TextEncoder().encode("hello"), {
    metadata: { "vc-md5": "5d41402abc4b2a76b9719d911017c592", owner: "me" },
  });
  const info = await proxied.store.head("k.txt");
  assertEquals(info?.metadata, {
    "vc-md5": "5d41402abc4b2a76b9719d911017c592",
    owner: "me",
  });
});

Deno.test("s3: an upload in parts to a store answering x-goog-meta-* passes the upload check", async () => {
  await using proxied = await gcsMetadata();
  const data = new TextEncoder().encode("twelve bytes");
  const md5 = md5Hex(data);
  const { etag } = await proxied.store.put("big.bin", data, { metadata: { "vc-md5": md5 } });
  assertEquals(etag.endsWith("-3"), true, etag);
  assertEquals(
    await uploadProblem(proxied.store, { key: "big.bin", etag, md5, size: data.length }),
    undefined,
  );
});
