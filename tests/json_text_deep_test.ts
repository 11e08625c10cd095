/**
 * A JSON text nested very deep whose error V8 gives without a position (a
 * truncated manifest: "Unexpected end of JSON input") overflowed the stack
 * of the scanner that finds the position: vc said "internal error:
 * RangeError: Maximum call stack size exceeded". Now the scanner is a loop.
 */
import { jsonErrorPosition, jsonSyntaxMessage } from "../src/json_text.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { parseError } from "./json_parse_error.ts";

Deno.test("a truncated text nested 200,000 deep gets a position, not a stack overflow", () => {
  const text = '{"/a":' + "[".repeat(200_000);
  const message = jsonSyntaxMessage("manifest m.json", text, parseError(text));
  assertStringIncludes(
    message,
    `invalid JSON in manifest m.json at line 1, column ${text.length + 1}`,
  );
});

Deno.test("the scanner still finds errors inside objects and arrays", () => {
  assertEquals(jsonErrorPosition('{"a": [1, 2,, 3]}', ""), { line: 1, column: 13 });
  assertEquals(jsonErrorPosition('{"a": {"b": 1,}}', ""), { line: 1, column: 15 });
  assertEquals(jsonErrorPosition('{"a": {"b" 1}}', ""), { line: 1, column: 12 });
  assertEquals(jsonErrorPosition("[[1], [2] [3]]", ""), { line: 1, column: 11 });
  assertEquals(jsonErrorPosition('{"a": [{}, []], "b": {}} x', ""), { line: 1, column: 26 });
});
