/**
 * A PostgreSQL connection lost in the middle of a transaction (a server
 * restart, `pg_terminate_backend`, a failover) ends that transaction only:
 * nothing of it was committed, so it is run again on a new connection (one
 * lost every time is a CatalogUnavailableError: see
 * repo_pg_lost_at_commit_test.ts), and the pool goes on. Before,
 * the driver's `begin` sent ROLLBACK on the closed connection and gave it back
 * to the pool, and the write crashed the whole process with an uncaught
 * "Cannot read properties of null (reading 'write')": a long-running worker
 * died on every restart of the catalog's server that caught it mid-query.
 * (And the driver hands the next use of a connection lost in a query the
 * error that ended it, once reconnected: the next transaction failed too.)
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

/** Ends, from another connection, the backend running a query that holds `marker`. */
function terminateWhenRunning(url: string, marker: string): Promise<void> {
  return whenRunning(url, marker, "pg_terminate_backend(pid)");
}

/**
 * Waits, from another connection, until a backend runs a query that holds
 * `marker`, and selects `what` of it (e.g. ends it).
 */
async function whenRunning(url: string, marker: string, what = "pid"): Promise<void> {
  const admin = await openPostgresCatalog(url);
  try {
    for (let i = 0; i < 200; i++) {
      const rows = await admin.transaction("write", (tx) =>
        tx.query(
          `SELECT ${what} AS done FROM pg_stat_activity
           WHERE pid <> pg_backend_pid() AND query LIKE $1`,
          [`%${marker}%`],
        ));
      if (rows.length > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no backend ran ${marker}`);
  } finally {
    await admin.close();
  }
}

Deno.test({
  name:
    "repo: a PostgreSQL connection lost mid-transaction ends that transaction only, which runs again (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_pg_lost_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await (await Repository.init(uri, { catalog: pg.url })).close();
      await using repo = await Repository.open(uri);
      const first = await repo.add("/a.txt", new Uint8Array([1]));
      for (const mode of ["read", "write"] as const) {
        const marker = `lost_${mode}`;
        let runs = 0;
        const slow = repo.catalog.transaction(mode, async (tx) => {
          runs++;
          await tx.query("SELECT id FROM records");
          if (runs === 1) await tx.query(`SELECT pg_sleep(30) AS ${marker}`);
          return runs;
        });
        slow.catch(() => {});
        await terminateWhenRunning(pg.url, marker);
        assertEquals(await slow, 2);
        // A transaction whose code goes on after a lost query sends nothing
        // more on the dead connection: that run goes no further.
        runs = 0;
        let wentOn = false;
        const goesOn = repo.catalog.transaction(mode, async (tx) => {
          if (++runs === 1) {
            try {
              await tx.query(`SELECT pg_sleep(30) AS ${marker}_again`);
            } catch {
              // as a caller that looks at errors itself might
            }
            wentOn = true;
          }
          return await tx.query("SELECT 1 AS one");
        });
        goesOn.catch(() => {});
        await terminateWhenRunning(pg.url, `${marker}_again`);
        assertEquals((await goesOn).length, 1);
        assertEquals([runs, wentOn], [2, false]);
        // The pool goes on with new connections.
        const added = await repo.add(`/after-${mode}.txt`, new Uint8Array([2]));
        assertEquals((await repo.get(added.id)).path, `/after-${mode}.txt`);
      }
      // The server restarted (pg_ctl restart -m fast) under a transaction,
      // which is run again once it is back.
      let runs = 0;
      const slow = repo.catalog.transaction("write", async (tx) => {
        if (++runs === 1) await tx.query("SELECT pg_sleep(30) AS lost_in_restart");
        return runs;
      });
      slow.catch(() => {});
      // Transactions go on while the server is down (refused, shutting down),
      // waiting for it.
      let restarting = true;
      const meanwhile = (async () => {
        for (let i = 0; restarting && i < 500; i++) {
          await repo.list({ limit: 1 }).catch(() => {});
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      // Restarted under the query, not before it was sent (which would only
      // delay it: its one run would then sleep its 30 s and return 1).
      await whenRunning(pg.url, "lost_in_restart");
      await pg.restart();
      restarting = false;
      await meanwhile;
      assertEquals(await slow, 2);
      // The pool is not left hanging by the failed connects.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const added = await Promise.race([
        repo.add("/after-restart.txt", new Uint8Array([3])),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("hung after the restart")), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
      assertEquals((await repo.get(added.id)).path, "/after-restart.txt");
      assertEquals((await repo.list({})).map((r) => r.id).includes(first.id), true);
      assertEquals((await repo.check()).ok, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
