/**
 * A SQLite restore sets the tables' indexes aside while it writes their
 * rows and makes them again, as the catalog had them, once all are written:
 * keeping ten indexes up to date row by row took half the CPU time of
 * writing 100,000 records (scripts/bench/repo_restore.ts). All in the
 * restore's one transaction: a reader meanwhile sees the catalog as it was,
 * indexes included, and a restore rolled back leaves every index in place.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Catalog, Tx } from "../src/repo/catalog.ts";
import { restoreCatalog } from "../src/repo/backup.ts";
import { createSchema } from "../src/repo/schema.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";
import { overriding } from "./overriding.ts";

// A gzip snapshot of `n` records, each tagged, and a path tag.
async function snapshot(n: number, extra: string[] = []): Promise<Uint8Array> {
  const lines = [SNAPSHOT_HEADER];
  for (let id = 1; id <= n; id++) {
    lines.push(snapshotRecord({ id, path: `/r/${id}.csv`, content_key: `content/${id}.csv` }));
  }
  for (let id = 1; id <= n; id++) lines.push(JSON.stringify({ recordTag: [id, "todo"] }));
  lines.push(JSON.stringify({ pathTag: ["/r/1.csv", "keep"] }), ...extra);
  return await new Response(
    new Blob([lines.join("\n") + "\n"]).stream().pipeThrough(new CompressionStream("gzip")),
  ).bytes();
}

// The catalog's indexes on its tables, by name, with their SQL.
async function indexes(catalog: Catalog): Promise<string[]> {
  const rows = await catalog.transaction("read", (tx) =>
    tx.query(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('records', 'record_tags', 'path_tags') ORDER BY name`,
    ));
  return rows.map((r) => `${r.name}: ${r.sql}`);
}

// `catalog`, its write transactions' statements written down in `log`.
function logged(catalog: Catalog, log: string[]): Catalog {
  return overriding(catalog, {
    transaction: (mode, fn, ...rest) =>
      catalog.transaction(
        mode,
        (tx: Tx) =>
          fn({
            ...tx,
            query: (sql, params) => {
              log.push(sql);
              return tx.query(sql, params);
            },
          }),
        ...rest,
      ),
  });
}

async function withCatalog(fn: (dir: string, catalog: Catalog) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_indexes_" });
  const catalog = await openSqliteCatalog(join(dir, "c.sqlite"), { create: true });
  try {
    await catalog.transaction("write", async (tx) => {
      await createSchema(tx, catalog.dialect);
      // One made by hand: made again as it was, too.
      await tx.query("CREATE INDEX by_hand ON records (origin_host, size)");
    });
    await fn(dir, catalog);
  } finally {
    await catalog.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo restore (SQLite): the indexes are made once, after the rows, as the catalog had them", async () => {
  await withCatalog(async (_dir, catalog) => {
    const before = await indexes(catalog);
    assert(before.length >= 8 && before.some((i) => i.startsWith("by_hand:")), before.join("\n"));
    const log: string[] = [];
    const counts = await restoreCatalog(logged(catalog, log), await snapshot(2_500));
    assertEquals(counts.records, 2_500);
    const isRow = (sql: string) => /^INSERT INTO (records|record_tags|path_tags) /.test(sql);
    const firstInsert = log.findIndex(isRow);
    const lastInsert = log.findLastIndex(isRow);
    assert(firstInsert !== -1, "no row written");
    const drops = log.flatMap((sql, i) => sql.startsWith("DROP INDEX") ? [i] : []);
    const creates = log.flatMap((sql, i) => /^CREATE (UNIQUE )?INDEX/.test(sql) ? [i] : []);
    // createSchema's CREATE INDEX IF NOT EXISTS, before the rows, found them made.
    const made = creates.filter((i) => i > lastInsert);
    assertEquals(drops.length, before.length, log.filter((s) => !isRow(s)).join("\n"));
    assert(drops.every((i) => i < firstInsert), "an index dropped after the first row");
    assertEquals(made.length, before.length);
    assertEquals(await indexes(catalog), before);
    // And they answer: the planner finds the content key by its index.
    const plan = await catalog.transaction(
      "read",
      (tx) =>
        tx.query("EXPLAIN QUERY PLAN SELECT id FROM records WHERE content_key = $1", [
          "content/7.csv",
        ]),
    );
    assert(JSON.stringify(plan).includes("records_content_key"), JSON.stringify(plan));
    const [row] = await catalog.transaction(
      "read",
      (tx) => tx.query("SELECT COUNT(*) AS n FROM record_tags WHERE tag = 'todo'"),
    );
    assertEquals(Number(row!.n), 2_500);
  });
});

Deno.test("repo restore (SQLite): making the indexes after the rows is a step of its own", async () => {
  // Seconds for a large catalog, and the bar sat at "writing the catalog"
  // 100% meanwhile, as if stuck.
  await withCatalog(async (_dir, catalog) => {
    const log: string[] = [];
    await restoreCatalog(logged(catalog, log), await snapshot(1_500), {
      onProgress: (p) => log.push(`progress: ${p.current}`),
    });
    const lastInsert = log.findLastIndex((sql) => sql.startsWith("INSERT INTO "));
    const firstMade = log.findIndex((sql, i) => i > lastInsert && sql.startsWith("CREATE "));
    const step = log.indexOf("progress: making the catalog's indexes");
    assert(
      lastInsert < step && step < firstMade,
      log.filter((s) => !s.startsWith("INSERT")).join("\n"),
    );
  });
});

Deno.test("repo restore (SQLite): a reader meanwhile sees the old catalog and its indexes; a stop leaves them all", async () => {
  await withCatalog(async (dir, catalog) => {
    await restoreCatalog(catalog, await snapshot(3));
    const before = await indexes(catalog);
    const bigger = await snapshot(4_000);
    // Another connection, read synchronously from the restore's progress
    // callback: mid-write, between two batches of rows.
    const reader = new DatabaseSync(join(dir, "c.sqlite"), { readOnly: true });
    try {
      const stop = new AbortController();
      let seen: { records: number; indexes: string[] } | undefined;
      await assertRejects(() =>
        restoreCatalog(catalog, bigger, {
          force: true,
          signal: stop.signal,
          onProgress: (p) => {
            if (p.current !== "writing the catalog" || !p.done || seen !== undefined) return;
            const n = reader.prepare("SELECT COUNT(*) AS n FROM records").get()!;
            const names = reader.prepare(
              `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('records', 'record_tags', 'path_tags') ORDER BY name`,
            ).all();
            seen = {
              records: Number(n.n),
              indexes: names.map((r) => `${r.name}: ${r.sql}`),
            };
            stop.abort();
          },
        })
      );
      assert(seen !== undefined, "no progress while writing");
      assertEquals(seen.records, 3);
      assertEquals(seen.indexes, before);
      // The restore was rolled back: indexes and rows as they were.
      assertEquals(await indexes(catalog), before);
      const [row] = await catalog.transaction(
        "read",
        (tx) => tx.query("SELECT COUNT(*) AS n FROM records"),
      );
      assertEquals(Number(row!.n), 3);
    } finally {
      reader.close();
    }
  });
});

Deno.test("repo restore (SQLite): a duplicate content key is refused by the check, naming the snapshot, with the indexes kept", async () => {
  await withCatalog(async (_dir, catalog) => {
    await restoreCatalog(catalog, await snapshot(2));
    const before = await indexes(catalog);
    const dup = snapshotRecord({ id: 9, path: "/r/9.csv", content_key: "content/1.csv" });
    const bad = await snapshot(2, [dup]);
    const error = await assertRejects(
      () => restoreCatalog(catalog, bad, { force: true, source: "dup.jsonl.gz" }),
      InvalidInputError,
    );
    assert(String(error).includes("dup.jsonl.gz"), String(error));
    assertEquals(await indexes(catalog), before);
  });
});
