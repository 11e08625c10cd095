/**
 * A miss of a URI ending in `/` (`s3://b/models/` in a prefill list, or
 * `vc cache get`) said only that it does not exist, while objects below it
 * did: it names the object at the key `models/`, never a prefix, and the
 * error now says so (the README: an item names one object, never a prefix).
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("cache: a miss of a URI ending in / says it names an object, not what is below it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_miss_slash_" });
  try {
    const store = new MemoryStore();
    await store.put("models/a.bin", new Uint8Array([1]));
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      openStore: () => Promise.resolve(store),
    });
    const error = await assertRejects(() => cache.cache("s3://b/models/"), NotFoundError);
    assertStringIncludes(error.message, "s3://b/models/ does not exist");
    assertStringIncludes(error.message, "names the object at that key, not the objects below it");
    const plain = await assertRejects(() => cache.cache("s3://b/models/b.bin"), NotFoundError);
    if (plain.message.includes("objects below it")) throw new Error(plain.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
