/**
 * Resolving a merge conflict by hand often goes wrong halfway: the
 * `<<<<<<< HEAD` line is deleted and the `=======` or `>>>>>>> feature`
 * line below it is left behind. vc named a conflict only by its `<<<<<<<`
 * line, so such a file got V8's "Expected double-quoted property name",
 * which does not say that a marker is still there. And a file with several
 * conflicts (or one long one) was named at its first marker only, so the
 * other marker lines had to be hunted for. Now every marker line is named,
 * a leftover one as such.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const MANIFEST_HINT = "keep one version of each path";

Deno.test("a manifest with a leftover ======= or >>>>>>> line names it as a merge conflict marker", () => {
  // The `<<<<<<< HEAD` line deleted, the other two left.
  const halfResolved = '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0",\n=======\n' +
    '    "/c.csv": "1.0.0"\n>>>>>>> feature\n}\n';
  const e = assertThrows(() => parseManifest(halfResolved, "m.json"), InvalidInputError);
  assertStringIncludes(e.message, "invalid JSON in manifest m.json at line 4, column 1: ");
  assertStringIncludes(e.message, "merge conflict marker");
  assertStringIncludes(e.message, '"=======" at line 4');
  assertStringIncludes(e.message, '">>>>>>>" at line 6');
  assertStringIncludes(e.message, MANIFEST_HINT);
  // Only the closing marker left, in a CRLF file.
  const closing =
    '{\r\n    "/a.csv": "1.0.0",\r\n    "/c.csv": "1.0.0"\r\n>>>>>>> feature\r\n}\r\n';
  const c = assertThrows(() => parseManifest(closing, "m.json"), InvalidInputError);
  assertStringIncludes(
    c.message,
    "at line 4, column 1: a merge conflict marker left from a conflict resolved halfway " +
      '(">>>>>>>" at line 4)',
  );
  // diff3's base marker, left alone.
  const base = '{\n    "/a.csv": "1.0.1"\n||||||| base\n}\n';
  const b = assertThrows(() => parseLockFile(base, "l.json"), InvalidInputError);
  assertStringIncludes(b.message, '"|||||||" at line 3');
});

Deno.test("a manifest with several conflicts names every marker line, not only the first", () => {
  const two = '{\n<<<<<<< HEAD\n    "/a.csv": "1.0.1",\n=======\n    "/a.csv": "1.1.0",\n' +
    '>>>>>>> feature\n    "/b.csv": "1.0.0",\n<<<<<<< HEAD\n    "/c.csv": "2.0.0"\n=======\n' +
    '    "/c.csv": "2.1.0"\n>>>>>>> feature\n}\n';
  const e = assertThrows(() => parseManifest(two, "m.json"), InvalidInputError);
  assertStringIncludes(e.message, "at line 2, column 1: 2 unresolved merge conflicts");
  assertStringIncludes(e.message, "marker lines 2, 4, 6, 8, 10, 12");
  assertStringIncludes(e.message, MANIFEST_HINT);
  // One conflict: its marker lines.
  const one = '{\n<<<<<<< HEAD\n    "/a.csv": "1.0.1"\n=======\n    "/a.csv": "1.1.0"\n' +
    ">>>>>>> feature\n}\n";
  const o = assertThrows(() => parseManifest(one, "m.json"), InvalidInputError);
  assertStringIncludes(o.message, "at line 2, column 1: an unresolved merge conflict");
  assertStringIncludes(o.message, "marker lines 2, 4, 6");
});

Deno.test("vc ls and vc add name a leftover marker and write nothing", async () => {
  await using ws = await CliWorkspace.create();
  const text = '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n>>>>>>> feature\n}\n';
  await ws.write("versioned_assets.json", text);
  const ls = await ws.vc("ls");
  assertEquals(ls.code, 1, ls.stderr);
  assertStringIncludes(ls.stderr, '">>>>>>>" at line 4');
  const add = await ws.vc("add", "/d.csv", await ws.write("src/d.csv", "d\n"));
  assertEquals(add.code, 1, add.stderr);
  assertStringIncludes(add.stderr, "merge conflict marker");
  assertEquals(await ws.read("versioned_assets.json"), text);
});
