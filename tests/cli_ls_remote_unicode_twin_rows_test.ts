/**
 * `vc ls-remote` of a bucket holding versions of two paths that are Unicode
 * twins (`café.csv` with `é` precomposed, NFC, as Linux users type it, and
 * with `e` + a combining accent, NFD, as a macOS file name gives it): two
 * different assets, printed as two rows `/d/café.csv` that looked the same
 * and without a word, so a reader could not tell which spelling held which
 * versions, nor that there were two. The twins are now printed with their
 * non-ASCII characters escaped and named in a warning, as `vc ls` and
 * `vc sync` print twin manifest paths; `--json` keeps each path exactly.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli ls-remote: paths that are Unicode twins are printed apart and named", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.mkdir(join(ws.bucketDir, "d"));
  for (const key of ["caf\u00e9.1.0.0.csv", "cafe\u0301.2.0.0.csv", "na\u00efve.1.0.0.csv"]) {
    await Deno.writeTextFile(join(ws.bucketDir, "d", key), `${key}\n`);
  }
  const ls = await ws.run(["ls-remote", "--bucket", ws.bucket]);
  assertEquals(ls.code, 0, ls.stderr);
  const rows = ls.stdout.trim().split("\n").map((line) => line.split(/\s{2,}/));
  // The twins escaped (in UTF-8 order: `e` before `é`), the path without a twin as it is.
  assertEquals(rows, [
    [String.raw`/d/cafe\u0301.csv`, "2.0.0"],
    [String.raw`/d/caf\u00e9.csv`, "1.0.0"],
    ["/d/na\u00efve.csv", "1.0.0"],
  ]);
  assertStringIncludes(ls.stderr, "look the same but are spelled differently in Unicode");
  assertStringIncludes(ls.stderr, String.raw`"/d/cafe\u0301.csv" and "/d/caf\u00e9.csv"`);

  const json = (await ws.run(["ls-remote", "--bucket", ws.bucket, "--json"])).json<
    { path: string }[]
  >();
  assert(json.some((r) => r.path === "/d/cafe\u0301.csv"), JSON.stringify(json));
});
