// `-V` / `--version` after a command that has no such flag. `vc ls -V` was
// answered "did you mean -v?" (which is --verbose), and `vc cat PATH
// --version 1.0.0` got no hint at all; both now say where a version goes.
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("cli: vc CMD -V points at vc --version, never at -v", async () => {
  for (const args of [["ls", "-V"], ["ls", "--version"], ["cache", "dir", "-V"]]) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertEquals(r.stdout, "");
    assertStringIncludes(r.stderr, "vc's own version: vc --version");
    assertEquals(r.stderr.includes("did you mean"), false, r.stderr);
  }
});

Deno.test("cli: a command that reads one version says VERSION is an argument", async () => {
  const r = await vc("cat", "/a.csv", "--version", "1.0.0");
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, 'unknown flag --version for "cat"');
  assertStringIncludes(r.stderr, "VERSION is an argument: vc cat PATH VERSION (e.g. 1.2.5)");
  const get = await vc("get", "/a.csv", "out.csv", "--version=1.0.0");
  assertEquals(get.code, 2);
  assertStringIncludes(get.stderr, "VERSION is an argument: vc get PATH DEST VERSION");
});

Deno.test("cli: vc --version and vc add --version V are unchanged", async () => {
  const r = await vc("-V");
  assertEquals(r.code, 0);
  assertStringIncludes(r.stdout, "vc ");
  const add = await vc("add", "/a.csv", "a.csv", "--version", "1.0");
  assertEquals(add.code, 2);
  assertStringIncludes(add.stderr, '"1.0" is not a version');
});

Deno.test("cli: --version before the command is the main switch, not a flag eating the command", async () => {
  // It took `cat` for its value and `/big.txt` for the command.
  const r = await vc("--version", "cat", "/big.txt");
  assertEquals(r.code, 2);
  assertEquals(r.stdout, "");
  assertStringIncludes(r.stderr, 'unknown flag --version for "cat"');
  assertStringIncludes(r.stderr, "vc's own version: vc --version");
  assertEquals(r.stderr.includes('"/big.txt"'), false, r.stderr);
  // A stray word is named, not silently dropped behind the version.
  const stray = await vc("--version", "foo");
  assertEquals(stray.code, 2);
  assertStringIncludes(stray.stderr, 'unknown command "foo"');
  // After the command's words it still takes its value.
  const add = await vc("add", "--version", "1.0", "/a.csv", "a.csv");
  assertStringIncludes(add.stderr, '"1.0" is not a version');
});

Deno.test("cli: --version before add or update never takes the next word as the version", async () => {
  // `vc --version add /a.csv a.csv` took `/a.csv` for the version and then
  // said "add: missing FILE"; with three words it would publish one.
  for (const args of [["--version", "add", "/a.csv", "a.csv"], ["--version", "update", "/a.csv"]]) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertEquals(r.stdout, "");
    assertStringIncludes(r.stderr, `--version before "${args[1]}" is vc's own switch`);
    assertStringIncludes(r.stderr, "vc's own version: vc --version");
    assertEquals(r.stderr.includes("missing"), false, r.stderr);
  }
});

Deno.test("cli: -V after a command that publishes a version points at its --version V", async () => {
  for (const command of ["add", "update"]) {
    const r = await vc(command, "/a.csv", "a.csv", "-V");
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "the version to publish is --version V");
    assertStringIncludes(r.stderr, "vc's own version: vc --version");
  }
});
