/**
 * A version that likely existed once (the manifest pins it, or it is below
 * the latest) and is gone from an `s3://` bucket may have been deleted with
 * S3 versioning on, which keeps its bytes as a noncurrent version vc does not
 * read. The error says what the key's ListObjectVersions tells (see
 * versioned_missing_version_kept_bytes_test.ts): here, a bucket without
 * versioning, that it keeps no earlier version; where that listing fails, it
 * names the aws CLI command that finds them, and the one that brings the
 * last back (deleting the delete marker). A version above the latest (a
 * typo) and a directory bucket get no such hint.
 */
import { join } from "node:path";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

const KEPT_NOTHING = "s3://assets keeps no earlier version of it";
const HINT = "noncurrent version: `aws s3api list-object-versions --bucket assets --prefix " +
  "'data/my a.";

/**
 * Runs `test` on a versioned cache over `s3://assets` (a fake S3, first
 * readied by `prepare`) holding `data/my a.csv` 1.0.0 and 2.0.0, whose
 * manifest pins the missing 2.0.1.
 */
async function withPinnedMissing(
  prepare: (s3: FakeS3) => void,
  test: (vc: VersionedCache) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3();
  await s3.createBucket("assets");
  for (const v of ["1.0.0", "2.0.0"]) await s3.putObject("assets", `data/my a.${v}.csv`, v);
  prepare(s3);
  await using dir = await tempDir("vc_missing_s3_");
  const manifest = join(dir.path, "versioned_assets.json");
  await Deno.writeTextFile(manifest, '{\n    "/data/my a.csv": "2.0.1"\n}\n');
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    cache,
    manifest,
    bucket: "s3://assets",
    store: testS3Options(s3),
  });
  await test(vc);
}

Deno.test("a pinned or older missing version in an s3:// bucket names where S3 versioning keeps it", () =>
  withPinnedMissing(() => {}, async (vc) => {
    const pinned = await assertRejects(() => vc.path("/data/my a.csv"), NotFoundError);
    assertStringIncludes(pinned.message, "available: 1.0.0, 2.0.0");
    assertStringIncludes(pinned.message, KEPT_NOTHING);
    const older = await assertRejects(() => vc.path("/data/my a.csv", "1.5.0"), NotFoundError);
    assertStringIncludes(older.message, KEPT_NOTHING);
    const typo = await assertRejects(() => vc.path("/data/my a.csv", "9.0.0"), NotFoundError);
    assertStringIncludes(typo.message, "available: 1.0.0, 2.0.0");
    assert(!typo.message.includes("earlier version"), typo.message);
  }));

Deno.test("a missing version whose key's versions cannot be listed names how to look for them", () =>
  withPinnedMissing(
    // ListObjectVersions fails on every attempt (a store without it, a 500).
    (s3) => s3.failNext(100, "internal", (r) => r.op === "ListObjectVersions"),
    async (vc) => {
      const pinned = await assertRejects(() => vc.path("/data/my a.csv"), NotFoundError);
      assertStringIncludes(pinned.message, "available: 1.0.0, 2.0.0");
      assertStringIncludes(pinned.message, `${HINT}2.0.1.csv'\``);
      // How to bring it back: removing the delete marker (no copy of the bytes).
      assertStringIncludes(
        pinned.message,
        "deleting the delete marker it lists (`aws s3api delete-object --bucket assets " +
          "--key 'data/my a.2.0.1.csv' --version-id MARKER_ID`)",
      );
      const older = await assertRejects(() => vc.path("/data/my a.csv", "1.5.0"), NotFoundError);
      assertStringIncludes(older.message, `${HINT}1.5.0.csv'\``);
      const typo = await assertRejects(() => vc.path("/data/my a.csv", "9.0.0"), NotFoundError);
      assertStringIncludes(typo.message, "available: 1.0.0, 2.0.0");
      assert(!typo.message.includes("noncurrent version"), typo.message);
    },
  ));

Deno.test("a missing version in a directory bucket gets no S3 versioning hint", async () => {
  await using dir = await tempDir("vc_missing_fs_");
  const manifest = join(dir.path, "versioned_assets.json");
  await Deno.mkdir(join(dir.path, "bucket"));
  await Deno.writeTextFile(join(dir.path, "bucket", "a.1.0.0.csv"), "x");
  await Deno.writeTextFile(manifest, '{\n    "/a.csv": "1.0.1"\n}\n');
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
  });
  await using vc = new VersionedCache({ manifest, bucket: join(dir.path, "bucket"), cache });
  const e = await assertRejects(() => vc.path("/a.csv"), NotFoundError);
  assertStringIncludes(e.message, "available: 1.0.0");
  assert(!e.message.includes("noncurrent version"), e.message);
});

Deno.test("a pinned path with no version left in an s3:// bucket names where S3 versioning keeps it", async () => {
  // Every version deleted (`aws s3 rm --recursive`, a lifecycle rule
  // expiring them): the bucket lists none, a wrong bucket alike, so both
  // are named.
  await using s3 = await startFakeS3();
  await s3.createBucket("assets");
  await s3.putObject("assets", "data/other.1.0.0.csv", "o");
  await using dir = await tempDir("vc_missing_all_s3_");
  const manifest = join(dir.path, "versioned_assets.json");
  await Deno.writeTextFile(manifest, '{\n    "/data/my a.csv": "1.2.0"\n}\n');
  const file = join(dir.path, "new.csv");
  await Deno.writeTextFile(file, "n");
  // Its own cache, not the user's ~/.cache/vc.
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    cache,
    manifest,
    bucket: "s3://assets",
    store: testS3Options(s3),
  });
  const path = await assertRejects(() => vc.path("/data/my a.csv"), NotFoundError);
  assertStringIncludes(path.message, "has no versions of it");
  assertStringIncludes(path.message, KEPT_NOTHING);
  const update = await assertRejects(
    () => vc.update("/data/my a.csv", file, { minor: true }),
    NotFoundError,
  );
  assertStringIncludes(update.message, "is this the bucket the manifest was published to?");
  assertStringIncludes(update.message, KEPT_NOTHING);
  // Not pinned: a version never published there gets no such hint.
  const other = await assertRejects(() => vc.path("/data/my a.csv", "3.0.0"), NotFoundError);
  assert(!other.message.includes("earlier version"), other.message);
});
