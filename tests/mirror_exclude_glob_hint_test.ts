/**
 * `--filter` and `--exclude` take regular expressions, where rclone's and
 * `aws s3 sync`'s filters take globs: a user's `--exclude '*.swp'` or
 * `--exclude '**\/.DS_Store'` is no valid regular expression, and the error
 * said only that. It now also says these take regular expressions and gives
 * the expression for the glob typed, which this test checks leaves out
 * what the glob would (at every depth for a name without `/`).
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { compileFilter, globLookalikes, matchesFilter } from "../src/mirror/keys.ts";
import { InvalidInputError } from "../src/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { FLAG_WORDS } from "../src/cli/mirror_flag_words.ts";

/** The regular expression the error suggests for `glob`. */
function suggested(glob: string): string {
  const e = assertThrows(() => compileFilter([], [glob], FLAG_WORDS), InvalidInputError);
  assertStringIncludes(e.message, "regular expressions, not globs");
  const m = /--exclude '([^']*)'/.exec(e.message);
  assert(m !== null, e.message);
  return m[1]!;
}

const CASES: [string, string[], string[]][] = [
  ["*.swp", ["a.swp", "d/e/.x.swp"], ["a.swpx", "a.swp/b", "swp"]],
  ["**/.DS_Store", [".DS_Store", "a/b/.DS_Store"], ["a/x.DS_Store", ".DS_Store/x"]],
  ["~$*", ["~$a.docx", "d/~$b.xlsx"], ["a~$b", "x/a~$b"]],
  ["*.tmp", ["t.tmp", "a/b.tmp"], ["a.tmpl"]],
  ["**/*.part", ["a.part", "d/b.part"], ["a.partx"]],
];

for (const [glob, excluded, kept] of CASES) {
  Deno.test(`--exclude ${glob} (a glob): the error gives a regular expression that leaves out what it would`, () => {
    const re = suggested(glob);
    const filter = compileFilter([], [re]);
    for (const key of excluded) assert(!matchesFilter(filter, key), `${re} leaves out ${key}`);
    for (const key of kept) assert(matchesFilter(filter, key), `${re} keeps ${key}`);
  });
}

Deno.test("--filter with a glob: said for --filter, with its flag", () => {
  const e = assertThrows(() => compileFilter(["*.csv"], [], FLAG_WORDS), InvalidInputError);
  assertStringIncludes(e.message, `--filter "*.csv" is not a valid regular expression`);
  assertStringIncludes(e.message, `--filter '\\.csv$'`);
});

Deno.test("an invalid expression that is no glob gets no glob hint", () => {
  const e = assertThrows(() => compileFilter([], ["(a"]), InvalidInputError);
  assertEquals(e.message.includes("glob"), false, e.message);
});

Deno.test("vc mirror --exclude '*.swp': exit 2, naming the regular expression to write", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.txt", "a");
  const r = await ws.run(["mirror", `${ws.dir}/src`, ws.bucket, "--exclude", "*.swp"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "--exclude '\\.swp$'");
});

Deno.test("mirror --exclude 'cache/*' (a glob that is also an expression): warned, naming the expression meant", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/cache/a.txt", "a");
  await ws.write("src/data/cached_results.csv", "c");
  await ws.write("src/b.txt", "b");
  const r = await ws.run(["mirror", `${ws.dir}/src`, ws.bucket, "--exclude", "cache/*"]);
  assertEquals(r.code, 0, r.stderr);
  // As an expression it leaves out data/cached_results.csv too: said, with the way out.
  assertStringIncludes(r.stderr, `--exclude "cache/*" is a regular expression`);
  assertStringIncludes(r.stderr, "--exclude '^cache/.*$'");
});

Deno.test("mirror(): a filter with '/*' is warned through onWarning, once", async () => {
  const { mirror } = await import("../src/mirror/mirror.ts");
  const { storeWith } = await import("./mirror_clash_helpers.ts");
  const { tempDir } = await import("./mirror_helpers.ts");
  await using w = await tempDir();
  await using store = await storeWith({});
  await Deno.mkdir(`${w.dir}/src`);
  const warnings: string[] = [];
  await mirror({
    sources: [`${w.dir}/src`],
    target: store,
    exclude: ["logs/*", "\\.tmp$"],
    statePath: `${w.dir}/s.db`,
    onWarning: (x) => warnings.push(x.message),
  });
  assertEquals(warnings.length, 1, warnings.join("\n"));
  // A script never typed a flag: its option is named, and the expression to pass.
  assertStringIncludes(warnings[0]!, `exclude pattern "logs/*" is a regular expression`);
  assertStringIncludes(warnings[0]!, `write exclude: ["^logs/.*$"]`);
  assertEquals(warnings[0]!.includes("--"), false, warnings[0]);
});

// `aws s3 sync --exclude 'tmp*'` (a glob: names starting with tmp) is a valid
// expression too: `tm` then any number of `p`, anywhere in a key, so vc left
// out site/index.html and system.csv without a word. It is warned, naming the
// expression the glob means, which leaves out what the glob would and no more.
const STAR_CASES: [string, string, string[], string[]][] = [
  ["tmp*", "(^|/)tmp[^/]*$", ["tmp", "tmp.log", "d/tmp.csv"], ["site/index.html", "utmp"]],
  ["temp*", "(^|/)temp[^/]*$", ["temp.csv", "a/temporary"], ["system.csv", "items.txt"]],
  ["report-*.csv", "(^|/)report-[^/]*\\.csv$", ["report-1.csv", "d/report-x.csv"], [
    "report.csv",
    "reportXcsv",
  ]],
];

for (const [glob, re, excluded, kept] of STAR_CASES) {
  Deno.test(`--exclude ${glob} (a glob that is also an expression): warned, naming ${re}`, () => {
    const warnings = globLookalikes([], [glob], FLAG_WORDS);
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, `--exclude ${JSON.stringify(glob)} is a regular expression`);
    assertStringIncludes(warnings[0]!, `--exclude '${re}'`);
    const filter = compileFilter([], [re]);
    for (const key of excluded) assert(!matchesFilter(filter, key), `${re} leaves out ${key}`);
    for (const key of kept) assert(matchesFilter(filter, key), `${re} keeps ${key}`);
  });
}

Deno.test("--filter 'data_*' is warned with its own flag", () => {
  const warnings = globLookalikes(["data_*"], [], FLAG_WORDS);
  assertEquals(warnings.length, 1, warnings.join("\n"));
  assertStringIncludes(warnings[0]!, `--filter '(^|/)data_[^/]*$'`);
});

Deno.test("expressions written as expressions are not taken for globs", () => {
  const patterns = [
    "\\.tmp$",
    "^cache/",
    "^tmp.*",
    "\\.bak[0-9]*$",
    "(a|b)*",
    "^x/y*$",
    "a.*z",
    "^_*x",
  ];
  assertEquals(globLookalikes(patterns, patterns), []);
});

Deno.test("vc mirror --exclude 'tmp*' (aws s3 sync's glob): warned, naming the expression for the glob", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/tmp/scratch.bin", "t");
  await ws.write("src/site/index.html", "h");
  await ws.write("src/notes.txt", "n");
  const r = await ws.run(["mirror", `${ws.dir}/src`, ws.bucket, "--exclude", "tmp*"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, `--exclude "tmp*" is a regular expression`);
  assertStringIncludes(r.stderr, "--exclude '(^|/)tmp[^/]*$'");
});
