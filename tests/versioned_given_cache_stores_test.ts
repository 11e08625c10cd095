/**
 * A `VersionedCache` given an `AssetCache` (`cache: assets`) read through
 * that cache's store settings but listed and published through stores of
 * its own, opened from the process environment: with the cache made for a
 * test's fake S3 (`new AssetCache({ env: s3.env })`), `vc.add()` went to
 * whatever endpoint and credentials the shell had (an `AccessDeniedError`
 * from the default AWS chain here, a real bucket elsewhere), while
 * `vc.path()` read the fake. Without `store` or `openStore` options of its
 * own, a `VersionedCache` now reaches the stores its cache reads.
 */
import { join } from "node:path";
import { AssetCache, VersionedCache } from "../mod.ts";
import { MemoryStore, startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";

Deno.test("VersionedCache publishes through the S3 settings of the AssetCache it is given", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  const dir = await Deno.makeTempDir();
  try {
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: s3.env,
    });
    await using vc = new VersionedCache({
      manifest: join(dir, "versioned_assets.json"),
      bucket: "assets",
      cache: assets,
      lock: false,
    });
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    await vc.add("/a.csv", join(dir, "a.csv"));
    assertEquals(s3.listKeys("assets"), ["a.1.0.0.csv"]);
    assertEquals(await Deno.readTextFile(await vc.path("/a.csv")), "a,b\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VersionedCache publishes through the openStore of the AssetCache it is given, and leaves its stores open", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bucket = `file://${join(dir, "bucket")}`;
    await using store = new MemoryStore();
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      openStore: () => Promise.resolve(store),
    });
    {
      await using vc = new VersionedCache({
        manifest: join(dir, "versioned_assets.json"),
        bucket,
        cache: assets,
        lock: false,
      });
      await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
      await vc.add("/a.csv", join(dir, "a.csv"));
      assertEquals([...store.objects.keys()], ["a.1.0.0.csv"]);
      assertEquals(await Deno.readTextFile(await vc.path("/a.csv")), "a,b\n");
    }
    // The caller's store outlives the VersionedCache, as the cache's opener promises.
    assertEquals((await store.head("a.1.0.0.csv"))?.size, 4);
    // Nothing was written to the directory the bucket names.
    assertEquals(await Deno.stat(join(dir, "bucket")).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
