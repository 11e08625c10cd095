/**
 * Settings that name a local file or directory, read from the environment or
 * a settings file: a URI there (`VC_CACHE_DIR=s3://b/cache`, a config file's
 * `"cacheDir": "file:///srv/cache"`) is refused naming where it came from, as
 * `--cache-dir s3://…` is, instead of becoming a directory `./s3:/b/cache` and
 * a `VC_CONFIG` that cannot be read is named as such.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { exists } from "./path_exists.ts";

Deno.test("config local paths: a URI in VC_CACHE_DIR, VC_CONFIG or a settings file's path is refused", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a\n");
  assertEquals((await ws.vc("add", "/bar.csv", "bar.csv")).code, 0);
  const user = await ws.write("user.json", '{"cacheDir": "s3://other/cache"}');
  const userManifest = await ws.write("user-m.json", '{"manifest": "s3://other/m.json"}');

  const cases: Array<[string[], Record<string, string>, string]> = [
    [["cache", "dir"], { VC_CACHE_DIR: "s3://other/cache" }, "VC_CACHE_DIR"],
    [["path", "/bar.csv"], { VC_CACHE_DIR: "file:///tmp/cache" }, "VC_CACHE_DIR"],
    [["path", "/bar.csv"], { VC_CONFIG: "s3://other/config.json" }, "VC_CONFIG"],
    [["cache", "dir"], { VC_CACHE_DIR: "", VC_CONFIG: user }, `${user}: "cacheDir"`],
    [["ls"], { VC_CONFIG: userManifest }, `${userManifest}: "manifest"`],
  ];
  for (const [args, env, what] of cases) {
    const r = await ws.run(args, env);
    assertEquals(r.code, 1, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${what} must be a local path, got the URI "`);
  }

  // A project vc.json's cacheDir, shown by `vc config` in its row.
  await ws.write("proj/vc.json", '{"cacheDir": "file:///srv/cache"}');
  const r = await ws.run(["config", "--json", "--manifest", "proj/versioned_assets.json"], {
    VC_CACHE_DIR: "",
  });
  assertEquals(r.code, 1, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ name: string; error?: string }>;
  const project = rows.find((row) => row.name === "projectFile");
  assertStringIncludes(project?.error ?? "", `"cacheDir" must be a local path, got the URI`);

  for (const dir of ["s3:", "file:", "proj/file:"]) assertEquals(await exists(ws.path(dir)), false);

  // The library's option too; a path holding a colon is still a path.
  assertThrows(
    () => resolveSettings({ configPath: false, env: {}, cacheDir: "file:///srv/cache" }),
    InvalidInputError,
    "the option cacheDir must be a local path",
  );
  const s = resolveSettings({ configPath: false, env: { VC_CACHE_DIR: "/tmp/c:1" } });
  assertEquals(s.cacheDir, "/tmp/c:1");
});

Deno.test("config local paths: VC_CONFIG is named when its file cannot be used, and in vc config", async () => {
  await using ws = await CliWorkspace.create();
  const missing = ws.path("nope/config.json");
  const r = await ws.run(["ls"], { VC_CONFIG: missing });
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, `cannot read config file ${missing} (VC_CONFIG)`);

  // Blank is not a file named " " in the working directory.
  const blank = await ws.run(["config"], { VC_CONFIG: " " });
  assertEquals(blank.code, 1);
  assertStringIncludes(blank.stderr, "VC_CONFIG is blank");

  const file = await ws.write("mine.json", '{"timeout": 5}');
  const shown = await ws.run(["config", "--json"], { VC_CONFIG: file });
  assertEquals(shown.code, 0, shown.stderr);
  const rows = JSON.parse(shown.stdout) as Array<{ name: string; value: unknown; source: string }>;
  assertEquals(rows.find((row) => row.name === "configFile"), {
    name: "configFile",
    value: file,
    source: "env VC_CONFIG",
  });
});
