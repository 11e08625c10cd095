/**
 * A multipart object whose last part is empty (S3 takes one; a writer that
 * streams a body of unknown length, whose size is a multiple of its part
 * size, ends with it): no usual part size explains its ETag, and the store
 * tells the real sizes, the last one 0. That size was taken for "cannot
 * tell", so the intact object was never cached, mirrored or synced; now it
 * verifies, and its record (sizes included) verifies it again offline.
 */
import { testS3Options } from "./versioned_helpers.ts";
import { assert, assertEquals } from "./assert.ts";
import { multipartPut } from "./fake_multipart_put.ts";
import { md5Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { tempCache } from "./temp_cache.ts";

const MiB = 1024 * 1024;

Deno.test("a multipart object with an empty last part is cached and verified", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const body = new Uint8Array(5 * MiB).fill(3);
  const etag = await multipartPut(s3, "b", "empty-last.bin", [body, new Uint8Array(0)]);
  assert(etag.endsWith("-2"), etag);
  await using temp = await tempCache("vc-empty-last-part-", {
    store: testS3Options(s3),
  });
  const { cache } = temp;
  const path = await cache.cache("s3://b/empty-last.bin");
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(body));
  // The recorded sizes check the copy again, with no request.
  const checked = await cache.verify();
  assertEquals([checked.ok, checked.corrupt.length], [1, 0]);
});
