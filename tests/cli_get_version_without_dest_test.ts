/**
 * `vc get PATH 1.2.5`, the version given and DEST forgotten (as `vc path` and
 * `vc cat` take PATH VERSION), copied the pinned version into a file named
 * `1.2.5` in the current directory, exit 0: neither the version asked for nor
 * where it was wanted. A bare MAJOR.MINOR.PATCH where DEST goes is now a
 * usage error saying DEST is missing, before any download; `./1.2.5` still
 * names a file of that name. A pre-release (`2.0.0-rc.1`, a version since
 * vc reads them) was still taken for a file name.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc get PATH VERSION without DEST says DEST is missing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "one\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  await ws.write("a.csv", "two\n");
  assertEquals((await ws.vc("update", "/a.csv", "a.csv", "--patch")).code, 0);

  const r = await ws.vc("get", "/a.csv", "1.0.0");
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "missing DEST");
  assertStringIncludes(r.stderr, "vc get /a.csv 1.0.0 DEST");
  assert(!(await Deno.stat(ws.path("1.0.0")).then(() => true, () => false)), "1.0.0 written");

  // A pre-release is a version too (`vc path /a.csv 2.0.0-rc.1` reads one).
  for (const version of ["2.0.0-rc.1", "1.0.0-beta.2"]) {
    const rc = await ws.vc("get", "/a.csv", version);
    assertEquals(rc.code, 2, `${version}: ${rc.stderr}`);
    assertStringIncludes(rc.stderr, `missing DEST (${version} reads as VERSION)`);
    assert(
      !(await Deno.stat(ws.path(version)).then(() => true, () => false)),
      `${version} written`,
    );
  }

  // Given as a path, it is a file name.
  const named = await ws.vc("get", "/a.csv", "./1.0.0");
  assertEquals(named.code, 0, named.stderr);
  assertEquals(await ws.read("1.0.0"), "two\n");
  const versioned = await ws.vc("get", "/a.csv", "1.0.0", "out.csv");
  assertEquals(versioned.code, 0, versioned.stderr);
  assertEquals(await ws.read("out.csv"), "one\n");
});
