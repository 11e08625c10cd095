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
import { RECORDS_PER_PAGE } from "./record_pages.ts";
import { keepPurged, purgedSince } from "./restore_purged.ts";
import type { ObjectStore } from "../store/types.ts";
import { signalOption } from "../abort_hub.ts";
import { spellingKey } from "../unicode_spelling.ts";
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
  /**
   * Of those, the ones the catalog held purged and the snapshot does not (purged
   * since it was taken), whose content the store no longer holds: they stay
   * purged, rather than name content that is gone.
   */
  keptPurged: number;
  /**
   * Records of the catalog the repository moved from (a restore with another
   * `catalog` than its own) that the snapshot does not hold: added there
   * since the snapshot was taken, left behind. `Repository.restore` only, and
   * only when that catalog could be opened.
   */
  leftBehind?: number;
  /**
   * Why `leftBehind` is missing from a move: the catalog moved from could not
   * be opened or read (no password sent to it, a server down, a damaged
   * file), so records added there since the snapshot, if any, were neither
   * counted nor refused, and stay there.
   */
  leftBehindUnchecked?: string;
  /**
   * The catalog the repository moved from (`Repository.restore` with another
   * `catalog` than its own), its password left out.
   */
  movedFrom?: string;
  /**
   * Restored records (not purged) whose content the store does not hold, as
   * the store was listed once the restore was done; `Repository.restore`
   * only, and not when the store could not be listed.
   */
  missingContent?: number;
  /**
   * Content objects in the store no restored record references (added since
   * the snapshot was taken, or dropped): gc deletes them once older than its
   * grace period. As `missingContent`.
   */
  unreferencedContent?: number;
  /** Why those two are missing: the store could not be listed once the restore was done. */
  contentUnchecked?: string;
}

/**
 * Reads the whole catalog in one transaction and writes it to the file
 * `path` as a gzip-compressed JSON Lines snapshot, a page of rows at a time:
 * memory stays bounded whatever the catalog's size (a catalog of 1.8 million
 * records failed with `RangeError: Invalid string length` when its lines were
 * joined into one string, after taking 4 GB).
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
 *   const path = `${dir}/b.jsonl.gz`;
 *   const { counts } = await snapshotCatalog(a, { createdAt: "2026-01-01T00:00:00Z" }, path);
 *   assert.equal(counts.records, 0);
 *   assert.equal((await restoreCatalog(b, await Deno.readFile(path))).records, 0);
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
  path: string,
  options: { onProgress?: SnapshotProgressCallback; signal?: AbortSignal } = {},
): Promise<{ size: number; counts: SnapshotCounts }> {
  const { onProgress, signal } = options;
  const counts = await catalog.transaction("read", async (tx) => {
    // A retried transaction starts the file over.
    const out = await snapshotFile(path);
    try {
      const total = await countRows(tx);
      let done = 0;
      const read = (rows: number) => {
        // A stop between pages: a large catalog takes a while to read.
        signal?.throwIfAborted();
        done += rows;
        onProgress?.({ current: "reading the catalog", done, total });
      };
      read(0);
      await out.write(
        JSON.stringify({ format: "vc-repo-backup", version: SNAPSHOT_VERSION, ...header }),
      );
      // Records by id, tags by their UTF-8 bytes, not by the database's
      // collation: PostgreSQL orders text by its collation (en_US: "a"
      // before "B"; SQLite: "B" before "a"), so one catalog's snapshot would
      // differ line by line with its catalog.
      const order = catalog.dialect.byteOrder;
      const records = await pages(
        tx,
        catalog.dialect,
        {
          select: `SELECT ${RECORD_FIELDS.join(", ")} FROM records`,
          after: "id > $1",
          order: "id",
          from: (last) => [last.id!],
        },
        async (rows) => {
          for (const r of rows) await out.write(JSON.stringify({ record: r }));
          read(rows.length);
        },
      );
      const recordTags = await pages(
        tx,
        catalog.dialect,
        {
          select: "SELECT record_id, tag FROM record_tags",
          after: `record_id > $1 OR (record_id = $1 AND tag${order} > $2)`,
          order: `record_id, tag${order}`,
          from: (last) => [last.record_id!, last.tag!],
        },
        async (rows) => {
          for (const t of rows) {
            await out.write(JSON.stringify({ recordTag: [t.record_id, t.tag] }));
          }
          read(rows.length);
        },
      );
      const pathTags = await pages(
        tx,
        catalog.dialect,
        {
          select: "SELECT path, tag FROM path_tags",
          after: `path${order} > $1 OR (path${order} = $1 AND tag${order} > $2)`,
          order: `path${order}, tag${order}`,
          from: (last) => [last.path!, last.tag!],
        },
        async (rows) => {
          for (const t of rows) await out.write(JSON.stringify({ pathTag: [t.path, t.tag] }));
          read(rows.length);
        },
      );
      const counts = { records, recordTags, pathTags };
      // The last line says how many came before it: a snapshot cut short
      // (at a line's end, too) is refused on restore instead of restored in part.
      await out.write(JSON.stringify({ end: counts }));
      await out.close();
      return counts;
    } catch (error) {
      await out.abort(error);
      throw error;
    }
  });
  return { size: (await Deno.stat(path)).size, counts };
}

// Rows of the three tables, for the progress of a backup.
async function countRows(tx: Tx): Promise<number> {
  const [row] = await tx.query(
    `SELECT (SELECT COUNT(*) FROM records) + (SELECT COUNT(*) FROM record_tags) +
            (SELECT COUNT(*) FROM path_tags) AS n`,
  );
  return Number(row!.n);
}

/** Rows a backup reads with one query. */
const ROWS_PER_PAGE = 5_000;

