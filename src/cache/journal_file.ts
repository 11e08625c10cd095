/**
 * A record journal's file format and file handling, below the memo and
 * compaction logic of `record_journal.ts`: the line format
 * (`<encoded name>\t<record JSON>`, or `<name>\t-` for a removal), parsing
 * complete lines, reading a file (or its tail) whole, opening for append,
 * the mark a compaction leaves on a replaced file, and `flock` helpers.
 *
 * @module
 */
import { openMakingParents } from "../atomic_write.ts";
import { type LockRefusals, tryLockOrNoLocks } from "../file_lock.ts";
import { type EntryMeta, metaJson } from "./entry_meta.ts";
import { JOURNAL_SHARDS, journalName } from "./layout.ts";

/**
 * The name of the line that marks a directory's journal as split: its
 * value is the number of journals the records were split into. Never an
 * encoded entry name (a literal `%` is always escaped as `%25`).
 */
export const SPLIT_MARK = "%split";

/**
 * The journal, beside the directory journal `journalPath`, that holds the
 * record of `name` once the directory was split into `value` journals (the
 * {@linkcode SPLIT_MARK} line's value; {@linkcode JOURNAL_SHARDS} when it
 * does not parse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitJournalPath } from "./journal_file.ts";
 * assert.equal(splitJournalPath("/c/.meta/s3/b/%records.jsonl", "x", "1"), "/c/.meta/s3/b/%records-00.jsonl");
 * ```
 */
export function splitJournalPath(journalPath: string, name: string, value: string): string {
  const n = Number(value);
  const shards = Number.isInteger(n) && n >= 1 && n <= 256 ? n : JOURNAL_SHARDS;
  const dir = Math.max(journalPath.lastIndexOf("/"), journalPath.lastIndexOf("\\")) + 1;
  return journalPath.slice(0, dir) + journalName(name, shards);
}

/**
 * The largest journal that is read (bytes). Far above what the cache
 * writes (a directory journal splits at 256 KiB of live records, and a
 * split journal holds 1/32 of a directory: 64 MiB is ~8 million entries in
 * one directory); a larger one was not written by vc (a restored cache, a
 * hand edit, a runaway writer) and is not read: its entries are misses, and
 * the next append replaces it, so every lookup stays bounded in time and
 * memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JOURNAL_MAX_BYTES } from "./journal_file.ts";
 * assert.equal(JOURNAL_MAX_BYTES, 64 * 1024 * 1024);
 * ```
 */
export const JOURNAL_MAX_BYTES: number = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The journal line for `name` (an encoded entry name: no tab, no newline,
 * not empty) with `meta`, or its removal (`meta` undefined), newline ended.
 * Throws `RangeError` for a name that cannot be a journal key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLine } from "./journal_file.ts";
 * assert.equal(new TextDecoder().decode(encodeLine("x", undefined)), "x\t-\n");
 * assert.throws(() => encodeLine("a\tb", undefined), RangeError);
 * ```
 */
export function encodeLine(name: string, meta: EntryMeta | undefined): Uint8Array {
  return encodeValueLine(name, lineValue(meta));
}

/**
 * The journal line for `name` with `value` (a {@linkcode lineValue}):
 * {@linkcode encodeLine} for a caller that keeps the value too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeValueLine } from "./journal_file.ts";
 * assert.equal(new TextDecoder().decode(encodeValueLine("x", "-")), "x\t-\n");
 * ```
 */
export function encodeValueLine(name: string, value: string): Uint8Array {
  if (name.includes("\t") || name.includes("\n") || name === "") {
    throw new RangeError(`not an encoded entry name: ${JSON.stringify(name)}`);
  }
  return encoder.encode(`${name}\t${value}\n`);
}

/**
 * What a line says after its tab, as {@linkcode parseLines} keeps it: the
 * record JSON, or `-` for a removal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineValue } from "./journal_file.ts";
 * assert.equal(lineValue(undefined), "-");
 * assert(lineValue({ uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 }).startsWith("{"));
 * ```
 */
export function lineValue(meta: EntryMeta | undefined): string {
  return meta === undefined ? "-" : metaJson(meta);
}

/** What {@linkcode parseLines} read. */
export interface ParsedLines {
  /** Last value (the text after the tab) per name. */
  lines: Map<string, string>;
  /** Bytes consumed: through the last complete line. */
  consumed: number;
  /** Complete lines read, live or not. */
  count: number;
}

/**
 * Parses the complete lines of `bytes` into `into` (the last line per name
 * wins); a partial last line (an append in progress, or torn by a crash)
 * is left unread, and a line without a tab is skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLines } from "./journal_file.ts";
 * const r = parseLines(new TextEncoder().encode("a\t1\nb\t2\na\t-\nc\t3"));
 * assert.deepEqual([...r.lines], [["a", "-"], ["b", "2"]]);
 * assert.equal(r.consumed, 12);
 * assert.equal(r.count, 3);
 * ```
 */
