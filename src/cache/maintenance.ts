/**
 * Asset cache maintenance over the on-disk layout: listing entries, pruning
 * (least recently used first), re-verifying content, and sweeping the temp
 * files and empty records that crashed processes left behind (and the lock
 * files of earlier versions). Works on the directory alone, so it also serves
 * a CLI that inspects a cache another process fills.
 *
 * @module
 */
import { dirname, join, relative, sep } from "node:path";
import { isStaleTempFile, isTempName } from "../atomic_write.ts";
import { InvalidInputError } from "../errors.ts";
import { forEachLimit } from "../pool.ts";
import { checkFile } from "../verify.ts";
import type { EntryLock } from "./entry_lock.ts";
import { readMeta, type StoredMeta } from "./entry_meta.ts";
import { assertNoLinks } from "./layout.ts";
import { LOCKS_DIR, META_DIR, RECORD_SUFFIX } from "./layout.ts";

/** One cached object, as `ls`, `prune` and `verify` report it. */
export interface CacheEntry {
  /** The object's URI. */
  uri: string;
  /** Local path of the cached data. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** ETag of the cached version. */
  etag: string;
  /** When the ETag was last confirmed with the store. */
  validatedAt: Date;
  /** When the entry was last used (the metadata file's mtime). */
  lastUsed: Date;
  /** With `checkRemote`: true when the store has another version or none; absent when unknown. */
  outdated?: boolean;
  /**
   * The S3 endpoint the entry came from (`host:port`), `"default"` for the
   * AWS default; absent for `file://` entries. Entries of two servers with
   * the same bucket and key are two entries.
   */
  endpoint?: string;
}

/** A cache entry plus what maintenance needs internally. */
export interface StoredEntry extends CacheEntry {
  /** Path of the metadata record. */
  metaPath: string;
  /** Hex MD5 of the content, when recorded. */
  md5?: string;
  /** Multipart part sizes learned at download, when recorded. */
  partSizes?: number[];
}

/** Temp files (`.<name>.vc-tmp-<random>`), empty records and old lock files older than this are debris (ms). */
export const STALE_DEBRIS_MS = 60 * 60 * 1000;

// Temp files of earlier versions had no owner pid in their name.
const LEGACY_TEMP_FILE = /^\..+\.vc-tmp-[0-9a-z]+$/;

function isAnyTempName(name: string): boolean {
  return isTempName(name) || LEGACY_TEMP_FILE.test(name);
}

