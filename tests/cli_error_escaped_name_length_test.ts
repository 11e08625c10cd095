/**
 * The command line prints an error's message with its control characters
 * escaped and any input over 4096 characters cut to its ends and its
 * length, counted in the characters given. Once a `VcError` escaped its own
 * message, the cut saw the escapes: a 1,107-character path of C1 controls
 * (`\x85`, four characters each shown) printed as
 * `no file /d/\x85…\x8 \…\x85.csv (4407 characters)`, cut mid-escape and
 * its length four times what it is, where it was printed whole.
 */
import { errorMessage } from "../src/cli/errors.ts";
import { NotFoundError } from "../mod.ts";
import { printable } from "../src/printable.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("vc error line: a name of escapes under the cut's length is printed whole", () => {
  const name = `/d/${"\u0085".repeat(1100)}.csv`;
  assertEquals(errorMessage(new NotFoundError(`no file ${name}`)), `no file ${printable(name)}`);
});

Deno.test("vc error line: a long name of escapes is cut counting its own characters", () => {
  const name = `/d/${"\u0085".repeat(5000)}.csv`;
  const line = errorMessage(new NotFoundError(`no file ${name}`));
  assert(line.endsWith(`.csv (${name.length} characters)`), line);
  assert(!line.includes("\u0085"), line);
});
