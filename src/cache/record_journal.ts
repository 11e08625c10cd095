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
 * (so an appender tells it from its open handle, without another lookup of
 * the path).
 *
 * Records of earlier versions (`.meta/<path>%.json`, one file per entry)
 * are still read by the callers when a journal has no line for an entry.
 *
 * @module
 */
import { writeFileAtomicSync } from "../atomic_write.ts";
import { decodeMeta, type EntryMeta } from "./entry_meta.ts";
import {
  encodeLine,
  isReplaced,
  lineValue,
  lockSync,
  markReplaced,
  openForAppend,
  parseLines,
  readAllSync,
  sameFile,
  unlockQuietly,
} from "./journal_file.ts";

/** A journal at least this large is checked for compaction (bytes). */
const COMPACT_CHECK_BYTES = 64 * 1024;
/** Journals this process remembers before it forgets them all (bounded memory). */
const MEMO_LIMIT = 4096;
/** Longest synchronous wait for a compaction holding the journal (ms). */
const APPEND_LOCK_WAIT_MS = 2_000;

interface Memo {
  ino: number | null;
  dev: number;
  /** Bytes consumed: through the last complete line. */
  size: number;
  mtime: number;
  /** Last line (the text after the tab) per name. */
  lines: Map<string, string>;
  /** Lines consumed, live or not (for compaction). */
  count: number;
}

const memos = new Map<string, Memo>();

/**
 * Journals kept open between appends while a batch of downloads runs
 * ({@linkcode keepJournalsOpen}): an append is then one write on an open
 * handle, and a lookup checks the handle (`fstat`) instead of the path.
 */
const handles = new Map<string, Deno.FsFile>();
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
 *   appendRecord(`${dir}/%records-00.jsonl`, "a", { uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 });
 *   assert.equal(lookupRecord(`${dir}/%records-00.jsonl`, "a").kind, "record");
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
    for (const file of handles.values()) {
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
  const file = handles.get(journalPath);
  if (file === undefined) return undefined;
  try {
    const stat = file.statSync();
    // Replaced by a compaction, or removed: the path is the truth again.
    if (!isReplaced(stat)) return { file, stat };
  } catch {
    // Unusable: dropped below.
  }
  dropHandle(journalPath);
  return undefined;
}

function dropHandle(journalPath: string): void {
  const file = handles.get(journalPath);
  handles.delete(journalPath);
  try {
    file?.close();
  } catch {
    // Closed already.
  }
}

/** What a journal says about one name: a record, a removal, or nothing. */
export type JournalLookup =
  | { kind: "record"; meta: EntryMeta | undefined }
  | { kind: "removed" }
  | { kind: "none" };

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
 *   const j = `${dir}/.meta/s3/b/%records-00.jsonl`;
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
export function lookupRecord(journalPath: string, name: string): JournalLookup {
  const lines = readLines(journalPath);
  const line = lines?.get(name);
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
 *   const j = `${dir}/%records-00.jsonl`;
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
    if (line !== "-") out.set(name, decodeMeta(line));
  }
  return out;
}

