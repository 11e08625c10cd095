/**
 * A manifest with blank lines after its closing `}` (an editor's extra
 * newline) was rewritten whole in vc's style by `add` / `update`, dropping
 * them: a rewrite is to change exactly the lines of the entries that changed.
 */
import { editManifestText } from "../src/versioned/manifest_format.ts";
import { updateManifest } from "../src/versioned/manifest.ts";
import { assertEquals } from "./assert.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("a rewrite keeps blank lines after the closing brace", async () => {
  for (const end of ["\n\n", "\n\n\n", "\r\n\r\n", "\n  \n", "\n\n  "]) {
    const eol = end.startsWith("\r") ? "\r\n" : "\n";
    const text = `{${eol}  "/a.csv": "1.0.0",${eol}  "/c.csv": "1.0.0"${eol}}${end}`;
    const out = editManifestText(text, { "/a.csv": "1.0.0", "/c.csv": "1.0.0" }, {
      "/a.csv": "1.0.1",
      "/b.csv": "1.0.0",
      "/c.csv": "1.0.0",
    });
    assertEquals(
      out,
      `{${eol}  "/a.csv": "1.0.1",${eol}  "/b.csv": "1.0.0",${eol}  "/c.csv": "1.0.0"${eol}}${end}`,
      JSON.stringify(end),
    );
  }
  await withTempDir(async (dir) => {
    const file = `${dir}/m.json`;
    await Deno.writeTextFile(file, '{\n  "/a.csv": "1.0.0"\n}\n\n');
    await updateManifest(file, (m) => {
      m["/b.csv"] = "2.0.0";
    });
    assertEquals(
      await Deno.readTextFile(file),
      '{\n  "/a.csv": "1.0.0",\n  "/b.csv": "2.0.0"\n}\n\n',
    );
  });
});
