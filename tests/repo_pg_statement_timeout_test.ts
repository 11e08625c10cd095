/**
 * What the server does to a statement on its own is reported as the
 * catalog's doing, never a crash:
 *
 * - The driver queried the server's array types at each connection's start
 *   (vc uses no arrays), with nothing to catch a failure of that query: a
 *   statement_timeout set for the role, or a role that may not read
 *   `pg_type`, killed the process with an uncaught PostgresError. It is
 *   no longer sent.
 */
import { assertEquals } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: a PostgreSQL role that may not read pg_type opens its catalog (no array-type query)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const admin = await openPostgresCatalog(pg.url);
    try {
      await admin.transaction("write", async (tx) => {
        await tx.query("CREATE ROLE weak LOGIN");
        await tx.query("REVOKE SELECT ON pg_catalog.pg_type FROM PUBLIC");
      });
    } finally {
      await admin.close();
    }
    const weak = await openPostgresCatalog(pg.url.replace("postgres://vc@", "postgres://weak@"));
    try {
      const rows = await weak.transaction("read", (tx) => tx.query("SELECT current_user AS u"));
      assertEquals(rows[0]?.u, "weak");
    } finally {
      await weak.close();
    }
  },
});
