/**
 * The asset cache's records, in append-only journals: each data directory
 * has up to `JOURNAL_SHARDS` of them, `.meta/<directory>/%records-<h>.jsonl`,
 * the journal of an entry chosen by a hash of its name (`journalName` in
 * `layout.ts`). A journal holds one line per record write (the format is in
 * `journal_file.ts`); the last line for a name wins. Sharding bounds what a
 * lookup reads: a flat directory of 100k entries has ~25 MB of records, and
 * a warm lookup reads the 1/16 of them that shares its journal.
 *
 * Why a journal and not a file per entry: on a journaling filesystem a file
 * creation costs far more than a write to an open file (0.4–1 ms on ext4
 * while downloads flush, measured in `scripts/bench/cold_small.ts`), and a
 * cold object already needs one (its data). A record is one `O_APPEND`
 * write of a few hundred bytes, which the kernel applies whole, so writers
 * in several processes never interleave their lines. The entries of one
 * directory are usually used together (a prefill, a manifest), so a warm
 * run reads a few small files for all of them; a process remembers what it
 * read and, as a journal only grows, later reads only what was appended.
 *
 * A torn line (a crash mid-append) does not parse and makes its entry a
 * miss, like any unreadable record. Journals are compacted (last line per
 * name, removed entries dropped) when they grow to twice their live size,
 * under an exclusive `flock`, through an atomic rename; appenders hold a
 * shared `flock` while they write, and re-open a journal that was replaced,
 * which the compaction marks by setting the old file's mtime to the epoch
 * (so an appender tells it from the status of the file it has open).
 *
 * Records of earlier versions (`.meta/<path>%.json`, one file per entry)
 * are still read by the callers when a journal has no line for an entry.
 *
 * @module
 */
import { writeFileAtomicSync } from "../atomic_write.ts";
import { fileSizeLimitReached, isFileTooLargeError } from "../file_size_limit.ts";
import { concatBytes } from "../bytes.ts";
import { CACHE_VERIFY } from "../command_words.ts";
import { fsPlatform } from "../fs_platform.ts";
import { tryLockOrNoLocks } from "../file_lock.ts";
import { decodeMeta, type EntryMeta } from "./entry_meta.ts";
import {
  encodeValueLine,
  endsTorn,
  isReplaced,
  JOURNAL_MAX_BYTES,
  journalMode,
  lineValue,
  linkedJournal,
  lockSync,
  markReplaced,
  openedThere,
  openForAppend,
  parseLines,
  readAllSync,
  sameFile,
  SPLIT_MARK,
  splitJournalPath,
  unlockQuietly,
} from "./journal_file.ts";
import {
  liveBytes,
  refuseLink,
  SPLIT_BYTES,
  splitJournal,
  unsplitIfEmpty,
} from "./journal_split.ts";
import { JOURNAL_NAME } from "./layout.ts";
import { claimCompaction } from "./journal_claim.ts";
import {
  type AppendEnd,
  endsAtLine,
  forgetJournal,
  type JournalEntry,
  knownWhole,
  readMemo,
  recentLines,
  remember,
} from "./journal_memo.ts";

// Whether an append handle's offset after a write is the file's end as the
// write left it (O_APPEND); Windows' append mode makes no such promise.
const OFFSET_IS_END = Deno.build.os !== "windows";

export { forgetJournals } from "./journal_memo.ts";

/** A journal at least this large is checked for compaction (bytes). */
const COMPACT_CHECK_BYTES = 64 * 1024;
/**
 * A check that found the journal busy (another appender held it) is tried
 * again once the journal has grown by this much, not only at the next
 * multiple of {@linkcode COMPACT_CHECK_BYTES}: two processes appending at
 * full speed could otherwise miss every check of a batch.
 */
const COMPACT_RETRY_BYTES = 4 * 1024;
/** Journals whose compaction check found them busy → the size at which to try again. */
const compactRetries = new Map<string, number>();
/** Journals remembered there before the map is reset (bounded memory). */
const MAX_COMPACT_RETRIES = 1024;
/** A split directory journal holds only its mark: never larger than this. */
const SPLIT_MARK_MAX = 32;
/** Longest synchronous wait for a compaction holding the journal (ms). */
const APPEND_LOCK_WAIT_MS = 2_000;
/** How long an append written without the lock waits to learn where its line went ({@linkcode landedLive}). */
const APPEND_CONFIRM_WAIT_MS = 10_000;

