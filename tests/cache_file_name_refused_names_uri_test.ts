/**
 * A `file://` URI whose file name no key can have (a newline in it, or a
 * name vc reserves for its own files, `.vc~…`) was refused with only the
 * store's `invalid key "a\nb"`: the file's name alone, not the URI the
 * user gave or what failed. The error now names the URI.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

Deno.test("cache(): a file:// name no key can have is refused naming the URI", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc_file_name_" });
  try {
    await Deno.mkdir(join(root, "src"));
    await using cache = new AssetCache({
      cacheDir: join(root, "cache"),
      configPath: false,
      env: {},
    });
    for (const [name, why] of [["a\nb", "control characters"], [".vc~meta~x", "reserved"]]) {
      await Deno.writeTextFile(join(root, "src", name!), "x");
      const uri = pathToFileURL(join(root, "src", name!)).href;
      const error = await cache.cache(uri).then(() => undefined, (e: unknown) => e);
      assertEquals(error instanceof InvalidInputError, true, String(error));
      const message = (error as Error).message;
      // The URI as the cache spells it (`~` kept, a newline as `%0A`).
      assertStringIncludes(message, `cannot cache file://${join(root, "src")}/`);
      assertStringIncludes(message, `: invalid key ${JSON.stringify(name)}`);
      assertStringIncludes(message, why!);
    }
    assertEquals((await cache.ls()).length, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
