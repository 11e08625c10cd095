import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { nextVersion } from "../src/versioned/mod.ts";

// A bump past a part of 2^53 − 1 said only "cannot increment the major
// version of 9007199254740991.0.0": not why, nor what would still publish.
Deno.test("nextVersion(): a part at its largest is named, with the bump that still works", () => {
  const max = Number.MAX_SAFE_INTEGER;
  for (
    const [latest, part, instead] of [
      [`1.0.${max}`, "patch", "bump the minor version instead (the minor option)"],
      [`1.${max}.0`, "minor", "bump the major version instead (the major option)"],
      [`${max}.0.0`, "major", "publish the file under another path"],
    ] as const
  ) {
    assertThrows(
      () => nextVersion(latest, { [part]: true }),
      InvalidInputError,
      `cannot increment the ${part} version of ${latest}: its ${part} part is already ${max}, ` +
        `the largest a version's part may be; ${instead}`,
    );
  }
  // A floor at or below such a latest is a patch bump, refused the same way.
  assertThrows(
    () => nextVersion(`1.0.${max}`, { minVersion: "1" }),
    InvalidInputError,
    "the minor option",
  );
  assertEquals(nextVersion(`1.0.${max}`, { minor: true }), "1.1.0");
});
