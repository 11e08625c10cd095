/**
 * A lock file with a key that is no "/path@version" entry at all (a
 * `"version": 2` or `"$schema"` of another format or of a newer vc, or
 * `--lock` naming another tool's JSON file such as a package-lock.json) was
 * refused as a malformed entry, `entry "version" must be
 * "/path@MAJOR.MINOR.PATCH"`, which sends the user to fix an entry that is
 * no entry. It is now said to be no lock entry, with the likely causes:
 * `--lock` / `VC_LOCK` naming another file, or a newer vc's format.
 */
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("a lock file key with no @version is said to be no lock entry", () => {
  for (const key of ["version", "$schema", "lockfileVersion"]) {
    const error = assertThrows(
      () => parseLockFile(`{${JSON.stringify(key)}: 2}`, "/repo/v.lock.json"),
      InvalidInputError,
    );
    assertStringIncludes(
      error.message,
      `lock file /repo/v.lock.json: ${JSON.stringify(key)} is not a lock entry ` +
        `("/path@MAJOR.MINOR.PATCH")`,
    );
    assertStringIncludes(error.message, "the lock option / VC_LOCK");
    assertStringIncludes(error.message, "a newer vc");
  }
});

Deno.test("a lock entry with a bad version is still named as such", () => {
  const error = assertThrows(
    () => parseLockFile('{"/a.csv@1.0": {"size": 1, "sha256": "x"}}', "l.json"),
    InvalidInputError,
  );
  assertStringIncludes(error.message, 'entry "/a.csv@1.0" must be "/path@MAJOR.MINOR.PATCH"');
});
