/**
 * The cache encodes letter case into its file names where the cache
 * directory's own file system folds names (a probe, `src/name_probe.ts`),
 * not where the OS usually does: a cache on a case-insensitive mount under
 * Linux (WSL's `/mnt/c`, SMB, FAT/exFAT, ext4 casefold) kept `A.csv` and
 * `a.csv` in one data file. This kernel mounts none, so such a cache
 * directory is simulated through the probe's look-up (`foldingLstat`) while
 * the OS default says names are told apart, and the other way round.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CacheLayout } from "../src/cache/layout.ts";
import { foldName } from "../src/file_names.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withNameProbe } from "../src/name_probe.ts";
import { assertEquals, assertNotEquals } from "./assert.ts";
import { countingFoldingLstat, foldingLstat } from "./case_insensitive_fs.ts";

async function tempDir(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_name_probe_" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

const realLstat = { lstat: (p: string) => Deno.lstatSync(p) };

async function twins(dir: string): Promise<{ upper: string; lower: string }> {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  // Same size: a warm hit that checks only the size could not tell them apart.
  await Deno.writeTextFile(join(src, "A.csv"), "UPPER\n");
  await Deno.writeTextFile(join(src, "a.csv"), "lower\n");
  return {
    upper: pathToFileURL(join(src, "A.csv")).href,
    lower: pathToFileURL(join(src, "a.csv")).href,
  };
}

Deno.test("cache on a case-insensitive directory under Linux: twins get data files that never fold together", async () => {
  await using w = await tempDir();
  const { upper, lower } = await twins(w.dir);
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe({ lstat: foldingLstat }, async () => {
      await using cache = new AssetCache({
        cacheDir: join(w.dir, "cache"),
        configPath: false,
        env: {},
        timeout: 0,
      });
      const pu = await cache.cache(upper);
      const pl = await cache.cache(lower);
      assertNotEquals(foldName(pu), foldName(pl), "one file on a case-insensitive file system");
    });
  });
});

Deno.test("cache on a case-sensitive directory where the OS default folds (macOS, Windows): names stay as they are", async () => {
  await using w = await tempDir();
  await withFsPlatform({ caseInsensitive: true }, async () => {
    await withNameProbe(realLstat, () => {
      const loc = new CacheLayout(join(w.dir, "cache")).locate({
        scheme: "s3",
        bucket: "b",
        key: "Data.csv",
      });
      assertEquals(loc.dataPath, join(w.dir, "cache", "s3", "b", "Data.csv"));
    });
  });
  // The probe ran in the nearest existing directory and left nothing there.
  assertEquals([...Deno.readDirSync(w.dir)], []);
});

Deno.test("cache layout: the probe's answer is asked once per directory, whatever the layouts made", async () => {
  await using w = await tempDir();
  const counting = countingFoldingLstat();
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe(counting, () => {
      const dir = join(w.dir, "cache");
      const at = (key: string) =>
        new CacheLayout(dir).locate({ scheme: "s3", bucket: "b", key }).dataPath;
      assertEquals(at("Data.csv"), join(dir, "s3", "b", "%44ata.csv"));
      const first = counting.looks();
      for (let i = 0; i < 10; i++) at(`K${i}.csv`);
      assertEquals(counting.looks(), first);
    });
  });
});

Deno.test("cache layout: a lower-case ASCII key is located without probing the cache dir (a warm vc path makes no temp file)", async () => {
  await using w = await tempDir();
  const counting = countingFoldingLstat();
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe(counting, () => {
      const dir = join(w.dir, "cache");
      const loc = new CacheLayout(dir).locate({ scheme: "s3", bucket: "b", key: "v1/data.csv" });
      assertEquals(loc.dataPath, join(dir, "s3", "b", "v1", "data.csv"));
      assertEquals(counting.looks(), 0);
    });
  });
  assertEquals([...Deno.readDirSync(w.dir)], []);
});
