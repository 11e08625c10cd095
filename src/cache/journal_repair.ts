/**
 * Giving files with another hard link back to the cache. vc never links a
 * file of the cache twice, and refuses one that is (its other name may be
 * outside the cache dir): appends refuse such a journal, and a lookup takes
 * such a data file for a miss. So a cache copied with `cp -al` can no
 * longer record anything, and downloads everything again. `vc cache
 * verify` repairs it: each such file is rewritten as a file of its own (a
 * copy renamed over the cache's name; a data file's copy checked against
 * its record first), which only reads the shared file, so the other name
 * keeps its content and times.
 *
 * @module
 */
import { AtomicFile, writeFileAtomicSync } from "../atomic_write.ts";
import { renameOver } from "../replace_file.ts";
import { acquireEntryLock } from "./entry_lock.ts";
import { readEntryRecord, type RecordPaths } from "./entry_records.ts";
import { join, sep } from "../path.ts";
import { lstatOrUndefined, walkFiles } from "./cache_fs.ts";
import { JOURNAL_MAX_BYTES, journalMode, readAllSync } from "./journal_file.ts";
import { forgetJournal } from "./journal_memo.ts";
import { assertNoLinks, JOURNAL_NAME, JOURNAL_PATTERN, META_DIR } from "./layout.ts";

/**
 * Rewrites every record journal of the cache in `cacheDir` that has another
 * hard link as a file of its own (same content, a new inode, by an atomic
 * rename), and returns their paths. Never follows a symbolic link, and
 * never writes to the shared file (its other name is left exactly as it
 * was). A journal another process holds locked is left for the next run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownJournals } from "./journal_repair.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/c/.meta/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/copy.jsonl`, "x\t-\n");
 *   await Deno.link(`${dir}/copy.jsonl`, `${dir}/c/.meta/s3/b/%records.jsonl`);
 *   assert.deepEqual(await ownJournals(`${dir}/c`), [`${dir}/c/.meta/s3/b/%records.jsonl`]);
 *   assert.equal((await Deno.stat(`${dir}/copy.jsonl`)).nlink, 1);
 *   assert.equal(await Deno.readTextFile(`${dir}/c/.meta/s3/b/%records.jsonl`), "x\t-\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function ownJournals(cacheDir: string): Promise<string[]> {
  const metaRoot = join(cacheDir, META_DIR);
  // A `.meta` that is a link is never read (see `findOrphans`).
  if ((await lstatOrUndefined(metaRoot))?.isSymlink !== false) return [];
  const out: string[] = [];
  for await (const path of walkFiles(metaRoot)) {
    const name = path.slice(path.lastIndexOf(sep) + 1);
    if (name !== JOURNAL_NAME && !JOURNAL_PATTERN.test(name)) continue;
    if (ownJournal(path)) out.push(path);
  }
  return out;
}

/** Rewrites one journal as a file of its own when it has another hard link; true then. */
function ownJournal(path: string): boolean {
  let file: Deno.FsFile;
  try {
    const stat = Deno.lstatSync(path);
    if (!stat.isFile || (stat.nlink ?? 1) < 2 || stat.size > JOURNAL_MAX_BYTES) return false;
    file = Deno.openSync(path, { read: true });
  } catch {
    return false;
  }
  try {
    // No appender writes to it (appends refuse it); a compaction skips it too.
    // The lock keeps two repairs from racing.
    if (!file.tryLockSync(true)) return false;
    const stat = file.statSync();
    if (!stat.isFile || (stat.nlink ?? 1) < 2 || stat.size > JOURNAL_MAX_BYTES) return false;
    const bytes = readAllSync(file, stat.size);
    forgetJournal(path);
    // Durable: this file holds the records of its directory (or shard).
    writeFileAtomicSync(path, bytes, { durable: true, ...journalMode(stat) });
    return true;
  } catch {
    return false; // left as it was: appends still refuse it, with what to do
  } finally {
    file.close();
  }
}

