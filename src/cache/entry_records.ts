/**
 * One entry's record, wherever it is kept: the line for its name in its
 * directory's journal (`record_journal.ts`), else the record file of an
 * earlier version (`.meta/<path>%.json`, `entry_meta.ts`), so a cache filled
 * by an earlier vc keeps working. Writes go to the journal only, and remove
 * an earlier version's file (migration on touch).
 *
 * Last use is the data file's access time (set explicitly, so `noatime`
 * mounts work too): marking an entry used is one `utime`, on a file that
 * exists anyway.
 *
 * @module
 */
import { dirname } from "../path.ts";
import { type EntryMeta, readMeta } from "./entry_meta.ts";
import type { RecordBatcher } from "./journal_batch.ts";
import { RECORD_SUFFIX } from "./layout.ts";
import { mayNotRead } from "./cache_fs.ts";
import { closedDirOn } from "./closed_dir.ts";
import {
  appendRecord,
  forgetJournals,
  journalFileFor,
  type JournalLookup,
  lookupRecord,
} from "./record_journal.ts";

/** Where an entry's record lives (fields of `EntryLocation`). */
export interface RecordPaths {
  /** The entry's data file. */
  dataPath: string;
  /** Record file of earlier versions. */
  metaPath: string;
  /** Its directory's journal. */
  journalPath: string;
  /** Its name in the journal. */
  recordName: string;
}

/** A record that was found. */
export interface FoundRecord {
  /** The record. */
  meta: EntryMeta;
  /** Set when it came from an earlier version's record file: that file's mtime (its last use). */
  legacyUsed?: number;
}

