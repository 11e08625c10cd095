// A manifest (or lock file) with a `//` or `/* */` comment, which an
// editor's JSONC mode lets one type, was refused with V8's "Expected
// property name or '}'", which does not say that JSON has no comments.
import { parseManifest } from "../src/versioned/manifest.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertThrows } from "./assert.ts";

Deno.test("a comment in a manifest is named as one, where it is", () => {
  const cases: Array<[string, string]> = [
    ['{\n  // pinned for the demo\n  "/a.csv": "1.0.0"\n}\n', "line 2, column 3"],
    ['{\n  "/a.csv": "1.0.0" /* old */\n}\n', "line 2, column 21"],
    ['{\n  "/a.csv": "1.0.0", // why\n  "/b.csv": "1.0.0"\n}\n', "line 2, column 22"],
    ['// header\n{"/a.csv": "1.0.0"}\n', "line 1, column 1"],
  ];
  for (const [text, where] of cases) {
    assertThrows(
      () => parseManifest(text, "m.json"),
      InvalidInputError,
      `invalid JSON in manifest m.json at ${where}: a comment (JSON allows none); delete it`,
    );
  }
  // A `//` inside a string is no comment (the error is the missing comma).
  assertThrows(
    () => parseManifest('{\n  "/a.csv": "s3://b//k"\n  "/b.csv": "1.0.0"\n}', "m.json"),
    InvalidInputError,
    "line 2, column 24: a comma is missing at the end of this line",
  );
});
