/**
 * The embedded catalog: SQLite through Deno's built-in `node:sqlite`, in WAL
 * mode with a busy timeout. Write transactions start with `BEGIN IMMEDIATE`,
 * which takes the database's single write lock up front: two writers never
 * both read and then fail to upgrade, and a claim's SELECT + UPDATE run with
 * no other writer in between, which is what PostgreSQL's row locks give.
 *
 * @module
 */
import type { DatabaseSync as DatabaseSyncType } from "node:sqlite";
import { basename, dirname } from "node:path";
import { tempPathFor } from "../atomic_write.ts";
import { toFileUrl } from "../path.ts";
import { Limiter } from "../pool.ts";
import { sleep } from "../store/retry.ts";
import { fileKind } from "../regular_file.ts";
import { fileInTheWay } from "../file_status.ts";
import { shellWord } from "../shell_word.ts";
import { fileSizeLimitReached } from "../file_size_limit.ts";
import { probeBeside, sqliteOutOfRoom } from "../no_space.ts";
import { sysGranted } from "../permission_granted.ts";
import {
  type Catalog,
  CatalogBusyError,
  CatalogDamagedError,
  CatalogReadOnlyError,
  CatalogReplacedError,
  CatalogUnavailableError,
  closedCatalog,
  type Dialect,
  type Row,
  runWithRetry,
  type SqlValue,
  toSqlitePlaceholders,
  type Tx,
  type TxMode,
  type TxOptions,
} from "./catalog.ts";
import { RESTORE_FORCED, RESTORE_SNAPSHOT } from "../command_words.ts";
import { sayOnStderr } from "../warning_line.ts";
import { refuseEndedTx, refuseInsideBody, runAsBody } from "./tx_bodies.ts";

/** SQLite's side of the {@linkcode Dialect}. */
export const SQLITE_DIALECT: Dialect = {
  name: "sqlite",
  idColumn: "id INTEGER PRIMARY KEY AUTOINCREMENT",
  forUpdate: "",
  forKeyShare: "",
  forUpdateSkipLocked: "",
  forUpdateSkipHeld: "",
  // AUTOINCREMENT keeps the largest id in sqlite_sequence, which an explicit
  // insert already advances.
  resetIdSequence: [],
  lastIdHandedOut:
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0), " +
    "COALESCE((SELECT MAX(id) FROM records), 0)) AS n",
  // sqlite_sequence holds AUTOINCREMENT's mark, a row once a record was inserted.
  raiseIdSequence: [
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'records', $1 " +
    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'records')",
    "UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = 'records'",
  ],
  contentLock: { shared: [], exclusive: [] },
  replaceLock: [],
  pathLock: [],
  tagLock: [],
  rowsPerInsert: () => 1,
  byteOrder: " COLLATE BINARY",
  metaTableExists: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vc_meta'",
  tableExists: "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = $1",
  indexExists: "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = $1",
  // A file this user may not write is opened read-only: its write fails at
  // once, with no log anywhere.
  mayAddIndexes: "SELECT 1",
  mayAddRecords: "SELECT 1",
  indexLock: [],
  metaColumns: "SELECT name FROM pragma_table_info('vc_meta')",
  writesExcludeWriters: true,
};

/**
 * SQLite's own wait for a lock, per statement. `node:sqlite` waits
 * synchronously, holding the event loop: nothing else runs meanwhile, not
 * even the handler of a Ctrl-C or SIGTERM. So each wait is short, and a busy
 * transaction is run again (with backoff, the event loop free in between)
 * up to {@linkcode SQLITE_ATTEMPTS} times: about a minute in all, as before,
 * but a signal is heard within a second.
 */
const SQLITE_BUSY_TIMEOUT_MS = 1_000;
/** Statements a transaction keeps prepared (by their text) for running again. */
const PREPARED_PER_TRANSACTION = 64;
/**
 * A write transaction that held the writer lock this long (ms) or longer is
 * followed by a pause of half its hold, at most {@linkcode WAITERS_GAP_MS},
 * before this process's next write: another process waiting for the lock
 * then gets it (see `#letWaitersIn`).
 */
