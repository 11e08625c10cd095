/**
 * `vc adopt`'s last line: run again, it said "adopted 0 versions" of a
 * bucket whose versions it had all adopted, and of a manifest that pins no
 * version it said the bucket "holds no keys in another naming of 0 paths"
 * (it had looked at none). It now counts those adopted before, and names
 * the manifest that pins none with the way to name the paths.
 */
import { join } from "node:path";
import { assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { writeFile } from "./versioned_helpers.ts";

Deno.test("vc adopt run again counts the versions adopted before", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    const bucket = join(dir, "bucket");
    await writeFile(bucket, "d/t-1.0.0.csv", "a\n");
    await writeFile(bucket, "d/t-1.1.0.csv", "b\n");
    await writeFile(dir, "versioned_assets.json", '{\n    "/d/t.csv": "1.1.0"\n}\n');
    const first = ok(await inProcess(["adopt"]), "adopt");
    assertStringIncludes(first.stderr, "vc: adopted 2 versions of 1 path\n");
    const again = ok(await inProcess(["adopt"]), "adopt again");
    assertStringIncludes(again.stderr, "vc: adopted 0 versions of 1 path (2 adopted before)");
  });
});

Deno.test("vc adopt of a manifest that pins no version names it and the way to name paths", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    await writeFile(join(dir, "bucket"), "d/t-1.0.0.csv", "a\n");
    await writeFile(dir, "versioned_assets.json", "{}\n");
    const run = ok(await inProcess(["adopt"]), "adopt");
    assertStringIncludes(run.stderr, "versioned_assets.json pins no version");
    assertStringIncludes(run.stderr, "vc adopt PATH...");
  });
});
