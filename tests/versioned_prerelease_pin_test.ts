/**
 * A manifest entry pinned to a pre-release (`"2.0.0-rc.1"`, as npm or Cargo
 * take it, and as baiji-pod read it) was refused by every command that reads
 * the whole manifest, and `vc path PATH 2.0.0-rc.1` was a usage error,
 * though the bucket holds the key (`foo/b.2.0.0-rc.1.csv`). A pre-release is
 * a semver version, so it is now read as any pin: `vc path`, `cat`, `get`,
 * `ls`, `verify`, `lock` and `sync` take it, and `vc update` never moves a
 * pin onto one unless `--version` asks. Build metadata (`2.0.0+ci.7`), which
 * semver gives no order, is still refused, naming the manifest, the entry
 * and the fixes, while reads of other paths go on.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";

async function workspace(pin: string): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("bucket/foo/a.1.0.0.csv", "a\n");
  await ws.write("bucket/foo/b.1.0.0.csv", "b1\n");
  await ws.write("bucket/foo/b.2.0.0-rc.1.csv", "rc\n");
  await ws.write("bucket/foo/b.2.0.0+ci.7.csv", "ci\n");
  await ws.write(
    "versioned_assets.json",
    `{\n    "/foo/a.csv": "1.0.0",\n    "/foo/b.csv": "${pin}"\n}\n`,
  );
  return ws;
}

Deno.test("prerelease pin: read by path, cat, get, ls, verify, lock and sync", async () => {
  await using ws = await workspace("2.0.0-rc.1");
  const path = await ws.vc("path", "/foo/b.csv", "--json");
  assertEquals(path.code, 0, path.stderr);
  assertEquals(path.json<{ version: string }>().version, "2.0.0-rc.1");
  assertEquals((await ws.vc("cat", "/foo/b.csv")).stdout, "rc\n");
  assertEquals((await ws.vc("cat", "/foo/b.csv", "2.0.0-rc.1")).stdout, "rc\n");
  const got = await ws.vc("get", "/foo/b.csv", "2.0.0-rc.1", ws.path("b.csv"));
  assertEquals(got.code, 0, got.stderr);
  assertEquals(await ws.read("b.csv"), "rc\n");
  const remote = await ws.vc("path-remote", "/foo/b.csv");
  assertEquals(remote.stdout.trim(), `${ws.bucket}/foo/b.2.0.0-rc.1.csv`, remote.stderr);
  const ls = await ws.vc("ls", "--json");
  assertEquals(ls.code, 0, ls.stderr);
  assertEquals(ls.json(), [
    { path: "/foo/a.csv", version: "1.0.0" },
    { path: "/foo/b.csv", version: "2.0.0-rc.1" },
  ]);
  const versions = await ws.vc("versions", "/foo/b.csv", "--json");
  assertEquals(versions.json<{ versions: string[] }>().versions, ["1.0.0", "2.0.0-rc.1"]);
  assertEquals((await ws.vc("lock")).code, 0);
  assertStringIncludes(await ws.read("versioned_assets.lock.json"), '"/foo/b.csv@2.0.0-rc.1"');
  const verify = await ws.vc("verify", "--json");
  assertEquals(verify.code, 0, verify.stdout);
  assertEquals((await ws.vc("lock", "--check")).code, 0);
  const sync = await ws.vc("sync", "out");
  assertEquals(sync.code, 0, sync.stderr);
  assertEquals(await ws.read("out/foo/b.csv"), "rc\n");
  // The lean entry of a warm `vc path` answers as the full command did.
  const warm = await ws.vc("path", "/foo/b.csv", "--json");
  assertEquals(warm.json(), path.json());
});

Deno.test("prerelease pin: update --minor from a pinned candidate releases its line", async () => {
  await using ws = await workspace("2.0.0-rc.1");
  await ws.write("new.csv", "final\n");
  const r = await ws.vc("update", "/foo/b.csv", "new.csv", "--major", "--json");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json<{ from: string; to: string }>().to, "2.0.0");
  assertStringIncludes(await ws.read("versioned_assets.json"), '"/foo/b.csv": "2.0.0"');
});

Deno.test("build-metadata pin: refused naming the fixes; other paths still resolve", async () => {
  await using ws = await workspace("2.0.0+ci.7");
  const manifest = ws.path("versioned_assets.json");
  await using cache = new AssetCache({ cacheDir: ws.path("cache"), configPath: false, env: {} });
  await using vc = new VersionedCache({ manifest, bucket: ws.bucket, cache });
  assertEquals(await Deno.readTextFile(await vc.path("/foo/a.csv")), "a\n");
  const ciUri = `${ws.bucket}/foo/b.2.0.0%2Bci.7.csv`; // + escaped in a file:// URI
  const error = await assertRejects(() => vc.path("/foo/b.csv"), InvalidInputError);
  for (
    const part of [
      manifest,
      '"/foo/b.csv"',
      '"2.0.0+ci.7"',
      "build metadata",
      `"/foo/b.csv": "${ciUri}"`,
      `cache(${JSON.stringify(ciUri)})`,
    ]
  ) assertStringIncludes(error.message, part);
  assertFailure(await ws.vc("ls"), 1, '"/foo/b.csv"', `"/foo/b.csv": "${ciUri}"`);
  const given = await ws.vc("cat", "/foo/b.csv", "2.0.0+ci.7");
  assertEquals(given.code, 2, given.stderr);
  assertStringIncludes(given.stderr, `vc cache get ${ciUri}`);
});
