/**
 * JSONC (JSON with comments, as in `deno.jsonc`) to plain JSON, so the `"vc"`
 * block of a project whose Deno config is a `deno.jsonc` can be read with
 * `JSON.parse`: `//` and `/* *\/` comments and trailing commas become spaces,
 * string contents (a URI's `//`) are kept as they are.
 *
 * @module
 */

/**
 * `text` with comments and trailing commas (outside strings) turned into
 * spaces, so every line and column of the result is that of `text` (a JSON
 * error's position points into the file as the user wrote it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsoncToJson } from "./jsonc.ts";
 * const text = '{\n  // c\n  "b": "s3://x", /* d *\/ "t": [1,],\n}';
 * assert.deepEqual(JSON.parse(jsoncToJson(text)), { b: "s3://x", t: [1] });
 * assert.equal(jsoncToJson(text).length, text.length);
 * // Inside strings nothing is a comment or a trailing comma.
 * assert.equal(jsoncToJson('["a,]", "/*x*\/", "// y"]'), '["a,]", "/*x*\/", "// y"]');
 * ```
 */
export function jsoncToJson(text: string): string {
  return dropTrailingCommas(dropComments(text));
}

function dropComments(text: string): string {
  return mapOutsideStrings(text, (i, keep) => {
    if (text[i] === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      const end = nl === -1 ? text.length : nl;
      keep(blank(text.slice(i, end)));
      return end;
    }
    if (text[i] === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close === -1 ? text.length : close + 2;
      keep(blank(text.slice(i, end)));
      return end;
    }
    keep(text[i]!);
    return i + 1;
  });
}

// Whitespace, then the end of an object or array: what makes a comma trailing.
const CLOSER_AHEAD = /\s*[}\]]/y;

function dropTrailingCommas(text: string): string {
  return mapOutsideStrings(text, (i, keep) => {
    if (text[i] === ",") {
      CLOSER_AHEAD.lastIndex = i + 1;
      if (CLOSER_AHEAD.test(text)) return (keep(" "), i + 1);
    }
    keep(text[i]!);
    return i + 1;
  });
}

/**
 * `text` with its strings copied as they are and every other character
 * handed to `other`, which keeps what it keeps and returns the offset to go
 * on from (past the character at least).
 */
// A comment as spaces, its line ends kept: every offset (line, column) of
// the text stays where it was, for error messages that point into the file.
function blank(comment: string): string {
  return comment.replace(/[^\r\n]/g, " ");
}

function mapOutsideStrings(
  text: string,
  other: (i: number, keep: (part: string) => void) => number,
): string {
  const parts: string[] = [];
  const keep = (part: string) => void parts.push(part);
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const end = stringEnd(text, i);
      keep(text.slice(i, end));
      i = end;
    } else i = other(i, keep);
  }
  return parts.join("");
}

/** The offset just past the string starting at `start` (a `"`), or the end. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return Math.min(j + 1, text.length);
}
