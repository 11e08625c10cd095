/**
 * The repository suite (repo_suite.ts) on both catalogs and both local stores:
 * SQLite and PostgreSQL, each over FsStore and over the fake S3 server.
 * PostgreSQL runs for real (initdb + pg_ctl on a free port, see pg_server.ts);
 * where it is not installed those tests are declared ignored.
 */
import { runRepoSuite as run } from "./repo_suite.ts";
import { havePostgres } from "./pg_server.ts";

Deno.test("repository: SQLite catalog, FsStore", (t) => run(t, "sqlite", "fs"));
Deno.test("repository: SQLite catalog, fake S3", (t) => run(t, "sqlite", "s3"));
Deno.test({
  name: "repository: PostgreSQL catalog, FsStore (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: (t) => run(t, "postgres", "fs"),
});
Deno.test({
  name: "repository: PostgreSQL catalog, fake S3 (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: (t) => run(t, "postgres", "s3"),
});
