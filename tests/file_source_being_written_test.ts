/**
 * A `file://` source copied while it was still being written (a file another
 * machine is copying into a shared folder, which the cache cannot tell from a
 * finished one): its copy is not vouched for until the TTL, since the state
 * it was taken from may be half a file. The next use asks the store again,
 * and serves the finished file, not the first megabyte for a day.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";

Deno.test("a file:// source copied while still being written is asked about again at its next use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_being_written_" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    const path = join(src, "growing.bin");
    const uri = pathToFileURL(path).href;
    // The writer's first part, just written (changed within the racy window).
    await Deno.writeTextFile(path, "a".repeat(1000));
    // The default TTL (a day): a copy vouched for would be served as it is.
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    assertEquals((await Deno.readTextFile(await cache.cache(uri))).length, 1000);
    // The writer finishes.
    await Deno.writeTextFile(path, "b".repeat(3000), { append: true });
    assertEquals((await Deno.readTextFile(await cache.cache(uri))).length, 4000);
    // Another process's cache, reading the records the first left.
    await using other = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    assertEquals((await Deno.readTextFile(await other.cache(uri))).length, 4000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
