/**
 * A directory with both a `vc.json` and a `deno.json` (or `deno.jsonc`) with
 * a `"vc"` block: the `vc.json` wins, as before, but the deno.json's block
 * was ignored without a word. Now every command that reads the project
 * settings warns once, on stderr, naming both files, and `vc config` shows
 * the ignored file. A `deno.json` without a `"vc"` block beside a `vc.json`
 * is no news: nothing is printed.
 */
import { findProjectConfig } from "../src/config.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string };

for (const denoName of ["deno.json", "deno.jsonc"]) {
  Deno.test(`vc.json beside a ${denoName} with a "vc" block: vc.json wins, with a warning naming both`, async () => {
    await using ws = await CliWorkspace.create();
    await ws.write("versioned_assets.json", "{}");
    const vcJson = await ws.write("vc.json", JSON.stringify({ bucket: "./bucket" }));
    const deno = await ws.write(
      denoName,
      '{\n  // the team\'s settings\n  "vc": { "bucket": "other-bucket", "timeout": "1h" },\n}\n',
    );
    const warning = (stderr: string) =>
      stderr.split("\n").filter((l) => l.startsWith("vc: warning:") && l.includes('"vc" block'));
    // The cache commands too, which check the cache dir before opening the
    // cache: once, not once per look at the settings.
    for (
      const args of [
        ["ls"],
        ["path", "/a"],
        ["cache", "dir"],
        ["cache", "ls"],
        ["cache", "verify"],
        ["cache", "prune", "--older-than", "1d"],
        ["cache", "rm", "s3://b/a.csv"],
        ["cache", "invalidate", "s3://b/a.csv"],
      ]
    ) {
      const r = await ws.run(args);
      const lines = warning(r.stderr);
      assertEquals(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
      assert(lines[0]!.includes(vcJson) && lines[0]!.includes(deno), lines[0]);
    }
    const r = await ws.run(["config", "--json"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(warning(r.stderr).length, 1, r.stderr);
    const rows = r.json<Row[]>();
    const row = (name: string) => rows.find((x) => x.name === name);
    assertEquals(row("bucket")?.value, `file://${ws.bucketDir}`);
    assertEquals(row("bucket")?.source, `project ${vcJson}`);
    assertEquals(row("timeout")?.source, "default");
    assertEquals(row("projectFile")?.value, vcJson);
    assertEquals(row("ignoredProjectFile")?.value, deno);
    assert(row("ignoredProjectFile")?.source.includes(vcJson), row("ignoredProjectFile")?.source);
    // --quiet: no warning.
    assertEquals(warning((await ws.run(["ls", "--quiet"])).stderr).length, 0);
    // The library reports it.
    assertEquals(findProjectConfig(ws.dir)?.ignored, deno);
  });
}

Deno.test("vc.json beside a deno.json without a vc block (or one vc cannot parse): nothing is printed", async () => {
  await using ws = await CliWorkspace.create();
  // One entry: `vc ls` of an empty manifest says it is empty.
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("vc.json", JSON.stringify({ bucket: "./bucket" }));
  for (const text of ['{"tasks": {"x": "echo"}}', "{ not json"]) {
    await ws.write("deno.json", text);
    const ls = await ws.run(["ls"]);
    assertEquals([ls.code, ls.stderr], [0, ""]);
    const config = await ws.run(["config", "--json"]);
    assertEquals([config.code, config.stderr], [0, ""]);
    assertEquals(config.json<Row[]>().some((x) => x.name === "ignoredProjectFile"), false);
    assertEquals(findProjectConfig(ws.dir)?.ignored, undefined);
  }
});
