import { printable } from "./printable.ts";

/**
 * A word as a shell reads it back, for commands a message suggests: as is
 * when it holds only plain path characters (and starts with neither `~` nor
 * `=`, which a shell expands), else single-quoted; one holding
 * a character {@linkcode printable} escapes (a key another tool wrote with an
 * ESC, a newline, a bidirectional override) as a `$'…'` word of bash, zsh
 * and ksh, with that character as an escape: inert on a terminal, and read
 * back as the word itself. Single-quoted, such a character would reach the
 * terminal, or, once the message is made printable, the `\x1b` printed in
 * it would name another word (four characters in single quotes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellWord } from "./shell_word.ts";
 * assert.equal(shellWord("data/x.csv"), "data/x.csv");
 * assert.equal(shellWord("it's here"), `'it'\\''s here'`);
 * assert.equal(shellWord("~/x.csv"), "'~/x.csv'");
 * assert.equal(shellWord("a\x1b[2J'\u202e.csv"), "$'a\\x1b[2J\\'\\u202e.csv'");
 * ```
 */
export function shellWord(word: string): string {
  // Bare but for a leading `~` (bash expands `~/x`, `~backup/x` to a home
  // directory) or `=` (zsh expands `=ls` to the command's path).
  if (/^[\w@%+:,./-][\w@%+=:,./~-]*$/.test(word)) return word;
  if (printable(word) === word) return `'${word.replaceAll("'", `'\\''`)}'`;
  let escaped = "";
  for (const c of word) {
    if (c === "\\" || c === "'") escaped += `\\${c}`;
    else if (printable(c) === c) escaped += c;
    else escaped += ANSI_C_NAMED[c] ?? ansiCode(c.codePointAt(0)!);
  }
  return `$'${escaped}'`;
}

const ANSI_C_NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// A character in a `$'…'` word: `\xHH` only below 0x80 (a higher one is that
// byte, not the character's UTF-8), `\uHHHH`, or `\UHHHHHHHH` past the BMP.
function ansiCode(code: number): string {
  const hex = code.toString(16);
  return code < 0x80
    ? `\\x${hex.padStart(2, "0")}`
    : code <= 0xffff
    ? `\\u${hex.padStart(4, "0")}`
    : `\\U${hex.padStart(8, "0")}`;
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
