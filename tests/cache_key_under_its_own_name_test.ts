/**
 * S3 allows keys "a" and "a/b" in one bucket; a filesystem cannot hold a
 * file and a directory at one path. Whichever is cached first, the other
 * must be refused, naming the URI, before its object is downloaded:
 * otherwise every run (a CI prefill of both) downloads it to throw it away.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { dirname } from "../src/path.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a key whose path is the directory of cached keys below it is refused before its GET", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "a/b", "below");
    await s3.putObject("b", "a", "x".repeat(100_000));
    const cache = make();
    const below = await cache.cache("s3://b/a/b");
    s3.resetStats();
    const e = await assertRejects(() => cache.cache("s3://b/a"), InvalidInputError);
    assertStringIncludes(e.message, "cannot cache s3://b/a ");
    assertStringIncludes(e.message, "taken by a directory");
    assertEquals(s3.stats.GetObject, 0);
    // Nothing left beside the directory, and the key below still served.
    const left = [...Deno.readDirSync(dirname(dirname(below)))].map((d) => d.name);
    assertEquals(left, ["a"]);
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/a/b")), "below");
  });
});

Deno.test("a key below a cached file's name is refused before its GET", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "c", "file");
    await s3.putObject("b", "c/d", "y".repeat(100_000));
    const cache = make();
    const file = await cache.cache("s3://b/c");
    s3.resetStats();
    const e = await assertRejects(() => cache.cache("s3://b/c/d"), InvalidInputError);
    assertStringIncludes(e.message, "cannot cache s3://b/c/d ");
    assertStringIncludes(e.message, "a file of another key");
    assertEquals(s3.stats.GetObject, 0);
    assertEquals(await Deno.readTextFile(file), "file");
  });
});
