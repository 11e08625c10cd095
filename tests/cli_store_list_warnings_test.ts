/**
 * What a directory store's listing skips (a file another program put there
 * whose name no key can have) is said through the command's output, as every
 * other warning is: `vc: warning: …` on stderr with the name made inert,
 * nothing with `--quiet`. Before, `vc ls-remote`, `vc repo check` and
 * `vc repo gc` printed the store's own `console.warn` line: without the `vc:`
 * prefix, also under `--quiet`, and with a name's terminal escape
 * (`\x1b[31m`) written raw to the terminal.
 */
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

// A name holding a terminal escape: no key can have it (a control character).
const PLANTED = "\x1b[31mred\x1b[0m.1.0.0.csv";

function assertSaidInert(stderr: string, what: string): void {
  assertStringIncludes(stderr, "vc: warning: list ", what);
  assertStringIncludes(stderr, "\\x1b[31mred\\x1b[0m.1.0.0.csv", what);
  assert(!stderr.includes("\x1b"), `${what}: a raw escape reached stderr: ${stderr}`);
}

Deno.test("vc ls-remote: a name the bucket directory cannot list is a vc warning, inert, quiet with -q", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "a");
  await Deno.writeTextFile(`${ws.bucketDir}/${PLANTED}`, "x");

  const human = await ws.vc("ls-remote");
  assertEquals(human.code, 0, human.stderr);
  assertEquals(human.stdout, "/a.csv  1.0.0\n");
  assertSaidInert(human.stderr, "ls-remote");

  const json = await ws.vc("ls-remote", "--json");
  assertEquals(json.code, 0, json.stderr);
  assertEquals(json.json(), [{ path: "/a.csv", versions: ["1.0.0"] }]);
  assertSaidInert(json.stderr, "ls-remote --json");

  const quiet = await ws.vc("ls-remote", "--quiet");
  assertEquals(quiet.code, 0, quiet.stderr);
  assertEquals(quiet.stderr, "");
});

Deno.test("vc repo check and gc: a name the repository's directory cannot list is a vc warning", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: pathToFileURL(ws.path("repo")).href };
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  await ws.write("a.csv", "a");
  assertEquals((await ws.run(["repo", "add", "/a.csv", "a.csv"], env)).code, 0);
  await Deno.mkdir(ws.path("repo/content/zz"), { recursive: true });
  await Deno.writeTextFile(ws.path(`repo/content/zz/${PLANTED}`), "x");

  for (const args of [["repo", "check"], ["repo", "gc", "--dry-run"]]) {
    const said = await ws.run(args, env);
    assertEquals(said.code, 0, said.stderr);
    assertSaidInert(said.stderr, args.join(" "));
    const quiet = await ws.run([...args, "-q"], env);
    assertEquals(quiet.code, 0, quiet.stderr);
    assertEquals(quiet.stderr, "", `${args.join(" ")} -q`);
  }
});
