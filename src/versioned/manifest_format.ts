/**
 * The manifest's text layout, kept across rewrites so vc and baiji-pod do
 * not churn each other's files.
 *
 * baiji-pod (Python's `json.dump(sort_keys=True, indent=4)`) writes keys
 * sorted by code point, non-ASCII characters as `\uXXXX` escapes and no
 * final newline; vc's own new files are sorted the same way but keep UTF-8
 * as it is and end with a newline. A rewrite keeps the style of the file it
 * rewrites ({@linkcode detectManifestStyle}) and, when the file has one entry
 * per line, changes exactly the lines of the entries that changed
 * ({@linkcode editManifestText}).
 *
 * @module
 */
import { compareUtf8 } from "../utf8.ts";
import type { ManifestEntries } from "./manifest.ts";

/** How a manifest file is written. */
export interface ManifestStyle {
  /** Indentation: 1 to 8 spaces, or a tab. */
  indent: string;
  /** Write non-ASCII characters as `\uXXXX` escapes (baiji-pod) instead of UTF-8. */
  escapeNonAscii: boolean;
  /** End the file with a line break (vc) or not (baiji-pod). */
  finalNewline: boolean;
  /** Line break: `\n`, or `\r\n` or `\r` for a file written that way. */
  eol: string;
}

/** vc's style for new files: 4 spaces, UTF-8, final newline. */
export const VC_STYLE: Readonly<ManifestStyle> = Object.freeze({
  indent: "    ",
  escapeNonAscii: false,
  finalNewline: true,
  eol: "\n",
});

/**
 * The style of an existing manifest's text. Non-ASCII escaping is taken from
 * the file when it shows it (a `\uXXXX` escape of a non-ASCII character, or
 * raw non-ASCII text); a file that shows neither counts as baiji-pod's when
 * it has no final newline (baiji-pod's signature), else as vc's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectManifestStyle } from "./manifest_format.ts";
 * const s = detectManifestStyle('{\n    "/caf\\u00e9.csv": "1.0.0"\n}');
 * assert(s.escapeNonAscii && !s.finalNewline && s.indent === "    ");
 * ```
 */
export function detectManifestStyle(withMark: string): ManifestStyle {
  const text = withoutByteOrderMark(withMark);
  // The first entry's indentation, past blank lines and trailing spaces after `{`.
  const indent = /^\{[ \t]*(?:\r\n?|\n)(?:[ \t]*(?:\r\n?|\n))*( {1,8}|\t)"/.exec(text)?.[1] ??
    VC_STYLE.indent;
  const finalNewline = text === "" || /[\r\n]$/.test(text);
  const escaped =
    /\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})/
      .test(text);
  const raw = /[\u0080-\uffff]/.test(text);
  const escapeNonAscii = escaped || (!raw && !finalNewline);
  // The file's usual line break: a file with a stray line of the other kind
  // (one pasted in) keeps its own.
  // A lone CR is a classic Mac OS editor's.
  const counts = { "\n": 0, "\r\n": 0, "\r": 0 };
  for (const [eol] of text.matchAll(/\r\n?|\n/g)) counts[eol as keyof typeof counts]++;
  const eol = counts["\r"] > Math.max(counts["\n"], counts["\r\n"])
    ? "\r"
    : counts["\r\n"] > counts["\n"]
    ? "\r\n"
    : "\n";
  return { indent, escapeNonAscii, finalNewline, eol };
}

const BYTE_ORDER_MARK = "\ufeff";

function withoutByteOrderMark(text: string): string {
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
}

/**
 * A JSON string literal for `value`, with non-ASCII characters as lowercase
 * `\uXXXX` escapes (surrogate pairs beyond the BMP) when asked, as Python's
 * `json` writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonString } from "./manifest_format.ts";
 * assert.equal(jsonString("/café.csv", true), '"/caf\\u00e9.csv"');
 * assert.equal(jsonString("/café.csv", false), '"/café.csv"');
 * ```
 */
export function jsonString(value: string, escapeNonAscii: boolean): string {
  const json = JSON.stringify(value);
  if (!escapeNonAscii) return json;
  return json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The whole manifest text for `entries` (already validated and normalized)
 * in `style`, keys sorted by code point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderManifest, VC_STYLE } from "./manifest_format.ts";
 * assert.equal(renderManifest({ "/b": "1.0.0", "/a": "2.0.0" }, VC_STYLE),
 *   '{\n    "/a": "2.0.0",\n    "/b": "1.0.0"\n}\n');
 * ```
 */
export function renderManifest(entries: Readonly<ManifestEntries>, style: ManifestStyle): string {
  const keys = Object.keys(entries).sort(compareUtf8);
  const end = style.finalNewline ? style.eol : "";
  if (keys.length === 0) return `{}${end}`;
  const lines = keys.map((k) =>
    `${style.indent}${jsonString(k, style.escapeNonAscii)}: ${
      jsonString(entries[k] as string, style.escapeNonAscii)
    }`
  );
  return `{${style.eol}${lines.join(`,${style.eol}`)}${style.eol}}${end}`;
}

// One entry on its own line: indent, key, colon, value, optional comma.
// Spaces after the comma only when there is one: `(\s*)(,?)(\s*)$` split a
// run of spaces before no comma at every point, and a line that failed
// tried them all (quadratic in the run: some twenty minutes for a megabyte).
const ENTRY_LINE = /^(\s*)("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*")(\s*)(,?)((?<=,)\s*|)$/;

/**
 * Rewrites `text` (whose entries, normalized, are `before`) to hold `after`,
 * changing only the lines of entries that were added, removed or changed;
 * every other line stays byte for byte, with its own line break, and a
 * leading byte order mark stays. New entries go where code-point order puts
 * them, ending in the file's usual line break. Falls back to
 * {@linkcode renderManifest} in the file's style when the file is not one
 * entry per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { editManifestText } from "./manifest_format.ts";
 * const text = '{\n    "b.csv": "1.0.0",\n    "/c.csv": "2.0.0"\n}';
 * const out = editManifestText(text, { "/b.csv": "1.0.0", "/c.csv": "2.0.0" },
 *   { "/b.csv": "1.0.1", "/c.csv": "2.0.0" });
 * assert.equal(out, '{\n    "b.csv": "1.0.1",\n    "/c.csv": "2.0.0"\n}');
 * ```
 */
