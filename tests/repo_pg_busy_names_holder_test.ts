/**
 * A PostgreSQL catalog kept locked by another session (a machine frozen or
 * cut off mid-write, its transaction left open on the server: a `kill -9`
 * closes the connection, a frozen VM or a lost network does not, for the
 * server's TCP keepalive, two hours by default) made every vc of the team
 * wait a minute and fail with "another process kept it locked", naming
 * nobody: which of many machines, and which session to end, was for the
 * team to find in `pg_stat_activity`. The `CatalogBusyError` now names the
 * longest-open transactions holding locks on the catalog, with their pid, client and
 * state, and the `pg_terminate_backend(pid)` that ends one whose machine is
 * gone.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL catalog busy behind another session names that session",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const holder = await openPostgresCatalog(pg.url);
    const waiter = await openPostgresCatalog(pg.url, { lockTimeoutMs: 50, attempts: 2 });
    try {
      await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
      const { pid, release } = await holdLock(holder);
      try {
        const error = await assertRejects(
          () => waiter.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (1)")),
          CatalogBusyError,
        );
        assertStringIncludes(error.message, `pid ${pid} `);
        assertStringIncludes(error.message, "idle in transaction");
        assertStringIncludes(error.message, `pg_terminate_backend(${pid})`);
      } finally {
        await release();
      }
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
    }
  },
});
