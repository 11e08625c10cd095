/**
 * The catalog seam: one small interface that the SQLite and PostgreSQL
 * catalogs implement, so the repository's SQL is written once. Queries use
 * PostgreSQL's `$1` placeholders; the SQLite catalog rewrites them to `?1`.
 * The few places where the two databases differ are the fields of
 * {@linkcode Dialect}, so no query is written twice.
 *
 * @module
 */
import { VcError } from "../errors.ts";
import { retry } from "../store/retry.ts";

/** A value bound to a placeholder or read from a column. */
export type SqlValue = string | number | null;

/**
 * One result row, by column name. Alike on both catalogs: PostgreSQL's
 * `int8`, `numeric` (a `SUM`, an `AVG`) and `boolean` are read as SQLite
 * gives them, as numbers (1 / 0 for a boolean).
 */
export type Row = Record<string, SqlValue>;

/** What a transaction body can do: run statements inside the transaction. */
export interface Tx {
  /**
   * Runs one statement with `$1`-style parameters and returns its rows (empty for DDL/DML without RETURNING).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/a.csv", new TextEncoder().encode("a"));
   *   // A report the repository's methods do not offer, straight from its catalog:
   *   const rows = await repo.catalog.transaction("read", (tx) =>
   *     tx.query("SELECT path, size FROM records WHERE path LIKE $1", ["/a%"]));
   *   assert.deepEqual(rows.map((r) => [r.path, Number(r.size)]), [["/a.csv", 1]]);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /**
   * The value of {@linkcode TxOptions.preface} (`null` for no row); left out
   * when none was asked for, or by a catalog that does not read it (then the
   * body asks itself).
   */
  readonly preface?: unknown;
}

/**
 * `"read"`: a consistent snapshot (SQLite: deferred read transaction in WAL;
 * PostgreSQL: REPEATABLE READ READ ONLY). `"write"`: SQLite takes the write
 * lock at once (BEGIN IMMEDIATE), so two writers never deadlock on upgrade;
 * PostgreSQL uses READ COMMITTED plus row locks.
 */
export type TxMode = "read" | "write";

