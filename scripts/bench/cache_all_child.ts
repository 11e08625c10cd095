/**
 * Child of `cold_small.ts`: `cache()` called once per URI with
 * `Promise.all`, as a user's script would, in a process started with vc's
 * release permissions. Prints the number of paths returned.
 *
 *     deno run <vc flags> scripts/bench/cache_all_child.ts LIST_FILE CACHE_DIR
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";

if (import.meta.main) {
  const [list, cacheDir] = Deno.args;
  if (list === undefined || cacheDir === undefined) {
    throw new Error("usage: cache_all_child.ts LIST_FILE CACHE_DIR");
  }
  const uris = (await Deno.readTextFile(list)).split("\n").filter((l) => l !== "");
  await using cache = new AssetCache({ cacheDir });
  const paths = await Promise.all(uris.map((uri) => cache.cache(uri)));
  console.log(paths.length);
}