export function parseLines(bytes: Uint8Array, into: Map<string, string> = new Map()): ParsedLines {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = decoder.decode(bytes.subarray(0, end));
  let count = 0;
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const tab = text.indexOf("\t", start);
    if (tab > start && tab < nl) {
      into.set(text.slice(start, tab), text.slice(tab + 1, nl));
      count++;
    }
    start = nl + 1;
  }
  return { lines: into, consumed: end, count };
}

/**
 * Reads `size` bytes (default: the rest of the file, by its size now) from
 * the file's position; fewer when it ends first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAllSync } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "hello");
 *   using file = Deno.openSync(p);
 *   assert.equal(new TextDecoder().decode(readAllSync(file)), "hello");
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function readAllSync(file: Deno.FsFile, size?: number): Uint8Array {
  const length = size ?? file.statSync().size;
  const buf = new Uint8Array(length);
  let off = 0;
  while (off < buf.length) {
    const n = file.readSync(buf.subarray(off));
    if (n === null) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/**
 * Opens a journal for appending (`O_APPEND`, readable too: see
 * {@linkcode endsTorn}), creating it, and its directory when missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openForAppend } from "./journal_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   openForAppend(`${dir}/a/b/%records-00.jsonl`).close();
 *   assert((await Deno.stat(`${dir}/a/b/%records-00.jsonl`)).isFile);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openForAppend(journalPath: string): Deno.FsFile {
  // The directory may be removed again between its making and the open: a
  // `prune`, `rm` or `verify` beside us removes the directories it finds
  // empty (a compaction removed their emptied journal), and one just made
  // for this journal is empty until the open creates it. So a few tries.
  return openMakingParents(() => openOrCreate(journalPath), journalPath);
}

/**
 * Opens `path` for appending, creating it exclusively when missing: a plain
 * `create` follows a dangling symbolic link planted at the name (Deno has no
 * `O_NOFOLLOW`) and creates its target, which may be outside the cache dir,
 * before the check after the open can refuse it; `O_EXCL` follows no link.
 * A link found there is refused; NotFound is the directory's (made by the caller).
 */
