/**
 * `vc path PATH@VERSION` (the list-file form, on the command line) is not in
 * the manifest; the error says to give the version as its own argument.
 */
import { assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("cli path: PATH@VERSION gets a hint that shows the fix", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  await ws.vc("add", "/data/a.csv", "src/a.csv");

  const at = await ws.vc("path", "/data/a.csv@1.0.0");
  assertFailure(at, 1, "/data/a.csv@1.0.0 is not in manifest");
  assertStringIncludes(at.stderr, "give the version as its own argument (`/data/a.csv 1.0.0`)");
});
