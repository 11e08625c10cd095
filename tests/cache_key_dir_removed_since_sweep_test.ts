/**
 * A key whose cache path was a directory (of keys below its name) when this
 * process swept that directory is refused before its GET; once those keys
 * are removed (by `delete` here, or `vc cache rm` / `prune` in another
 * process) the directory is gone, and the key must be cached again: a long
 * running process (`vc serve`, a library user) refused it until restarted.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

for (const remover of ["this process", "another process"]) {
  Deno.test(`a key is cached once the directory of keys below it is removed by ${remover}`, async () => {
    await withS3Cache(async (s3, make) => {
      await s3.putObject("b", "a/b", "below");
      await s3.putObject("b", "a", "file-a");
      await s3.putObject("b", "x", "x");
      const cache = make();
      await cache.cache("s3://b/a/b");
      // Sweeps the bucket's directory while `a` is a directory there.
      await cache.cache("s3://b/x");
      const e = await assertRejects(() => cache.cache("s3://b/a"), InvalidInputError);
      assertStringIncludes(e.message, "taken by a directory");
      assertEquals(await (remover === "this process" ? cache : make()).delete("s3://b/a/b"), true);
      assertEquals(await Deno.readTextFile(await cache.cache("s3://b/a")), "file-a");
    });
  });
}

Deno.test("a directory made at a key's name after the sweep costs one download, not one a request", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "x", "x");
    await s3.putObject("b", "a/b", "below");
    await s3.putObject("b", "a", "file-a".repeat(100_000));
    const cache = make();
    await cache.cache("s3://b/x"); // sweeps the bucket's directory: no `a` yet
    await make().cache("s3://b/a/b"); // another process makes the directory `a`
    s3.resetStats();
    for (let i = 0; i < 3; i++) {
      const e = await assertRejects(() => cache.cache("s3://b/a"), InvalidInputError);
      assertStringIncludes(e.message, "taken by a directory");
    }
    // Found by the first one's rename, after its GET; known before the GET since.
    assertEquals(s3.stats.GetObject, 1);
  });
});
