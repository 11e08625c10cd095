/**
 * A PostgreSQL connection lost in the middle of a transaction (a server
 * restart, `pg_terminate_backend`, a failover) is a CatalogUnavailableError
 * for that transaction, and the next one works on a new connection. Before,
 * the driver's `begin` sent ROLLBACK on the closed connection and gave it back
 * to the pool, and the write crashed the whole process with an uncaught
 * "Cannot read properties of null (reading 'write')": a long-running worker
 * died on every restart of the catalog's server that caught it mid-query.
 * (And the driver hands the next use of a connection lost in a query the
 * error that ended it, once reconnected: the next transaction failed too.)
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

/** Ends, from another connection, the backend running a query that holds `marker`. */
async function terminateWhenRunning(url: string, marker: string): Promise<void> {
  const admin = await openPostgresCatalog(url);
  try {
    for (let i = 0; i < 200; i++) {
      const rows = await admin.transaction("write", (tx) =>
        tx.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
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
    "repo: a PostgreSQL connection lost mid-transaction fails that transaction only (needs PostgreSQL initdb, else ignored)",
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
        const slow = repo.catalog.transaction(mode, async (tx) => {
          await tx.query("SELECT id FROM records");
          await tx.query(`SELECT pg_sleep(30) AS ${marker}`);
        });
        slow.catch(() => {});
        await terminateWhenRunning(pg.url, marker);
        await assertRejects(() => slow, CatalogUnavailableError, "lost PostgreSQL catalog");
        // A transaction whose code goes on after a lost query is refused
        // before anything is sent on the dead connection.
        const goesOn = repo.catalog.transaction(mode, async (tx) => {
          try {
            await tx.query(`SELECT pg_sleep(30) AS ${marker}_again`);
          } catch {
            // as a caller that looks at errors itself might
          }
          return await tx.query("SELECT 1 AS one");
        });
        goesOn.catch(() => {});
        await terminateWhenRunning(pg.url, `${marker}_again`);
        await assertRejects(() => goesOn, CatalogUnavailableError, "lost PostgreSQL catalog");
        // The pool goes on with new connections.
        const added = await repo.add(`/after-${mode}.txt`, new Uint8Array([2]));
        assertEquals((await repo.get(added.id)).path, `/after-${mode}.txt`);
      }
      // The server restarted (pg_ctl restart -m fast) under a transaction.
      const slow = repo.catalog.transaction("write", async (tx) => {
        await tx.query("SELECT pg_sleep(30) AS lost_in_restart");
      });
      slow.catch(() => {});
      // Transactions go on while the server is down (refused, shutting down).
      let restarting = true;
      const meanwhile = (async () => {
        for (let i = 0; restarting && i < 500; i++) {
          await repo.list({ limit: 1 }).catch(() => {});
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await pg.restart();
      restarting = false;
      await meanwhile;
      await assertRejects(() => slow, CatalogUnavailableError, "lost PostgreSQL catalog");
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
