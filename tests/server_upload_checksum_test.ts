/**
 * The cache service stores uploads with CRC32 part checksums (it never
 * needs the parts' MD5s): over the fake S3, which refuses CRC32 uploads
 * whose parts or completion lack their checksums, a multipart upload comes
 * back intact, and a part corrupted on the way to the store fails the
 * upload and leaves the previous file in place.
 */
import { md5Hex } from "../src/hash.ts";
import { CacheClient } from "../src/server/client.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore, PutOptions } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const MiB = 1024 * 1024;

function pattern(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 511) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test("serve over S3: uploads go up with CRC32 part checksums; a corrupted part fails, the old file stays", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using fake = await startFakeS3({ credentials: false, buckets: ["cache"] });
  let corrupt = false;
  let partsSeen = 0;
  let crcParts = 0;
  // Between the service's store and the fake: counts parts with a CRC32,
  // and flips a byte of part 2 while `corrupt` is set.
  await using proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    let body = req.body === null ? null : new Uint8Array(await req.arrayBuffer());
    if (url.searchParams.has("partNumber") && req.method === "PUT" && body !== null) {
      partsSeen++;
      if (req.headers.has("x-amz-checksum-crc32")) crcParts++;
      if (corrupt && url.searchParams.get("partNumber") === "2") {
        body = body.slice();
        body[100]! ^= 1;
      }
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.delete("content-length");
    const res = await fetch(`${fake.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  const puts: PutOptions[] = [];
  const s3 = new S3Store({
    bucket: "cache",
    endpoint: `http://127.0.0.1:${proxy.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
    maxAttempts: 1,
  });
  const recording = new Proxy(s3, {
    get(target, name) {
      if (name === "put") {
        return (key: string, body: Parameters<S3Store["put"]>[1], options: PutOptions = {}) => {
          puts.push(options);
          return target.put(key, body, options);
        };
      }
      const v = Reflect.get(target, name);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as ObjectStore;
  await using t = await startService({ store: recording });
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ crc: true });
  const first = pattern(11 * MiB + 7, 1);
  await client.put(cacheId, first, { filename: "a.bin" });
  assert(fake.stats.CreateMultipartUpload >= 1, "a multipart upload");
  assertEquals(partsSeen, 3);
  assertEquals(crcParts, 3, "every part carried its CRC32");
  assert(puts.some((o) => o.partChecksum === "crc32"), "the service asked for CRC32 parts");
  corrupt = true;
  await assertRejects(() => client.put(cacheId, pattern(11 * MiB, 2), { filename: "b.bin" }));
  corrupt = false;
  const back = await client.getBytes(cacheId);
  assertEquals(md5Hex(back!), md5Hex(first), "the previous file is intact");
  const uploads = await (await fetch(`${fake.url}/cache?uploads`)).text();
  assert(!uploads.includes("<Upload>"), "no multipart upload left behind");
});
