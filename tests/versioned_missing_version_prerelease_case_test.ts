/**
 * `vc path /o.csv 1.0.0-RC.1` when the bucket holds `1.0.0-rc.1`: pre-release
 * identifiers tell case apart (SemVer compares them in ASCII order), so it is
 * another version, yet the one meant. The error listed the versions and no
 * more, while a path in another letter case is named as such; with many
 * versions the twin was not even among those listed. It is now named.
 */
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir, versionedOverKeys } from "./versioned_helpers.ts";

Deno.test("a missing pre-release names the version that differs from it only in letter case", async () => {
  await using dir = await tempDir("vc_missing_prerelease_case_");
  // Thirty later versions: the twin is not among the latest twenty listed.
  const later = Array.from({ length: 30 }, (_, i) => `o.2.0.${i}.csv`);
  await using vc = await versionedOverKeys(dir.path, [
    "o.1.0.0-rc.1.csv",
    "o.1.0.0-rc.2.csv",
    ...later,
  ]);
  const error = await assertRejects(() => vc.path("/o.csv", "1.0.0-RC.1"), NotFoundError);
  assertStringIncludes(
    error.message,
    "1.0.0-rc.1 differs from it only in letter case (pre-release identifiers tell case apart): " +
      "use that spelling",
  );
  // A version with no such twin: no such clause.
  const none = await assertRejects(() => vc.path("/o.csv", "1.0.0-rc.3"), NotFoundError);
  assert(!none.message.includes("letter case"), none.message);
});

Deno.test("vc path and vc cat say which version differs only in letter case", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("o.csv", "a\n");
  const added = await ws.vc("add", "/o.csv", file, "--version", "1.0.0-rc.1");
  assert(added.code === 0, added.stderr);
  for (const command of ["path", "cat"]) {
    const r = await ws.vc(command, "/o.csv", "1.0.0-RC.1");
    assert(r.code === 1, r.stderr);
    assertStringIncludes(r.stderr, "1.0.0-rc.1 differs from it only in letter case");
  }
});
