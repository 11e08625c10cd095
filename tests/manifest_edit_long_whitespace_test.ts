/**
 * `vc add` / `vc update` rewrite only the manifest lines they change, telling
 * an entry line by one regular expression. Its end, `(\s*)(,?)(\s*)$`,
 * could split a run of spaces two ways wherever no comma came: a line that
 * is no single entry (two entries on one line, valid JSON) with a long run
 * of spaces in it was tried at every pair of split points, quadratic in the
 * run (40,000 spaces: two seconds; a megabyte: some twenty minutes, inside
 * the 16 MiB a manifest may have). Now a run ends one way, and such a line
 * is told at once, falling back to rewriting the file in its style.
 */
import { assertEquals } from "./assert.ts";
import { editManifestText } from "../src/versioned/manifest_format.ts";

Deno.test("a manifest line with a long run of spaces is told from an entry line at once", () => {
  const text = `{\n    "/a.csv": "1.0.0"${" ".repeat(300_000)}, "/b.csv": "1.0.0"\n}\n`;
  const out = editManifestText(
    text,
    { "/a.csv": "1.0.0", "/b.csv": "1.0.0" },
    { "/a.csv": "1.0.0", "/b.csv": "1.0.1" },
  );
  assertEquals(JSON.parse(out), { "/a.csv": "1.0.0", "/b.csv": "1.0.1" });
});

Deno.test("entry lines keep their spaces and commas as written", () => {
  const text = `{\n  "/a.csv" :  "1.0.0"  ,  \n  "/b.csv": "1.0.0"\t\n}\n`;
  const out = editManifestText(
    text,
    { "/a.csv": "1.0.0", "/b.csv": "1.0.0" },
    { "/a.csv": "1.0.0", "/b.csv": "2.0.0" },
  );
  assertEquals(out, `{\n  "/a.csv" :  "1.0.0"  ,  \n  "/b.csv": "2.0.0"\t\n}\n`);
});
