/**
 * JSONC (JSON with comments, as in `deno.jsonc`) to plain JSON, so the `"vc"`
 * block of a project whose Deno config is a `deno.jsonc` can be read with
 * `JSON.parse`: `//` and `/* *\/` comments and trailing commas are dropped,
 * string contents (a URI's `//`) are kept as they are.
 *
 * @module
 */

/**
 * `text` without comments and trailing commas (outside strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsoncToJson } from "./jsonc.ts";
 * const text = '{\n  // c\n  "b": "s3://x", /* d *\/ "t": [1,],\n}';
 * assert.deepEqual(JSON.parse(jsoncToJson(text)), { b: "s3://x", t: [1] });
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
      return nl === -1 ? text.length : nl;
    }
    if (text[i] === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      keep(" ");
      return end === -1 ? text.length : end + 2;
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
      if (CLOSER_AHEAD.test(text)) return i + 1;
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
