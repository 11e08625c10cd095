/**
 * A PostgreSQL session the server ends between two queries of a transaction
 * (a role's `idle_in_transaction_session_timeout` while vc deletes a batch of
 * content under gc's lock, `pg_terminate_backend` while a backup writes a
 * page) is reported with the server's reason. The driver drops an error that
 * comes while no query waits, so the next query failed with only "the server
 * closed the connection": nothing said that a role setting was the cause.
 * (Lost before its COMMIT, a transaction is run again; one that ends its
 * session every time is reported after three runs.)
 */
import { assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a PostgreSQL session ended between two queries says the server's reason (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    const catalog = await openPostgresCatalog(pg.url, { onConnectWait: () => {} });
    try {
      let runs = 0;
      const lost = await assertRejects(
        () =>
          catalog.transaction("read", async (tx) => {
            runs++;
            await tx.query(
              "SELECT set_config('idle_in_transaction_session_timeout', '50ms', true)",
            );
            await new Promise((r) => setTimeout(r, 1_000));
            await tx.query("SELECT 1");
          }),
        CatalogUnavailableError,
        "lost PostgreSQL catalog",
      );
      assertMatch(lost.message, /the server said: .*idle-in-transaction timeout/);
      assertEquals(runs, 3);
      // The next transaction works, on a new connection.
      await catalog.transaction("read", (tx) => tx.query("SELECT 1"));
    } finally {
      await catalog.close();
    }
  },
});
