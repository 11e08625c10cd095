/**
 * git hands a merge driver its sides as temporary files (`.merge_file_XXXXXX`),
 * gone once the merge is over, and names the file being merged only through
 * `%P`. A driver set up as `vc merge-driver %O %A %B %P` names that file in
 * what it says (a side it cannot read, each conflict), where it named the
 * temporary file and nothing at all: with both the manifest and its lock file
 * in conflict, the user could not tell which file a conflict line was of.
 * Set up without `%P` it works as before.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { git, repoWithMergeDriver } from "./git_run.ts";

/** Merges a branch whose manifest is `mine` into main, whose manifest moved /a.csv to 1.1.0. */
async function merged(ws: CliWorkspace, mine: string): Promise<string> {
  const ok = await repoWithMergeDriver(ws.dir, "%O %A %B %P");
  await ws.write(".gitattributes", "*.json merge=vc\n");
  await ws.write("data assets.json", '{\n    "/a.csv": "1.0.0"\n}\n');
  await ok("add", ".");
  await ok("commit", "-qm", "base");
  await ok("checkout", "-qb", "mine");
  await ws.write("data assets.json", mine);
  await ok("commit", "-qam", "mine");
  await ok("checkout", "-q", "main");
  await ws.write("data assets.json", '{\n    "/a.csv": "1.1.0"\n}\n');
  await ok("commit", "-qam", "upstream");
  const r = await git(ws.dir, "merge", "mine");
  assertEquals(r.code !== 0, true, r.out);
  return r.out;
}

Deno.test("merge-driver with %P: a side it cannot read is named by the file git merges", async () => {
  await using ws = await CliWorkspace.create();
  const out = await merged(ws, '{\n    "/a.csv": "1.2.0",\n}\n');
  assertStringIncludes(out, "data assets.json (theirs)");
  assertEquals(out.includes(".merge_file_"), false, out);
});

Deno.test("merge-driver with %P: each conflict line names the file", async () => {
  await using ws = await CliWorkspace.create();
  const out = await merged(ws, '{\n    "/a.csv": "1.2.0"\n}\n');
  assertStringIncludes(out, 'vc merge-driver: data assets.json: conflict: /a.csv: "1.1.0" here');
});
