/**
 * An unknown one-letter flag got the first short flag one edit away as its
 * "did you mean", and every letter is one edit from every other: `vc cache
 * get -i` suggested `-q` (--quiet). Only real guesses now: the same letter
 * in the other case, or the one long flag the letter starts.
 */
import { parseCommandArgs } from "../src/cli/args.ts";
import { UsageError } from "../src/cli/errors.ts";
import { assert, assertEquals } from "./assert.ts";

const spec = {
  command: "cache get",
  options: { immutable: { type: "boolean" as const, description: "never revalidate" } },
  positionals: ["URI"],
  required: 1,
};

function hintFor(flag: string): string | undefined {
  try {
    parseCommandArgs(["s3://b/k", flag], spec);
  } catch (e) {
    assert(e instanceof UsageError, String(e));
    assertEquals(e.message, `unknown flag ${flag} for "cache get"`);
    return e.hint;
  }
  throw new Error(`${flag} was accepted`);
}

Deno.test("unknown short flag: no unrelated one-letter guess", () => {
  // No flag is guessed; only the way to pass a name that starts with "-".
  assertEquals(hintFor("-x"), 'if "-x" is a name, put it after "--": vc cache get … -- -x');
  assertEquals(hintFor("-z"), 'if "-z" is a name, put it after "--": vc cache get … -- -z');
});

Deno.test("unknown short flag: the other case, or the one long flag it starts", () => {
  assertEquals(hintFor("-Q"), "did you mean -q?");
  assertEquals(hintFor("-i"), "did you mean --immutable?");
  // Long flags keep their edit-distance guess.
  assertEquals(hintFor("--imutable"), "did you mean --immutable?");
});
