/**
 * The fake S3 server's `putObject()` (a test seeding a bucket without a
 * request) took a key holding a lone UTF-16 surrogate, which no S3 key can
 * hold (keys are UTF-8; every `ObjectStore` refuses one as not valid
 * Unicode). Stored, it broke the bucket: every listing of it answered
 * `500 InternalError: URI malformed`, so a test seeding such a key (to see
 * how a mirror meets a hostile name) saw only retries and a failed listing.
 * It is refused at once, naming the key; the bucket stays listable.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

Deno.test("fake S3 putObject: a key holding a lone surrogate is refused, the bucket still lists", async () => {
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await fake.putObject("bkt", "ok.csv", "x");
  for (const key of ["a\ud800b", "pre/\udfff.csv", "end\ud83d"]) {
    await assertRejects(
      () => fake.putObject("bkt", key, "x"),
      InvalidInputError,
      `${JSON.stringify(key)} is not valid Unicode`,
    );
  }
  assertEquals(fake.listKeys("bkt"), ["ok.csv"]);
  const listed = await fetch(`${fake.url}/bkt?list-type=2&encoding-type=url`);
  const body = await listed.text();
  assertEquals(listed.status, 200, body);
  assertEquals([...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]), ["ok.csv"]);
});
