/**
 * Names from outside (object keys from a store, file names from a disk)
 * printed on a terminal or into a log line: a control character in one (an
 * ESC that starts a terminal sequence, a newline that fakes a line of
 * output, a bidirectional override that reorders what is shown) is shown
 * as an escape instead of acting; so is an invisible format character (a
 * zero-width space, a direction mark, a byte order mark, a tag character:
 * `a\u200b.csv` would print as `a.csv`, one name passing for another) and
 * the line and paragraph separators some terminals break the line at
 * (not the joiners and variation selectors that shape real names). JSON
 * escapes only the C0 controls: JSON
 * meant to be read on a terminal (a service's log lines) goes through
 * {@linkcode inertJson} for the rest.
 *
 * @module
 */

// C0 controls, DEL, C1 controls (Cc), the format characters (Cf: the
// bidirectional embedding, override and isolate controls and marks, the
// zero-width characters, the BOM, the soft hyphen, the tags), the other
// characters a terminal draws as nothing (Unicode's default-ignorable code
// points: the Hangul fillers, variation selectors), the line and
// paragraph separators, and a lone UTF-16 surrogate (Cs; no UTF-8 form: it
// would print as U+FFFD, the name of another file).
const CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

// Among those, the ones that shape visible text and are part of real names:
// the zero-width non-joiner and joiner (Persian, the Indic scripts, emoji
// sequences) and the variation selectors (❤️ is U+2764 U+FE0F). They stay as
// they are, so such a name prints as itself (and `vc path` can print it).
const SHAPING = /^[\u200c\u200d\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with each control character written as an escape (`\n`, `\x1b`,
 * `\u202e`), so it prints as one inert line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./printable.ts";
 * assert.equal(printable("a.csv"), "a.csv");
 * assert.equal(printable("evil\x1b[2Jname"), "evil\\x1b[2Jname");
 * assert.equal(printable("fake\nupload  passwd"), "fake\\nupload  passwd");
 * assert.equal(printable("txt.\u202eexe"), "txt.\\u202eexe");
 * assert.equal(printable("a\u200b.csv"), "a\\u200b.csv");
 * ```
 */
export function printable(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    if (SHAPING.test(c)) return c;
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
    return `\\u{${code.toString(16)}}`;
  });
}

/**
 * `JSON.stringify(value)` with the controls that JSON leaves as they are
 * (DEL, the C1 controls, among them U+009B, which some terminals take as
 * the start of an escape sequence, and the bidirectional controls) written
 * as `\uXXXX`: the same JSON value, inert on a terminal. Such characters
 * can only stand inside a JSON string, where `\uXXXX` means the same.
 * `indent`: as `JSON.stringify`'s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inertJson } from "./printable.ts";
 * const text = inertJson({ id: "a\u202egnp.exe\x9b2J" });
 * assert.equal(text, '{"id":"a\\u202egnp.exe\\u009b2J"}');
 * assert.equal(JSON.parse(text).id, "a\u202egnp.exe\x9b2J");
 * assert.equal(inertJson({ a: 1 }, 2), '{\n  "a": 1\n}');
 * ```
 */
export function inertJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  // A newline stands only between tokens (the indent's); a string's own is escaped already.
  return text.replace(
    CONTROL,
    // A character beyond the BMP (a tag) as its two UTF-16 units, as JSON writes it.
    (c) =>
      c === "\n" || SHAPING.test(c)
        ? c
        : [...Array(c.length).keys()].map((i) =>
          `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`
        ).join(""),
  );
}
