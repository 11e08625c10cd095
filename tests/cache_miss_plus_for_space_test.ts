/**
 * A miss of a key with `+` where the store holds the key with spaces there:
 * an S3 object URL (the console's "Object URL") and an S3 event
 * notification's key write a space as `+`, so an `s3://` URI built from
 * either (`s3://b/my+file.csv`) names a key that does not exist. The miss
 * names the key the store has; a key with a real `+` is read as written.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a miss of a key with + names the key with spaces the store has", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "dir/my file v2.csv", "a,b\n");
    const cache = make();
    const e = await assertRejects(() => cache.cache("s3://b/dir/my+file+v2.csv"), NotFoundError);
    assertStringIncludes(e.message, "does not exist in the store");
    assertStringIncludes(e.message, 'the store has "s3://b/dir/my file v2.csv"');
    assertStringIncludes(e.message, "a + stands for a space");
    // The key it names is the one that works.
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/dir/my file v2.csv")), "a,b\n");
  });
});

Deno.test("a key with a real + is read as written, and a plain miss of one names nothing", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "c++/notes.txt", "n");
    const cache = make();
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/c++/notes.txt")), "n");
    const e = await assertRejects(() => cache.cache("s3://b/c++/other.txt"), NotFoundError);
    assert(!e.message.includes("stands for a space"), e.message);
  });
});
