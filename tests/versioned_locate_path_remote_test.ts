/**
 * `vc path-remote` (and `VersionedCache.locate`) names the object `vc path`
 * would read: for a version only the leading-`/` key holds, that key's URI,
 * not the canonical one (which does not exist). The canonical key wins when
 * both exist; a version neither key holds is an error like `vc path`'s.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { rawPut, tempDir, testS3Options } from "./versioned_helpers.ts";

const BUCKET = "locate-remote-assets";

Deno.test("locate: the / key when only it holds the version, the canonical key otherwise", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await rawPut(s3, BUCKET, "pre//foo/bar.1.0.0.csv", "slash 1.0.0");
  await rawPut(s3, BUCKET, "pre//foo/bar.2.0.0.csv", "slash 2.0.0");
  await rawPut(s3, BUCKET, "pre/foo/bar.2.0.0.csv", "canonical 2.0.0");
  const cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  const vc = new VersionedCache({
    manifest: join(dir.path, "versioned_assets.json"),
    bucket: `s3://${BUCKET}/pre`,
    cache,
    store: testS3Options(s3),
  });
  try {
    await Deno.writeTextFile(vc.manifest, '{"/foo/bar.csv": "1.0.0"}');
    const slashed = `s3://${BUCKET}/pre//foo/bar.1.0.0.csv`;
    assertEquals(await vc.locate("/foo/bar.csv"), slashed);
    // It is the object `path` reads.
    assertEquals(await vc.path("/foo/bar.csv"), cache.localPath(slashed));
    assertEquals(
      await vc.locate("/foo/bar.csv", "2.0.0"),
      `s3://${BUCKET}/pre/foo/bar.2.0.0.csv`,
    );
    const missing = await assertRejects(() => vc.locate("/foo/bar.csv", "3.0.0"), NotFoundError);
    assertStringIncludes(missing.message, `s3://${BUCKET}/pre/foo/bar.3.0.0.csv`);
    assertStringIncludes(missing.message, `nor s3://${BUCKET}/pre//foo/bar.3.0.0.csv`);
    assertStringIncludes(missing.message, "available: 1.0.0, 2.0.0");
  } finally {
    await vc.close();
    await cache.close();
  }
});

Deno.test("locate offline: the key whose copy is cached, without a request", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using dir = await tempDir();
  await rawPut(s3, BUCKET, "/foo/bar.1.0.0.csv", "slash 1.0.0");
  const open = (offline: boolean) => {
    const cache = new AssetCache({
      cacheDir: join(dir.path, "cache"),
      configPath: false,
      env: {},
      offline,
      store: testS3Options(s3),
    });
    const vc = new VersionedCache({
      manifest: join(dir.path, "versioned_assets.json"),
      bucket: `s3://${BUCKET}`,
      cache,
      store: testS3Options(s3),
    });
    return {
      vc,
      [Symbol.asyncDispose]: async () => {
        await vc.close();
        await cache.close();
      },
    };
  };
  await Deno.writeTextFile(join(dir.path, "versioned_assets.json"), '{"/foo/bar.csv": "1.0.0"}');
  {
    await using online = open(false);
    await online.vc.path("/foo/bar.csv");
  }
  await using offline = open(true);
  s3.resetStats();
  assertEquals(await offline.vc.locate("/foo/bar.csv"), `s3://${BUCKET}//foo/bar.1.0.0.csv`);
  // Nothing cached: the canonical key, where it would be read from.
  assertEquals(
    await offline.vc.locate("/foo/bar.csv", "9.0.0"),
    `s3://${BUCKET}/foo/bar.9.0.0.csv`,
  );
  assertEquals(s3.stats.total, 0);
});

Deno.test("vc path-remote prints the URI of the object vc path reads", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET] });
  await using ws = await CliWorkspace.create();
  await rawPut(s3, BUCKET, "/data/t.1.0.0.csv", "slash 1.0.0\n");
  await rawPut(s3, BUCKET, "data/t.1.1.0.csv", "canonical 1.1.0\n");
  await ws.write("versioned_assets.json", '{"/data/t.csv": "1.0.0"}');
  const saved = Object.keys(s3.env).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, v] of Object.entries(s3.env)) Deno.env.set(k, v);
  try {
    const env = { ...s3.env, VC_BUCKET: `s3://${BUCKET}` };
    const run = await ws.run(["path-remote", "/data/t.csv"], env);
    assertEquals([run.code, run.stdout], [0, `s3://${BUCKET}//data/t.1.0.0.csv\n`], run.stderr);
    const json = await ws.run(["path-remote", "/data/t.csv", "1.1.0", "--json"], env);
    assertEquals(json.json(), {
      path: "/data/t.csv",
      version: "1.1.0",
      uri: `s3://${BUCKET}/data/t.1.1.0.csv`,
    });
    const missing = await ws.run(["path-remote", "/data/t.csv", "2.0.0"], env);
    assertEquals([missing.code, missing.stdout], [1, ""]);
    assertStringIncludes(missing.stderr, "version 2.0.0 of /data/t.csv does not exist");
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});