/**
 * Journals kept open between appends while a batch of downloads runs
 * ({@linkcode keepJournalsOpen}): an append is then one write on an open
 * handle. A kept handle's file is known by its inode, so its status comes
 * from an `lstat` of the path while the path still names it (see
 * {@linkcode statOfHandle}).
 */
const handles = new Map<string, KeptHandle>();
/**
 * Most journals kept open at once. Downloads that always overlap (a
 * long-running process) never end the batch: without a cap, one descriptor
 * per directory ever downloaded into would stay open. The oldest goes first.
 */
const MAX_KEPT_HANDLES = 64;

interface KeptHandle {
  file: Deno.FsFile;
  /** Its file's inode and device (null where not reported). */
  ino: number | null;
  dev: number;
}
let keepOpen = 0;

/**
 * Keeps journals open between appends until the returned function is called
 * (nested calls count: handles close when the last caller is done). For a
 * cache while it downloads; every handle is closed at the end, so nothing
 * stays open in an idle process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord, keepJournalsOpen, lookupRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * const done = keepJournalsOpen();
 * try {
 *   appendRecord(`${dir}/%records.jsonl`, "a", { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 });
 *   assert.equal(lookupRecord(`${dir}/%records.jsonl`, "a").kind, "record");
 * } finally {
 *   done();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function keepJournalsOpen(): () => void {
  keepOpen++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--keepOpen > 0) return;
    for (const { file } of handles.values()) {
      try {
        file.close();
      } catch {
        // Closed already.
      }
    }
    handles.clear();
  };
}

/** A kept handle of `journalPath` that still names the journal, else undefined (and dropped). */
function keptHandle(journalPath: string): { file: Deno.FsFile; stat: Deno.FileInfo } | undefined {
  const kept = handles.get(journalPath);
  if (kept === undefined) return undefined;
  const file = kept.file;
  try {
    const stat = statOfHandle(kept, journalPath);
    // Replaced by a compaction, or removed: the path is the truth again.
    if (!isReplaced(stat)) return { file, stat };
  } catch {
    // Unusable: dropped below.
  }
  dropHandle(journalPath);
  return undefined;
}

/**
 * The status of a kept handle's file: an `lstat` of `journalPath` while the
 * path still names that inode (the same inode has the same status), else
 * the handle's own (`fstat`). With Deno's permission flags short of
 * `--allow-all`, `FsFile.statSync` resolves the file's path component by
 * component first (a `readlink` each), while an `lstat` resolves none:
 * this is the cheaper of the two on every append and lookup of a batch.
 * An inode number is never reused while a handle holds its file open.
 */
function statOfHandle(kept: KeptHandle, journalPath: string): Deno.FileInfo {
  if (kept.ino !== null) {
    try {
      const there = Deno.lstatSync(journalPath);
      if (there.ino === kept.ino && there.dev === kept.dev) return there;
    } catch {
      // Gone from the path: the handle tells (nlink 0, a replaced mark).
    }
  }
  return kept.file.statSync();
}

function dropHandle(journalPath: string): void {
  const file = handles.get(journalPath)?.file;
  handles.delete(journalPath);
  try {
    file?.close();
  } catch {
    // Closed already.
  }
}

/** Options of {@linkcode lookupRecord}. */
export interface LookupOptions {
  /**
   * Answer from what this process knew of the journal when that was
   * checked against the file at most this long ago (ms), without a look at
   * the file: for a look whose miss is looked at again under the entry's
   * lock. Default 0: always checked.
   */
  trustMs?: number;
}

/** What a journal says about one name: a record, a removal, or nothing. */
export type JournalLookup =
  | { kind: "record"; meta: EntryMeta | undefined }
  | { kind: "removed" }
  /** `unread`: no journal could be read (none there, or one this process may not read). */
  | { kind: "none"; unread?: boolean };

