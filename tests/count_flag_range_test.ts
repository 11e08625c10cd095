/**
 * A count flag without an upper bound (`vc repo ls --limit N`) given a whole
 * number too large to hold exactly (past 2^53 - 1, as a user asking for
 * "all, newest first" may type) was refused as if it were no whole number
 * at all ("must be a whole number 1 or more, got \"99999999999999999999\""):
 * the message now names the largest accepted.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { countFlag, UsageError } from "../src/cli/errors.ts";

Deno.test("countFlag: a whole number past the largest exact one names the largest accepted", () => {
  const error = assertThrows(
    () => countFlag("99999999999999999999", "--limit", "repo ls", Infinity),
    UsageError,
  );
  assertEquals(
    error.message,
    '--limit must be a whole number from 1 to 9007199254740991, got "99999999999999999999"',
  );
  assertEquals(countFlag("9007199254740991", "--limit", "repo ls", Infinity), 9007199254740991);
  // Malformed text keeps the open-ended wording.
  assertThrows(
    () => countFlag("abc", "--limit", "repo ls", Infinity),
    UsageError,
    '--limit must be a whole number 1 or more, got "abc"',
  );
});
