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
 * ```
 */
export function jsoncToJson(text: string): string {
  return dropTrailingCommas(dropComments(text));
}

function dropComments(text: string): string {
  let out = "";
  let i = 0;
  // Each step consumes at least one character.
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
      out += " ";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function dropTrailingCommas(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === ",") {
      const next = /\S/.exec(text.slice(i + 1))?.[0];
      if (next === "}" || next === "]") {
        i++;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** The offset just past the string starting at `start` (a `"`), or the end. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  return Math.min(j + 1, text.length);
}
