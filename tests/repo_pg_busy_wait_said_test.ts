/**
 * A PostgreSQL catalog kept locked by another session (a machine frozen
 * mid-write) held every vc silent for a minute before its
 * `CatalogBusyError`: a worker's log, or the user at the terminal, saw
 * nothing of why. After its first lock wait runs out, vc now says it waits
 * (through `onConnectWait`, the CLI's warning line), naming the sessions
 * that may hold the lock; a transaction that then gets through is not
 * failed by it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a write waiting behind another session's lock says so, once, naming it",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const lines: string[] = [];
    const holder = await openPostgresCatalog(pg.url);
    const waiter = await openPostgresCatalog(pg.url, {
      lockTimeoutMs: 50,
      attempts: 1000,
      onConnectWait: (line) => lines.push(line),
    });
    try {
      await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (v INTEGER)"));
      const { pid, release } = await holdLock(holder);
      const writing = waiter.transaction("write", (tx) => tx.query("INSERT INTO t (v) VALUES (1)"));
      for (let i = 0; i < 500 && waiter.conflictsRetried < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert(waiter.conflictsRetried >= 3, "the writer met the lock and retried");
      await release();
      await writing;
      assertEquals(lines.length, 1, lines.join("\n"));
      assertStringIncludes(lines[0]!, "waiting for a lock another session holds");
      assertStringIncludes(lines[0]!, `pid ${pid} `);
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
    }
  },
});
