/**
 * `vc cache rm URI` (`AssetCache.delete`) of an entry whose interrupted
 * download kept a partial for resumption removes the partial and its note
 * `.<name>.vc-tmp-0-resume` alike: the note stayed, describing no file.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { join } from "node:path";

Deno.test("cache rm removes a kept partial download with its resume note", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-rm-partial-" });
  try {
    const data = join(cacheDir, "s3", "b");
    await Deno.mkdir(join(cacheDir, ".meta", "s3", "b"), { recursive: true });
    await Deno.mkdir(data, { recursive: true });
    await Deno.writeFile(join(data, ".big.bin.vc-tmp-0-shared"), new Uint8Array(256 * 1024));
    await Deno.writeTextFile(join(data, ".big.bin.vc-tmp-0-resume"), "{}");
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    await cache.delete("s3://b/big.bin");
    // Nothing left in the entry's directory (which goes too once empty).
    const left = await Array.fromAsync(Deno.readDir(data)).catch((e) => {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    });
    assertEquals(left.map((e) => e.name), []);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
