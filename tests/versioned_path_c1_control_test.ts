/**
 * A versioned path with a C1 control character (U+0080–U+009F: U+0085, the
 * "next line" many readers break a line at; U+009B, a terminal's one-byte
 * CSI) is refused as one with a C0 control is, and as a `vc repo` logical
 * path with one always was: `vc repo add /a\u0085b.csv` was a usage error
 * while `vc add /a\u0085b.csv` published the asset, and wrote the raw
 * character into the manifest (JSON leaves it unescaped) and into `vc sync`'s
 * file names.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { normalizeVersionedPath } from "../src/versioned/naming.ts";
import { normalizeLogicalPath } from "../src/repo/records.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("versioned path: a C1 control is refused, as in a repo logical path", () => {
  for (const path of ["/nel\u0085x.csv", "/csi\u009b2J.csv", "/d\u0080/x.csv"]) {
    const e = assertThrows(() => normalizeVersionedPath(path), InvalidInputError);
    assertStringIncludes(e.message, "control character");
    assertThrows(() => normalizeLogicalPath(path), InvalidInputError);
  }
  // Letters just past the C1 block are names.
  assertEquals(normalizeVersionedPath("/\u00a9 caf\u00e9.csv"), "/\u00a9 caf\u00e9.csv");
  const e = assertThrows(
    () => parseManifest('{\n    "/nel\\u0085x.csv": "1.0.0"\n}\n', "m.json"),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "m.json: entry");
  assertStringIncludes(e.message, "control character");
});

Deno.test("vc add of a path with a C1 control is a usage error that publishes nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a\n");
  const r = await ws.vc("add", "/nel\u0085x.csv", "bar.csv");
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "control character");
  assertEquals([...Deno.readDirSync(ws.bucketDir)].length, 0);
});
