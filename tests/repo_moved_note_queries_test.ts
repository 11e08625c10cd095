/**
 * What the check for a restore's `moved_to` note (catalog_moved.ts) costs
 * each transaction of an open repository, in statements of its own: the
 * first read rides in the catalog's preface (on PostgreSQL the statement
 * every transaction sends first anyway), and a SQLite write, whose lock
 * keeps the note out till its commit, reads it once. Before, every read
 * sent one statement more and every write two (on PostgreSQL each a round
 * trip). The check itself (a moved catalog refused) is in
 * repo_catalog_replaced_test.ts.
 */
import { join } from "node:path";
import type { Catalog, Tx } from "../src/repo/catalog.ts";
import { CatalogReplacedError } from "../src/repo/catalog.ts";
import { MOVED_TO_KEY, refusingMovedCatalog } from "../src/repo/catalog_moved.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

/** `catalog`, counting the statements its transactions' bodies send that read `vc_meta`. */
function countingMetaReads(catalog: Catalog): { catalog: Catalog; reads: () => number } {
  let reads = 0;
  return {
    reads: () => reads,
    catalog: {
      dialect: catalog.dialect,
      location: catalog.location,
      get conflictsRetried() {
        return catalog.conflictsRetried;
      },
      transaction: (mode, fn, options) =>
        catalog.transaction(mode, (tx) => {
          const counted: Tx = {
            query: (sql, params) => {
              if (/FROM vc_meta/.test(sql)) reads++;
              return tx.query(sql, params);
            },
            ...(tx.preface === undefined ? {} : { preface: tx.preface }),
          };
          return fn(counted);
        }, options),
      close: () => catalog.close(),
    },
  };
}

async function checkReads(raw: Catalog, expectedWriteReads: number): Promise<void> {
  try {
    await raw.transaction("write", async (tx) => {
      await tx.query("CREATE TABLE vc_meta (key TEXT PRIMARY KEY, value TEXT)");
      await tx.query("CREATE TABLE t (n INTEGER)");
    });
    const { catalog, reads } = countingMetaReads(raw);
    const guarded = refusingMovedCatalog(catalog);
    await guarded.transaction("read", (tx) => tx.query("SELECT n FROM t"));
    assertEquals(reads(), 0, "a read transaction: the note comes with the preface");
    await guarded.transaction("write", (tx) => tx.query("INSERT INTO t VALUES (1)"));
    assertEquals(reads(), expectedWriteReads, "a write transaction's reads of the note");
    // Still refused once moved, reads and writes alike.
    await raw.transaction(
      "write",
      (tx) =>
        tx.query("INSERT INTO vc_meta VALUES ($1, $2)", [MOVED_TO_KEY, "sqlite:/elsewhere.sqlite"]),
    );
    await assertRejects(
      () => guarded.transaction("read", () => Promise.resolve()),
      CatalogReplacedError,
    );
    await assertRejects(
      () => guarded.transaction("write", (tx) => tx.query("INSERT INTO t VALUES (2)")),
      CatalogReplacedError,
    );
    const rows = await raw.transaction("read", (tx) => tx.query("SELECT n FROM t"));
    assertEquals(rows.length, 1, "the refused write changed nothing");
  } finally {
    await raw.close();
  }
}

Deno.test("repo: the moved-catalog check sends no statement of its own on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_moved_note_queries_" });
  try {
    // The write lock keeps a restore's note out until the commit: no re-read.
    await checkReads(await openSqliteCatalog(join(dir, "c.sqlite"), { create: true }), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repo: the moved-catalog check sends one statement of its own, a write's last, on PostgreSQL",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    // READ COMMITTED: a write reads the note again before it commits.
    await checkReads(await openPostgresCatalog(pg.url), 1);
  },
});
