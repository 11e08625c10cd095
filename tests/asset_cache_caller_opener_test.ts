// An AssetCache given `openStore` itself as its opener (Repository does so)
// fetches with it: the opener is called with the root alone, never with the
// cache's own progress callback in place of store options.
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { openStore, type StoreOptions } from "../src/store/open.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("AssetCache: an openStore(uri, options) opener is called with the root alone", () =>
  withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/store`);
    await Deno.writeTextFile(`${dir}/store/a.csv`, "a,b\n");
    const calls: unknown[][] = [];
    await using cache = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      openStore: (uri: string, options?: StoreOptions) => {
        calls.push([uri, options]);
        return openStore(uri, options);
      },
    });
    const path = await cache.cache(`file://${dir}/store/a.csv`);
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    assertEquals(calls, [[`file://${dir}/store`, undefined]]);
  }));
