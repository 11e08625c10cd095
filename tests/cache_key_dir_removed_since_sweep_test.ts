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
