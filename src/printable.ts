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
// paragraph separators, a lone UTF-16 surrogate (Cs; no UTF-8 form: it
// would print as U+FFFD, the name of another file), and the noncharacters
// (U+FFFE, U+FFFF, U+FDD0..U+FDEF, the last two of each plane: never text,
// drawn as nothing or as a box a terminal gives any unknown character).
//
// Built on first use: its Unicode classes cost ~0.5 ms of CPU to build in
// a fresh process, and most text (every name of a warm `vc path`) is
// printable ASCII, told apart by `PLAIN` without them.
let control: RegExp | undefined;
const controlChars = (): RegExp =>
  control ??=
    /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u2028\u2029]/gu;

// Printable ASCII (space to `~`): none of the characters above.
const PLAIN = /^[\x20-\x7e]*$/;

// The control-character pattern, reset, when `text` holds one of its
// characters; undefined when it holds none.
function controlIn(text: string): RegExp | undefined {
  if (PLAIN.test(text)) return undefined;
  const pattern = controlChars();
  pattern.lastIndex = 0;
  return pattern.test(text) ? pattern : undefined;
}

// Among those, the ones that shape visible text and are part of real names:
// the zero-width non-joiner and joiner (Persian, the Indic scripts, emoji
// sequences) and the variation selectors (❤️ is U+2764 U+FE0F). They stay as
// they are, so such a name prints as itself (and `vc path` can print it).
const SHAPING = /^[\u200c\u200d\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// The tag characters (U+E0020..U+E007F): printed escaped (they draw as
// nothing on their own), yet part of a real name after a black flag (the
// flags of England, Scotland, Wales), so a new name may hold them.
const TAG_CHARACTER = /^[\u{e0020}-\u{e007f}]$/u;

// The Unicode names of the characters a new name is most often refused for,
// so a message says which one it is.
const CHARACTER_NAMES: Record<number, string> = {
  0x00ad: "SOFT HYPHEN",
  0x034f: "COMBINING GRAPHEME JOINER",
  0x061c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x1160: "HANGUL JUNGSEONG FILLER",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
  0xffa0: "HALFWIDTH HANGUL FILLER",
};

/**
 * A code point as Unicode writes it in prose: `U+` and at least four
 * upper-case hex digits, for the messages that name a character a user
 * cannot see or tell from another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codePointLabel } from "./printable.ts";
 * assert.equal(codePointLabel(0xa0), "U+00A0");
 * assert.equal(codePointLabel(0x1f600), "U+1F600");
 * ```
 */
export function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first character of `text` that a new name must not hold, said as
 * `U+202E RIGHT-TO-LEFT OVERRIDE at index 2` (the index counts characters,
 * code points, from 0), or `undefined` when there is none. These are what
 * {@linkcode printable} escapes, for the same reason: a control character;
 * a character a terminal draws as nothing (a zero-width space, a word
 * joiner, a byte order mark, a soft hyphen), so `a\u200b.csv` lists as
 * `a.csv`; a bidirectional control, which shows `a\u202egnp.exe` as
 * `aexe.png`; a lone UTF-16 surrogate (no UTF-8 form: stored as U+FFFD);
 * a noncharacter (U+FFFE, U+FFFF). The joiners and variation selectors that
 * shape real names (Persian, the Indic scripts, emoji) and the tag
 * characters of flag emoji are allowed. The one list behind every new name
 * vc records (a repository's paths, tags and claim holders, a manifest's
 * paths, a cache service's upload filenames): a name already recorded is
 * still read, and printed escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hiddenCharacter } from "./printable.ts";
 * assert.equal(hiddenCharacter("/a\u202egnp.csv"), "U+202E RIGHT-TO-LEFT OVERRIDE at index 2");
 * assert.equal(hiddenCharacter("\u{1f600}\u200b"), "U+200B ZERO WIDTH SPACE at index 1");
 * assert.equal(hiddenCharacter("a\ud800"), "U+D800 (a lone UTF-16 surrogate) at index 1");
 * assert.equal(hiddenCharacter("x\uffff"), "U+FFFF (a noncharacter) at index 1");
 * assert.equal(hiddenCharacter("\u2764\ufe0f.csv"), undefined); // ❤️
 * assert.equal(hiddenCharacter("caf\u00e9.csv"), undefined);
 * ```
 */
export function hiddenCharacter(text: string): string | undefined {
  const pattern = controlIn(text);
  if (pattern === undefined) return undefined;
  let index = 0;
  for (const c of text) {
    pattern.lastIndex = 0;
    if (pattern.test(c) && !SHAPING.test(c) && !TAG_CHARACTER.test(c)) {
      const code = c.codePointAt(0)!;
      const name = CHARACTER_NAMES[code] ??
        (/\p{Cs}/u.test(c)
          ? "(a lone UTF-16 surrogate)"
          : /\p{Noncharacter_Code_Point}/u.test(c)
          ? "(a noncharacter)"
          : /\p{Cc}/u.test(c)
          ? "(a control character)"
          : "(an invisible format character)");
      return `${codePointLabel(code)} ${name} at index ${index}`;
    }
    index++;
  }
  return undefined;
}

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
  const pattern = controlIn(text);
  if (pattern === undefined) return text;
  return text.replace(pattern, (c) => {
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
  const pattern = controlIn(text);
  if (pattern === undefined) return text;
  // A newline stands only between tokens (the indent's); a string's own is escaped already.
  return text.replace(
    pattern,
    // A character beyond the BMP (a tag) as its two UTF-16 units, as JSON writes it.
    (c) =>
      c === "\n" || SHAPING.test(c)
        ? c
        : [...Array(c.length).keys()].map((i) =>
          `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`
        ).join(""),
  );
}

/** The longest input a message quotes whole (in characters); a longer one is cut. */
export const QUOTE_WHOLE_CHARS = 200;
// What a cut input keeps of each end: its start says what it is, its end
// (an extension, a version) often which one.
const QUOTE_END_CHARS = 40;

/**
 * `text` as an error message quotes what the user gave: in JSON quotes,
 * whole when at most {@linkcode QUOTE_WHOLE_CHARS} characters, else its
 * first and last 40 around a `…`, followed by its full length, so a
 * 20,000-character argument still names itself in a line that can be
 * read. Control characters are left to {@linkcode printable}, which every
 * error message goes through. Cut between characters, never inside one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoted } from "./printable.ts";
 * assert.equal(quoted("day:2026"), '"day:2026"');
 * assert.equal(quoted("a".repeat(20000)), `"${"a".repeat(40)}…${"a".repeat(40)}" (20000 characters)`);
 * assert.equal(quoted("😀".repeat(300)).split("…")[0], '"' + "😀".repeat(40));
 * ```
 */
export function quoted(text: string): string {
  const cut = cutEnds(text);
  return cut === undefined
    ? JSON.stringify(text)
    : `${JSON.stringify(cut.ends)} (${cut.length} characters)`;
}

// `text`'s first and last characters around a `…`, and its length in
// characters; undefined when it is short enough to be shown whole.
function cutEnds(
  text: string,
  whole: number = QUOTE_WHOLE_CHARS,
): { ends: string; length: number } | undefined {
  if (text.length <= whole) return undefined;
  const chars = [...text];
  if (chars.length <= whole) return undefined;
  const ends = chars.slice(0, QUOTE_END_CHARS).join("") + "…" +
    chars.slice(-QUOTE_END_CHARS).join("");
  return { ends, length: chars.length };
}

/**
 * `text` as a message shows an input it does not quote (a path, with the
 * words around it): whole when at most {@linkcode QUOTE_WHOLE_CHARS}
 * characters, else cut as {@linkcode quoted} cuts it, without the quotes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shortened } from "./printable.ts";
 * assert.equal(shortened("/data/a b.csv"), "/data/a b.csv");
 * assert.equal(shortened("a ".repeat(150)), `${"a ".repeat(20)}…${"a ".repeat(20)} (300 characters)`);
 * ```
 */
export function shortened(text: string): string {
  const cut = cutEnds(text);
  return cut === undefined ? text : `${cut.ends} (${cut.length} characters)`;
}

// The longest input a whole message shows uncut: longer than any path
// (PATH_MAX) or S3 key a failure names, which the user needs whole to act
// on; only input no file or key could have (a 20,000-character argument)
// is cut by the message's rule.
const MESSAGE_WHOLE_CHARS = 4096;
// A JSON-quoted string in a message, and a run without spaces, each long
// enough that it may need cutting.
const LONG_QUOTE = new RegExp(`"(?:[^"\\\\]|\\\\.){${MESSAGE_WHOLE_CHARS + 1},}"`, "g");
// A run's trailing `:`, `;` or `,` is the sentence's, not the input's: it
// stays after the cut, and the length counted is the input's.
const LONG_RUN = new RegExp(`\\S{${MESSAGE_WHOLE_CHARS},}[^\\s:;,]`, "gu");
// The paths of an OS error as Deno quotes them (`(os error 36): stat '/a b'`,
// `rename '/a' -> '/b'`): in single quotes, not escaped, spaces and all.
const OS_ERROR_PATH = new RegExp(`'[^'\\n]{${MESSAGE_WHOLE_CHARS + 1},}'`, "g");

/**
 * An error `message` with each input it echoes that is longer than any
 * path or key (over 4096 characters) cut as
 * {@linkcode quoted} cuts it: a quoted string (`"…"`, as
 * `JSON.stringify` wrote it) and any run without spaces (an unquoted
 * argument, a URI), and an OS error's single-quoted path. The one rule behind every message the command line
 * prints, so a message that quotes its input whole still fits a line. An
 * input with spaces that is not quoted is not found here: the message that
 * shows one passes it through {@linkcode shortened}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withLongInputsCut } from "./printable.ts";
 * const long = "x".repeat(20000);
 * assert.equal(
 *   withLongInputsCut(`tag ${JSON.stringify(long)} is invalid`),
 *   `tag "${"x".repeat(40)}…${"x".repeat(40)}" (20000 characters) is invalid`,
 * );
 * assert.match(withLongInputsCut(`bad value ${long}`), /^bad value x{40}…x{40} \(20000 characters\)$/);
 * assert.equal(withLongInputsCut("short \"q\""), "short \"q\"");
 * // A deep path a failure names is shown whole: the user acts on it.
 * const deep = `failed: /data/${"level/".repeat(300)}x.csv`;
 * assert.equal(withLongInputsCut(deep), deep);
 * assert.equal(
 *   withLongInputsCut(`File name too long (os error 36): stat '${"a ".repeat(2500)}'`),
 *   `File name too long (os error 36): stat '${"a ".repeat(20)}…${"a ".repeat(20)}' (5000 characters)`,
 * );
 * ```
 */
export function withLongInputsCut(message: string): string {
  if (message.length <= MESSAGE_WHOLE_CHARS) return message;
  return message
    .replace(LONG_QUOTE, (json) => {
      try {
        return quoted(JSON.parse(json));
      } catch {
        return json; // not JSON's quoting: cut as a run below
      }
    })
    .replace(OS_ERROR_PATH, (path) => {
      // Only in an OS error: elsewhere two apostrophes may stand far apart in prose.
      const cut = /\(os error \d+\)/.test(message) ? cutEnds(path.slice(1, -1)) : undefined;
      return cut === undefined ? path : `'${cut.ends}' (${cut.length} characters)`;
    })
    .replace(LONG_RUN, shortened);
}

/**
 * A name from outside (an object's URI, a key) as a listing or a status
 * line shows it: as it is, or in JSON quotes when it starts or ends with
 * whitespace, which would be invisible there (`s3://b/x ` beside
 * `s3://b/x`: two objects that would print alike, and a copied name that
 * misses the space names the other one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { visibleEnds } from "./printable.ts";
 * assert.equal(visibleEnds("s3://b/x.csv"), "s3://b/x.csv");
 * assert.equal(visibleEnds("s3://b/x "), '"s3://b/x "');
 * ```
 */
export function visibleEnds(name: string): string {
  return /^\s|\s$/u.test(name) ? JSON.stringify(name) : name;
}
