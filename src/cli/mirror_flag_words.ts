/**
 * How `vc mirror`'s messages name a filter pattern: by its flag (`--exclude
 * "*.swp"`, `--exclude '\.swp$'`), where the library names its option; and
 * the library's warnings about patterns, said again in these words.
 *
 * @module
 */
import { globLookalikes, type PatternWords } from "../mirror/keys.ts";

/**
 * {@linkcode PatternWords} of the command line: `--filter` and `--exclude`,
 * an expression quoted for a shell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FLAG_WORDS } from "./mirror_flag_words.ts";
 * assert.equal(FLAG_WORDS.write("exclude", "\\.swp$"), "--exclude '\\.swp$'");
 * ```
 */
export const FLAG_WORDS: PatternWords = {
  given: (list, text) => `--${list} ${JSON.stringify(text)}`,
  write: (list, re) => `--${list} '${re}'`,
  both: "--filter and --exclude",
};

/**
 * A mirror warning as the command line says it: one of the library's
 * warnings about the patterns `filter` / `exclude` (which name the options)
 * becomes the same warning naming the flags; any other is returned as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globLookalikes } from "../mirror/keys.ts";
 * import { flagWorded } from "./mirror_flag_words.ts";
 * const say = flagWorded([], ["tmp*"]);
 * assert.match(say(globLookalikes([], ["tmp*"])[0]!), /^--exclude "tmp\*"/);
 * assert.equal(say("other"), "other");
 * ```
 */
export function flagWorded(
  filter: readonly string[] = [],
  exclude: readonly string[] = [],
): (warning: string) => string {
  const flagged = globLookalikes(filter, exclude, FLAG_WORDS);
  const library = new Map(globLookalikes(filter, exclude).map((w, i) => [w, flagged[i]!]));
  return (warning) => library.get(warning) ?? warning;
}