/**
 * Looks `name` up in the journal at `journalPath`: its last record
 * (`meta` undefined when that line does not parse: a miss), a removal, or
 * nothing (no line, no journal). Synchronous: one `stat` when the journal
 * is unchanged since this process last read it, else a read of what is new.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord, lookupRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/.meta/s3/b/%records.jsonl`;
 *   assert.equal(lookupRecord(j, "x.csv").kind, "none");
 *   appendRecord(j, "x.csv", { uri: "s3://b/x.csv", etag: "e", size: 1, validatedAt: 0 });
 *   const found = lookupRecord(j, "x.csv");
 *   assert(found.kind === "record" && found.meta?.etag === "e");
 *   appendRecord(j, "x.csv", undefined);
 *   assert.equal(lookupRecord(j, "x.csv").kind, "removed");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function lookupRecord(
  journalPath: string,
  name: string,
  options: LookupOptions = {},
): JournalLookup {
  const trustMs = options.trustMs ?? 0;
  let lines = readLines(journalPath, trustMs);
  const split = lines?.get(SPLIT_MARK);
  if (split !== undefined) lines = readLines(splitJournalPath(journalPath, name, split), trustMs);
  if (lines === undefined) return { kind: "none", unread: true };
  const line = lines.get(name);
  if (line === undefined) return { kind: "none" };
  if (line === "-") return { kind: "removed" };
  return { kind: "record", meta: decodeMeta(line) };
}

/**
 * Every live record of a journal, by name (removed entries left out; lines
 * that do not parse as `undefined`). For maintenance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord, readJournal } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   appendRecord(j, "a", { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 });
 *   appendRecord(j, "b", { uri: "s3://b/b", etag: "e", size: 1, validatedAt: 0 });
 *   appendRecord(j, "a", undefined);
 *   assert.deepEqual([...readJournal(j).keys()], ["b"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function readJournal(journalPath: string): Map<string, EntryMeta | undefined> {
  const out = new Map<string, EntryMeta | undefined>();
  for (const [name, line] of readLines(journalPath) ?? []) {
    if (line !== "-" && name !== SPLIT_MARK) out.set(name, decodeMeta(line));
  }
  return out;
}

/**
 * The journal file that holds `name`'s record: the directory journal
 * `journalPath`, or, once that was split, the split journal for `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalFileFor } from "./record_journal.ts";
 * assert.equal(journalFileFor("/nowhere/%records.jsonl", "x"), "/nowhere/%records.jsonl");
 * ```
 */
export function journalFileFor(journalPath: string, name: string): string {
  const split = readLines(journalPath)?.get(SPLIT_MARK);
  return split === undefined ? journalPath : splitJournalPath(journalPath, name, split);
}

/**
 * Whether the directory journal `journalPath` was split (its records are
 * in the split journals beside it; any other split journal there is a
 * leftover of an interrupted split, not read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSplitJournal } from "./record_journal.ts";
 * assert.equal(isSplitJournal("/nowhere/%records.jsonl"), false);
 * ```
 */
export function isSplitJournal(journalPath: string): boolean {
  return readLines(journalPath)?.has(SPLIT_MARK) ?? false;
}

/**
 * Appends a record for `name` (or, with `meta` undefined, its removal) to
 * the journal at `journalPath`, creating it and its directory when missing.
 * One write; not fsynced (a lost record is a miss, and the data it
 * describes was fsynced and renamed into place before). In a split
 * directory the line goes to `name`'s split journal, under a shared lock
 * of the directory journal (so a split or its undoing never races it). The
 * caller checks the path for planted links first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   appendRecord(`${dir}/j/%records.jsonl`, "x", { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   assert((await Deno.readTextFile(`${dir}/j/%records.jsonl`)).startsWith('x\t{"v":1'));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function appendRecord(
  journalPath: string,
  name: string,
  meta: EntryMeta | undefined,
): void {
  appendRecords(journalPath, [{ name, meta }]);
}

/** A record for {@linkcode appendRecords}: `meta` undefined records the entry's removal. */
export interface JournalRecord {
  name: string;
  meta: EntryMeta | undefined;
}

/**
 * {@linkcode appendRecord} for several records at once: one write of all
 * their lines, under one lock and one status check of the journal, where
 * each record alone costs those three (in a split directory, one write per
 * split journal the names fall in). The lines land in `records`' order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecords, lookupRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   const meta = (etag: string) => ({ uri: "s3://b/x", etag, size: 1, validatedAt: 0 });
 *   appendRecords(j, [{ name: "x", meta: meta("1") }, { name: "y", meta: meta("2") }, { name: "x", meta: meta("3") }]);
 *   const x = lookupRecord(j, "x");
 *   assert(x.kind === "record" && x.meta?.etag === "3");
 *   assert.equal((await Deno.readTextFile(j)).split("\n").length, 4);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function appendRecords(journalPath: string, records: readonly JournalRecord[]): void {
  if (records.length === 0) return;
  appendLines(
    journalPath,
    records.map(({ name, meta }) => {
      const value = lineValue(meta);
      return { name, value, bytes: encodeValueLine(name, value) };
    }),
    true,
  );
}

/** A journal line to append, with what the memo keeps of it. */
interface PendingLine extends JournalEntry {
  bytes: Uint8Array;
}

