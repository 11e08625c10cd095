/**
 * `s3://b/k?versionId=…` (pasted from the S3 console) is taken as the key
 * `k?versionId=…`, as S3 keys may hold `?`: its miss says so instead of a
 * bare "does not exist" for an object the user can see in the bucket.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a miss of an s3:// URI with ?versionId= says the key is taken as written", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const cache = make();
    const e = await assertRejects(
      () => cache.cache("s3://b/k.txt?versionId=3HL4kqtJlcpXroDTDmJ"),
      NotFoundError,
    );
    assertStringIncludes(e.message, "does not exist in the store");
    assertStringIncludes(e.message, "`?versionId=` included");
  });
});
