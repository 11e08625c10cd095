/**
 * A manifest holding one path twice (a merge with `merge=union` in
 * `.gitattributes`, which keeps both sides' lines without markers, or two
 * people's hand edits) is refused, since `JSON.parse` keeps the last one
 * silently. The refusal named only the second line: not the first, not the
 * two versions, nor which to keep, so in a long manifest the reader had to
 * search for the other line and guess. Now it names both lines and both
 * values, and says how to resolve it.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a path pinned twice names both lines and both versions, and what to keep", () => {
  const text = '{\n    "/a.csv": "1.0.1",\n    "/b.csv": "1.0.0",\n    "/a.csv": "1.1.0"\n}\n';
  const e = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
  assertStringIncludes(e.message, 'manifest m.json:4:5: entry "/a.csv" appears more than once');
  assertStringIncludes(e.message, 'line 2: "1.0.1"');
  assertStringIncludes(e.message, 'line 4: "1.1.0"');
  assertStringIncludes(e.message, "keep one version of each path, usually the higher");
  // The same pin twice: either line may go.
  const same = '{\r\n  "/a.csv": "1.0.0",\r\n  "/a.csv": "1.0.0"\r\n}\r\n';
  const s = assertThrows(() => parseManifest(same, "m.json"), InvalidInputError);
  assertStringIncludes(s.message, 'at lines 2 and 3, both "1.0.0"');
  assertStringIncludes(s.message, "delete one");
  // The first value, which JSON.parse drops unchecked, is shown redacted.
  const secret = '{\n  "/a.csv": "s3://KEY:SECRET@b/a.csv",\n  "/a.csv": "1.0.0"\n}\n';
  const r = assertThrows(() => parseManifest(secret, "m.json"), InvalidInputError);
  assertStringIncludes(r.message, 'line 2: "s3://KEY:***@b/a.csv"');
  assert(!r.message.includes("SECRET"), r.message);
});

Deno.test("vc ls names both lines of a path pinned twice, as a union merge leaves it", async () => {
  await using ws = await CliWorkspace.create();
  const text = '{\n    "/a.csv": "1.0.1",\n    "/a.csv": "2.0.0",\n    "/b.csv": "1.0.0"\n}\n';
  await ws.write("versioned_assets.json", text);
  const r = await ws.vc("ls");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, 'line 2: "1.0.1"');
  assertStringIncludes(r.stderr, 'line 3: "2.0.0"');
  assertEquals(await ws.read("versioned_assets.json"), text);
});

Deno.test("one path under two spellings (`a.csv` beside `/a.csv`) names both lines", () => {
  // A merge of a branch where the path was added by hand (a key without its
  // leading `/`) with one where vc added it leaves both keys; the refusal
  // named the keys only, not where they are nor what each pins.
  const text = '{\n    "/a.csv": "1.0.1",\n    "/b.csv": "1.0.0",\n    "a.csv": "1.1.0"\n}\n';
  const e = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
  assertStringIncludes(
    e.message,
    'manifest m.json:4:5: entries "/a.csv" and "a.csv" both name /a.csv',
  );
  assertStringIncludes(e.message, 'line 2: "1.0.1"');
  assertStringIncludes(e.message, 'line 4: "1.1.0"');
  assertStringIncludes(e.message, "keep one version of each path, usually the higher");
  const same = '{\r\n  "a.csv": "1.0.0",\r\n  "/a.csv": "1.0.0"\r\n}\r\n';
  const s = assertThrows(() => parseManifest(same, "m.json"), InvalidInputError);
  assertStringIncludes(s.message, 'entries "a.csv" and "/a.csv" both name /a.csv');
  assertStringIncludes(s.message, 'at lines 2 and 3, both "1.0.0"; delete one');
});
