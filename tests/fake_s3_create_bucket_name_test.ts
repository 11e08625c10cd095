/**
 * The fake S3 server's CreateBucket (an `aws s3 mb`, an SDK
 * CreateBucketCommand) takes the names S3 takes, and refuses the others
 * with 400 InvalidBucketName, as S3 and moto do. Before, it made `ab`,
 * `My_Bucket` or a 64-character name: a test that created its bucket so
 * passed on the fake and failed on S3. The `buckets` option and
 * `createBucket()` stay lenient (`b` is a handy name in a test).
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const REFUSED = [
  "ab", // fewer than 3 characters
  "a".repeat(64), // more than 63
  "My-Bucket", // upper case
  "my_bucket", // underscore
  "a..b", // two dots in a row
  "-abc",
  "abc-",
  "abc.",
  "192.168.1.1", // shaped as an IP address
  "xn--abc", // reserved prefixes and suffixes
  "sthree-abc",
  "amzn-s3-demo-abc",
  "abc-s3alias",
  "abc--ol-s3",
  "abc.mrap",
  "abc--x-s3",
  "abc--table-s3",
];
const TAKEN = ["abc", "a".repeat(63), "my.bucket-2", "0ab", "10.0.0.1x"];

Deno.test("fake S3: CreateBucket refuses the names S3 refuses, takes the others", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const name of REFUSED) {
    const res = await fetch(`${s3.url}/${name}`, { method: "PUT" });
    assertStringIncludes(await res.text(), "<Code>InvalidBucketName</Code>", name);
    assertEquals(res.status, 400, name);
    assertEquals((await fetch(`${s3.url}/${name}`, { method: "HEAD" })).status, 404, name);
  }
  for (const name of TAKEN) {
    const res = await fetch(`${s3.url}/${name}`, { method: "PUT" });
    await res.body?.cancel();
    assertEquals(res.status, 200, name);
  }
  // The option's bucket and createBucket() keep test names short.
  assertEquals((await fetch(`${s3.url}/b`, { method: "HEAD" })).status, 200);
  await s3.createBucket("c");
  assertEquals((await fetch(`${s3.url}/c`, { method: "HEAD" })).status, 200);
});