function appendLines(
  journalPath: string,
  lines: readonly PendingLine[],
  directory: boolean,
): void {
  const line = lines.length === 1 ? lines[0]!.bytes : concatBytes(lines.map((l) => l.bytes));
  let before = 0;
  let redirected = false;
  for (let attempt = 0;; attempt++) {
    // The handle's state is checked after locking it, below.
    const kept = keepOpen > 0 ? handles.get(journalPath) : undefined;
    const file = kept?.file ?? openForAppend(journalPath);
    let replaced = false;
    let mine: Deno.FileInfo | undefined;
    try {
      // Shared: many appenders at once, none while a compaction replaces it.
      // Exclusive where locks are mandatory (Windows): a shared LockFileEx
      // lock denies writes to everyone, its holder included.
      const lock = lockSync(file, fsPlatform.mandatoryLocks, APPEND_LOCK_WAIT_MS);
      const locked = lock === "locked";
      mine = kept === undefined ? file.statSync() : statOfHandle(kept, journalPath);
      // The open followed a link if one was planted after the caller's
      // check of the path: refused before a byte is written. (A kept
      // handle's status is already checked against the path's.)
      const there = kept === undefined ? openedThere(mine, journalPath) : "same";
      if (there === "link") {
        replaced = true;
        throw linkedJournal(journalPath);
      }
      if (there === "other" && !isReplaced(mine) && attempt < 10) {
        // Replaced or removed since the open (a compaction, a `vc cache rm`): again, at the path.
        replaced = true;
        unlockQuietly(file);
        continue;
      }
      if (!mine.isFile) {
        // A FIFO or device put there: a line written to it is lost, or goes elsewhere.
        // Never kept open (a refused handle must not serve a later append).
        replaced = true;
        if (kept !== undefined) dropHandle(journalPath);
        throw new Deno.errors.PermissionDenied(
          `refusing to append to ${journalPath}: it is not a regular file (the cache may have ` +
            `been restored from an untrusted source). Remove it, or the whole cache dir, and run again`,
        );
      }
      if ((mine.nlink ?? 1) > 1) {
        // vc never links a journal twice: the other name (a hard link planted
        // in a restored cache) may be outside the cache dir.
        replaced = true;
        if (kept !== undefined) dropHandle(journalPath);
        throw new Deno.errors.PermissionDenied(hardLinkedJournal(journalPath));
      }
      if (mine.size > JOURNAL_MAX_BYTES && attempt < 10) {
        // Not one vc wrote, and never read: replaced by this append's line
        // (appending to it would lose the line, and grow it further).
        replaced = true;
        if (kept !== undefined) dropHandle(journalPath);
        else unlockQuietly(file);
        discardOversized(journalPath);
        continue;
      }
      if (isReplaced(mine)) {
        replaced = true;
        if (kept !== undefined) dropHandle(journalPath);
        // Again, at the path (a dropped handle is closed: always again).
        // (Without locks too: a line written into it now is in no journal.)
        if (kept !== undefined || (lock !== "busy" && attempt < 10)) continue;
      }
      if (directory && mine.size > 0 && mine.size <= SPLIT_MARK_MAX) {
        // Where locks are mandatory our lock denies every other handle, even
        // this process's: read the (small) file through the locked one.
        const split = fsPlatform.mandatoryLocks
          ? parseLines(readFromStart(file, mine.size)).lines.get(SPLIT_MARK)
          : readLines(journalPath)?.get(SPLIT_MARK);
        if (split !== undefined) {
          const byTarget = Map.groupBy(lines, (l) => splitJournalPath(journalPath, l.name, split));
          for (const [target, group] of byTarget) {
            refuseLink(target);
            appendLines(target, group, false);
          }
          redirected = true;
          break;
        }
      }
      before = mine.size;
      // After a torn last line, a newline first keeps this line whole.
      // (Known to end with a whole line when this process read or wrote it up to there.)
      const out = !endsAtLine(journalPath, mine) && endsTorn(file, mine.size)
        ? withNewlineFirst(line)
        : line;
      // O_APPEND: one write lands whole at the end, whoever else appends.
      let n: number;
      try {
        n = file.writeSync(out);
      } catch (e) {
        // At this process's file-size limit already: named as such (asked
        // before the journal is taken back below it).
        const limit = isFileTooLargeError(e) ? fileSizeLimitError(journalPath, e) : undefined;
        // Nothing written (a full disk, an I/O error): a journal this
        // append created is not left behind empty.
        if (locked && takeBack(file, journalPath, before, out, 0) === "removed") {
          replaced = true;
          if (kept !== undefined) dropHandle(journalPath);
        }
        throw limit ?? e;
      }
      if (n === out.length) {
        // Where the append ended: an O_APPEND handle's offset after the
        // write, kept or just opened (no path resolved, unlike a stat; not
        // on Windows, whose append mode is not O_APPEND), else the file's status.
        const known = kept;
        const after = OFFSET_IS_END
          ? (): AppendEnd => ({ size: file.seekSync(0, Deno.SeekMode.Current), mtime: null })
          : known === undefined
          ? () => file.statSync()
          : () => statOfHandle(known, journalPath);
        remember(journalPath, mine, after, lines, out.length);
        if (
          attempt < 10 &&
          (lock === "busy"
            ? !landedLive(file, kept, journalPath)
            : lock === "none" && replacedSince(file, kept, journalPath))
        ) {
          // Written into a journal a compaction then replaced from what it
          // had read before: once more, into the journal now at the path (a
          // line twice is one record).
          replaced = true;
          if (kept !== undefined) dropHandle(journalPath);
          continue;
        }
      }
      if (n !== out.length) {
        // A file-size limit (a CI runner's `ulimit -f`) cuts a write short
        // as a full disk does: told apart while the journal is at the limit,
        // or every append after it was "no space left" on a disk with room.
        const limit = fileSizeLimitError(journalPath);
        // Out of space mid-line: taken back to the last whole line when no
        // other line came after it, else ended, so it reads as one torn record.
        const undone = locked ? takeBack(file, journalPath, before, out, n) : "left";
        if (undone === "removed") {
          replaced = true;
          if (kept !== undefined) dropHandle(journalPath);
        } else if (undone === "left") {
          try {
            file.writeSync(new Uint8Array([0x0a]));
          } catch {
            // Nothing more fits: the torn line is still a miss.
          }
        }
        throw limit ?? new Deno.errors.WriteZero(`short write to ${journalPath} (disk full?)`);
      }
      break;
    } finally {
      if (kept !== undefined) {
        // Kept for the next append (unless dropped above: closed then).
        if (handles.get(journalPath) === kept) unlockQuietly(file);
      } else if (!replaced && mine !== undefined && keepOpen > 0 && !handles.has(journalPath)) {
        unlockQuietly(file);
        if (handles.size >= MAX_KEPT_HANDLES) dropHandle(handles.keys().next().value!);
        handles.set(journalPath, { file, ino: mine.ino, dev: mine.dev });
      } else {
        file.close();
      }
    }
  }
  // Checked now and then, as the journal passes each multiple of the size
  // (or the size a busy check asked to be tried again at).
  const end = before + line.length;
  const retryAt = compactRetries.get(journalPath);
  if (
    !redirected &&
    (Math.floor(end / COMPACT_CHECK_BYTES) > Math.floor(before / COMPACT_CHECK_BYTES) ||
      (retryAt !== undefined && end >= retryAt))
  ) {
    compactJournal(journalPath);
  }
}

