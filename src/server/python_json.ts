/**
 * JSON exactly as the KBase file cache server sees it: a parser that keeps
 * each number's lexeme (`JSON.parse` turns `1.50` and `1.5` into the same
 * number and loses digits of big integers), and a serializer that writes
 * what Python's `json.dumps(value, sort_keys=True)` writes, so cache IDs
 * computed here match the IDs of existing deployments.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { describeValue, requireString } from "../options_check.ts";

/** A parsed JSON value; numbers keep their lexeme. */
export type PyJson =
  | null
  | boolean
  | string
  | PyNumber
  | PyJson[]
  | { readonly kind: "object"; readonly entries: Map<string, PyJson> };

/** A JSON number as written in the source text. */
export interface PyNumber {
  /** Discriminator. */
  readonly kind: "number";
  /** The number exactly as sent, e.g. `"1.50"` or `"-0"`. */
  readonly lexeme: string;
}

/**
 * Thrown for text that is not JSON; the message names the offset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonSyntaxError, parsePyJson } from "./python_json.ts";
 * assert.throws(() => parsePyJson('{"a":'), JsonSyntaxError);
 * ```
 */
export class JsonSyntaxError extends SyntaxError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const MAX_DEPTH = 512;

/**
 * Parses JSON text, keeping number lexemes. Duplicate object keys keep the
 * last value, and `NaN`, `Infinity` and `-Infinity` are numbers, as Python's
 * `json.loads` has them. Throws {@linkcode JsonSyntaxError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePyJson } from "./python_json.ts";
 * const v = parsePyJson('{"a": 1.50}');
 * assert(typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "object");
 * assert.deepEqual(v.entries.get("a"), { kind: "number", lexeme: "1.50" });
 * ```
 */
export function parsePyJson(text: string): PyJson {
  requireString("parsePyJson(): the text", text);
  let i = 0;
  const fail = (what: string): never => {
    // Text cut off (or empty) is said so, not blamed on a character that is
    // not there: `{"a":` was "unexpected character at offset 5".
    const at = i >= text.length ? `the end of the text (offset ${i}): cut off?` : `offset ${i}`;
    throw new JsonSyntaxError(`${what} at ${at}`);
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const str = (): string => {
    i++; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
        // Lone surrogates stay as they are, like Python's str.
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        fail("bad escape");
      }
      start = i;
    }
  };
  const value = (depth: number): PyJson => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries = new Map<string, PyJson>();
      ws();
      if (text[i] === "}") {
        i++;
        return { kind: "object", entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const key = str();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        entries.delete(key); // last one wins
        entries.set(key, value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { kind: "object", entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const items: PyJson[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return items;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    // Python's json.loads takes these constants too (and json.dumps writes them).
    for (const word of ["NaN", "Infinity", "-Infinity"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { kind: "number", lexeme: word };
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail(i >= text.length ? "expected a value" : "unexpected character");
    i += m[0].length;
    return { kind: "number", lexeme: m[0] };
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail("trailing characters");
  return result;
}

/** Code point order, as Python compares `str` (JS `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
};

/** Python's `json.dumps` string with `ensure_ascii=True`. */
function dumpString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c >= 0x20 && c <= 0x7e) out += s[k];
    // UTF-16 units: an astral character becomes its surrogate pair, as in Python.
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  return out + '"';
}

/**
 * What Python prints for the number: integers keep their digits (`-0` is
 * `0`), other numbers are Python floats printed by `repr` (`1.50` → `1.5`,
 * `1E3` → `1000.0`, `1e16` → `1e+16`, overflow → `Infinity`).
 */
function dumpNumber(lexeme: string): string {
  if (/^-?[0-9]+$/.test(lexeme)) return lexeme === "-0" ? "0" : lexeme;
  const x = Number(lexeme);
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without digits gives the shortest round-trip digits,
  // the same digits Python's repr picks.
  const [mantissa, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac === "" ? "0" : frac}`;
  }
  const rest = digits.slice(1);
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${sign}${digits[0]}${rest === "" ? "" : "." + rest}e${e}`;
}

/**
 * Serializes like Python's `json.dumps(value, sort_keys=True)`: separators
 * `", "` and `": "`, keys in code point order, non-ASCII as `\uXXXX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dumpPyJson, parsePyJson } from "./python_json.ts";
 * assert.equal(dumpPyJson(parsePyJson('{"b":[1,2.50],"a":"é"}')), '{"a": "\\u00e9", "b": [1, 2.5]}');
 * ```
 */
export function dumpPyJson(value: PyJson): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return dumpString(value);
  if (Array.isArray(value)) return `[${value.map(dumpPyJson).join(", ")}]`;
  // A plain JavaScript value (`{ a: 1 }`, `42`) is not a parsed body: it
  // has no lexemes to keep, so say what to pass instead of a TypeError.
  if (typeof value !== "object" || value === undefined) throw notPyJson(value);
  if (value.kind === "number" && typeof value.lexeme === "string") {
    return dumpNumber(value.lexeme);
  }
  if (value.kind !== "object" || !(value.entries instanceof Map)) throw notPyJson(value);
  const keys = [...value.entries.keys()].sort(compareCodePoints);
  return `{${
    keys.map((k) => `${dumpString(k)}: ${dumpPyJson(value.entries.get(k)!)}`).join(", ")
  }}`;
}

function notPyJson(value: unknown): InvalidInputError {
  return new InvalidInputError(
    `not a parsed JSON body: ${describeValue(value)}; pass parsePyJson(text) ` +
      "(or parsePyJson(JSON.stringify(value)))",
  );
}
