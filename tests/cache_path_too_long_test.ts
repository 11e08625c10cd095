/**
 * A key whose path in the cache passes the system's limit (S3 keys run to
 * 1024 bytes, and escaping lengthens them: each empty segment of `a//b`
 * becomes `%_`) below a deep cache dir failed with the bare OS error,
 * "File name too long (os error 36): open '…/.x.vc-tmp-…'", naming neither
 * the URI nor what to do. It now names both and leaves nothing behind.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { walkFiles } from "../src/cache/cache_fs.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("cache: a key whose cached path is too long for the system is named, with the way out", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const root = await Deno.makeTempDir({ prefix: "vc-path-too-long-" });
  try {
    const key = `${"/".repeat(1000)}x`; // 1000 empty segments: ~3000 bytes of `%_/`
    await s3.putObject("b", key, "deep");
    // Below a cache dir ~1200 bytes deep: past Linux's PATH_MAX (4096).
    const cacheDir = `${root}/${Array.from({ length: 6 }, () => "d".repeat(200)).join("/")}/c`;
    await Deno.mkdir(cacheDir, { recursive: true });
    await using cache = new AssetCache({
      cacheDir,
      configPath: false,
      env: {},
      store: testS3Options(s3),
      warn: () => {},
    });
    const e = await assertRejects(() => cache.cache(`s3://b/${key}`));
    const message = (e as Error).message;
    assert(message.startsWith(`cannot cache s3://b/${key}: its path in the cache dir`), message);
    assert(message.includes("longer than this system allows"), message);
    assert(
      message.includes("set the cacheDir option / VC_CACHE_DIR to a directory with a shorter path"),
    );
    assertEquals(await Array.fromAsync(walkFiles(cacheDir)), [], "nothing left behind");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
