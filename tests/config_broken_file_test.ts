/**
 * A malformed settings file (the user config file, a project `vc.json`, or
 * the `"vc"` block of a `deno.json` / `deno.jsonc`): the commands that need
 * settings fail with one line naming the file, the line and column and what
 * is wrong; help and `--version` still work; `vc config` still shows what it
 * can, names the broken file as the source of an error and exits non-zero;
 * the broken file is never written. A malformed `deno.json` was skipped
 * without a word, and a parent directory's settings (another bucket) applied.
 */
import { ConfigFileError, InvalidInputError } from "../src/errors.ts";
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string };

const BROKEN_USER_CONFIG = '{\n  "bucket": "team",\n  "timeout": 30,,\n}\n';

/** A workspace whose user config file (under XDG_CONFIG_HOME) is `text`. */
async function withUserConfig(text: string) {
  const ws = await CliWorkspace.create();
  const file = await ws.write("home/.config/vc/config.json", text);
  await ws.write("versioned_assets.json", "{}");
  const env = { XDG_CONFIG_HOME: ws.path("home/.config") };
  return { ws, file, env };
}

Deno.test("a malformed user config file: commands needing settings fail with one line naming the file, line and column", async () => {
  const { ws, file, env } = await withUserConfig(BROKEN_USER_CONFIG);
  await using _ = ws;
  const before = await Deno.stat(file);
  for (const args of [["ls"], ["path", "/a"], ["cache", "dir"], ["verify"]]) {
    const r = await ws.run(args, env);
    assertFailure(
      r,
      1,
      `invalid JSON in config file ${file} at line 3, column 17`,
      "Expected double-quoted property name",
    );
    // The position is said once, as line and column, not again as V8's offset.
    assert(!r.stderr.includes("position"), r.stderr);
  }
  // Nothing was written over it.
  assertEquals(await Deno.readTextFile(file), BROKEN_USER_CONFIG);
  assertEquals((await Deno.stat(file)).mtime, before.mtime);
});

Deno.test("a malformed user config file: help and --version still work", async () => {
  const { ws, env } = await withUserConfig(BROKEN_USER_CONFIG);
  await using _ = ws;
  const cases = [["--help"], ["--version"], ["help", "config"], ["config", "--help"], [
    "path",
    "--help",
  ], ["cache", "get", "--help"]];
  for (const args of cases) {
    const r = await ws.run(args, env);
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assert(r.stdout.startsWith("vc "), r.stdout);
  }
});

Deno.test("vc config with a malformed user config file: shows the rest, names the file as an error, exits 1", async () => {
  const { ws, file, env } = await withUserConfig(BROKEN_USER_CONFIG);
  await using _ = ws;
  await ws.write("vc.json", JSON.stringify({ timeout: "2h" }));
  const r = await ws.run(["config", "--json"], { ...env, VC_BUCKET: "env-bucket" });
  assertFailure(r, 1, file, "line 3, column 17");
  const rows = r.json<Row[]>();
  const row = (name: string) => rows.find((x) => x.name === name);
  // Everything the broken file does not hold is shown, with its source.
  assertEquals([row("bucket")?.value, row("bucket")?.source], ["s3://env-bucket", "env VC_BUCKET"]);
  assertEquals([row("timeout")?.value, row("timeout")?.source], [
    7200,
    `project ${ws.path("vc.json")}`,
  ]);
  assertEquals(row("projectFile")?.value, ws.path("vc.json"));
  // The broken file is the source of an error, named.
  assertEquals(row("configFile")?.value, file);
  assert(row("configFile")?.source.startsWith("error: invalid JSON"), row("configFile")?.source);
  // The table form too.
  const text = await ws.run(["config"], env);
  assertEquals(text.code, 1);
  assert(/^configFile\s+\S+config\.json\s+error: invalid JSON/m.test(text.stdout), text.stdout);
  assertEquals(await Deno.readTextFile(file), BROKEN_USER_CONFIG);
});