/**
 * Takes back the torn end of an append cut short after `written` bytes of
 * `out` (0: nothing written) to the journal open, and locked, as `file`,
 * which was `before` bytes long: when nothing was appended after it (the
 * lock made exclusive meanwhile), the journal is cut back to its last whole
 * line, so the lines written before stay as they were (a torn line for a
 * name would hide its earlier, whole one) and what readers took from it is
 * still there. A journal this append created and left with no whole line is
 * removed, as a compaction removes one (marked replaced for appenders
 * waiting on it). Best effort: `"left"` when it could not tell.
 */
function takeBack(
  file: Deno.FsFile,
  journalPath: string,
  before: number,
  out: Uint8Array,
  written: number,
): "removed" | "cut" | "left" {
  const keep = before + out.subarray(0, written).lastIndexOf(0x0a) + 1;
  if (keep === before + written && keep > 0) return "cut"; // ends at a whole line
  if (!exclusively(file)) return "left";
  try {
    const stat = file.statSync();
    if (stat.size !== before + written || !sameFile(stat, journalPath)) return "left";
    if ((stat.nlink ?? 1) > 1) return "left";
    forgetJournal(journalPath);
    if (keep > 0) {
      file.truncateSync(keep);
      return "cut";
    }
    Deno.removeSync(journalPath);
    markReplaced(file);
    return "removed";
  } catch {
    return "left";
  }
}

