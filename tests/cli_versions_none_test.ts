/**
 * `vc versions PATH` of a path the bucket has no version of (a typo, most
 * likely) says so on stderr instead of printing nothing with exit 0, as if the
 * path had been found empty; stdout and `--json` stay what a script reads.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli versions: a path with no versions says so on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/bar.csv", "a,b\n");
  assertEquals((await ws.vc("add", "/foo/bar.csv", "src/bar.csv")).code, 0);

  const typo = await ws.vc("versions", "/foo/bra.csv");
  assertEquals([typo.code, typo.stdout], [0, ""]);
  assertStringIncludes(typo.stderr, `/foo/bra.csv has no versions in ${ws.bucket}`);
  assertStringIncludes(typo.stderr, "vc ls-remote");

  const json = await ws.vc("versions", "/foo/bra.csv", "--json");
  assertEquals(json.json(), { path: "/foo/bra.csv", versions: [] });
  assertEquals(json.stderr, "");

  const found = await ws.vc("versions", "/foo/bar.csv");
  assertEquals([found.stdout, found.stderr], ["1.0.0\n", ""]);
});

// Copied from `aws s3 ls` (`foo/bar.1.0.0.csv`), a key's name was answered
// with "no versions; `vc ls-remote` lists every versioned path", as for a typo.
Deno.test("cli versions: a bucket key's name where the path goes names the path and version it stands for", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/bar.csv", "a,b\n");
  assertEquals((await ws.vc("add", "/foo/bar.csv", "src/bar.csv")).code, 0);

  const key = await ws.vc("versions", "/foo/bar.1.0.0.csv");
  assertEquals([key.code, key.stdout], [0, ""]);
  assertStringIncludes(
    key.stderr,
    "/foo/bar.1.0.0.csv has no versions in " + ws.bucket +
      "; it names the bucket key of version 1.0.0 of /foo/bar.csv: " +
      "`vc versions /foo/bar.csv` lists that path's versions",
  );

  // A key's shape whose version the bucket does not hold is a typo like any other.
  const other = await ws.vc("versions", "/foo/bar.9.0.0.csv");
  assertStringIncludes(other.stderr, "vc ls-remote");
});
