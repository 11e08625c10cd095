/**
 * `vc lock --check` of a locked version that neither key holds: the check
 * reads the `/` key too (slash_keys.ts), but its report named only the
 * canonical key, where `vc verify` and `vc path` name both. It now says
 * `… does not exist (nor s3://b//…)` for an `s3://` bucket, and names the one
 * key of a directory bucket, which cannot hold `/` keys.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { checkLock } from "../src/versioned/lock_ops.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

const SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

Deno.test("checkLock names both keys of a locked version the bucket no longer holds", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "versioned_assets.json"), '{"/gone.csv": "1.0.0"}');
  await Deno.writeTextFile(
    join(dir.path, "versioned_assets.lock.json"),
    JSON.stringify({ "/gone.csv@1.0.0": { size: 4, sha256: SHA256 } }),
  );
  await Deno.mkdir(join(dir.path, "bucket"));
  const cases: Array<[string, string]> = [
    ["s3://assets", "s3://assets/gone.1.0.0.csv does not exist (nor s3://assets//gone.1.0.0.csv)"],
    [
      join(dir.path, "bucket"),
      `${pathToFileURL(join(dir.path, "bucket")).href}/gone.1.0.0.csv does not exist`,
    ],
  ];
  for (const [bucket, problem] of cases) {
    await using cache = new AssetCache({
      cacheDir: join(dir.path, "cache"),
      configPath: false,
      env: {},
      store: testS3Options(s3),
    });
    await using vc = new VersionedCache({
      manifest: join(dir.path, "versioned_assets.json"),
      bucket,
      cache,
      store: testS3Options(s3),
    });
    const [result] = await checkLock(vc);
    assertEquals(result?.status, "missing");
    assertEquals(result?.problem, problem);
  }
});
