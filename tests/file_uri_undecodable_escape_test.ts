// A file URI whose %-escapes decode to no text (`%ED%A0%80`, an encoded
// UTF-16 surrogate; `%FF`) or with a `%` that starts no escape
// (`file:///data/100%.csv`, a file name holding a percent sign) was refused
// as "URI malformed", the parser's words, which named neither the escape
// nor the fix. The message names the escape and says how to write a `%`.
import { InvalidInputError } from "../src/errors.ts";
import { parseUri } from "../src/uri.ts";
import { assert, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("parseUri: a file URI with an escape that decodes to no text names it", () => {
  for (
    const [uri, escape] of [
      ["file:///tmp/d/%ED%A0%80x.csv", "%ED%A0%80"],
      ["file:///tmp/d/a%C3%A9%FF.csv", "%C3%A9%FF"],
    ]
  ) {
    const e = assertThrows(() => parseUri(uri!), InvalidInputError);
    assertStringIncludes(e.message, uri!);
    assertStringIncludes(e.message, `${escape} decodes to no UTF-8 text`);
    assert(!e.message.includes("URI malformed"), e.message);
  }
});

Deno.test("parseUri: a file URI with a bare % says to write it as %25", () => {
  for (const uri of ["file:///tmp/d/100%.csv", "file:///tmp/d/100%zz.csv"]) {
    const e = assertThrows(() => parseUri(uri), InvalidInputError);
    assertStringIncludes(e.message, uri);
    assertStringIncludes(e.message, 'write "%" as %25');
    assert(!e.message.includes("URI malformed"), e.message);
  }
  // Written so, it names the file.
  const parsed = parseUri("file:///tmp/d/100%25.csv");
  assert(
    parsed.scheme === "file" && parsed.path.endsWith("/tmp/d/100%.csv"),
    JSON.stringify(parsed),
  );
});
