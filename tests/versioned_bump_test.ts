import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { type Bump, nextVersion } from "../src/versioned/version_bump.ts";
import { compareVersions, isVersion } from "../src/versioned/version.ts";

Deno.test("nextVersion table", () => {
  const table: Array<[string | undefined, Bump, string]> = [
    ["1.2.5", { patch: true }, "1.2.6"],
    ["1.2.5", { minor: true }, "1.3.0"],
    ["1.2.5", { major: true }, "2.0.0"],
    ["0.0.9", { patch: true }, "0.0.10"],
    ["1.9.9", { minor: true }, "1.10.0"],
    ["1.2.5", { version: "1.2.7" }, "1.2.7"],
    ["1.2.5", { version: "10.0.0" }, "10.0.0"],
    // min-version: a floor above the latest wins, otherwise a patch bump.
    ["1.2.5", { minVersion: "2" }, "2.0.0"],
    ["1.2.5", { minVersion: "1.3" }, "1.3.0"],
    ["1.2.5", { minVersion: "1.2.13" }, "1.2.13"],
    ["1.2.5", { minVersion: "0.3" }, "1.2.6"],
    ["1.2.5", { minVersion: "1.2.5" }, "1.2.6"],
    ["1.2.5", { minVersion: "1.2.6" }, "1.2.6"],
    ["1.2.5", { minVersion: "1" }, "1.2.6"],
    // Nothing published yet.
    [undefined, { patch: true }, "1.0.0"],
    [undefined, { major: true }, "1.0.0"],
    [undefined, { version: "0.1.0" }, "0.1.0"],
    [undefined, { minVersion: "3" }, "3.0.0"],
  ];
  for (const [latest, bump, expected] of table) {
    assertEquals(nextVersion(latest, bump), expected, `${latest} + ${JSON.stringify(bump)}`);
  }
});

Deno.test("an explicit version must be greater than the latest", () => {
  const e = assertThrows(
    () => nextVersion("1.2.5", { version: "1.2.5" }),
    InvalidInputError,
    "1.2.5",
  );
  assertEquals(e.message.match(/1\.2\.5/g)?.length, 2);
  assertThrows(() => nextVersion("1.2.5", { version: "1.2.4" }), InvalidInputError, "1.2.4");
  assertThrows(() => nextVersion("1.10.0", { version: "1.9.0" }), InvalidInputError, "1.10.0");
});

Deno.test("exactly one bump kind, and well-formed versions", () => {
  assertThrows(() => nextVersion("1.0.0", {}), InvalidInputError, "exactly one");
  assertThrows(
    () => nextVersion("1.0.0", { major: true, patch: true }),
    InvalidInputError,
    "major, patch",
  );
  assertThrows(
    () => nextVersion("1.0.0", { patch: true, version: "2.0.0" }),
    InvalidInputError,
    "exactly one",
  );
  // false flags do not count: the CLI passes every flag.
  assertEquals(nextVersion("1.0.0", { major: false, minor: true, patch: false }), "1.1.0");
  assertThrows(() => nextVersion("1.0.0", { version: "v2.0.0" }), InvalidInputError, "v2.0.0");
  assertThrows(() => nextVersion("1.0.0", { minVersion: "2.x" }), InvalidInputError, "2.x");
  assertThrows(() => nextVersion("1.0.0", { minVersion: "1.2.3.4" }), InvalidInputError);
  assertThrows(() => nextVersion("1.0", { patch: true }), InvalidInputError, "1.0");
});

Deno.test("isVersion and compareVersions", () => {
  for (const v of ["0.0.0", "1.2.5", "10.20.30", "1.2.3-rc.1", "1.0.0-0.3.7", "1.0.0-x-y.z"]) {
    assertEquals(isVersion(v), true, v);
  }
  for (
    const v of [
      "1.2",
      "v1.2.3",
      "01.2.3",
      "1.02.3",
      "1.2.3+b",
      "1.2.3-rc.1+b",
      "1.2.3-01",
      "1.2.3-",
      " 1.2.3",
      "",
    ]
  ) {
    assertEquals(isVersion(v), false, v);
  }
  assertEquals(
    ["1.10.0", "1.2.0", "0.9.9", "1.2.10", "1.2.9"].sort(compareVersions),
    ["0.9.9", "1.2.0", "1.2.9", "1.2.10", "1.10.0"],
  );
});

Deno.test("nextVersion refuses a misspelt bump key instead of ignoring it", () => {
  // Beside a valid bump it would otherwise be dropped without a word.
  assertThrows(
    () => nextVersion("1.2.5", { patch: true, mnor: true } as Bump),
    InvalidInputError,
    'unknown option "mnor"; did you mean "minor"?',
  );
  assertThrows(() => nextVersion("1.2.5", { mjor: true } as Bump), InvalidInputError, '"major"');
});
