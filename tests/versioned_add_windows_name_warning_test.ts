/**
 * `vc add /con/x.csv` (or `/data/a:b.csv`, `/data/dir./x.csv`, `/aux.txt`)
 * on Linux or macOS published for good a path that no Windows checkout can
 * hold as a file: a teammate's `vc sync` on Windows refuses the whole
 * manifest over it, and published versions are never removed. It is not
 * refused (such names are real files on Linux), but said before the upload
 * (once nothing refuses it: a refused add says nothing of publishing),
 * naming the segment and why, as `add` says of a letter-case twin.
 */
import { join } from "node:path";
import { VersionedCache } from "../src/versioned/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("add of a path Windows cannot hold as a file warns first, naming the segment", async () => {
  await using dir = await tempDir("vc_add_windows_name_");
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "x\n");
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: join(dir.path, "bucket"),
  });
  const cases: Array<[string, string]> = [
    ["/con/x.csv", 'segment "con" is a device name on Windows'],
    ["/data/a:b.csv", 'segment "a:b.csv" holds a character Windows file names cannot'],
    ["/data/dir./x.csv", 'segment "dir." ends with a dot or a space'],
    ["/AUX.txt", 'segment "AUX.txt" is a device name on Windows'],
  ];
  for (const [path, why] of cases) {
    const warnings: Array<{ key: string; message: string }> = [];
    assertEquals(await vc.add(path, file, { onWarning: (w) => warnings.push(w) }), "1.0.0");
    assertEquals(warnings.length, 1, `${path}: ${JSON.stringify(warnings)}`);
    assertStringIncludes(warnings[0]!.message, why);
    assertStringIncludes(warnings[0]!.message, "`sync()` on Windows");
  }
  // A refused add publishes nothing, so says nothing of publishing it.
  const refused: unknown[] = [];
  await assertRejects(() => vc.add("/con/x.csv", file, { onWarning: (w) => refused.push(w) }));
  assertEquals(refused, []);
  // An ordinary name: no warning.
  const none: unknown[] = [];
  await vc.add("/data/ok.csv", file, { onWarning: (w) => none.push(w) });
  assertEquals(none, []);
});

Deno.test("vc add prints the warning and publishes", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("t.csv", "x\n");
  const r = await ws.vc("add", "/con/x.csv", file);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "vc: warning: /con/x.csv cannot be a file on Windows");
});
