/**
 * Flags with no command: a flag that no command takes is named as unknown
 * (with a guess), where `vc --jsno` used to say only "missing command".
 * A flag some command takes still leaves "missing command".
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const io = memoryIo();
  const code = await runCli(args, io);
  return { code, stderr: io.stderr(), stdout: io.stdout() };
}

Deno.test("cli no command: an unknown flag is named, with a guess", async () => {
  for (
    const [args, flag, guess] of [
      [["--jsno"], "--jsno", "--json"],
      [["--verbos", "--json"], "--verbos", "--verbose"],
      [["--bucket", "b", "--cache-dri"], "--cache-dri", "--cache-dir"],
      [["-x"], "-x", undefined],
    ] as const
  ) {
    const r = await run([...args]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `vc: unknown flag ${flag}\n`);
    if (guess !== undefined) assertStringIncludes(r.stderr, `vc: did you mean ${guess}?\n`);
    assert(!r.stderr.includes("missing command"), r.stderr);
  }
  const json = await run(["--jsno", "--json"]);
  assertEquals(JSON.parse(json.stdout).error.message, "unknown flag --jsno");
});

Deno.test("cli no command: known flags, or anything after --, leave 'missing command'", async () => {
  for (const args of [["--bucket", "b"], ["--delete"], ["-q"], ["--", "--jsno"]]) {
    const r = await run(args);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "vc: missing command\n");
  }
});

Deno.test("cli no command: a misspelt flag beside --version is named, as beside --help", async () => {
  for (const args of [["--version", "--jsno"], ["-V", "--jsno"], ["--jsno", "--version"]]) {
    const r = await run(args);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "vc: unknown flag --jsno\n");
    assertEquals(r.stdout, "", "no version printed");
  }
  // A value given to --version is named, not "missing command".
  const valued = await run(["--version=x"]);
  assertEquals(valued.code, 2, valued.stderr);
  assertStringIncludes(valued.stderr, 'vc: --version does not take a value (got "x")\n');
  // The flags that go with it still print it.
  for (const args of [["--version"], ["-V"], ["-qV"], ["--version", "--json", "-v"]]) {
    const r = await run(args);
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stdout, "0.");
  }
});
