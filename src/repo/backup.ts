/**
 * Catalog snapshots: one read transaction (a consistent view on both
 * databases) written as gzip-compressed JSON Lines, and the reverse, into an
 * empty catalog of either kind, so a repository can move from SQLite to
 * PostgreSQL and back.
 *
 * Lines: a header `{"format":"vc-repo-backup","version":1,...}`, then
 * `{"record":{...}}`, `{"recordTag":[id,tag]}`, `{"pathTag":[path,tag]}`.
 *
 * @module
 */
import { counted } from "../counted.ts";
import { InvalidInputError, VcError } from "../errors.ts";
import type { Catalog, Dialect, SqlValue, Tx } from "./catalog.ts";
import { createSchema } from "./schema.ts";
import { spellingKey } from "../unicode_spelling.ts";
import { compareUtf8 } from "../walk.ts";
import {
  RECORD_FIELDS,
  scanSnapshotStream,
  SNAPSHOT_VERSION,
  type SnapshotRows,
  type SnapshotSummary,
} from "./backup_lines.ts";

/**
 * The catalog to restore into holds records or path tags and `force` was not given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogNotEmptyError } from "./backup.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const repo = await Repository.init(`file://${dir}`);
 *   await repo.add("/a.txt", new TextEncoder().encode("a"));
 *   const { uri: snapshot } = await repo.backup();
 *   await repo.close();
 *   await assert.rejects(Repository.restore(`file://${dir}`, snapshot), CatalogNotEmptyError);
 *   // `force` replaces what the catalog holds.
 *   assert.equal((await Repository.restore(`file://${dir}`, snapshot, { force: true })).records, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class CatalogNotEmptyError extends VcError {}

/** Counts of what a snapshot holds. */
export interface SnapshotCounts {
  /** Records. */
  records: number;
  /** Record tags. */
  recordTags: number;
  /** Path tags. */
  pathTags: number;
}

/**
 * Progress of a backup or a restore: the step it is at (`current`), with the
 * rows or bytes done so far where they are known.
 */
export interface SnapshotProgress {
  /** The step, e.g. "reading the catalog", "checking the snapshot", "writing the catalog". */
  current: string;
  /** Rows (records and tags) so far. */
  done?: number;
  /** Rows in all. */
  total?: number;
  /** Bytes so far. */
  bytes?: number;
  /** Bytes in all. */
  totalBytes?: number;
}

/** Called as a backup or a restore goes on. */
export type SnapshotProgressCallback = (progress: SnapshotProgress) => void;

/**
 * What a restore did: what the snapshot held, and what it replaced of the
 * catalog. A `force` restore of an older snapshot drops the records added
 * since it was taken; said in numbers, so an operator notices.
 */
export interface RestoreCounts extends SnapshotCounts {
  /** Records the catalog held before the restore, all replaced (0 without `force`). */
  replaced: number;
  /** Of those, the ones the snapshot does not hold (by id): gone from the catalog. */
  dropped: number;
}

