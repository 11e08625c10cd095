// `startAfter` is a position in the listing, not a key: the versions listing
// steps past a folder with one of 1,024 bytes (`pastFolder`, the longest a
// key can be), which S3Store prefixed with its own prefix (`s3://b/team/...`)
// and then refused as a key longer than 1,024 bytes, so `vc versions`,
// `add` and `update` failed on a prefixed store with a folder beside a file.
// No key lies between such a position and its first 1,024 bytes: S3Store
// asks from those.
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { listVersionKeys, pastFolder } from "../src/versioned/slash_keys.ts";
import { assertEquals } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store with a prefix: versions are listed past a folder under their prefix", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    prefix: "team/data",
    endpoint: s3.url,
    region: "us-east-1",
    credentials,
  });
  const one = new Uint8Array([1]);
  await store.put("d/x.1.0.0.csv", one);
  // 9 and 12 bytes: the position past them ends in U+FFFF, or in U+10FFFF only.
  for (const folder of ["d/x.2017/", "d/x.0images/"]) {
    for (let i = 0; i < 3; i++) await store.put(`${folder}${i}.jpg`, one);
  }
  await store.put("d/x.2.0.0.csv", one);
  const found = await listVersionKeys(store, "/d/x.csv");
  assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0"]);
});

Deno.test("S3Store with a prefix: list after a position of 1,024 bytes gives the keys after it", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    prefix: "team",
    endpoint: s3.url,
    region: "us-east-1",
    credentials,
  });
  const one = new Uint8Array([1]);
  for (const key of ["d/x.2017/a", "d/x.2017/\u{10FFFF}", "d/x.20170", "d/x.3.0.0.csv"]) {
    await store.put(key, one);
  }
  const keys: string[] = [];
  for await (const info of store.list("d/x.", { startAfter: pastFolder("d/x.2017/") })) {
    keys.push(info.key);
  }
  assertEquals(keys, ["d/x.20170", "d/x.3.0.0.csv"]);
});
