import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { pathToFileURL } from "node:url";

Deno.test("cache invalidate: a copy deleted by hand is not cached (as rm says)", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-cache-invalidate-missing-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    await Deno.writeTextFile(`${root}/a.csv`, "a");
    const uri = pathToFileURL(`${root}/a.csv`).href;
    const path = await cache.cache(uri);
    assertEquals(await cache.invalidate(uri), true);
    await Deno.remove(path);
    assertEquals(await cache.invalidate(uri), false);
    assertEquals(await cache.delete(uri), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
