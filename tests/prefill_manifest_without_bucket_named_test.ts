// `vc prefill --manifest a.json --manifest b/m.json` where one manifest's own
// project file (the nearest, which wins) names no bucket: the run fails as a
// whole (exit 2), and the error must say which manifest has no bucket and
// which project file it read. "prefill: no bucket configured" alone leaves a
// CI log with many manifests guessing.
import { join } from "../src/path.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("prefill: a manifest whose project file names no bucket is named in the error", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "aaaa");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("vc.json", '{"bucket": "./bucket"}');
  // A sub-project with its own settings file, which wins and names no bucket.
  await ws.write("tools/versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("tools/vc.json", '{"timeout": "1d"}');
  const sub = join(ws.dir, "tools", "versioned_assets.json");

  const r = await ws.run([
    "prefill",
    "--manifest",
    "versioned_assets.json",
    "--manifest",
    "tools/versioned_assets.json",
    "--json",
  ]);
  assertEquals(r.code, 2, r.stderr);
  const doc = JSON.parse(r.stdout) as { error: { message: string } };
  assertStringIncludes(doc.error.message, `no bucket configured for the manifest ${sub}`);
  assertStringIncludes(doc.error.message, join(ws.dir, "tools", "vc.json"));
  assertStringIncludes(r.stderr, `for the manifest ${sub}`);

  // One manifest alone keeps its short message (the manifest is the command's).
  const alone = await ws.run(["prefill", "--manifest", "tools/versioned_assets.json"]);
  assertEquals(alone.code, 2, alone.stderr);
  assertStringIncludes(alone.stderr, "vc: prefill: no bucket configured\n");
});