/**
 * Reads the entry's record: the journal's last line for it, else an earlier
 * version's record file; `undefined` when there is none, it was removed, or
 * it does not parse (a miss). Throws `PermissionDenied`, naming it, when the
 * journal, its shard or the record file is a symbolic link (never read
 * through: its target may be outside the cache dir). `journalMissing`: the
 * caller has just found the journal missing, so it is not looked up again
 * (only the record file of an earlier version is looked for). `trustMs`:
 * see `LookupOptions.trustMs` (record_journal.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEntryRecord, writeEntryRecord } from "./entry_records.ts";
 * import { writeMeta } from "./entry_meta.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const paths = {
 *     dataPath: `${dir}/s3/b/x`,
 *     metaPath: `${dir}/.meta/s3/b/x%.json`,
 *     journalPath: `${dir}/.meta/s3/b/%records.jsonl`,
 *     recordName: "x",
 *   };
 *   const meta = { uri: "s3://b/x", etag: "e1", size: 1, validatedAt: 0 };
 *   writeMeta(paths.metaPath, meta); // an earlier version's record
 *   assert.equal(readEntryRecord(paths)?.meta.etag, "e1");
 *   writeEntryRecord(paths, { ...meta, etag: "e2" }, { legacy: true });
 *   assert.equal(readEntryRecord(paths)?.meta.etag, "e2");
 *   assert.equal(readEntryRecord(paths)?.legacyUsed, undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function readEntryRecord(
  paths: RecordPaths,
  journalMissing = false,
  trustMs = 0,
): FoundRecord | undefined {
  const found: JournalLookup = journalMissing
    ? { kind: "none" }
    : lookupRecord(paths.journalPath, paths.recordName, { trustMs });
  if (found.kind === "record") return found.meta === undefined ? undefined : { meta: found.meta };
  if (found.kind === "removed") return undefined;
  // Records this process may not read (another user's journal in a cache dir
  // users share) are not "no record": taken for a miss, a download would
  // replace that user's copy, fail to record its own, and remove it. Asked
  // only when no journal was read (a journal read and without the name, the
  // cold miss of every new object, costs no second look at it).
  const journalFile = !journalMissing && found.kind === "none" && found.unread === true
    ? journalFileFor(paths.journalPath, paths.recordName)
    : undefined;
  if (journalFile !== undefined && mayNotRead(journalFile)) {
    // A directory on the way may be what keeps this user out (a cache dir
    // another user made private): making the journal readable would not do.
    const closed = closedDirOn(journalFile);
    throw new Deno.errors.PermissionDenied(
      `cannot read the records in ${journalFile} (Permission denied): ` +
        (closed === undefined
          ? `another user's file in a shared cache dir? Make it readable to you (and writable, ` +
            `to cache there)`
          : `this user may not enter ${closed} (another user's? Run as its owner, give this ` +
            `user access to it: chmod, or a group you share)`) +
        ` or set the cacheDir option / VC_CACHE_DIR to a cache of your own`,
    );
  }
  if (!mayHoldLegacy(dirname(paths.metaPath))) return undefined;
  refuseLinkedRecord(paths.metaPath);
  const legacy = readMeta(paths.metaPath);
  if (legacy === undefined) return undefined;
  const { lastUsed, ...meta } = legacy;
  return { meta, legacyUsed: lastUsed };
}

/**
 * Writes the entry's record (a journal line); with `legacy`, then removes
 * the entry's earlier-version record file. The caller checks the paths for
 * planted links first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEntryRecord, writeEntryRecord } from "./entry_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const paths = {
 *     dataPath: `${dir}/x`,
 *     metaPath: `${dir}/.meta/x%.json`,
 *     journalPath: `${dir}/.meta/%records.jsonl`,
 *     recordName: "x",
 *   };
 *   writeEntryRecord(paths, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   assert.equal(readEntryRecord(paths)?.meta.etag, "e");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function writeEntryRecord(
  paths: RecordPaths,
  meta: EntryMeta,
  options: { legacy?: boolean } = {},
): void {
  appendRecord(paths.journalPath, paths.recordName, meta);
  if (options.legacy) removeLegacy(paths.metaPath);
}

/**
 * {@linkcode writeEntryRecord} through `batcher`: the record goes to the
 * journal in one append with the others handed in during the same turn
 * (`journal_batch.ts`); resolves once it is written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordBatcher } from "./journal_batch.ts";
 * import { readEntryRecord, writeEntryRecordGrouped } from "./entry_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const paths = (name: string) => ({
 *     dataPath: `${dir}/${name}`,
 *     metaPath: `${dir}/.meta/${name}%.json`,
 *     journalPath: `${dir}/.meta/%records.jsonl`,
 *     recordName: name,
 *   });
 *   const batcher = new RecordBatcher();
 *   const meta = { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 };
 *   await Promise.all(["x", "y"].map((n) => writeEntryRecordGrouped(paths(n), meta, batcher)));
 *   assert.equal(readEntryRecord(paths("y"))?.meta.etag, "e");
 *   assert.equal(batcher.appends, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function writeEntryRecordGrouped(
  paths: RecordPaths,
  meta: EntryMeta,
  batcher: RecordBatcher,
  options: { legacy?: boolean } = {},
): Promise<void> {
  // The batch's promise as it is (one per batch, not one more per record),
  // unless a legacy record file goes once the line is written.
  const written = batcher.append(paths.journalPath, paths.recordName, meta);
  return options.legacy ? written.then(() => removeLegacy(paths.metaPath)) : written;
}

/**
 * Records that the entry was removed (a journal line) and removes an
 * earlier version's record file. The caller removes the data afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readEntryRecord, removeEntryRecord, writeEntryRecord } from "./entry_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const paths = {
 *     dataPath: `${dir}/x`,
 *     metaPath: `${dir}/.meta/x%.json`,
 *     journalPath: `${dir}/.meta/%records.jsonl`,
 *     recordName: "x",
 *   };
 *   writeEntryRecord(paths, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   removeEntryRecord(paths);
 *   assert.equal(readEntryRecord(paths), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function removeEntryRecord(paths: RecordPaths): void {
  // Only when there is something to remove: no journal created for nothing.
  if (lookupRecord(paths.journalPath, paths.recordName).kind === "record") {
    appendRecord(paths.journalPath, paths.recordName, undefined);
  }
  removeLegacy(paths.metaPath);
}

/**
 * When the entry was last used (ms since the epoch): its data file's access
 * time, or an earlier version's record mtime when that is later.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastUsedOf } from "./entry_records.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.utime(p, new Date(5000), new Date(1000));
 *   assert.equal(lastUsedOf(await Deno.stat(p)), 5000);
 *   assert.equal(lastUsedOf(await Deno.stat(p), 9000), 9000);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function lastUsedOf(dataStat: Deno.FileInfo, legacyUsed?: number): number {
  const used = dataStat.atime?.getTime() ?? dataStat.mtime?.getTime() ?? 0;
  return legacyUsed !== undefined && legacyUsed > used ? legacyUsed : used;
}

/** The interval between two writes of an entry's last-use time (ms). */
const TOUCH_INTERVAL_MS = 60_000;

