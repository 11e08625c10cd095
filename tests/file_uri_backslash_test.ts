/**
 * URL parsing reads a backslash in a `file:` URL as `/`: right on Windows,
 * where it separates directories, but on Linux and macOS a backslash is a
 * character of a name, so `file:///d/out\dir` named `/d/out/dir`, another
 * directory than the one written, and `vc mirror` wrote there (and `vc cache
 * get file:///d/a\b.csv` returned the other file `/d/a/b.csv`). Refused off
 * Windows, naming the URI and saying how to write either meaning.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { fileUriBackslashProblem, parseStoreRoot, parseUri } from "../src/uri.ts";
import { withWorkspace } from "./cli_process.ts";

// On Windows the backslash is the separator, accepted (the second test covers that branch).
const ON_WINDOWS = Deno.build.os === "windows";

Deno.test({
  name: "parseUri: off Windows, a backslash in a file:// URI is refused, not read as /",
  ignore: ON_WINDOWS,
}, () => {
  for (const uri of ["file:///d/a\\b.csv", "file:///d/out\\dir", "file:///d\\"]) {
    const error = assertThrows(() => parseUri(uri), InvalidInputError);
    assertStringIncludes(error.message, JSON.stringify(uri));
    assertStringIncludes(error.message, `it would be ${uri.replaceAll("\\", "/")}`);
    assertStringIncludes(error.message, "%5C");
    assertThrows(() => parseStoreRoot(uri), InvalidInputError);
  }
  // Percent-encoded, the backslash is part of the name.
  assertEquals(parseUri("file:///d/a%5Cb.csv"), { scheme: "file", path: "/d/a\\b.csv" });
});

Deno.test("fileUriBackslashProblem: Windows takes the backslash for the separator it is there", () => {
  assertEquals(fileUriBackslashProblem("file:///C:\\data\\x.csv", "windows"), undefined);
  assertEquals(fileUriBackslashProblem("file://srv\\share\\x", "windows"), undefined);
  for (const os of ["linux", "darwin"] as const) {
    assertMatch(fileUriBackslashProblem("file:///d/a\\b", os) ?? "", /reads a backslash as "\/"/);
    assertEquals(fileUriBackslashProblem("file:///d/a/b", os), undefined);
  }
});

Deno.test({
  name: "vc mirror to file:///…\\dir off Windows: refused, nothing written",
  ignore: ON_WINDOWS,
}, async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/f.txt`, "x");
    const run = await vc(["mirror", "src", `file://${dir}/out\\dir`]);
    assertEquals(run.code, 2, run.stderr);
    assertStringIncludes(run.stderr, "reads a backslash");
    assert(!run.stderr.includes("    at "), run.stderr);
    const made = await Deno.stat(`${dir}/out`).then(() => true, () => false);
    assert(!made, "nothing is written under the directory the URI was read as");
  });
});
