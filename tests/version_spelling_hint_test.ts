/**
 * A version spelled as another tool (or baiji-pod) spells it is refused
 * saying what is wrong with it. `--version 1.0`, `vc path PATH 1.0` and a
 * manifest pin `"1.4"` (baiji-pod's `vc update --version 2.1` published
 * 2.1.0) said only `is not a version`; and `--min-version` said no more than
 * that for `01`, `v2`, a part past 2^53 − 1 or a pre-release, where
 * `--version` named the leading zero, the `v` prefix, the limit or the suffix.
 */
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("a partial VERSION names its three-part form", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("f.csv", "a\n");
  const cases: [string[], string][] = [
    [["path", "/f.csv", "1.0"], '"1.0" is not a version (three parts: 1.0.0, not 1.0)'],
    [["add", "/f.csv", file, "--version", "2"], '"2" is not a version (three parts: 2.0.0, not 2)'],
  ];
  for (const [args, message] of cases) assertFailure(await ws.vc(...args), 2, message);
  await ws.write("versioned_assets.json", '{"/f.csv": "1.4"}\n');
  assertFailure(
    await ws.vc("path", "/f.csv"),
    1,
    'entry "/f.csv": "1.4" is not a version (three parts: 1.4.0, not 1.4)',
  );
});

Deno.test("--min-version says what is wrong with another tool's spelling", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("f.csv", "a\n");
  const cases: [string, string][] = [
    ["01", "(no part may have a leading zero: 1, not 01)"],
    ["1.02", "(no part may have a leading zero: 1.2, not 1.02)"],
    ["v2", "(without a v prefix: 2, not v2)"],
    ["9007199254740992", "(each part must be at most 9007199254740991)"],
    ["2.0.0-rc.1", "(a minimum version has no pre-release: --version 2.0.0-rc.1 publishes one)"],
    ["2.0.0+ci.7", "(vc's versions have no build metadata"],
  ];
  for (const [value, why] of cases) {
    const r = await ws.vc("update", "/f.csv", file, "--min-version", value);
    assertFailure(r, 2, `minimum version ${JSON.stringify(value)} is not a version ${why}`);
  }
  // Not near a version: no clause.
  assertFailure(
    await ws.vc("update", "/f.csv", file, "--min-version", "latest"),
    2,
    'minimum version "latest" is not a version; expected MAJOR[.MINOR[.PATCH]]',
  );
});
