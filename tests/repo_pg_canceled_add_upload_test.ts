/**
 * A `vc repo add` whose record's statement the server cancels (a DBA's
 * `pg_cancel_backend`, a `statement_timeout`) committed nothing, so it
 * deletes the content it uploaded and says nothing was committed, as an
 * add whose connection was lost before its COMMIT does. Before, the error
 * said only "canceled the statement", and the upload stayed in the store
 * with no record (`vc repo check`: `orphan content/…`) until a gc past its
 * grace period.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, holdLock, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "repo: an add whose PostgreSQL statement is canceled deletes its upload and says nothing was committed (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_pg_canceled_add_" });
    const admin = await openPostgresCatalog(pg.url);
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await (await Repository.init(uri, { catalog: pg.url })).close();
      await using repo = await Repository.open(uri);
      // Another session holds the path's lock: the add's record waits for it.
      const lock = await holdLock(
        admin,
        "SELECT pg_advisory_xact_lock(76238902, hashtext('/a.txt'))",
      );
      try {
        const adding = repo.add("/a.txt", new Uint8Array([1, 2, 3]));
        adding.catch(() => {});
        // The DBA cancels the waiting statement (bounded: 10 s at most).
        let canceled = false;
        for (let i = 0; i < 400 && !canceled; i++) {
          const rows = await admin.transaction("read", (tx) =>
            tx.query(
              "SELECT pg_cancel_backend(pid) AS done FROM pg_stat_activity " +
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
            ));
          canceled = rows.length > 0;
          if (!canceled) await new Promise((r) => setTimeout(r, 25));
        }
        assertEquals(canceled, true, "the add waited for the path's lock");
        const error = await assertRejects(() => adding, CatalogUnavailableError);
        assertStringIncludes(error.message, "canceled the statement");
        assertStringIncludes(error.message, "nothing of this change was committed");
        assertEquals(error.nothingCommitted, true);
      } finally {
        await lock.release();
      }
      const report = await repo.check({ graceMs: 0 });
      assertEquals(report.orphans.map((o) => o.key), []);
      assertEquals(report.records, 0);
    } finally {
      await admin.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
