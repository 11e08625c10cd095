/**
 * The mirror's local state file: for each key, what the local file looked
 * like (size, mtime, ctime, inode) when its MD5 was computed, and the
 * target's ETag when the two were last known equal (with a directory store's
 * validator of it, so a file listed without its ETag need not be read). It lets a no-op run skip
 * both hashing (the file's stat is unchanged) and HEAD requests (the listing's
 * ETag equals the recorded one, which matters for multipart ETags).
 *
 * SQLite through Deno's built-in `node:sqlite`, in WAL mode: writes are
 * batched into transactions, so a crash mid-run loses at most the last batch
 * (at most 500 rows, and rows for at most 64 MiB of files: a large file's row
 * is committed once written, so a run killed later need not hash it again),
 * and the file stays compact for a million entries. The file lives outside
 * the mirrored tree (default: under the user cache directory).
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname, join } from "../path.ts";
import { sha256Hex } from "../hash.ts";
import { compareUtf8 } from "../utf8.ts";
import { assertNoLinks, MIRROR_STATE_DIR } from "../cache/layout.ts";
import { isPermissionError } from "../cache/cache_errors.ts";
import { asAccessDenied, InvalidInputError, VcError } from "../errors.ts";
import { type LockRefusals, openLockFile, tellNoLocks, tryLockOrNoLocks } from "../file_lock.ts";
import { notRegularFileKind } from "../regular_file.ts";
import { sqliteOutOfRoom } from "../no_space.ts";
import { fileInTheWay, seenSync } from "../file_status.ts";
import { warnOnStderr } from "../warning_line.ts";
import { MIRROR } from "../command_words.ts";

/** What the state remembers about one key. */
export interface StateRow {
  /** Size of the local file in bytes. */
  size: number;
  /** Local modification time (ms). */
  mtimeMs: number;
  /** Local status-change time (ms). */
  ctimeMs: number;
  /** Local inode (0 when unknown). */
  ino: number;
  /** Hex MD5 of the local file's content at that stat. */
  md5: string;
  /** The target's (or source object's) ETag when it was known equal to `md5`; `""` when unknown. */
  etag: string;
  /**
   * The store's validator of that object when `etag` was learnt (see
   * `ObjectInfo.validator`): a directory store that lists a file without
   * its ETag (no sidecar it may write, so it would have to read the file)
   * still lists this cheap token, and while it is the same, so is `etag`.
   * `""` when the store gave none (absent in rows written by callers that
   * know of none; the state's own rows always have it).
   */
  validator?: string;
}

/** Rows written per transaction (a crash loses at most this many). */
const BATCH = 500;

/**
 * Bytes of files the rows of one transaction may stand for: past them it is
 * committed, so a crash costs hashing at most this much again, not 500 large
 * files' worth (a first upload of big files killed hours in).
 */
const BATCH_BYTES = 64 * 1024 * 1024;

/** Rows a {@linkcode StateCursor} reads per query (its memory bound). */
const PAGE = 1024;

type RawRow = {
  key: string;
  size: number;
  mtime_ms: number;
  ctime_ms: number;
  ino: number;
  md5: string;
  etag: string;
  validator: string;
};

/** A row of a cursor's scan: a {@linkcode StateRow} plus its key (SQLite returns numbers, not bigints). */
type ScanRow = StateRow & { key: string };

function toRow(r: RawRow): StateRow {
  // As a cursor's scan gives it: `validator` always there, `""` when unknown.
  return {
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    ctimeMs: Number(r.ctime_ms),
    ino: Number(r.ino),
    md5: r.md5,
    etag: r.etag,
    validator: r.validator,
  };
}

