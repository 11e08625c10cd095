/**
 * What the server does to a statement on its own is reported as the
 * catalog's doing, never a crash or an "internal error":
 *
 * - The driver queried the server's array types at each connection's start
 *   (vc uses no arrays), with nothing to catch a failure of that query: a
 *   statement_timeout set for the role, or a role that may not read
 *   `pg_type`, killed the process with an uncaught PostgresError. It is
 *   no longer sent.
 * - A statement the server cancels (a statement_timeout of the role or the
 *   database, pg_cancel_backend) was `vc: internal error: PostgresError:
 *   canceling statement due to statement timeout`; it is a
 *   CatalogUnavailableError naming the catalog and the likely cause.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { pgCases } from "./pg_server.ts";

pgCases("repo: PostgreSQL roles and statement timeouts", [[
  "repo: a PostgreSQL role that may not read pg_type opens its catalog (no array-type query)",
  async (url) => {
    const admin = await openPostgresCatalog(url);
    try {
      await admin.transaction("write", async (tx) => {
        await tx.query("CREATE ROLE weak LOGIN");
        await tx.query("REVOKE SELECT ON pg_catalog.pg_type FROM PUBLIC");
      });
    } finally {
      await admin.close();
    }
    const weak = await openPostgresCatalog(url.replace("postgres://vc@", "postgres://weak@"));
    try {
      const rows = await weak.transaction("read", (tx) => tx.query("SELECT current_user AS u"));
      assertEquals(rows[0]?.u, "weak");
    } finally {
      await weak.close();
    }
  },
], [
  "repo: a statement the PostgreSQL server cancels is a CatalogUnavailableError naming why",
  async (url) => {
    const catalog = await openPostgresCatalog(url);
    try {
      for (const mode of ["read", "write"] as const) {
        await assertRejects(
          () =>
            catalog.transaction(mode, async (tx) => {
              await tx.query("SET LOCAL statement_timeout = 1");
              await tx.query("SELECT pg_sleep(5)");
            }),
          CatalogUnavailableError,
          "canceled the statement: canceling statement due to statement timeout (a statement_timeout",
        );
      }
      // The connection goes on working.
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT 1 AS one"));
      assertEquals(rows[0]?.one, 1);
    } finally {
      await catalog.close();
    }
  },
]]);
