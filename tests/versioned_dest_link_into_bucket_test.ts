/**
 * A DEST reached through a symbolic link into a directory bucket (or the
 * cache dir) was written: `vc sync out` with `out -> ./bucket` and a manifest
 * path `/x.1.0.0.csv` replaced the published version 1.0.0 of `/x.csv`,
 * which must never change, while the same DEST typed as `./bucket` was
 * refused. The checks now follow links: both are refused alike.
 */
import { join } from "node:path";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** A bucket holding version 1.0.0 of `/x.csv` and of `/x.1.0.0.csv`, and a manifest of the second. */
async function published(ws: CliWorkspace): Promise<void> {
  await ws.write("bucket/x.1.0.0.csv", "version 1.0.0 of /x.csv\n");
  await ws.write("bucket/x.1.0.0.1.0.0.csv", "another asset\n");
  await ws.write("versioned_assets.json", '{"/x.1.0.0.csv": "1.0.0"}\n');
  await Deno.symlink(ws.bucketDir, ws.path("out"));
}

Deno.test("vc sync and vc get refuse a DEST that links into the bucket or the cache", async () => {
  await using ws = await CliWorkspace.create();
  await published(ws);
  const sync = await ws.vc("sync", "out");
  assertEquals(sync.code, 2, sync.stderr);
  assertStringIncludes(sync.stderr, "is inside the bucket");
  const get = await ws.vc("get", "/x.1.0.0.csv", "out/x.1.0.0.csv");
  assertEquals(get.code, 2, get.stderr);
  assertStringIncludes(get.stderr, "is inside the bucket");
  assertEquals(await ws.read("bucket/x.1.0.0.csv"), "version 1.0.0 of /x.csv\n");
  // Into the cache dir, through a link, as typed plainly.
  assertEquals((await ws.vc("path", "/x.1.0.0.csv")).code, 0);
  await Deno.symlink(ws.cacheDir, ws.path("into-cache"));
  const cached = await ws.vc("sync", "into-cache");
  assertEquals(cached.code, 2, cached.stderr);
  assertStringIncludes(cached.stderr, "is inside the cache dir");
});

Deno.test("VersionedCache.syncSettled refuses to write into the bucket through a linked DEST", async () => {
  await using ws = await CliWorkspace.create();
  await published(ws);
  await using vc = new VersionedCache({
    manifest: ws.path("versioned_assets.json"),
    bucket: ws.bucketDir,
    cache: new AssetCache({ cacheDir: ws.cacheDir, configPath: false, env: {} }),
  });
  const r = await vc.syncSettled(ws.path("out"));
  assertEquals(r.copied, []);
  assertStringIncludes(String(r.failed[0]?.error), "inside the bucket");
  assertEquals(await ws.read("bucket/x.1.0.0.csv"), "version 1.0.0 of /x.csv\n");
});

Deno.test("AssetCache.copyVerified refuses a dest that links into the cache dir", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.csv", "a\n");
  await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false, env: {} });
  const local = await cache.cache(`${ws.bucket}/a.csv`);
  await Deno.symlink(ws.cacheDir, ws.path("c"));
  const error = await cache.copyVerified(local, join(ws.path("c"), "b.csv")).then(
    () => undefined,
    (e: Error) => e,
  );
  assertStringIncludes(String(error), "inside the cache dir");
});
