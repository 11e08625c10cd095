/**
 * `vc versions` and `vc ls-remote` warn of each key shaped as a version vc
 * does not list, but a bucket where another tool publishes nightly
 * builds (`x.1.1.0+nightly.7.csv`) beside a path holds hundreds of them: the first 20 warnings
 * are printed, then how many more, as for every other command over many
 * items, so the list itself stays readable.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli versions, ls-remote: warnings of 60 odd keys are 20 lines and a count", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/x.csv", "a\n");
  assertEquals((await ws.vc("add", "/x.csv", "src/x.csv")).code, 0);
  for (let i = 0; i < 60; i++) {
    await Deno.writeTextFile(join(ws.bucketDir, `x.1.1.0+nightly.${i}.csv`), "n\n");
    await Deno.writeTextFile(join(ws.bucketDir, `y.9007199254740993.${i}.0.csv`), "n\n");
  }

  const versions = await ws.vc("versions", "/x.csv");
  assertEquals([versions.code, versions.stdout], [0, "1.0.0\n"]);
  const lines = versions.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 21, versions.stderr);
  assertStringIncludes(lines[0]!, "x.1.1.0+nightly.");
  assertEquals(lines.at(-1), "vc: warning: ... and 40 more warnings");

  const remote = await ws.vc("ls-remote");
  assertEquals(remote.code, 0);
  assertStringIncludes(remote.stdout, "/x.csv");
  const remoteLines = remote.stderr.trimEnd().split("\n");
  assertEquals(remoteLines.length, 21, remote.stderr);
  // Both kinds of odd key, in key order: the 60 build-metadata keys, then the 60 oversized.
  assertStringIncludes(remoteLines[0]!, "x.1.1.0+nightly.");
  assertEquals(remoteLines.at(-1), "vc: warning: ... and 100 more warnings");
});
