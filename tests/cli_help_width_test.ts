/**
 * Every command's help page keeps its prose within 100 columns: the
 * descriptions are wrapped by hand, and a sentence shared by the versioned
 * commands, appended to their last line, ran it to 144-161 columns
 * (`vc cat --help`, `vc get --help`, `vc versions --help`).
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("vc CMD --help: every line but Usage and the examples within 100 columns", async () => {
  for (const { name } of COMMANDS) {
    const io = memoryIo();
    assertEquals(await runCli([...name.split(" "), "--help"], io), 0, `${name}: ${io.stderr()}`);
    const page = io.stdout();
    const prose = page.split("\n\nExamples:\n")[0]!.split("\n")
      .filter((line) => !line.startsWith("Usage: "));
    for (const line of prose) {
      assert([...line].length <= 100, `vc ${name} --help: ${[...line].length} columns: ${line}`);
    }
  }
});

Deno.test("vc get --help: a long description line wraps into its paragraph", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["get", "--help"], io), 0);
  // Nothing is lost or reordered by the wrap.
  const flat = io.stdout().replace(/\s+/g, " ");
  assertStringIncludes(
    flat,
    "The copy appears atomically. PATH is the asset's name in the manifest, e.g. /foo/bar.csv; " +
      "VERSION is MAJOR.MINOR.PATCH or a pre-release of one, e.g. 2.0.0-rc.1.",
  );
});
