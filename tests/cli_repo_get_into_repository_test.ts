/**
 * `vc repo get ID --to FILE` where FILE is one of the repository's own files:
 * the copy replaced it as `cp` would, so `--to REPO/.vc-repo.json` destroyed
 * the repository (every later command: "not valid JSON"), `--to` another
 * record's content object changed that record's bytes behind its MD5, and a
 * copy under `content/` was deleted by the next gc. Now a usage error naming
 * what is there (also through a symbolic link), and nothing is written.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo get --to refuses the repository's marker, catalog, content and backups", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    // Each command's repeats, the refusals among them, run in-process.
    const vc = firstAsProcess(process, inProcess);
    const repo = join(dir, "repo");
    const env = { VC_REPO: `file://${repo}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "b.csv"), "bb\n");
    ok(await vc(["repo", "init"], env), "init");
    const a = ok(await vc(["repo", "add", "/a.csv", "a.csv"], env), "add a").stdout.trim();
    const b = ok(await vc(["repo", "add", "/b.csv", "b.csv"], env), "add b").stdout.trim();
    const record = JSON.parse(ok(await vc(["repo", "get", a, "--json"], env), "get").stdout);
    const backup = ok(await vc(["repo", "backup"], env), "backup").stdout.trim();
    await Deno.symlink(repo, join(dir, "link"));
    const marker = await Deno.readTextFile(join(repo, ".vc-repo.json"));
    const cases: [string, string][] = [
      [join(repo, ".vc-repo.json"), "the repository's marker"],
      [join(repo, ".vc~repo.sqlite"), "the repository's SQLite catalog"],
      [join(repo, ".vc~repo.sqlite-wal"), "the repository's SQLite catalog"],
      [join(repo, record.contentKey), "under the repository's content/"],
      [join(repo, "content", "new.csv"), "under the repository's content/"],
      [join(repo, "content") + "/", "under the repository's content/"],
      [new URL(backup).pathname, "under the repository's backups/"],
      [join(dir, "link", ".vc-repo.json"), "the repository's marker"],
    ];
    for (const [to, what] of cases) {
      const result = await vc(["repo", "get", b, "--to", to], env);
      assertEquals(result.code, 2, `--to ${to}: ${result.stderr}`);
      assertStringIncludes(result.stderr, what, to);
    }
    assertEquals(await Deno.readTextFile(join(repo, ".vc-repo.json")), marker);
    assertEquals(await Deno.readTextFile(join(repo, record.contentKey)), "a\n");
    ok(await vc(["repo", "check"], env), "check: nothing changed");
    // A file of one's own beside the repository's is fine.
    ok(await vc(["repo", "get", b, "--to", join(repo, "b-copy.csv")], env), "get --to beside");
    assertEquals(await Deno.readTextFile(join(repo, "b-copy.csv")), "bb\n");
  });
});
