/**
 * A PostgreSQL transaction whose connection is lost before its COMMIT was
 * sent (a restart, a failover, `pg_terminate_backend`, a session timeout)
 * is run again by vc, as one that conflicted: nothing of it was committed.
 * Before, the command failed with "nothing of this change was committed"
 * and had to be run again by hand (an add deleted its upload, so a 10 GB add
 * uploaded it all again). Its change lands exactly once: the first run's
 * code, still running after the loss, never reaches the connection the
 * driver reconnects for the second (a COMMIT there would commit it half
 * done; a write while it reconnects crashed the process).
 */
import { assert, assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, type PgServer, startPgServer } from "./pg_server.ts";

type PgCatalog = Awaited<ReturnType<typeof openPostgresCatalog>>;

/** Rows of `t` with `x`. */
async function count(catalog: PgCatalog, x: number) {
  const rows = await catalog.transaction(
    "read",
    (tx) => tx.query("SELECT count(*)::int AS n FROM t WHERE x = $1", [x]),
  );
  return rows[0]!.n;
}

/**
 * A throwaway PostgreSQL server and a catalog on it holding an empty table
 * `t (x INT)`, for `fn`; `lines` gathers what the catalog says while it
 * waits for a connection.
 */
async function withTable(
  fn: (t: { pg: PgServer; catalog: PgCatalog; lines: string[] }) => Promise<void>,
): Promise<void> {
  await using pg = await startPgServer();
  const lines: string[] = [];
  const catalog = await openPostgresCatalog(pg.url, { onConnectWait: (l) => lines.push(l) });
  try {
    await catalog.transaction("write", (tx) => tx.query("CREATE TABLE t (x INT)"));
    await fn({ pg, catalog, lines });
  } finally {
    await catalog.close();
  }
}

Deno.test({
  name:
    "repo: a PostgreSQL write lost before its COMMIT is run again and lands once (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await withTable(async ({ catalog }) => {
      // Its session ended in a query after the INSERT, on the first run only.
      let runs = 0;
      const result = await catalog.transaction("write", async (tx) => {
        runs++;
        await tx.query("INSERT INTO t VALUES (1)");
        if (runs === 1) await tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
        return runs;
      });
      assertEquals([result, runs], [2, 2]);
      assertEquals(await count(catalog, 1), 1);

      // Ended by the server while its code sleeps between two queries: the
      // first run wakes after the second committed, and sends nothing.
      runs = 0;
      let firstWentOn = false;
      await catalog.transaction("write", async (tx) => {
        const run = ++runs;
        if (run === 1) {
          await tx.query("SELECT set_config('idle_in_transaction_session_timeout', '50ms', true)");
          await new Promise((r) => setTimeout(r, 1_000));
        }
        await tx.query("INSERT INTO t VALUES (2)");
        if (run === 1) firstWentOn = true;
      });
      assertEquals(runs, 2);
      // Past the first run's sleep, while the pool's connection is used again.
      for (let i = 0; i < 6; i++) {
        assertEquals(await count(catalog, 2), 1);
        await new Promise((r) => setTimeout(r, 250));
      }
      assertEquals(firstWentOn, false);
    });
  },
});

Deno.test({
  name:
    "repo: a PostgreSQL write under way while the server restarts waits for it (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await withTable(async ({ pg, catalog, lines }) => {
      let runs = 0;
      const write = catalog.transaction("write", async (tx) => {
        runs++;
        await tx.query("INSERT INTO t VALUES (3)");
        if (runs === 1) await tx.query("SELECT pg_sleep(30)");
        return runs;
      });
      write.catch(() => {});
      for (let i = 0; i < 200 && runs === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 200));
      // Down for a while (connections refused), then up again.
      await pg.stop();
      await new Promise((r) => setTimeout(r, 1_500));
      await pg.start();
      assertEquals(await write, 2);
      assertEquals(await count(catalog, 3), 1);
      assert(lines.some((l) => /nothing was committed, trying again in/.test(l)), lines.join("\n"));
    });
  },
});