/** A cached entry as {@linkcode ownDataFile} needs it. */
export interface SharedEntry {
  /** Its data file. */
  path: string;
  /** Where its record lives. */
  record: RecordPaths;
  /** The ETag it was listed with. */
  etag: string;
  /** The size it was listed with. */
  size: number;
  /**
   * Its last use when it was listed: the copy takes it, not the access time
   * the caller's own read of the shared file (a hash) gave it. Lookups never
   * mark a shared file used, so only reads moved it since. Default: the
   * file's access time now.
   */
  lastUsed?: Date;
}

/**
 * When the data file of `entry` has another hard link, replaces the
 * cache's name by a copy of its own: under the entry's lock, only while its
 * record is still the one listed, and only when `check` (given the copy's
 * path) finds the copy matches the record (else the copy is dropped).
 * Returns true when the file was replaced. The other name is only read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownDataFile } from "./journal_repair.ts";
 * import { writeEntryRecord } from "./entry_records.ts";
 * import { recordPathsOf } from "./layout.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const record = recordPathsOf(`${dir}/c`, `${dir}/c/s3/b/x`);
 *   writeEntryRecord(record, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   await Deno.writeTextFile(`${dir}/x`, "x");
 *   await Deno.mkdir(`${dir}/c/s3/b`, { recursive: true });
 *   await Deno.link(`${dir}/x`, record.dataPath);
 *   const entry = { path: record.dataPath, record, etag: "e", size: 1 };
 *   assert(await ownDataFile(`${dir}/c`, entry, () => Promise.resolve(undefined)));
 *   assert.equal((await Deno.stat(`${dir}/x`)).nlink, 1);
 *   assert.equal(await Deno.readTextFile(record.dataPath), "x");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function ownDataFile(
  cacheDir: string,
  entry: SharedEntry,
  check: (copy: string) => Promise<string | undefined>,
): Promise<boolean> {
  const first = Deno.lstatSync(entry.path);
  if (!first.isFile || (first.nlink ?? 1) < 2) return false;
  assertNoLinks(cacheDir, entry.path);
  let lock: Awaited<ReturnType<typeof acquireEntryLock>>;
  try {
    lock = await acquireEntryLock(entry.path, { timeout: 10_000 });
  } catch {
    return false; // in use, or not writable: left for the next run
  }
  try {
    const found = readEntryRecord(entry.record)?.meta;
    if (found === undefined || found.etag !== entry.etag || found.size !== entry.size) return false;
    const stat = Deno.lstatSync(entry.path);
    if (!stat.isFile || (stat.nlink ?? 1) < 2) return false;
    const mode = stat.mode === null ? {} : { mode: stat.mode & 0o777 };
    const temp = AtomicFile.create(entry.path, mode);
    let ok = false;
    try {
      {
        // Closed before the rename below: Windows refuses to replace a file
        // open anywhere, this process included, where renames lack POSIX
        // semantics (FAT, network shares).
        using source = await Deno.open(entry.path, { read: true });
        const buf = new Uint8Array(1 << 20);
        for (;;) {
          const n = await source.read(buf);
          if (n === null) break;
          let written = 0;
          while (written < n) written += await temp.file.write(buf.subarray(written, n));
        }
      }
      // The other name may have changed while it was read: the copy is what counts.
      await temp.commitBy(async (copy) => {
        if (await check(copy) !== undefined) throw new Error("copy does not match its record");
        // The record names the data file's modification time: the verified
        // copy keeps it, so lookups still take it for the cache's own; and
        // its last use, so `prune` sees it as used as it was.
        if (stat.mtime !== null) {
          await Deno.utime(copy, entry.lastUsed ?? stat.atime ?? stat.mtime, stat.mtime);
        }
        // Another program holding it open (Windows) is waited for a moment.
        await renameOver(copy, entry.path);
      });
      ok = true;
    } catch {
      temp.discard();
    }
    return ok;
  } finally {
    lock.release();
  }
}
