/**
 * A word as a shell reads it back, for commands a message suggests: as is
 * when it holds only plain path characters, else single-quoted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellWord } from "./shell_word.ts";
 * assert.equal(shellWord("data/x.csv"), "data/x.csv");
 * assert.equal(shellWord("it's here"), `'it'\\''s here'`);
 * ```
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A command line that gives `lines` to `command` on standard input, one a
 * line, as a message suggests it (each a {@linkcode shellWord}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipedLines } from "./shell_word.ts";
 * assert.equal(
 *   pipedLines(["s3://b/k", "a b"], "vc prefill --list -"),
 *   "printf '%s\\n' s3://b/k 'a b' | vc prefill --list -",
 * );
 * ```
 */
export function pipedLines(lines: readonly string[], command: string): string {
  return `printf '%s\\n' ${lines.map(shellWord).join(" ")} | ${command}`;
}
