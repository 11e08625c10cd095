import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { pathToFileURL } from "node:url";

const DAY = 86_400_000;

Deno.test("cache verify: a shared data file it replaces by a copy of its own keeps its last use", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-verify-owned-last-use-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    await Deno.writeTextFile(`${root}/x.csv`, "x".repeat(4096));
    const path = await cache.cache(pathToFileURL(`${root}/x.csv`).href);
    // Last used three days ago: `relatime` mounts move an access time older
    // than a day on the next read, so verify's hash moves it.
    const used = Date.now() - 3 * DAY;
    await Deno.utime(path, new Date(used), (await Deno.lstat(path)).mtime!);
    // A `cp -al` copy of the cache: the data file has another name.
    await Deno.link(path, `${root}/other-name.csv`);
    const r = await cache.verify();
    assertEquals([r.ok, r.ownedData], [1, [path]]);
    assertEquals((await Deno.lstat(path)).nlink, 1);
    assertEquals((await cache.ls())[0]?.lastUsed.getTime(), used);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
