/**
 * What interrupted and failed writes leave in a cache dir, and how it is
 * found: temp files of dead writers, empty records nobody holds, lock files
 * of earlier versions, and data files without a record.
 *
 * @module
 */
import { dirname, join, sep } from "../path.ts";
import {
  isAbandonedTemp,
  isFutureTime,
  UNLOCKED_TEMP_GRACE_MS,
  whileUnlocked,
} from "../abandoned_temp.ts";
import {
  isHolderNoteName,
  isResumeStateName,
  isSharedTempName,
  isTempName,
  resumeStateOfSharedPath,
  sharedTempPathFor,
  tempStem,
} from "../atomic_write.ts";
import { isStaleResumeState, keptForResume, PARTIAL_KEEP_MS } from "./partial_download.ts";
import { statusOrUndefinedSync } from "../file_status.ts";
import { isSharingViolation, renameOverSync } from "../replace_file.ts";
import { fsPlatform } from "../fs_platform.ts";
import {
  lstatOrUndefined,
  mayNotRead,
  removeEmptyParents,
  removeIfExists,
  walkFiles,
} from "./cache_fs.ts";
import {
  assertNoLinks,
  FILE_NAMESPACE,
  JOURNAL_NAME,
  linkOnPath,
  LOCKS_DIR,
  META_DIR,
  MIRROR_STATE_DIR,
  RECORD_SUFFIX,
  recordPathsOf,
  s3Namespace,
} from "./layout.ts";
import { journalFileFor, type JournalLookup, lookupRecord } from "./record_journal.ts";

/** Temp files (`.<name>.vc-tmp-<random>`), empty records and old lock files older than this are debris (ms). */
export const STALE_DEBRIS_MS = 60 * 60 * 1000;

// Temp files of earlier versions had no owner pid in their name.
const LEGACY_TEMP_FILE = /^\..+\.vc-tmp-[0-9a-z]+$/;

/**
 * True for a temp file name of any vc version (`.<name>.vc-tmp-<pid>-<random>`,
 * or `.<name>.vc-tmp-<random>` before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAnyTempName } from "./debris.ts";
 * assert(isAnyTempName(".x.csv.vc-tmp-12-abcd1234") && isAnyTempName(".x.csv.vc-tmp-abc"));
 * assert(!isAnyTempName("x.csv"));
 * ```
 */
export function isAnyTempName(name: string): boolean {
  return isTempName(name) || LEGACY_TEMP_FILE.test(name);
}

/** Files that old processes' writes left without records stay this long (ms) before they count as orphans. */
export const ORPHAN_GRACE_MS = 10 * 60 * 1000;

/** Whether vc may have put `name` at the top of a cache dir (besides `.meta`). */
export function isCacheTopLevelName(name: string): boolean {
  const s3 = s3Namespace(undefined); // "s3", or "s3@<endpoint>" for another endpoint
  return name === s3 || name.startsWith(`${s3}@`) || name === FILE_NAMESPACE ||
    name === LOCKS_DIR || name === MIRROR_STATE_DIR || isAnyTempName(name);
}

/**
 * The regular files under what vc puts in a cache dir (`.meta`, the data
 * namespaces, locks, temp files): anything else at its top was put there by
 * someone else (a cache dir set to `~/.cache` or to a project) and is never
 * looked at, so maintenance never removes it.
 */
function walkCacheFiles(cacheDir: string): AsyncGenerator<string> {
  return walkFiles(
    cacheDir,
    ({ name, isDirectory }) =>
      isAnyTempName(name) ? !isDirectory : name === META_DIR || isCacheTopLevelName(name),
  );
}

