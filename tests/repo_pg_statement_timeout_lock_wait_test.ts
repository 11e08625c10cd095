/**
 * A `statement_timeout` a DBA sets for the role or the database (1 s, say)
 * no longer turns a short wait for a lock into a failed command. vc's own
 * `lock_timeout` (5 s) was longer, so the server canceled a statement
 * waiting behind another session's lock (a worker's row, gc's content
 * lock) as a statement timeout first, which is not retried: `vc repo
 * publish` failed with "canceled the statement" after 1 s where, without
 * the setting, it waited 2 s for the lock and went through. vc's lock wait
 * is now kept below the session's statement_timeout, so such a wait is a
 * lock timeout, retried as any busy catalog's.
 */
import { assert, assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: a lock wait on PostgreSQL under the database's statement_timeout is retried, not canceled (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const holder = await openPostgresCatalog(pg.url);
    try {
      await holder.transaction("write", async (tx) => {
        await tx.query("CREATE TABLE t (v INTEGER)");
        await tx.query("ALTER DATABASE vc_test SET statement_timeout = 200");
      });
      // Opened after the DBA's setting: its sessions have it.
      const waiter = await openPostgresCatalog(pg.url, { attempts: 1000 });
      try {
        const shown = await waiter.transaction("read", (tx) =>
          tx.query(
            "SELECT current_setting('statement_timeout') AS st, " +
              "current_setting('lock_timeout') AS lt",
          ));
        assertEquals(shown[0]?.st, "200ms");
        assertEquals(shown[0]?.lt, "100ms");
        const lock = await holdLock(holder);
        let released = false;
        try {
          const writing = waiter.transaction(
            "write",
            (tx) => tx.query("INSERT INTO t (v) VALUES (1)"),
          );
          let settled: string | undefined;
          writing.then(
            () => settled = "done",
            (e: Error) => settled = `failed: ${e.message}`,
          );
          // Bounded: about 5 s at most, then the assertions say what happened.
          for (let i = 0; i < 500 && settled === undefined && waiter.conflictsRetried < 3; i++) {
            await new Promise((r) => setTimeout(r, 10));
          }
          assertEquals(settled, undefined, "the writer waits for the lock, retrying");
          assert(waiter.conflictsRetried >= 3, "the writer met the lock and retried");
          await lock.release();
          released = true;
          await writing;
        } finally {
          if (!released) await lock.release();
        }
        const rows = await waiter.transaction("read", (tx) => tx.query("SELECT v FROM t"));
        assertEquals(rows.map((r) => r.v), [1]);
      } finally {
        await waiter.close();
      }
    } finally {
      await holder.close();
    }
  },
});