function openOrCreate(path: string): Deno.FsFile {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return Deno.openSync(path, { read: true, append: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    try {
      return Deno.openSync(path, { read: true, append: true, createNew: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    // Made meanwhile by another appender (opened by the next try), or a link.
    if (Deno.lstatSync(path).isSymlink) throw linkedJournal(path);
  }
  // Made and removed again at each try (compactions beside us): the caller checks what this opens.
  return Deno.openSync(path, { read: true, append: true });
}

/**
 * Whether the journal open as `file`, `size` bytes long, ends inside a line
 * (torn by a crash or a full disk, or planted): an append must then start
 * with a newline, or its line would be glued to the torn one and lost.
 * False when it cannot tell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endsTorn } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "a\t1\nb\t");
 *   using file = Deno.openSync(p, { read: true });
 *   assert(endsTorn(file, file.statSync().size));
 *   await Deno.writeTextFile(p, "a\t1\n");
 *   assert(!endsTorn(file, file.statSync().size));
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function endsTorn(file: Deno.FsFile, size: number): boolean {
  if (size === 0) return false;
  try {
    // Writes ignore the offset (O_APPEND): moving it to read is harmless.
    file.seekSync(size - 1, Deno.SeekMode.Start);
    const last = new Uint8Array(1);
    return file.readSync(last) === 1 && last[0] !== 0x0a;
  } catch {
    return false;
  }
}

/** The mtime (ms) that marks a journal replaced by a compaction. */
const REPLACED = 0;

/**
 * Tells appenders still holding `file` open that a compaction replaced it
 * (called before the lock is let go): its mtime is set to the epoch, which
 * {@linkcode isReplaced} tells from the open handle. Best effort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReplaced, markReplaced } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   using file = Deno.openSync(p, { read: true, write: true });
 *   assert(!isReplaced(file.statSync()));
 *   markReplaced(file);
 *   assert(isReplaced(file.statSync()));
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function markReplaced(file: Deno.FsFile): void {
  try {
    file.utimeSync(REPLACED, REPLACED);
  } catch {
    // Cannot mark: an appender waiting on it may lose a line (a miss).
  }
}

/**
 * Whether a journal's status (from its open handle) says it no longer names
 * the journal: replaced by a compaction ({@linkcode markReplaced}) or removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReplaced } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert(!isReplaced(await Deno.stat(p)));
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function isReplaced(stat: Deno.FileInfo): boolean {
  return stat.mtime?.getTime() === REPLACED || stat.nlink === 0;
}

/**
 * Lets go of a handle's lock, quietly (none held, or no locks here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unlockQuietly } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   const file = Deno.openSync(p);
 *   file.close();
 *   assert.throws(() => file.unlockSync()); // a closed handle
 *   assert.doesNotThrow(() => unlockQuietly(file));
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function unlockQuietly(file: Deno.FsFile): void {
  try {
    file.unlockSync();
  } catch {
    // No locks here.
  }
}

/**
 * The error for an append to a journal that is a symbolic link: vc never
 * makes one in the cache dir, and its target may be outside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linkedJournal } from "./journal_file.ts";
 * assert.match(linkedJournal("/c/.meta/%records.jsonl").message, /symbolic link/);
 * ```
 */
export function linkedJournal(journalPath: string): Deno.errors.PermissionDenied {
  return new Deno.errors.PermissionDenied(
    `refusing to append to ${journalPath}: it is a symbolic link inside the cache dir (vc ` +
      `never creates links there; the cache may have been restored from an untrusted source). ` +
      `Remove it, or the whole cache dir, and run again`,
  );
}

/**
 * What `path` names now, seen without following a link, against the file
 * just opened there (status `mine`): that file (`"same"`, also where the
 * system gives no inode numbers), a symbolic link (`"link"`: the open went
 * through it, to a file that may be outside the cache dir), or something
 * else (`"other"`: replaced or removed since the open). An append checks
 * this after its open, so a link planted between a caller's check of the
 * path and the open is caught before anything is written (Deno has no
 * `O_NOFOLLOW`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openedThere } from "./journal_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/real`, "");
 *   await Deno.symlink(`${dir}/real`, `${dir}/link`);
 *   const real = await Deno.stat(`${dir}/real`);
 *   assert.equal(openedThere(real, `${dir}/real`), "same");
 *   assert.equal(openedThere(real, `${dir}/link`), "link");
 *   assert.equal(openedThere(real, `${dir}/missing`), "other");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openedThere(mine: Deno.FileInfo, path: string): "same" | "link" | "other" {
  let there: Deno.FileInfo;
  try {
    there = Deno.lstatSync(path);
  } catch {
    return "other";
  }
  if (there.isSymlink) return "link";
  if (mine.ino === null) return "same";
  return mine.ino === there.ino && mine.dev === there.dev ? "same" : "other";
}

/**
 * Whether `path` still names the file whose status is `mine` (true where
 * the system gives no inode numbers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameFile } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert(sameFile(await Deno.stat(p), p));
 *   assert(!sameFile(await Deno.stat(p), `${p}.missing`));
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function sameFile(mine: Deno.FileInfo, path: string): boolean {
  try {
    const there = Deno.statSync(path);
    return mine.ino === null || (mine.ino === there.ino && mine.dev === there.dev);
  } catch {
    return false;
  }
}

// A synchronous sleep for the rare wait on a compaction (a few ms).
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes a lock (`flock`), waiting synchronously, at most `waitMs`, while
 * another holder (a compaction) has it: `"locked"`, else `"busy"` (timed
 * out: the holder is still at work) or `"none"` (no locks on this
 * filesystem).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockSync } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   using a = Deno.openSync(p);
 *   using b = Deno.openSync(p);
 *   assert.equal(lockSync(a, true, 100), "locked");
 *   assert.equal(lockSync(b, false, 10), "busy"); // held exclusively: gives up
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function lockSync(
  file: Deno.FsFile,
  exclusive: boolean,
  waitMs: number,
): "locked" | "busy" | "none" {
  // The monotonic clock: a wall clock set back during the wait would stretch it.
  const started = performance.now();
  const refusals: LockRefusals = {};
  let delay = 1;
  for (;;) {
    try {
      // An ENOLCK is tried again as a held lock is (a full lock table passes).
      const got = tryLockOrNoLocks(file, exclusive, refusals, performance.now());
      if (got === true) return "locked";
      if (got !== false) return "none"; // no locks on this filesystem: go on without
    } catch {
      return "none";
    }
    if (performance.now() - started > waitMs) return "busy";
    Atomics.wait(sleeper, 0, 0, delay);
    delay = Math.min(delay * 2, 20);
  }
}

/** The mode a rewrite of a journal gives the new file, when it is known. */
export type JournalMode = { mode?: number };

/**
 * The permission bits of the journal `stat` describes, for the file that
 * replaces it (a compaction, a split, a `cp -al` repair): the replacement
 * keeps who may read and append to the records. A cache dir several users
 * share (group-writable) thus stays shared when one of them, with a umask
 * of 077, rewrites a journal the others append to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalMode } from "./journal_file.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.chmod(p, 0o664);
 *   assert.deepEqual(journalMode(await Deno.stat(p)), { mode: 0o664 });
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function journalMode(stat: Deno.FileInfo): JournalMode {
  return stat.mode === null ? {} : { mode: stat.mode & 0o777 };
}