/** Turns the shared lock on `file` exclusive (already so where locks are mandatory); false when others hold it. */
function exclusively(file: Deno.FsFile): boolean {
  if (fsPlatform.mandatoryLocks) return true;
  try {
    return file.tryLockSync(true);
  } catch {
    return false;
  }
}

/**
 * After an append written without the lock (a compaction held it past
 * {@linkcode APPEND_LOCK_WAIT_MS}: a split of a large journal writes and
 * flushes its 32 files under it, which a loaded machine can make last
 * seconds): whether the line stayed in the live journal. The compaction read
 * the journal when it started, so a line that landed meanwhile is not in what
 * replaces it. Waits (at most {@linkcode APPEND_CONFIRM_WAIT_MS}) for the
 * lock, then asks the file whether it was replaced. True when that cannot be
 * told (the holder outlasts the wait): the line stays where it is, as before.
 * The lock taken here is let go by the caller, with the append's.
 */
function landedLive(
  file: Deno.FsFile,
  kept: KeptHandle | undefined,
  journalPath: string,
): boolean {
  if (lockSync(file, fsPlatform.mandatoryLocks, APPEND_CONFIRM_WAIT_MS) !== "locked") return true;
  const stat = kept === undefined ? file.statSync() : statOfHandle(kept, journalPath);
  return !isReplaced(stat);
}

/**
 * After an append written where the file system gives no locks: whether a
 * compaction (in another process, unguarded too) replaced or removed the
 * journal the line went into. Checked after the write: a compaction that
 * replaces it later copies the line over itself ({@linkcode carryOver}).
 */
function replacedSince(
  file: Deno.FsFile,
  kept: KeptHandle | undefined,
  journalPath: string,
): boolean {
  try {
    return isReplaced(kept === undefined ? file.statSync() : statOfHandle(kept, journalPath));
  } catch {
    return false; // cannot tell: the line stays where it is, as before
  }
}

/**
 * Where the file system gives no locks, after a compaction replaced or
 * removed the journal open as `file` (and marked it so): the lines other
 * processes appended to it after the compaction read it (from the handle's
 * position on), appended to the journal now at the path. An appender checks
 * for the mark after its write ({@linkcode replacedSince}), so a line is
 * either written before the mark, and read here, or written again by its
 * appender: none is lost (one twice is one record). Except a name the
 * journal at the path got a line for since the replacement (`since` bytes,
 * see {@linkcode Rewritten}): that line is the newer (a process that wrote
 * into the new journal writes into the old one no more), and the old one,
 * carried after it, would undo it (the last line wins).
 */
function carryOver(journalPath: string, file: Deno.FsFile, since: number | undefined): void {
  const { lines } = parseLines(readAllSync(file));
  lines.delete(SPLIT_MARK);
  if (since !== undefined) {
    for (const name of namesAppendedSince(journalPath, since)) lines.delete(name);
  }
  if (lines.size === 0) return;
  appendLines(
    journalPath,
    [...lines].map(([name, value]) => ({ name, value, bytes: encodeValueLine(name, value) })),
    true,
  );
}

/** The names the journal at `journalPath` has lines for past its first `since` bytes (none when missing). */
function namesAppendedSince(journalPath: string, since: number): Iterable<string> {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true });
  } catch {
    return []; // none put there, or gone again: nothing newer
  }
  try {
    const size = file.statSync().size;
    if (size <= since) return [];
    file.seekSync(since, Deno.SeekMode.Start);
    return parseLines(readAllSync(file, size - since)).lines.keys();
  } catch {
    return [];
  } finally {
    file.close();
  }
}