/**
 * Data files without a record (left by a write that failed, e.g. on a full
 * disk): invisible to `ls` and never served, so only taking space. A file
 * younger than {@linkcode ORPHAN_GRACE_MS} may be a download about to write
 * its record and is left alone. A file whose record would be read through a
 * symbolic link (planted: `.meta`, a directory below it, a journal or a
 * shard) has no readable record and is an orphan at once; the link is never
 * followed (each such link is added to `links` when given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findOrphans } from "./debris.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/s3/b/x`, "x");
 *   assert.deepEqual(await findOrphans(dir, Date.now() + 3600_000), [`${dir}/s3/b/x`]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function findOrphans(
  cacheDir: string,
  now: number = Date.now(),
  links?: Set<string>,
): Promise<string[]> {
  const metaRoot = join(cacheDir, META_DIR) + sep;
  const locks = join(cacheDir, LOCKS_DIR) + sep;
  // Mirror state files are vc's own, not entries without records.
  const mirrorState = join(cacheDir, MIRROR_STATE_DIR) + sep;
  const out: string[] = [];
  const checked = new Set<string>();
  for await (const path of walkCacheFiles(cacheDir)) {
    if (path.startsWith(metaRoot) || path.startsWith(locks) || path.startsWith(mirrorState)) {
      continue;
    }
    const name = path.slice(path.lastIndexOf(sep) + 1);
    if (isAnyTempName(name)) continue;
    const record = recordPathsOf(cacheDir, path);
    // A record behind a link (`.meta`, a directory, a journal or a shard) is
    // never read: its data has no record, and no download can write one there.
    const link = linkOnPath(cacheDir, record.journalPath, checked) ??
      linkOnPath(cacheDir, record.metaPath, checked);
    if (link !== undefined) {
      links?.add(link);
      out.push(path);
      continue;
    }
    let found: JournalLookup;
    try {
      found = lookupRecord(record.journalPath, record.recordName);
      if (found.kind === "record") continue;
    } catch {
      // Its shard is a link.
      links?.add(journalFileFor(record.journalPath, record.recordName));
      out.push(path);
      continue;
    }
    if (await lstatOrUndefined(record.metaPath) !== undefined) continue;
    // Records this process may not read (another user's journal, or its
    // directory, in a cache dir users share) are no sign that there are none:
    // their data is that user's cached copies, not debris.
    const journal = journalFileFor(record.journalPath, record.recordName);
    if (mayNotRead(journal)) continue;
    // Nor is a journal there that could not be read: on Windows, one another
    // process holds locked for longer than the read waits (an append, a
    // compaction), whose records may well name this file.
    if (found.kind === "none" && found.unread && (await lstatOrUndefined(journal))?.isFile) {
      continue;
    }
    const stat = await lstatOrUndefined(path);
    // Dated far ahead (a restored cache, a clock set back): untouched as far as can be told.
    if (
      stat?.mtime && (now - stat.mtime.getTime() > ORPHAN_GRACE_MS || isFutureTime(stat.mtime, now))
    ) out.push(path);
  }
  return out;
}

/**
 * Removes one file {@linkcode findOrphans} found (never through a link),
 * and the directories it leaves empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeOrphan } from "./debris.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/s3/b/x`, "x");
 *   await removeOrphan(dir, `${dir}/s3/b/x`);
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function removeOrphan(cacheDir: string, path: string): Promise<void> {
  assertNoLinks(cacheDir, path);
  await removeIfExists(path);
  await removeEmptyParents(cacheDir, dirname(path));
}

/** What a sweep removed: files, and the bytes they held. */
export interface Swept {
  /** Files removed. */
  files: number;
  /** Their sizes, summed. */
  bytes: number;
}

