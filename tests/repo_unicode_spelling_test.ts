/**
 * `vc repo add` of a path spelled in Unicode otherwise than one the
 * repository holds (NFC "café" vs NFD "cafe" + accent): the two look the
 * same in every listing and are one file name on macOS, but the catalog kept
 * them as two paths, each with its own versions, `current` and tags. The
 * versioned cache refuses such a twin of a manifest entry; the repository
 * now refuses it the same way (src/unicode_spelling.ts), naming both
 * spellings. The library's behaviour on both catalogs is in repo_suite.ts.
 */
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { spellingDifference } from "../src/unicode_spelling.ts";

Deno.test("repo add of a path's NFD spelling, beside its NFC one, is refused naming both", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await ws.write("f.txt", "menu\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const added = await ws.run(["repo", "add", "/caf\u00e9.txt", "f.txt"], env);
  assertEquals(added.code, 0, added.stderr);
  const id = added.stdout.trim();

  const twin = await ws.run(["repo", "add", "/cafe\u0301.txt", "f.txt"], env);
  assertFailure(
    twin,
    1,
    '"/cafe\\u0301.txt" and the path "/caf\\u00e9.txt" in repository',
    "spelled differently in Unicode (NFC vs NFD",
  );
  assertEquals(twin.stdout, "");
  // Still one record, under the first spelling.
  const ls = await ws.run(["repo", "ls", "--json"], env);
  assertEquals(ls.code, 0, ls.stderr);
  assertEquals(
    ls.json<{ id: number; path: string }[]>().map((r) => [String(r.id), r.path]),
    [[id, "/caf\u00e9.txt"]],
  );
});

Deno.test("a twin's message names its kind: NFC vs NFD, a character standing for another, or both", () => {
  assertEquals(
    spellingDifference("/caf\u00e9/cre\u0300me", "/cafe\u0301/cr\u00e8me"),
    "NFC vs NFD",
  );
  const kelvin = spellingDifference("\u212a", "K");
  assertEquals(kelvin, '"\\u212a" for "K": a character Unicode takes for another');
  assertEquals(
    spellingDifference("\u212a-caf\u00e9", "K-cafe\u0301"),
    `NFC vs NFD, and ${kelvin}`,
  );
  assertEquals(
    spellingDifference("\u212a\u2126", "K\u03a9"),
    '"\\u212a" for "K", "\\u2126" for "\\u03a9": characters Unicode takes for others',
  );
});
