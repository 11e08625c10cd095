/**
 * A newcomer who clones a project whose manifest pins assets, but whose
 * bucket is set only in CI's environment, runs `vc prefill` (or
 * `deno task prefill`, or `vc path`) with no bucket set. The hint said to
 * start a new plain-directory store (`--bucket ./assets`, "made by the first
 * write"), which holds none of the pinned versions: the next run failed on
 * every entry with "does not exist". With a manifest there, the hint names
 * it and asks for the bucket its versions were added to, and says how a
 * project names it once for everyone (`"bucket"` in a `vc.json` beside it).
 * Without a manifest (a first `vc add`), the plain-directory example stays.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

for (const args of [["prefill"], ["path", "/x.csv"]]) {
  Deno.test(`no bucket configured, a manifest there: vc ${args[0]}'s hint asks for its bucket`, async () => {
    await using ws = await CliWorkspace.create();
    await ws.write("versioned_assets.json", '{\n  "/x.csv": "1.0.0"\n}\n');
    const refused = await ws.run(args);
    assertEquals(refused.code, 2, refused.stderr);
    assertStringIncludes(refused.stderr, `${args[0]}: no bucket configured`);
    assertStringIncludes(refused.stderr, "the bucket the versions of the manifest");
    assertStringIncludes(refused.stderr, "versioned_assets.json were added to");
    assertStringIncludes(refused.stderr, `{"bucket": "s3://…"} in a vc.json beside it`);
    // A new directory holds none of the pinned versions: not offered here.
    assert(!refused.stderr.includes("--bucket ./assets"), refused.stderr);
    assert(!refused.stderr.includes("made by the first write"), refused.stderr);
  });
}

Deno.test("no bucket configured, a manifest there: a misspelled VC_BUCKET is still named first", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{\n  "/x.csv": "1.0.0"\n}\n');
  const refused = await ws.run(["prefill"], { VC_BUCKETS: "s3://team-assets" });
  assertEquals(refused.code, 2, refused.stderr);
  assertStringIncludes(refused.stderr, "VC_BUCKETS is set, but vc reads no such variable");
  assertStringIncludes(refused.stderr, "versioned_assets.json were added to");
});

for (const command of ["prefill", "path"]) {
  Deno.test(`no bucket configured, a directory given as the manifest: vc ${command} names the file in it`, async () => {
    await using ws = await CliWorkspace.create();
    const args = command === "path" ? ["path", "/x.csv"] : [command];
    const refused = await ws.run([...args, "--manifest", "."]);
    assertEquals(refused.code, 2, refused.stderr);
    assertStringIncludes(refused.stderr, `${command}: no bucket configured`);
    assertStringIncludes(refused.stderr, `the manifest ${ws.dir} is a directory, not a file`);
    assertStringIncludes(refused.stderr, `--manifest ${join(ws.dir, "versioned_assets.json")}`);
    // It exists: neither a manifest's bucket nor "does not exist" is said of it.
    assert(!refused.stderr.includes("were added to"), refused.stderr);
    assert(!refused.stderr.includes("does not exist"), refused.stderr);
  });
}

for (const args of [["prefill"], ["path", "/x.csv"]]) {
  Deno.test(`no bucket configured, a manifest there and a project file without "bucket": vc ${args[0]}'s hint names that file`, async () => {
    await using ws = await CliWorkspace.create();
    // The team's settings, one directory up: a vc.json beside the manifest
    // would win over them all (timeout included) without a word.
    await ws.write("deno.json", JSON.stringify({ tasks: {}, vc: { timeout: "1h" } }));
    await ws.write("app/versioned_assets.json", '{\n  "/x.csv": "1.0.0"\n}\n');
    const refused = await ws.run([
      ...args,
      "--manifest",
      join(ws.dir, "app/versioned_assets.json"),
    ]);
    assertEquals(refused.code, 2, refused.stderr);
    assertStringIncludes(refused.stderr, "versioned_assets.json were added to");
    assertStringIncludes(
      refused.stderr,
      `its project file ${
        join(ws.dir, "deno.json")
      } names none: add "bucket": "s3://…" to its "vc" block`,
    );
    assert(!refused.stderr.includes("in a vc.json beside it"), refused.stderr);
  });
}
