/**
 * Google Cloud Storage's XML API gives a composite object (what
 * `gcloud storage cp` and `gsutil` parallel composite uploads make of a
 * large file) and an object uploaded there in parts an ETag that is no MD5,
 * and no `x-amz-checksum-*`: such an object was checked by its size alone,
 * so bytes damaged on the way were cached as the object. GCS tells the
 * object's CRC32C on every answer (`x-goog-hash: crc32c=…`, with `md5=…`
 * beside it where it has one): the download is checked against that.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";
import type { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { checksumHasher } from "../src/object_checksum.ts";
import { md5Hex } from "../src/hash.ts";
import { tempCache } from "./temp_cache.ts";

// What GCS's XML API answers for a composite object: an ETag of its own.
const COMPOSITE_ETAG = '"-CKicn8yBq+kCEAE="';
const DATA = new TextEncoder().encode("a composite object of Google Cloud Storage\n".repeat(40));

function md5Base64(bytes: Uint8Array): string {
  return Uint8Array.fromHex(md5Hex(bytes)).toBase64();
}

async function crc32c(bytes: Uint8Array): Promise<string> {
  const h = await checksumHasher("CRC32C");
  h.update(bytes);
  return h.base64();
}

/**
 * The fake S3 behind a proxy answering as GCS does for a composite object;
 * `damage` flips a byte of each GET's body (same length), as a broken link
 * or middlebox would, and `stored` says the object is stored gzip-encoded.
 */
