// An object another tool uploaded in parts (`aws s3 cp` of a file over
// 8 MiB: a `-N` ETag, no MD5 stated) and later wrote again in one piece with
// the same bytes (`aws s3 cp s3://b/k s3://b/k --metadata-directive REPLACE`
// to fix its content type, a storage class change, a re-upload by a tool
// that PUTs whole files) now has a plain ETag: the MD5 of its content. The
// cached copy's download verified the parts, not the whole MD5, so every
// revalidation downloaded the whole object again though the copy already
// held those bytes. The copy's own MD5 is read from the disk instead, once:
// equal, the copy takes the new ETag and nothing is downloaded; not equal,
// the new version is downloaded as before.
import { md5Hex } from "../src/hash.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { multipartPut } from "./fake_multipart_put.ts";

const MiB = 1024 * 1024;

function bytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test("revalidation: a multipart object written again in one piece with the same bytes is not downloaded again", async () => {
  await withS3Cache(async (s3, make) => {
    const first = bytes(5 * MiB, 1);
    const second = bytes(1 * MiB, 2);
    const whole = new Uint8Array(6 * MiB);
    whole.set(first);
    whole.set(second, 5 * MiB);
    const etag = await multipartPut(s3, "b", "big.bin", [first, second]);
    assertEquals(etag.endsWith("-2"), true, etag);
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://b/big.bin");
    const { ino, mtime } = await Deno.stat(path);
    // The same bytes in one PUT: the ETag is their MD5 now.
    const plain = await s3.putObject("b", "big.bin", whole);
    assertEquals(plain.etag.replaceAll('"', ""), md5Hex(whole));
    s3.resetStats();
    assertEquals(await cache.cache("s3://b/big.bin"), path);
    assertEquals(s3.stats.GetObject, 0);
    const after = await Deno.stat(path);
    assertEquals([after.ino, after.mtime?.getTime()], [ino, mtime?.getTime()]);
    const [entry] = await cache.ls({ uri: "s3://b/big.bin" });
    assertEquals(entry?.etag, md5Hex(whole));
    // Recorded with its MD5: the next revalidation is one HEAD, no read of the copy.
    s3.resetStats();
    assertEquals(await cache.cache("s3://b/big.bin"), path);
    assertEquals([s3.stats.HeadObject, s3.stats.GetObject], [1, 0]);
  });
});

Deno.test("revalidation: a multipart object replaced in one piece by other bytes of its size is downloaded", async () => {
  await withS3Cache(async (s3, make) => {
    const first = bytes(5 * MiB, 3);
    const second = bytes(1 * MiB, 4);
    await multipartPut(s3, "b", "big.bin", [first, second]);
    const cache = make({ timeout: 0 });
    const path = await cache.cache("s3://b/big.bin");
    const other = bytes(6 * MiB, 5);
    await s3.putObject("b", "big.bin", other);
    assertEquals(await cache.cache("s3://b/big.bin"), path);
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(other));
  });
});
