/**
 * Where things are in a JSON text, for messages that point a person at a
 * line and column of a file they edit (manifests, lock files, settings):
 * the first syntax error, and a key given twice in one object (which
 * `JSON.parse` takes silently, keeping the last).
 *
 * @module
 */
import { codePointLabel, hiddenCharacter } from "./printable.ts";

/**
 * The 1-based line and column of `offset` in `text`, where a line ends in
 * LF, CRLF or a lone CR (a classic Mac OS editor's), as an editor counts them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineColumn } from "./json_text.ts";
 * assert.deepEqual(lineColumn('{\n  "a": 1\n}', 4), { line: 2, column: 3 });
 * assert.deepEqual(lineColumn('{\r  "a": 1\r}', 4), { line: 2, column: 3 });
 * ```
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split(LINE_BREAK).length;
  return {
    line,
    column: offset - Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")),
  };
}

/** A line break: CRLF, a lone CR or LF. */
export const LINE_BREAK = /\r\n?|\n/;

/**
 * The line and column of the syntax error `JSON.parse(text)` failed with
 * (`message`). V8's messages do not always carry a position ("Unexpected
 * token '\n', ... is not valid JSON"), so then the offset of the first error
 * is found by a small JSON scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonErrorPosition } from "./json_text.ts";
 * const text = '{"a": 1,\n "b": }';
 * let message = "";
 * try {
 *   JSON.parse(text);
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * assert.deepEqual(jsonErrorPosition(text, message), { line: 2, column: 7 });
 * ```
 */
export function jsonErrorPosition(
  text: string,
  message: string,
): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  return lineColumn(text, pos ? Number(pos[1]) : jsonErrorOffset(text));
}

/**
 * `JSON.parse`'s reason on one line (without V8's "at position N (line L
 * column C)" when `withoutPosition`, for a caller that names the line and
 * column itself). V8 quotes the start of the text ("Unexpected
 * token 'h', "hello\nworld" is not valid JSON"), newlines included, and vc
 * prints only an error's first line: the quote was cut at the file's first
 * line end, leaving an open quote and no "is not valid JSON".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonErrorReason } from "./json_text.ts";
 * assert(jsonErrorReason('Unexpected token \'h\', "hi\r\nx" is not valid JSON')
 *   === 'Unexpected token \'h\', "hi\\r\\nx" is not valid JSON');
 * // A caller that gives the line and column itself drops V8's position.
 * assert.equal(
 *   jsonErrorReason("Expected ',' or '}' after property value in JSON at position 9 (line 1 column 10)", { withoutPosition: true }),
 *   "Expected ',' or '}' after property value",
 * );
 * ```
 */
export function jsonErrorReason(
  message: string,
  options: { withoutPosition?: boolean } = {},
): string {
  const oneLine = message.replaceAll("\r", "\\r").replaceAll("\n", "\\n");
  // "... in JSON at position 35 (line 3 column 17)": said once, by the caller.
  return options.withoutPosition ? oneLine.replace(V8_POSITION, "") : oneLine;
}

/**
 * The one message for a JSON text that does not parse: `invalid JSON in WHAT
 * at line L, column C: REASON`, the position said once (V8's own "at
 * position N (line L column C)" dropped). `what` names the input ("config
 * file /c.json", "manifest m.json"); `error` is what `JSON.parse(text)` threw.
 * A text with merge conflict marker lines (`<<<<<<< HEAD`, `=======`, ...)
 * is said to be half merged, every marker line named, with `conflictHint`
 * (how to resolve this kind of file); markers left without their
 * `<<<<<<<` line (a conflict resolved halfway) are named as such.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonSyntaxMessage } from "./json_text.ts";
 * const text = '{\n  "a": 1 "b": 2\n}';
 * let error: unknown;
 * try {
 *   JSON.parse(text);
 * } catch (e) {
 *   error = e;
 * }
 * const message = jsonSyntaxMessage("manifest m.json", text, error);
 * assert(message.startsWith("invalid JSON in manifest m.json at line 2, column 10: "), message);
 * assert(!message.includes("position"), message);
 * // A comma after the last entry is named where it is.
 * assert.equal(
 *   jsonSyntaxMessage("manifest m.json", '{\n  "a": 1,\n}', new SyntaxError("x")),
 *   "invalid JSON in manifest m.json at line 2, column 9: a comma after the last entry " +
 *     "(JSON allows none there); delete it",
 * );
 * // A comma missing at a line's end is named there, not at the next line.
 * assert.equal(
 *   jsonSyntaxMessage("manifest m.json", '{\n  "a": 1\n  "b": 2\n}', new SyntaxError("x")),
 *   "invalid JSON in manifest m.json at line 2, column 9: a comma is missing at the end of " +
 *     "this line, before the entry on line 3 (JSON needs one between entries); add it",
 * );
 * // An empty file is named as one, with what it holds when it has no entries.
 * assert.equal(
 *   jsonSyntaxMessage("manifest m.json", "", new SyntaxError("x")),
 *   "invalid JSON in manifest m.json: the file is empty; a JSON file holds one value (no entries: {})",
 * );
 * // A comment is named as one (JSON has none).
 * assert.equal(
 *   jsonSyntaxMessage("manifest m.json", '{\n  // data\n  "a": 1\n}', new SyntaxError("x")),
 *   "invalid JSON in manifest m.json at line 2, column 3: a comment (JSON allows none); delete it",
 * );
 * // A file git left half merged says so, at its first conflict marker, naming them all.
 * const merged = '{\n<<<<<<< HEAD\n  "a": 1\n=======\n  "a": 2\n>>>>>>> main\n}\n';
 * assert.equal(
 *   jsonSyntaxMessage("manifest m.json", merged, new SyntaxError("x"), "keep one version per path"),
 *   "invalid JSON in manifest m.json at line 2, column 1: an unresolved merge conflict " +
 *     "(conflict marker lines 2, 4, 6); resolve it and delete the conflict markers " +
 *     "(keep one version per path)",
 * );
 * ```
 */