/** A table's rows in a snapshot's order, to read page by page. */
interface PagedQuery {
  /** `SELECT … FROM table`. */
  select: string;
  /** The condition for the rows after the previous page, its values `from` the page's last row. */
  after: string;
  /** The ORDER BY columns. */
  order: string;
  /** The values of `after` (`$1`, …), from the previous page's last row. */
  from: (last: Record<string, SqlValue>) => SqlValue[];
}

// Reads `query` page by page, handing each page to `use`; returns the rows
// read. PostgreSQL reads one ordered query through a cursor: a byte order
// (COLLATE "C") no index has would be sorted again for every page. SQLite
// pages by keyset: its indexes are in that order already, and it has no
// cursor to hold. Bounded by the table's rows.
async function pages(
  tx: Tx,
  dialect: Dialect,
  query: PagedQuery,
  use: (rows: Record<string, SqlValue>[]) => Promise<void>,
): Promise<number> {
  const cursor = dialect.name === "postgres";
  if (cursor) {
    await tx.query(
      `DECLARE vc_backup NO SCROLL CURSOR FOR ${query.select} ORDER BY ${query.order}`,
    );
  }
  let last: Record<string, SqlValue> | undefined;
  let n = 0;
  for (;;) {
    // The first page has no lower bound: a row vc would never write (an id
    // of 0, an empty path, put there by hand) is in the snapshot, for the
    // restore to refuse naming it, as a PostgreSQL backup has it.
    const rows = cursor
      ? await tx.query(`FETCH ${ROWS_PER_PAGE} FROM vc_backup`)
      : last === undefined
      ? await tx.query(`${query.select} ORDER BY ${query.order} LIMIT ${ROWS_PER_PAGE}`)
      : await tx.query(
        `${query.select} WHERE ${query.after} ORDER BY ${query.order} LIMIT ${ROWS_PER_PAGE}`,
        query.from(last),
      );
    if (rows.length > 0) await use(rows);
    n += rows.length;
    if (rows.length < ROWS_PER_PAGE) break;
    last = rows.at(-1);
  }
  if (cursor) await tx.query("CLOSE vc_backup");
  return n;
}

