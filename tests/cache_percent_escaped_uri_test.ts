/**
 * `s3://b/my%20file.csv` (built from an object's https URL) is taken as the
 * key `my%20file.csv`, as S3 keys may hold `%`: its miss names the URI of the
 * key the escapes spell, instead of a bare "does not exist" for an object
 * `aws s3 ls` shows.
 */
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a miss of an s3:// URI with %-escapes names the URI of the key they spell", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "dir/my file+x%.csv", "v1");
    const cache = make();
    const e = await assertRejects(
      () => cache.cache("s3://b/dir/my%20file%2Bx%25.csv"),
      NotFoundError,
    );
    assertStringIncludes(e.message, "does not exist in the store");
    assertStringIncludes(e.message, 'key they spell is "s3://b/dir/my file+x%.csv"');
  });
});

Deno.test("a miss of a key with a bare % (not an escape) suggests nothing", async () => {
  await withS3Cache(async (_s3, make) => {
    const cache = make();
    for (const uri of ["s3://b/100%.txt", "s3://b/x%FF", "s3://b/plain.txt"]) {
      const e = await assertRejects(() => cache.cache(uri), NotFoundError);
      assert(!e.message.includes("escapes"), e.message);
    }
  });
});