export function jsonSyntaxMessage(
  what: string,
  text: string,
  error: unknown,
  conflictHint?: string,
): string {
  if (text.trim() === "") {
    // V8 says "Unexpected end of JSON input" at line 1, column 1: not that
    // the file has nothing in it (`touch m.json`, a truncated write), nor
    // what an empty one holds.
    return `invalid JSON in ${what}: the file is ${
      text === "" ? "empty" : "blank (only whitespace)"
    }; a JSON file holds one value (no entries: {})`;
  }
  const markers = mergeConflictMarkers(text);
  if (markers.length > 0) {
    // A `git merge` of two branches that both changed the file (two people
    // adding entries): V8's "Expected property name" at the marker does not
    // say that the file is half merged, nor what to do about it. Every marker
    // line is named, so none is left in a long file; a file with no
    // `<<<<<<<` line was resolved halfway, its other markers left behind.
    const first = markers[0]!.line;
    const hint = conflictHint ? ` (${conflictHint})` : "";
    const opened = markers.filter((m) => m.marker === "<<<<<<<").length;
    if (opened === 0) {
      return `invalid JSON in ${what} at line ${first}, column 1: ${
        markers.length === 1 ? "a merge conflict marker" : "merge conflict markers"
      } left from a conflict resolved halfway (${
        listMarkers(markers.map((m) => `"${m.marker}" at line ${m.line}`))
      }); check that the lines of both sides are merged as meant and delete ${
        markers.length === 1 ? "it" : "them"
      }${hint}`;
    }
    return `invalid JSON in ${what} at line ${first}, column 1: ${
      opened === 1 ? "an unresolved merge conflict" : `${opened} unresolved merge conflicts`
    } (conflict marker lines ${listMarkers(markers.map((m) => String(m.line)))}); resolve ${
      opened === 1 ? "it" : "them"
    } and delete the conflict markers${hint}`;
  }
  const unclosed = unclosedString(text);
  if (unclosed !== undefined) {
    // A line break inside a string: its closing quote was forgotten (`"1.0.1`
    // at a line's end). Named at the opening quote, not as an "invisible
    // character" at the line break, whose deletion would fix nothing.
    const at = lineColumn(text, unclosed);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: a string that is ` +
      `not closed: the " here has no closing " before the end of its line; add one`;
  }
  const missing = missingComma(text);
  if (missing !== undefined) {
    // A line added without a comma after the line above: V8 names the start
    // of the new line ("Expected ',' or '}' after property value"), which
    // is right; the line to fix is the one above it.
    const at = lineColumn(text, missing.offset);
    const next = lineColumn(text, missing.next).line;
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: a comma is missing ` +
      `at the end of this line, before the entry on line ${next} (JSON needs one between ` +
      "entries); add it";
  }
  const version = unquotedVersion(text);
  if (version !== undefined) {
    // `"/a.csv": 1.0.1`: V8 reads the number 1.0 and says "Expected ',' or
    // '}' after property value" at the second dot.
    const at = lineColumn(text, version.offset);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: ${version.token} ` +
      `is not a JSON value: a version is a string; write ${JSON.stringify(version.token)}`;
  }
  const comma = trailingComma(text);
  if (comma !== undefined) {
    // V8 says "Expected double-quoted property name" at the closing brace,
    // a line below the comma a hand edit left after the last entry.
    const at = lineColumn(text, comma);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: a comma after the ` +
      "last entry (JSON allows none there); delete it";
  }
  const comment = commentAt(text);
  if (comment !== undefined) {
    // V8 says "Expected property name or '}'" at the `//`: nothing says that
    // JSON has no comments, which an editor's JSONC mode lets one type.
    const at = lineColumn(text, comment);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: a comment ` +
      "(JSON allows none); delete it";
  }
  const lookalike = lookalikeAt(text);
  if (lookalike !== undefined) {
    // V8 says "Expected property name or '}'" (or "Unexpected token" with the
    // character itself, which prints as nothing) where the user sees a space
    // or a quote: a no-break space pasted from a web page, "smart quotes".
    const at = lineColumn(text, lookalike.offset);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: ${lookalike.what}`;
  }
  const after = textAfterValue(text);
  if (after !== undefined) {
    // V8 says "Unexpected non-whitespace character after JSON": two files
    // pasted together, or an entry added as a second object after the first.
    const at = lineColumn(text, after);
    return `invalid JSON in ${what} at line ${at.line}, column ${at.column}: ` +
      (/^[[{"\-0-9tfn]/.test(text.slice(after))
        ? "more than one JSON value (a second one starts here; a file holds one value: merge " +
          "the two into one, or delete one)"
        : "text after the JSON value (a file holds one value); delete it");
  }
  const message = error instanceof Error ? error.message : String(error);
  const { line, column } = jsonErrorPosition(text, message);
  return `invalid JSON in ${what} at line ${line}, column ${column}: ${
    jsonErrorReason(message, { withoutPosition: true })
  }`;
}

/**
 * The offset of the comma before a closing `}` or `]` where `text` first
 * stops being JSON (`{"a": 1,}`), if that is why.
 */
function trailingComma(text: string): number | undefined {
  const offset = jsonErrorOffset(text);
  if (text[offset] !== "}" && text[offset] !== "]") return undefined;
  let i = offset - 1;
  while (i >= 0 && " \t\n\r".includes(text[i]!)) i--;
  return text[i] === "," ? i : undefined;
}

// Spaces JSON does not take for one, by name (the invisible ones are named
// by `hiddenCharacter`).
const SPACE_NAMES: Record<number, string> = {
  0x00a0: "NO-BREAK SPACE",
  0x2007: "FIGURE SPACE",
  0x202f: "NARROW NO-BREAK SPACE",
  0x3000: "IDEOGRAPHIC SPACE",
};

/**
 * Where `text` first stops being JSON when a character that looks like one
 * of JSON's own stands there (a space or line break JSON does not take, an
 * invisible one, a typographic or single quote), with what to say of it.
 */
function lookalikeAt(text: string): { offset: number; what: string } | undefined {
  const offset = jsonErrorOffset(text);
  const code = text.codePointAt(offset);
  const what = code === undefined ? undefined : lookalikeProblem(code);
  return what === undefined ? undefined : { offset, what };
}

/** What to say of the character `code` where JSON stopped, if it looks like one of JSON's own. */
function lookalikeProblem(code: number): string | undefined {
  const c = String.fromCodePoint(code);
  const label = codePointLabel(code);
  if (c === "'") return `a single quote ('): JSON writes names and strings in double quotes (")`;
  if (/[\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a]/.test(c)) {
    return `a typographic quote ${c} (${label}, as "smart quotes" type it) where JSON needs a ` +
      `straight double quote ("); type it again as "`;
  }
  // hiddenCharacter names the character with its index in the text given: here, one character.
  const hidden = hiddenCharacter(c)?.replace(/ at index 0$/, "");
  const name = SPACE_NAMES[code] !== undefined ? `${label} ${SPACE_NAMES[code]}` : hidden;
  if (name === undefined && !/\s/u.test(c)) return undefined;
  return `an invisible or look-alike character ${name ?? label} (pasted from a web page, a ` +
    `chat or another editor?) where JSON takes only spaces, tabs and line breaks; ${
      /\p{Zs}/u.test(c)
        ? "replace it with a space"
        : /[\p{Zl}\p{Zp}]/u.test(c)
        ? "replace it with a line break"
        : "delete it"
    }`;
}

/** The offset of what follows a whole JSON value in `text`, if that is where it stops being JSON. */
function textAfterValue(text: string): number | undefined {
  const { offset, afterValue } = jsonScan(text);
  return afterValue && offset < text.length ? offset : undefined;
}

/**
 * The offset of the opening quote of a string that a line break interrupts,
 * where `text` first stops being JSON, if that is why.
 */
function unclosedString(text: string): number | undefined {
  const { offset, stringStart } = jsonScan(text);
  return stringStart !== undefined && (text[offset] === "\n" || text[offset] === "\r")
    ? stringStart
    : undefined;
}

/**
 * Where a comma is missing between two members on different lines (the
 * offset just after the first one's value) and where the next one starts,
 * if that is why `text` first stops being JSON.
 */
function missingComma(text: string): { offset: number; next: number } | undefined {
  const { offset, expectedComma } = jsonScan(text);
  // The next member starts here: a key, or an array's value.
  if (!expectedComma || !/^["{\[\-0-9tfn]/.test(text.slice(offset, offset + 1))) return undefined;
  let end = offset;
  while (end > 0 && " \t\n\r".includes(text[end - 1]!)) end--;
  return /[\r\n]/.test(text.slice(end, offset)) ? { offset: end, next: offset } : undefined;
}

/**
 * A version written without quotes (`1.0.1`, `2.0.0-rc.1`), where `text`
 * first stops being JSON (JSON reads its `1.0` as a number), with where it
 * starts, if that is why.
 */
function unquotedVersion(text: string): { offset: number; token: string } | undefined {
  const { offset, expectedComma } = jsonScan(text);
  if (!expectedComma || text[offset] !== ".") return undefined;
  let start = offset;
  while (start > 0 && /[0-9.]/.test(text[start - 1]!)) start--;
  const token = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?/.exec(
    text.slice(start, start + 256),
  )?.[0];
  return token === undefined ? undefined : { offset: start, token };
}

/** The offset of a `//` or `/*` comment where `text` first stops being JSON, if that is why. */
function commentAt(text: string): number | undefined {
  const offset = jsonErrorOffset(text);
  return text.startsWith("//", offset) || text.startsWith("/*", offset) ? offset : undefined;
}

/**
 * The merge conflict marker lines git, hg or diff3 leave in a file
 * (`<<<<<<< HEAD`, `||||||| base`, `=======`, `>>>>>>> feature`), each with
 * its 1-based line, in order. Such a line is never valid JSON (none of `<`,
 * `|`, `=`, `>` can start a value, and a string cannot span lines), so a
 * text that failed to parse and has one is a (half) merged file.
 */
function mergeConflictMarkers(text: string): { marker: string; line: number }[] {
  const found: { marker: string; line: number }[] = [];
  text.split(LINE_BREAK).forEach((line, i) => {
    const m = /^(<{7}|\|{7}|>{7})(?:[ \t].*)?\r?$|^(={7})\r?$/.exec(line);
    if (m) found.push({ marker: (m[1] ?? m[2])!, line: i + 1 });
  });
  return found;
}

/** Up to 20 items joined with commas, then how many more. */
function listMarkers(items: string[]): string {
  const shown = items.slice(0, 20).join(", ");
  return items.length > 20 ? `${shown} and ${items.length - 20} more` : shown;
}

const V8_POSITION = /(?: in JSON)? at position \d+(?: \(line \d+ column \d+\))?$/;

/** Offset of the first JSON syntax error in `text` (its length when the text ends early). */
function jsonErrorOffset(text: string): number {
  return jsonScan(text).offset;
}

/**
 * Offset of the first JSON syntax error in `text` (its length when the text
 * ends early), and whether it comes after a whole value (`afterValue`).
 */
function jsonScan(
  text: string,
): { offset: number; afterValue: boolean; stringStart?: number; expectedComma?: boolean } {
  let i = 0;
  // Where the string being read opened (a failure inside it is inside a
  // string), and whether the failure is where a `,` (or the closer) was due.
  let stringStart: number | undefined;
  let expectedComma = false;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const c of word) if (text[i++] !== c) (i--, fail());
  };
  const string = () => {
    stringStart = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
    stringStart = undefined;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const key = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
  };
  // A loop with its own stack of open containers, not recursion: a text
  // nested 200,000 deep (a truncated manifest) overflowed the call stack,
  // and the error message became "internal error: RangeError".
  const value = (): void => {
    const open: string[] = []; // the closer each open container expects
    for (;;) {
      ws();
      const c = text[i];
      if (c === "{" || c === "[") {
        i++;
        ws();
        const closer = c === "{" ? "}" : "]";
        if (text[i] !== closer) {
          open.push(closer);
          if (c === "{") key();
          continue;
        }
        i++;
      } else if (c === '"') string();
      else if (c === "t") literal("true");
      else if (c === "f") literal("false");
      else if (c === "n") literal("null");
      else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
      else fail();
      // A value is complete: close containers, or go on to the next member.
      for (;;) {
        const closer = open.at(-1);
        if (closer === undefined) return;
        ws();
        if (text[i] === ",") {
          i++;
          if (closer === "}") key();
          break;
        }
        if (text[i] !== closer) (expectedComma = true, fail());
        i++;
        open.pop();
      }
    }
  };
  try {
    value();
    ws();
    return { offset: i < text.length ? i : text.length, afterValue: true };
  } catch (offset) {
    if (typeof offset === "number") {
      return {
        offset: Math.min(offset, text.length),
        afterValue: false,
        ...(stringStart === undefined ? {} : { stringStart }),
        ...(expectedComma ? { expectedComma } : {}),
      };
    }
    throw offset;
  }
}

/**
 * The first key that appears twice in one object of `text` (valid JSON, at
 * any depth), with its offset, or `undefined`. `JSON.parse` keeps the last of
 * two such keys without a word, so a file could show a reader one value and
 * mean another. With `under`, only the top-level key `under` given twice and
 * keys twice inside its value count (a `deno.json`'s `"vc"` block: the rest
 * of that file is Deno's). With `keyOf`, two keys count as one when it
 * maps them to the same name (a manifest's `a.csv` and `/a.csv`); the one
 * returned is the second as written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { duplicateKey } from "./json_text.ts";
 * assert.deepEqual(duplicateKey('{"a": {"x": 1}, "b": {"x": 2, "x": 3}}'), { key: "x", offset: 30, firstOffset: 22 });
 * assert.equal(duplicateKey('{"a": "a", "b": ["a", "a"]}'), undefined);
 * // Only what is under "vc":
 * assert.equal(duplicateKey('{"t": {"x": 1, "x": 2}, "vc": {"x": 1}}', { under: "vc" }), undefined);
 * assert.deepEqual(duplicateKey('{"vc": {"x": 1, "x": 2}}', { under: "vc" }), { key: "x", offset: 16, firstOffset: 8 });
 * // Two spellings of one name:
 * assert.deepEqual(duplicateKey('{"/a": 1, "a": 2}', { keyOf: (k) => k.replace(/^\//, "") }), { key: "a", offset: 10, firstOffset: 1 });
 * ```
 */
export function duplicateKey(
  text: string,
  options: { under?: string; keyOf?: (key: string) => string } = {},
): { key: string; offset: number; firstOffset: number } | undefined {
  const under = options.under;
  const keyOf = options.keyOf ?? ((key: string) => key);
  // One entry per open object (its keys, each with the offset where it first
  // appears, and the last one, whose value may open next) or array (no keys);
  // `counts`: whether its keys are checked.
  const open: { keys: Map<string, number> | undefined; last?: string; counts: boolean }[] = [];
  const opening = (keys: Map<string, number> | undefined) => {
    const parent = open[open.length - 1];
    const counts = parent === undefined
      ? under === undefined
      : parent.counts || (open.length === 1 && parent.last === under);
    open.push({ keys, counts });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") opening(new Map());
    else if (c === "[") opening(undefined);
    else if (c === "}" || c === "]") open.pop();
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = open[open.length - 1];
      let next = end + 1;
      while (next < text.length && " \t\r\n".includes(text[next]!)) next++;
      if (top?.keys !== undefined && text[next] === ":") {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const counts = top.counts || (open.length === 1 && key === under);
        const first = top.keys.get(keyOf(key));
        if (counts && first !== undefined) return { key, offset: i, firstOffset: first };
        top.keys.set(keyOf(key), i);
        top.last = key;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * {@linkcode duplicateKey} with its place as the 1-based line and column a
 * message names it by (`file:3:5`), the line where the key first appears
 * (`firstLine`), and both offsets; or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { duplicateKeyAt } from "./json_text.ts";
 * const twice = duplicateKeyAt('{\n  "a": 1,\n  "a": 2\n}');
 * assert.equal(twice?.key, "a");
 * assert.deepEqual([twice?.line, twice?.column, twice?.firstLine], [3, 3, 2]);
 * assert.equal(duplicateKeyAt('{"a": 1}'), undefined);
 * ```
 */
export function duplicateKeyAt(
  text: string,
  options: { under?: string; keyOf?: (key: string) => string } = {},
):
  | {
    key: string;
    line: number;
    column: number;
    firstLine: number;
    offset: number;
    firstOffset: number;
  }
  | undefined {
  const twice = duplicateKey(text, options);
  if (twice === undefined) return undefined;
  return {
    ...twice,
    ...lineColumn(text, twice.offset),
    firstLine: lineColumn(text, twice.firstOffset).line,
  };
}
