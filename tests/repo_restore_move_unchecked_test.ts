/**
 * A move to another catalog (`vc repo restore SNAPSHOT --catalog NEW`) counts
 * the records the catalog it moves from holds that the snapshot does not
 * (added since it was taken), and refuses to leave them behind without
 * `--force`. When that catalog cannot be read (no password sent to it: only
 * PGPASSWORD set and nobody naming it on this machine; a dead server; a
 * damaged file), the move still goes on (refusing would block moving off a
 * dead server), but before, nothing said the count was skipped: the restore
 * printed `restored 1 record` as if nothing could be left behind. It now
 * says which catalog was not checked, why, and how to check it
 * (`leftBehindUnchecked` in the library). A PostgreSQL server that is up but
 * refuses the login (a wrong password, or none sent) is no dead catalog:
 * workers logged in before may still write there, so that move is refused
 * without `--force`, and the hint names the old catalog by
 * `VC_REPO_CATALOG` (it suggested `--catalog OLD`, which in a move names the
 * new one).
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { runVc } from "./cli_process.ts";

const PASSWORD = "move-unchecked-secret";

async function vc(args: string[], env: Record<string, string>) {
  const run = await runVc(args, env);
  return { ...run, stdout: run.stdout.trim() };
}

Deno.test("repo restore --catalog: a move off a damaged catalog says the records left behind were not counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_move_unchecked_" });
  try {
    const uri = `file://${join(dir, "repo")}`;
    const snapshot = join(dir, "snap.jsonl.gz");
    const old = join(dir, "old.sqlite");
    {
      await using repo = await Repository.init(uri, { catalog: `sqlite:${old}` });
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(snapshot);
    }
    // The catalog moved from is lost: no count of what it holds is possible.
    for (const file of [old, `${old}-wal`, `${old}-shm`]) {
      await Deno.remove(file).catch(() => {});
    }
    await Deno.writeTextFile(old, "not a database any more, not a database any more\n".repeat(200));
    const counts = await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${join(dir, "moved.sqlite")}`,
    });
    assertEquals([counts.records, counts.leftBehind], [1, undefined]);
    assert(counts.leftBehindUnchecked !== undefined, "the skipped count is reported");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore --catalog: a move that could count what it leaves behind reports no unchecked count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_move_checked_" });
  try {
    const uri = `file://${join(dir, "repo")}`;
    const snapshot = join(dir, "snap.jsonl.gz");
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(snapshot);
    }
    const counts = await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${join(dir, "moved.sqlite")}`,
    });
    assertEquals([counts.leftBehind, counts.leftBehindUnchecked], [0, undefined]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A repository on a password-protected PostgreSQL catalog, backed up, then one record added. */
async function pgRepoWithRecordSinceBackup(dir: string, url: string) {
  const uri = `file://${dir}/repo`;
  const env = {
    PGPASSFILE: `${dir}/no-pgpass`,
    PGPASSWORD: PASSWORD,
    VC_REPO: uri,
    VC_CACHE_DIR: `${dir}/cache`,
    VC_REPO_CATALOG: "",
  };
  const named = { ...env, VC_REPO_CATALOG: url };
  await Deno.writeTextFile(`${dir}/a.txt`, "a");
  assertEquals((await vc(["repo", "init", "--catalog", url], named)).code, 0);
  assertEquals((await vc(["repo", "add", "/a.txt", `${dir}/a.txt`], named)).code, 0);
  const backup = await vc(["repo", "backup"], named);
  assertEquals(backup.code, 0, backup.stderr);
  assertEquals((await vc(["repo", "add", "/b.txt", `${dir}/a.txt`], named)).code, 0);
  return { env, named, snapshot: backup.stdout, into: `sqlite:${dir}/moved.sqlite` };
}

Deno.test({
  name:
    "repo restore --catalog: a move off a live PostgreSQL catalog that gets no password is refused without --force, naming it by VC_REPO_CATALOG, never --catalog (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_move_login_refused_pg_" });
    try {
      const { env, named, snapshot, into } = await pgRepoWithRecordSinceBackup(dir, pg.url);
      // Only PGPASSWORD: the catalog moved from is named by the marker alone
      // and gets no password, but its server is up: workers may still write
      // there, so the move is refused and nothing changes.
      const moved = await vc(["repo", "restore", snapshot, "--catalog", into], env);
      assertEquals(moved.code === 0, false, moved.stderr);
      assertStringIncludes(moved.stderr, "refused the login");
      assertStringIncludes(moved.stderr, "nothing was restored");
      assertStringIncludes(moved.stderr, `VC_REPO_CATALOG=${pg.url}`);
      assertStringIncludes(moved.stderr, "--force");
      // --catalog is the catalog moved to in a move: never the way to name the old one.
      assertEquals(moved.stderr.includes(`--catalog ${pg.url}`), false, moved.stderr);
      const ls = await vc(["repo", "ls"], named);
      assertEquals([ls.code, ls.stdout.includes("/b.txt")], [0, true], ls.stderr);
      // Named on this machine with its password, it is counted (and /b.txt is not left behind silently).
      const counted = await vc(["repo", "restore", snapshot, "--catalog", into], named);
      assertEquals(counted.code === 0, false, counted.stderr);
      assertStringIncludes(counted.stderr, "holds 1 record");
      // --force moves, with the warning naming it by VC_REPO_CATALOG alone.
      const forced = await vc(["repo", "restore", snapshot, "--catalog", into, "--force"], env);
      assertEquals(forced.code, 0, forced.stderr);
      assertStringIncludes(forced.stderr, "was not checked for records added since");
      assertStringIncludes(forced.stderr, "PGPASSWORD was not sent");
      assertStringIncludes(forced.stderr, `VC_REPO_CATALOG=${pg.url}`);
      assertEquals(forced.stderr.includes(`--catalog ${pg.url}`), false, forced.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "repo restore --catalog: a move off a live PostgreSQL catalog whose password is wrong is refused without --force (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_move_wrong_password_pg_" });
    try {
      const { named, snapshot, into } = await pgRepoWithRecordSinceBackup(dir, pg.url);
      const wrong = { ...named, PGPASSWORD: "not-the-password" };
      const moved = await vc(["repo", "restore", snapshot, "--catalog", into], wrong);
      assertEquals(moved.code === 0, false, moved.stderr);
      assertStringIncludes(moved.stderr, "refused the login");
      assertStringIncludes(moved.stderr, "password authentication failed");
      const ls = await vc(["repo", "ls"], named);
      assertEquals([ls.code, ls.stdout.includes("/b.txt")], [0, true], ls.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "repo restore --catalog: a move off a PostgreSQL catalog whose server is down still goes on, with the warning (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc_restore_move_server_down_pg_" });
    try {
      const { named, snapshot, into } = await pgRepoWithRecordSinceBackup(dir, pg.url);
      await pg.stop();
      const moved = await vc(["repo", "restore", snapshot, "--catalog", into], named);
      assertEquals(moved.code, 0, moved.stderr);
      assertStringIncludes(moved.stderr, "was not checked for records added since");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
