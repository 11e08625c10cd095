/**
 * Run in a subdirectory of a project, the default `./versioned_assets.json`
 * is missing while the project's manifest is above it. The error names that
 * manifest (rather than only suggest `vc add`, which would start a second
 * one), and `vc add` starting a new manifest there warns before publishing.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

async function vcIn(ws: CliWorkspace, cwd: string, ...args: string[]) {
  const io = memoryIo({ env: ws.env, cwd });
  const code = await runCli([...args, "--bucket", ws.bucket], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("cli: a missing manifest in a project's subdirectory names the project's manifest", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.vc("add", "/a.csv", "a.csv");
  const above = ws.path("versioned_assets.json");
  const sub = ws.path("src/deep");
  await Deno.mkdir(sub, { recursive: true });

  for (const args of [["path", "/a.csv"], ["ls"], ["sync", ws.path("out")], ["verify"]]) {
    const r = await vcIn(ws, sub, ...args);
    assertEquals(r.code, 1, `${args[0]}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `the nearest one above it is ${above}`);
    assertStringIncludes(r.stderr, `pass --manifest ${above}`);
  }

  // Nothing above up to the git checkout's root (a file above it is not the
  // project's manifest): the plain message, which suggests `vc add`.
  await Deno.mkdir(ws.path("src/.git"));
  const none = await vcIn(ws, sub, "ls");
  assertEquals(none.code, 1);
  assertStringIncludes(none.stderr, "create it with `vc add PATH FILE`");
  assert(!none.stderr.includes("nearest one above"), none.stderr);
});

Deno.test("cli add: starting a new manifest below the project's warns, naming it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.vc("add", "/a.csv", "a.csv");
  const above = ws.path("versioned_assets.json");
  const sub = ws.path("src");
  await ws.write("src/b.csv", "b\n");

  const r = await vcIn(ws, sub, "add", "/b.csv", "b.csv");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "warning: starting a new manifest");
  assertStringIncludes(r.stderr, `pass --manifest ${above} to add to that one`);

  // The manifest exists now: no more warnings. An explicit --manifest never warns.
  await ws.write("src/c.csv", "c\n");
  const again = await vcIn(ws, sub, "add", "/c.csv", "c.csv");
  assertEquals([again.code, again.stderr], [0, ""]);
  await ws.write("src/d/d.csv", "d\n");
  const explicit = await vcIn(
    ws,
    ws.path("src/d"),
    "add",
    "/d.csv",
    "d.csv",
    "--manifest",
    "versioned_assets.json",
  );
  assertEquals([explicit.code, explicit.stderr], [0, ""]);
});
