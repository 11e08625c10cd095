/**
 * A key longer than S3's 1024 UTF-8 bytes (the store's prefix included) is
 * refused by `S3Store` before any request: S3 answers 400 KeyTooLongError,
 * but only after a put has sent its whole body, so a mirror sent such a file
 * again on every run. A key of exactly 1024 bytes still goes.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";

Deno.test("S3Store refuses a key past 1024 UTF-8 bytes, prefix included, before any request", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (const prefix of ["", "pre/fix"]) {
    const store = new S3Store({
      bucket: "b",
      prefix,
      endpoint: fake.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const room = 1024 - (prefix === "" ? 0 : prefix.length + 1);
      // "é" is two UTF-8 bytes: one too many in half as many characters.
      const long = "é".repeat(Math.floor(room / 2)) + (room % 2 === 0 ? "x" : "xx");
      const before = fake.stats.total;
      const e = await assertRejects(
        () => store.put(long, new Uint8Array(1024 * 1024)),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "longer than 1024 UTF-8 bytes");
      await assertRejects(() => store.head(long), InvalidInputError);
      assertEquals(fake.stats.total, before, "no request for a key S3 would refuse");
      // Exactly 1024 bytes with the prefix: S3 takes it, and so does the store.
      const fits = "x".repeat(room);
      await store.put(fits, new TextEncoder().encode("ok"));
      assertEquals((await store.head(fits))?.size, 2);
    } finally {
      await store.close();
    }
  }
});
