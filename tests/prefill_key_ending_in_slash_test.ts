// A key ending in `/` is a key as any other in S3 (`aws s3api put-object
// --key dir/ --body f`), and `vc cache get s3://b/dir/` caches it: a prefill
// list, and a manifest override, may name it too. Only a bucket (no key)
// names no object.
import { join } from "node:path";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parsePrefillItem } from "../src/prefill/list_file.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { cacheOverOneObject } from "./versioned_helpers.ts";

Deno.test("prefill list: an s3:// key ending in / is an object, a bucket is not", () => {
  assertEquals(parsePrefillItem("s3://b/dir/"), { kind: "uri", uri: "s3://b/dir/" });
  for (const bucket of ["s3://b", "s3://b/"]) {
    assertThrows(() => parsePrefillItem(bucket), InvalidInputError, `${bucket} names a bucket`);
  }
});

Deno.test("manifest: an override of an s3:// key ending in / is read, one of a bucket refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_slash_key_" });
  try {
    const manifest = join(dir, "m.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ "/d.bin": "s3://b/dir/" }));
    assertEquals(await readManifest(manifest), { "/d.bin": "s3://b/dir/" });
    await Deno.writeTextFile(manifest, JSON.stringify({ "/d.bin": "s3://b/" }));
    await assertRejects(() => readManifest(manifest), InvalidInputError, "names a bucket");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill of a list naming s3://b/dir/ caches the object vc cache get reads", async () => {
  await using one = await cacheOverOneObject("slash", "dir/", "held at dir/");
  const { fake, cache } = one;
  const summary = await prefill({ cache, uris: ["s3://slash/dir/"] });
  assertEquals(summary.failed, []);
  assertEquals({ fetched: summary.fetched, bytes: summary.bytes }, { fetched: 1, bytes: 12 });
  const gets = fake.stats.GetObject;
  const local = await cache.cache("s3://slash/dir/");
  assertEquals(await Deno.readTextFile(local), "held at dir/");
  assertEquals(fake.stats.GetObject, gets, "served from the cache prefill filled");
});
