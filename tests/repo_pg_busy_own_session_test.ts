/**
 * A PostgreSQL write waiting for a row lock that a transaction of this same
 * process holds (a body of one `Repository`'s catalog that awaits a write
 * through another `Repository` of it, which the body's own catalog refuses
 * at once but a second pool cannot tell): after its retries it was reported
 * busy naming that session as another's, with `SELECT
 * pg_terminate_backend(PID)` as the way out, which ends this process's own
 * transaction. It now says the session is this process's, and to write
 * through that transaction's `tx`, as the SQLite catalog says of its own
 * other connection.
 */
import { CatalogBusyError } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertStringIncludes } from "./assert.ts";
import { pgCases } from "./pg_server.ts";

const noEnv = () => undefined;

pgCases("postgres catalog: a lock this process holds", [
  ["is said to be this process's, not ended by pg_terminate_backend", async (url) => {
    const holder = await openPostgresCatalog(url, { env: noEnv });
    const waiter = await openPostgresCatalog(url, {
      env: noEnv,
      attempts: 2,
      lockTimeoutMs: 50,
      onConnectWait: () => {},
    });
    try {
      await holder.transaction("write", (tx) => tx.query("CREATE TABLE t (n INTEGER)"));
      await holder.transaction("write", (tx) => tx.query("INSERT INTO t VALUES (1)"));
      const error = await holder.transaction("write", async (tx) => {
        await tx.query("UPDATE t SET n = 2");
        return await waiter.transaction("write", (x) => x.query("UPDATE t SET n = 3")).then(
          () => undefined,
          (e: Error) => e,
        );
      });
      assert(error instanceof CatalogBusyError, `${error?.name}: ${error?.message}`);
      assertStringIncludes(error.message, "this process");
      assertStringIncludes(error.message, "its `tx`");
      assert(!error.message.includes("pg_terminate_backend"), error.message);
    } finally {
      await waiter.close();
      await holder.close();
    }
  }],
]);
