/**
 * Two `AssetCache`s on one cache dir in one process (the default `cache()`
 * beside a `new AssetCache()` that prunes, a `VersionedCache`'s own cache):
 * what one removes, the other does not serve from memory as a path that no
 * longer exists. Another process may see such a removal up to a second late
 * (README, "Maintenance is safe beside running processes"); an instance in
 * the same process is told at once.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { withTempDir, writeFile } from "./versioned_helpers.ts";
import { exists } from "./path_exists.ts";

Deno.test("an entry another AssetCache of the same dir deleted is cached again, not served missing", async () => {
  await withTempDir(async (root) => {
    const uri = `file://${await writeFile(root, "src/a.txt", "a")}`;
    const cacheDir = `${root}/cache`;
    await using one = new AssetCache({ cacheDir, configPath: false });
    await using two = new AssetCache({ cacheDir, configPath: false });
    const path = await two.cache(uri);
    assert(await one.delete(uri));
    assert(!(await exists(path)));
    assertEquals(await two.cache(uri), path);
    assertEquals(await Deno.readTextFile(path), "a");
  }, "vc-same-dir-caches-");
});

Deno.test("entries another AssetCache of the same dir pruned are cached again, not served missing", async () => {
  await withTempDir(async (root) => {
    const uris = [
      `file://${await writeFile(root, "src/a.txt", "a")}`,
      `file://${await writeFile(root, "src/b.txt", "bb")}`,
    ];
    const cacheDir = `${root}/cache`;
    await using one = new AssetCache({ cacheDir, configPath: false });
    await using two = new AssetCache({ cacheDir, configPath: false });
    for (const uri of uris) await two.cache(uri);
    const { removed } = await one.prune({ maxBytes: 0 });
    assertEquals(removed.length, 2);
    for (const uri of uris) assert(await exists(await two.cache(uri)), uri);
  }, "vc-same-dir-caches-");
});

Deno.test("an entry another AssetCache of the same dir found corrupt is cached again, not served missing", async () => {
  await withTempDir(async (root) => {
    const uri = `file://${await writeFile(root, "src/a.txt", "a")}`;
    const cacheDir = `${root}/cache`;
    await using one = new AssetCache({ cacheDir, configPath: false });
    await using two = new AssetCache({ cacheDir, configPath: false });
    const path = await two.cache(uri);
    await Deno.writeTextFile(path, "z"); // damaged on disk, same size
    const { corrupt } = await one.verify();
    assertEquals(corrupt.length, 1);
    assertEquals(await Deno.readTextFile(await two.cache(uri)), "a");
  }, "vc-same-dir-caches-");
});

Deno.test("an entry another AssetCache of the same dir invalidated is asked about again", async () => {
  await withTempDir(async (root) => {
    const file = await writeFile(root, "src/a.txt", "a");
    const uri = `file://${file}`;
    const cacheDir = `${root}/cache`;
    await using one = new AssetCache({ cacheDir, configPath: false, timeout: 3600 });
    await using two = new AssetCache({ cacheDir, configPath: false, timeout: 3600 });
    await two.cache(uri);
    await Deno.writeTextFile(file, "changed");
    assert(await one.invalidate(uri));
    assertEquals(await Deno.readTextFile(await two.cache(uri)), "changed");
  }, "vc-same-dir-caches-");
});