/**
 * The state file of one mirror (one set of sources, one target).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirrorState } from "./state.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const state = new MirrorState(`${dir}/m.sqlite`);
 *   const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "a".repeat(32), etag: "e", validator: "" };
 *   state.set("k", row);
 *   state.close();
 *   const again = new MirrorState(`${dir}/m.sqlite`);
 *   assert.deepEqual(again.get("k"), row);
 *   again.queueDelete("old", "prefix/old");
 *   const queued = [...again.queuedDeletes(10)];
 *   assert.deepEqual(queued, [[{ key: "old", target: "prefix/old", size: 0 }]]);
 *   again.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class MirrorState {
  /** Path of the SQLite file. */
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;
  readonly #queue: StatementSync;
  readonly #unqueue: StatementSync;
  readonly #queued: StatementSync;
  readonly #queuedKey: StatementSync;
  readonly #lastQueued: StatementSync;
  readonly #dropAfter: StatementSync;
  readonly #pageFrom: StatementSync;
  readonly #pageAfter: StatementSync;
  /** Rows by content (see {@linkcode MirrorState.withContent}); undefined without the index. */
  readonly #byContent: StatementSync | undefined;
  #splitFrom: StatementSync | undefined;
  #countBelow: StatementSync | undefined;
  #splitAfter: StatementSync | undefined;
  /** Values of the mirror's own (see {@linkcode MirrorState.getMeta}); undefined without the table. */
  readonly #meta: { get: StatementSync; put: StatementSync } | undefined;
  #pending = 0;
  /** The sizes of the files the open transaction's rows stand for. */
  #pendingBytes = 0;
  #closed = false;
  readonly #lock: Deno.FsFile | undefined;

  /**
   * Opens (creating it and its directory if needed) the state file at
   * `path`, for this process alone: another mirror using it (two runs of
   * the same directories and target) is refused while this one runs.
   * `formerPath`, the name (or names, the first found wins) an earlier
   * version gave the same state file: when `path` does not exist yet and
   * one does, it is taken over (moved to `path`) rather than every file
   * hashed again; a run holding it is refused.
   * `warn` is told what does not stop the run (that the file system gives
   * no locks; default: a `warning:` line on stderr).
   */
  constructor(
    path: string,
    formerPath?: string | readonly string[],
    warn: (message: string) => void = warnOnStderr,
  ) {
    this.path = path;
    if (path !== ":memory:") {
      try {
        Deno.mkdirSync(dirname(path), { recursive: true });
      } catch (cause) {
        throw stateNotWritableError(path, cause);
      }
      const kind = notRegularFileKind(path);
      if (kind !== undefined) {
        throw new InvalidInputError(
          `mirror state file ${path} is ${kind}; pass the statePath option with a file path (it is created)`,
        );
      }
      this.#lock = lockStateFile(path, warn);
      const formers = typeof formerPath === "string" ? [formerPath] : formerPath ?? [];
      try {
        for (const former of formers) {
          if (former !== path) takeOverFormer(former, path, warn);
        }
      } catch (error) {
        this.#lock.close();
        throw error;
      }
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec(`CREATE TABLE IF NOT EXISTS files (
      key TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      mtime_ms REAL NOT NULL,
      ctime_ms REAL NOT NULL,
      ino INTEGER NOT NULL,
      md5 TEXT NOT NULL,
      etag TEXT NOT NULL,
      validator TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID`);
      // A state file of a version before the column: added (older versions
      // go on using the file, their rows getting the default).
      const columns = db.prepare("PRAGMA table_info(files)").all() as { name: string }[];
      if (columns.length > 0 && !columns.some((c) => c.name === "validator")) {
        db.exec("ALTER TABLE files ADD COLUMN validator TEXT NOT NULL DEFAULT ''");
      }
      // A file damaged past its header fails here, not on open.
      db.prepare("SELECT COUNT(*) FROM files").get();
      // A damaged schema (a column renamed by a flipped byte) fails here too,
      // not at the first lookup as an unnamed "no such column".
      db.prepare(
        "SELECT key, size, mtime_ms, ctime_ms, ino, md5, etag, validator FROM files LIMIT 0",
      ).all();
    } catch (cause) {
      try {
        db?.close();
      } catch {
        // Not open.
      }
      this.#lock?.close();
      // A damaged file, or a directory: name it. The state only saves work
      // (hashes and ETags already known), so removing it is safe. A full
      // disk is not the file's fault: removing it would not help. SQLite
      // calls one that has no room for its WAL index a `disk I/O error`.
      let reason = cause instanceof Error ? cause.message : String(cause);
      if (sqliteOutOfRoom(reason, path)) {
        reason += `: no space left on the device of ${dirname(path)} (SQLite needs room ` +
          "beside the state file for its WAL index, even to read it)";
      }
      throw new InvalidInputError(
        `mirror state file ${path} cannot be used (${reason}); ${unusableStateAdvice(reason)}`,
        { cause },
      );
    }
    this.#db = db;
    this.#get = this.#db.prepare(
      "SELECT size, mtime_ms, ctime_ms, ino, md5, etag, validator FROM files WHERE key = ?",
    );
    this.#put = this.#db.prepare(
      "INSERT OR REPLACE INTO files (key, size, mtime_ms, ctime_ms, ino, md5, etag, validator) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#del = this.#db.prepare("DELETE FROM files WHERE key = ?");
    // Keys by content, for a file renamed under a local → store mirror: its
    // old key's object is copied in the store (see withContent). Made once
    // (a state of an earlier version gets it at its next run); where it
    // cannot be (a state file that may not be written), no copies, only
    // uploads, rather than a scan of every row for each new file.
    try {
      db.exec("CREATE INDEX IF NOT EXISTS files_md5 ON files (md5)");
      this.#byContent = db.prepare(
        `SELECT key, size, mtime_ms, ctime_ms, ino, md5, etag, validator FROM files ` +
          `WHERE md5 = ? AND size = ? AND key != ? AND etag != '' ORDER BY key LIMIT 4`,
      );
    } catch {
      this.#byContent = undefined;
    }
    // What the mirror keeps beside the rows (a source's device: see
    // `Mirror`'s check of an unmounted source). Made once, like the index;
    // where it cannot be (a state file that may not be written), nothing is
    // kept and nothing is checked against it.
    try {
      db.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
      this.#meta = {
        get: db.prepare("SELECT value FROM meta WHERE name = ?"),
        put: db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)"),
      };
    } catch {
      this.#meta = undefined;
    }
    // The key is the primary key of a WITHOUT ROWID table, so these are range
    // scans of its b-tree. TEXT in the BINARY collation compares by memcmp of
    // the UTF-8 bytes: S3's order, the order of the walk and the listing.
    // Named as StateRow's fields, so a scan's rows are handed out as they
    // come (no second object per row: a no-op of 10,000 files reads 10,000 rows).
    const columns =
      "key, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, ino, md5, etag, validator";
    this.#pageFrom = this.#db.prepare(
      `SELECT ${columns} FROM files WHERE key >= ? ORDER BY key LIMIT ${PAGE}`,
    );
    this.#pageAfter = this.#db.prepare(
      `SELECT ${columns} FROM files WHERE key > ? ORDER BY key LIMIT ${PAGE}`,
    );
    // Deletes wait until a run's walk and listing are complete; they queue in
    // a TEMP table (never part of the state file), so memory stays bounded
    // however many there are.
    this.#db.exec(
      "CREATE TEMP TABLE deletes (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, " +
        "target TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0)",
    );
    this.#queue = this.#db.prepare("INSERT INTO deletes (key, target, size) VALUES (?, ?, ?)");
    this.#unqueue = this.#db.prepare("DELETE FROM deletes WHERE key = ?");
    this.#queuedKey = this.#db.prepare("SELECT 1 AS found FROM deletes WHERE key = ? LIMIT 1");
    this.#lastQueued = this.#db.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM deletes");
    this.#dropAfter = this.#db.prepare("DELETE FROM deletes WHERE seq > ?");
    this.#queued = this.#db.prepare(
      "SELECT seq, key, target, size FROM deletes WHERE seq > ? ORDER BY seq LIMIT ?",
    );
  }

  /** Queues a delete of `target` (a store key or a local path; `size` bytes) for key `key`. */
  queueDelete(key: string, target: string, size = 0): void {
    this.#write(() => this.#queue.run(key, target, size));
  }

  /** Drops the queued deletes of `key` (a file the run found it must keep after all). */
  unqueueDelete(key: string): void {
    this.#write(() => this.#unqueue.run(key));
  }

  /** Whether a delete of `key` is queued (this transaction's queue included). */
  isQueuedForDelete(key: string): boolean {
    return this.#queuedKey.get(key) !== undefined;
  }

  /** A mark of the deletes queued so far, for {@linkcode MirrorState.dropDeletesAfter}. */
  deleteMark(): number {
    return Number((this.#lastQueued.get() as { seq: number | bigint }).seq);
  }

  /** Drops the deletes queued after `mark` (a part of a run whose deletes are held back); how many. */
  dropDeletesAfter(mark: number): number {
    let dropped = 0;
    this.#write(() => {
      dropped = Number(this.#dropAfter.run(mark).changes);
    });
    return dropped;
  }

  /** The queued deletes, in batches of at most `size`, in the order queued. */
  *queuedDeletes(size: number): Generator<{ key: string; target: string; size: number }[]> {
    this.flush();
    let after = 0;
    while (true) {
      const rows = this.#queued.all(after, size) as {
        seq: number;
        key: string;
        target: string;
        size: number;
      }[];
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.seq);
      yield rows.map((r) => ({ key: r.key, target: r.target, size: Number(r.size) }));
    }
  }

  /** Forgets every queued delete. */
  clearDeletes(): void {
    this.flush();
    this.#db.exec("DELETE FROM deletes");
  }

  /**
   * Up to four other keys recorded with content `md5` of `size` bytes and
   * an object's ETag (in a local → store mirror: objects the target held
   * with that content when they were recorded), in key order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MirrorState } from "./state.ts";
   * const state = new MirrorState(":memory:");
   * const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e" };
   * state.set("old", row);
   * assert.deepEqual(state.withContent("m", 1, "new").map((r) => r.key), ["old"]);
   * assert.deepEqual(state.withContent("m", 1, "old"), []);
   * state.close();
   * ```
   */
  withContent(md5: string, size: number, except: string): (StateRow & { key: string })[] {
    const query = this.#byContent;
    if (query === undefined) return [];
    const rows = this.#read(() => query.all(md5, size, except)) as RawRow[];
    return rows.map((r) => ({ ...toRow(r), key: r.key }));
  }

  /** The row for `key`, if any. */
  get(key: string): StateRow | undefined {
    const r = this.#read(() => this.#get.get(key)) as RawRow | undefined;
    return r === undefined ? undefined : toRow(r);
  }

  /**
   * A lookup for keys asked in increasing UTF-8 order (a run's merge order),
   * from `from` on: the rows are read as one ordered scan, a page at a time,
   * instead of one query per key. Memory holds one page.
   *
   * A key asked out of order, or one the scan has passed, is answered
   * `undefined`: "nothing recorded", which costs a re-hash, never a wrong
   * answer (a row is returned only for its own key). Rows written after
   * their page was read are not seen; a run writes only rows of keys it has
   * already looked up, so that does not matter.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MirrorState } from "./state.ts";
   * const state = new MirrorState(":memory:");
   * const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e" };
   * for (const k of ["a", "c", "é"]) state.set(k, row);
   * const lookup = state.cursor();
   * assert.equal(lookup("a")?.md5, "m");
   * assert.equal(lookup("b"), undefined);
   * assert.equal(lookup("é")?.etag, "e");
   * state.close();
   * ```
   */
  cursor(from = ""): (key: string) => StateRow | undefined {
    let rows: ScanRow[] = [];
    let index = 0;
    let last: string | undefined;
    let done = false;
    const nextPage = (): boolean => {
      const after = last;
      rows = this.#read(() =>
        after === undefined ? this.#pageFrom.all(from) : this.#pageAfter.all(after)
      ) as unknown as ScanRow[];
      index = 0;
      if (rows.length < PAGE) done = true;
      if (rows.length === 0) return false;
      last = rows[rows.length - 1]!.key;
      return true;
    };
    return (key) => {
      for (;;) {
        if (index >= rows.length && (done || !nextPage())) return undefined;
        const r = rows[index]!;
        const c = compareUtf8(r.key, key);
        if (c > 0) return undefined;
        index++;
        if (c === 0) return r;
      }
    };
  }

  /**
   * Every `every`-th recorded key from `from` on (keys starting with `from`
   * only), in increasing UTF-8 order, read as they are asked for: the split
   * keys of a listing fetched in ranges (`range_list.ts`). The last key is
   * never one (the range after it would be empty). Each step skips `every`
   * entries of the key index, so the whole walk costs one pass.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MirrorState } from "./state.ts";
   * const state = new MirrorState(":memory:");
   * const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e" };
   * for (const k of ["a/1", "a/2", "a/3", "a/4", "a/5", "b/1"]) state.set(k, row);
   * assert.deepEqual([...state.splitKeys("a/", 2)], ["a/2", "a/4"]);
   * assert.deepEqual([...state.splitKeys("a/", 5)], []);
   * state.close();
   * ```
   */
  *splitKeys(from = "", every = 1000): Generator<string> {
    const skip = Math.max(0, Math.floor(every) - 1);
    this.#splitFrom ??= this.#db.prepare(
      "SELECT key FROM files WHERE key >= ? ORDER BY key LIMIT 1 OFFSET ?",
    );
    this.#splitAfter ??= this.#db.prepare(
      "SELECT key FROM files WHERE key > ? ORDER BY key LIMIT 1 OFFSET ?",
    );
    const inScope = (r: { key: string } | undefined) =>
      r !== undefined && r.key.startsWith(from) ? r.key : undefined;
    const first = this.#splitFrom;
    let key = inScope(this.#read(() => first.get(from, skip)) as { key: string } | undefined);
    while (key !== undefined) {
      const after = this.#splitAfter;
      const at = key;
      const next = inScope(this.#read(() => after.get(at, skip)) as { key: string } | undefined);
      // A split at the last key would add a range with nothing in it (one
      // more request): the range before it runs to the end instead.
      if (next !== undefined || inScope(this.#read(() => after.get(at, 0)) as { key: string })) {
        yield key;
      }
      key = next;
    }
  }

  /**
   * Whether at least `count` keys starting with `from` are recorded: a
   * cheap estimate of a tree's size before walking it (the index is skipped
   * through, not read into memory).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MirrorState } from "./state.ts";
   * const state = new MirrorState(":memory:");
   * const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e" };
   * for (const k of ["a/1", "a/2", "b/1"]) state.set(k, row);
   * assert.equal(state.hasAtLeast(2, "a/"), true);
   * assert.equal(state.hasAtLeast(3, "a/"), false);
   * state.close();
   * ```
   */
  hasAtLeast(count: number, from = ""): boolean {
    if (count <= 0) return true;
    if (from.endsWith("/")) {
      // A directory: the index is skipped through up to its end only (the
      // keys below `a/` sort before `a0`), not past it for `count` rows.
      this.#countBelow ??= this.#db.prepare(
        "SELECT key FROM files WHERE key >= ? AND key < ? ORDER BY key LIMIT 1 OFFSET ?",
      );
      const below = this.#countBelow;
      const end = `${from.slice(0, -1)}0`;
      return this.#read(() => below.get(from, end, Math.floor(count) - 1)) !== undefined;
    }
    this.#splitFrom ??= this.#db.prepare(
      "SELECT key FROM files WHERE key >= ? ORDER BY key LIMIT 1 OFFSET ?",
    );
    const split = this.#splitFrom;
    const row = this.#read(() => split.get(from, Math.floor(count) - 1)) as
      | { key: string }
      | undefined;
    return row !== undefined && row.key.startsWith(from);
  }

  /** Records `row` for `key` (committed with the current batch). */
  set(key: string, row: StateRow): void {
    this.#write(
      () =>
        this.#put.run(
          key,
          row.size,
          row.mtimeMs,
          row.ctimeMs,
          row.ino,
          row.md5,
          row.etag,
          row.validator ?? "",
        ),
      row.size,
    );
  }

  /**
   * A value the mirror kept under `name` (not a file's row), or undefined.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MirrorState } from "./state.ts";
   * const state = new MirrorState(":memory:");
   * assert.equal(state.getMeta("x"), undefined);
   * state.setMeta("x", "1");
   * assert.equal(state.getMeta("x"), "1");
   * state.close();
   * ```
   */
  getMeta(name: string): string | undefined {
    const meta = this.#meta;
    if (meta === undefined) return undefined;
    const row = this.#read(() => meta.get.get(name)) as { value: string } | undefined;
    return row?.value;
  }

  /** Keeps `value` under `name` (committed with the current batch). */
  setMeta(name: string, value: string): void {
    const meta = this.#meta;
    if (meta !== undefined) this.#write(() => meta.put.run(name, value));
  }

  /** Forgets `key` (its file and object are gone). */
  delete(key: string): void {
    this.#write(() => this.#del.run(key));
  }

  /** Commits the current batch. */
  flush(): void {
    if (this.#db.isTransaction) {
      try {
        this.#db.exec("COMMIT");
      } catch (error) {
        this.#abandonBatch();
        throw this.#writeFailed(error);
      }
    }
    this.#pending = 0;
    this.#pendingBytes = 0;
  }

  /** Commits and closes. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.flush();
    } finally {
      this.#db.close();
      this.#lock?.close();
    }
  }

  // Writes go in batches of BATCH in one transaction (fewer when their rows
  // stand for BATCH_BYTES of files, `bytes` each). A write or commit that
  // fails (the file locked by something else past the busy timeout) rolls
  // the batch back: the next write starts a fresh one instead of failing on
  // a transaction left open. The rows lost only cost work (hashes known).
  #write(run: () => void, bytes = 0): void {
    try {
      if (!this.#db.isTransaction) this.#db.exec("BEGIN");
      run();
    } catch (error) {
      this.#abandonBatch();
      throw this.#writeFailed(error);
    }
    this.#pendingBytes += bytes;
    if (++this.#pending >= BATCH || this.#pendingBytes >= BATCH_BYTES) this.flush();
  }

  // A page damaged past what the open could see ("database disk image is
  // malformed") fails the read that reaches it: said of the file, with what
  // to do, rather than as SQLite's words alone (an internal error of vc's).
  #read<T>(run: () => T): T {
    try {
      return run();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new InvalidInputError(
        `mirror state file ${this.path} cannot be read (${reason}); ${unusableStateAdvice(reason)}`,
        { cause },
      );
    }
  }

  // SQLite's own words ("database or disk is full") name no file and read,
  // in the CLI, as an internal error of vc's: say which file, and what to do.
  #writeFailed(cause: unknown): VcError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const advice = isDiskFull(reason)
      ? unusableStateAdvice(reason)
      : "what it did not record is hashed again by the next run";
    return new VcError(
      `mirror state file ${this.path} cannot be written (${reason}); ${advice}`,
      { cause },
    );
  }

  #abandonBatch(): void {
    this.#pending = 0;
    this.#pendingBytes = 0;
    if (!this.#db.isTransaction) return;
    try {
      this.#db.exec("ROLLBACK");
    } catch {
      // SQLite rolled it back itself.
    }
  }
}

/**
 * Moves the state file at `former` (an earlier version's name for it) to
 * `path`, whose lock the caller holds, when `path` does not exist yet.
 * Under `former`'s lock, so a run of that version still using it is refused
 * (named) instead of losing its writes; its WAL is checkpointed into the
 * file first, so one file moves whole. A damaged one is left where it is.
 */
