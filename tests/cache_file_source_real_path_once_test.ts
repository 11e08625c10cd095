/**
 * A cold `cache()` of a `file://` URI resolved its source's real path twice
 * (`realpath`, a `readlink` per component of the path): once to find the
 * store it reads from, once more to tell that store's hashing to the call.
 * It is now resolved once per download.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("cache() of a file:// URI resolves its source's real path once", async () => {
  await using dir = await tempDir();
  const src = join(await Deno.realPath(dir.path), "src");
  await Deno.mkdir(src);
  const path = join(src, "a.bin");
  await Deno.writeFile(path, new Uint8Array(100).fill(1));
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const realPathSync = Deno.realPathSync;
  const realPath = Deno.realPath;
  let resolved = 0;
  Deno.realPathSync = (p: string | URL) => {
    if (String(p) === path) resolved++;
    return realPathSync(p);
  };
  Deno.realPath = (p: string | URL) => {
    if (String(p) === path) resolved++;
    return realPath(p);
  };
  let local: string;
  try {
    local = await cache.cache(toFileUrl(path).href);
  } finally {
    Deno.realPathSync = realPathSync;
    Deno.realPath = realPath;
  }
  assertEquals(await Deno.readFile(local), new Uint8Array(100).fill(1));
  assertEquals(resolved, 1, "the source's real path is resolved once");
});