const LONG_HOLD_MS = 20;
/** The longest pause after a long write: above SQLite's busy handler's 100 ms poll. */
const WAITERS_GAP_MS = 150;
/** Attempts of a transaction that keeps finding the catalog busy (see above). */
const SQLITE_ATTEMPTS = 45;
/**
 * How long (ms) a transaction waits for another process's lock before it
 * says so (once), as a PostgreSQL one does once its first 5 s lock wait ran out.
 */
const SAY_WAITING_AFTER_MS = 5_000;

/** Options of {@linkcode openSqliteCatalog}. */
export interface SqliteCatalogOptions {
  /** Milliseconds SQLite itself waits for a lock before reporting busy (default 1000). */
  busyTimeoutMs?: number;
  /** Create the file when missing (default false: a missing catalog is an error). */
  create?: boolean;
  /** Attempts of a transaction that keeps finding the database busy (default 45). */
  attempts?: number;
  /**
   * With `create`: told when this call made the file (not when another
   * process made it meanwhile), so that only its maker removes it again.
   */
  onCreated?: () => void;
  /**
   * Refuse another program's database at `path`, as `create` does, without
   * creating a missing file or switching one to WAL mode (a restore's look
   * at the catalog it was given, before it reads the snapshot).
   */
  refuseForeign?: boolean;
  /**
   * Writes of this connection wait only for SQLite's lock, as another
   * process's do, not for this process's other connections to the file
   * first (default false; for tests that stand in for another process).
   */
  ownWriteQueue?: boolean;
  /**
   * Told once when a transaction (or the open) has waited 5 s for a lock
   * another process holds, with a line such as `catalog sqlite:… is busy: waiting for a
   * lock another process holds on it; …` (default: written to stderr). The
   * transaction still waits, and succeeds if the lock frees in time.
   */
  onLockWait?: (message: string) => void;
}

