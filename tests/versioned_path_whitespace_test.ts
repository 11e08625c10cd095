/**
 * A versioned path with whitespace around it (a hand-edited manifest key
 * `" /foo/bar.csv"`) is refused, naming it, instead of naming another asset.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { normalizeVersionedPath, parseVersionedKey } from "../src/versioned/naming.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("versioned path: whitespace around a path is refused", () => {
  for (const path of [" /foo/bar.csv", "/foo/bar.csv ", "foo/bar.csv\u00a0", "\u3000/x.csv"]) {
    const e = assertThrows(() => normalizeVersionedPath(path), InvalidInputError);
    assertStringIncludes(e.message, JSON.stringify(path));
    assertStringIncludes(e.message, "whitespace");
  }
  // Spaces inside a name are still fine.
  assertEquals(normalizeVersionedPath("/my data/bar baz.csv"), "/my data/bar baz.csv");
  assertEquals(parseVersionedKey("foo/bar.1.0.0.csv ")?.path, undefined);
});

Deno.test("versioned path: a manifest key with a space before its / is reported", () => {
  const e = assertThrows(
    () => parseManifest('{\n    " /foo/bar.csv": "1.0.0"\n}\n', "m.json"),
    InvalidInputError,
  );
  assertStringIncludes(e.message, 'm.json: entry " /foo/bar.csv"');
});

Deno.test("versioned path: vc add of a path with a trailing space publishes nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a\n");
  const r = await ws.vc("add", "/bar.csv ", "bar.csv");
  assertEquals(r.code === 0, false, r.stdout);
  assertStringIncludes(r.stderr, "whitespace");
  assertEquals([...Deno.readDirSync(ws.bucketDir)].length, 0);
});