/**
 * Lists the entries of the cache in `cacheDir` (those with both a metadata
 * record and a data file of the recorded size), sorted by URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listEntries } from "./maintenance.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert((await listEntries(dir)).length === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function listEntries(cacheDir: string): Promise<StoredEntry[]> {
  const metaRoot = join(cacheDir, META_DIR);
  const out: StoredEntry[] = [];
  const stat = await statOrUndefined(cacheDir);
  if (stat !== undefined && !stat.isDirectory) {
    throw new InvalidInputError(
      `the cache dir ${cacheDir} is not a directory (it is a file); set --cache-dir or ` +
        `VC_CACHE_DIR to a directory`,
    );
  }
  for await (const metaPath of walkFiles(metaRoot)) {
    const name = metaPath.slice(metaPath.lastIndexOf(sep) + 1);
    if (!name.endsWith(RECORD_SUFFIX) || isAnyTempName(name)) continue;
    const meta = readMeta(metaPath);
    if (meta === undefined) continue;
    const rel = relative(metaRoot, metaPath).slice(0, -RECORD_SUFFIX.length);
    const path = join(cacheDir, rel);
    const stat = await statOrUndefined(path);
    if (stat === undefined || !stat.isFile || stat.size !== meta.size) continue;
    const entry: StoredEntry = {
      uri: meta.uri,
      path,
      size: meta.size,
      etag: meta.etag,
      validatedAt: new Date(meta.validatedAt),
      lastUsed: new Date(meta.lastUsed),
      metaPath,
    };
    const endpoint = endpointOf(rel);
    if (endpoint !== undefined) entry.endpoint = endpoint;
    if (meta.md5 !== undefined) entry.md5 = meta.md5;
    if (meta.partSizes !== undefined) entry.partSizes = meta.partSizes;
    out.push(entry);
  }
  return out.sort((a, b) => a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0);
}

/** Options of {@linkcode pruneEntries}. */
export interface PruneOptions {
  /** Remove least recently used entries until the total size is at most this. */
  maxBytes?: number;
  /** Remove entries not used for this many seconds. */
  olderThan?: number;
  /** Current time (ms since the epoch); default `Date.now()`. */
  now?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** What {@linkcode pruneEntries} removed (or, with `dryRun`, would remove). */
export interface PruneResult {
  /** The removed entries, least recently used first. */
  removed: CacheEntry[];
  /** Sum of their sizes. */
  freedBytes: number;
  /** Data files that had no record (left by a failed write), removed. */
  orphans: string[];
  /** True when nothing was removed (`dryRun`). */
  dryRun?: boolean;
}

/**
 * Removes entries not used for `olderThan` seconds, then the least recently
 * used ones until the cache holds at most `maxBytes`. Also sweeps debris.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pruneEntries } from "./maintenance.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const r = await pruneEntries(dir, { maxBytes: 0 });
 *   assert(r.removed.length === 0 && r.freedBytes === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function pruneEntries(cacheDir: string, options: PruneOptions): Promise<PruneResult> {
  const { maxBytes, olderThan } = options;
  if (maxBytes !== undefined && !(maxBytes >= 0)) {
    throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
  }
  if (olderThan !== undefined && !(olderThan >= 0)) {
    throw new RangeError(`olderThan must be a non-negative number of seconds, got ${olderThan}`);
  }
  const now = options.now ?? Date.now();
  const dryRun = options.dryRun === true;
  if (!dryRun) await sweepDebris(cacheDir, { now });
  const orphans = await findOrphans(cacheDir, now);
  if (!dryRun) { for (const path of orphans) await removeOrphan(cacheDir, path); }
  const entries = (await listEntries(cacheDir)).sort((a, b) =>
    a.lastUsed.getTime() - b.lastUsed.getTime()
  );
  const victims: StoredEntry[] = [];
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  for (const entry of entries) {
    const tooOld = olderThan !== undefined && now - entry.lastUsed.getTime() > olderThan * 1000;
    const tooBig = maxBytes !== undefined && total > maxBytes;
    if (!tooOld && !tooBig) continue;
    victims.push(entry);
    total -= entry.size;
  }
  const removed: CacheEntry[] = [];
  let freedBytes = 0;
  for (const entry of victims) {
    if (dryRun) {
      removed.push(publicEntry(entry));
      freedBytes += entry.size;
      continue;
    }
    // Under the entry's lock, and only if nobody used or refreshed it since it was listed.
    const gone = await removeEntryFiles(cacheDir, entry.path, entry.metaPath, {
      unless: (meta) => meta !== undefined && changedSince(entry, meta),
    });
    if (gone) {
      removed.push(publicEntry(entry));
      freedBytes += entry.size;
    }
  }
  const result: PruneResult = { removed, freedBytes, orphans };
  if (dryRun) result.dryRun = true;
  return result;
}

/** Whether the record differs from what was listed (another process used or refreshed it). */
function changedSince(entry: StoredEntry, meta: StoredMeta): boolean {
  return meta.etag !== entry.etag || meta.size !== entry.size ||
    meta.validatedAt !== entry.validatedAt.getTime() ||
    meta.lastUsed > entry.lastUsed.getTime();
}

/** Files that old processes' writes left without records stay this long (ms) before they count as orphans. */
export const ORPHAN_GRACE_MS = 10 * 60 * 1000;

/**
 * Data files without a record (left by a write that failed, e.g. on a full
 * disk): invisible to `ls` and never served, so only taking space. A file
 * younger than {@linkcode ORPHAN_GRACE_MS} may be a download about to write
 * its record and is left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findOrphans } from "./maintenance.ts";
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
export async function findOrphans(cacheDir: string, now: number = Date.now()): Promise<string[]> {
  const metaRoot = join(cacheDir, META_DIR) + sep;
  const locks = join(cacheDir, LOCKS_DIR) + sep;
  const out: string[] = [];
  for await (const path of walkFiles(cacheDir)) {
    if (path.startsWith(metaRoot) || path.startsWith(locks)) continue;
    const name = path.slice(path.lastIndexOf(sep) + 1);
    if (isAnyTempName(name)) continue;
    const rel = relative(cacheDir, path);
    const metaPath = join(cacheDir, META_DIR, rel) + RECORD_SUFFIX;
    if (await lstatOrUndefined(metaPath) !== undefined) continue;
    const stat = await lstatOrUndefined(path);
    if (stat?.mtime && now - stat.mtime.getTime() > ORPHAN_GRACE_MS) out.push(path);
  }
  return out;
}

async function removeOrphan(cacheDir: string, path: string): Promise<void> {
  assertNoLinks(cacheDir, path);
  await removeIfExists(path);
  await removeEmptyParents(cacheDir, dirname(path));
}

/** Progress of {@linkcode verifyEntries}. */
export interface VerifyProgress {
  /** Entries checked so far. */
  done: number;
  /** Entries to check. */
  total: number;
}

/** Options of {@linkcode verifyEntries}. */
export interface VerifyOptions {
  /** Called after each entry. */
  onProgress?: (progress: VerifyProgress) => void;
  /** Entries hashed at once (default 2: hashing is CPU-bound). */
  concurrency?: number;
  /** Stops verifying. */
  signal?: AbortSignal;
}

/** What {@linkcode verifyEntries} found. */
export interface VerifyResult {
  /** Entries whose content matches. */
  ok: number;
  /** Entries that did not match and were removed (each with its `problem`). */
  corrupt: Array<CacheEntry & { problem?: string }>;
  /** Data files without a record that were removed. */
  orphans?: string[];
}

/**
 * Re-hashes every entry against its recorded ETag (or MD5) and removes the
 * ones that do not match. Also sweeps debris.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyEntries } from "./maintenance.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const r = await verifyEntries(dir);
 *   assert(r.ok === 0 && r.corrupt.length === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function verifyEntries(
  cacheDir: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  await sweepDebris(cacheDir);
  const orphans = await findOrphans(cacheDir);
  for (const path of orphans) await removeOrphan(cacheDir, path);
  const entries = await listEntries(cacheDir);
  const corrupt: VerifyResult["corrupt"] = [];
  let ok = 0;
  let done = 0;
  const signal = options.signal;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 2, entries.length));
  await forEachLimit(entries, concurrency, async (entry) => {
    {
      signal?.throwIfAborted();
      const check = signal ? { signal } : {};
      let problem = await problemWith(entry.path, entry, check);
      if (problem !== undefined) {
        // Under the entry's lock: another process may have refreshed it since
        // it was listed; then the new record is what counts.
        await removeEntryFiles(cacheDir, entry.path, entry.metaPath, {
          unless: async (meta) => {
            if (meta === undefined || !changedSince(entry, meta)) return false;
            problem = await problemWith(entry.path, meta, check);
            return problem === undefined;
          },
        });
      }
      if (problem === undefined) {
        ok++;
      } else {
        corrupt.push({ ...publicEntry(entry), problem });
      }
      options.onProgress?.({ done: ++done, total: entries.length });
    }
  }, signal ? { signal } : {});
  const result: VerifyResult = { ok, corrupt };
  if (orphans.length > 0) result.orphans = orphans;
  return result;
}

async function problemWith(
  path: string,
  meta: { size: number; etag: string; md5?: string; partSizes?: number[] },
  options: { signal?: AbortSignal },
): Promise<string | undefined> {
  const expected: Parameters<typeof checkFile>[1] = { size: meta.size, etag: meta.etag };
  if (meta.md5 !== undefined) expected.md5 = meta.md5;
  if (meta.partSizes !== undefined) expected.partSizes = meta.partSizes;
  try {
    return await checkFile(path, expected, options);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return "data file is missing";
  }
}

/**
 * Removes an entry's data and metadata files, then any directories that
 * became empty (up to the cache dir). Returns true when the data file existed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeEntryFiles } from "./maintenance.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/s3/b`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/s3/b/x`, "x");
 *   assert(await removeEntryFiles(dir, `${dir}/s3/b/x`, `${dir}/.meta/s3/b/x.json`));
 *   assert(!(await removeEntryFiles(dir, `${dir}/s3/b/x`, `${dir}/.meta/s3/b/x.json`)));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function removeEntryFiles(
  cacheDir: string,
  dataPath: string,
  metaPath: string,
  options: RemoveEntryOptions = {},
): Promise<boolean> {
  // Nothing is removed through a link planted inside the cache dir.
  assertNoLinks(cacheDir, dataPath);
  assertNoLinks(cacheDir, metaPath);
  const { acquireEntryLock } = await import("./entry_lock.ts");
  let lock: EntryLock | undefined;
  try {
    lock = await acquireEntryLock(metaPath, {
      timeout: options.lockWait ?? DEFAULT_REMOVE_LOCK_WAIT_MS,
    });
  } catch {
    // No lock (read-only dir, a stopped holder): remove anyway; a reader
    // then misses, and a writer re-creates its record (entry_lock.ts).
  }
  try {
    if (options.unless !== undefined && await options.unless(readMeta(metaPath))) return false;
    // Metadata first: an entry without metadata is a miss, never a wrong hit.
    await removeIfExists(metaPath);
    const existed = await removeIfExists(dataPath);
    await removeEmptyParents(cacheDir, dirname(metaPath));
    await removeEmptyParents(cacheDir, dirname(dataPath));
    return existed;
  } finally {
    lock?.release({ discardEmpty: true });
  }
}

/** Options of {@linkcode removeEntryFiles}. */
export interface RemoveEntryOptions {
  /** Checked under the entry's lock with the current record: true keeps the entry. */
  unless?: (meta: StoredMeta | undefined) => boolean | Promise<boolean>;
  /** Longest wait for the entry's lock (ms; default 10 s), then remove without it. */
  lockWait?: number;
}

const DEFAULT_REMOVE_LOCK_WAIT_MS = 10_000;

/**
 * Removes what processes killed mid-download leave behind: temp files
 * (`.<name>.vc-tmp-<pid>-<random>`) whose writer is dead (its pid is gone,
 * or nobody holds the lock a download keeps on its temp file: at once, bar a
 * few seconds' grace; a live writer's only when older than `olderThan` ms,
 * default one hour), empty
 * metadata records nobody holds locked, and lock files of earlier versions
 * (`.locks/`) older than `olderThan`. Returns how many files were removed.
 *
 * An empty record is the entry lock of a download in progress, or of one
 * that died: a live one is locked, a dead one is not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepDebris } from "./maintenance.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/.x.csv.vc-tmp-abc123`, "partial");
 *   const old = new Date(Date.now() - 2 * 3600_000);
 *   await Deno.utime(`${dir}/.x.csv.vc-tmp-abc123`, old, old);
 *   // A live process's temp file stays; one of a dead process goes at once.
 *   await Deno.writeTextFile(`${dir}/.y.csv.vc-tmp-${Deno.pid}-abcd1234`, "partial");
 *   await Deno.writeTextFile(`${dir}/.z.csv.vc-tmp-999999999-abcd1234`, "partial");
 *   assert(await sweepDebris(dir) === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function sweepDebris(
  cacheDir: string,
  options: { olderThan?: number; now?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  const maxAge = options.olderThan ?? STALE_DEBRIS_MS;
  const cutoff = now - maxAge;
  const locks = join(cacheDir, LOCKS_DIR);
  const records = join(cacheDir, META_DIR) + sep;
  let removed = 0;
  for await (const path of walkFiles(cacheDir)) {
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
      const age = now - (stat.mtime?.getTime() ?? now);
      stale = isTempName(name)
        ? isStaleTempFile(name, stat.mtime, now, maxAge) ||
          (age > UNLOCKED_TEMP_GRACE_MS && isUnlocked(path, false))
        : age > maxAge;
    } else if (isRecord) {
      if (stat.size !== 0) continue;
      // An empty record is the lock of a download in progress, or of one that
      // died: nobody holds the lock of a dead one.
      stale = isUnlockedEmpty(path) || (stat.mtime?.getTime() ?? now) < cutoff;
    } else {
      stale = (stat.mtime?.getTime() ?? now) < cutoff;
    }
    if (stale && await removeIfExists(path)) {
      removed++;
      if (isRecord) await removeEmptyParents(cacheDir, dirname(path));
    }
  }
  // Earlier versions' lock directory: gone once empty.
  await Deno.remove(locks).catch(() => {});
  return removed;
}

/** An unlocked temp file younger than this (ms) may be a writer between create and lock. */
const UNLOCKED_TEMP_GRACE_MS = 5_000;

/** True when `path` is an empty file that no process holds locked. */
function isUnlockedEmpty(path: string): boolean {
  return isUnlocked(path, true);
}

/** True when no process holds a lock on `path` (and, with `empty`, it is empty). */
function isUnlocked(path: string, empty: boolean): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true });
  } catch {
    return false;
  }
  try {
    if (!file.tryLockSync(true)) return false;
    return !empty || file.statSync().size === 0;
  } catch {
    return false;
  } finally {
    file.close();
  }
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
    throw e;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // Links are never created by the cache; don't follow one out of it.
    if (entry.isDirectory) yield* walkFiles(path);
    else if (entry.isFile) yield path;
  }
}

