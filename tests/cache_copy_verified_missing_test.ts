/**
 * `AssetCache.copyVerified` with a source that does not exist fails with the
 * library's `NotFoundError` (naming the source), never a raw
 * `Deno.errors.NotFound`, and writes nothing at the destination.
 */
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../mod.ts";

Deno.test("copyVerified of a missing file is a NotFoundError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    for (const source of [`${dir}/gone.txt`, `${dir}/cache/file/gone.txt`]) {
      const e = await assertRejects(
        () => cache.copyVerified(source, `${dir}/out/x.txt`),
        NotFoundError,
      );
      assertStringIncludes(e.message, source);
      assert(e.cause instanceof Deno.errors.NotFound);
    }
    assert(!(await Deno.lstat(`${dir}/out/x.txt`).then(() => true, () => false)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
