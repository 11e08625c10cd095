/**
 * `vc repo backup` reads the catalog a page of rows at a time into a temp
 * file, never all of it into memory: before, every row was read by one query
 * and the lines joined into one string, so a catalog of 1.8 million records
 * failed with `RangeError: Invalid string length` after taking 4 GB. The
 * pages keep the snapshot's order (tags by their UTF-8 bytes) across them.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { snapshotCatalog } from "../src/repo/backup.ts";
import type { Catalog, Tx } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { compareUtf8 } from "../src/walk.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

// Tags and paths whose UTF-8 order is not UTF-16's nor a language's.
const SPELLINGS = ["B", "a", "_z", "é", "\uffff", "\u{1f600}"];

/** A catalog that records the most rows any one of its queries returned. */
function counting(catalog: Catalog): { catalog: Catalog; largest: () => number } {
  let largest = 0;
  const wrap = (tx: Tx): Tx => ({
    ...tx,
    query: async (sql, params) => {
      const rows = await tx.query(sql, params);
      largest = Math.max(largest, rows.length);
      return rows;
    },
  });
  const wrapped = Object.create(catalog) as Catalog;
  wrapped.transaction = (mode, fn, options) =>
    catalog.transaction(mode, (tx) => fn(wrap(tx)), options);
  return { catalog: wrapped, largest: () => largest };
}

Deno.test("repo backup: a catalog is read a page at a time, in the snapshot's order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_backup_streamed_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await (await Repository.init(uri, { catalog: `sqlite:${join(dir, "c.sqlite")}` })).close();
    // More rows of each kind than one page, written straight into the catalog.
    const n = 6_000;
    {
      const db = new DatabaseSync(join(dir, "c.sqlite"));
      db.exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n})
        INSERT INTO records (id, path, state, content_key, size, md5, origin_host, created_at,
                             published_at, path_key)
        SELECT i, '/r/' || i, 'published', 'content/' || i || '.bin', 1,
               '00000000000000000000000000000000', 'h', 1, 2, '/r/' || i FROM c`);
      const tag = db.prepare("INSERT INTO record_tags (record_id, tag, tag_key) VALUES (?, ?, ?)");
      const pathTag = db.prepare(
        "INSERT INTO path_tags (path, tag, path_key, tag_key) VALUES (?, ?, ?, ?)",
      );
      db.exec("BEGIN"); // one commit, not one each
      for (let id = 1; id <= n; id++) {
        for (const t of SPELLINGS.slice(0, 2)) tag.run(id, `${t}${id % 7}`, `${t}${id % 7}`);
      }
      for (let i = 0; i < n; i++) {
        const p = `/${SPELLINGS[i % SPELLINGS.length]}${i}`;
        pathTag.run(p, SPELLINGS[i % 3]!, p, SPELLINGS[i % 3]!);
      }
      db.exec("COMMIT");
      db.close();
    }
    const opened = await openSqliteCatalog(join(dir, "c.sqlite"));
    const path = join(dir, "b.jsonl.gz");
    try {
      const { catalog, largest } = counting(opened);
      const { counts, size } = await snapshotCatalog(catalog, { createdAt: "x" }, path);
      assertEquals(counts, { records: n, recordTags: 2 * n, pathTags: n });
      assertEquals(size, (await Deno.stat(path)).size);
      assert(largest() < n, `one query returned ${largest()} rows`);
    } finally {
      await opened.close();
    }
    await checkSnapshot(path, n);
    // It restores whole, and the repository's own backup leaves no temp file.
    const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
    const before = [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith("vc-backup-"));
    await Repository.restore(uri, path, { force: true });
    await using repo = await Repository.open(uri);
    assertEquals((await repo.backup()).counts, { records: n, recordTags: 2 * n, pathTags: n });
    assertEquals(
      [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith("vc-backup-")),
      before,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "repo backup: a PostgreSQL catalog is read through a cursor, in the snapshot's order",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const url = await pg.createDatabase(
      "vc_en",
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en'",
    );
    const dir = await Deno.makeTempDir({ prefix: "vc_backup_streamed_" });
    try {
      await (await Repository.init(pathToFileURL(join(dir, "repo")).href, { catalog: url }))
        .close();
      const n = 6_000;
      const opened = await openPostgresCatalog(url, { env: () => undefined });
      try {
        const spellings = `ARRAY[${SPELLINGS.map((t) => `'${t}'`).join(", ")}]`;
        await opened.transaction("write", async (tx) => {
          await tx.query(`INSERT INTO records (id, path, state, content_key, size, md5,
              origin_host, created_at, published_at, path_key)
            SELECT i, '/r/' || i, 'published', 'content/' || i || '.bin', 1,
              '00000000000000000000000000000000', 'h', 1, 2, '/r/' || i
            FROM generate_series(1, ${n}) i`);
          for (const at of [1, 2]) {
            await tx.query(`INSERT INTO record_tags (record_id, tag, tag_key)
              SELECT id, t, t FROM (SELECT id, (${spellings})[${at}] || (id % 7) AS t
                                    FROM records) x`);
          }
          await tx.query(`INSERT INTO path_tags (path, tag, path_key, tag_key)
            SELECT p, t, p, t FROM (
              SELECT '/' || (${spellings})[i % ${SPELLINGS.length} + 1] || i AS p,
                     (${spellings})[i % 3 + 1] AS t
              FROM generate_series(0, ${n - 1}) i) x`);
        });
        const { catalog, largest } = counting(opened);
        const path = join(dir, "b.jsonl.gz");
        const { counts } = await snapshotCatalog(catalog, { createdAt: "x" }, path);
        assertEquals(counts, { records: n, recordTags: 2 * n, pathTags: n });
        assert(largest() < n, `one query returned ${largest()} rows`);
        await checkSnapshot(path, n);
      } finally {
        await opened.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// The snapshot at `path` holds records 1..n in order and 2n record tags and
// n path tags, each in UTF-8 byte order.
async function checkSnapshot(path: string, n: number): Promise<void> {
  const lines = (await new Response(
    (await Deno.open(path)).readable.pipeThrough(new DecompressionStream("gzip")),
  ).text()).split("\n");
  assertEquals(lines.pop(), "");
  const rows = lines.slice(1, -1).map((l) => JSON.parse(l));
  const ids = rows.filter((r) => r.record).map((r) => r.record.id);
  assertEquals(ids, Array.from({ length: n }, (_, i) => i + 1));
  const byBytes = (a: [unknown, string], b: [unknown, string]) =>
    typeof a[0] === "number"
      ? (a[0] as number) - (b[0] as number) || compareUtf8(a[1], b[1])
      : compareUtf8(a[0] as string, b[0] as string) || compareUtf8(a[1], b[1]);
  for (const kind of ["recordTag", "pathTag"]) {
    const pairs = rows.filter((r) => r[kind]).map((r) => r[kind]);
    assertEquals(pairs.length, kind === "recordTag" ? 2 * n : n);
    assertEquals(pairs, [...pairs].sort(byBytes), `${kind}s are in UTF-8 byte order`);
  }
}