/**
 * Removes what processes killed mid-download leave behind: temp files
 * (`.<name>.vc-tmp-<pid>-<random>`) whose writer is dead (its pid is gone,
 * or nobody holds the lock a download keeps on its temp file: at once, bar a
 * few seconds' grace; a live writer's only when older than `olderThan` ms,
 * default one hour), empty
 * metadata records nobody holds locked, and lock files of earlier versions
 * (`.locks/`) older than `olderThan`. Returns how many files it removed and
 * their bytes (a partial kept to resume a download may be gigabytes).
 *
 * An empty record is the entry lock of a download in progress, or of one
 * that died: a live one is locked, a dead one is not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepDebris } from "./debris.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/.x.csv.vc-tmp-abc123`, "partial");
 *   const old = new Date(Date.now() - 2 * 3600_000);
 *   await Deno.utime(`${dir}/.x.csv.vc-tmp-abc123`, old, old);
 *   // A live process's temp file stays; one of a dead process goes at once.
 *   await Deno.writeTextFile(`${dir}/.y.csv.vc-tmp-${Deno.pid}-abcd1234`, "partial");
 *   await Deno.writeTextFile(`${dir}/.z.csv.vc-tmp-999999999-abcd1234`, "partial");
 *   assert((await sweepDebris(dir)).files === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function sweepDebris(
  cacheDir: string,
  options: {
    olderThan?: number;
    now?: number;
    /**
     * A partial kept for resumption goes once its note is older than this
     * (ms; default a day): `vc cache prune` asks for room, so it passes less.
     */
    partialsOlderThan?: number;
    /**
     * Count what would go, remove (or restore) nothing: `prune --dry-run`.
     * A dead refresh's kept copy that a sweep would put back in place is
     * counted as removed (telling needs its entry's lock).
     */
    dryRun?: boolean;
  } = {},
): Promise<Swept> {
  const now = options.now ?? Date.now();
  const partialAge = options.partialsOlderThan ?? PARTIAL_KEEP_MS;
  const maxAge = options.olderThan ?? STALE_DEBRIS_MS;
  const cutoff = now - maxAge;
  const locks = join(cacheDir, LOCKS_DIR);
  const records = join(cacheDir, META_DIR) + sep;
  const removed: Swept = { files: 0, bytes: 0 };
  const count = (swept: Swept | undefined) => {
    removed.files += swept?.files ?? 0;
    removed.bytes += swept?.bytes ?? 0;
  };
  const dryRun = options.dryRun === true;
  // A dry run's resume notes counted with their partial: not counted twice.
  const counted = new Set<string>();
  // Data directories debris was removed from: once the walk is done, those
  // it left empty go, as `rm` and `prune` remove the directories they empty
  // (a cold download killed in a deep key's new directories left only its
  // lock and holder note there: the chain stayed, empty, for ever).
  const emptied = new Set<string>();
  const remove = async (path: string) => {
    // Debris another program holds open on Windows (a scanner, a live
    // process's temp): left for the next sweep, not a failed prune.
    if (!dryRun) {
      return await removeIfExists(path, { wait: false }).catch((e) => {
        if (fsPlatform.mandatoryLocks && isSharingViolation(e)) return false;
        throw e;
      });
    }
    if (counted.has(path)) return false;
    counted.add(path);
    return true;
  };
  for await (const path of walkCacheFiles(cacheDir)) {
    const name = path.slice(path.lastIndexOf(sep) + 1);
    const isLock = dirname(path) === locks && name.endsWith(".lock");
    const isTemp = isAnyTempName(name);
    const isRecord = !isTemp && path.startsWith(records) && name.endsWith(RECORD_SUFFIX);
    if (!isLock && !isRecord && !isTemp) continue;
    const stat = await lstatOrUndefined(path);
    if (stat === undefined || !stat.isFile) continue;
    let stale: boolean;
    if (isTemp) {
      // A temp file whose writer is dead is debris at once; a live writer's only when very old.
      // Downloads hold a lock on their temp file: one nobody holds that is
      // not brand new (its writer may be between create and lock) is dead.
      stale = isTempName(name)
        ? isAbandonedTemp(path, stat.mtime, now, maxAge)
        : now - (stat.mtime?.getTime() ?? now) > maxAge;
    } else if (isRecord) {
      if (stat.size !== 0) continue;
      // An empty record is the lock of a download in progress, or of one that
      // died: nobody holds the lock of a dead one.
      stale = isUnlockedEmpty(path) || (stat.mtime?.getTime() ?? now) < cutoff;
    } else {
      stale = (stat.mtime?.getTime() ?? now) < cutoff;
    }
    if (isTemp && isResumeStateName(name)) {
      if (isStaleResumeState(path, now) && await remove(path)) {
        count({ files: 1, bytes: stat.size });
      }
      continue;
    }
    if (isTemp && isSharedTempName(name)) {
      // A partial kept to be resumed stays for a day (see partial_download.ts).
      if (keptForResume(path, now, partialAge)) continue;
      const force = now - (stat.mtime?.getTime() ?? now) > maxAge;
      if (dryRun) {
        if (whileUnlocked(path, force, () => true)) {
          count(wouldRemoveShared(path, stat.size, counted));
        }
        continue;
      }
      // A dead download's commit whose record was never written: the copy it
      // replaced goes back first (restoreKeptCopy), whatever the walk's order.
      const dataDir = dirname(path);
      restoreKeptBeside(
        path,
        dataDir,
        join(cacheDir, META_DIR, dataDir.slice(cacheDir.length + 1)),
        now,
      );
      // A shared temp file is a download's lock: removed only while holding it.
      const swept = removeSharedIfUnlocked(path, force);
      count(swept);
      if (swept !== undefined && swept.files > 0) emptied.add(dataDir);
      continue;
    }
    if (stale && isTemp && isTempName(name) && !dryRun) {
      const dataDir = dirname(path);
      const metaDir = join(cacheDir, META_DIR, dataDir.slice(cacheDir.length + 1));
      if (restoreKeptCopy(path, dataDir, name, metaDir)) continue;
    }
    if (stale && await remove(path)) {
      count({ files: 1, bytes: stat.size });
      if (isRecord && !dryRun) await removeEmptyParents(cacheDir, dirname(path));
      else if (isTemp && !dryRun && !path.startsWith(records)) emptied.add(dirname(path));
    }
  }
  // Deepest first: a parent is empty only once its children are gone.
  for (const dir of [...emptied].sort((a, b) => b.length - a.length)) {
    await removeEmptyParents(cacheDir, dir);
  }
  // Earlier versions' lock directory: gone once empty.
  if (!dryRun) await Deno.remove(locks).catch(() => {});
  return removed;
}

