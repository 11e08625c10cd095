/**
 * `gc`, `check` and a restore's look at the store's content read the
 * catalog a page or a batch at a time, never all of its records in one
 * query. Before, each read the content key (and `check` the size and MD5)
 * of every live record into memory first, to compare with the store's
 * listing: a catalog of 1,000,000 records took `vc repo gc` 593 MB and
 * `vc repo check` 2.6 GB (`/usr/bin/time -v`, 2026-12-05), growing with the
 * catalog until a large one could not be collected or checked at all.
 *
 * Here, with more records than a page, no query of theirs answers more
 * rows than a page, and what they find is the same: gc deletes an old
 * orphan and keeps the referenced content, check counts every record and
 * finds the orphan, and the restore's reconciliation counts the content
 * missing and unreferenced. On SQLite and PostgreSQL.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Catalog } from "../src/repo/catalog.ts";
import { RECORDS_PER_PAGE } from "../src/repo/record_pages.ts";
import { Repository } from "../src/repo/repository.ts";
import { restoreCatalog } from "../src/repo/backup.ts";
import { reconcileContent } from "../src/repo/restore_reconcile.ts";
import { assertEquals } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

// More records than two pages.
const COUNT = RECORDS_PER_PAGE * 2 + 300;

/** Wraps `catalog` so every query's answer is measured; `most()` is the largest. */
function measuring(catalog: Catalog): { most: () => number; restore: () => void } {
  const target = catalog as { transaction: Catalog["transaction"] };
  const real = target.transaction.bind(catalog);
  let most = 0;
  target.transaction = (mode, fn, options) =>
    real(mode, (tx) =>
      fn({
        ...tx,
        query: async (sql, params) => {
          const rows = await tx.query(sql, params);
          most = Math.max(most, rows.length);
          return rows;
        },
      }), options);
  return { most: () => most, restore: () => target.transaction = real };
}

async function scenario(catalog?: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "repo_gc_check_bounded_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    // Two records with content, then many published ones whose content is
    // missing (straight into the catalog: an add each would take minutes).
    const kept = await repo.add("/kept.csv", new TextEncoder().encode("kept"));
    const other = await repo.add("/other.csv", new TextEncoder().encode("other"));
    await repo.catalog.transaction("write", (tx) =>
      tx.query(
        `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at,
           published_at)
         SELECT '/p/' || i || '.csv', 'published', 'content/ab/missing-' || i || '.csv', 1,
           'd41d8cd98f00b204e9800998ecf8427e', 'h', $2, $2 FROM n`,
        [COUNT, Date.now()],
      ));
    const live = COUNT + 2;
    // `other` loses its record below (an orphan of its content); an object
    // no record ever had.
    await repo.store.put("content/cd/stray.bin", new Uint8Array([1]));
    await new Promise((resolve) => setTimeout(resolve, 5));

    await repo.backup(join(dir, "snapshot.jsonl.gz"));
    await repo.catalog.transaction(
      "write",
      (tx) => tx.query("DELETE FROM records WHERE id = $1", [other.id]),
    );
    const added = await repo.add("/after-the-snapshot.csv", new TextEncoder().encode("new"));
    const reads = measuring(repo.catalog);
    try {
      const report = await repo.check({ graceMs: 0 });
      assertEquals(report.records, live);
      assertEquals(report.problems.length, COUNT, "the records whose content is missing");
      assertEquals(
        report.orphans.map((o) => o.key).sort(),
        [other.contentKey, "content/cd/stray.bin"].sort(),
      );
      assertEquals(reads.most() <= RECORDS_PER_PAGE, true, `check read ${reads.most()} rows`);

      const reconciled = await reconcileContent(repo.catalog, repo.store, "content/");
      assertEquals(reconciled, { missingContent: COUNT, unreferencedContent: 2 });
      assertEquals(reads.most() <= RECORDS_PER_PAGE, true, `reconcile read ${reads.most()} rows`);

      // Published, so gc keeps it and its content.
      await repo.publish(kept.id);
      const dry = await repo.gc({ dryRun: true, graceMs: 0 });
      assertEquals(
        dry.deletedObjects.sort(),
        [added.contentKey, other.contentKey, "content/cd/stray.bin"].sort(),
      );
      assertEquals(reads.most() <= RECORDS_PER_PAGE, true, `dry gc read ${reads.most()} rows`);
      const gc = await repo.gc({ graceMs: 0 });
      assertEquals(gc.purgedUnpublished, [added.id], "unpublished, past a grace of 0");
      assertEquals(gc.deletedObjects.includes(other.contentKey), true);
      assertEquals(gc.deletedObjects.includes("content/cd/stray.bin"), true);
      assertEquals(gc.deletedObjects.includes(kept.contentKey), false);
      assertEquals(reads.most() <= RECORDS_PER_PAGE, true, `gc read ${reads.most()} rows`);

      // A forced restore of a snapshot taken before more records were
      // added counts those it drops a page of ids at a time.
      const snapshot = await Deno.readFile(join(dir, "snapshot.jsonl.gz"));
      const restored = await restoreCatalog(repo.catalog, snapshot, { force: true });
      assertEquals([restored.records, restored.replaced, restored.dropped], [live, live, 1]);
      assertEquals(reads.most() <= RECORDS_PER_PAGE, true, `restore read ${reads.most()} rows`);
    } finally {
      reads.restore();
    }
    assertEquals((await repo.store.head(kept.contentKey))?.size, 4);
    assertEquals(await repo.store.head(other.contentKey), undefined);
    const after = await repo.check();
    // `other` is back, its content gone (gc deleted it): a problem now.
    assertEquals([after.records, after.problems.length, after.orphans], [live, COUNT + 1, []]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo: gc, check and a restore's reconciliation read a SQLite catalog in pages",
  postgres: "repo: gc, check and a restore's reconciliation read a PostgreSQL catalog in pages",
}, scenario);
