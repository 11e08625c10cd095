/**
 * Manifest values that are almost versions: named as such, never taken for
 * a local override path that "does not exist".
 */
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseManifest } from "../src/versioned/manifest.ts";

for (const value of ["1.0.0 ", " 1.2.5", "\t2.0.0", "1.0.0\n"]) {
  Deno.test(`a version with spaces around it (${JSON.stringify(value)}) is named as such`, () => {
    const error = assertThrows(
      () => parseManifest(JSON.stringify({ "/a.txt": value }), "m.json"),
      InvalidInputError,
    );
    assertStringIncludes(error.message, "m.json");
    assertStringIncludes(error.message, "spaces around the version");
  });
}
