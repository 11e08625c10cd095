/**
 * A `CatalogBusyError` names the sessions that may hold the catalog's lock
 * and the `pg_terminate_backend(pid)` that ends the first. It named the
 * longest-open transactions on the whole database, whatever they held: an
 * analyst's `BEGIN` left open in psql, a report's long read of another
 * table, was named first, and the command given ended that session, not
 * the one the team waited on (which stayed, and the next vc failed the
 * same). Only sessions holding a lock of the kinds a catalog waits on
 * (advisory locks, locks on tables of its schemas) are named.
 */
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import postgres from "postgres";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL catalog busy names the lock's holder, not an older bystander",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const holder = await openPostgresCatalog(pg.url);
    const waiter = await openPostgresCatalog(pg.url, { lockTimeoutMs: 50, attempts: 2 });
    const bystander = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
      await bystander.unsafe("CREATE SCHEMA reports; CREATE TABLE reports.r (v INTEGER)");
      // A transaction open before the holder's, on another schema's table.
      const bystanderOpen = Promise.withResolvers<number>();
      const bystanderDone = Promise.withResolvers<void>();
      const reading = bystander.begin(async (tx) => {
        const [row] = await tx.unsafe("SELECT pg_backend_pid() AS pid, count(*) FROM reports.r");
        bystanderOpen.resolve(Number(row!.pid));
        await bystanderDone.promise;
      });
      const bystanderPid = await bystanderOpen.promise;
      const lock = await holdLock(holder);
      try {
        const error = await assertRejects(
          () => waiter.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (1)")),
          CatalogBusyError,
        );
        assertStringIncludes(error.message, "idle in transaction");
        assert(
          !error.message.includes(`pid ${bystanderPid} `),
          `a session holding none of the catalog's locks is named: ${error.message}`,
        );
      } finally {
        await lock.release();
        bystanderDone.resolve();
        await reading;
      }
    } finally {
      await Promise.all([holder.close(), waiter.close(), bystander.end()]);
    }
  },
});