function takeOverFormer(former: string, path: string, warn: (message: string) => void): void {
  if (seenSync(path) || !seenSync(former) || notRegularFileKind(former) !== undefined) return;
  const lock = lockStateFile(former, warn);
  try {
    if (seenSync(path) || !seenSync(former)) return;
    try {
      const db = new DatabaseSync(former);
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } finally {
        db.close();
      }
    } catch {
      return; // damaged: the new file starts empty, as it would have
    }
    Deno.renameSync(former, path);
    for (const suffix of ["-wal", "-shm"]) {
      if (seenSync(`${former}${suffix}`)) Deno.renameSync(`${former}${suffix}`, `${path}${suffix}`);
    }
  } finally {
    lock.close();
  }
}

/**
 * Takes `<state>.lock` for this process (released when it exits, or by
 * closing the handle): two mirrors writing one state file would fight over
 * it (each run of one sees the other's writes as "locked"). On a file
 * system without locks (`tryLockOrNoLocks`: an ENOLCK after its grace) the
 * file is used without one, and `warn` told so (once per process, `tellNoLocks`).
 */
// A wait that blocks (the state is opened in a constructor): an ENOLCK's
// grace is a second at most, once per run.
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockStateFile(path: string, warn: (message: string) => void): Deno.FsFile {
  let file: Deno.FsFile;
  try {
    file = openLockFile(`${path}.lock`);
  } catch (cause) {
    throw stateNotWritableError(path, cause);
  }
  // A file system without locks (an SMB or FUSE mount on macOS, NFS
  // without its lock daemon): used without, as the cache's own files are.
  // An ENOLCK is tried again for a while first, as the cache does (a full
  // lock table passes): going on without at once left a lock that was
  // there to be had a moment later untaken.
  const refusals: LockRefusals = {};
  const started = performance.now();
  let got: boolean | Error;
  try {
    for (let delay = 1;; delay = Math.min(delay * 2, 50)) {
      got = tryLockOrNoLocks(file, true, refusals, performance.now() - started);
      if (got !== false || refusals.enolck === undefined) break;
      sleepSync(delay);
    }
  } catch (error) {
    file.close();
    throw error;
  }
  if (got instanceof Error) {
    tellNoLocks(`${path}.lock`, got, warn);
    return file;
  }
  if (!got) {
    const holder = lockHolderPid(file);
    file.close();
    const who = holder === undefined
      ? ""
      : holder === Deno.pid
      ? "held in this process by "
      : `held by process ${holder}, `;
    throw new InvalidInputError(
      `another ${MIRROR.library} is using the state file ${path} (${who}a run of the same directories ` +
        `and target, however they are typed); wait for it to finish, or give this run a state ` +
        `file of its own (the statePath option)`,
    );
  }
  notePid(file);
  return file;
}

