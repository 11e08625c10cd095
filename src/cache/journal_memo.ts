/**
 * What this process read of each record journal: the last line per name,
 * how far the file was read, and its identity, so an unchanged journal
 * costs one `stat` and a grown one a read of what was appended (a journal
 * only grows until a compaction replaces it). Bounded: past
 * {@linkcode MEMO_LIMIT} journals, all are forgotten.
 *
 * @module
 */
import { isReplaced, JOURNAL_MAX_BYTES, parseLines, readAllSync } from "./journal_file.ts";
import { fsPlatform } from "../fs_platform.ts";
import { isSharingViolation } from "../replace_file.ts";

/** Journals this process remembers before it forgets them all (bounded memory). */
export const MEMO_LIMIT: number = 4096;

interface Memo {
  ino: number | null;
  dev: number;
  /**
   * The file's creation time (ms), where the system tells it: a compaction
   * replaces a journal with a new file, and a filesystem such as ext4 gives
   * it the inode number the one before last just freed, so the inode alone
   * would take a new journal for the old one grown (its tail read from the
   * old size, its records kept from the old file).
   */
  born: number | null;
  /** Bytes consumed: through the last complete line. */
  size: number;
  /** The file's mtime (ms) when last checked; {@linkcode UNKNOWN_MTIME} after an append checked by size alone. */
  mtime: number;
  /** Last line (the text after the tab) per name. */
  lines: Map<string, string>;
  /** Lines consumed, live or not (for compaction). */
  count: number;
  /** When (`performance.now()`) the memo was last found to match the file. */
  checkedAt: number;
}

/**
 * An append's end checked by the handle's offset has no mtime: the next
 * status of the file that matches the memo's size takes its mtime (same
 * inode, same size: nobody appended since).
 */
const UNKNOWN_MTIME = -1;

const memos = new Map<string, Memo>();

/** A line's name and what it says after its tab (as the memo keeps it). */
export interface JournalEntry {
  name: string;
  value: string;
}

/**
 * After an own append: when this process's memo of the journal was complete
 * up to where the lines landed, extends it (checked on the appended file's
 * status: `file`'s own, or what `file` returns for it), so the
 * next lookup does not read the line back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMemo, remember } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t-\n");
 *   assert.equal(readMemo(j)?.get("a"), "-");
 *   using file = Deno.openSync(j, { append: true });
 *   const before = file.statSync();
 *   file.writeSync(new TextEncoder().encode("b\t-\n"));
 *   remember(j, before, file, [{ name: "b", value: "-" }], 4);
 *   assert.equal(readMemo(j)?.get("b"), "-");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function remember(
  journalPath: string,
  before: Deno.FileInfo,
  file: Deno.FsFile | (() => AppendEnd),
  entries: readonly JournalEntry[],
  length: number,
): void {
  const memo = memos.get(journalPath);
  if (memo === undefined || !isMemoOf(memo, before) || memo.size !== before.size) return;
  // The status of the file appended to: its handle's, or what the caller knows is the same.
  const after = typeof file === "function" ? file() : file.statSync();
  // Someone else appended in between: the next lookup reads what is new.
  if (after.size !== before.size + length) return;
  for (const { name, value } of entries) memo.lines.set(name, value);
  memo.size = after.size;
  memo.mtime = after.mtime === null ? UNKNOWN_MTIME : after.mtime.getTime();
  memo.count += entries.length;
  memo.checkedAt = performance.now();
}

/**
 * Where an own append ended: the file's size just after it (its status, or
 * an `O_APPEND` handle's offset after the write, which is the end of the
 * file as the write left it) and, when known, its mtime.
 */
export interface AppendEnd {
  size: number;
  mtime: Date | null;
}