/**
 * Opens (or with `create`, creates) the SQLite catalog at `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqliteCatalog } from "./sqlite_catalog.ts";
 * const dir = await Deno.makeTempDir();
 * const catalog = await openSqliteCatalog(`${dir}/c.sqlite`, { create: true });
 * try {
 *   const rows = await catalog.transaction("read", (tx) => tx.query("SELECT $1 + 1 AS n", [41]));
 *   assert.equal(rows[0]?.n, 42);
 * } finally {
 *   await catalog.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function openSqliteCatalog(
  path: string,
  options: SqliteCatalogOptions = {},
): Promise<Catalog> {
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!options.create) {
      throw new CatalogUnavailableError(
        `SQLite catalog ${path} does not exist (was the repository initialised on this ` +
          `machine?); a catalog that was lost is rebuilt from a backup: ${RESTORE_SNAPSHOT.library} ` +
          "(the newest is last under the store's backups/)",
        { cause: error },
      );
    }
  }
  // A FIFO or a device (a catalog linked to /dev/null) is no file SQLite can
  // keep a catalog in: it fails there with "disk I/O error", or reads it as
  // an empty database with no vc schema (whose advice, a restore, fails too).
  if (info !== undefined && !info.isFile) {
    throw new CatalogUnavailableError(
      `SQLite catalog ${path} is ${fileKind(info)}, not a file: a catalog is a regular file ` +
        `(move what is there aside, then restore a backup with ${RESTORE_SNAPSHOT.library})`,
    );
  }
  // SQLite would make an empty file a new database: a command that only
  // reads must not write it, and `create` (init, restore) makes a missing
  // file, not an emptied one (a restore that failed would leave an empty
  // catalog in its place, whose gc takes all content for unreferenced).
  // Damaged, so that a forced restore sets it aside and puts it back.
  if (info?.isFile && info.size === 0) {
    throw new CatalogDamagedError(
      `SQLite catalog ${path} is an empty file, not a catalog; ${REBUILD}`,
    );
  }
  if (options.create && info === undefined) {
    try {
      await Deno.mkdir(dirname(path), { recursive: true });
    } catch (error) {
      // A file where a directory of the path should be, or no permission:
      // the catalog's error, naming it, not the OS's mkdir message.
      throw new CatalogUnavailableError(
        `cannot create SQLite catalog ${path}: ${
          fileInTheWay(path, error) ??
            `cannot make its directory ${dirname(path)} (${message(error)})`
        }`,
        { cause: error },
      );
    }
  }
  const { DatabaseSync } = await import("node:sqlite");
  // Whether this call makes the file: linked whole, or (where it cannot
  // be) left to SQLite, as a file that was not there.
  const making = options.create && info === undefined ? createWhole(DatabaseSync, path) : "exists";
  const connect = (): Promise<DatabaseSyncType> => {
    const opened = new DatabaseSync(path, {
      timeout: options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS,
    });
    try {
      // The journal mode is kept in the file. The path comes from the store's
      // marker, which may name any local database (another program's): only
      // a new catalog or a vc one is switched; any other is left as it is and
      // refused by the schema check that follows.
      const vc = hasVcSchema(opened);
      // Nor does init or restore make a catalog in one (`--catalog
      // sqlite:app.db`, a mistyped path): its program's tables would get
      // vc's beside them, and its file WAL mode, which it may not read.
      if (!vc && (options.create || options.refuseForeign) && info !== undefined) {
        refuseForeignDatabase(opened, path);
      }
      if (options.create || vc) opened.exec("PRAGMA journal_mode = WAL");
      opened.exec("PRAGMA synchronous = NORMAL");
      opened.exec("PRAGMA foreign_keys = ON");
      return Promise.resolve(opened);
    } catch (error) {
      // Opened, then refused by a pragma: its file handle is let go.
      try {
        opened.close();
      } catch {
        // Not open.
      }
      return Promise.reject(error);
    }
  };
  let db: DatabaseSyncType;
  try {
    // A catalog another process holds locked (a long checkpoint, a
    // `PRAGMA locking_mode = EXCLUSIVE` session) is waited for as a busy
    // transaction is: about a minute, then a CatalogBusyError. The pragmas
    // failed at once before, so every command beside such a lock failed
    // within SQLite's 1 s wait, as "cannot open".
    const sayWaiting = waitSayer(path, options.onLockWait ?? sayOnStderr);
    db = await runWithRetry(() =>
      connect().catch((error) => {
        sayWaiting(error);
        throw error;
      }), {
      isConflict: isBusy,
      onConflict: () => {},
      location: `sqlite:${path}`,
      attempts: options.attempts ?? SQLITE_ATTEMPTS,
    });
  } catch (error) {
    // Busy, or another program's database: said as it is.
    if (error instanceof CatalogBusyError || error instanceof CatalogUnavailableError) throw error;
    const text = `cannot open SQLite catalog ${path}: ${message(error)}`;
    if (info?.isFile && !options.create && isCantOpen(error)) {
      const readOnly = openOnReadOnlyFileSystem(DatabaseSync, path, options);
      if (readOnly !== undefined) {
        return new SqliteCatalog(readOnly, path, options, fileIdentity(path));
      }
    }
    // A directory this user may not create files in: SQLite cannot make the
    // WAL files it needs there, even to read (and says only that it cannot
    // open the file, or that it is read-only, as of the file's own mode).
    const beside = isCantOpen(error) || isReadOnly(error) ? probeBeside(path, 0) : undefined;
    const walFiles = `SQLite keeps the catalog's WAL files (${basename(path)}-wal, ${
      basename(path)
    }-shm) even to read it`;
    if (isPermissionError(beside)) {
      // Root, who may write every directory, is refused by the directory
      // itself, which no permission it could give changes.
      throw new CatalogUnavailableError(
        asRoot()
          ? `${text}; not even root may create files in its directory ${dirname(path)} (an ` +
            `immutable directory, chattr +i, or a file system such as /sys), where ${walFiles}: ` +
            "keep the catalog in a directory of a writable file system"
          : `${text}; this user may not create files in its directory ${dirname(path)}, where ` +
            `${walFiles}: let this user write that directory (or run as its owner)`,
        { cause: error },
      );
    }
    // Nor one where no file can be made for another reason (`/proc`, which
    // answers "No such file or directory" even to root; a read-only file
    // system for a new catalog): SQLite said only that it could not open it.
    if (
      beside !== undefined && isCantOpen(error) && !isDamaged(error) &&
      !sqliteOutOfRoom(sqliteErrorText(error), path) && isDirectory(dirname(path))
    ) {
      // The system's words without the probe's temp name they end with.
      const reason = message(beside).replace(/: \w+ '[^']*'$/, "");
      throw new CatalogUnavailableError(
        `${text}; no file can be created in its directory ${dirname(path)} (${reason}), where ` +
          `${walFiles}: keep the catalog in a directory of a writable file system`,
        { cause: error },
      );
    }
    if (isDamaged(error)) {
      throw new CatalogDamagedError(
        `${text}; ${REBUILD}`,
        { cause: error },
      );
    }
    if (sqliteOutOfRoom(sqliteErrorText(error), path)) {
      throw new CatalogUnavailableError(`${text}; ${noSpace(path)}`, { cause: error });
    }
    throw new CatalogUnavailableError(text, { cause: error });
  }
  // The file as opened, taken after the open: one moved over the path
  // before it is the one SQLite opened.
  let identity: FileIdentity | undefined;
  try {
    identity = fileIdentity(path);
  } catch (error) {
    db.close();
    throw new CatalogUnavailableError(
      `cannot open SQLite catalog ${path}: ${message(error)}`,
      { cause: error },
    );
  }
  if (making !== "exists") options.onCreated?.();
  return new SqliteCatalog(db, path, options, identity);
}

/**
 * Makes the new catalog file at `path` appear whole: built beside it under a
 * temp name (in WAL mode, so its first page is written) and linked into
 * place, never over a file another process put there meanwhile (which is
 * then opened as it is). SQLite creates a file empty and writes its first
 * page a moment later: another init or restore of the same new catalog
 * that looked in between found an empty file, which it refused as a damaged
 * catalog. Where that cannot be done (no hard links), SQLite creates the
 * file itself, as before; a failure to create it is SQLite's to report.
 * Says which of these it was.
 */