/**
 * Appends a record for `name` (or, with `meta` undefined, its removal) to
 * the journal at `journalPath`, creating it and its directory when missing.
 * One write; not fsynced (a lost record is a miss, and the data it
 * describes was fsynced and renamed into place before). The caller checks
 * the path for planted links first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   appendRecord(`${dir}/j/%records-00.jsonl`, "x", { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   assert((await Deno.readTextFile(`${dir}/j/%records-00.jsonl`)).startsWith('x\t{"v":1'));
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
  const line = encodeLine(name, meta);
  let before = 0;
  for (let attempt = 0;; attempt++) {
    // The handle's state is checked after locking it, below.
    const kept = keepOpen > 0 ? handles.get(journalPath) : undefined;
    const file = kept ?? openForAppend(journalPath);
    let replaced = false;
    try {
      // Shared: many appenders at once, none while a compaction replaces it.
      const locked = lockSync(file, false, APPEND_LOCK_WAIT_MS);
      const mine = file.statSync();
      if (isReplaced(mine)) {
        replaced = true;
        if (kept !== undefined) dropHandle(journalPath);
        // Again, at the path (a dropped handle is closed: always again).
        if (kept !== undefined || (locked && attempt < 10)) continue;
      }
      before = mine.size;
      // O_APPEND: one write lands whole at the end, whoever else appends.
      const n = file.writeSync(line);
      if (n === line.length) remember(journalPath, mine, file, name, line.length, meta);
      if (n !== line.length) {
        // Out of space mid-line: end it, so it reads as one torn record.
        try {
          file.writeSync(new Uint8Array([0x0a]));
        } catch {
          // Nothing more fits: the torn line is still a miss.
        }
        throw new Deno.errors.WriteZero(`short write to ${journalPath} (disk full?)`);
      }
      break;
    } finally {
      if (kept !== undefined) {
        // Kept for the next append (unless dropped above: closed then).
        if (handles.get(journalPath) === kept) unlockQuietly(file);
      } else if (!replaced && keepOpen > 0 && !handles.has(journalPath)) {
        unlockQuietly(file);
        handles.set(journalPath, file);
      } else {
        file.close();
      }
    }
  }
  // Checked now and then, as the journal passes each multiple of the size.
  if (
    Math.floor((before + line.length) / COMPACT_CHECK_BYTES) >
      Math.floor(before / COMPACT_CHECK_BYTES)
  ) {
    compactJournal(journalPath);
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
 *   const j = `${dir}/%records-00.jsonl`;
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
    if (!file.tryLockSync(true)) return false;
    if (!sameFile(file.statSync(), journalPath)) return false;
    const { lines, count } = parseLines(readAllSync(file));
    const live = [...lines].filter(([, line]) => line !== "-");
    if (!options.force && live.length * 2 > count) return false;
    memos.delete(journalPath);
    if (live.length === 0) {
      Deno.removeSync(journalPath);
      markReplaced(file);
      return true;
    }
    const text = live.map(([name, line]) => `${name}\t${line}\n`).join("");
    // Durable: this file now holds every record of the directory.
    writeFileAtomicSync(journalPath, text, { durable: true });
    markReplaced(file);
    return true;
  } catch {
    return false; // left as it was: still correct, only longer
  } finally {
    file.close();
  }
}

/**
 * After an own append: when this process's memo of the journal was complete
 * up to where the line landed, extends it (fd-based checks only), so the
 * next lookup does not read the line back.
 */
function remember(
  journalPath: string,
  before: Deno.FileInfo,
  file: Deno.FsFile,
  name: string,
  length: number,
  meta: EntryMeta | undefined,
): void {
  const memo = memos.get(journalPath);
  if (memo === undefined || memo.ino !== before.ino || memo.size !== before.size) return;
  const after = file.statSync();
  // Someone else appended in between: the next lookup reads what is new.
  if (after.size !== before.size + length) return;
  memo.lines.set(name, lineValue(meta));
  memo.size = after.size;
  memo.mtime = after.mtime?.getTime() ?? 0;
  memo.count++;
}

/** Forgets what this process read (tests, and after maintenance rewrote journals). */
export function forgetJournals(): void {
  memos.clear();
}

// ---------------------------------------------------------------------------

function readLines(journalPath: string): Map<string, string> | undefined {
  let stat: Deno.FileInfo;
  try {
    stat = keptHandle(journalPath)?.stat ?? Deno.statSync(journalPath);
  } catch {
    memos.delete(journalPath);
    return undefined;
  }
  if (!stat.isFile) return undefined;
  const memo = memos.get(journalPath);
  const mtime = stat.mtime?.getTime() ?? 0;
  if (
    memo !== undefined && memo.ino === stat.ino && memo.dev === stat.dev && stat.size >= memo.size
  ) {
    if (stat.size === memo.size && mtime === memo.mtime) return memo.lines;
    if (stat.size > memo.size) return readTail(journalPath, memo) ?? memo.lines;
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true });
  } catch {
    return undefined;
  }
  try {
    const st = file.statSync();
    const parsed = parseLines(readAllSync(file));
    if (memos.size >= MEMO_LIMIT) memos.clear();
    memos.set(journalPath, {
      ino: st.ino,
      dev: st.dev,
      size: parsed.consumed,
      mtime: st.mtime?.getTime() ?? 0,
      lines: parsed.lines,
      count: parsed.count,
    });
    return parsed.lines;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}

/** Reads what was appended since `memo` (same file, grown), into it. */
function readTail(journalPath: string, memo: Memo): Map<string, string> | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true });
  } catch {
    return undefined;
  }
  try {
    const st = file.statSync();
    if (st.ino !== memo.ino || st.size < memo.size) return undefined;
    file.seekSync(memo.size, Deno.SeekMode.Start);
    const parsed = parseLines(readAllSync(file, st.size - memo.size), memo.lines);
    memo.size += parsed.consumed;
    memo.count += parsed.count;
    memo.mtime = st.mtime?.getTime() ?? 0;
    return memo.lines;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}
