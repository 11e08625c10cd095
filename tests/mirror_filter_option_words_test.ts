/**
 * A script calling `mirror()` gives `filter` / `exclude` options, never
 * `--filter` / `--exclude` flags; the errors and warnings on its patterns
 * named the flags (and said to write `--exclude '\.swp$'`, a shell word a
 * script cannot paste). They now name the option and the JavaScript string
 * to pass, while `vc mirror` still names its flags.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { mirror } from "../src/mirror/mod.ts";
import { compileFilter, globLookalikes, matchesFilter } from "../src/mirror/keys.ts";
import { InvalidInputError } from "../src/errors.ts";
import { flagWorded } from "../src/cli/mirror_flag_words.ts";
import { tempDir } from "./mirror_helpers.ts";

/** The string after `write exclude: [` in `message`, as the script would pass it. */
function suggestedOption(message: string): string {
  const m = /write exclude: \[("(?:[^"\\]|\\.)*")\]/.exec(message);
  assert(m !== null, message);
  return JSON.parse(m[1]!);
}

Deno.test("mirror({ exclude: ['*.swp'] }): the error names the exclude option and the string to pass", async () => {
  await using w = await tempDir();
  await Deno.mkdir(`${w.dir}/src`);
  const e = await assertRejects(
    () =>
      mirror({
        sources: [`${w.dir}/src`],
        target: `file://${w.dir}/bucket`,
        exclude: ["*.swp"],
        statePath: `${w.dir}/s.db`,
      }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, `exclude pattern "*.swp" is not a valid regular expression`);
  assertStringIncludes(e.message, "the filter and exclude options take regular expressions");
  assertEquals(e.message.includes("--"), false, e.message);
  // What it says to pass leaves out what the glob would.
  const filter = compileFilter([], [suggestedOption(e.message)]);
  assert(!matchesFilter(filter, "d/a.swp"));
  assert(matchesFilter(filter, "d/a.swpx"));
});

Deno.test("mirror({ filter: ['(a+)+$'] }): the nested repeat is refused naming the filter option", () => {
  let message = "";
  try {
    compileFilter(["(a+)+$"], []);
  } catch (e) {
    message = (e as Error).message;
  }
  assertStringIncludes(message, `filter pattern "(a+)+$" repeats a group`);
  assertStringIncludes(message, `the same keys as filter: ["a+$"]`);
  assertEquals(message.includes("--"), false, message);
});

Deno.test("a glob-like exclude warns with the option, and the string it names works", () => {
  const [warning] = globLookalikes([], ["tmp*"]);
  assert(warning !== undefined);
  assertStringIncludes(warning, `exclude pattern "tmp*" is a regular expression`);
  const filter = compileFilter([], [suggestedOption(warning)]);
  assert(!matchesFilter(filter, "a/tmp.log"));
  assert(matchesFilter(filter, "site/index.html"));
});

Deno.test("vc mirror's warnings: the library's pattern warnings are said with the flags, others untouched", () => {
  const say = flagWorded(["data_*"], ["cache/*"]);
  const [onFilter, onExclude] = globLookalikes(["data_*"], ["cache/*"]);
  assertStringIncludes(say(onFilter!), `--filter "data_*" is a regular expression`);
  assertStringIncludes(say(onFilter!), `--filter '(^|/)data_[^/]*$'`);
  assertStringIncludes(say(onExclude!), `--exclude '^cache/.*$'`);
  assertEquals(say("something else: exclude pattern"), "something else: exclude pattern");
});
