/**
 * `vc update PATH FILE --version 1.0.0-RC.2` beside the bucket's `1.0.0-rc.1`
 * failed with "requested version 1.0.0-RC.2 must be greater than the latest
 * version 1.0.0-rc.1", which reads as false: SemVer compares pre-release
 * identifiers in ASCII order, where capitals sort below lower case. The
 * refusal now says so and names the spelling that sorts above; a version
 * that differs from the latest only in letter case is named as such.
 */
import { InvalidInputError } from "../src/errors.ts";
import { nextVersion } from "../src/versioned/version_bump.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a pre-release below the latest only through letter case says why and what sorts above", () => {
  const e = assertThrows(
    () => nextVersion("1.0.0-rc.1", { version: "1.0.0-RC.2" }),
    InvalidInputError,
  );
  assertStringIncludes(
    e.message,
    "pre-release identifiers compare in ASCII order, capitals below lower case: 1.0.0-rc.2 " +
      "sorts above 1.0.0-rc.1",
  );
  const twin = assertThrows(
    () => nextVersion("1.0.0-rc.1", { version: "1.0.0-Rc.1" }),
    InvalidInputError,
  );
  assertStringIncludes(twin.message, "differs from 1.0.0-rc.1 only in letter case");
  // Below it however spelled: as before, no such clause.
  const below = assertThrows(
    () => nextVersion("1.0.0-rc.3", { version: "1.0.0-RC.2" }),
    InvalidInputError,
  );
  assert(!below.message.includes("letter case") && !below.message.includes("ASCII"), below.message);
  // The latest itself, release or pre-release: no such clause either.
  for (const v of ["1.0.0-rc.1", "1.0.0"]) {
    const same = assertThrows(() => nextVersion(v, { version: v }), InvalidInputError);
    assert(!same.message.includes("letter case"), same.message);
  }
  assertEquals(nextVersion("1.0.0-rc.1", { version: "1.0.0-rc.2" }), "1.0.0-rc.2");
});

Deno.test("vc update --version says it too", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("o.csv", "a\n");
  const other = await ws.write("p.csv", "b\n");
  assertEquals((await ws.vc("add", "/o.csv", file, "--version", "1.0.0-rc.1")).code, 0);
  const r = await ws.vc("update", "/o.csv", other, "--version", "1.0.0-RC.2");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "capitals below lower case: 1.0.0-rc.2 sorts above 1.0.0-rc.1");
});
