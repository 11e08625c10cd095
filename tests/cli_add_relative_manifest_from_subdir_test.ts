/**
 * `--manifest config/assets.json` (or `VC_MANIFEST=config/assets.json`, set
 * once for a project) is relative to the current directory. Typed in a
 * subdirectory as if from the project's root, `vc add` silently started a
 * second manifest and lock file (`src/config/assets.json`) beside the
 * project's (`config/assets.json`), and the pin went there. Now it warns
 * before publishing, naming the project's manifest, as it does for the
 * default manifest run in a subdirectory. A bare name given explicitly
 * (`--manifest versioned_assets.json`) stays a deliberate choice: no warning.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

async function vcIn(ws: CliWorkspace, cwd: string, env: Record<string, string>, ...args: string[]) {
  const io = memoryIo({ env: { ...ws.env, ...env }, cwd });
  const code = await runCli([...args, "--bucket", ws.bucket], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("cli add: a relative --manifest typed from a subdirectory warns, naming the project's", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  const first = await vcIn(
    ws,
    ws.dir,
    {},
    "add",
    "/a.csv",
    "a.csv",
    "--manifest",
    "config/assets.json",
  );
  assertEquals(first.code, 0, first.stderr);
  const project = ws.path("config/assets.json");
  await ws.write("src/b.csv", "b\n");

  const r = await vcIn(
    ws,
    ws.path("src"),
    {},
    "add",
    "/b.csv",
    "b.csv",
    "--manifest",
    "config/assets.json",
  );
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(
    r.stderr,
    `warning: starting a new manifest ${ws.path("src/config/assets.json")}`,
  );
  assertStringIncludes(r.stderr, "--manifest is relative to the current directory");
  assertStringIncludes(r.stderr, `pass --manifest ${project} to add to that one`);

  // The same from VC_MANIFEST, two levels down.
  await ws.write("lib/deep/c.csv", "c\n");
  const env = await vcIn(
    ws,
    ws.path("lib/deep"),
    { VC_MANIFEST: "config/assets.json" },
    "add",
    "/c.csv",
    "c.csv",
  );
  assertEquals(env.code, 0, env.stderr);
  assertStringIncludes(env.stderr, "VC_MANIFEST is relative to the current directory");
  assertStringIncludes(env.stderr, `pass --manifest ${project} to add to that one`);

  // An absolute path, or a manifest that exists, says nothing.
  await ws.write("src/d.csv", "d\n");
  const absolute = await vcIn(
    ws,
    ws.path("src"),
    {},
    "add",
    "/d.csv",
    "d.csv",
    "--manifest",
    ws.path("src/other/assets.json"),
  );
  assertEquals([absolute.code, absolute.stderr], [0, ""]);
  await ws.write("src/e.csv", "e\n");
  const again = await vcIn(
    ws,
    ws.path("src"),
    {},
    "add",
    "/e.csv",
    "e.csv",
    "--manifest",
    "config/assets.json",
  );
  assertEquals([again.code, again.stderr], [0, ""]);
  assert((await ws.read("config/assets.json")).includes('"/a.csv"'));
});
