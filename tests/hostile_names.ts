/**
 * One battery of hostile names for every entry point that takes a name from
 * outside (an S3 key, a manifest or repository path, a tag, a snapshot's
 * path, an uploaded file's name), and the checks every such entry point
 * must pass: a refusal names its input, nothing raw reaches a terminal
 * line, and a name with whitespace at an end never prints as its twin.
 */
import { inertJson, printable } from "../src/printable.ts";
import { escapedUnicode } from "../src/unicode_spelling.ts";

/**
 * Traversal, absolute and Windows forms, device names, NUL, terminal
 * escapes and line breaks, trailing dot and space, a 300-byte name, a path
 * of about 5000 bytes (100-byte names, so no one name is too long),
 * percent escapes, a right-to-left override, NFC/NFD twins, an empty and a
 * `.` segment, their lookalike and other-spelling forms, and one plain name.
 */
export const HOSTILE_NAMES: readonly string[] = [
  "..",
  "a/../../b",
  "/abs",
  "C:\\x",
  "C:x",
  "\\\\?\\C:\\x",
  "\\\\server\\share",
  "a\\b.csv",
  "CON",
  "nul.txt",
  "COM1.tar.gz",
  "a\0b",
  "a\x1b[31mred\x1b[0m.csv",
  "a\nb.csv",
  "a\rb.csv",
  "a\x07b",
  "a\x9bb.csv",
  "trail.",
  "trail ",
  "x".repeat(300),
  `${"y".repeat(100)}/`.repeat(49) + "z",
  "%2e%2e%2fetc",
  "a\u202egnp.csv",
  "caf\u00e9.csv",
  "cafe\u0301.csv",
  "a//b",
  ".",
  // The other shapes of the same attacks: separators and dots that only
  // look like them (fullwidth, division slash), escapes a second decoding
  // would turn into `../`, Windows names in their other spellings (a space
  // before the dot, a superscript digit, an alternate data stream, an 8.3
  // short name), a key past S3's 1024 bytes, a lone surrogate (no UTF-8
  // form), an OSC title sequence, a C1 line break, a zero-width space, the
  // Unicode line separator, and
  // whitespace at the end that is not ASCII.
  "\uff0e\uff0e/x",
  "\uff0e\uff0e\uff0fx",
  "a\u2215..\u2215b",
  "%252e%252e%252fetc",
  "CON .txt",
  "COM\u00b9",
  "a.txt:x",
  "PROGRA~1",
  `${"s".repeat(200)}/`.repeat(6) + "z",
  "a\ud800b",
  "\x1b]0;title\x07x",
  "a\u0085b",
  "a\u200bb",
  "a\u2028b.csv",
  "nbsp\u00a0",
  "ok.csv",
];

/**
 * What a terminal would act on or show as something else: C0 controls but
 * the newline that ends a line, DEL, C1 controls (U+009B starts an escape
 * sequence on some terminals), the bidirectional controls, and the line and
 * paragraph separators (U+2028, U+2029: some terminals break the line there).
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** The first raw control character of `text` (see `RAW`) as `U+XXXX at i`, or undefined. */
export function rawControl(text: string): string | undefined {
  const m = RAW.exec(text);
  return m === null
    ? undefined
    : `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at ${m.index}`;
}

/**
 * Whether `out` names `name`: whole, escaped as a terminal line, JSON (inert
 * or not) or a Unicode spelling note shows it, or (a long one, cut) by its
 * first 30 characters.
 */
export function namesInput(out: string, name: string): boolean {
  const forms = [
    name,
    printable(name),
    JSON.stringify(name).slice(1, -1),
    inertJson(name).slice(1, -1),
    escapedUnicode(name),
  ];
  return forms.some((f) =>
    out.includes(f) || (f.length > 200 && out.includes(f.replace(/^\//, "").slice(0, 30)))
  );
}

/** A short label of `name` for assertion messages. */
export function label(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 40)}… (${name.length})` : name);
}