function createWhole(
  Database: typeof DatabaseSyncType,
  path: string,
): "linked" | "exists" | "left to SQLite" {
  const temp = tempPathFor(path);
  try {
    const db = new Database(temp);
    try {
      db.exec("PRAGMA journal_mode = WAL");
    } finally {
      db.close();
    }
    Deno.linkSync(temp, path);
    return "linked";
  } catch (error) {
    // Made by another process meanwhile, or not to be made this way.
    return error instanceof Deno.errors.AlreadyExists ? "exists" : "left to SQLite";
  } finally {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) {
      try {
        Deno.removeSync(`${temp}${suffix}`);
      } catch {
        // Never made, or removed by SQLite on close.
      }
    }
  }
}

/** What tells one file from another at the same path: its device and inode. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number | null;
}

function fileIdentity(path: string): FileIdentity {
  const info = Deno.statSync(path);
  return { dev: info.dev, ino: info.ino };
}

/**
 * The catalog on a read-only file system (a read-only mount or snapshot),
 * opened to be read, or undefined when its file system is writable (the
 * open failed for another reason) or what it holds cannot be read that way.
 * A catalog in WAL mode is read through its `-shm` index, which SQLite
 * must create beside it even to read: there it cannot. Nothing on a
 * read-only file system changes while it is read, so SQLite reads the file
 * as immutable (no index, no locks): the commands that only read work, and
 * one that writes gets SQLite's read-only error, named as such. Not with
 * WAL content the file does not hold yet (a writer that stopped before its
 * checkpoint): reading the file alone would miss it.
 */
function openOnReadOnlyFileSystem(
  Database: typeof DatabaseSyncType,
  path: string,
  options: SqliteCatalogOptions,
): DatabaseSyncType | undefined {
  try {
    // Only a read-only file system: a directory this user may not write
    // may be written by its owner meanwhile, which an immutable read
    // would not see or lock against.
    // Opened for writing, not written: on a read-only file system, EROFS.
    Deno.openSync(path, { write: true }).close();
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EROFS") return undefined;
  }
  try {
    if (Deno.statSync(`${path}-wal`).size > 0) return undefined;
  } catch {
    // No WAL file: everything is in the catalog file.
  }
  try {
    const url = toFileUrl(path);
    url.search = "?immutable=1";
    const db = new Database(url, {
      readOnly: true,
      timeout: options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS,
    });
    db.exec("PRAGMA foreign_keys = ON");
    return db;
  } catch {
    return undefined;
  }
}

