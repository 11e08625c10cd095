/**
 * `vc repo backup -` wrote the snapshot to a file named "-" in the working
 * directory and printed "-", so `vc repo backup - | aws s3 cp - s3://…`
 * uploaded two bytes as the backup; `vc repo restore -` read that stale file
 * (or said "- not found"), never standard input. A DEST_URI of `~/b.jsonl.gz`
 * (quoted, or from a variable: no shell expands it) made a directory `./~`.
 * Now `-` is a usage error that says to give a path (`./-` for a file of that
 * name), as `--lock -` and `vc repo add P -` are, and a leading `~` is the
 * home directory, as for `--manifest`.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo backup/restore: - is refused, ./- is a file, ~/ is the home directory", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    ok(await vc(["repo", "init"], env), "init");
    ok(await vc(["repo", "add", "/a.csv", "a.csv"], env), "add");

    for (const args of [["repo", "backup", "-"], ["repo", "restore", "-", "--force"]]) {
      const dash = await vc(args, env);
      assertEquals(dash.code, 2, dash.stderr);
      assertEquals(dash.stdout, "");
      assertStringIncludes(dash.stderr, "no standard input and writes no standard output");
      assertStringIncludes(dash.stderr, "./-");
    }
    assertEquals(await Deno.lstat(join(dir, "-")).catch(() => "absent"), "absent");

    const named = ok(await vc(["repo", "backup", "./-"], env), "backup ./-").stdout.trim();
    assertEquals(named, join(dir, "-"));
    ok(await vc(["repo", "restore", "./-", "--force"], env), "restore ./-");

    const home = ok(await vc(["repo", "backup", "~/b.jsonl.gz"], env), "backup ~/").stdout.trim();
    assertEquals(home, join(dir, "home", "b.jsonl.gz"));
    assertEquals(await Deno.lstat(join(dir, "~")).catch(() => "absent"), "absent");
    const restored = ok(await vc(["repo", "restore", "~/b.jsonl.gz", "--force"], env), "restore");
    assertStringIncludes(restored.stdout, `restored 1 record, 0 tags from ${home}`);

    const empty = await vc(["repo", "backup", ""], env);
    assertEquals(empty.code, 2, empty.stderr);
    assertStringIncludes(empty.stderr, "DEST_URI is empty");
  });
});
