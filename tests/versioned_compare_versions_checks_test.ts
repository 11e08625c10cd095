import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { compareVersions } from "../src/versioned/mod.ts";

// compareVersions() read each part with Number(): another tool's spelling
// compared as NaN (so a sort left it anywhere), and a fourth part or a
// leading zero was ignored (`1.0.0.5` and `01.0.0` equal to `1.0.0`).
Deno.test("compareVersions() refuses what is not MAJOR.MINOR.PATCH, naming it", () => {
  for (
    const [bad, why] of [
      ["1.0.0+ci.1", "no build metadata"],
      ["1.0.0-rc.01", "a pre-release is"],
      ["v1.0.0", "without a v prefix"],
      ["1.2", "expected MAJOR.MINOR.PATCH"],
      ["01.0.0", "leading zero"],
      ["1.0.0.5", "expected MAJOR.MINOR.PATCH"],
      ["9007199254740993.0.0", "at most 9007199254740991"],
    ]
  ) {
    const e = assertThrows(() => compareVersions(bad!, "1.0.0"), InvalidInputError);
    assertEquals(
      [
        e.message.startsWith(`compareVersions(): the first version: "${bad}"`),
        e.message.includes(why!),
      ],
      [true, true],
      e.message,
    );
    assertThrows(() => compareVersions("1.0.0", bad!), InvalidInputError, "the second version");
  }
  assertEquals(["1.10.0", "1.9.0", "0.10.0"].sort(compareVersions), ["0.10.0", "1.9.0", "1.10.0"]);
});

// semver's own example of precedence (semver.org, item 11).
Deno.test("compareVersions() orders pre-releases by semver precedence, below their release", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1-0",
    "1.0.1",
  ];
  assertEquals([...ordered].reverse().sort(compareVersions), ordered);
  assertEquals(compareVersions("2.0.0-rc.1", "2.0.0-rc.1"), 0);
  // Numeric identifiers past 2^53 compare exactly (nightly build stamps).
  assertEquals(
    ["1.0.0-20261206013000000001", "1.0.0-20261206013000000000"].sort(compareVersions),
    ["1.0.0-20261206013000000000", "1.0.0-20261206013000000001"],
  );
});