/**
 * What {@linkcode removeSharedIfUnlocked} would remove of the shared temp
 * file `path` (`size` bytes): it and its resume note, which is marked in
 * `counted` so the walk does not count it again.
 */
function wouldRemoveShared(path: string, size: number, counted: Set<string>): Swept {
  const state = resumeStateOfSharedPath(path);
  const note = counted.has(state) ? undefined : statusOrUndefinedSync(state);
  if (note === undefined) return { files: 1, bytes: size };
  counted.add(state);
  return { files: 2, bytes: size + note.size };
}

/**
 * The sweep of {@linkcode sweepDebris} for one data directory and its
 * records directory only: dead writers' temp files and unlocked empty
 * records. A download calls it once per directory and process, so the next
 * `vc prefill` or `cache get` cleans what an interrupted one left where it
 * works, without walking the whole cache. Synchronous: a few metadata calls.
 * Returns how many files were removed (a kept copy put back in place counts
 * as the dead download's lock file it removes); the names of the directories found in
 * `dataDir` are added to `subdirectories` (the copies of keys below another
 * key's name: see entry_fetch.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepDirectory } from "./debris.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const name = `${dir}/.x.csv.vc-tmp-999999999-abcd1234`;
 *   await Deno.writeTextFile(name, "partial");
 *   const old = new Date(Date.now() - 60_000);
 *   await Deno.utime(name, old, old);
 *   assert(sweepDirectory(dir, `${dir}/no-records`) === 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function sweepDirectory(
  dataDir: string,
  metaDir: string,
  now: number = Date.now(),
  subdirectories?: Set<string>,
): number {
  let removed = 0;
  const remove = (path: string) => {
    try {
      Deno.removeSync(path);
      removed++;
    } catch {
      // Gone already, or not ours: the next sweep decides again.
    }
  };
  for (const entry of readDirOrEmpty(dataDir)) {
    if (entry.isDirectory) subdirectories?.add(entry.name);
    if (!entry.isFile || !isTempName(entry.name)) continue;
    const path = join(dataDir, entry.name);
    try {
      if (isResumeStateName(entry.name)) {
        if (isStaleResumeState(path, now)) remove(path);
        continue;
      }
      if (isSharedTempName(entry.name)) {
        // A partial kept to be resumed stays for a day (see partial_download.ts).
        if (keptForResume(path, now, PARTIAL_KEEP_MS)) continue;
        // A dead download's lock file is also taken over by the next download
        // of its entry; removed here only after the usual grace.
        const mtime = statusOrUndefinedSync(path)?.mtime?.getTime() ?? now;
        if (
          now - mtime > UNLOCKED_TEMP_GRACE_MS && restoreKeptBeside(path, dataDir, metaDir, now)
        ) {
          removed++;
        }
        if (
          now - mtime > UNLOCKED_TEMP_GRACE_MS && removeSharedIfUnlocked(path, false) !== undefined
        ) removed++;
        continue;
      }
      const mtime = statusOrUndefinedSync(path)?.mtime ?? null;
      if (!isAbandonedTemp(path, mtime, now, STALE_DEBRIS_MS)) continue;
      // A kept copy put back removes the dead download's lock file: counted,
      // so an offline lookup that swept looks for its record again.
      if (restoreKeptCopy(path, dataDir, entry.name, metaDir)) removed++;
      else remove(path);
    } catch {
      // A look that failed (not a missing file: EIO, EACCES) tells nothing
      // of what the file keeps: it stays, and the next sweep decides again.
    }
  }
  for (const entry of readDirOrEmpty(metaDir)) {
    if (!entry.isFile || !entry.name.endsWith(RECORD_SUFFIX)) continue;
    const path = join(metaDir, entry.name);
    try {
      if (statusOrUndefinedSync(path)?.size === 0 && isUnlockedEmpty(path)) remove(path);
    } catch {
      // Not to be looked at: kept, as above.
    }
  }
  return removed;
}

/**
 * A refresh killed between putting its new copy in place and writing that
 * copy's record leaves the copy it replaced under a temp name (see keepCopy
 * in entry_fetch.ts), still described by the entry's record, and the new
 * copy at the data path under a second name, the dead download's lock
 * (`.<name>.vc-tmp-0-shared`). Under that lock (nobody else holds it), the
 * kept copy goes back in place, as the failed record write would have put
 * it, instead of being swept: the entry stays cached as recorded. True when
 * `tempPath` was restored (it is gone then).
 */
