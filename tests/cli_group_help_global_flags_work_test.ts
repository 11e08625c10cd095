/**
 * The group pages (`vc cache --help`, `vc repo --help`, `vc serve --help`'s
 * group, ...) listed `-V, --version` among their global flags, but only
 * `vc --version` prints the version: `vc cache --version` failed as "cache:
 * missing subcommand" and `vc repo ls --version` as an unknown flag. A page
 * now lists a global flag only where it works: every flag a group page
 * lists is accepted by each command of the group.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

interface HelpDoc {
  commands: { name: string }[];
  globalFlags: { name: string }[];
}

async function helpDoc(args: string[]): Promise<HelpDoc> {
  const io = memoryIo();
  assertEquals(await runCli([...args, "--help", "--json"], io), 0, io.stderr());
  return JSON.parse(io.stdout());
}

Deno.test("group help pages list only global flags their commands accept", async () => {
  const top = await helpDoc([]);
  assert(top.globalFlags.some((f) => f.name === "--version"), "vc --help lists --version");
  for (const group of ["cache", "repo", "cache-client"]) {
    const page = await helpDoc([group]);
    assertEquals(page.globalFlags.some((f) => f.name === "--version"), false, group);
    // Each flag the page lists is one its commands take.
    for (const { name } of page.commands) {
      const command = await helpDoc(name.split(" "));
      const accepted = new Set(command.globalFlags.map((f) => f.name));
      for (const flag of page.globalFlags) assert(accepted.has(flag.name), `${name}: ${flag.name}`);
    }
  }
  const text = memoryIo();
  assertEquals(await runCli(["cache", "--help"], text), 0);
  assertEquals(text.stdout().includes("--version"), false, text.stdout());
});