// A new snapshot file at `path` (replacing one a failed attempt left),
// written a line at a time through gzip, its lines gathered into larger
// chunks for the compressor.
async function snapshotFile(path: string) {
  const file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o600 });
  const gzip = new CompressionStream("gzip");
  const piped = gzip.readable.pipeTo(file.writable); // closes the file
  const writer = gzip.writable.getWriter();
  const encoder = new TextEncoder();
  let pending = "";
  const flush = async () => {
    await writer.ready;
    await writer.write(encoder.encode(pending));
    pending = "";
  };
  return {
    async write(line: string) {
      pending += line + "\n";
      if (pending.length >= 256 * 1024) await flush();
    },
    async close() {
      await flush();
      await writer.close();
      await piped;
    },
    async abort(reason: unknown) {
      await writer.abort(reason).catch(() => {});
      await piped.catch(() => {});
    },
  };
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
  /**
   * Called once the snapshot's header is read and taken, before its rows:
   * what it rejects with refuses the snapshot then, as it is (a restore
   * refuses a catalog it may not take there, not after all of it is read).
   */
  afterHeader?: () => Promise<void>;
}

/** Options of {@linkcode restoreCatalog}. */
export interface RestoreCatalogOptions extends SnapshotOptions {
  /** Replace what a catalog that holds records or path tags holds. */
  force?: boolean;
  /**
   * Stops the restore between its batches of rows, its transaction rolled
   * back: the catalog stays as it was.
   */
  signal?: AbortSignal;
  /**
   * The content store: with `force`, a record the replaced catalog holds
   * purged stays purged when the store no longer holds its content (see
   * `restore_purged.ts`). Without it, the snapshot's states stand.
   */
  store?: ObjectStore;
  /**
   * Ids up to this one are never handed out by the restored catalog: the
   * largest id the catalog a move comes from handed out.
   */
  idsAfter?: number;
  /**
   * Runs in the restore's transaction once its rows are written, so what it
   * writes commits with them (the mark of the content gc keeps, see
   * `restore_reconcile.ts`).
   */
  inTransaction?: (tx: Tx) => Promise<void>;
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
  const summary = await scanSnapshotStream(
    first,
    source,
    contentPrefix,
    () => {},
    (header) => {
      refuseForeignSnapshot(header, source, options);
      return options.afterHeader?.();
    },
  );
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
  parsed: Pick<SnapshotSummary, "repositoryId" | "repository">,
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
      } (id ${options.repositoryId}): nothing was restored, even with the force option; ` +
        "restore it into its own repository, or into a new one (its content must be copied " +
        "there too)",
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
  options: RestoreCatalogOptions = {},
): Promise<RestoreCounts> {
  const parsed = snapshot instanceof Uint8Array ? await readSnapshot(snapshot, options) : snapshot;
  // Read before the id of the repository restored into was known (a
  // catalog's id, where the marker has none): checked again with it.
  refuseForeignSnapshot(parsed, options.source ?? "snapshot", options);
  return await catalog.transaction("write", async (tx) => {
    // Writers wait for the commit, then write the restored catalog.
    for (const statement of catalog.dialect.replaceLock) await tx.query(statement);
    await createSchema(tx, catalog.dialect, `catalog ${catalog.location}`);
    const existing = Number((await tx.query("SELECT COUNT(*) AS n FROM records"))[0]!.n);
    // Tags on paths with no records yet are content of their own: a
    // catalog holding only those is not empty either.
    const pathTags = Number((await tx.query("SELECT COUNT(*) AS n FROM path_tags"))[0]!.n);
    const dropped = existing === 0 ? 0 : await countDropped(tx, parsed.ids);
    if ((existing > 0 || pathTags > 0) && !options.force) {
      // What the force option would lose, said before it is given: the
      // forced restore's own count of them comes once they are gone.
      const loss = existing === 0
        ? ""
        : dropped === 0
        ? " (all of its records are in the snapshot)"
        : `, dropping ${counted(dropped, "record")} the snapshot does not hold ` +
          "(added since it was taken)";
      throw new CatalogNotEmptyError(
        `catalog ${catalog.location} already holds ${counted(existing, "record")} and ${
          counted(pathTags, "path tag")
        }; restore with the force option to replace them${loss}`,
      );
    }
    const purged = existing > 0 && options.store !== undefined ? await purgedSince(tx, parsed) : [];
    const indexes = await setIndexesAside(tx, catalog.dialect);
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
      // A stop between batches rolls all of it back: a large snapshot takes
      // minutes to write, and unheard, Ctrl-C ended the process after its
      // grace period, leaving the snapshot's temp copy in TMPDIR.
      options.signal?.throwIfAborted();
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
    // A duplicate content key (which the snapshot's check already refuses)
    // fails here, as the unique index is made again: rolled back. Seconds
    // for a large catalog: a step of its own, not "writing the catalog" at
    // 100%, as if stuck.
    if (indexes.length > 0) options.onProgress?.({ current: "making the catalog's indexes" });
    for (const sql of indexes) await tx.query(sql);
    const keptPurged = purged.length > 0
      ? await keepPurged(tx, options.store!, purged, {
        ...signalOption(options.signal),
        onChecked: (done, total) =>
          options.onProgress?.({ current: "checking the content of purged records", done, total }),
      })
      : 0;
    for (const statement of catalog.dialect.resetIdSequence) await tx.query(statement);
    if (options.idsAfter !== undefined && options.idsAfter > 0) {
      for (const statement of catalog.dialect.raiseIdSequence) {
        await tx.query(statement, [options.idsAfter]);
      }
    }
    await options.inTransaction?.(tx);
    // The last moment it can still be rolled back: a stop said meanwhile (an
    // async onProgress's rejection, seen only now) leaves the catalog as it was.
    options.signal?.throwIfAborted();
    return { ...counts, replaced: existing, dropped, keptPurged };
  });
}

// The tables' indexes, dropped before a SQLite restore deletes and writes
// their rows, to be made again (by the statements returned, as the catalog
// has them) once all are written: sorting each index once took half the CPU
// time of keeping all ten up to date row by row (measured: 100,000 records
// and 50,000 tags, 0.9 s against 1.7 s in node:sqlite). In the restore's
// transaction: readers (WAL) go on seeing the catalog as it was, indexes
// and all, until the commit, and a restore rolled back leaves them as they
// were. Not on PostgreSQL, where DROP INDEX locks the table against readers
// until the commit. Primary keys (no SQL of their own) stay.
async function setIndexesAside(tx: Tx, dialect: Dialect): Promise<string[]> {
  if (dialect.name !== "sqlite") return [];
  const rows = await tx.query(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN ('records', 'record_tags', 'path_tags') ORDER BY name`,
  );
  for (const row of rows) await tx.query(`DROP INDEX "${String(row.name).replaceAll('"', '""')}"`);
  return rows.map((row) => String(row.sql));
}

