/**
 * A team names its bucket once, in a `vc.json` (or the `"vc"` block of
 * `deno.json`) beside the manifest. When that bucket is wrong (a directory
 * not there, a bucket without the pinned version), vc told the newcomer to
 * "check --bucket or VC_BUCKET", neither of which they had set: the advice
 * now names a project file's `"bucket"` too, and `vc config`, which says
 * which of them is in use.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a project file's bucket that is wrong: the advice names the project file and vc config", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{\n  "/a.txt": "1.0.0"\n}\n');
  await ws.write("vc.json", '{"bucket": "./no-such-dir"}');
  const path = await ws.run(["path", "/a.txt"]);
  assertEquals(path.code, 1, path.stderr);
  assertStringIncludes(path.stderr, `check --bucket, VC_BUCKET or a project file's "bucket"`);
  assertStringIncludes(path.stderr, "(vc config shows which)");
  const prefill = await ws.run(["prefill"]);
  assertEquals(prefill.code, 1, prefill.stderr);
  assertStringIncludes(prefill.stderr, `check --bucket, VC_BUCKET or a project file's "bucket"`);
  // It is what vc config names as the bucket's source.
  const config = await ws.run(["config"]);
  assertStringIncludes(config.stdout, `project ${ws.dir}`);
});