/** When this process began (ms): a last use from before it is no mark of its own. */
const PROCESS_START = Date.now();

/**
 * Whether an entry last used at `lastUsed` is to be marked used at `now`:
 * a minute after its last mark, or at once when that mark is "in the
 * future" (made by a clock that ran ahead, in a cache restored from such a
 * machine, or before the wall clock stepped back). Taken for a use within
 * the minute, such a mark was never moved: `prune` kept the entry past
 * `--older-than`, and as the newest, until that date came. A last use from
 * before this process began is marked at once too when it may be no use at
 * all but the time a CI cache was restored (tar writes it as the access
 * time), which a prefill seconds later left as it was, so the copies a job
 * used and those it did not had one last use, and no prune could tell them
 * apart: when the copy's directory changed (a restore sets its times after
 * its files', which moves its change time) in the second of that last use
 * or after it (see {@linkcode changedSince}). Another process's mark does
 * not change the directory, so a run a few seconds after another (a dev
 * loop, a warm prefill of thousands) does not write every copy's times
 * again: one `lstat` of each directory per process instead. Without
 * `dataPath` (the copy), any last use from before this process is due.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markDue } from "./entry_records.ts";
 * const marked = Date.now();
 * assert.equal(markDue(marked, marked + 30_000), false);
 * assert.equal(markDue(marked, marked + 60_000), true);
 * assert.equal(markDue(marked + 70_000, marked + 30_000), true);
 * assert.equal(markDue(marked - 86_400_000, marked - 86_400_000 + 30_000), true);
 * ```
 */
export function markDue(lastUsed: number, now: number, dataPath?: string): boolean {
  const since = now - lastUsed;
  if (since < 0 || since >= TOUCH_INTERVAL_MS) return true;
  if (lastUsed >= PROCESS_START) return false;
  return dataPath === undefined || changedSince(dirname(dataPath), lastUsed);
}

/** Each directory's change time (ms, to the second; NaN when unknown), as first seen by this process. */
const dirChanged = new Map<string, number>();

/** How far the kernel's coarse clock, which stamps change times, may lag `Date.now()` (ms). */
const CHANGE_CLOCK_MARGIN_MS = 50;

/**
 * Whether `dir` changed (its ctime, which Deno gives to the second) in the
 * second of `time` or after it, or may have: a restore (tar, `cp -a`,
 * rsync) sets a directory's times after writing its files, which moves its
 * change time to then, past the access time it gave them. The kernel stamps
 * change times from a coarse clock a tick behind `Date.now()` (as
 * last_use_keep.ts says), so a change in the second before `time` counts
 * when that second ended within a margin of it. Looked at once per
 * directory per process (a change this process makes there, a download, is
 * no restore); true when it cannot be told (no ctime, no directory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { changedSince } from "./entry_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(changedSince(dir, Date.now() - 60_000), true);
 *   assert.equal(changedSince(`${dir}/none`, Date.now()), true);
 * } finally {
 *   await Deno.remove(dir);
 * }
 * ```
 */
export function changedSince(dir: string, time: number): boolean {
  let changed = dirChanged.get(dir);
  if (changed === undefined) {
    try {
      changed = Deno.lstatSync(dir).ctime?.getTime() ?? NaN;
    } catch {
      changed = NaN;
    }
    dirChanged.set(dir, changed);
  }
  if (Number.isNaN(changed)) return true;
  const secondEnded = (Math.floor(changed / 1000) + 1) * 1000;
  return secondEnded + CHANGE_CLOCK_MARGIN_MS > time;
}