/** Where SQLite and PostgreSQL differ; every query reads these instead of branching. */
export interface Dialect {
  /** `"sqlite"` or `"postgres"`. */
  readonly name: "sqlite" | "postgres";
  /** Column definition of the auto-numbered record id. */
  readonly idColumn: string;
  /** Appended to a SELECT that must lock its rows (`FOR UPDATE` / nothing: SQLite's write transaction already excludes writers). */
  readonly forUpdate: string;
  /**
   * Appended to a SELECT that checks a row exists before rows referencing it
   * are inserted (`FOR KEY SHARE` / nothing): what the foreign key's own
   * check locks, taken at the check, so a row deleted meanwhile (a forced
   * restore) is found gone there instead of failing the insert.
   */
  readonly forKeyShare: string;
  /**
   * Appended to the claim SELECT (`FOR NO KEY UPDATE SKIP LOCKED` / nothing): it
   * skips rows another claim or state change holds, never those a tagger holds
   * `FOR KEY SHARE`.
   */
  readonly forUpdateSkipLocked: string;
  /**
   * Appended to gc's SELECT of the records it expires or purges (`FOR UPDATE
   * SKIP LOCKED` / nothing): a row another session holds in any mode (a
   * worker stopped mid-write, its transaction left open) is left for a later
   * gc rather than waited for until the whole gc fails as busy.
   */
  readonly forUpdateSkipHeld: string;
  /** Statements that make the id generator continue after explicitly inserted ids (restore). */
  readonly resetIdSequence: readonly string[];
  /**
   * A SELECT answering, as `n`, the largest id the id generator handed out
   * (or a record holds): records a forced restore dropped count too.
   */
  readonly lastIdHandedOut: string;
  /**
   * Statements that make the id generator continue after `$1` at least (a
   * move to this catalog: past every id the catalog moved from handed out).
   */
  readonly raiseIdSequence: readonly string[];
  /**
   * Statements that take the content lock for the rest of a write
   * transaction: `shared` by an `add` recording its content, `exclusive` by
   * gc deleting unreferenced content, so gc never deletes content between
   * an add's check that it is still there and its commit. PostgreSQL uses a
   * transaction-scoped advisory lock; SQLite's write transaction already
   * excludes every other writer (nothing to run).
   */
  readonly contentLock: {
    readonly shared: readonly string[];
    readonly exclusive: readonly string[];
  };
  /**
   * Statements that keep every other write transaction out until this one
   * commits, run first by a restore that replaces the catalog's rows: a
   * writer then waits for the restore before it reads anything, and runs on
   * the restored catalog. PostgreSQL: an advisory lock that every write
   * transaction takes shared at its first statement; SQLite's write
   * transaction already excludes every other writer (nothing to run).
   */
  readonly replaceLock: readonly string[];
  /**
   * Statements, with the path's NFC form as `$1`, that take a lock on all
   * the Unicode spellings of one path for the rest of a write transaction:
   * two adds of two spellings of a new path never both find the catalog
   * without the other. PostgreSQL uses a transaction-scoped advisory lock on
   * the form's hash; SQLite's write transaction already excludes every
   * other writer (nothing to run).
   */
  readonly pathLock: readonly string[];
  /**
   * The same for one tag's spellings (`$1`: the tag's NFC form), in a key
   * space of their own: two writers setting two spellings of a new tag at
   * once never both find the catalog without the other.
   */
  readonly tagLock: readonly string[];
  /**
   * Rows per INSERT when many are written at once (a restore). SQLite: one,
   * its statement prepared once and run for each row (measured in
   * `node:sqlite` alone, no restore around it: 300k records inserted in 3.1
   * s, against 19.8 s as 142-row VALUES lists, whose statements take
   * milliseconds each to prepare; a whole `vc repo restore` of 300k records,
   * which checks the snapshot's lines twice and builds the indexes, took 6.5
   * s of CPU in 2026-12, see scripts/bench/NOTES.md). PostgreSQL: as many as
   * fit in about 2,000 parameters, one round trip for each.
   */
  readonly rowsPerInsert: (columns: number) => number;
  /**
   * Appended to a text column to compare it by its UTF-8 bytes (a backup's
   * order, whatever the database's collation): PostgreSQL's `COLLATE "C"`
   * (of a UTF8 database), SQLite's `BINARY` (its default).
   */
  readonly byteOrder: string;
  /**
   * A query that returns a row when the catalog's `vc_meta` table exists.
   * Asked first, since on PostgreSQL a failed query (a missing table) fails
   * its whole transaction, whatever catches its error.
   */
  readonly metaTableExists: string;
  /**
   * A query that returns a row when a table (or view) named `$1` is where
   * the catalog's queries find their tables (SQLite's file, PostgreSQL's
   * search_path), as {@linkcode Dialect.metaTableExists} does for `vc_meta`.
   */
  readonly tableExists: string;
  /** A query that returns a row when an index named `$1` is where the catalog's queries find their tables. */
  readonly indexExists: string;
  /**
   * A query that returns a row when this user may add an index to
   * `records` here (PostgreSQL: a member of its owner's role, with CREATE on
   * its schema, on a server not in recovery, in a session whose transactions
   * are not read-only by default). Asked in a read: one who may not never
   * makes a write that fails, an ERROR in the server's log at each open.
   */
  readonly mayAddIndexes: string;
  /**
   * A query that returns a row when this user may add records here
   * (PostgreSQL: INSERT on `records` and `record_tags`, on a server not in
   * recovery, in a session whose transactions are not read-only by
   * default; SQLite: always, its file's mode is looked at instead). Asked in
   * a read before an add's upload, so that an add refused as read-only
   * uploads nothing and takes no write lock.
   */
  readonly mayAddRecords: string;
  /**
   * Statements that keep two openers adding the same missing index apart
   * for the rest of a write transaction, and nothing else (never gc's
   * content lock: an open would wait out a gc deleting content).
   */
  readonly indexLock: readonly string[];
  /**
   * A query that returns one row (`name`) per column of the `vc_meta`
   * table {@linkcode Dialect.metaTableExists} finds: another program's
   * table of that name has columns other than vc's `key` and `value`.
   */
  readonly metaColumns: string;
  /**
   * Whether a write transaction holds the catalog's only write lock from its
   * start to its commit (SQLite's `BEGIN IMMEDIATE`): no other writer
   * commits anything while it runs, so what it read at its start is still
   * so at its commit. PostgreSQL's writers run side by side (READ COMMITTED).
   */
  readonly writesExcludeWriters: boolean;
}

/** Options of {@linkcode Catalog.transaction}. */
export interface TxOptions {
  /** Stops retrying a busy catalog (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /**
   * A query (no parameters) returning at most one row of one column, whose
   * value (`null` for no row) the transaction hands its body as
   * {@linkcode Tx.preface}, read in its snapshot before the body runs. A
   * PostgreSQL catalog folds it into the statement every transaction of it
   * sends first (its lock timeout): no round trip of its own.
   */
  preface?: string | undefined;
}

