/**
 * A path variable ending in a line break (`VC_CACHE_DIR: |` in a CI file's
 * YAML, a value read from a file with Windows line ends) was taken as it
 * was: `VC_CACHE_DIR` made a new directory `cache\n` (a cold cache on every
 * CI run, the restored one unused), `VC_LOCK` a lock file of that name, and
 * `VC_MANIFEST` / `VC_CONFIG` named a file that was not there, while
 * `VC_BUCKET` already refused the same slip. Each is now refused naming the
 * variable and what was meant, and nothing is made.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { resolveSettings } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

type Row = { name: string; value: unknown; source: string; error?: string };

for (
  const [variable, row] of [
    ["VC_CACHE_DIR", "cacheDir"],
    ["VC_MANIFEST", "manifest"],
    ["VC_LOCK", "lock"],
    ["VC_CONFIG", "configFile"],
  ] as const
) {
  Deno.test(`${variable} ending in a line break is refused naming it, nothing made`, async () => {
    await using ws = await CliWorkspace.create();
    const meant = ws.path(`${row}.json`);
    const env = { VC_BUCKET: ws.bucket, [variable]: `${meant}\n` };
    const config = await ws.run(["config", "--json"], env);
    assertEquals(config.code, 1, config.stderr);
    const rows = config.json<Row[]>();
    assertStringIncludes(
      rows.find((r) => r.name === row)?.error ?? "",
      `${variable} ${JSON.stringify(`${meant}\n`)} ends with whitespace`,
    );
    const path = await ws.run(["path", "/a.csv", "1.0.0"], env);
    assertEquals(path.code, 1, path.stderr);
    assertStringIncludes(path.stderr, `did you mean ${JSON.stringify(meant)}`);
    const made: string[] = [];
    for await (const entry of Deno.readDir(ws.dir)) made.push(entry.name);
    assert(!made.some((name) => /\n/.test(name)), made.join(", "));
  });
}

Deno.test("a flag's path and a variable without a line break are taken as they are", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"], { VC_MANIFEST: ws.path("m.json") });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json<Row[]>().find((x) => x.name === "manifest")?.value, ws.path("m.json"));
});

Deno.test("a settings file's cacheDir or manifest with a space or a line break at an end is refused naming the file and key", async () => {
  // Its "bucket" refused the same slip, and VC_CACHE_DIR too: "cacheDir":
  // "/ci/cache\n" made the directory `cache\n` (a cold cache at every run).
  await using ws = await CliWorkspace.create();
  const file = join(ws.dir, "c.json");
  for (const key of ["cacheDir", "manifest"]) {
    for (const end of ["\n", " ", "\r\n"]) {
      const meant = ws.path(`${key}.d`);
      await Deno.writeTextFile(file, JSON.stringify({ [key]: `${meant}${end}` }));
      assertThrows(
        () => resolveSettings({ configPath: file, cwd: ws.dir, env: { HOME: ws.dir } }),
        ConfigFileError,
        `config file ${file}: "${key}" ${JSON.stringify(`${meant}${end}`)} ends with whitespace`,
      );
    }
  }
  await Deno.writeTextFile(file, JSON.stringify({ cacheDir: ws.path("cache\n") }));
  const r = await ws.run(["cache", "ls"], { VC_CONFIG: file });
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `did you mean ${JSON.stringify(ws.path("cache"))}?`);
  const made: string[] = [];
  for await (const entry of Deno.readDir(ws.dir)) made.push(entry.name);
  assert(!made.some((name) => /\n/.test(name)), made.join(", "));
});
