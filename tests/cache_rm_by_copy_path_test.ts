/**
 * `vc cache rm "$(vc cache get URI)"`: the path `cache()` returned said it
 * "was not cached" (exit 0) and the copy stayed, listed and served. A
 * cached copy's own path now names its entry for `delete` and
 * `invalidate`; any other local path (a user's file, a file of the cache
 * without a record, such as a journal) is still never touched.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

Deno.test("cache.delete/invalidate: a cached copy's path names its entry", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc_rm_by_path_" });
  try {
    const source = join(root, "x.txt");
    await Deno.writeTextFile(source, "x");
    const uri = pathToFileURL(source).href;
    const cacheDir = join(root, "cache");
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const path = await cache.cache(uri);

    assertEquals(await cache.invalidate(path), true);
    assertEquals(await cache.delete(path), true);
    assertEquals((await cache.ls()).length, 0);
    assertEquals(await Deno.stat(path).then(() => true, () => false), false);
    assertEquals(await cache.delete(path), false);
    assertEquals(await cache.invalidate(path), false);

    // Neither the user's file nor a file of the cache without a record of its own.
    const again = await cache.cache(uri);
    assertEquals(again, path);
    assertEquals(await cache.delete(source), false);
    assertEquals(await Deno.readTextFile(source), "x");
    const journals: string[] = [];
    for await (const e of Deno.readDir(join(cacheDir, ".meta", "file", ...root.split("/")))) {
      journals.push(join(cacheDir, ".meta", "file", ...root.split("/"), e.name));
    }
    assertEquals(journals.length > 0, true);
    for (const journal of journals) assertEquals(await cache.delete(journal), false);
    assertEquals((await cache.ls()).map((e) => e.uri), [uri]);
    assertEquals(await Deno.readTextFile(path), "x");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
