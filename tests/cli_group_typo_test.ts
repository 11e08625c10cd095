/**
 * A typo in a group word (`vc cach get URI`, `vc rpeo ls`) suggests the group,
 * not whichever one-word command happens to be as close (`path`).
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("main: a mistyped group word suggests the group", async () => {
  for (
    const [args, group] of [
      [["cach", "get", "s3://b/k"], "cache"],
      [["rpeo", "ls"], "repo"],
      [["cache-clinet", "id", "{}"], "cache-client"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]}"`);
    assertStringIncludes(r.stderr, `did you mean "${group}"?`);
  }
});

Deno.test("main: a mistyped subcommand of a command that is a group too suggests it", async () => {
  // `serve` runs the service and is the group of `serve add-token`, `serve expire`.
  for (
    const [args, meant] of [
      [["serve", "add-tokn", "alice"], "serve add-token"],
      [["serve", "expir"], "serve expire"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `serve: unexpected argument`);
    assertStringIncludes(r.stderr, `"${args[1]}"`);
    assertStringIncludes(r.stderr, `did you mean "${meant}"?`);
  }
});
