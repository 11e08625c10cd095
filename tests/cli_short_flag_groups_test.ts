// Short flags grouped before a command or a group (`vc -qh`, `vc -qV`,
// `vc repo -vh`) are read as the command parser reads them after one
// (`vc cache dir -qh`), and the help pages refuse what they do not know.
import { memoryIo } from "../src/cli/io.ts";
import { runCli, VERSION } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("main: -qh, -vh, -hq print the main help, as --help does", async () => {
  const help = await vc("--help");
  for (const flag of ["-qh", "-vh", "-hq", "-qvh"]) {
    const r = await vc(flag);
    assertEquals(r.code, 0, `${flag}: ${r.stderr}`);
    assertEquals(r.stdout, help.stdout, flag);
    assertEquals(r.stderr, "", flag);
  }
});

Deno.test("main: -qV and -Vq print the version; -V is never an unknown flag", async () => {
  for (const flag of ["-qV", "-Vq", "-vV"]) {
    const r = await vc(flag);
    assertEquals(r.code, 0, `${flag}: ${r.stderr}`);
    assertEquals(r.stdout, `vc ${VERSION}\n`, flag);
  }
});

Deno.test("main: a group's help from a short flag group (vc repo -qh)", async () => {
  const help = await vc("repo", "--help");
  for (const args of [["repo", "-qh"], ["cache", "-vh"], ["-qh", "repo"]]) {
    const r = await vc(...args);
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    if (args.includes("repo")) assertEquals(r.stdout, help.stdout);
    else assertStringIncludes(r.stdout, "cache get");
  }
});

Deno.test("main: a global switch given a value is named (vc --help=1)", async () => {
  const r = await vc("--help=1");
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, 'vc: --help does not take a value (got "1")');
});

Deno.test("main: vc help CMD names a misspelt flag beside it", async () => {
  const r = await vc("help", "cache", "--jsno");
  assertEquals(r.code, 2);
  assertEquals(r.stdout, "");
  assertStringIncludes(r.stderr, "unknown flag --jsno");
  assertStringIncludes(r.stderr, "did you mean --json?");
  const ok = await vc("help", "cache", "get", "--json");
  assertEquals(ok.code, 0);
  assertEquals(JSON.parse(ok.stdout).name, "cache get");
});