/**
 * The memo's lines when it was found to match the journal at most
 * `maxAgeMs` ago, without looking at the file; else undefined. For a look
 * whose miss is looked at again (see `EntryIndex.load`): its answer is the
 * one a look that long ago gave.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMemo, recentLines } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t-\n");
 *   assert.equal(recentLines(j, 1000), undefined);
 *   readMemo(j);
 *   assert.equal(recentLines(j, 60_000)?.get("a"), "-");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function recentLines(
  journalPath: string,
  maxAgeMs: number,
): Map<string, string> | undefined {
  const memo = memos.get(journalPath);
  if (memo === undefined || performance.now() - memo.checkedAt > maxAgeMs) return undefined;
  return memo.lines;
}

/**
 * Whether this process knows the journal described by `stat` (the same
 * file, the same size) to end with a complete line: then an append needs
 * not read its last byte to tell a torn line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endsAtLine } from "./journal_memo.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert.equal(endsAtLine(p, Deno.lstatSync(p)), false); // never read here
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function endsAtLine(journalPath: string, stat: Deno.FileInfo): boolean {
  const memo = memos.get(journalPath);
  return memo !== undefined && isMemoOf(memo, stat) && memo.size === stat.size &&
    stat.ino !== null;
}

/**
 * What this process knows of the whole journal `stat` describes (the same
 * file, of the same size, unchanged since it read or wrote it up to there):
 * its last line per name and how many lines it has, live or not (what
 * `parseLines` of the file would give); else undefined. For a compaction's
 * check, which then needs not read the file to find nothing to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownWhole, readMemo } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t1\na\t-\n");
 *   assert.equal(knownWhole(j, Deno.lstatSync(j)), undefined); // never read here
 *   readMemo(j);
 *   const known = knownWhole(j, Deno.lstatSync(j));
 *   assert.equal(known?.lines.get("a"), "-");
 *   assert.equal(known?.count, 2);
 *   await Deno.writeTextFile(j, "b\t2\n", { append: true });
 *   assert.equal(knownWhole(j, Deno.lstatSync(j)), undefined); // grown since
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function knownWhole(
  journalPath: string,
  stat: Deno.FileInfo,
): { lines: ReadonlyMap<string, string>; count: number } | undefined {
  const memo = memos.get(journalPath);
  // Without inode numbers (Windows) the file's identity is not known.
  if (memo === undefined || stat.ino === null || !isMemoOf(memo, stat)) return undefined;
  if (memo.size !== stat.size) return undefined;
  // As `readMemo` takes an unchanged journal.
  const mtime = stat.mtime?.getTime() ?? 0;
  if (mtime !== memo.mtime && !(memo.mtime === UNKNOWN_MTIME && !isReplaced(stat))) {
    return undefined;
  }
  return { lines: memo.lines, count: memo.count };
}

/**
 * Forgets what this process read (tests, and after maintenance rewrote journals).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forgetJournals, readMemo, recentLines } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t-\n");
 *   readMemo(j);
 *   assert.equal(recentLines(j, 60_000)?.get("a"), "-");
 *   forgetJournals();
 *   assert.equal(recentLines(j, 60_000), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function forgetJournals(): void {
  memos.clear();
  stillLocked.clear();
}

/**
 * Forgets what this process read of one journal (it is being rewritten).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forgetJournal, readMemo, recentLines } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const [a, b] = [`${dir}/a%records.jsonl`, `${dir}/b%records.jsonl`];
 *   await Deno.writeTextFile(a, "x\t-\n");
 *   await Deno.writeTextFile(b, "y\t-\n");
 *   readMemo(a);
 *   readMemo(b);
 *   forgetJournal(a);
 *   assert.equal(recentLines(a, 60_000), undefined);
 *   assert.equal(recentLines(b, 60_000)?.get("y"), "-"); // the others are kept
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function forgetJournal(journalPath: string): void {
  memos.delete(journalPath);
}

/**
 * The journal's last line per name (the text after the tab), or undefined
 * when there is no journal. Throws `PermissionDenied` (naming it) when the
 * journal is a symbolic link: records are never read through one. Synchronous: one `stat` (none when `known`, the
 * status of an open handle of it, is given) when the journal is unchanged
 * since this process last read it, else a read of what is new: the whole
 * file when it was replaced, only the appended tail when it grew.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMemo } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   assert.equal(readMemo(j), undefined);
 *   await Deno.writeTextFile(j, "a\t-\n");
 *   assert.equal(readMemo(j)?.get("a"), "-");
 *   await Deno.writeTextFile(j, "a\t{}\n", { append: true });
 *   assert.equal(readMemo(j)?.get("a"), "{}");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function readMemo(
  journalPath: string,
  known?: Deno.FileInfo,
): Map<string, string> | undefined {
  let stat: Deno.FileInfo;
  try {
    // lstat: a link is never followed (its target may be outside the cache dir).
    stat = known ?? Deno.lstatSync(journalPath);
  } catch {
    memos.delete(journalPath);
    return undefined;
  }
  if (stat.isSymlink) {
    memos.delete(journalPath);
    throw new Deno.errors.PermissionDenied(
      `refusing to read records from ${journalPath}: it is a symbolic link inside the cache ` +
        `dir (vc never creates links there; the cache may have been restored from an ` +
        `untrusted source). Remove the link, or the whole cache dir, and run again`,
    );
  }
  // Not ours (a directory, a device), or too large to be ours: not read.
  if (!stat.isFile || stat.size > JOURNAL_MAX_BYTES) {
    memos.delete(journalPath);
    return undefined;
  }
  const memo = memos.get(journalPath);
  const mtime = stat.mtime?.getTime() ?? 0;
  if (memo !== undefined && isMemoOf(memo, stat) && stat.size >= memo.size) {
    if (
      stat.size === memo.size &&
      (mtime === memo.mtime || (memo.mtime === UNKNOWN_MTIME && !isReplaced(stat)))
    ) {
      memo.mtime = mtime;
      memo.checkedAt = performance.now();
      return memo.lines;
    }
    if (stat.size > memo.size) return readTail(journalPath, memo) ?? memo.lines;
  }
  return withJournal(journalPath, (file, st) => {
    const parsed = parseLines(readAllSync(file, st.size));
    if (memos.size >= MEMO_LIMIT) memos.clear();
    memos.set(journalPath, {
      ino: st.ino,
      dev: st.dev,
      born: st.birthtime?.getTime() ?? null,
      size: parsed.consumed,
      mtime: st.mtime?.getTime() ?? 0,
      lines: parsed.lines,
      count: parsed.count,
      checkedAt: performance.now(),
    });
    return parsed.lines;
  });
}

/**
 * Runs `read` on the journal opened for reading, with its own stat (what was
 * opened, not what the path named a moment before); undefined when it cannot
 * be opened or read, is not a regular file, or is over the size cap.
 */