/**
 * How far ahead of this clock a record's validation time may be and still
 * hold (ms): the skew between the clocks of machines sharing a cache dir
 * (an NFS mount) that is taken for one, five minutes, as Kerberos tolerates
 * between hosts. Counted stale, a record another machine dated a minute
 * ahead was asked about and dated by this clock, which that machine then
 * took for older than a short TTL, asked about and dated again: with a skew
 * above the TTL, each call of either revalidated. Further ahead (a clock
 * that ran ahead, a cache restored from such a machine) it is stale, so no
 * entry is fresh for longer than its TTL and this. Smaller than the hour the
 * sweeps give clocks (`CLOCK_MARGIN_MS`, src/clock_margin.ts) on purpose:
 * that margin only delays a removal, while this one lengthens freshness.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Whether a record's validation still proves anything at `now`, before any
 * TTL applies: not when the record was marked for revalidation
 * (`validatedAt` 0), when the store said the object is gone, or when it was
 * validated "in the future" by more than {@linkcode CLOCK_SKEW_MS} (a
 * clock that ran ahead, a restored cache). The asset cache and the lean
 * `vc path` entry judge a record with this one rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLOCK_SKEW_MS, validationHolds } from "./entry_records.ts";
 * assert.equal(validationHolds({ validatedAt: 5 }, 10), true);
 * assert.equal(validationHolds({ validatedAt: 0 }, 10), false);
 * assert.equal(validationHolds({ validatedAt: 10 + CLOCK_SKEW_MS }, 10), true);
 * assert.equal(validationHolds({ validatedAt: 11 + CLOCK_SKEW_MS }, 10), false);
 * assert.equal(validationHolds({ validatedAt: 5, gone: true }, 10), false);
 * ```
 */
export function validationHolds(
  record: { validatedAt: number; gone?: boolean | undefined },
  now: number,
): boolean {
  return record.validatedAt !== 0 && record.gone !== true &&
    record.validatedAt <= now + CLOCK_SKEW_MS;
}

/**
 * Whether `stat` (an `lstat` of an entry's data path) is the cache's own copy
 * of `record`'s data: a regular file (not a link) of its size with no other
 * name, and, when the record has the file's modification time, that time
 * (so a copy edited in place, even at the same size, is not served). A hard
 * link (planted, or a `cp -al` copy) is not the cache's own: touching it
 * would write metadata elsewhere; a download renames a file of its own into
 * place, leaving the other name as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOwnDataFile } from "./entry_records.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "abc");
 *   const mtime = Deno.lstatSync(p).mtime!.getTime();
 *   assert.equal(isOwnDataFile(Deno.lstatSync(p), { size: 3, mtime }), true);
 *   assert.equal(isOwnDataFile(Deno.lstatSync(p), { size: 4, mtime }), false);
 *   // Written again in place, same size: not the file the cache wrote.
 *   await Deno.utime(p, new Date(), new Date(mtime + 1000));
 *   assert.equal(isOwnDataFile(Deno.lstatSync(p), { size: 3, mtime }), false);
 *   assert.equal(isOwnDataFile(Deno.lstatSync(p), { size: 3 }), true); // an older record
 *   await Deno.link(p, `${p}.2`);
 *   assert.equal(isOwnDataFile(Deno.lstatSync(p), { size: 3 }), false);
 *   assert.equal(isOwnDataFile(undefined, { size: 3 }), false);
 * } finally {
 *   await Deno.remove(p);
 *   await Deno.remove(`${p}.2`).catch(() => {});
 * }
 * ```
 */
export function isOwnDataFile(
  stat: Deno.FileInfo | undefined,
  record: { size: number; mtime?: number | undefined },
): stat is Deno.FileInfo {
  return isFileOfItsOwn(stat) && stat.size === record.size &&
    (record.mtime === undefined || stat.mtime?.getTime() === record.mtime);
}

/**
 * Whether `stat` (an `lstat`) is a regular file with no other name: one the
 * cache may take for its own, whatever record it is held against.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFileOfItsOwn } from "./entry_records.ts";
 * assert.equal(isFileOfItsOwn(Deno.lstatSync(Deno.cwd())), false);
 * assert.equal(isFileOfItsOwn(undefined), false);
 * ```
 */
