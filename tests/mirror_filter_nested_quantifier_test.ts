/**
 * `--filter` and `--exclude` are the user's regular expressions, run on every
 * key of a walk and a listing (keys a bucket's other writers name, up to
 * 1024 bytes; local paths longer). A repeated group whose body is one
 * repeated piece (`(a+)+$`, `(\d*)*`, `(?:[a-z]+)*x`) backtracks through
 * every way of splitting a run of that piece: a key of 40 `a`s and a `!`
 * kept `vc mirror --exclude '(a+)+$'` busy for good, in one synchronous
 * match. Such a group means no more than its
 * piece repeated once (`a+$`), so it is refused, naming the pattern and what
 * to write instead, before anything is walked or listed.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { compileFilter, matchesFilter } from "../src/mirror/keys.ts";
import { FLAG_WORDS } from "../src/cli/mirror_flag_words.ts";
import { InvalidInputError } from "../src/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

const REFUSED: [string, string][] = [
  ["(a+)+$", "a+$"],
  ["^(\\d*)*x", "^\\d*x"],
  ["(?:[a-z]+)*\\.csv$", "[a-z]*\\.csv$"],
  ["(.+)+/", ".+/"],
  ["(a{2,})+", "a{2,}"],
  ["(?<n>\\w+)+$", "\\w+$"],
  ["^(a{2,})*$", "^(?:a{2,})?$"],
  ["^x([0-9]+){3,}$", "^x[0-9]{3,}$"],
];

for (const [pattern, flat] of REFUSED) {
  Deno.test(`--exclude ${pattern}: refused (exponential backtracking), naming ${flat}`, () => {
    const e = assertThrows(() => compileFilter([], [pattern], FLAG_WORDS), InvalidInputError);
    assertStringIncludes(e.message, `--exclude ${JSON.stringify(pattern)}`);
    assertStringIncludes(e.message, `--exclude '${flat}'`);
    // What is suggested matches as the pattern would, at once.
    const same = new RegExp(flat, "u");
    for (const key of ["aaaa", "a/b.csv", "x", "aa1x", "abc.csv", "a/", "a", "", "x12", "x123"]) {
      assertEquals(
        same.test(key),
        new RegExp(pattern, "u").test(key),
        `${flat} vs ${pattern} on ${key}`,
      );
    }
  });
}

Deno.test("--filter with a nested repeat is refused with its own flag", () => {
  const e = assertThrows(() => compileFilter(["(a+)+$"], [], FLAG_WORDS), InvalidInputError);
  assertStringIncludes(e.message, `--filter "(a+)+$"`);
  assertStringIncludes(e.message, `--filter 'a+$'`);
});

Deno.test("repeated groups with more than one piece, and escaped parentheses, still run", () => {
  const patterns = [
    "(/[^/]+)+$",
    "(ab+)+",
    "\\(a+\\)+",
    "(a+|b)+",
    "(a+){2}",
    "(a+)?",
    "[(]a+[)]+",
  ];
  const filter = compileFilter(patterns, []);
  assert(matchesFilter(filter, "x/y"));
  // A long key runs at once through each of these.
  for (const re of filter.include ?? []) re.test(`${"a".repeat(5000)}!`);
});

Deno.test("vc mirror --exclude '(a+)+$': exit 2 before anything is walked, naming 'a+$'", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write(`src/${"a".repeat(40)}!`, "x");
  const r = await ws.run(["mirror", `${ws.dir}/src`, ws.bucket, "--exclude", "(a+)+$"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "--exclude 'a+$'");
});
