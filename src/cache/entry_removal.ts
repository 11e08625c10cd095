/**
 * Removing cache entries: an entry's record and data under its lock (so a
 * process using or refreshing it meanwhile wins), dead records, and the
 * compaction of the journals that held them.
 *
 * @module
 */
import { dirname } from "../path.ts";
import type { EntryLock } from "./entry_lock.ts";
import type { StoredMeta } from "./entry_meta.ts";
import {
  lastUsedOf,
  readEntryRecord,
  type RecordPaths,
  removeEntryRecord,
} from "./entry_records.ts";
import { compactRecords, journalFileFor, lookupRecord } from "./record_journal.ts";
import { assertNoLinks, recordBelongsTo, recordPathsOf } from "./layout.ts";
import { isNoSpaceError } from "./cache_errors.ts";
import { isFileTooLargeError } from "../file_size_limit.ts";
import { isSharingViolation } from "../replace_file.ts";
import {
  lstatOrUndefined,
  removeEmptyParents,
  removeIfExists,
  statOrUndefined,
} from "./cache_fs.ts";

/**
 * Drops dead records (records that do not parse, whose data file is gone
 * or is not a file: a directory there stays, or that name another URI than
 * their entry's: the data file stays, see `recordBelongsTo`): each under its entry's
 * lock, and only if it is still dead then (another process may have
 * downloaded the entry since). Returns how many were dropped: a record another
 * process removed meanwhile is not counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropDeadRecords } from "./entry_removal.ts";
 * import { readEntryRecord, writeEntryRecord } from "./entry_records.ts";
 * import { recordPathsOf } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const r = recordPathsOf(dir, `${dir}/s3/b/x`); // no data file
 *   writeEntryRecord(r, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   assert.equal(await dropDeadRecords(dir, [r]), 1);
 *   assert.equal(readEntryRecord(r), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function dropDeadRecords(cacheDir: string, dead: RecordPaths[]): Promise<number> {
  let dropped = 0;
  for (const record of dead) {
    let alive = false;
    let present = false;
    await removeEntryFiles(cacheDir, record, {
      unless: async (meta) => {
        // Removed since the scan (a prune or rm beside this verify, which
        // removes the data first, the record just after): not this run's
        // drop, nor a record whose data someone deleted by hand.
        present = meta !== undefined ||
          lookupRecord(record.journalPath, record.recordName).kind === "record" ||
          (await lstatOrUndefined(record.metaPath)) !== undefined;
        return alive = meta !== undefined &&
          recordBelongsTo(cacheDir, record.dataPath, meta.uri) &&
          (await lstatOrUndefined(record.dataPath))?.isFile === true;
      },
      // A record naming another URI says nothing of the data beside it (the
      // copy of this entry's own URI): only the line goes, and the data is
      // left to the rules for data without a record.
      keepData: (meta) =>
        meta !== undefined && !recordBelongsTo(cacheDir, record.dataPath, meta.uri),
      compact: false,
    });
    if (present && !alive) dropped++;
  }
  await compactJournals(cacheDir, dead.map((r) => ({ path: r.dataPath })));
  return dropped;
}

/**
 * Removes an entry: removes the data file, records the removal (and removes
 * an earlier version's record file), then any directories that became
 * empty (up to the cache dir). Returns true when the data file existed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeEntryFiles } from "./entry_removal.ts";
 * import { recordPathsOf } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/s3/b/x`, "x");
 *   assert(await removeEntryFiles(dir, recordPathsOf(dir, `${dir}/s3/b/x`)));
 *   assert(!(await removeEntryFiles(dir, recordPathsOf(dir, `${dir}/s3/b/x`))));
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function removeEntryFiles(
  cacheDir: string,
  record: RecordPaths,
  options: RemoveEntryOptions = {},
): Promise<boolean> {
  const { dataPath, metaPath, journalPath } = record;
  // Nothing is removed or written through a link planted inside the cache dir.
  assertNoLinks(cacheDir, dataPath);
  assertNoLinks(cacheDir, metaPath);
  assertNoLinks(cacheDir, journalPath);
  const { acquireEntryLock } = await import("./entry_lock.ts");
  let lock: EntryLock | undefined;
  // Only an entry whose directory exists can be in use (no directory made for a lock).
  if (await statOrUndefined(dirname(dataPath)) !== undefined) {
    const wait = options.keepIfBusy === true
      ? options.lockWait ?? 0
      : options.lockWait ?? DEFAULT_REMOVE_LOCK_WAIT_MS;
    try {
      lock = await acquireEntryLock(dataPath, {
        timeout: wait,
        ...(options.warn === undefined ? {} : {
          onWait: (holder: string) =>
            options.warn!(
              `vc: waiting for ${holder} to finish downloading ${dataPath} before removing it; ` +
                `giving up after ${wait / 1000}s (VC_LOCK_WAIT)`,
              "wait",
            ),
        }),
      });
    } catch (e) {
      // Another process is downloading it: in use, so kept when asked to.
      if (options.keepIfBusy === true && (e as Error | undefined)?.name === "LockTimeoutError") {
        options.onBusy?.();
        return false;
      }
      // No lock (read-only dir, a stopped holder): remove anyway; a reader
      // then misses, and a writer's later record describes its own data.
      if ((e as Error | undefined)?.name === "LockTimeoutError") {
        options.warn?.(
          `vc: ${(e as Error).message}; removing ${dataPath} without it: that download may ` +
            "cache the entry again when it finishes",
        );
      }
    }
  }
  let existed: boolean;
  let keepData = false;
  try {
    if (options.unless !== undefined) {
      const found = readEntryRecord(record);
      let current: StoredMeta | undefined;
      if (found !== undefined) {
        const stat = await statOrUndefined(dataPath);
        const lastUsed = stat === undefined
          ? found.legacyUsed ?? 0
          : lastUsedOf(stat, found.legacyUsed);
        current = { ...found.meta, lastUsed };
      }
      if (await options.unless(current)) return false;
      keepData = options.keepData?.(current) === true;
    }
    // A directory there holds other entries (keys below this one's name), not
    // this entry's data: it stays.
    // A data file another program holds open on Windows (an editor, a
    // Python `open()`): in use, so kept when asked to (a prune goes on
    // with the next entry; one such file failed every prune at its turn).
    const removeData = async () =>
      keepData || (await lstatOrUndefined(dataPath))?.isDirectory === true
        ? false
        : await removeIfExists(dataPath, { wait: options.keepIfBusy !== true });
    // The data first. A data file that cannot be removed (a read-only
    // directory, a file open on Windows) then leaves the entry as it was,
    // listed and served, and the error says so; removed record first, the
    // entry vanished from `ls` while its file stayed on disk, and a read-only
    // cache missed what it had served. A record whose data is gone is a miss
    // (dead: the next prune or verify drops it), never a wrong hit. On a full
    // disk (the cache filled it: just when prune or rm is needed) the data
    // frees room for the removal line; if that still does not fit, the dead
    // record stays.
    try {
      existed = await removeData();
    } catch (e) {
      if (options.keepIfBusy !== true || !isSharingViolation(e)) throw e;
      options.onBusy?.();
      return false;
    }
    try {
      removeEntryRecord(record);
    } catch (e) {
      if (!isNoSpaceError(e) && !isFileTooLargeError(e)) throw e;
    }
  } finally {
    // Releasing removes the lock's temp file, so the directory can empty.
    lock?.release();
  }
  if (options.compact !== false) compactRecords(journalPath, record.recordName);
  await removeEmptyParents(cacheDir, dirname(metaPath));
  await removeEmptyParents(cacheDir, dirname(dataPath));
  return existed;
}

/** Options of {@linkcode removeEntryFiles}. */
export interface RemoveEntryOptions {
  /** Checked under the entry's lock with the current record: true keeps the entry. */
  unless?: (meta: StoredMeta | undefined) => boolean | Promise<boolean>;
  /**
   * Longest wait for the entry's lock (ms; default 10 s, or 0 with `keepIfBusy`),
   * then remove without it (or, with `keepIfBusy`, keep it).
   */
  lockWait?: number;
  /**
   * Keep the entry (return false at once) when another process holds its
   * lock (a download in progress), instead of waiting and removing it
   * anyway: what `prune` wants, an entry in use being no candidate. So is
   * one whose data file another program holds open on Windows.
   */
  keepIfBusy?: boolean;
  /** Called when `keepIfBusy` kept the entry because another process held its lock or file. */
  onBusy?: () => void;
  /**
   * With `unless`, checked with the same record after it: true removes the
   * record only, leaving the data file where it is.
   */
  keepData?: (meta: StoredMeta | undefined) => boolean;
  /** Compact the directory's journal afterwards when it is mostly removals (default true). */
  compact?: boolean;
  /**
   * Told when another process's download holds the entry (after a second of
   * waiting), and when the wait ran out: its download may cache the entry
   * again once it finishes (the first told `kind` `"wait"`). Default: say nothing.
   */
  warn?: (message: string, kind?: "wait") => void;
}

const DEFAULT_REMOVE_LOCK_WAIT_MS = 10_000;

/**
 * Compacts the journals that held the records of removed entries (by data
 * path), and removes the directories that emptied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compactJournals } from "./entry_removal.ts";
 * import { removeEntryRecord, writeEntryRecord } from "./entry_records.ts";
 * import { recordPathsOf } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const r = recordPathsOf(dir, `${dir}/s3/b/x`);
 *   writeEntryRecord(r, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   removeEntryRecord(r);
 *   await compactJournals(dir, [{ path: r.dataPath }]);
 *   assert.deepEqual([...Deno.readDirSync(`${dir}/.meta`)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function compactJournals(
  cacheDir: string,
  removed: ReadonlyArray<{ path: string }>,
): Promise<void> {
  const done = new Set<string>();
  for (const { path } of removed) {
    const { journalPath, recordName } = recordPathsOf(cacheDir, path);
    // One compaction per journal file (a split directory has several).
    const file = journalFileFor(journalPath, recordName);
    if (done.has(file)) continue;
    done.add(file);
    // An emptied journal is removed: its directory may be empty now.
    if (compactRecords(journalPath, recordName)) {
      await removeEmptyParents(cacheDir, dirname(journalPath));
    }
  }
}