/** Throws when `db` holds tables (or views) and is no vc catalog: another program's database. */
function refuseForeignDatabase(db: DatabaseSyncType, path: string): void {
  // One read, `vc_meta` first when it is there: a catalog another process is
  // making at this moment (an init racing this one) may have gained its
  // tables since the look for `vc_meta` before this call, and is vc's.
  const names = db.prepare(
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' " +
      "ESCAPE '\\' ORDER BY name = 'vc_meta' DESC, name LIMIT 6",
  ).all().map((row) => String(row.name));
  // Empty: nothing of another program's. With `vc_meta`: vc's, which the
  // caller's identity check then takes or refuses as taken.
  if (names.length === 0 || names[0] === "vc_meta") return;
  throw new CatalogUnavailableError(
    `SQLite file ${path} is not a vc catalog: it is another program's database (its tables: ${
      names.slice(0, 5).join(", ")
    }${names.length > 5 ? ", …" : ""}); give the path of a new file for the catalog (this ` +
      "one was left as it was)",
  );
}

function hasVcSchema(db: DatabaseSyncType): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vc_meta'")
    .get() !== undefined;
}

/**
 * The write transactions of this process on each catalog file (by device
 * and inode), across its connections: one at a time, waited for here, off
 * the event loop. `node:sqlite` waits for SQLite's lock synchronously: a
 * second connection's `BEGIN IMMEDIATE` froze the process for its busy
 * timeout, so the transaction holding the lock, whose body awaits (gc's
 * content deletes), could not go on to let go of it, and the second gave
 * up as busy (three `Repository.open` of one catalog in one process, each
 * running gc: two failed after 90 s). Other processes are still waited for
 * by SQLite's busy handler.
 */
const fileWriters = new Map<string, FileWriters>();

/** One catalog file's writers in this process (see {@linkcode fileWriters}). */
interface FileWriters {
  /** Its write transactions, one at a time. */
  readonly queue: Limiter;
  /** The connections open on it. */
  users: number;
  /** The connection whose write runs now. */
  holder?: object | undefined;
}

// `key`: the file's device and inode (where the platform gives no inode, its path).
function writersOf(key: string): FileWriters {
  let writers = fileWriters.get(key);
  if (writers === undefined) fileWriters.set(key, writers = { queue: new Limiter(1), users: 0 });
  writers.users++;
  return writers;
}

class SqliteCatalog implements Catalog {
  readonly dialect: Dialect = SQLITE_DIALECT;
  readonly location: string;
  #conflicts = 0;
  readonly #db: DatabaseSyncType;
  // node:sqlite is synchronous, but a transaction body awaits; one connection
  // must not interleave two bodies, so this process runs them one at a time.
  readonly #serial = new Limiter(1);
  // This process's writers of the same file, on any connection (see fileWriters).
  readonly #writers: FileWriters;
  readonly #writersKey: string;
  // When this process's last write transaction let go of the writer lock,
  // and for how long it had held it (see #letWaitersIn).
  #lastWriteEnd = 0;
  #lastWriteHeld = 0;

  readonly #attempts: number | undefined;
  // How long a write waits for the lock: SQLite's, and this process's turn.
  readonly #busyTimeoutMs: number;
  readonly #path: string;
  readonly #identity: FileIdentity;
  readonly #onLockWait: (message: string) => void;

