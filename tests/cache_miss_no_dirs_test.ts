/**
 * A miss that caches nothing leaves no directory behind: a loop over
 * mistyped keys must not grow a tree of empty directories in the cache.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { join, relative } from "node:path";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

function allPaths(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory) out.push(...allPaths(p));
  }
  return out;
}

Deno.test("cache: a missing key, a missing bucket or a key the store refuses leaves no directories", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "kept/x", new TextEncoder().encode("x"));
    const cache = make();
    await cache.cache("s3://b/kept/x");
    const before = allPaths(dir).map((p) => relative(dir, p)).sort();
    await assertRejects(() => cache.cache("s3://b/no/such/deep/key"), NotFoundError);
    await assertRejects(() => cache.cache("s3://b/kept/no/such"), NotFoundError);
    await assertRejects(() => cache.cache("s3://nobucket/a/b"), NotFoundError);
    await assertRejects(() => cache.cache("s3://b/a/../../x"), InvalidInputError);
    assertEquals(allPaths(dir).map((p) => relative(dir, p)).sort(), before);
  });
});
