/**
 * README.md documents every capability: every `vc` command, and each flag it
 * takes (as its `--help` lists it, global flags included), appears in it, so
 * a command or a flag is never only discoverable from the help.
 */
import { assertEquals } from "./assert.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { GLOBAL_OPTIONS } from "../src/cli/options.ts";

Deno.test("README.md names every flag of every vc command", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const named = (flag: string) => new RegExp(`--${flag}(?![\\w-])`).test(readme);
  const missing: string[] = Object.keys(GLOBAL_OPTIONS).filter((f) => !named(f))
    .map((f) => `(global) --${f}`);
  for (const entry of COMMANDS) {
    const command = await entry.load();
    for (const flag of Object.keys(command.options)) {
      if (!named(flag)) missing.push(`vc ${entry.name} --${flag}`);
    }
  }
  assertEquals(missing, []);
});

Deno.test("README.md shows every vc command", async () => {
  // `vc repo expire` and `vc repo purge` were only states in prose, so the
  // commands that set them were discoverable from `vc --help` alone.
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const missing = COMMANDS.map((entry) => entry.name)
    .filter((name) => !new RegExp(`\\bvc ${name}(?![\\w-])`).test(readme));
  assertEquals(missing, []);
});