function withJournal<T>(
  journalPath: string,
  read: (file: Deno.FsFile, st: Deno.FileInfo) => T | undefined,
): T | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(journalPath, { read: true });
  } catch {
    return undefined;
  }
  try {
    for (let attempt = 0;; attempt++) {
      let seen: string | undefined;
      try {
        if (attempt > 0) file.seekSync(0, Deno.SeekMode.Start);
        const st = file.statSync();
        seen = lockedSignature(st);
        if (!st.isFile || st.size > JOURNAL_MAX_BYTES) return undefined;
        const out = read(file, st);
        stillLocked.delete(journalPath);
        return out;
      } catch (error) {
        // Where locks are mandatory (Windows) an appender's exclusive lock
        // denies this read for the moment of its write (os error 33): taken
        // for no journal, a lookup missed (a download again) and a sweep
        // took the directory's data for orphans. Waited for, briefly; but
        // once only while the journal stays as it was when the whole wait
        // ran out (its holder stopped mid-write): else a sweep of its
        // directory waited again for each file.
        if (!fsPlatform.mandatoryLocks || !isSharingViolation(error)) return undefined;
        if (seen !== undefined && stillLocked.get(journalPath) === seen) return undefined;
        const wait = LOCKED_READ_DELAYS_MS[attempt];
        if (wait === undefined) {
          if (seen !== undefined) {
            if (stillLocked.size >= MEMO_LIMIT) stillLocked.clear();
            stillLocked.set(journalPath, seen);
          }
          return undefined;
        }
        sleepSync(wait);
      }
    }
  } finally {
    file.close();
  }
}

/**
 * Journals whose reads stayed locked through the whole wait, with what they
 * were then ({@linkcode lockedSignature}): not waited for again until changed.
 */
const stillLocked = new Map<string, string>();

/** A journal as far as its stat tells: a write or a replacement changes it. */
function lockedSignature(st: Deno.FileInfo): string {
  return `${st.dev}:${st.ino}:${st.birthtime?.getTime()}:${st.size}:${st.mtime?.getTime()}`;
}

/** Waits (ms) between reads of a journal another process holds locked: ~0.3 s in all. */
const LOCKED_READ_DELAYS_MS = [5, 10, 20, 40, 80, 150];

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Whether `stat` is of the file `memo` was read from: same inode, and same
 * creation time where the system tells it (an inode number is reused).
 */
function isMemoOf(memo: Memo, stat: Deno.FileInfo): boolean {
  if (memo.ino !== stat.ino || memo.dev !== stat.dev) return false;
  const born = stat.birthtime?.getTime() ?? null;
  return memo.born === null || born === null || memo.born === born;
}

/** Reads what was appended since `memo` (same file, grown), into it. */
function readTail(journalPath: string, memo: Memo): Map<string, string> | undefined {
  return withJournal(journalPath, (file, st) => {
    if (!isMemoOf(memo, st) || st.size < memo.size) return undefined;
    file.seekSync(memo.size, Deno.SeekMode.Start);
    const parsed = parseLines(readAllSync(file, st.size - memo.size), memo.lines);
    memo.size += parsed.consumed;
    memo.count += parsed.count;
    memo.mtime = st.mtime?.getTime() ?? 0;
    memo.checkedAt = performance.now();
    return memo.lines;
  });
}
