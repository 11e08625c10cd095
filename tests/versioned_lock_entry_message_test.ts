/**
 * A malformed lock file entry is refused naming the field at fault and what
 * it holds, not only the shape an entry must have: a hand edit's `"size": "6"`
 * or a truncated hash is found from the message alone.
 */
import { assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";

const HASH = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

Deno.test("a malformed lock entry's error names the field at fault", () => {
  const cases: Array<[unknown, string]> = [
    [1, "it is 1"],
    [null, "it is null"],
    [[6, HASH], "it is an array"],
    [{ sha256: HASH }, "its size is missing"],
    [{ size: "6", sha256: HASH }, 'its size is "6", not a whole number of bytes'],
    [{ size: -1, sha256: HASH }, "its size is -1, not a whole number of bytes"],
    [{ size: 6.5, sha256: HASH }, "its size is 6.5, not a whole number of bytes"],
    [{ size: 6 }, "its sha256 is missing"],
    [{ size: 6, sha256: "ZZ" }, 'its sha256 is "ZZ", not 64 hex digits'],
    [{ size: 6, sha256: 5 }, "its sha256 is 5, not 64 hex digits"],
  ];
  for (const [value, why] of cases) {
    assertThrows(
      () => parseLockFile(JSON.stringify({ "/a.csv@1.0.0": value }), "l.lock.json"),
      InvalidInputError,
      `lock file l.lock.json: entry "/a.csv@1.0.0" must be {"size": BYTES, "sha256": ` +
        `"64 hex digits"}: ${why}`,
    );
  }
});

Deno.test("a lock file that is no object says what it is", () => {
  for (const [text, what] of [["[]", "an array"], ["null", "null"], ['"x"', "string"]]) {
    assertThrows(
      () => parseLockFile(text as string, "l.lock.json"),
      InvalidInputError,
      `lock file l.lock.json must be a JSON object of "/path@version" entries, got ${what}`,
    );
  }
});