  constructor(
    db: DatabaseSyncType,
    path: string,
    options: Pick<
      SqliteCatalogOptions,
      "attempts" | "busyTimeoutMs" | "ownWriteQueue" | "onLockWait"
    >,
    identity: FileIdentity,
  ) {
    this.#db = db;
    this.#path = path;
    this.#attempts = options.attempts;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS;
    this.#identity = identity;
    this.#onLockWait = options.onLockWait ?? sayOnStderr;
    this.location = `sqlite:${path}`;
    this.#writersKey = `${identity.dev}:${identity.ino ?? path}`;
    this.#writers = options.ownWriteQueue
      ? { queue: new Limiter(1), users: 1 }
      : writersOf(this.#writersKey);
  }

  get conflictsRetried(): number {
    return this.#conflicts;
  }

  async transaction<T>(
    mode: TxMode,
    fn: (tx: Tx) => Promise<T>,
    options: TxOptions = {},
  ): Promise<T> {
    if (!this.#db.isOpen) throw closedCatalog(this.location);
    // Begun inside a body of this connection's (awaited there, or by a
    // Repository method called there): its turn comes after that
    // transaction, which waits for it. It hung the process, with no word.
    refuseInsideBody(this, this.location, SAME_CONNECTION);
    const sayWaiting = waitSayer(this.#path, this.#onLockWait);
    try {
      const once = () =>
        this.#serial.run(async () => {
          if (mode === "write") await this.#letWaitersIn(options.signal);
          return await this.#once(mode, fn, options.preface);
        });
      return await runWithRetry(
        // The file's writers first, then the connection: a write never
        // holds its connection while it waits for another's write.
        () =>
          (mode === "write" ? this.#queuedWrite(once, options.signal) : once()).catch((error) => {
            sayWaiting(error);
            throw error;
          }),
        {
          isConflict: isBusy,
          onConflict: () => this.#conflicts++,
          location: this.location,
          attempts: this.#attempts ?? SQLITE_ATTEMPTS,
          signal: options.signal,
          // This process held it, not another: run again, it waits again.
          whyBusy: (error) => error instanceof ProcessWriterBusy ? error.whyBusy : undefined,
        },
      );
    } catch (error) {
      if (isDamaged(error)) {
        throw new CatalogDamagedError(
          `catalog ${this.location} is damaged (${message(error)}); ${REBUILD}`,
          { cause: error },
        );
      }
      const diskFull = sqliteOutOfRoom(sqliteErrorText(error), this.#path);
      // A write the file-size limit stopped (the WAL, or the catalog at a
      // checkpoint): SQLite rolled the transaction back, as on a full disk.
      const limited = isIoError(error) && !diskFull
        ? fileSizeLimitReached([`${this.#path}-wal`, this.#path])
        : undefined;
      if (limited !== undefined) {
        const stopped = new CatalogUnavailableError(
          `cannot write catalog ${this.location} (${message(error)}): ${limited}`,
          { cause: error },
        );
        stopped.nothingCommitted = true;
        throw stopped;
      }
      if (diskFull || isFull(error)) {
        // SQLite rolls a transaction back when a write (its COMMIT too)
        // finds no room: nothing of it was committed.
        const full = new CatalogUnavailableError(
          `cannot write catalog ${this.location} (${message(error)})` +
            (diskFull ? `: ${noSpace(this.#path)}` : ""),
          { cause: error },
        );
        full.nothingCommitted = true;
        throw full;
      }
      if (isReadOnly(error)) {
        throw new CatalogReadOnlyError(
          `catalog ${this.location} is read-only here (${message(error)}): this command ` +
            "changes it; run it as a user who may write the catalog file and its directory",
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Before a write transaction that follows a long one of this process (gc's
   * batches, whose content deletes hold the lock for seconds): waits until
   * the lock has been free for a while. Another process waiting for it polls
   * (SQLite's busy handler, every 100 ms at most) and then backs off; a
   * writer that takes the lock again microseconds after its COMMIT wins
   * every time, so an `add` elsewhere waited out a whole gc (a minute at
   * 100,000 records) and failed as busy. Long holds only: a loop of short
   * writes pays nothing.
   */
  async #letWaitersIn(signal: AbortSignal | undefined): Promise<void> {
    if (this.#lastWriteHeld < LONG_HOLD_MS) return;
    const gap = Math.min(this.#lastWriteHeld / 2, WAITERS_GAP_MS);
    this.#lastWriteHeld = 0;
    const left = this.#lastWriteEnd + gap - performance.now();
    if (left > 0) await sleep(left, signal);
  }

  async #once<T>(mode: TxMode, fn: (tx: Tx) => Promise<T>, preface?: string): Promise<T> {
    const db = this.#db;
    db.exec(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    const held = performance.now();
    // A statement run many times in one transaction (a restore's INSERT of
    // each row) is prepared once.
    const prepared = new Map<string, ReturnType<DatabaseSyncType["prepare"]>>();
    // A `tx` kept past the body would run in whatever transaction the
    // connection has then (see refuseEndedTx).
    let ended = false;
    const tx: Tx = {
      query: (sql: string, params: readonly SqlValue[] = []) => {
        refuseEndedTx(ended, this.location);
        let statement = prepared.get(sql);
        if (statement === undefined) {
          if (prepared.size >= PREPARED_PER_TRANSACTION) prepared.clear();
          statement = db.prepare(toSqlitePlaceholders(sql));
          prepared.set(sql, statement);
        }
        // Avoid copying every row into a new object: node:sqlite already
        // returns plain objects keyed by column name.
        return Promise.resolve(statement.all(...params) as Row[]);
      },
    };
    try {
      // SQLite keeps the file it opened: one moved or copied over its path
      // since (a forced restore's rebuild, `mv`, rsync, a restored file
      // copy) is not seen, and what this transaction wrote would go into
      // the old file, unlinked or set aside, where nobody looks again.
      // Asked once the transaction holds its lock, and again before a
      // write commits.
      this.#refuseReplaced();
      // The body runs marked as this connection's (see refuseInsideBody).
      const result = await runAsBody(this, async () =>
        await fn(
          preface === undefined
            ? tx
            : { ...tx, preface: Object.values((await tx.query(preface))[0] ?? {})[0] ?? null },
        ));
      if (mode === "write") this.#refuseReplaced();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    } finally {
      ended = true;
      if (mode === "write") {
        this.#lastWriteEnd = performance.now();
        this.#lastWriteHeld = this.#lastWriteEnd - held;
      }
    }
  }

  /**
   * Runs a write `job` once this process's writes of the file on other
   * connections are done; one that waits for one of those counts as a
   * conflict, as a wait for another process's does, and like it gives up
   * as busy after the busy timeout (then is tried again, up to the
   * attempts): a write awaited inside another's body (a caller's own
   * `catalog.transaction` writing through a second `Repository` of the
   * catalog) waits for a turn that never comes, and hung the process.
   */
  async #queuedWrite<T>(job: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const writers = this.#writers;
    if (writers.holder !== undefined && writers.holder !== this) this.#conflicts++;
    const run = async () => {
      writers.holder = this;
      try {
        return await job();
      } finally {
        writers.holder = undefined;
      }
    };
    // A free turn is taken at once: no timer for the usual write.
    if (writers.queue.active === 0) return await writers.queue.run(run, signal);
    const turn = new AbortController();
    const timer = setTimeout(
      () => turn.abort(new ProcessWriterBusy(this.location, this.#busyTimeoutMs)),
      this.#busyTimeoutMs,
    );
    try {
      return await writers.queue.run(() => {
        clearTimeout(timer);
        return run();
      }, signal === undefined ? turn.signal : AbortSignal.any([signal, turn.signal]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws {@linkcode CatalogReplacedError} when the path no longer holds the file opened. */
  #refuseReplaced(): void {
    let now: FileIdentity | undefined;
    try {
      now = fileIdentity(this.#path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    // Where the platform gives no inode (null), the device alone is compared.
    const same = now !== undefined && now.dev === this.#identity.dev &&
      now.ino === this.#identity.ino;
    if (same) return;
    throw new CatalogReplacedError(
      `SQLite catalog ${this.#path} was ${
        now === undefined ? "removed" : "replaced by another file"
      } ` +
        "since this process opened it (a restore, or a file moved or copied over it): " +
        "nothing was changed; open the repository again to use the catalog now there",
    );
  }

  close(): Promise<void> {
    if (this.#db.isOpen) {
      this.#db.close();
      if (--this.#writers.users === 0 && fileWriters.get(this.#writersKey) === this.#writers) {
        fileWriters.delete(this.#writersKey);
      }
    }
    return Promise.resolve();
  }
}

/** Why a transaction begun inside a body of this catalog waits for that body. */
const SAME_CONNECTION = "whose transactions run one at a time on its one connection";

/**
 * Told each busy failure of one transaction (or open) as it is retried:
 * says once, through `say`, that it waits, after 5 s behind another
 * process's lock. The retries that follow were a silent minute behind a
 * process that may never let go. A wait for this process's own other
 * connection (`ProcessWriterBusy`) is not another process's.
 */
function waitSayer(path: string, say: (message: string) => void): (error: unknown) => void {
  const started = performance.now();
  let said = false;
  return (error) => {
    if (said || !isBusy(error) || error instanceof ProcessWriterBusy) return;
    if (performance.now() - started < SAY_WAITING_AFTER_MS) return;
    said = true;
    say(waitingLine(`sqlite:${path}`, path));
  };
}

/**
 * What a transaction waiting behind another process's lock says: SQLite
 * records no holder, and vc keeps no holder file for it, so the tools that
 * name the processes with the file open are.
 */
function waitingLine(location: string, path: string): string {
  return `catalog ${location} is busy: waiting for a lock another process holds on it ` +
    "(a long write such as a gc or a restore, or a process stopped mid-write); " +
    `\`fuser ${shellWord(path)}\` or \`lsof ${shellWord(path)}\` names the processes that have ` +
    "it open";
}

/** What a damaged or emptied catalog file is told to do (the forced restore rebuilds it). */
const REBUILD = `rebuild it from a backup with ${RESTORE_FORCED.library}`;

function isBusy(error: unknown): boolean {
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked/i.test(
    sqliteErrorText(error),
  );
}

// SQLite's words for a catalog this process may read but not write (file
// or directory permissions, a read-only mount).
function isReadOnly(error: unknown): boolean {
  return /SQLITE_READONLY|attempt to write a readonly database/i.test(sqliteErrorText(error));
}

// SQLite's words for a write that found the disk full (SQLITE_FULL).
function isFull(error: unknown): boolean {
  return /SQLITE_FULL|database or disk is full/i.test(sqliteErrorText(error));
}

// SQLite's words for a failed read or write: on a full disk, what it says
// when it cannot make room for its WAL index (`-shm`), even to read.
function isIoError(error: unknown): boolean {
  return /SQLITE_IOERR|disk I\/O error/i.test(sqliteErrorText(error));
}

/**
 * Whether this user may create a file beside `path`, as SQLite must for a
 * catalog's WAL files (an empty temp file, removed again). Only asked after
 * SQLite failed, to say why.
 */
// A file creation refused for its permissions (a directory this user may not write).
function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.PermissionDenied ||
    (error as { code?: unknown })?.code === "EPERM" ||
    (error as { code?: unknown })?.code === "EACCES";
}

/** Whether this process runs as root; false where that may not be read (no `--allow-sys`). */
function asRoot(): boolean {
  return Deno.build.os !== "windows" && sysGranted("uid") && Deno.uid() === 0;
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** What a catalog on a full disk is told. */
function noSpace(path: string): string {
  return `no space left on the device of ${dirname(path)} (SQLite needs room beside the ` +
    `catalog for its journal and WAL index, even to read); free space there and run again`;
}

// SQLite's words for a file it could not open (on a read-only mount: the
// WAL index it cannot create).
function isCantOpen(error: unknown): boolean {
  return /SQLITE_CANTOPEN|unable to open database file/i.test(sqliteErrorText(error));
}

// SQLite's words for a file that is not (or no longer) a database.
function isDamaged(error: unknown): boolean {
  return /SQLITE_CORRUPT|SQLITE_NOTADB|database disk image is malformed|file is not a database/i
    .test(sqliteErrorText(error));
}

/**
 * A write that waited the busy timeout for this process's other connection
 * to the file to finish its write: busy as SQLite's own wait for the lock
 * reports it (its code), so it is retried and reported the same way.
 */
class ProcessWriterBusy extends Error {
  readonly code = "SQLITE_BUSY";
  /** The way out, in place of "run it again" (see `ConflictRetryOptions.whyBusy`). */
  readonly whyBusy =
    "this process held the catalog's write turn on another connection: a long write of its own " +
    "(a gc, a restore), or one whose transaction body awaits this write, which waits for it " +
    "for ever; write through that transaction's own connection (its `tx`) instead";
  constructor(location: string, waitedMs: number) {
    super(
      `another connection of this process to catalog ${location} kept writing for ${waitedMs} ms ` +
        "(a write begun inside another's transaction waits for itself)",
    );
    this.name = "ProcessWriterBusy";
  }
}

/** An error's SQLite code and message, to match on. */
function sqliteErrorText(error: unknown): string {
  return error instanceof Error ? `${(error as { code?: unknown }).code} ${error.message}` : "";
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