export function isFileOfItsOwn(stat: Deno.FileInfo | undefined): stat is Deno.FileInfo {
  return stat !== undefined && stat.isFile && (stat.nlink ?? 1) <= 1;
}

/**
 * Marks the entry used at `time`: sets its data file's access time, keeping
 * its modification time; another user's file (in a cache dir users share),
 * whose times only its owner may set, is read instead, which moves its
 * access time to now where the mount updates it on reads. Best effort (a
 * read-only cache just keeps the old time: last use only guides pruning).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markUsed } from "./entry_records.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await markUsed(p, 7000);
 *   assert.equal((await Deno.stat(p)).atime?.getTime(), 7000);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function markUsed(dataPath: string, time: number = Date.now()): Promise<void> {
  try {
    // Synchronous: a look answered from memory, where an async one cost
    // ~15 µs more CPU (each entry of a warm sync or prefill of many).
    const stat = Deno.lstatSync(dataPath);
    // Never through a link (a planted one would point outside the cache dir).
    // Nor on a file with another name (a hard link): that may be outside.
    if (!isFileOfItsOwn(stat) || stat.mtime === null) return;
    const mtime = stat.mtime;
    try {
      await Deno.utime(dataPath, new Date(time), mtime);
    } catch (e) {
      if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
      // Only a file's owner may set its times: in a cache dir users share,
      // another user's copy was never marked, so `prune` removed what this
      // user used every day. A read moves the access time for any reader
      // (to now; on a `relatime` mount at most once a day, never on a
      // `noatime` one) and leaves the modification time, the copy's identity.
      await readOneByte(dataPath);
    }
  } catch {
    // Best effort by design (see above).
  }
}

/** Reads a byte of `path`, so the file system moves its access time as for any read. */
async function readOneByte(path: string): Promise<void> {
  using file = await Deno.open(path, { read: true });
  await file.read(new Uint8Array(1));
}

/** Throws (naming it) when an earlier version's record file is a symbolic link: never read through. */
function refuseLinkedRecord(metaPath: string): void {
  let link = false;
  try {
    link = Deno.lstatSync(metaPath).isSymlink;
  } catch {
    return; // none
  }
  if (link) {
    throw new Deno.errors.PermissionDenied(
      `refusing to read the record ${metaPath}: it is a symbolic link inside the cache dir ` +
        `(vc never creates links there; the cache may have been restored from an untrusted ` +
        `source). Remove the link, or the whole cache dir, and run again`,
    );
  }
}

// Record directories this process found without earlier versions' record
// files: a cold miss there then costs no failed open per entry.
const legacyFree = new Set<string>();

/**
 * Whether this process found `dir` without earlier versions' record files
 * (a look for one there would find nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownLegacyFree } from "./entry_records.ts";
 * assert.equal(knownLegacyFree("/never/looked/at"), false);
 * ```
 */
export function knownLegacyFree(dir: string): boolean {
  return legacyFree.has(dir);
}

/** Whether `dir` may hold earlier versions' record files (one listing per directory and process). */
function mayHoldLegacy(dir: string): boolean {
  if (legacyFree.has(dir)) return false;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.endsWith(RECORD_SUFFIX)) return true;
    }
  } catch {
    // Missing (or unreadable): no record files there now.
  }
  if (legacyFree.size >= 10_000) legacyFree.clear();
  legacyFree.add(dir);
  return false;
}

/**
 * Forgets what this process remembers about records (journals read,
 * directories found without earlier versions' record files): for tests that
 * change a cache dir behind the cache's back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forgetRecords } from "./entry_records.ts";
 * import { readMemo, recentLines } from "./journal_memo.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   await Deno.writeTextFile(j, "a\t-\n");
 *   readMemo(j);
 *   assert.equal(recentLines(j, 60_000)?.get("a"), "-");
 *   forgetRecords();
 *   assert.equal(recentLines(j, 60_000), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function forgetRecords(): void {
  forgetJournals();
  legacyFree.clear();
}

function removeLegacy(metaPath: string): void {
  try {
    Deno.removeSync(metaPath);
  } catch {
    // None, or not ours to remove: the journal line wins anyway.
  }
}