// The catalog's records the snapshot does not hold. By id: ids are never
// handed out twice, so a record added after the snapshot has an id it lacks.
/** How many of the catalog's records `kept` (a snapshot's ids) does not hold. */
export async function countDropped(tx: Tx, kept: ReadonlySet<number>): Promise<number> {
  // A page of ids at a time, never all of a large catalog's at once.
  let dropped = 0;
  for (let after = 0;;) {
    const held = await tx.query(
      `SELECT id FROM records WHERE id > $1 ORDER BY id LIMIT ${RECORDS_PER_PAGE}`,
      [after],
    );
    dropped += held.filter((row) => !kept.has(Number(row.id))).length;
    if (held.length < RECORDS_PER_PAGE) return dropped;
    after = Number(held.at(-1)!.id);
  }
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
  // The statement's text is made once per batch (and once more for its last,
  // shorter part), not once per row: on SQLite, one row a statement, making
  // it and looking its prepared statement up by a new string of that text
  // took more time than the insert (~1 s of 100,000 records).
  const statement = (n: number) => {
    const values = Array.from(
      { length: n },
      (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
    );
    return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`;
  };
  const full = statement(Math.min(perStatement, rows.length));
  if (perStatement === 1) {
    for (const row of rows) await tx.query(full, row);
    if (rows.length > 0) written(rows.length);
    return;
  }
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    await tx.query(part.length === perStatement ? full : statement(part.length), part.flat());
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
