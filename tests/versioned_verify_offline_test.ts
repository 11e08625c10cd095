/**
 * `vc verify --offline` failed every entry with an `OfflineError` (a BAD row
 * each, the bucket not asked), so it said nothing a user about to go offline
 * wants to know. Offline it now checks each pinned version's cached copy
 * against the size and SHA-256 the lock file records, asking no store, and
 * says which entries are good (`cached: "ok"`), not cached (`missing`), not
 * the locked content (`corrupt`, a same-size change found by the SHA-256 too)
 * or cached without a lock entry to compare with (`unchecked`). A local
 * override is looked at as online.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { rawPut, tempDir, testS3Options, workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("verify offline checks cached copies against the lock file", async () => {
  await using ws = await workspace();
  for (const name of ["ok", "resized", "same-size", "missing", "unlocked"]) {
    const file = await writeFile(ws.dir, `${name}.csv`, `content of ${name}\n`);
    await ws.vc.add(`/${name}.csv`, file);
  }
  const cached = async (name: string) => await ws.vc.path(`/${name}.csv`);
  await cached("ok");
  await Deno.writeTextFile(await cached("resized"), "short\n");
  const same = await cached("same-size");
  const text = await Deno.readTextFile(same);
  await Deno.writeTextFile(same, text.toUpperCase()); // same size, other bytes
  await cached("unlocked");
  const lockFile = ws.vc.lockFile!;
  const lock = JSON.parse(await Deno.readTextFile(lockFile));
  delete lock["/unlocked.csv@1.0.0"];
  await Deno.writeTextFile(lockFile, JSON.stringify(lock));
  const manifest = JSON.parse(await Deno.readTextFile(ws.manifest));
  manifest["/local.csv"] = join(ws.dir, "ok.csv");
  await Deno.writeTextFile(ws.manifest, JSON.stringify(manifest));

  const opened: string[] = [];
  const openStore = (root: string) => {
    opened.push(root);
    return Promise.reject(new Error(`no store may be opened offline: ${root}`));
  };
  await using cache = new AssetCache({
    cacheDir: join(ws.dir, "cache"),
    configPath: false,
    offline: true,
    openStore,
  });
  await using vc = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache,
    openStore,
  });
  const results = await vc.verify();
  const by = Object.fromEntries(results.map((r) => [r.path, r]));
  assertEquals(
    results.map((r) => [r.path, r.ok, r.cached]),
    [
      ["/local.csv", true, undefined],
      ["/missing.csv", false, "missing"],
      ["/ok.csv", true, "ok"],
      ["/resized.csv", false, "corrupt"],
      ["/same-size.csv", false, "corrupt"],
      ["/unlocked.csv", false, "unchecked"],
    ],
  );
  assertEquals(opened, []);
  assertEquals(by["/ok.csv"]!.lockChecked, "sha256");
  assertStringIncludes(by["/missing.csv"]!.problem!, "not cached");
  assertStringIncludes(by["/resized.csv"]!.problem!, "the lock file pins");
  assertStringIncludes(by["/same-size.csv"]!.problem!, "SHA-256");
  assertStringIncludes(by["/unlocked.csv"]!.problem!, "`fillLock()`");
  // A problem the check found, not an error that kept it from checking.
  assert(results.every((r) => r.errorName === undefined), JSON.stringify(results));
});

// Another tool's `/` key (`/a.1.0.0.csv` in an S3 bucket): `path` serves its
// cached copy offline, so verify checks that copy, not "missing".
Deno.test("verify offline checks the cached copy of a / key", async () => {
  await using dir = await tempDir("vc_verify_offline_slash_");
  const manifest = join(dir.path, "versioned_assets.json");
  const cacheDir = join(dir.path, "cache");
  await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0" }));
  let endpoint: string;
  {
    await using s3 = await startFakeS3({ buckets: ["assets"] });
    endpoint = s3.url;
    await rawPut(s3, "assets", "/a.1.0.0.csv", "slash a");
    const store = testS3Options(s3);
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, store });
    await using vc = new VersionedCache({ manifest, bucket: "s3://assets", cache, store });
    // Locking downloads the version (the / key's), so it is cached too.
    assertEquals((await fillLock(vc)).map((r) => r.status), ["added"]);
  }
  // The server is gone, and offline nothing would ask it anyway.
  const store = { s3: { ...testS3Options({ url: endpoint }).s3, maxAttempts: 1 } };
  await using cache = new AssetCache({
    cacheDir,
    configPath: false,
    env: {},
    offline: true,
    store,
  });
  await using vc = new VersionedCache({ manifest, bucket: "s3://assets", cache, store });
  assertEquals((await vc.verify()).map((r) => [r.path, r.ok, r.cached]), [["/a.csv", true, "ok"]]);
});
