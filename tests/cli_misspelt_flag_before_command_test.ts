/**
 * A misspelt value flag before the command (`vc --bukcet my-assets ls`):
 * vc does not know it takes a value, so its value was read as the command
 * and the error said `unknown command "my-assets"`, hiding the typo. The
 * flag is now named, with its guess; a command that is itself unknown is
 * still said so when the flags before it are known.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const io = memoryIo();
  const code = await runCli(args, io);
  return { code, stderr: io.stderr() };
}

Deno.test("cli: a misspelt flag before the command is named, not its value as a command", async () => {
  for (
    const [args, flag, guess] of [
      [["--bukcet", "my-assets", "ls"], "--bukcet", "--bucket"],
      [["--manifst", "m.json", "path", "/a.csv"], "--manifst", "--manifest"],
      [["-q", "--cache-dri", "/tmp/c", "cache", "ls"], "--cache-dri", "--cache-dir"],
    ] as const
  ) {
    const r = await run([...args]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `vc: unknown flag ${flag}\n`);
    assertStringIncludes(r.stderr, `vc: did you mean ${guess}?\n`);
    assert(!r.stderr.includes("unknown command"), r.stderr);
  }
});

Deno.test("cli: an unknown command after known flags is still an unknown command", async () => {
  for (const args of [["--bucket", "b", "lss"], ["--json", "lss"], ["-q", "lss"]]) {
    const r = await run(args);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, 'vc: unknown command "lss"\n');
    assertStringIncludes(r.stderr, 'vc: did you mean "ls"?\n');
  }
});