/**
 * Reads the whole catalog in one transaction and returns the gzip-compressed
 * JSON Lines snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqliteCatalog } from "./sqlite_catalog.ts";
 * import { createSchema } from "./schema.ts";
 * import { snapshotCatalog, restoreCatalog } from "./backup.ts";
 * const dir = await Deno.makeTempDir();
 * const a = await openSqliteCatalog(`${dir}/a.sqlite`, { create: true });
 * const b = await openSqliteCatalog(`${dir}/b.sqlite`, { create: true });
 * try {
 *   await a.transaction("write", (tx) => createSchema(tx, a.dialect));
 *   const { bytes, counts } = await snapshotCatalog(a, { createdAt: "2026-01-01T00:00:00Z" });
 *   assert.equal(counts.records, 0);
 *   assert.equal((await restoreCatalog(b, bytes)).records, 0);
 * } finally {
 *   await a.close();
 *   await b.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function snapshotCatalog(
  catalog: Catalog,
  header: Record<string, string>,
  onProgress?: SnapshotProgressCallback,
): Promise<{ bytes: Uint8Array; counts: SnapshotCounts }> {
  const lines: string[] = [];
  const counts = await catalog.transaction("read", async (tx) => {
    lines.length = 0; // a retried transaction starts over
    onProgress?.({ current: "reading the catalog" });
    const records = await tx.query(`SELECT ${RECORD_FIELDS.join(", ")} FROM records ORDER BY id`);
    // Sorted here by UTF-8 bytes, not by the database: PostgreSQL orders
    // text by its collation (en_US: "a" before "B"; SQLite: "B" before "a"),
    // so one catalog's snapshot would differ line by line with its catalog.
    const recordTags = (await tx.query("SELECT record_id, tag FROM record_tags")).sort((a, b) =>
      Number(a.record_id) - Number(b.record_id) || compareUtf8(String(a.tag), String(b.tag))
    );
    const pathTags = (await tx.query("SELECT path, tag FROM path_tags")).sort((a, b) =>
      compareUtf8(String(a.path), String(b.path)) || compareUtf8(String(a.tag), String(b.tag))
    );
    lines.push(
      JSON.stringify({ format: "vc-repo-backup", version: SNAPSHOT_VERSION, ...header }),
    );
    for (const r of records) lines.push(JSON.stringify({ record: r }));
    for (const t of recordTags) lines.push(JSON.stringify({ recordTag: [t.record_id, t.tag] }));
    for (const t of pathTags) lines.push(JSON.stringify({ pathTag: [t.path, t.tag] }));
    const counts = {
      records: records.length,
      recordTags: recordTags.length,
      pathTags: pathTags.length,
    };
    // The last line says how many came before it: a snapshot cut short
    // (at a line's end, too) is refused on restore instead of restored in part.
    lines.push(JSON.stringify({ end: counts }));
    return counts;
  });
  onProgress?.({ current: "compressing" });
  const stream = new Blob([lines.join("\n") + "\n"]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return { bytes: new Uint8Array(await new Response(stream).arrayBuffer()), counts };
}

/** Where a snapshot comes from and goes to, for {@linkcode readSnapshot} and {@linkcode restoreCatalog}. */
export interface SnapshotOptions {
  /** Names the snapshot in messages. */
  source?: string;
  /** The repository's content prefix (default `content/`): every record's content must be under it. */
  contentPrefix?: string;
  /** The id of the repository restored into: a snapshot of another one is refused. */
  repositoryId?: string;
  /** That repository's URI, for the message. */
  repository?: string;
  /** Called as the snapshot is checked (bytes read) and restored (rows written). */
  onProgress?: SnapshotProgressCallback;
}

/**
 * A snapshot checked whole: what it holds, and its rows to read again, a
 * batch at a time, as they are written into a catalog.
 */
export interface CheckedSnapshot extends SnapshotSummary {
  /** Reads the snapshot's rows again, handing them to `onRows` a batch at a time. */
  rows(onRows: (rows: SnapshotRows) => Promise<void>): Promise<void>;
}

/**
 * Checks a snapshot (see `backup_lines.ts`), and refuses one of another
 * repository than `repositoryId`: all of it, before any catalog is touched,
 * so a snapshot that is refused changes nothing. Its bytes, or a stream of
 * them read once now (`first`) and `again` for each later reading of its
 * rows: none is kept in memory, so a snapshot of any size restores in
 * bounded memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSnapshot } from "./backup.ts";
 * const gz = new Uint8Array(await new Response(new Blob(['{"format":"vc-repo-backup","version":1}\n'])
 *   .stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
 * assert.equal((await readSnapshot(gz)).counts.records, 0);
 * await assert.rejects(readSnapshot(gz.subarray(0, 10), { source: "b.gz" }), /b\.gz/);
 * ```
 */
export async function readSnapshot(
  snapshot: Uint8Array | {
    first: ReadableStream<Uint8Array>;
    again: () => Promise<ReadableStream<Uint8Array>>;
  },
  options: SnapshotOptions = {},
): Promise<CheckedSnapshot> {
  const source = options.source ?? "snapshot";
  const contentPrefix = options.contentPrefix ?? "content/";
  const progress = options.onProgress;
  const { first, again } = snapshot instanceof Uint8Array
    ? {
      first: slices(
        snapshot,
        progress &&
          ((bytes) =>
            progress({ current: "checking the snapshot", bytes, totalBytes: snapshot.length })),
      ),
      again: () => Promise.resolve(slices(snapshot)),
    }
    : snapshot;
  const summary = await scanSnapshotStream(first, source, contentPrefix, () => {});
  refuseForeignSnapshot(summary, source, options);
  return {
    ...summary,
    rows: async (onRows) => {
      await scanSnapshotStream(await again(), source, contentPrefix, onRows);
    },
  };
}

// Its records name another repository's content: restored here (even over
// an empty catalog), `check` would find all of it missing and this
// repository's own content orphaned, for `gc` to delete.
function refuseForeignSnapshot(
  parsed: SnapshotSummary,
  source: string,
  options: SnapshotOptions,
) {
  if (
    parsed.repositoryId !== undefined && options.repositoryId !== undefined &&
    parsed.repositoryId !== options.repositoryId
  ) {
    throw new InvalidInputError(
      `${source} is a backup of another repository (${
        parsed.repository ?? "another URI"
      }, id ${parsed.repositoryId}), not of ${
        options.repository ?? "this one"
      } (id ${options.repositoryId}): nothing was restored, even with --force; restore it into ` +
        `its own repository, or into a new one (its content must be copied there too)`,
    );
  }
}

