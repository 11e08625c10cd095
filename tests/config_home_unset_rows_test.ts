/**
 * `vc config` with `HOME` unset (and no `XDG_*`): it printed only the error
 * that the cache directory cannot be determined, no table, though a user runs
 * `vc config` precisely to see what is wrong. It now prints every row it can
 * resolve, marks the cache directory and the config file with the reason,
 * and exits 1 (the cache directory is required); `--json` likewise.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string; error?: string };

// A blank variable counts as unset, as in the README.
const NO_HOME = {
  HOME: "",
  VC_CACHE_DIR: "",
  XDG_CONFIG_HOME: "",
  XDG_CACHE_HOME: "",
  VC_BUCKET: "s3://team-assets",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_REGION: "eu-west-1",
};

Deno.test("vc config with HOME unset: every resolvable row, the cache dir and config file marked, exit 1", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config"], NO_HOME);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "cannot determine the default cache directory: HOME is not set");
  const line = (name: string) => r.stdout.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
  assertStringIncludes(line("bucket"), "s3://team-assets");
  assertStringIncludes(line("s3Endpoint"), "http://127.0.0.1:9");
  assertStringIncludes(line("s3Region"), "eu-west-1");
  assertStringIncludes(line("cacheDir"), "error: cannot determine the default cache directory");
  assertStringIncludes(line("configFile"), "HOME is not set (set VC_CONFIG or XDG_CONFIG_HOME)");
});

// The cacheDir row said "or pass the cacheDir option", the library's words,
// beside the stderr line's "or pass --cache-dir": `vc config` names the flag.
Deno.test("vc config with HOME unset: the cacheDir row names --cache-dir, as stderr does, not the library's option", async () => {
  await using ws = await CliWorkspace.create();
  for (const args of [["config"], ["config", "--json"]]) {
    const r = await ws.run(args, NO_HOME);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "or pass --cache-dir");
    assertStringIncludes(r.stdout, "or pass --cache-dir");
    assertEquals(r.stdout.includes("cacheDir option"), false, r.stdout);
  }
});

Deno.test("vc config --json with HOME unset: one document with the rows and an error per failed row", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"], NO_HOME);
  assertEquals(r.code, 1, r.stderr);
  const rows = JSON.parse(r.stdout) as Row[];
  const row = (name: string) => rows.find((x) => x.name === name);
  assertEquals(row("bucket")?.value, "s3://team-assets");
  assertEquals(row("s3Endpoint")?.value, "http://127.0.0.1:9");
  assertEquals(row("s3Region")?.value, "eu-west-1");
  assertEquals(row("cacheDir")?.value, null);
  assertStringIncludes(row("cacheDir")?.error ?? "", "HOME is not set");
  assertEquals(row("configFile")?.value, null);
  assertStringIncludes(row("configFile")?.error ?? "", "HOME is not set");
  // The rows that did resolve carry no error.
  assert(row("bucket")?.error === undefined && row("timeout")?.error === undefined);
});

Deno.test("vc config with HOME unset but VC_CACHE_DIR set: exit 0, the config file row says why there is none", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"], { ...NO_HOME, VC_CACHE_DIR: ws.path("c") });
  assertEquals(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Row[];
  assertEquals(rows.find((x) => x.name === "cacheDir")?.value, ws.path("c"));
  assertStringIncludes(rows.find((x) => x.name === "configFile")?.error ?? "", "HOME is not set");
});
