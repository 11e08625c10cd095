/**
 * A `tx` kept past its transaction's body (stored in a variable, or used
 * from a body's timer) and used after the transaction ended: its statement
 * ran all the same, outside any transaction of vc's. On SQLite it ran on the
 * catalog's one connection, inside whatever transaction another body had
 * open there then (committed or rolled back with that one); on PostgreSQL on
 * the connection the ended transaction gave back to the pool. It is refused
 * now, naming the catalog, and nothing is run.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogUnavailableError, Repository, type Tx } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, onSqliteAndPostgres, startPgServer } from "./pg_server.ts";

const KEY = "left_by_a_stale_tx";

onSqliteAndPostgres({
  sqlite: "repo catalog: a tx used after its transaction ended is refused, nothing run (sqlite)",
  postgres:
    "repo catalog: a tx used after its transaction ended is refused, nothing run (postgres, needs PostgreSQL initdb, else ignored)",
}, async (catalog) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_tx_used_after_end_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    for (const mode of ["read", "write"] as const) {
      let kept: Tx | undefined;
      await repo.catalog.transaction(mode, async (tx) => {
        kept = tx;
        await tx.query("SELECT 1");
      });
      // Another body is running when the kept tx is used: on SQLite the
      // statement went into this one's transaction, rolled back with it.
      const error = await repo.catalog.transaction("write", async () => {
        return await assertRejects(
          () => kept!.query("INSERT INTO vc_meta (key, value) VALUES ($1, $2)", [KEY, mode]),
          Error,
        );
      });
      assert(
        error.message.includes(`catalog ${repo.catalog.location}`) &&
          error.message.includes("after its transaction ended"),
        error.message,
      );
      const rows = await repo.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT value FROM vc_meta WHERE key = $1", [KEY]),
      );
      assertEquals(rows, [], `the ${mode} transaction's kept tx ran its statement`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repo catalog: a tx kept past a transaction that lost its connection is refused, not left waiting for ever (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const catalog = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      let kept: Tx | undefined;
      // Each attempt's connection ends under it: the transaction fails lost.
      await assertRejects(
        () =>
          catalog.transaction("read", async (tx) => {
            kept = tx;
            await tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
          }),
        CatalogUnavailableError,
      );
      // Bounded only so a regression fails rather than hangs.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        kept!.query("SELECT 1").then(() => "ran", (e: Error) => e.message),
        new Promise<string>((r) => timer = setTimeout(() => r("still waiting"), 30_000)),
      ]).finally(() => clearTimeout(timer));
      assertStringIncludes(outcome, "after its transaction ended");
    } finally {
      await catalog.close();
    }
  },
});
