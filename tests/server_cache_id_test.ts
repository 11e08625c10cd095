/**
 * Cache IDs match the KBase server's: the test vector, and Python's
 * `json.dumps(sort_keys=True)` output (expected strings produced by CPython 3).
 */
import { cacheId, isCacheId } from "../src/server/cache_id.ts";
import { dumpPyJson, JsonSyntaxError, parsePyJson } from "../src/server/python_json.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

Deno.test("cache id: the KBase test vector", () => {
  assertEquals(
    cacheId("http://auth:5000:username", parsePyJson('{"xyz": 123}')),
    "4b573346e9f80b83f4045e7586df5a49d28175247af57be3d92aa3518a9cdaf6e48e31ca78dbfb250cc8b1cb47abe9e92baba070fcdda728ec4f607372de2708",
  );
  // Whitespace and key order of the request do not matter.
  assertEquals(
    cacheId("http://auth:5000:username", parsePyJson('{ "xyz" :123 }')),
    cacheId("http://auth:5000:username", parsePyJson('{"xyz": 123}')),
  );
  assert(isCacheId(cacheId("t", parsePyJson("{}"))));
});

// Each pair: input JSON → what CPython's json.dumps(json.loads(x), sort_keys=True) prints.
const PYTHON_CASES: [string, string][] = [
  ['{"b":1,"a":[1,2,{"d":null,"c":true}]}', '{"a": [1, 2, {"c": true, "d": null}], "b": 1}'],
  ['{"x":"é ü 日本 😀"}', '{"x": "\\u00e9 \\u00fc \\u65e5\\u672c \\ud83d\\ude00"}'],
  [
    '{"s":"q\\"b\\\\s\\/n\\n\\t\\r\\b\\f\\u0001\\u007f"}',
    '{"s": "q\\"b\\\\s/n\\n\\t\\r\\b\\f\\u0001\\u007f"}',
  ],
  [
    '{"n":[1.50,-0,1E3,1e16,1.5e-7,0.0001,123456789012345678901234567890,-0.0,1e400]}',
    '{"n": [1.5, 0, 1000.0, 1e+16, 1.5e-07, 0.0001, 123456789012345678901234567890, -0.0, Infinity]}',
  ],
  [
    '{"n":[3.14,1e15,2.5E+2,100.0,1e-4,1e-5]}',
    '{"n": [3.14, 1000000000000000.0, 250.0, 100.0, 0.0001, 1e-05]}',
  ],
  // Code point order: U+FF61 sorts before U+1F600 (UTF-16 order would put the emoji first).
  [
    '{"\\uff61":1,"\\ud83d\\ude00":2,"B":3,"a":4}',
    '{"B": 3, "a": 4, "\\uff61": 1, "\\ud83d\\ude00": 2}',
  ],
  ['{"a":1,"a":2}', '{"a": 2}'],
  // json.loads takes NaN and the infinities as constants; json.dumps writes them back.
  ['{"a": NaN, "b": [Infinity, -Infinity]}', '{"a": NaN, "b": [Infinity, -Infinity]}'],
  ['{"e":{},"l":[]}', '{"e": {}, "l": []}'],
  ['{"lone":"\\ud800"}', '{"lone": "\\ud800"}'],
];

Deno.test("python json: dumps like CPython json.dumps(sort_keys=True)", () => {
  for (const [input, expected] of PYTHON_CASES) {
    assertEquals(dumpPyJson(parsePyJson(input)), expected, input);
  }
});

Deno.test("python json: malformed input is a JsonSyntaxError", () => {
  for (
    const bad of [
      "",
      "{",
      '{"a":}',
      "[1,]",
      '{"a":1}x',
      "01",
      "nan",
      "-NaN",
      "infinity",
      '{"a":"\\x"}',
      "'a'",
    ]
  ) {
    assertThrows(() => parsePyJson(bad), JsonSyntaxError);
  }
});
