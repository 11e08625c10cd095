/**
 * A repository whose SQLite catalog is lost (a disk replaced, the file
 * removed): every command said only `does not exist (was the repository
 * initialised on this machine?)`, which points at `vc repo init` (another
 * repository, which refuses the snapshots) and not at the backups the store
 * holds. The error now names the way back, and the README's recipe (the
 * newest snapshot under `backups/`, restored) brings the records back while
 * gc, refused meanwhile, has deleted no content.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo: a lost SQLite catalog points at restore, and the newest backup rebuilds it", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    // Each command's repeats, the refusals among them, run in-process.
    const vc = firstAsProcess(process, inProcess);
    const repo = join(dir, "repo");
    const env = { VC_REPO: `file://${repo}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    ok(await vc(["repo", "init"], env), "init");
    ok(await vc(["repo", "add", "/a.csv", "a.csv", "--tag", "raw"], env), "add");
    ok(await vc(["repo", "backup"], env), "first backup");
    ok(await vc(["repo", "add", "/b.csv", "a.csv"], env), "add b");
    ok(await vc(["repo", "backup"], env), "second backup");
    const content = () => [...Deno.readDirSync(join(repo, "content"))].length;
    const contentDirs = content();

    for (const name of [".vc~repo.sqlite", ".vc~repo.sqlite-wal", ".vc~repo.sqlite-shm"]) {
      await Deno.remove(join(repo, name)).catch(() => {});
    }
    for (const args of [["repo", "ls"], ["repo", "gc", "--grace", "0s"]]) {
      const lost = await vc(args, env);
      assertEquals(lost.code, 1, lost.stderr);
      assertStringIncludes(lost.stderr, "does not exist");
      assertStringIncludes(lost.stderr, "vc repo restore SNAPSHOT");
      assertStringIncludes(lost.stderr, "backups/");
    }
    assertEquals(content(), contentDirs);

    // The newest snapshot sorts last by name.
    const snapshots = [...Deno.readDirSync(join(repo, "backups"))]
      .map((e) => e.name).filter((n) => n.endsWith(".jsonl.gz")).sort();
    assertEquals(snapshots.length, 2);
    const restored = ok(
      await vc(["repo", "restore", join(repo, "backups", snapshots[1]!)], env),
      "restore",
    );
    assertStringIncludes(restored.stdout, "restored 2 records, 1 tag");
    const paths = JSON.parse(ok(await vc(["repo", "ls", "--json"], env), "ls").stdout)
      .map((r: { path: string }) => r.path);
    assertEquals(paths, ["/a.csv", "/b.csv"]);
  });
});