// The holder names itself in its lock file (its pid), for the refusal of a
// second run to name it: which of several shells, cron jobs or services to
// wait for. Best effort: a lock without a note is as good a lock.
function notePid(file: Deno.FsFile): void {
  try {
    file.truncateSync(0);
    const bytes = new TextEncoder().encode(`${Deno.pid}\n`);
    file.seekSync(0, Deno.SeekMode.Start);
    if (file.writeSync(bytes) !== bytes.length) file.truncateSync(0);
  } catch {
    // A file system that refuses it: the refusal says no pid.
  }
}

// The pid a lock's holder noted in it (see `notePid`); undefined without one
// (an earlier version's holder, a system whose locks keep it from reading).
function lockHolderPid(file: Deno.FsFile): number | undefined {
  try {
    file.seekSync(0, Deno.SeekMode.Start);
    const buf = new Uint8Array(24);
    const n = file.readSync(buf) ?? 0;
    const text = new TextDecoder().decode(buf.subarray(0, n)).trim();
    return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

// SQLite's and the OS's words for a full disk.
function isDiskFull(reason: string): boolean {
  return /disk is full|no space left|SQLITE_FULL/i.test(reason);
}

// SQLite's words for a file it may not write: the file itself, or its
// directory, where WAL mode makes its `-wal` and `-shm` beside it (a state
// file another user made, a read-only disk).
function isNotWritable(reason: string): boolean {
  return /readonly database|read-only file system|permission denied|SQLITE_READONLY/i.test(
    reason,
  );
}

/**
 * `cause`, from making the state file's directory or its lock, as an error
 * naming the state file when it says the place is not writable (a read-only
 * disk, another user's directory); other errors are returned unchanged. The
 * system's words alone name only the lock, or a directory, and no way out.
 * A script's permission refusal within `dir` (default: the state file's
 * directory; the cache dir it is made in) is an `AccessDeniedError` naming
 * `dir` and the flags to add.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateNotWritableError } from "./state.ts";
 * const denied = new Deno.errors.PermissionDenied("Permission denied (os error 13): open '/s.lock'");
 * assert.match((stateNotWritableError("/s", denied) as Error).message, /^mirror state file \/s/);
 * const gone = new Deno.errors.NotFound("gone");
 * assert.equal(stateNotWritableError("/s", gone), gone);
 * const notAllowed = new Deno.errors.NotCapable('Requires write access to "/c", run again with the --allow-write flag');
 * assert.match((stateNotWritableError("/c/mirror/s", notAllowed, "/c") as Error).message, /run with --allow-read=\/c --allow-write=\/c$/);
 * ```
 */
export function stateNotWritableError(
  path: string,
  cause: unknown,
  dir: string = dirname(path),
): unknown {
  // vc's own errors (a cache dir that is a file) are clear already.
  if (cause instanceof VcError) return cause;
  // `--state afile/s.sqlite`: the mkdir's "File exists" named no file.
  const inTheWay = fileInTheWay(path, cause);
  if (inTheWay !== undefined) {
    return new InvalidInputError(`mirror state file ${path} cannot be made: ${inTheWay}`, {
      cause,
    });
  }
  // A script's --allow-read / --allow-write that leave `dir` out: no removal
  // of the file would help, the flag would.
  const denied = asAccessDenied(cause, `mirror state file ${path} cannot be made or locked`, dir);
  if (denied !== undefined) return denied;
  if (!isPermissionError(cause)) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new InvalidInputError(
    `mirror state file ${path} cannot be made or locked (${reason}); ${
      unusableStateAdvice(reason)
    }`,
    { cause },
  );
}

/**
 * What to do about a state file that cannot be opened, by SQLite's reason:
 * a damaged file may be removed (the state only saves work), but a full disk
 * is no fault of the file's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unusableStateAdvice } from "./state.ts";
 * assert.match(unusableStateAdvice("database or disk is full"), /make room/);
 * assert.match(unusableStateAdvice("file is not a database"), /remove it/);
 * assert.doesNotMatch(unusableStateAdvice("attempt to write a readonly database"), /remove it/);
 * ```
 */
export function unusableStateAdvice(reason: string): string {
  if (isDiskFull(reason)) {
    return "make room on its disk, or pass the statePath option with a file on another";
  }
  // Removing it would not help: a new one could not be written there either.
  if (/read-only file system/i.test(reason)) {
    return "its disk is read-only: pass the statePath option with a file on a writable disk";
  }
  if (isNotWritable(reason)) {
    return "it or its directory is not writable by this user: run as their owner, " +
      "or pass the statePath option with a file in a directory this user can write";
  }
  return "remove it (the next run rebuilds it by hashing the files again) or pass the statePath option";
}

/**
 * True when a file's stat still matches the row, so its recorded MD5 holds.
 * ctime is part of the check: `touch -d` to an old date, or a same-size
 * rewrite with a restored mtime, still moves ctime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statMatches } from "./state.ts";
 * const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "", etag: "" };
 * assert(statMatches(row, { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4 }));
 * assert(!statMatches(row, { size: 1, mtimeMs: 2, ctimeMs: 9, ino: 4 }));
 * ```
 */
export function statMatches(
  row: Pick<StateRow, "size" | "mtimeMs" | "ctimeMs" | "ino">,
  stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number | null },
): boolean {
  return row.size === stat.size && row.mtimeMs === stat.mtimeMs &&
    row.ctimeMs === stat.ctimeMs && row.ino === (stat.ino ?? 0);
}

/**
 * The default state file of a mirror: `<cacheDir>/mirror/<hash>.sqlite`,
 * where the hash names the sources, the target and the prefixes, so each
 * mirror has its own and nothing is written into a source directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultStatePath } from "./state.ts";
 * const a = defaultStatePath("/c", { sources: ["/d"], target: "s3://b/p" });
 * assert(a.startsWith("/c/mirror/") && a.endsWith(".sqlite"));
 * assert.notEqual(a, defaultStatePath("/c", { sources: ["/d"], target: "s3://b/q" }));
 * ```
 */
export function defaultStatePath(cacheDir: string, identity: Record<string, unknown>): string {
  const name = sha256Hex(JSON.stringify(identity)).slice(0, 32);
  return join(cacheDir, MIRROR_STATE_DIR, `${name}.sqlite`);
}

/**
 * Throws `InvalidInputError`, naming the link, when a symbolic link below
 * `cacheDir` leads to the default state file at `path` or a file SQLite and
 * the lock keep beside it (`-wal`, `-shm`, `-journal`, `.lock`). The cache
 * dir may have been restored from an untrusted source, and SQLite follows a
 * link: it would write its table into whatever database the link names, and
 * its files into whatever directory. (A `--state FILE` is the user's own.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertDefaultStateUnlinked, defaultStatePath } from "./state.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = defaultStatePath(dir, { sources: ["/d"], target: "s3://b" });
 *   assertDefaultStateUnlinked(dir, path); // nothing there yet
 *   await Deno.symlink("/tmp", `${dir}/mirror`);
 *   assert.throws(() => assertDefaultStateUnlinked(dir, path), /symbolic link/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function assertDefaultStateUnlinked(cacheDir: string, path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal", ".lock"]) {
    assertNoLinks(cacheDir, `${path}${suffix}`);
  }
}