/**
 * Rewrites the journal with one line per live entry when at least half of
 * its lines are dead (or always, with `force`); removes it when nothing is
 * live. Skipped (false) while another process holds it. Returns true when it
 * was rewritten or removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord, compactJournal, readJournal } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   const meta = { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 };
 *   for (let i = 0; i < 3; i++) appendRecord(j, "a", meta);
 *   assert(compactJournal(j));
 *   assert.equal((await Deno.readTextFile(j)).split("\n").length, 2);
 *   assert.equal(readJournal(j).get("a")?.etag, "e");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function compactJournal(journalPath: string, options: { force?: boolean } = {}): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true, write: true });
  } catch {
    return false;
  }
  try {
    // Without locks (the file system gives none) it runs as within one
    // process, where appends are synchronous and none lands mid-way: left
    // for a lock that never comes, the journal grew without end, and past
    // JOURNAL_MAX_BYTES was never read again. Other processes are not kept
    // out there (said once per process, see tellNoLocks).
    // Nor are their appends kept out: what they wrote meanwhile is carried
    // over into the new journal (see carryOver).
    const got = tryLockOrNoLocks(file, true, {}, performance.now());
    // Busy: tried again a little later (see COMPACT_RETRY_BYTES).
    if (got === false) return retryCompactionLater(journalPath, file);
    // Without locks, one compaction at a time all the same (see journal_claim.ts).
    const release = got === true ? () => {} : claimCompaction(journalPath);
    if (release === undefined) return retryCompactionLater(journalPath, file);
    compactRetries.delete(journalPath);
    try {
      const done = compactOpen(journalPath, file, options);
      if (typeof done === "object" && got !== true) carryOver(journalPath, file, done.since);
      return done !== false;
    } finally {
      release();
    }
  } catch {
    return false; // left as it was: still correct, only longer
  } finally {
    file.close();
  }
}

/**
 * A compaction that found `journalPath` busy (locked, or claimed where
 * there are no locks): checked again once the journal has grown by
 * {@linkcode COMPACT_RETRY_BYTES}. Returns false (nothing compacted).
 */
function retryCompactionLater(journalPath: string, file: Deno.FsFile): false {
  if (compactRetries.size >= MAX_COMPACT_RETRIES) compactRetries.clear();
  compactRetries.set(journalPath, file.statSync().size + COMPACT_RETRY_BYTES);
  return false;
}

/**
 * {@linkcode compactJournal} of the journal open (and locked, where the file
 * system gives locks) as `file`: a {@linkcode Rewritten} when it was
 * replaced or removed after its lines were read (the handle's position is
 * where the read ended), `"discarded"` when an oversized one was removed
 * unread.
 */
function compactOpen(
  journalPath: string,
  file: Deno.FsFile,
  options: { force?: boolean },
): Rewritten | "discarded" | false {
  const stat = file.statSync();
  if (!sameFile(stat, journalPath)) return false;
  // Another name for it (planted) may be outside: not even its times change.
  if (!stat.isFile || (stat.nlink ?? 1) > 1) return false;
  if (stat.size > JOURNAL_MAX_BYTES) {
    forgetJournal(journalPath);
    Deno.removeSync(journalPath);
    markReplaced(file);
    return "discarded";
  }
  // The check a growing journal gets at each COMPACT_CHECK_BYTES: where
  // this process read or wrote all of it (a prefill appending its
  // records), what it knows tells, without a read and parse of the file.
  if (!options.force && nothingToCompact(journalPath, stat)) return false;
  const { lines, count } = parseLines(readAllSync(file, stat.size));
  const split = lines.get(SPLIT_MARK);
  // A split directory journal is removed once its split journals all are.
  if (split !== undefined) {
    return unsplitIfEmpty(journalPath, file, split, (path) => forgetJournal(path)) && {};
  }
  const live = [...lines].filter(([, line]) => line !== "-");
  const directory = journalPath.endsWith(JOURNAL_NAME);
  if (directory && liveBytes(live) >= SPLIT_BYTES) {
    const mode = journalMode(stat);
    return splitJournal(journalPath, file, live, (path) => forgetJournal(path), mode) && {};
  }
  if (!options.force && live.length * 2 > count) return false;
  forgetJournal(journalPath);
  if (live.length === 0) {
    Deno.removeSync(journalPath);
    markReplaced(file);
    return { since: 0 };
  }
  const text = live.map(([name, line]) => `${name}\t${line}\n`).join("");
  // Durable: this file now holds every record of the directory. With the
  // mode of the file it replaces: in a cache dir users share, a compaction
  // by one whose umask is 077 must not make the records the others wrote
  // unreadable to them (their entries would all become misses they cannot
  // record again).
  const bytes = encoder.encode(text);
  writeFileAtomicSync(journalPath, bytes, { durable: true, ...journalMode(stat) });
  markReplaced(file);
  return { since: bytes.length };
}

/**
 * A journal replaced (or removed) by a compaction: `since` is how many
 * bytes the journal it put at the path held (0: it put none), so what lies
 * beyond was appended after the replacement; undefined for a split or its
 * undoing, whose lines are in other files.
 */
interface Rewritten {
  since?: number;
}

const encoder = new TextEncoder();

/**
 * True when what this process knows of the whole journal `stat` describes
 * (see `knownWhole`) shows a compaction would leave it as it is: not split,
 * below the split size, and at least half its lines live (the same tests as
 * `compactJournal` makes on the lines it reads). False when not known.
 */
