/**
 * A manifest entry pinned to a pre-release (`"2.0.0-rc.1"`, as npm or Cargo
 * would take it) made every command refuse the whole manifest, also
 * `vc path` of another, valid entry; the error said only that vc's versions
 * have no suffix, not how to read that key. vc keeps pinning releases only
 * (a pre-release key is another tool's, which `vc versions` and `vc update`
 * never pick), but now:
 * - a read of another path (`vc path`, `vc cat`, `vc get`, `resolve()`)
 *   works: it reads only its own entry;
 * - the refusal names the manifest, the entry, and both fixes: pin a
 *   release, or pin that key as an override (the exact value to write), or
 *   read it with `vc cache get URI`;
 * - `vc cat PATH 2.0.0-rc.1` (a usage error) names the key and the same
 *   override and `vc cache get`;
 * - commands over the whole manifest (`vc ls`, `vc verify`, ...) and writes
 *   still refuse, with the same message.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";

async function workspace(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("bucket/foo/a.1.0.0.csv", "a\n");
  await ws.write("bucket/foo/b.1.0.0.csv", "b1\n");
  // Published by another tool: vc never writes a pre-release key.
  await ws.write("bucket/foo/b.2.0.0-rc.1.csv", "rc\n");
  await ws.write(
    "versioned_assets.json",
    '{\n    "/foo/a.csv": "1.0.0",\n    "/foo/b.csv": "2.0.0-rc.1"\n}\n',
  );
  return ws;
}

Deno.test("prerelease pin: other paths still resolve; the entry's refusal names the fixes", async () => {
  await using ws = await workspace();
  const manifest = ws.path("versioned_assets.json");
  await using cache = new AssetCache({ cacheDir: ws.path("cache"), configPath: false, env: {} });
  await using vc = new VersionedCache({ manifest, bucket: ws.bucket, cache });
  assertEquals(await Deno.readTextFile(await vc.path("/foo/a.csv")), "a\n");
  const rcUri = `${ws.bucket}/foo/b.2.0.0-rc.1.csv`;
  const error = await assertRejects(() => vc.path("/foo/b.csv"), InvalidInputError);
  for (
    const part of [
      manifest,
      '"/foo/b.csv"',
      '"2.0.0-rc.1"',
      "pre-release",
      "pin a release",
      `"/foo/b.csv": "${rcUri}"`,
      `vc cache get ${rcUri}`,
    ]
  ) assertStringIncludes(error.message, part);
  // Over the whole manifest: refused, with the same fixes.
  const all = await assertRejects(() => vc.resolveAll(), InvalidInputError);
  assertStringIncludes(all.message, `"/foo/b.csv": "${rcUri}"`);
});

Deno.test("prerelease pin: vc path / cat of other paths work; ls and cat VERSION say what to do", async () => {
  await using ws = await workspace();
  const rcUri = `${ws.bucket}/foo/b.2.0.0-rc.1.csv`;
  const cat = await ws.vc("cat", "/foo/a.csv");
  assertEquals(cat.code, 0, cat.stderr);
  assertEquals(cat.stdout, "a\n");
  const path = await ws.vc("path", "/foo/a.csv");
  assertEquals(path.code, 0, path.stderr);
  assertEquals((await ws.vc("cat", "/foo/a.csv", "1.0.0")).stdout, "a\n");
  const remote = await ws.vc("path-remote", "/foo/a.csv");
  assertEquals(remote.stdout.trim(), `${ws.bucket}/foo/a.1.0.0.csv`, remote.stderr);
  const copy = await ws.vc("get", "/foo/a.csv", ws.path("a-copy.csv"));
  assertEquals(copy.code, 0, copy.stderr);
  assertEquals(await ws.read("a-copy.csv"), "a\n");

  const ls = await ws.vc("ls");
  assertFailure(ls, 1, "versioned_assets.json", '"/foo/b.csv"', `"/foo/b.csv": "${rcUri}"`);
  assertFailure(await ws.vc("cat", "/foo/b.csv"), 1, "pin a release", `vc cache get ${rcUri}`);

  // The version given on the command line: still a usage error, now with the key's way in.
  const given = await ws.vc("cat", "/foo/b.csv", "2.0.0-rc.1");
  assertEquals(given.code, 2, given.stderr);
  assertStringIncludes(given.stderr, `vc cache get ${rcUri}`);
  assertStringIncludes(given.stderr, `"/foo/b.csv": "${rcUri}"`);

  // The fix the message gives works: the key pinned as an override.
  await ws.write(
    "versioned_assets.json",
    `{\n    "/foo/a.csv": "1.0.0",\n    "/foo/b.csv": "${rcUri}"\n}\n`,
  );
  const fixed = await ws.vc("cat", "/foo/b.csv");
  assertEquals(fixed.code, 0, fixed.stderr);
  assertEquals(fixed.stdout, "rc\n");
  assert((await ws.vc("ls")).code === 0);
});