function restoreKeptCopy(
  tempPath: string,
  dataDir: string,
  tempName: string,
  metaDir: string,
): boolean {
  // A holder's note (see entry_lock.ts) names a pid, never a kept copy.
  if (isHolderNoteName(tempName)) return false;
  const at = tempName.lastIndexOf(".vc-tmp-");
  const name = tempName.slice(1, at);
  if (at <= 1 || tempStem(name) !== name) return false;
  const dataPath = join(dataDir, name);
  const kept = statusOrUndefinedSync(tempPath);
  const data = statusOrUndefinedSync(dataPath);
  if (kept === undefined || data === undefined || !kept.isFile || !data.isFile) return false;
  if (kept.nlink !== 1 || (data.nlink ?? 0) < 2 || kept.ino === data.ino) return false;
  try {
    const lockPath = sharedTempPathFor(dataPath);
    return whileUnlocked(lockPath, false, (lock) => {
      // The data path is the dead download's committed, unrecorded file.
      if (stillNamedBy(lock, lockPath, dataPath) === undefined) return false;
      const found = lookupRecord(join(metaDir, JOURNAL_NAME), name);
      if (found.kind !== "record" || found.meta === undefined) return false;
      const meta = found.meta;
      const now = Deno.lstatSync(tempPath);
      if (
        meta.size !== now.size || meta.mtime === undefined ||
        meta.mtime !== now.mtime?.getTime() || now.nlink !== 1
      ) return false;
      renameOverSync(tempPath, dataPath);
      // The lock's file is a dead download's partial file now: gone with it.
      Deno.removeSync(lockPath);
      return true;
    });
  } catch {
    return false;
  }
}

/**
 * The status of the locked file `lock` when both `lockPath` (the name it was
 * opened by) and `dataPath` still name it, else undefined. The lock name is
 * checked too: between its open and its lock, another process may have
 * removed a dead download's name and a new download created and locked its
 * own file there, which is no debris (as in {@linkcode removeSharedIfUnlocked}).
 */
function stillNamedBy(
  lock: Deno.FsFile,
  lockPath: string,
  dataPath: string,
): Deno.FileInfo | undefined {
  const own = lock.statSync();
  if (own.ino === null) return undefined;
  const same = (info: Deno.FileInfo) => info.isFile && info.ino === own.ino && info.dev === own.dev;
  if (!same(Deno.lstatSync(lockPath))) return undefined;
  const there = Deno.lstatSync(dataPath);
  return same(there) ? there : undefined;
}

