/**
 * A command a message suggests names the key it is about: a key holding a
 * control or invisible character (another tool wrote it to the store) is
 * written as a shell's `$'…'` word, which is inert on a terminal and reads
 * back as that key, not single-quoted, where the escape `printable` then
 * writes in it would name another key (`'a\x1b'` is the four characters
 * `\x1b`).
 */
import { assert, assertEquals } from "./assert.ts";
import { shellWord } from "../src/shell_word.ts";
import { printable } from "../src/printable.ts";
import { checkLines } from "../src/cli/check_lines.ts";
import type { CheckReport } from "../src/repo/check.ts";

const HOSTILE_KEYS = [
  "content/88/evil\x1b]0;PWNED\x07.csv",
  "content/zz/cr\rFAKE.csv",
  "content/nl\nx y.csv",
  "content/aa/bidi\u202egnp.csv",
  "content/zw\u200bx's\\n.csv",
  "content/c1\x9b2J.csv",
  "content/\u{e0041}tag.csv",
];

// What bash reads the word back as, byte for byte.
async function bashReads(word: string): Promise<string> {
  const got = await new Deno.Command("bash", {
    args: ["-c", `printf %s ${word}`],
    env: { LC_ALL: "C.UTF-8" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(got.success, new TextDecoder().decode(got.stderr));
  return new TextDecoder().decode(got.stdout);
}

const noBash = Deno.build.os === "windows" ||
  !(await new Deno.Command("bash", { args: ["-c", "true"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false));

Deno.test("shellWord of a key with a control or invisible character is inert and exact", {
  ignore: noBash, // needs bash to read the word back
}, async () => {
  for (const key of HOSTILE_KEYS) {
    const word = shellWord(key);
    // Inert as it is: a message printed through printable() shows it unchanged.
    assertEquals(printable(word), word, `shellWord(${JSON.stringify(key)})`);
    assertEquals(await bashReads(word), key, `shellWord(${JSON.stringify(key)}) = ${word}`);
  }
  // Plain words keep their short forms.
  assertEquals(shellWord("data/x.csv"), "data/x.csv");
  assertEquals(shellWord("a b.csv"), "'a b.csv'");
  assertEquals(await bashReads(shellWord("it's\\here")), "it's\\here");
});

Deno.test("repo check's suggested adopt names the orphan's own key", {
  ignore: noBash, // needs bash to read the word back
}, async () => {
  const key = "content/88/evil\x1b]0;PWNED\x07.csv";
  const report: CheckReport = {
    records: 0,
    problems: [],
    orphans: [{ key, size: 1, lastModified: "2026-01-01T00:00:00.000Z" }],
    recentOrphans: [],
    unchecked: [],
    removedTemps: [],
    pendingUploads: [],
    ok: false,
  };
  const line = printable(checkLines(report, "7d").join("\n"));
  const m = /vc repo adopt (.+) PATH\)/.exec(line);
  assert(m !== null, line);
  assertEquals(await bashReads(m[1]!), key, line);
});
