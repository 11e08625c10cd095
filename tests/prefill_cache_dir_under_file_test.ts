// A cache dir whose parent is a file (`VC_CACHE_DIR=/ci/cache.tar/vc`, a
// path typo in CI) is named as such: not "the path is taken by a directory
// or a file of another key", which blames the objects' keys.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { ensureCacheDir } from "../src/cache/cache_dir.ts";
import { InvalidInputError } from "../src/errors.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("prefill: a cache dir below a file names that file, for every item", async () => {
  await using tmp = await tempDir();
  const file = join(tmp.path, "cache.tar");
  await Deno.writeTextFile(file, "not a directory");
  const src = join(tmp.path, "a.txt");
  await Deno.writeTextFile(src, "a");
  for (const cacheDir of [join(file, "vc"), join(file, "vc", "deeper")]) {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, warn: () => {} });
    const summary = await prefill({ cache, uris: [pathToFileURL(src).href] });
    assertEquals(summary.failed.length, 1);
    const failure = summary.failed[0]!;
    assertEquals(failure.errorName, "InvalidInputError", failure.error);
    assertStringIncludes(
      failure.error,
      `the cache dir ${cacheDir} is below ${file}, which is a file`,
    );
  }
});

Deno.test("ensureCacheDir: a file among the parents is named", async () => {
  await using tmp = await tempDir();
  const file = join(tmp.path, "f");
  await Deno.writeTextFile(file, "");
  try {
    ensureCacheDir(join(file, "a", "b"));
    throw new Error("no error");
  } catch (e) {
    assertEquals(e instanceof InvalidInputError, true, String(e));
    assertStringIncludes((e as Error).message, `is below ${file}, which is a file`);
  }
});