/**
 * Removes, under its lock, the lock file's name of a dead download that
 * committed its copy and wrote that copy's record (`kill -9` just before it
 * removed the name): the data path's second name, which leaves the recorded
 * copy a miss. At once, without the grace {@linkcode sweepDirectory} gives a
 * younger temp file (a writer between its create and its lock, which a file
 * committed to the data path never is), so an offline lookup right after
 * the kill serves the copy. Nothing is removed unless the data path's file
 * is the lock's own and the entry's record describes it (size and
 * modification time): a commit whose record was never written stays a miss.
 * True when removed.
 */
export function removeRecordedCommit(
  dataPath: string,
  journalPath: string,
  recordName: string,
): boolean {
  const lockPath = sharedTempPathFor(dataPath);
  try {
    return whileUnlocked(lockPath, false, (lock) => {
      const there = stillNamedBy(lock, lockPath, dataPath);
      if (there === undefined) return false;
      const found = lookupRecord(journalPath, recordName);
      if (found.kind !== "record" || found.meta === undefined) return false;
      const { size, mtime } = found.meta;
      if (size !== there.size || mtime === undefined || mtime !== there.mtime?.getTime()) {
        return false;
      }
      Deno.removeSync(lockPath);
      return true;
    });
  } catch {
    return false;
  }
}

/**
 * {@linkcode restoreKeptCopy} for the dead writers' temp files beside shared
 * temp file `sharedPath`; true when one was put back.
 */
function restoreKeptBeside(
  sharedPath: string,
  dataDir: string,
  metaDir: string,
  now: number,
): boolean {
  if ((statusOrUndefinedSync(sharedPath)?.nlink ?? 0) < 2) return false; // not a committed download
  const sharedName = sharedPath.slice(sharedPath.lastIndexOf(sep) + 1);
  const prefix = sharedName.slice(0, sharedName.lastIndexOf(".vc-tmp-") + ".vc-tmp-".length);
  for (const entry of readDirOrEmpty(dataDir)) {
    if (!entry.isFile || !entry.name.startsWith(prefix) || isSharedTempName(entry.name)) continue;
    if (!isTempName(entry.name)) continue;
    const path = join(dataDir, entry.name);
    const mtime = statusOrUndefinedSync(path)?.mtime ?? null;
    if (!isAbandonedTemp(path, mtime, now, STALE_DEBRIS_MS)) continue;
    if (restoreKeptCopy(path, dataDir, entry.name, metaDir)) return true;
  }
  return false;
}

function readDirOrEmpty(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
}

/**
 * Removes a shared temp file (`.<name>.vc-tmp-0-shared`) while holding its
 * lock, when nobody else holds it: removing it after letting go could remove
 * the file a new download just locked. `force` removes it when it cannot be
 * locked at all (no locks on this filesystem). Returns true when removed.
 */
function removeSharedIfUnlocked(path: string, force: boolean): Swept | undefined {
  let swept: Swept | undefined;
  whileUnlocked(path, force, (file) => {
    const mine = file.statSync();
    const there = Deno.lstatSync(path);
    if (!there.isFile || (mine.ino !== null && mine.ino !== there.ino)) return false;
    swept = { files: 1, bytes: there.size };
    // Its resume state goes with it (first: nobody can write one while we
    // hold the lock of the file it would describe).
    const state = resumeStateOfSharedPath(path);
    try {
      const { size } = Deno.lstatSync(state);
      Deno.removeSync(state);
      swept = { files: 2, bytes: there.size + size };
    } catch {
      // None (the usual case).
    }
    Deno.removeSync(path);
    return true;
  });
  return swept;
}

/** True when `path` is an empty file that no process holds locked. */
function isUnlockedEmpty(path: string): boolean {
  return isUnlocked(path, true);
}

/** True when no process holds a lock on `path` (and, with `empty`, it is empty). */
function isUnlocked(path: string, empty: boolean): boolean {
  return whileUnlocked(path, false, (file) => !empty || file.statSync().size === 0);
}
