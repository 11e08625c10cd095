/**
 * `vc repo restore SNAPSHOT` into the repository's own PostgreSQL catalog
 * takes the catalog as this machine names it in `VC_REPO_CATALOG`, as every
 * other `vc repo` command does: with `PGPASSWORD`, a restore without
 * `--catalog` was refused (`PGPASSWORD was not sent: the catalog … is named
 * only by …/.vc-repo.json`) where `vc repo backup` just before it worked. The
 * URL given so must name the marker's catalog, as it must for the others:
 * `Repository.restore`'s `postgresUrl` never restores into a catalog the
 * marker does not name.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { runVc } from "./cli_process.ts";

const PASSWORD = "restore-env-secret";

async function vc(args: string[], env: Record<string, string>) {
  const run = await runVc(args, env);
  return { ...run, stdout: run.stdout.trim() };
}

/**
 * This machine names the repository at `uri` and its catalog `catalog`, with
 * the catalog's password in PGPASSWORD (no password file).
 */
function namedHere(dir: string, uri: string, catalog: string): Record<string, string> {
  return {
    PGPASSFILE: `${dir}/no-pgpass`,
    PGPASSWORD: PASSWORD,
    VC_REPO: uri,
    VC_REPO_CATALOG: catalog,
  };
}

Deno.test({
  name:
    "repo restore: VC_REPO_CATALOG and PGPASSWORD restore into the repository's own PostgreSQL catalog; another catalog is refused (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_catalog_env_" });
    try {
      const uri = `file://${dir}/repo`;
      const env = namedHere(dir, uri, pg.url);
      const init = await vc(["repo", "init", "--catalog", pg.url], env);
      assertEquals(init.code, 0, init.stderr);
      await Deno.writeTextFile(`${dir}/a.txt`, "a");
      const add = await vc(["repo", "add", "/a.txt", `${dir}/a.txt`, "--tag", "raw"], env);
      assertEquals(add.code, 0, add.stderr);
      const backup = await vc(["repo", "backup"], env);
      assertEquals(backup.code, 0, backup.stderr);
      const snapshot = backup.stdout;
      // The same machine, the same environment: the restore works too.
      const restore = await vc(["repo", "restore", snapshot, "--force"], env);
      assertEquals(restore.code, 0, restore.stderr);
      assertStringIncludes(restore.stdout + restore.stderr, "restored 1 record");
      const ls = await vc(["repo", "ls", "--json"], env);
      assertEquals(ls.code, 0, ls.stderr);
      assertEquals(JSON.parse(ls.stdout).length, 1);

      // A VC_REPO_CATALOG naming another catalog is refused before any
      // connection, as for every other command.
      const other = await pg.createDatabase("other");
      const refused = await vc(["repo", "restore", snapshot, "--force"], {
        ...env,
        VC_REPO_CATALOG: other,
      });
      assertEquals(refused.code === 0, false, refused.stderr);
      assertStringIncludes(refused.stderr, "is not the repository's catalog");
      // In code, too: postgresUrl names the catalog restored into, and must
      // be the marker's.
      await assertRejects(
        () =>
          Repository.restore(uri, snapshot, {
            postgresUrl: other,
            force: true,
            env: { PGPASSWORD: PASSWORD, PGPASSFILE: env.PGPASSFILE },
          }),
        InvalidInputError,
        "is not the repository's catalog",
      );
      // Nothing was restored there.
      const there = await vc(["repo", "ls", "--json"], env);
      assertEquals(there.code, 0, there.stderr);
      assertEquals(JSON.parse(there.stdout).length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "repo restore: a move off a password-protected PostgreSQL catalog named by VC_REPO_CATALOG counts the records it would leave behind (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_catalog_env_move_" });
    try {
      const uri = `file://${dir}/repo`;
      const env = namedHere(dir, uri, pg.url);
      await Deno.writeTextFile(`${dir}/a.txt`, "a");
      assertEquals((await vc(["repo", "init", "--catalog", pg.url], env)).code, 0);
      assertEquals((await vc(["repo", "add", "/a.txt", `${dir}/a.txt`], env)).code, 0);
      const backup = await vc(["repo", "backup"], env);
      assertEquals(backup.code, 0, backup.stderr);
      // Added after the snapshot: a move would leave it behind.
      assertEquals((await vc(["repo", "add", "/b.txt", `${dir}/a.txt`], env)).code, 0);
      const into = `sqlite:${dir}/moved.sqlite`;
      // Before, the catalog moved from was opened without PGPASSWORD, its
      // count failed, and the move went on: /b.txt was left in no catalog the
      // repository reads, its content for gc.
      const refused = await vc(["repo", "restore", backup.stdout, "--catalog", into], env);
      assertEquals(refused.code === 0, false, refused.stderr);
      assertStringIncludes(refused.stderr, "holds 1 record that");
      assertStringIncludes(refused.stderr, "nothing was restored");
      // With --force the move is made, and says what it left behind.
      const forced = await vc(
        ["repo", "restore", backup.stdout, "--catalog", into, "--force"],
        env,
      );
      assertEquals(forced.code, 0, forced.stderr);
      assertStringIncludes(forced.stderr, "1 record");
      const ls = await vc(["repo", "ls", "--json"], { ...env, VC_REPO_CATALOG: into });
      assertEquals(ls.code, 0, ls.stderr);
      assertEquals(JSON.parse(ls.stdout).map((r: { path: string }) => r.path), ["/a.txt"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
