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
