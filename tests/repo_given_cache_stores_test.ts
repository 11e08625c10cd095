/**
 * A `Repository` given an `AssetCache` (`cache: assets`, for its downloads)
 * opened its content store from the process environment: with the cache
 * made for a test's fake S3 (`new AssetCache({ env: s3.env })`),
 * `Repository.init("s3://assets/repo", { cache })` asked the shell's
 * endpoint with the default AWS credential chain (an `AccessDeniedError`
 * here, another bucket elsewhere). Without an `openStore` of its own, it
 * opens its stores with the store settings of the cache it is given, as a
 * `VersionedCache` does.
 */
import { join } from "node:path";
import { AssetCache } from "../mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("Repository opens its store with the S3 settings of the AssetCache it is given", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  const dir = await Deno.makeTempDir();
  try {
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: s3.env,
    });
    const options = { cache: assets, host: "test-host" };
    {
      await using repo = await Repository.init("s3://assets/repo", {
        ...options,
        catalog: `sqlite:${join(dir, "catalog.sqlite")}`,
      });
      const { id } = await repo.add("/a.csv", new TextEncoder().encode("a,b\n"));
      assertEquals(await Deno.readTextFile(await repo.download(id)), "a,b\n");
    }
    const keys = s3.listKeys("assets");
    assert(keys.includes("repo/.vc-repo.json"), keys.join(", "));
    assert(keys.some((k) => k.startsWith("repo/content/")), keys.join(", "));
    await using again = await Repository.open("s3://assets/repo", options);
    assertEquals((await again.list()).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