export function editManifestText(
  text: string,
  before: Readonly<ManifestEntries>,
  after: Readonly<ManifestEntries>,
  normalize: (key: string) => string = (k) => (k.startsWith("/") ? k : `/${k}`),
): string {
  // Windows editors save UTF-8 with a byte order mark; it is the file's, not vc's, to drop.
  const mark = text.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK : "";
  return mark + editEntryLines(text.slice(mark.length), before, after, normalize);
}

function editEntryLines(
  text: string,
  before: Readonly<ManifestEntries>,
  after: Readonly<ManifestEntries>,
  normalize: (key: string) => string,
): string {
  const style = detectManifestStyle(text);
  const fallback = () => renderManifest(after, style);
  // Each line with the break that ends it ("" for the last): a file with
  // mixed line breaks keeps them, line by line.
  const pieces = text.split(/(\r\n?|\n)/);
  const lines: string[] = [];
  const breaks: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    lines.push(pieces[i] as string);
    breaks.push(pieces[i + 1] ?? "");
  }
  const whole = (i: number) => `${lines[i]}${breaks[i]}`;
  // Expect "{", entry lines, "}", and optionally one empty string after a final newline.
  // Blank lines after the `}` (an editor's extra newline) stay as they are.
  let closing = lines.length - 1;
  while (closing > 0 && lines[closing]?.trim() === "") closing--;
  if (lines[0]?.trim() !== "{" || lines[closing]?.trim() !== "}") return fallback();
  // Blank lines (a hand-edited file's groups) stay before the entry they
  // preceded; each line here is whole, its line break included.
  type Line = { key: string; parts: string[]; eol: string; blanks: string[] };
  const body: Line[] = [];
  let blanks: string[] = [];
  for (let i = 1; i < closing; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") {
      blanks.push(whole(i));
      continue;
    }
    const m = ENTRY_LINE.exec(line);
    if (m === null) return fallback();
    body.push({
      key: normalize(JSON.parse(m[2] as string) as string),
      parts: m.slice(1),
      eol: breaks[i] as string,
      blanks,
    });
    blanks = [];
  }
  const trailingBlanks = blanks;
  if (body.length !== Object.keys(before).length) return fallback();
  // The separator after a value on non-last lines (",", or Python 2's ", ").
  const sample = body.length > 1 ? body[0]?.parts : undefined;
  const comma = sample ? `${sample[4]}${sample[5]}${sample[6]}` : ",";
  const colon = body[0]?.parts[2] ?? ": ";
  const out: Line[] = [];
  let carried: string[] = [];
  for (const line of body) {
    const value = after[line.key];
    if (value === undefined) {
      // Removed; the blank lines before it stay, before the next line.
      carried.push(...line.blanks);
      continue;
    }
    const kept = carried.length === 0 ? line : { ...line, blanks: [...carried, ...line.blanks] };
    carried = [];
    if (value !== before[line.key]) {
      const parts = [...kept.parts];
      parts[3] = jsonString(value, style.escapeNonAscii);
      out.push({ ...kept, parts });
    } else {
      out.push(kept);
    }
  }
  for (const key of Object.keys(after).filter((k) => before[k] === undefined).sort(compareUtf8)) {
    const parts = [
      style.indent,
      jsonString(key, style.escapeNonAscii),
      colon,
      jsonString(after[key] as string, style.escapeNonAscii),
      "",
      "",
      "",
    ];
    // Before the blank lines of the entry it precedes: in the group of the entry above it.
    const at = out.findIndex((l) => compareUtf8(l.key, key) > 0);
    out.splice(at === -1 ? out.length : at, 0, { key, parts, eol: style.eol, blanks: [] });
  }
  if (out.length === 0) return `{}${style.finalNewline ? style.eol : ""}`;
  const rendered = out.map((line, i) => {
    const p = line.parts;
    const isLast = i === out.length - 1;
    const hadComma = p[5] === ",";
    // Keep a line as it was unless its comma must change.
    const entry = hadComma !== isLast
      ? p.join("")
      : `${p[0]}${p[1]}${p[2]}${p[3]}${isLast ? "" : comma}`;
    return `${line.blanks.join("")}${entry}${line.eol}`;
  });
  const end = lines.slice(closing).map((_, i) => whole(closing + i));
  return [whole(0), ...rendered, ...carried, ...trailingBlanks, ...end].join("");
}