function nothingToCompact(journalPath: string, stat: Deno.FileInfo): boolean {
  const known = knownWhole(journalPath, stat);
  if (known === undefined || known.lines.has(SPLIT_MARK)) return false;
  let live = 0;
  let bytes = 0; // as liveBytes counts them
  for (const [name, line] of known.lines) {
    if (line === "-") continue;
    live++;
    bytes += name.length + line.length + 2;
  }
  if (journalPath.endsWith(JOURNAL_NAME) && bytes >= SPLIT_BYTES) return false;
  return live * 2 > known.count;
}

/**
 * Compacts the journal that holds `name`'s record in the directory journal
 * `journalPath` (see {@linkcode compactJournal}); when that removed a split
 * journal, also the directory journal (removed once nothing is left).
 * Returns true when a journal was rewritten or removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord, compactRecords } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   appendRecord(j, "a", { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 });
 *   appendRecord(j, "a", undefined);
 *   assert(compactRecords(j, "a"));
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function compactRecords(journalPath: string, name: string): boolean {
  const file = journalFileFor(journalPath, name);
  const compacted = compactJournal(file);
  if (file === journalPath) return compacted;
  if (compacted) compactJournal(journalPath);
  return compacted;
}

/**
 * Why an append to a hard-linked journal is refused, and what to do: run
 * `vc cache verify` (which gives the cache its own copy of the file), or
 * remove the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hardLinkedJournal } from "./record_journal.ts";
 * assert.match(hardLinkedJournal("/c/.meta/s3/b/%records.jsonl"), /the AssetCache.s `verify\(\)`/);
 * ```
 */
export function hardLinkedJournal(journalPath: string): string {
  return `refusing to append to the record journal ${journalPath}: it has another hard link ` +
    `(a cache copied with \`cp -al\`, or a link planted in a restored cache; vc never makes ` +
    `one, and the other name may be outside the cache dir, so vc never writes to it). ` +
    `Run ${CACHE_VERIFY.library} to make it the cache's own file again (the other name is left ` +
    `as it is), or remove ${journalPath}: either way the cache stays usable (after a ` +
    `removal, the entries it recorded are downloaded again when used)`;
}

/** The first `size` bytes of `file` (appends ignore the position, so moving it is harmless). */
function readFromStart(file: Deno.FsFile, size: number): Uint8Array {
  file.seekSync(0, Deno.SeekMode.Start);
  return readAllSync(file, size);
}

function withNewlineFirst(line: Uint8Array): Uint8Array {
  const out = new Uint8Array(line.length + 1);
  out[0] = 0x0a;
  out.set(line, 1);
  return out;
}

/**
 * Removes a journal larger than {@linkcode JOURNAL_MAX_BYTES} (never read,
 * so its records are misses already), under its exclusive lock, waiting
 * for appenders in other processes; left alone when it cannot be locked.
 */
function discardOversized(journalPath: string): void {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true, write: true });
  } catch {
    return; // gone, or not writable: the append says why
  }
  try {
    // Without locks, removed as within one process (as compactJournal does).
    if (lockSync(file, true, APPEND_LOCK_WAIT_MS) === "busy") return;
    const stat = file.statSync();
    if (stat.size <= JOURNAL_MAX_BYTES || !sameFile(stat, journalPath)) return;
    if (!stat.isFile || (stat.nlink ?? 1) > 1) return;
    forgetJournal(journalPath);
    Deno.removeSync(journalPath);
    markReplaced(file);
  } catch {
    // Left as it is: its entries stay misses.
  } finally {
    file.close();
  }
}

/**
 * What this process read of the journal (its kept handle's status saves a
 * `stat`), or, within `trustMs` of its last check, what it knew then.
 */
function readLines(journalPath: string, trustMs = 0): Map<string, string> | undefined {
  if (trustMs > 0) {
    const recent = recentLines(journalPath, trustMs);
    if (recent !== undefined) return recent;
  }
  return readMemo(journalPath, keptHandle(journalPath)?.stat);
}

// The error for an append that `journalPath`'s reaching this process's
// file-size limit stopped (EFBIG, named so: "File too large (os error 27)"),
// or undefined when that limit is not what stopped it.
function fileSizeLimitError(journalPath: string, cause?: unknown): Error | undefined {
  const limit = fileSizeLimitReached([journalPath]);
  if (limit === undefined) return undefined;
  return Object.assign(
    new Error(`File too large (os error 27): ${limit}`, cause === undefined ? {} : { cause }),
    { code: "EFBIG" },
  );
}
