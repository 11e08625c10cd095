/**
 * `VC_REPO_CATALOG` names the repository's catalog for every `vc repo`
 * command, `init` included. `init` read only `--catalog`, so with the
 * variable set it made the default SQLite catalog beside the content and
 * every later command (which reads the variable) was refused as naming
 * another catalog than the marker's.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo init: VC_REPO_CATALOG names the catalog it creates, as for every later command", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess);
    const repo = join(dir, "repo");
    const catalogFile = join(dir, "catalogs", "shared.sqlite");
    await Deno.mkdir(join(dir, "catalogs"));
    const env = { VC_REPO: `file://${repo}`, VC_REPO_CATALOG: `sqlite:${catalogFile}` };
    const init = ok(await vc(["repo", "init", "--json"], env), "init");
    assertStringIncludes(JSON.parse(init.stdout).catalog, catalogFile);
    assert(Deno.statSync(catalogFile).isFile, "the catalog VC_REPO_CATALOG names was made");
    const beside = [...Deno.readDirSync(repo)].map((e) => e.name).filter((n) =>
      n.includes("sqlite")
    );
    assertEquals(beside, [], "no default catalog made beside the content");

    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    ok(await vc(["repo", "add", "/a.csv", join(dir, "a.csv")], env), "add");
    const paths = JSON.parse(ok(await vc(["repo", "ls", "--json"], env), "ls").stdout)
      .map((r: { path: string }) => r.path);
    assertEquals(paths, ["/a.csv"]);
  });
});

Deno.test("vc repo init: --catalog wins over VC_REPO_CATALOG, as for the other commands", async () => {
  await withWorkspace(async (dir, _process, inProcess) => {
    const repo = join(dir, "repo");
    const flagged = join(dir, "flag.sqlite");
    const env = { VC_REPO: `file://${repo}`, VC_REPO_CATALOG: `sqlite:${join(dir, "env.sqlite")}` };
    ok(await inProcess(["repo", "init", "--catalog", `sqlite:${flagged}`], env), "init");
    assert(Deno.statSync(flagged).isFile);
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("env.sqlite")),
      [],
    );
  });
});
