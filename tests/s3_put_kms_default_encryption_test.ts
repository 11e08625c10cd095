/**
 * A bucket with default SSE-KMS encryption (common: an organisation's
 * policy) answers every PutObject and UploadPart with
 * `x-amz-server-side-encryption: aws:kms` and an ETag of 32 hex digits that
 * is not the MD5 of the bytes, though the bytes arrived whole (S3 checked
 * the Content-MD5 vc sent). vc took such an ETag for an MD5 and refused the
 * upload as corrupt ("stored with ETag X, but the body's MD5 is Y"), so no
 * put, small or multipart, worked into such a bucket. The proxy here answers
 * as S3 does for such a bucket.
 */
import { assertEquals, assertNotEquals } from "./assert.ts";
import { md5Hex } from "../src/hash.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const KiB = 1024;

/** The fake S3 behind a proxy that answers writes as a default-SSE-KMS bucket does. */
async function withKmsBucket(
  fn: (proxied: Awaited<ReturnType<typeof startS3Proxy>>) => Promise<void>,
): Promise<void> {
  // The fake's ETag of each opaque one handed out: a completion lists the
  // opaque ones, which S3 knows and the fake (which keeps MD5s) does not.
  const real = new Map<string, string>();
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    let xml: string | undefined;
    if (req.method === "POST" && url.searchParams.has("uploadId")) {
      xml = await req.text();
      for (const [opaque, etag] of real) xml = xml.replaceAll(opaque, etag);
    }
    const res = await forward(xml);
    const write = (req.method === "PUT" && !req.headers.has("x-amz-copy-source")) ||
      (req.method === "POST" && url.searchParams.has("uploadId"));
    if (!write || res.status !== 200) return res;
    const headers = new Headers(res.headers);
    headers.set("x-amz-server-side-encryption", "aws:kms");
    const etag = headers.get("etag");
    if (etag !== null) {
      const opaque = md5Hex(`kms ${etag}`);
      real.set(opaque, etag.replaceAll('"', ""));
      headers.set("etag", `"${opaque}"`);
    }
    let body = await res.text();
    // The completion's <ETag> (a multipart one, `-N`) is no MD5 of MD5s either.
    body = body.replace(
      /<ETag>&quot;([0-9a-f]{32})-(\d+)&quot;<\/ETag>/,
      (_, h, n) => `<ETag>&quot;${md5Hex(`kms ${h}`)}-${n}&quot;</ETag>`,
    );
    return new Response(body === "" ? null : body, { status: res.status, headers });
  }, {
    fake: { minPartSize: 64 * KiB },
    store: { multipartThreshold: 128 * KiB, partSize: 64 * KiB, maxAttempts: 1 },
  });
  await fn(proxied);
}

Deno.test("put into a default-SSE-KMS bucket: a single PUT's opaque ETag is not taken for a wrong MD5", async () => {
  await withKmsBucket(async ({ store, direct }) => {
    const body = new TextEncoder().encode("encrypted at rest by the bucket's default\n");
    const { etag } = await store.put("small.txt", body);
    assertNotEquals(etag, md5Hex(body));
    assertEquals(
      new Uint8Array(await new Response((await direct.get("small.txt")).body).bytes()),
      body,
    );
  });
});

Deno.test("put into a default-SSE-KMS bucket: a multipart upload's opaque part ETags are accepted", async () => {
  await withKmsBucket(async ({ store, direct }) => {
    const body = new Uint8Array(200 * KiB).map((_, i) => (i * 7) & 0xff);
    for (
      const [key, source] of [
        ["bytes.bin", body],
        ["stream.bin", ReadableStream.from([body])],
      ] as const
    ) {
      const { etag } = await store.put(key, source);
      assertEquals(/-4$/.test(etag), true, etag);
      const back = new Uint8Array(await new Response((await direct.get(key)).body).bytes());
      assertEquals(md5Hex(back), md5Hex(body));
    }
  });
});