Deno.test("an invalid setting or an unreadable user config file: vc config shows it and exits 1", async () => {
  const { ws, file, env } = await withUserConfig(JSON.stringify({ timeout: "soon" }));
  await using _ = ws;
  const r = await ws.run(["config", "--json"], env);
  assertFailure(r, 1, file, '"timeout"');
  const rows = r.json<Row[]>();
  assertEquals(rows.find((x) => x.name === "timeout")?.source, "default");
  assertEquals(rows.find((x) => x.name === "configFile")?.value, file);
  // VC_CONFIG naming a missing file.
  const missing = ws.path("nope.json");
  const m = await ws.run(["config", "--json"], { VC_CONFIG: missing });
  assertFailure(m, 1, `cannot read config file ${missing}`);
  assertEquals(m.json<Row[]>().find((x) => x.name === "configFile")?.value, missing);
});

Deno.test("a malformed project vc.json: commands fail naming it; vc config shows it as an error", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}");
  const text = '{\n  "bucket": "team"\n  "timeout": 30\n}\n';
  const file = await ws.write("vc.json", text);
  assertFailure(await ws.run(["ls"]), 1, `${file} at line 2, column 19`);
  const r = await ws.run(["config", "--json"]);
  assertFailure(r, 1, file, "line 2, column 19");
  const row = r.json<Row[]>().find((x) => x.name === "projectFile");
  assertEquals(row?.value, file);
  assert(row?.source.startsWith("error: invalid JSON"), row?.source);
  // With the user config file broken too: one line for each.
  const user = await ws.write("home/.config/vc/config.json", "{");
  const both = await ws.run(["config"], { XDG_CONFIG_HOME: ws.path("home/.config") });
  assertEquals(both.code, 1);
  const lines = both.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 2, both.stderr);
  assert(lines[0]!.startsWith("vc: ") && lines[0]!.includes(file), lines[0]);
  assert(lines[1]!.startsWith("vc: ") && lines[1]!.includes(user), lines[1]);
  assertEquals(await ws.read("vc.json"), text);
});

Deno.test("a malformed deno.json is an error naming it, not a reason to use a parent directory's settings", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("repo/vc.json", JSON.stringify({ bucket: "parent-bucket" }));
  await ws.write("repo/app/versioned_assets.json", "{}");
  const text = '{\n  "tasks": {},\n  "vc": { "bucket": "app-bucket" }\n  "lint": {}\n}\n';
  const deno = await ws.write("repo/app/deno.json", text);
  const manifest = ws.path("repo/app/versioned_assets.json");
  // Was: the parent's vc.json applied, silently.
  const r = await ws.run(["config", "--manifest", manifest, "--json"]);
  assertFailure(r, 1, `invalid JSON in ${deno} at line 3, column 35`);
  const rows = r.json<Row[]>();
  assertEquals(rows.find((x) => x.name === "bucket")?.value, null);
  assertEquals(rows.find((x) => x.name === "projectFile")?.value, deno);
  assertFailure(await ws.run(["ls", "--manifest", manifest]), 1, deno, "line 3, column 35");
  assertEquals(await ws.read("repo/app/deno.json"), text);
  // An invalid value in the "vc" block names the file too.
  await ws.write("repo/app/deno.json", JSON.stringify({ vc: { bucket: "s3://" } }));
  const bad = await ws.run(["config", "--manifest", manifest, "--json"]);
  assertFailure(bad, 1, deno, '"bucket" "s3://" is not a bucket');
});

Deno.test("findProjectConfig: a malformed deno.jsonc is reported at the line and column of the file as written", async () => {
  await using ws = await CliWorkspace.create();
  // Comments (one over two lines) and a trailing comma before the error.
  const file = await ws.write(
    "deno.jsonc",
    '{\n  /* a comment\n     over two lines */ "tasks": {},\n  // "vc": {}\n  "vc": {"bucket": "b",} x\n}\n',
  );
  const e = assertThrows(() => findProjectConfig(ws.dir), ConfigFileError, file);
  assertEquals(e.path, file);
  assertStringIncludes(e.message, "line 5, column 26");
  assert(e instanceof InvalidInputError);
});

Deno.test("loadConfigFile: errors are ConfigFileError naming the file", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("c.json", '{"offline": 1}');
  const e = assertThrows(() => loadConfigFile(file), ConfigFileError, file);
  assertEquals(e.path, file);
  await ws.write("c.json", "{,}");
  const syntax = assertThrows(() => loadConfigFile(file), ConfigFileError, "line 1, column 2");
  assertEquals(syntax.path, file);
});
