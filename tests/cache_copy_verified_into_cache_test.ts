/**
 * `AssetCache.copyVerified(src, dest)` with `dest` inside the cache dir (a
 * cached copy's own path, as `cache()` returned it) replaced that copy in
 * place: `cache()` served the other file's bytes as the object for up to a
 * second, then downloaded it again with a warning, and an offline cache
 * refused the entry (its copy gone). The CLI refused such a DEST (`vc get`,
 * `vc sync`); the library did not (`VersionedCache.sync` copies through it).
 * It is an `InvalidInputError` naming both, and nothing is written.
 */
import { AssetCache, InvalidInputError } from "../mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("copyVerified refuses a destination inside the cache dir; the cached copy stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    await Deno.writeTextFile(`${dir}/b.csv`, "b\n");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    const a = await cache.cache(`file://${dir}/a.csv`);
    const b = await cache.cache(`file://${dir}/b.csv`);
    for (const dest of [a, `${dir}/cache/new.csv`, `${dir}/cache/x/../file/y.csv`]) {
      const e = await assertRejects(() => cache.copyVerified(b, dest), InvalidInputError);
      assertStringIncludes(e.message, `is inside the cache dir ${cache.dir}`);
    }
    assertEquals(await Deno.readTextFile(a), "a\n");
    assertEquals(await Deno.readTextFile(await cache.cache(`file://${dir}/a.csv`)), "a\n");
    assertEquals((await cache.ls()).length, 2);
    // Out of the cache, as before.
    await cache.copyVerified(b, `${dir}/out/b.csv`);
    assertEquals(await Deno.readTextFile(`${dir}/out/b.csv`), "b\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