/** A SQL database holding a repository's catalog. */
export interface Catalog {
  /** The dialect, for queries that differ. */
  readonly dialect: Dialect;
  /** Where the catalog lives, without any password (`sqlite:/path` or `postgres://user@host/db`). */
  readonly location: string;
  /** Busy / serialization failures that were retried so far (benchmarks report this). */
  readonly conflictsRetried: number;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when
   * it throws. Busy databases and serialization failures are retried with
   * jittered backoff (the whole `fn` runs again), so `fn` must only touch the
   * database; so is, on PostgreSQL, a connection lost before the COMMIT was
   * sent (never one lost at the COMMIT). Gives up with {@linkcode CatalogBusyError}, or, once
   * `options.signal` aborts, with its reason instead of another attempt
   * (nothing of the transaction was then committed). A transaction of the
   * same catalog begun inside `fn` (or a `Repository` method of it called
   * there) is refused with {@linkcode CatalogBusyError}: it would wait for
   * `fn`, which waits for it; run its statements through `tx`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using repo = await Repository.init(`file://${dir}`);
   *   await repo.add("/a.csv", new TextEncoder().encode("a"));
   *   // Rolled back when fn throws: nothing of it stays.
   *   await assert.rejects(repo.catalog.transaction("write", async (tx) => {
   *     await tx.query("DELETE FROM record_tags");
   *     await tx.query("DELETE FROM records");
   *     throw new Error("changed my mind");
   *   }), /changed my mind/);
   *   assert.equal((await repo.list()).length, 1);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  transaction<T>(mode: TxMode, fn: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  /**
   * Closes the connection(s).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Repository } from "./repository.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const repo = await Repository.init(`file://${dir}`);
   *   await repo.catalog.close(); // what repo.close() does, with the store
   *   await assert.rejects(repo.list(), /was closed/);
   *   await repo.store.close();
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  close(): Promise<void>;
}

/**
 * The catalog cannot be reached or opened (wrong path, server down, bad credentials).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogUnavailableError } from "./catalog.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/c.sqlite`); // a directory where the catalog file should be
 *   await assert.rejects(
 *     Repository.init(`file://${dir}/repo`, { catalog: `sqlite:${dir}/c.sqlite` }),
 *     CatalogUnavailableError,
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class CatalogUnavailableError extends VcError {
  /**
   * True when the transaction surely changed nothing: the catalog was lost
   * before its COMMIT was sent (it could not be reached, or a query failed),
   * or the server canceled one of its statements (a `statement_timeout`,
   * `pg_cancel_backend`). A loss at the COMMIT itself leaves it unknown (`false`).
   */
  nothingCommitted = false;
}

/**
 * A catalog this process may read but not change (file permissions, a user
 * without the rights).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogReadOnlyError, CatalogUnavailableError } from "./catalog.ts";
 * const e = new CatalogReadOnlyError("catalog sqlite:/x/c.sqlite is read-only");
 * assert(e instanceof CatalogUnavailableError && e.name === "CatalogReadOnlyError");
 * ```
 */
export class CatalogReadOnlyError extends CatalogUnavailableError {}

/**
 * A SQLite catalog file that is not (or no longer) a database: only a
 * restore (`Repository.restore(…, { force: true })`) rebuilds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogDamagedError, CatalogUnavailableError } from "./catalog.ts";
 * const e = new CatalogDamagedError("cannot open SQLite catalog /x/c.sqlite: file is not a database");
 * assert(e instanceof CatalogUnavailableError && e.name === "CatalogDamagedError");
 * ```
 */
export class CatalogDamagedError extends CatalogUnavailableError {}

/**
 * The catalog this process opened is no longer the repository's: its SQLite
 * file was replaced or removed (a forced restore's rebuild, a file moved or
 * copied over it), or a restore moved the repository to another catalog.
 * A transaction on it would read the old catalog and write where nobody
 * looks again, so it is rolled back: open the repository again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogReplacedError, CatalogUnavailableError } from "./catalog.ts";
 * const e = new CatalogReplacedError("SQLite catalog /x/c.sqlite was replaced");
 * assert(e instanceof CatalogUnavailableError && e.name === "CatalogReplacedError");
 * assert(e.nothingCommitted);
 * ```
 */
export class CatalogReplacedError extends CatalogUnavailableError {
  /** Always true: the transaction was rolled back before its COMMIT. */
  override nothingCommitted = true;
}

/**
 * A transaction kept conflicting with others after every retry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogBusyError } from "./catalog.ts";
 * import { errorKind } from "../errors.ts";
 * const e = new CatalogBusyError("the catalog stayed busy after 5 attempts");
 * assert.equal(e.name, "CatalogBusyError");
 * assert.equal(errorKind(e), "VcError");
 * ```
 */
export class CatalogBusyError extends VcError {}

/**
 * The error of a transaction on a catalog that was closed (a repository used
 * after `close()`): said as such, not as the driver's "database is not open".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogUnavailableError, closedCatalog } from "./catalog.ts";
 * const e = closedCatalog("sqlite:/x/c.sqlite");
 * assert(e instanceof CatalogUnavailableError && e.message.includes("sqlite:/x/c.sqlite"));
 * ```
 */
export function closedCatalog(location: string): CatalogUnavailableError {
  return new CatalogUnavailableError(
    `catalog ${location} was closed (the repository was closed); open the repository again`,
  );
}

/**
 * Rewrites `$1`-style placeholders to SQLite's numbered `?1` form. Placeholders
 * inside string literals are left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toSqlitePlaceholders } from "./catalog.ts";
 * assert.equal(toSqlitePlaceholders("SELECT '$1', $2 WHERE a = $10"), "SELECT '$1', ?2 WHERE a = ?10");
 * ```
 */
export function toSqlitePlaceholders(sql: string): string {
  return sql.replace(/('(?:[^']|'')*')|\$(\d+)/g, (_m, literal, n) => literal ?? `?${n}`);
}

/** Options of {@linkcode runWithRetry}. */
export interface ConflictRetryOptions {
  /** Whether an error is a busy/serialization conflict worth running again. */
  isConflict(error: unknown): boolean;
  /** Called once per retried conflict. */
  onConflict(): void;
  /** Attempts before giving up (default 12). */
  attempts?: number;
  /** Describes the catalog in the final error. */
  location: string;
  /** Stops the retries: a conflict after it aborts rejects with its reason. */
  signal?: AbortSignal | undefined;
  /**
   * Who held the catalog and what to do, for a conflict given up on; when
   * it gives none, another process is taken to have held its lock.
   */
  whyBusy?: (error: unknown) => string | undefined;
}

// What a catalog busy for longer than the retries is taken for, unless
// `ConflictRetryOptions.whyBusy` knows better.
const ANOTHER_PROCESS_BUSY = "another process kept it locked (a long write such as a gc or a " +
  "restore, or a process stopped mid-write): run the command again once it is done";

/**
 * Runs `attempt` again with jittered backoff while it fails with a conflict,
 * then throws {@linkcode CatalogBusyError} naming the catalog.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runWithRetry } from "./catalog.ts";
 * let calls = 0;
 * const v = await runWithRetry(async () => {
 *   if (++calls < 3) throw new Error("busy");
 *   return 7;
 * }, { isConflict: () => true, onConflict: () => {}, location: "x" });
 * assert.equal(v, 7);
 * assert.equal(calls, 3);
 * ```
 */
export async function runWithRetry<T>(
  attempt: () => Promise<T>,
  options: ConflictRetryOptions,
): Promise<T> {
  const maxAttempts = options.attempts ?? 12;
  const started = Date.now();
  try {
    return await retry(attempt, {
      maxAttempts,
      baseDelayMs: 5,
      maxDelayMs: 1_000,
      shouldRetry: (error) => options.isConflict(error),
      onRetry: () => options.onConflict(),
      signal: options.signal,
    });
  } catch (error) {
    // Stopped while the catalog was busy: the reason, not a busy catalog.
    if (options.signal?.aborted && (options.isConflict(error) || error === options.signal.reason)) {
      throw options.signal.reason;
    }
    if (options.isConflict(error)) {
      // The cause already names the attempts (`gave up after N attempts`);
      // the wait and its likely reason tell the user what to do.
      const waited = Math.round((Date.now() - started) / 100) / 10;
      throw new CatalogBusyError(
        `catalog ${options.location} stayed busy for ${waited} s: ${
          error instanceof Error ? error.message : String(error)
        }; ${options.whyBusy?.(error) ?? ANOTHER_PROCESS_BUSY}`,
        { cause: error },
      );
    }
    throw error;
  }
}