/**
 * Rebuilds `catalog` from a snapshot (its bytes, or what
 * {@linkcode readSnapshot} made of them) in one transaction, its rows
 * written a batch at a time as they are read again. Creates the
 * schema when missing; refuses a catalog that holds records or path tags
 * unless `force`, which replaces its content (and says how many of its
 * records it replaced, and dropped).
 */
export async function restoreCatalog(
  catalog: Catalog,
  snapshot: Uint8Array | CheckedSnapshot,
  options: SnapshotOptions & { force?: boolean } = {},
): Promise<RestoreCounts> {
  const parsed = snapshot instanceof Uint8Array ? await readSnapshot(snapshot, options) : snapshot;
  // Read before the id of the repository restored into was known (a
  // catalog's id, where the marker has none): checked again with it.
  refuseForeignSnapshot(parsed, options.source ?? "snapshot", options);
  return await catalog.transaction("write", async (tx) => {
    await createSchema(tx, catalog.dialect, `catalog ${catalog.location}`);
    const existing = Number((await tx.query("SELECT COUNT(*) AS n FROM records"))[0]!.n);
    // Tags on paths with no records yet are content of their own: a
    // catalog holding only those is not empty either.
    const pathTags = Number((await tx.query("SELECT COUNT(*) AS n FROM path_tags"))[0]!.n);
    if ((existing > 0 || pathTags > 0) && !options.force) {
      throw new CatalogNotEmptyError(
        `catalog ${catalog.location} already holds ${counted(existing, "record")} and ${
          counted(pathTags, "path tag")
        }; restore with --force to replace them`,
      );
    }
    const dropped = existing === 0 ? 0 : await countDropped(tx, parsed.ids);
    await tx.query("DELETE FROM record_tags");
    await tx.query("DELETE FROM path_tags");
    await tx.query("DELETE FROM records");
    // Each path and tag with its spelling key, as the repository writes it.
    const withKey = (rows: SqlValue[][], at: number) =>
      rows.map((row) => [...row, spellingKey(String(row[at]))]);
    const { counts } = parsed;
    const written = rowCounter(
      counts.records + counts.recordTags + counts.pathTags,
      options.onProgress,
    );
    // A batch's records before its tags: a tag's record came on an earlier line.
    await parsed.rows(async (rows) => {
      await insertRows(
        tx,
        catalog.dialect,
        "records",
        [...RECORD_FIELDS, "path_key"],
        withKey(rows.records, RECORD_FIELDS.indexOf("path")),
        written,
      );
      await insertRows(
        tx,
        catalog.dialect,
        "record_tags",
        ["record_id", "tag", "tag_key"],
        withKey(rows.recordTags, 1),
        written,
      );
      await insertRows(
        tx,
        catalog.dialect,
        "path_tags",
        ["path", "tag", "path_key", "tag_key"],
        withKey(withKey(rows.pathTags, 0), 1),
        written,
      );
    });
    for (const statement of catalog.dialect.resetIdSequence) await tx.query(statement);
    return { ...counts, replaced: existing, dropped };
  });
}

// The catalog's records the snapshot does not hold. By id: ids are never
// handed out twice, so a record added after the snapshot has an id it lacks.
async function countDropped(tx: Tx, kept: ReadonlySet<number>): Promise<number> {
  const held = await tx.query("SELECT id FROM records");
  return held.filter((row) => !kept.has(Number(row.id))).length;
}

// Counts the rows a restore wrote, and says so now and then (a restore of
// many records takes a while).
function rowCounter(total: number, onProgress: SnapshotProgressCallback | undefined) {
  let done = 0;
  return (rows: number) => {
    const before = done;
    done += rows;
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(done / 1000) || done === total) {
      onProgress?.({ current: "writing the catalog", done, total });
    }
  };
}

async function insertRows(
  tx: Tx,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: SqlValue[][],
  written: (rows: number) => void,
): Promise<void> {
  const perStatement = dialect.rowsPerInsert(columns.length);
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    const values = part.map((_, r) =>
      `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`
    );
    await tx.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`,
      part.flat(),
    );
    written(part.length);
  }
}

// The compressed bytes as a stream, in slices of the size the reader cuts
// them to anyway (see scanSnapshotStream), for the progress between them.
function slices(
  bytes: Uint8Array,
  onRead?: (bytes: number) => void,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 4096)));
      offset = Math.min(offset + 4096, bytes.length);
      // Every 256 KiB of the compressed file, and at its end.
      if (offset % (256 * 1024) === 0 || offset === bytes.length) onRead?.(offset);
    },
  });
}
