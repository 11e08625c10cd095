/**
 * A work tree whose repository is named by `GIT_DIR` (`git --git-dir=…
 * --work-tree=…`, a bare repository of dotfiles checked out into `$HOME`, a
 * CI that keeps `.git` elsewhere) has no `.git` of its own: git passes the
 * repository to the merge driver as `GIT_DIR` alone. `vc merge-driver`, run
 * with the permissions `vc` is installed with, reads the rebase's state there,
 * so its markers still say which side is the upstream.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { git, gitOk } from "./git_run.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const manifest = (version: string) => `{\n    "/a.csv": "${version}"\n}\n`;

Deno.test("git rebase with GIT_DIR set: the markers say ours is the upstream", async () => {
  await using ws = await CliWorkspace.create();
  const tree = join(ws.dir, "tree");
  const ok = gitOk(tree);
  await Deno.mkdir(tree);
  await ok("init", "-q", "-b", "main", ".");
  await ok(
    "config",
    "merge.vc.driver",
    `"${Deno.execPath()}" run ${PERMISSION_FLAGS.join(" ")} "${CLI}" merge-driver %O %A %B %P`,
  );
  await ws.write("tree/.gitattributes", "versioned_assets*.json merge=vc\n");
  await ws.write("tree/versioned_assets.json", manifest("1.0.0"));
  await ok("add", ".gitattributes", "versioned_assets.json");
  await ok("commit", "-qm", "base");
  await ok("checkout", "-qb", "mine");
  await ws.write("tree/versioned_assets.json", manifest("1.2.0"));
  await ok("commit", "-qam", "my change: a.csv 1.2.0");
  await ok("checkout", "-q", "main");
  await ws.write("tree/versioned_assets.json", manifest("1.1.0"));
  await ok("commit", "-qam", "upstream: a.csv 1.1.0");
  await ok("checkout", "-q", "mine");
  // The repository moves out of the work tree, named from then on by GIT_DIR.
  const repo = join(ws.dir, "repo.git");
  await Deno.rename(join(tree, ".git"), repo);
  const r = await git(tree, `--git-dir=${repo}`, `--work-tree=${tree}`, "rebase", "main");
  assertEquals(r.code !== 0, true, r.out);
  const text = await ws.read("tree/versioned_assets.json");
  assertStringIncludes(
    text,
    "<<<<<<< ours (vc merge-driver): upstream, being rebased onto\n",
    r.out,
  );
  assertStringIncludes(text, "your commit", r.out);
  assertStringIncludes(r.out, `"1.1.0" upstream`);
});
