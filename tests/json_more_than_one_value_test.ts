/**
 * A JSON file vc reads (a manifest, a lock file, the config file, a token
 * file) holding two values (`{...}{...}`: two files pasted together, an
 * entry added as a second object) got V8's "Unexpected non-whitespace
 * character after JSON", which says nothing of what is wrong. The shared
 * message now says "more than one JSON value", where the second starts;
 * other text after the value is said to be that.
 */
import { jsonSyntaxMessage } from "../src/json_text.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { loadConfigFile } from "../src/config.ts";
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseError } from "./json_parse_error.ts";

Deno.test("two JSON values: said so, at the second", () => {
  for (
    const [text, line, column] of [
      ['{"a": 1}\n{"b": 2}\n', 2, 1],
      ['{"a": 1}{"b": 2}', 1, 9],
      ["[1]\n  [2]", 2, 3],
      ['{"a": 1}\n"x"', 2, 1],
    ] as const
  ) {
    const message = jsonSyntaxMessage("manifest m.json", text, parseError(text));
    assert(
      message.startsWith(
        `invalid JSON in manifest m.json at line ${line}, column ${column}: more than one JSON value`,
      ),
      message,
    );
    assert(!message.includes("Unexpected non-whitespace"), message);
  }
  const other = jsonSyntaxMessage("manifest m.json", '{"a": 1}\n)', parseError('{"a": 1}\n)'));
  assertEquals(
    other,
    "invalid JSON in manifest m.json at line 2, column 1: text after the JSON value (a file " +
      "holds one value); delete it",
  );
});

Deno.test("two JSON values in a manifest and a config file: the file, line and column", async () => {
  const e = assertThrows(
    () => parseManifest('{"/a.csv": "1.0.0"}\n{"/b.csv": "1.0.0"}\n', "assets.json"),
    InvalidInputError,
  );
  assertStringIncludes(
    e.message,
    "invalid JSON in manifest assets.json at line 2, column 1: more than one JSON value",
  );
  const dir = await Deno.makeTempDir({ prefix: "vc-json-two-values-" });
  try {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(file, '{"timeout": 60}\n{"offline": true}\n');
    const c = assertThrows(() => loadConfigFile(file), InvalidInputError);
    assertStringIncludes(
      c.message,
      `config file ${file} at line 2, column 1: more than one JSON value`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
