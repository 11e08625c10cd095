/**
 * A PATH or VERSION argument (or `--version` / `--min-version` value) that is
 * malformed is a usage error (exit 2, "Run vc CMD --help"), as a bad flag
 * value is, checked before the manifest or the store is read; the same
 * malformed value read from a manifest stays a failure (exit 1).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("cli argument syntax: malformed PATH and VERSION arguments exit 2", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("f.csv", "a\n");
  assertEquals((await ws.vc("add", "/f.csv", "f.csv")).code, 0);
  const cases: [string[], string][] = [
    [["path", "/f.csv", "1.0"], 'VERSION: "1.0" is not a version'],
    [["cat", "/f.csv", "v1.0.0"], 'VERSION: "v1.0.0" is not a version'],
    [["get", "/f.csv", "latest", "out.csv"], 'VERSION: "latest" is not a version'],
    [["path-remote", "/f.csv", "1.0.0+rc1"], 'VERSION: "1.0.0+rc1" is not a version'],
    [["path", "/a/../f.csv"], "PATH: invalid versioned path"],
    [["versions", ""], "PATH: invalid versioned path"],
    [["add", "/g/", file], "PATH: invalid versioned path"],
    [["add", "/g.csv", file, "--version", "1.0"], '--version: "1.0" is not a version'],
    [["update", "/f.csv", file, "--version", "2"], '--version: "2" is not a version'],
    [["update", "/f.csv", file, "--min-version", "v2"], "--min-version: minimum version"],
  ];
  for (const [args, message] of cases) {
    const r = await ws.vc(...args);
    assertFailure(r, 2, message);
    assertStringIncludes(r.stderr, `Run "vc ${args[0]} --help" for usage.`);
    const json = await ws.vc(...args, "--json");
    assertEquals(json.code, 2, json.stderr);
    const error = json.json<{ error: { name: string; exitCode: number } }>().error;
    assertEquals([error.name, error.exitCode], ["UsageError", 2]);
  }
  // Nothing was published or pinned by the refused commands.
  assertEquals(await ws.read("versioned_assets.json"), '{\n    "/f.csv": "1.0.0"\n}\n');
  // A well-formed argument that names nothing is a failure, not a usage error.
  assertFailure(await ws.vc("path", "/f.csv", "9.9.9"), 1, "9.9.9");
});

Deno.test("cli argument syntax: a malformed version in the manifest stays a failure", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/f.csv": "1.0"}');
  const r = await ws.vc("path", "/f.csv");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "1.0");
});