/** The endpoint named by an entry's namespace dir (`s3`, `s3@host_port`; see layout.ts). */
function endpointOf(rel: string): string | undefined {
  const ns = rel.split(sep)[0] ?? "";
  if (ns === "s3") return "default";
  const m = /^s3@(.*)_(\d+)$/.exec(ns);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

function publicEntry(entry: StoredEntry): CacheEntry {
  const out: CacheEntry = {
    uri: entry.uri,
    path: entry.path,
    size: entry.size,
    etag: entry.etag,
    validatedAt: entry.validatedAt,
    lastUsed: entry.lastUsed,
  };
  if (entry.outdated !== undefined) out.outdated = entry.outdated;
  if (entry.endpoint !== undefined) out.endpoint = entry.endpoint;
  return out;
}

async function removeIfExists(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function removeEmptyParents(cacheDir: string, dir: string): Promise<void> {
  const stop = join(cacheDir, "x").slice(0, -1); // cacheDir with a trailing separator
  for (let d = dir; d.startsWith(stop) && d.length > stop.length;) {
    const name = d.slice(d.lastIndexOf(sep) + 1);
    if (name === META_DIR || name === LOCKS_DIR) return;
    try {
      await Deno.remove(d); // fails unless empty
    } catch {
      return;
    }
    d = dirname(d);
  }
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}
