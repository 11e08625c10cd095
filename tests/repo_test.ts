/**
 * The repository suite (repo_suite.ts) on both catalogs and both local stores:
 * SQLite and PostgreSQL, each over FsStore and over the fake S3 server.
 * PostgreSQL runs for real (initdb + pg_ctl on a free port, see pg_server.ts),
 * one server for the four suites (each makes its own databases on it: a
 * server's start and stop cost more than most of a suite's steps); where it
 * is not installed those suites are ignored.
 */
import { runRepoSuite as run } from "./repo_suite.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test("repository: SQLite and PostgreSQL catalogs, FsStore and fake S3", async (t) => {
  await using pg = havePostgres ? await startPgServer() : undefined;
  await t.step("repository: SQLite catalog, FsStore", (t) => run(t, "sqlite", "fs", { pg }));
  await t.step("repository: SQLite catalog, fake S3", (t) => run(t, "sqlite", "s3", { pg }));
  await t.step({
    name: "repository: PostgreSQL catalog, FsStore (needs PostgreSQL initdb, else ignored)",
    ignore: !havePostgres,
    fn: (t) => run(t, "postgres", "fs", { pg }),
  });
  await t.step({
    name: "repository: PostgreSQL catalog, fake S3 (needs PostgreSQL initdb, else ignored)",
    ignore: !havePostgres,
    fn: (t) => run(t, "postgres", "s3", { pg }),
  });
});
