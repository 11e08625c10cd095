/**
 * The error for a version the bucket does not hold lists the versions there
 * are, and stays one readable line for an asset with more than a listing page
 * of versions (1,200): their count and the latest ones, not 10 KB of them,
 * and without warnings of odd keys (those are `vc versions`' to print).
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("a missing version's error counts 1,200 versions and names the latest", async () => {
  await using s3 = await startFakeS3();
  await s3.createBucket("many");
  for (let i = 0; i < 1200; i++) {
    await s3.putObject("many", `a.${Math.floor(i / 100)}.${i % 100}.0.csv`, "x");
  }
  await s3.putObject("many", "a.1.0.0+ci.1.csv", "a key another tool wrote");
  await using dir = await tempDir("vc_missing_version_");
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    cache,
    manifest: join(dir.path, "versioned_assets.json"),
    bucket: "s3://many",
    store: testS3Options(s3),
  });
  const warned: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warned.push(args);
  let error: NotFoundError;
  try {
    error = await assertRejects(() => vc.path("/a.csv", "99.0.0"), NotFoundError);
  } finally {
    console.warn = warn;
  }
  assertStringIncludes(error.message, "version 99.0.0 of /a.csv does not exist");
  assertStringIncludes(error.message, "available: 1200 versions, the latest 20: 11.80.0,");
  assertStringIncludes(error.message, "11.99.0 (`versions()` lists them all)");
  assert(!error.message.includes("0.0.0,"), error.message);
  assert(error.message.length < 1000, `${error.message.length} characters`);
  assertEquals(warned, []);
});

Deno.test("a missing version's error lists every one of a few versions", async () => {
  await using s3 = await startFakeS3();
  await s3.createBucket("few");
  for (const v of ["1.0.0", "1.0.1", "2.0.0"]) await s3.putObject("few", `a.${v}.csv`, v);
  await using dir = await tempDir("vc_missing_version_");
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    cache,
    manifest: join(dir.path, "versioned_assets.json"),
    bucket: "s3://few",
    store: testS3Options(s3),
  });
  const error = await assertRejects(() => vc.path("/a.csv", "3.0.0"), NotFoundError);
  assertStringIncludes(error.message, "available: 1.0.0, 1.0.1, 2.0.0");
});
