/**
 * Help and unknown-command messages: `vc help help` used to fail (exit 2)
 * with 'unknown command "help"' and 'did you mean "help"?'; an unknown
 * subcommand of a group (`vc repo lss`) pointed at the whole `vc --help`
 * rather than the group's page.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("vc help help: the main help, exit 0", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["help", "help"], io), 0, io.stderr());
  assert(io.stdout().startsWith("vc "), io.stdout());
  assertStringIncludes(io.stdout(), "Usage: vc <command>");
  assertEquals(io.stderr(), "");
});

Deno.test("an unknown subcommand of a group points at the group's help", async () => {
  for (const args of [["repo", "lss"], ["help", "cache", "gte"]]) {
    const io = memoryIo();
    assertEquals(await runCli(args, io), 2);
    const group = args.at(-2)!;
    assertStringIncludes(io.stderr(), `Run "vc ${group} --help" for usage.`);
  }
  // A one-word typo still points at the main help.
  const io = memoryIo();
  assertEquals(await runCli(["ad"], io), 2);
  assertStringIncludes(io.stderr(), 'did you mean "add"?');
  assertStringIncludes(io.stderr(), 'Run "vc --help" for usage.');
});
