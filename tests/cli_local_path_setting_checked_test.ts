/**
 * Every local path setting takes a leading `~` as HOME and refuses a URI, `-`
 * and a variable's whitespace at an end. Two did not: `vc serve add-token
 * --token-file s3://b/t.json` (or `-`, or `--token-file=~/t.json`, or
 * `VC_SERVE_TOKEN_FILE="t.json\n"` from a YAML block) created `./s3:/b/t.json`,
 * `./-`, `./~/t.json` or `t.json\n` and reported success; and `vc prefill
 * --manifest=~/m.json` looked for `./~/m.json` (only the last `--manifest`
 * reached the settings' check, so the others were taken as they were).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { join } from "node:path";

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("serve add-token: --token-file and VC_SERVE_TOKEN_FILE are checked local paths", async () => {
  await using ws = await CliWorkspace.create();
  const before = await entries(ws.dir);
  for (const value of ["s3://b/t.json", "-"]) {
    const r = await ws.run(["serve", "add-token", "alice", "--token-file", value]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `--token-file`);
  }
  for (const value of ["t.json\n", "t.json ", " ", "s3://b/t.json"]) {
    const r = await ws.run(["serve", "add-token", "alice"], { VC_SERVE_TOKEN_FILE: value });
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "VC_SERVE_TOKEN_FILE");
  }
  // `vc serve` reads the same setting the same way, before it opens the store.
  const serve = await ws.run(["serve", "--store", ws.bucket], { VC_SERVE_TOKEN_FILE: "t.json\n" });
  assertEquals(serve.code, 1, serve.stderr);
  assertStringIncludes(serve.stderr, 'VC_SERVE_TOKEN_FILE "t.json\\n" ends with whitespace');
  assertEquals(await entries(ws.dir), before);

  const home = ws.env.HOME!;
  const flag = await ws.run(["serve", "add-token", "alice", "--token-file=~/t.json"]);
  assertEquals(flag.code, 0, flag.stderr);
  const env = await ws.run(["serve", "add-token", "bob"], { VC_SERVE_TOKEN_FILE: "~/t.json" });
  assertEquals(env.code, 0, env.stderr);
  assertEquals(Object.values(JSON.parse(await Deno.readTextFile(join(home, "t.json")))).sort(), [
    "alice",
    "bob",
  ]);
  assertEquals(await entries(ws.dir), before);
});

Deno.test("prefill: each --manifest takes ~ as HOME and refuses a URI", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  const add = await ws.run(["add", "/a.csv", "a.csv", "--bucket", ws.bucket], {
    VC_MANIFEST: "~/m.json",
  });
  assertEquals(add.code, 0, add.stderr);
  await ws.write("n.json", "{}\n");

  const prefill = await ws.run(
    ["prefill", "--json", "--bucket", ws.bucket, "--manifest=~/m.json", "--manifest", "n.json"],
  );
  assertEquals(prefill.code, 0, prefill.stderr);
  assertEquals(prefill.json<{ total: number; fetched: number }>().fetched, 1);

  const uri = await ws.run(
    ["prefill", "--bucket", ws.bucket, "--manifest", "s3://b/m.json", "--manifest", "n.json"],
  );
  assertEquals(uri.code, 2, uri.stderr);
  assertStringIncludes(uri.stderr, '--manifest must be a local path, got the URI "s3://b/m.json"');
});
