/**
 * A manifest whose lines end in a lone CR (saved by a classic Mac OS editor,
 * or by a tool set to "CR" line endings) read as one long line: an error in
 * it named line 1 (a path pinned twice "at lines 1 and 1", a trailing comma
 * at "line 1, column 47"), and a rewrite by `add` / `update` wrote the whole
 * file again with LF line breaks, 4-space indentation and no final line
 * break, so the diff showed every line changed. A lone CR now counts as a
 * line break, as in any editor, and a rewrite changes only the lines of the
 * entries that changed.
 */
import { InvalidInputError } from "../src/errors.ts";
import { lineColumn } from "../src/json_text.ts";
import { parseManifest, updateManifest } from "../src/versioned/manifest.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("a lone CR counts as a line break in the line and column an error names", () => {
  assertEquals(lineColumn('{\r  "a": 1,\r  "b": }', 19), { line: 3, column: 8 });
  assertEquals(lineColumn('{\r\n  "a": 1,\r\n  "b": }', 21), { line: 3, column: 8 });
  const twice = '{\r  "/a.csv": "1.0.0",\r  "/a.csv": "1.0.0",\r  "/b.csv": "1.0.0"\r}\r';
  const e = assertThrows(() => parseManifest(twice, "m.json"), InvalidInputError);
  assertStringIncludes(e.message, 'manifest m.json:3:3: entry "/a.csv"');
  assertStringIncludes(e.message, "at lines 2 and 3");
  const comma = '{\r  "/a.csv": "1.0.0",\r  "/b.csv": "1.0.0",\r}\r';
  const c = assertThrows(() => parseManifest(comma, "m.json"), InvalidInputError);
  assertStringIncludes(c.message, "at line 3, column 20");
});

Deno.test("a rewrite of a manifest with CR line breaks changes only the entries' lines", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/m.json`;
    await Deno.writeTextFile(file, '{\r  "/a.csv": "1.0.0",\r  "/b.csv": "1.0.0"\r}\r');
    await updateManifest(file, (m) => {
      m["/a.csv"] = "1.0.1";
      m["/c.csv"] = "2.0.0";
    });
    assertEquals(
      await Deno.readTextFile(file),
      '{\r  "/a.csv": "1.0.1",\r  "/b.csv": "1.0.0",\r  "/c.csv": "2.0.0"\r}\r',
    );
    // Written whole again (a one-line file of CR breaks is not one entry a
    // line): still CR line breaks, and the final one.
    await Deno.writeTextFile(file, '{"/a.csv": "1.0.0",\r"/b.csv": "1.0.0"}\r');
    await updateManifest(file, (m) => {
      m["/a.csv"] = "1.0.1";
    });
    assertEquals(
      await Deno.readTextFile(file),
      '{\r    "/a.csv": "1.0.1",\r    "/b.csv": "1.0.0"\r}\r',
    );
  });
});