async function gcsLike(options: { damage?: boolean; stored?: string; etag?: string } = {}) {
  const crc = await crc32c(DATA);
  const etag = options.etag ?? COMPOSITE_ETAG;
  let stored = "";
  const proxied = await startS3Proxy(async (req, forward) => {
    // Ranged GETs ask for the ETag the proxy gave: the fake knows its own.
    const res = req.headers.get("if-match") === etag
      ? await forward(undefined, { "if-match": `"${stored}"` })
      : await forward();
    if (new URL(req.url).searchParams.has("list-type") || req.method === "PUT") return res;
    const headers = new Headers();
    for (const name of ["content-length", "content-type", "last-modified", "content-range"]) {
      const v = res.headers.get(name);
      if (v !== null) headers.set(name, v);
    }
    headers.set("etag", etag);
    headers.set("x-goog-generation", "1700000000000000");
    headers.append("x-goog-hash", `crc32c=${crc}`);
    if (options.etag !== undefined) headers.append("x-goog-hash", `md5=${md5Base64(DATA)}`);
    if (options.stored !== undefined) {
      headers.set("x-goog-stored-content-encoding", options.stored);
    }
    if (req.method === "HEAD" || !res.ok) {
      await res.body?.cancel();
      return new Response(null, { status: res.status, headers });
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (options.damage === true) body[100] = body[100]! ^ 0x20;
    return new Response(body, { status: res.status, headers });
  }, { store: { maxAttempts: 1 } });
  stored = (await proxied.direct.put("big.bin", DATA)).etag;
  return proxied;
}

async function withCache(
  endpoint: string,
  run: (cache: AssetCache) => Promise<void>,
  download?: { parallelThreshold: number; partSize: number },
): Promise<void> {
  await using temp = await tempCache("vc-gcs-hash-", {
    store: testS3Options({ url: endpoint }, { maxAttempts: 1 }),
    ...(download === undefined ? {} : { download }),
  });
  const { cache } = temp;
  await run(cache);
}

Deno.test("GCS composite object: its x-goog-hash CRC32C is the object's checksum", async () => {
  await using proxied = await gcsLike();
  const info = await proxied.store.head("big.bin");
  assert(info !== undefined);
  assertEquals(info.checksum, {
    algorithm: "CRC32C",
    value: await crc32c(DATA),
    type: "FULL_OBJECT",
  });
});

Deno.test("GCS composite object: bytes damaged on the way are refused, not cached", async () => {
  await using proxied = await gcsLike({ damage: true });
  await withCache(proxied.endpoint, async (cache) => {
    const e = await assertRejects(() => cache.cache("s3://b/big.bin"), IntegrityError);
    assertStringIncludes((e as Error).message, "CRC32C");
  });
});

Deno.test("GCS composite object: damaged bytes of a download in ranges are refused", async () => {
  await using proxied = await gcsLike({ damage: true });
  await withCache(proxied.endpoint, async (cache) => {
    const e = await assertRejects(() => cache.cache("s3://b/big.bin"), IntegrityError);
    assertStringIncludes((e as Error).message, "CRC32C");
  }, { parallelThreshold: 256, partSize: 256 });
});

Deno.test("GCS composite object: intact bytes are cached", async () => {
  await using proxied = await gcsLike();
  await withCache(proxied.endpoint, async (cache) => {
    const path = await cache.cache("s3://b/big.bin");
    assertEquals(await Deno.readFile(path), DATA);
  });
});

Deno.test("GCS: an x-goog-hash of the stored gzip bytes is no checksum of a decoded answer", async () => {
  await using proxied = await gcsLike({ stored: "gzip" });
  const info = await proxied.store.head("big.bin");
  assert(info !== undefined);
  assertEquals(info.checksum, undefined);
});

// An ETag of 32 hex digits that GCS's own MD5 of the content (x-goog-hash
// md5=…) says is not the MD5 (GCS makes no promise of an MD5 ETag for objects
// encrypted with a Cloud KMS key, among others): no MD5 to check the bytes
// against, so intact bytes were refused as damaged.
const NOT_MD5_ETAG = '"0123456789abcdef0123456789abcdef"';

Deno.test("GCS: an MD5-shaped ETag that x-goog-hash's md5 contradicts is no MD5", async () => {
  await using proxied = await gcsLike({ etag: NOT_MD5_ETAG });
  const info = await proxied.store.head("big.bin");
  assertEquals(info?.opaqueEtag, true);
  await withCache(proxied.endpoint, async (cache) => {
    const path = await cache.cache("s3://b/big.bin");
    assertEquals(await Deno.readFile(path), DATA);
  });
});

Deno.test("GCS: with such an ETag, damaged bytes are still refused", async () => {
  await using proxied = await gcsLike({ etag: NOT_MD5_ETAG, damage: true });
  await withCache(proxied.endpoint, async (cache) => {
    await assertRejects(() => cache.cache("s3://b/big.bin"), IntegrityError);
  });
});

Deno.test("GCS: a PUT answered with such an ETag and x-goog-hash's md5 of the body is not refused", async () => {
  await using proxied = await startS3Proxy(async (req, forward) => {
    const body = req.method === "PUT" ? new Uint8Array(await req.clone().arrayBuffer()) : undefined;
    const res = await forward();
    if (body === undefined) return res;
    await res.body?.cancel();
    const headers = new Headers({ etag: NOT_MD5_ETAG, "x-goog-hash": `md5=${md5Base64(body)}` });
    return new Response(null, { status: res.status, headers });
  }, { store: { maxAttempts: 1 } });
  const { etag } = await proxied.store.put("k.bin", DATA);
  assertEquals(etag, NOT_MD5_ETAG.slice(1, -1));
});

Deno.test("GCS: a PUT answered with such an ETag and x-goog-hash's md5 of other bytes is refused", async () => {
  // A proxy that altered the body (and its Content-MD5): GCS's own MD5 of
  // what it stored is not the body's, whatever the ETag is.
  const other = new TextEncoder().encode("other bytes than sent");
  await using proxied = await startS3Proxy(async (req, forward) => {
    const res = await forward();
    if (req.method !== "PUT") return res;
    await res.body?.cancel();
    const headers = new Headers({ etag: NOT_MD5_ETAG, "x-goog-hash": `md5=${md5Base64(other)}` });
    return new Response(null, { status: res.status, headers });
  }, { store: { maxAttempts: 1 } });
  const error = await assertRejects(() => proxied.store.put("k.bin", DATA), IntegrityError);
  assertStringIncludes(error.message, md5Hex(other));
});

Deno.test("GCS: a part answered with x-goog-hash's md5 of other bytes is refused", async () => {
  const other = new TextEncoder().encode("other bytes than sent");
  await using proxied = await startS3Proxy(async (req, forward) => {
    const res = await forward();
    if (req.method !== "PUT" || !new URL(req.url).searchParams.has("uploadId")) return res;
    await res.body?.cancel();
    // The part's real ETag (the completion takes it), GCS's MD5 of other bytes.
    const headers = new Headers(res.headers);
    headers.set("x-goog-hash", `md5=${md5Base64(other)}`);
    return new Response(null, { status: res.status, headers });
  }, {
    fake: { minPartSize: 1024 },
    store: { maxAttempts: 1, multipartThreshold: 1024, partSize: 1024, concurrency: 1 },
  });
  const error = await assertRejects(() => proxied.store.put("k.bin", DATA), IntegrityError);
  assertStringIncludes(error.message, md5Hex(other));
});
