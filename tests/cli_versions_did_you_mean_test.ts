/**
 * `vc versions /a.bn` of a path the bucket has no version of names the
 * manifest's path it is closest to (`did you mean /a.bin?`), as `vc cat`,
 * `vc path`, `vc path-remote` and `vc update` of such a path do; it said only
 * that `vc ls-remote` lists every path. So do `vc cat /a.bn 1.0.0` and
 * `vc path /a.bn 1.0.0` (a version given: the bucket is asked, not the
 * manifest), which said only that the bucket has no versions of it.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli versions: a mistyped path names the manifest's closest path", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.bin", "hello\n");
  assertEquals((await ws.vc("add", "/a.bin", "a.bin")).code, 0);

  const cat = await ws.vc("cat", "/a.bn");
  assertStringIncludes(cat.stderr, "did you mean /a.bin?");

  const typo = await ws.vc("versions", "/a.bn");
  assertEquals([typo.code, typo.stdout], [0, ""]);
  assertStringIncludes(typo.stderr, `/a.bn has no versions in ${ws.bucket}`);
  assertStringIncludes(typo.stderr, "vc ls-remote");
  assertStringIncludes(typo.stderr, "did you mean /a.bin?");
  // stdout and --json stay what a script reads.
  const json = await ws.vc("versions", "/a.bn", "--json");
  assertEquals(json.json(), { path: "/a.bn", versions: [] });

  // Nothing close: no guess.
  const far = await ws.vc("versions", "/other/thing.csv");
  assertEquals(far.stderr.includes("did you mean"), false, far.stderr);

  // No manifest (versions needs none) or a broken one: the message as before.
  await Deno.remove(ws.path("versioned_assets.json"));
  const bare = await ws.vc("versions", "/a.bn");
  assertEquals(bare.code, 0, bare.stderr);
  assertEquals(bare.stderr.includes("did you mean"), false, bare.stderr);
  await ws.write("versioned_assets.json", "{ not json");
  const broken = await ws.vc("versions", "/a.bn");
  assertEquals(broken.code, 0, broken.stderr);
  assertStringIncludes(broken.stderr, "vc ls-remote");
});

const CASES = [
  ["cat", "/a.bn", "1.0.0"],
  ["path", "/a.bn", "1.0.0"],
  ["get", "/a.bn", "1.0.0", "out.bin"],
];

Deno.test("cli cat/path/get with a version: a mistyped path names the manifest's closest path", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.bin", "hello\n");
  assertEquals((await ws.vc("add", "/a.bin", "a.bin")).code, 0);
  for (const args of CASES) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, `${ws.bucket} has no versions of it; did you mean /a.bin?`);
  }
  // The manifest's own path at a missing version lists the versions there are, no guess.
  const missing = await ws.vc("cat", "/a.bin", "9.0.0");
  assertStringIncludes(missing.stderr, "available: 1.0.0");
  assertEquals(missing.stderr.includes("did you mean"), false, missing.stderr);
});
