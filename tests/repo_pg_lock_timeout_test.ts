/**
 * A PostgreSQL catalog whose table another session holds locked (`BEGIN;
 * LOCK TABLE records` left open in psql, a long migration) no longer hangs
 * vc for as long as the lock is held: each wait for a lock is bounded
 * (lock_timeout), retried, then a `CatalogBusyError` naming the catalog, as
 * a busy SQLite catalog is. Before, every command, a worker with nobody at
 * its terminal too, waited forever. A lock_timeout of the session's own
 * (`options=-c lock_timeout=…`) is kept; and a lock released while vc
 * retries lets the transaction through.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL table locked by another session ends in CatalogBusyError, not a hang",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const holder = await openPostgresCatalog(pg.url);
    const waiter = await openPostgresCatalog(pg.url, { lockTimeoutMs: 50, attempts: 3 });
    // Its own lock_timeout stays: the default of 5 s would not be used.
    const own = await openPostgresCatalog(
      `${pg.url}${pg.url.includes("?") ? "&" : "?"}options=-c%20lock_timeout%3D60`,
      { attempts: 2 },
    );
    try {
      await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
      const lock = await holdLock(holder);
      try {
        for (const mode of ["read", "write"] as const) {
          await assertRejects(
            () => waiter.transaction(mode, (tx) => tx.query("SELECT v FROM t")),
            CatalogBusyError,
            "lock timeout",
          );
        }
        await assertRejects(
          () => own.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (1)")),
          CatalogBusyError,
          "lock timeout",
        );
        const shown = await own.transaction("write", (tx) => tx.query("SHOW lock_timeout"));
        assertEquals(shown[0]?.lock_timeout, "60ms");
      } finally {
        await lock.release();
      }
      // Released while the waiter retries: its transaction goes through.
      const again = await holdLock(holder);
      const patient = await openPostgresCatalog(pg.url, { lockTimeoutMs: 20, attempts: 1000 });
      try {
        const writing = patient.transaction(
          "write",
          (tx) => tx.query("INSERT INTO t (v) VALUES (2)"),
        );
        for (let i = 0; i < 500 && patient.conflictsRetried === 0; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert(patient.conflictsRetried > 0, "the writer met the lock and retried");
        await again.release();
        await writing;
        const rows = await patient.transaction("read", (tx) => tx.query("SELECT v FROM t"));
        assertEquals(rows.map((r) => r.v), [2]);
      } finally {
        await patient.close();
      }
    } finally {
      await Promise.all([holder.close(), waiter.close(), own.close()]);
    }
  },
});
