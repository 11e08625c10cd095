/**
 * The two commonest slips of a hand edit of a manifest (or lock file, or
 * settings file) were named misleadingly:
 *
 * - A line added at the end without a comma after the line above it: V8
 *   says "Expected ',' or '}' after property value" at the start of the new
 *   line, so the reader looks at a line that is right. Now the message names
 *   the end of the line where the comma is missing.
 * - A version whose closing quote was forgotten (`"1.0.1` then a line
 *   break): the message called the line break "an invisible or look-alike
 *   character U+000A … pasted from a web page" and said to delete it, which
 *   would join two lines and fix nothing. Now it says the string is not
 *   closed, where it opens.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a comma missing at the end of a line is named there, not at the next line", () => {
  const text = '{\n    "/a.csv": "1.0.1"\n    "/b.csv": "1.0.0"\n}\n';
  const e = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
  assertEquals(
    e.message,
    "invalid JSON in manifest m.json at line 2, column 22: a comma is missing at the end of " +
      "this line, before the entry on line 3 (JSON needs one between entries); add it",
  );
  // CRLF, and blank lines between: still the line of the value.
  const crlf = '{\r\n  "/a.csv": "1.0.1"\r\n\r\n  "/b.csv": "1.0.0"\r\n}\r\n';
  const c = assertThrows(() => parseManifest(crlf, "m.json"), InvalidInputError);
  assertStringIncludes(c.message, "at line 2, column 20: a comma is missing");
  assertStringIncludes(c.message, "before the entry on line 4");
  // In a lock file too (an entry's value is an object).
  const lock = '{\n  "/a.csv@1.0.0": {"size": 1, "sha256": "x"}\n  "/b.csv@1.0.0": {}\n}\n';
  const l = assertThrows(() => parseLockFile(lock, "l.json"), InvalidInputError);
  assertStringIncludes(l.message, "lock file l.json at line 2, column 45: a comma is missing");
});

Deno.test("a string whose closing quote is missing is named as such, not as an invisible character", () => {
  const text = '{\n    "/a.csv": "1.0.1\n    "/b.csv": "1.0.0"\n}\n';
  const e = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
  assert(!e.message.includes("invisible"), e.message);
  assertEquals(
    e.message,
    "invalid JSON in manifest m.json at line 2, column 15: a string that is not closed: " +
      'the " here has no closing " before the end of its line; add one',
  );
  const crlf = '{\r\n  "/a.csv": "1.0.1\r\n}\r\n';
  const c = assertThrows(() => parseManifest(crlf, "m.json"), InvalidInputError);
  assertStringIncludes(c.message, "a string that is not closed");
});

Deno.test("vc ls names the missing comma's line", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write(
    "versioned_assets.json",
    '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.1"\n    "/c.csv": "1.0.0"\n}\n',
  );
  const r = await ws.vc("ls");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "at line 3, column 22: a comma is missing");
});

Deno.test("a version written without quotes is named as one, with the spelling to write", () => {
  const text = '{\n    "/a.csv": 1.0.1,\n    "/b.csv": "1.0.0"\n}\n';
  const e = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
  assertEquals(
    e.message,
    "invalid JSON in manifest m.json at line 2, column 15: 1.0.1 is not a JSON value: a " +
      'version is a string; write "1.0.1"',
  );
  const rc = '{"/a.csv": 2.0.0-rc.1}';
  const r = assertThrows(() => parseManifest(rc, "m.json"), InvalidInputError);
  assertStringIncludes(r.message, "at line 1, column 12: 2.0.0-rc.1 is not a JSON value");
  assertStringIncludes(r.message, 'write "2.0.0-rc.1"');
});
