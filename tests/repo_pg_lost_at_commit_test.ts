/**
 * A write transaction whose PostgreSQL connection is lost says whether its
 * change can have been made. Lost before its COMMIT was sent, nothing was
 * committed and running the command again is safe; lost at the COMMIT (a
 * restart, `pg_terminate_backend` or a failover just then), the change may
 * have been made, and a `vc repo claim` or `publish` run again blindly could
 * be applied twice (a second record claimed while the first claim's holder is
 * unknown). Before, both read alike: "lost PostgreSQL catalog …: the server
 * closed the connection", which said neither. (Lost before its COMMIT, a
 * transaction is run again, up to three times; lost at it, never.)
 */
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a PostgreSQL write lost before or at its COMMIT says whether it may have been made (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    const catalog = await openPostgresCatalog(pg.url, { onConnectWait: () => {} });
    try {
      await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (x INT)"));

      // Ended in a query, before COMMIT, at every run: nothing of it was committed.
      let runs = 0;
      const before = await assertRejects(
        () =>
          catalog.transaction("write", async (tx) => {
            runs++;
            await tx.query("INSERT INTO t VALUES (1)");
            await tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
          }),
        CatalogUnavailableError,
        "lost PostgreSQL catalog",
      );
      assert(before.nothingCommitted);
      assertMatch(before.message, /nothing of this change was committed/);
      assertEquals(runs, 3);

      // Ended at its COMMIT (a deferred trigger ends the session there): not run again.
      runs = 0;
      const at = await assertRejects(
        () =>
          catalog.transaction("write", async (tx) => {
            runs++;
            await tx.query("CREATE TEMP TABLE boom (x INT)");
            await tx.query(
              "CREATE FUNCTION pg_temp.die() RETURNS trigger LANGUAGE plpgsql AS " +
                "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); " +
                "PERFORM pg_sleep(5); RETURN NULL; END $$",
            );
            await tx.query(
              "CREATE CONSTRAINT TRIGGER die AFTER INSERT ON boom DEFERRABLE INITIALLY " +
                "DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.die()",
            );
            await tx.query("INSERT INTO t VALUES (2)");
            await tx.query("INSERT INTO boom VALUES (1)");
          }),
        CatalogUnavailableError,
        "lost PostgreSQL catalog",
      );
      assert(!at.nothingCommitted);
      assertMatch(at.message, /may have been made: look before running it again/);
      assertEquals(runs, 1);

      // A read lost says nothing of commits; the catalog works on.
      const read = await assertRejects(
        () =>
          catalog.transaction(
            "read",
            (tx) => tx.query("SELECT pg_terminate_backend(pg_backend_pid())"),
          ),
        CatalogUnavailableError,
        "lost PostgreSQL catalog",
      );
      assert(!/commit/i.test(read.message), read.message);
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT x FROM t"));
      assertEquals(rows.length, 0);
    } finally {
      await catalog.close();
    }
  },
});
