/**
 * A JSON file edited by hand (a manifest, a settings file) with a character
 * that looks like JSON's own but is not: a no-break space pasted from a web
 * page or a chat (it shows as a space), a second byte order mark, a
 * typographic quote an editor's "smart quotes" or a chat typed (“/a.csv”),
 * or single quotes. V8 says "Expected property name or '}'" or "Unexpected
 * token '\ufeff'", which names none of them: the user sees spaces and quotes
 * where it points. The message now names the character, and what to type.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { withTempDir, writeFile } from "./versioned_helpers.ts";

const CASES: [label: string, text: string, says: string[]][] = [
  [
    "a no-break space for indentation",
    '{\n\u00a0\u00a0"/a.csv": "1.0.0"\n}\n',
    ["line 2, column 1", "U+00A0 NO-BREAK SPACE", "replace it with a space"],
  ],
  [
    "a second byte order mark",
    '\ufeff\ufeff{"/a.csv": "1.0.0"}\n',
    ["line 1, column 1", "U+FEFF", "delete it"],
  ],
  [
    "a zero-width space between entries",
    '{"/a.csv": "1.0.0",\u200b "/b.csv": "1.0.0"}\n',
    ["line 1, column 20", "U+200B ZERO WIDTH SPACE"],
  ],
  [
    "typographic double quotes",
    '{\n  \u201c/a.csv\u201d: "1.0.0"\n}\n',
    ["line 2, column 3", "U+201C", 'a straight double quote (")'],
  ],
  [
    "typographic single quotes",
    '{\n  \u2018/a.csv\u2019: "1.0.0"\n}\n',
    ["line 2, column 3", "U+2018", 'a straight double quote (")'],
  ],
  [
    "single quotes",
    "{\n  '/a.csv': '1.0.0'\n}\n",
    ["line 2, column 3", "a single quote", 'double quotes (")'],
  ],
];

for (const [label, text, says] of CASES) {
  Deno.test(`manifest with ${label}: the message names it`, async () => {
    await withTempDir(async (dir) => {
      const file = await writeFile(dir, "versioned_assets.json", text);
      const e = await assertRejects(() => readManifest(file));
      for (const part of says) assertStringIncludes(e.message, part);
    }, "vc-json-lookalike-");
  });
}
