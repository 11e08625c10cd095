// A name that starts with "-" (`vc get /a.csv -out.csv`) is read as a group
// of short flags. The error used to name only the first unknown letter and
// guess a flag from it ("unknown flag -o", "did you mean --offline?"), which
// hid that the name was the problem; it names the argument and the way out.
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("cli: a positional that starts with '-' is named, with '--' as the way out", async () => {
  for (
    const [args, arg] of [
      [["get", "/a.csv", "-out.csv"], "-out.csv"],
      [["add", "/a.csv", "-data.csv"], "-data.csv"],
      [["path", "/a.csv", "-out"], "-out"],
    ] as const
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertEquals(r.stdout, "");
    assertStringIncludes(r.stderr, `unknown flag -${arg[1]} in "${arg}" for "${args[0]}"`);
    assertStringIncludes(r.stderr, `put it after "--": vc ${args[0]} … -- ${arg}`);
    assertEquals(r.stderr.includes("did you mean"), false, r.stderr);
  }
});

Deno.test("cli: a lone unknown short flag still gets its guess", async () => {
  const r = await vc("get", "/a.csv", "-o");
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, 'unknown flag -o for "get"');
  assertStringIncludes(r.stderr, "did you mean --offline?");
});

Deno.test("cli: a lone unknown short flag no flag is guessed for names '--' as the way out", async () => {
  // `vc repo tag 7 -- -y` makes a tag named "-y" (and `vc repo find --any -y`
  // finds it), but `vc repo untag 7 -y` said only `unknown flag -y`.
  for (
    const [args, arg] of [
      [["repo", "untag", "7", "-y"], "-y"],
      [["repo", "tag", "7", "-x"], "-x"],
    ] as const
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertStringIncludes(r.stderr, `unknown flag ${arg} for "${args[0]} ${args[1]}"`);
    assertStringIncludes(r.stderr, `put it after "--": vc ${args[0]} ${args[1]} … -- ${arg}`);
  }
});
