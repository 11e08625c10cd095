/**
 * Asset cache maintenance over the on-disk layout: listing entries, pruning
 * (least recently used first), re-verifying content, and sweeping the temp
 * files and empty records that crashed processes left behind (and the lock
 * files of earlier versions). Works on the directory alone, so it also serves
 * a CLI that inspects a cache another process fills. Records are read from
 * the directories' journals and from earlier versions' record files alike
 * (`entry_records.ts`).
 *
 * @module
 */
import { dirname, join, relative, sep } from "../path.ts";
import { forEachLimit } from "../pool.ts";
import { readDirEntries } from "../read_dir.ts";
import { problemWithCopy } from "./record_check.ts";
import { readMeta, type StoredMeta } from "./entry_meta.ts";
import {
  isFileOfItsOwn,
  lastUsedOf,
  readEntryRecord,
  type RecordPaths,
  writeEntryRecord,
} from "./entry_records.ts";
import { isSplitJournal, lookupRecord, readJournal } from "./record_journal.ts";
import { InvalidInputError } from "../errors.ts";
import { describeValue } from "../options_check.ts";
import { statCacheDir } from "./cache_dir.ts";
import { isPermissionError } from "./cache_errors.ts";
import { fsPlatform } from "../fs_platform.ts";
import { isSharingViolation } from "../replace_file.ts";
import {
  assertNoLinks,
  ENDPOINT_PATH_FILE,
  endpointPathSuffix,
  type EntryLocation,
  inspectOnPath,
  isEncodedName,
  JOURNAL_NAME,
  JOURNAL_PATTERN,
  linkOnPath,
  META_DIR,
  RECORD_SUFFIX,
  recordBelongsTo,
  recordPathsOf,
} from "./layout.ts";
import { lstatOrUndefined, walkFiles } from "./cache_fs.ts";
import { ownDataFile, ownJournals } from "./journal_repair.ts";
import {
  findOrphans,
  isAnyTempName,
  isCacheTopLevelName,
  removeOrphan,
  sweepDebris,
} from "./debris.ts";
import { compactJournals, dropDeadRecords, removeEntryFiles } from "./entry_removal.ts";
import { keepLastUse, lastUseBeforeRead } from "./last_use_keep.ts";
import { PARTIAL_KEEP_MS } from "./partial_download.ts";
import { compareUtf8 } from "../utf8.ts";

export { findOrphans, ORPHAN_GRACE_MS, STALE_DEBRIS_MS, sweepDebris } from "./debris.ts";
export { removeEntryFiles, type RemoveEntryOptions } from "./entry_removal.ts";

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
  /**
   * When the ETag was last confirmed with the store; the epoch (`new Date(0)`)
   * for an entry invalidated (`invalidate`, `vc cache invalidate`) and not
   * revalidated since.
   */
  validatedAt: Date;
  /**
   * When the entry was last used: its data file's access time, which lookups
   * set (at most once a minute per process).
   */
  lastUsed: Date;
  /** With `checkRemote`: true when the store has another version or none; absent when unknown. */
  outdated?: boolean;
  /**
   * With `checkRemote`: true when the store has no object at the key (it was
   * deleted), so `outdated` is not a newer version to fetch; absent otherwise.
   */
  remoteDeleted?: boolean;
  /**
   * With `checkRemote`: why the store could not be asked (`outdated` is
   * absent), e.g. its endpoint is unreachable; absent otherwise.
   */
  remoteError?: string;
  /**
   * True when the store said the object was deleted: the copy is not served
   * (`NotFoundError`) until the store has it again; `rm` removes it.
   */
  gone?: boolean;
  /**
   * The store's own checksum the download was checked with, as
   * `ALGORITHM:base64` (e.g. `CRC64NVME:rosUhgp5mIg=`), when neither the
   * ETag nor `vc-md5` could be (an SSE-KMS or SSE-C object, a store's own
   * ETags); absent when they were.
   */
  checksum?: string;
  /**
   * The S3 endpoint the entry came from (`host:port`, with the endpoint's
   * path when it has one: `host:port/s3`; `host:port~1a2b3c4d`, the path's
   * hash, when the cache never recorded it), `"default"` for the
   * AWS default; absent for `file://` entries. Entries of two servers with
   * the same bucket and key are two entries.
   */
  endpoint?: string;
}

/** A cache entry plus what maintenance needs internally. */
export interface StoredEntry extends CacheEntry {
  /** Where its record lives. */
  record: RecordPaths;
  /** Hex MD5 of the content, when recorded. */
  md5?: string;
  /** Multipart part sizes learned at download, when recorded. */
  partSizes?: number[];
  /** Hex SHA-256 of the content, when recorded (locked entries). */
  sha256?: string;
  /** The ETag is not a hash of the content (SSE-KMS, SSE-C), when recorded. */
  opaqueEtag?: boolean;
  /** Bytes its data file takes: `size` unless the file was changed by hand. */
  bytes: number;
  /** The data file's modification time as recorded at download, when recorded. */
  recordedMtime?: number;
  /** The data file's modification time when it was listed. */
  fileMtime?: number;
}

/**
 * Lists the entries of the cache in `cacheDir` (those with both a metadata
 * record and a data file), sorted by URI (UTF-8 byte order, as S3 lists keys).
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
export async function listEntries(
  cacheDir: string,
  onListed?: (listed: number) => void,
): Promise<StoredEntry[]> {
  return (await scanEntries(cacheDir, undefined, onListed)).entries;
}

/**
 * The entries of the object at `loc` only, cached through any S3 endpoint
 * (an S3 URI names none) or as its `file://` copy: only the records of its
 * own directory in each namespace are read, so the hint of `vc cache rm`
 * ("cached from the endpoint …") costs a directory, not the minute a
 * listing of a hundred thousand entries takes.
 */
export async function listEntriesOf(
  cacheDir: string,
  loc: Pick<EntryLocation, "uri" | "bucket" | "relPath">,
  onListed?: (listed: number) => void,
): Promise<StoredEntry[]> {
  const metaRoot = join(cacheDir, META_DIR);
  const slash = loc.relPath.indexOf("/");
  const namespaces = loc.bucket === ""
    ? [loc.relPath.slice(0, slash)]
    : await s3Namespaces(metaRoot);
  const dirs = namespaces.map((ns) => dirname(join(metaRoot, ns + loc.relPath.slice(slash))));
  const { entries } = await scanEntries(cacheDir, undefined, onListed, dirs);
  return entries.filter((e) => e.uri === loc.uri);
}

/** The S3 namespaces (`s3`, `s3@host_port…`) the records tree at `metaRoot` has. */
async function s3Namespaces(metaRoot: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of readDirEntries(metaRoot)) {
      if (e.isDirectory && (e.name === "s3" || e.name.startsWith("s3@"))) out.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return [];
    throw e;
  }
  return out;
}

/** The files directly in each of `dirs`; none of a directory reached through a link. */
async function* filesIn(cacheDir: string, dirs: readonly string[]): AsyncGenerator<string> {
  for (const dir of dirs) {
    if (linkOnPath(cacheDir, dir) !== undefined) continue;
    const names: string[] = [];
    try {
      for await (const e of readDirEntries(dir)) if (e.isFile) names.push(e.name);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) continue;
      throw e;
    }
    for (const name of names) yield join(dir, name);
  }
}

/**
 * Refuses to prune or verify a directory that is not a vc cache: there
 * every file would count as data without a record and be removed, so a
 * mistyped `--cache-dir` would empty a source tree. A cache has `.meta`
 * (its records, from its first download on), or holds nothing but what vc
 * puts in a cache dir (a first download killed before its record leaves
 * only `s3…/` or `file/`). A missing or empty directory is an empty cache.
 */
async function assertIsCache(cacheDir: string): Promise<void> {
  const stat = await statCacheDir(cacheDir);
  if (stat === undefined) return;
  if (await lstatOrUndefined(join(cacheDir, META_DIR)) !== undefined) return;
  for await (const entry of readDirEntries(cacheDir)) {
    if (isCacheTopLevelName(entry.name)) continue;
    throw new InvalidInputError(
      `${cacheDir} is not a vc cache (it has no ${META_DIR} directory, and ${
        JSON.stringify(entry.name)
      } is not something vc puts there): refusing to remove anything from it; check the cacheDir option ` +
        `or VC_CACHE_DIR`,
    );
  }
}

/**
 * The cache's entries, and its dead records: records that do not parse,
 * whose data file is gone (deleted by hand), or that name another URI than
 * their entry's. A lookup takes those for a
 * miss; maintenance drops them so journals do not keep them forever.
 */
async function scanEntries(
  cacheDir: string,
  links?: Set<string>,
  onListed?: (listed: number) => void,
  // Only the records in these directories of `.meta` (not below them).
  dirs?: readonly string[],
): Promise<{ entries: StoredEntry[]; dead: RecordPaths[] }> {
  const metaRoot = join(cacheDir, META_DIR);
  const out: StoredEntry[] = [];
  const dead: RecordPaths[] = [];
  await statCacheDir(cacheDir);
  const checked = new Set<string>();
  const endpointPaths = new Map<string, string | undefined>();
  let listed = 0;
  const add = async (record: RecordPaths, meta: StoredMeta | undefined, legacy?: number) => {
    onListed?.(++listed);
    // A link at (or above) the data path is never read through: not an
    // entry (a lookup takes it for a miss, and a download replaces it);
    // maintenance reports it.
    const seen = inspectOnPath(cacheDir, record.dataPath, checked);
    if (seen.link !== undefined) {
      links?.add(seen.link);
      return;
    }
    // The walk's own lstat of the data file: a second one per entry doubled
    // the time to list a large cache. One that failed other than as missing
    // is asked again, so its error is thrown.
    const stat = seen.stat ?? (seen.exists ? await lstatOrUndefined(record.dataPath) : undefined);
    // No data file: gone, or a directory (keys below this one's name) or
    // something else in its place, which no lookup ever serves. Its record
    // is dead; dropping it leaves whatever is there.
    if (meta === undefined || stat?.isFile !== true) {
      dead.push(record);
      return;
    }
    // A record naming another URI than its entry's (a forged or damaged
    // line) is no record of either: a lookup never serves it, so it is
    // dead too, and its data is never checked or removed as that URI's.
    if (!recordBelongsTo(cacheDir, record.dataPath, meta.uri)) {
      dead.push(record);
      return;
    }
    // A file of another size than its record's (edited by hand) is still an
    // entry: `verify` reports it, `prune` can reclaim it, `ls` shows it.
    const entry: StoredEntry = {
      uri: meta.uri,
      path: record.dataPath,
      size: meta.size,
      etag: meta.etag,
      validatedAt: new Date(meta.validatedAt),
      lastUsed: new Date(lastUsedOf(stat, legacy)),
      record,
      bytes: stat.size,
    };
    if (meta.mtime !== undefined) entry.recordedMtime = meta.mtime;
    const fileMtime = stat.mtime?.getTime();
    if (fileMtime !== undefined) entry.fileMtime = fileMtime;
    const endpoint = endpointOf(cacheDir, relative(cacheDir, record.dataPath), endpointPaths);
    if (endpoint !== undefined) entry.endpoint = endpoint;
    if (meta.md5 !== undefined) entry.md5 = meta.md5;
    if (meta.partSizes !== undefined) entry.partSizes = meta.partSizes;
    if (meta.sha256 !== undefined) entry.sha256 = meta.sha256;
    if (meta.opaqueEtag === true) entry.opaqueEtag = true;
    if (meta.checksum !== undefined) entry.checksum = meta.checksum;
    // Listed as such: a deleted object's copy is no longer served.
    if (meta.gone === true) entry.gone = true;
    out.push(entry);
  };
  // Records are never read through a link (a planted `.meta` may point
  // anywhere); the walk below follows none either. Their data files are
  // orphans (`findOrphans`).
  const records = (await lstatOrUndefined(metaRoot))?.isSymlink
    ? []
    : dirs === undefined
    ? walkFiles(metaRoot)
    : filesIn(cacheDir, dirs);
  for await (const metaPath of records) {
    const name = metaPath.slice(metaPath.lastIndexOf(sep) + 1);
    if (isAnyTempName(name)) continue;
    // A split journal counts only in a split directory (else it is a leftover).
    const split = JOURNAL_PATTERN.test(name) && splitDir(join(dirname(metaPath), JOURNAL_NAME));
    if (name === JOURNAL_NAME || split) {
      const dataDir = join(cacheDir, relative(metaRoot, dirname(metaPath)));
      for (const [recordName, meta] of readJournal(metaPath)) {
        // A name no download writes (`../x`, garbage) names no entry: never
        // a path outside this directory to read, list or remove.
        if (!isEncodedName(recordName)) continue;
        const record = recordPathsOf(cacheDir, join(dataDir, recordName));
        await add(record, meta === undefined ? undefined : { ...meta, lastUsed: 0 });
      }
      continue;
    }
    if (!name.endsWith(RECORD_SUFFIX)) continue;
    // An earlier version's record file; a journal line for the entry wins.
    const rel = relative(metaRoot, metaPath).slice(0, -RECORD_SUFFIX.length);
    const record = recordPathsOf(cacheDir, join(cacheDir, rel));
    if (lookupKind(record) !== "none") continue;
    const meta = readMeta(metaPath);
    await add(record, meta, meta?.lastUsed);
  }
  // S3 key order (UTF-8 bytes), as every listing of vc: UTF-16 order put
  // an emoji before U+E000 and up.
  out.sort((a, b) => compareUtf8(a.uri, b.uri));
  return { entries: out, dead };
}

/** Damage to the shape of the records tree, found by {@linkcode recordTreeDamage}. */
export interface RecordTreeDamage {
  /**
   * Directories (or FIFOs, sockets, devices) under `.meta` named as a record
   * journal is (`%records.jsonl`, a shard): the records of their data
   * directory cannot be read or written.
   */
  journalDirs: string[];
  /**
   * Files where the records of a data directory belong: `.meta` itself, or
   * `.meta/<dir>` beside the data directory `<dir>` (vc never writes a file
   * of that name: a journal is `%records.jsonl` inside it, an earlier
   * version's record `<name>%.json`).
   */
  recordDirFiles: string[];
}

/**
 * One walk of `.meta` for what makes every entry below it miss and no
 * download cache it, while the walk of records skips it silently: damage, or
 * planted by a restored cache. Maintenance names it (never removing what is
 * there). Links are not followed.
 */
export async function recordTreeDamage(cacheDir: string): Promise<RecordTreeDamage> {
  const found: RecordTreeDamage = { journalDirs: [], recordDirFiles: [] };
  const metaRoot = join(cacheDir, META_DIR);
  const root = await lstatOrUndefined(metaRoot);
  if (root === undefined || root.isSymlink) return found;
  if (!root.isDirectory) return { ...found, recordDirFiles: [metaRoot] };
  const walk = async (dir: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(readDirEntries(dir));
    } catch {
      return; // gone, unreadable: not this check's to report
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const journal = entry.name === JOURNAL_NAME || JOURNAL_PATTERN.test(entry.name);
      if (entry.isDirectory) {
        if (journal) found.journalDirs.push(path);
        else await walk(path);
      } else if (journal && !entry.isFile && !entry.isSymlink) {
        // A FIFO, socket or device: read as no journal, refused by appends.
        found.journalDirs.push(path);
      } else if (
        !entry.isSymlink &&
        (await lstatOrUndefined(join(cacheDir, relative(metaRoot, path))))?.isDirectory === true
      ) found.recordDirFiles.push(path);
    }
  };
  await walk(metaRoot);
  found.journalDirs.sort(compareUtf8);
  found.recordDirFiles.sort(compareUtf8);
  return found;
}

/** Options of {@linkcode pruneEntries}. */
export interface PruneOptions {
  /** Remove least recently used entries until the total size is at most this. */
  maxBytes?: number | undefined;
  /** Remove entries not used for this many seconds. */
  olderThan?: number | undefined;
  /** Current time (ms since the epoch); default `Date.now()`. */
  now?: number | undefined;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean | undefined;
  /** Called after each entry is looked at (kept or removed), least recently used first. */
  onProgress?: ((progress: PruneProgress) => void) | undefined;
  /**
   * Told how many records have been read while the cache is listed, before
   * the first entry is looked at (0 at the start): a cache of a hundred
   * thousand entries takes a minute to list.
   */
  onListProgress?: ((listed: number) => void) | undefined;
  /**
   * Stops removing: the entries removed so far are returned (their records
   * dropped), the rest stay. The caller says it was stopped.
   */
  signal?: AbortSignal | undefined;
}

/** Progress of {@linkcode pruneEntries}. */
export interface PruneProgress {
  /** Entries looked at so far. */
  done: number;
  /** Entries in the cache. */
  total: number;
  /**
   * Entries removed so far (with `dryRun`, that would be): a caller stopped
   * by its `signal` says what it removed before the stop, as the rejection
   * carries no result.
   */
  removed?: number;
  /** Sum of the sizes of those entries. */
  freedBytes?: number;
}

/** What {@linkcode pruneEntries} removed (or, with `dryRun`, would remove). */
export interface PruneResult {
  /** The removed entries, least recently used first. */
  removed: CacheEntry[];
  /** Sum of their sizes. */
  freedBytes: number;
  /** Data files that had no record (left by a failed write), removed. */
  orphans: string[];
  /** Symbolic links inside the cache dir that records were not read through (never followed). */
  links?: string[];
  /**
   * Directories (or FIFOs, devices) where a record journal belongs (damaged, or planted): the
   * entries of their data directory cannot be cached until they are removed.
   * Named, never removed.
   */
  journalDirs?: string[];
  /**
   * Files where the records of a data directory belong (`.meta` itself, or
   * `.meta/<dir>` for the data directory `<dir>`): damaged, or planted; the
   * entries below cannot be cached until they are removed. Named, never removed.
   */
  recordDirFiles?: string[];
  /**
   * Records dropped (or, with `dryRun`, to drop) that were dead: no data
   * file, unreadable, or naming another URI than their entry's.
   */
  deadRecords?: number;
  /**
   * Entries that were due to go but were kept: used or refreshed by another
   * process since they were listed, or being downloaded right now. The
   * next least recently used ones went in their place.
   */
  kept?: CacheEntry[];
  /**
   * With `maxBytes`, only when the cache still holds more than that: the
   * bytes it holds. Every entry that could go went; the rest is `kept`.
   */
  remainingBytes?: number;
  /**
   * What downloads left that was removed (with `dryRun`, would be): partials
   * kept to resume a download (gigabytes, maybe) with their notes, dead
   * writers' temp files, stale locks. Not entries, so neither in `removed`
   * nor in `freedBytes`.
   */
  leftovers?: { files: number; bytes: number };
  /** True when nothing was removed (`dryRun`). */
  dryRun?: boolean;
}

/**
 * Removes entries not used for `olderThan` seconds, then the least recently
 * used ones until the cache holds at most `maxBytes`. An entry in use (used
 * or refreshed since it was listed, or being downloaded) is kept and the
 * next least recently used one goes instead; when nothing else can go, the
 * result's `remainingBytes` says how much the cache still holds. Also
 * sweeps debris.
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
  // A library caller's wrong value ("10GB", -1) is refused as every other
  // option is, so `instanceof InvalidInputError` (and VcError) catches it.
  if (maxBytes !== undefined && !(typeof maxBytes === "number" && maxBytes >= 0)) {
    throw new InvalidInputError(
      `maxBytes must be a non-negative number of bytes, got ${describeValue(maxBytes)}`,
    );
  }
  if (olderThan !== undefined && !(typeof olderThan === "number" && olderThan >= 0)) {
    throw new InvalidInputError(
      `olderThan must be a non-negative number of seconds, got ${describeValue(olderThan)}`,
    );
  }
  await assertIsCache(cacheDir);
  options.onListProgress?.(0);
  const now = options.now ?? Date.now();
  const dryRun = options.dryRun === true;
  // A prune asks for room: a partial kept to resume a download (see
  // partial_download.ts) is no entry it could count, and a 1 MB prune left
  // gigabytes of them for a day. One to a size drops them all (a download
  // still running holds its partial's lock: it stays); one by age, those
  // not written for that long.
  const partialsOlderThan = maxBytes !== undefined
    ? 0
    : olderThan !== undefined
    ? Math.min(olderThan * 1000, PARTIAL_KEEP_MS)
    : undefined;
  // A dry run counts them too (`leftovers`), removing nothing.
  const leftovers: PruneResult["leftovers"] = await sweepDebris(cacheDir, {
    now,
    ...(partialsOlderThan === undefined ? {} : { partialsOlderThan }),
    ...(dryRun ? { dryRun } : {}),
  });
  const links = new Set<string>();
  const orphans = await findOrphans(cacheDir, now, links);
  if (!dryRun) { for (const path of orphans) await removeOrphan(cacheDir, path); }
  const scan = await scanEntries(cacheDir, links, options.onListProgress);
  const deadRecords = dryRun ? scan.dead.length : await dropDeadRecords(cacheDir, scan.dead);
  const entries = scan.entries.sort((a, b) => usedBefore(a, now) - usedBefore(b, now));
  // What the files take on disk (a copy grown by hand counts as it is).
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const removed: StoredEntry[] = [];
  const kept: StoredEntry[] = [];
  const tried: StoredEntry[] = [];
  let freedBytes = 0;
  // Entries whose lock another process held when their turn came: counted as
  // gone for now, and tried again once the others were (see below).
  let busy: StoredEntry[] = [];
  // Removes one entry under its lock, unless used or refreshed since it was
  // listed; `lockWait` ms for another's lock (0: busy at once).
  const removeOne = async (entry: StoredEntry, lockWait: number) => {
    let wasBusy = false;
    const gone = await removeEntryFiles(cacheDir, entry.record, {
      unless: (meta) => meta !== undefined && changedSince(entry, meta),
      keepIfBusy: true,
      lockWait,
      onBusy: () => wasBusy = true,
      compact: false,
    });
    if (gone) return "removed";
    // Removed by another process meanwhile (another prune, `rm`): no longer here.
    if (await lstatOrUndefined(entry.path) === undefined) return "gone";
    return wasBusy ? "busy" : "kept";
  };
  // One entry: removed if too old or the cache too big, unless in use.
  const due = (entry: StoredEntry): boolean =>
    (olderThan !== undefined && now - usedBefore(entry, now) > olderThan * 1000) ||
    (maxBytes !== undefined && total > maxBytes);
  const pruneOne = async (entry: StoredEntry): Promise<void> => {
    if (!due(entry)) return;
    if (dryRun) {
      removed.push(entry);
      freedBytes += entry.bytes;
      total -= entry.bytes;
      return;
    }
    tried.push(entry);
    const outcome = await removeOne(entry, 0);
    if (outcome === "removed") {
      removed.push(entry);
      freedBytes += entry.bytes;
    } else if (outcome === "busy") {
      busy.push(entry);
    } else if (outcome === "kept") {
      kept.push(entry);
      return;
    }
    total -= entry.bytes;
  };
  // Least recently used first. One that has to be kept still takes its
  // room, so the next least recently used one goes in its place, until the
  // cache fits or nothing that could go is left. A busy one (its lock held:
  // a download, or another prune or rm removing it right now) is tried again
  // after the pass, waiting a moment for the lock, so one that another
  // prune removed is not taken for in use (and replaced by one more entry);
  // one still busy is kept, and the pass goes on in its place.
  let done = 0;
  const report = () =>
    options.onProgress?.({
      done,
      total: entries.length,
      removed: removed.length,
      freedBytes,
    });
  let next = 0;
  while (next < entries.length || busy.length > 0) {
    for (; next < entries.length; next++) {
      if (options.signal?.aborted) break;
      const entry = entries[next];
      if (entry === undefined) break;
      // Settle the busy ones first: one kept makes room for this one to go.
      if (busy.length > 0 && !due(entry)) break;
      try {
        await pruneOne(entry);
      } finally {
        ++done;
        report();
      }
    }
    const retry = busy;
    busy = [];
    await Promise.all(retry.map(async (entry) => {
      const outcome = await removeOne(entry, BUSY_RETRY_WAIT_MS);
      if (outcome === "removed") {
        removed.push(entry);
        freedBytes += entry.bytes;
      } else if (outcome !== "gone") {
        kept.push(entry);
        total += entry.bytes;
      }
    }));
    // Those removed on a second try count too.
    if (retry.length > 0) report();
    if (options.signal?.aborted) break;
  }
  if (!dryRun) await compactJournals(cacheDir, tried);
  // Least recently used first, as listed (a busy one tried again came later).
  const order = new Map(entries.map((e, i) => [e, i]));
  const listed = (list: StoredEntry[]) =>
    list.sort((x, y) => order.get(x)! - order.get(y)!).map(publicEntry);
  const result: PruneResult = { removed: listed(removed), freedBytes, orphans };
  if (kept.length > 0) result.kept = listed(kept);
  if (maxBytes !== undefined && total > maxBytes) result.remainingBytes = total;
  if (links.size > 0) result.links = [...links];
  const { journalDirs, recordDirFiles } = await recordTreeDamage(cacheDir);
  if (journalDirs.length > 0) result.journalDirs = journalDirs;
  if (recordDirFiles.length > 0) result.recordDirFiles = recordDirFiles;
  if (deadRecords > 0) result.deadRecords = deadRecords;
  if (leftovers !== undefined && leftovers.files > 0) result.leftovers = leftovers;
  if (dryRun) result.dryRun = true;
  return result;
}

/**
 * When `prune` takes `entry` to have been used last, as of `now`: its last
 * use, unless that is in the future (marked by a clock that ran ahead, or in
 * a cache restored from such a machine). Any use since would have marked it
 * now (`markDue`), so it has not been used since the clock was right: no
 * use, not the newest (which kept it past `--older-than` until that date,
 * and removed the entries used today before it).
 */
function usedBefore(entry: StoredEntry, now: number): number {
  const used = entry.lastUsed.getTime();
  return used > now ? 0 : used;
}

/** How long `prune` waits, once, for the lock of an entry that was busy when its turn came. */
const BUSY_RETRY_WAIT_MS = 500;

/** Whether the record differs from what was listed (another process used or refreshed it). */
function changedSince(entry: StoredEntry, meta: StoredMeta): boolean {
  return meta.etag !== entry.etag || meta.size !== entry.size ||
    meta.validatedAt !== entry.validatedAt.getTime() ||
    meta.lastUsed > entry.lastUsed.getTime();
}

/** Progress of {@linkcode verifyEntries}. */
export interface VerifyProgress {
  /** Entries checked so far. */
  done: number;
  /** Entries to check. */
  total: number;
  /**
   * Bytes of the copies read so far (an entry counts whole once checked):
   * one large copy takes seconds a GB, in which `done` stands still.
   */
  bytes?: number;
  /** Bytes of all the copies to check (their recorded sizes). */
  totalBytes?: number;
  /**
   * Corrupt copies found so far (present once one is found): a caller
   * stopped by its `signal` says what was found before the stop, as the
   * rejection carries no result.
   */
  corrupt?: number;
  /** Of those, the ones removed (their next use downloads them again). */
  removed?: number;
}

/** Options of {@linkcode verifyEntries}. */
export interface VerifyOptions {
  /** Called at the start, as copies are read, and after each entry. */
  onProgress?: (progress: VerifyProgress) => void;
  /**
   * Told how many records have been read while the cache is listed, before
   * the first entry is looked at (0 at the start): a cache of a hundred
   * thousand entries takes a minute to list.
   */
  onListProgress?: (listed: number) => void;
  /** Entries hashed at once (default 2: hashing is CPU-bound). */
  concurrency?: number;
  /** Stops verifying. */
  signal?: AbortSignal;
}

/** What {@linkcode verifyEntries} found. */
export interface VerifyResult {
  /** Entries whose content matches. */
  ok: number;
  /**
   * Entries that did not match (each with its `problem`): removed, unless
   * the cache dir is not writable (then `notRemoved` says why; the next use
   * checks the copy again and does not serve it).
   */
  corrupt: Array<CacheEntry & { problem?: string; notRemoved?: string }>;
  /** Data files without a record that were removed. */
  orphans?: string[];
  /** Symbolic links inside the cache dir that records were not read through (never followed). */
  links?: string[];
  /**
   * Directories (or FIFOs, devices) where a record journal belongs (damaged, or planted): the
   * entries of their data directory cannot be cached until they are removed.
   * Named, never removed.
   */
  journalDirs?: string[];
  /**
   * Files where the records of a data directory belong (`.meta` itself, or
   * `.meta/<dir>` for the data directory `<dir>`): damaged, or planted; the
   * entries below cannot be cached until they are removed. Named, never removed.
   */
  recordDirFiles?: string[];
  /** Record journals that had another hard link, rewritten as the cache's own files. */
  ownedJournals?: string[];
  /** Data files that had another hard link, replaced by verified copies of the cache's own. */
  ownedData?: string[];
  /** Dead records dropped: no data file, unreadable, or naming another URI than their entry's. */
  deadRecords?: number;
  /**
   * Intact copies whose modification time had changed (touched, or a cache
   * copied without its times): their records took the new time, so lookups
   * serve them without hashing them again.
   */
  retimed?: string[];
  /**
   * Copies this process may not read (another user's file of mode 600 in a
   * shared cache dir; on Windows, one another program holds open without
   * sharing it), each with why: not checked, so neither ok nor corrupt.
   */
  unreadable?: Array<{ path: string; uri: string; problem: string }>;
  /**
   * Why the cache dir could not be written (a read-only mount, another
   * user's cache), when it could not: the check ran, but what it would have
   * removed or repaired is left as it was.
   */
  notWritable?: string;
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
  await assertIsCache(cacheDir);
  options.onListProgress?.(0);
  // A cache this process cannot write (a read-only mount, another user's)
  // is still checked, every copy reported; what needs a write is left.
  let notWritable: string | undefined;
  const write = async <T>(fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (!isPermissionError(e)) throw e;
      notWritable ??= (e as Error).message;
      return fallback;
    }
  };
  // First: a journal with another hard link (a `cp -al` copy) refuses appends.
  const ownedJournals = await write(() => ownJournals(cacheDir), []);
  await write(() => sweepDebris(cacheDir), undefined);
  const links = new Set<string>();
  const orphans: string[] = [];
  for (const path of await findOrphans(cacheDir, Date.now(), links)) {
    if (await write(() => removeOrphan(cacheDir, path).then(() => true), false)) orphans.push(path);
  }
  const scan = await scanEntries(cacheDir, links, options.onListProgress);
  const deadRecords = await write(() => dropDeadRecords(cacheDir, scan.dead), 0);
  const entries = scan.entries;
  const corrupt: VerifyResult["corrupt"] = [];
  const ownedData: string[] = [];
  const retimed: string[] = [];
  const unreadable: NonNullable<VerifyResult["unreadable"]> = [];
  let ok = 0;
  let done = 0;
  let bytes = 0;
  // Of `corrupt`, those removed (counted, not filtered at each report: a
  // report comes with every chunk read).
  let corruptRemoved = 0;
  const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
  const report = () =>
    options.onProgress?.({
      done,
      total: entries.length,
      bytes,
      totalBytes,
      ...(corrupt.length === 0 ? {} : { corrupt: corrupt.length, removed: corruptRemoved }),
    });
  // Drawn at once: the first entry may be a copy of many GB.
  if (entries.length > 0) report();
  const signal = options.signal;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 2, entries.length));
  await forEachLimit(entries, concurrency, async (entry) => {
    {
      signal?.throwIfAborted();
      const check = signal ? { signal } : {};
      // This entry's bytes in `bytes`: as far as its copy was read (a check
      // that reads it again does not count it twice), then all of it.
      let mine = 0;
      const count = (read: number) => {
        const upTo = Math.min(read, entry.size);
        if (upTo <= mine) return;
        bytes += upTo - mine;
        mine = upTo;
        report();
      };
      const finish = () => {
        bytes += Math.max(0, entry.size - mine);
        mine = entry.size;
        done++;
        report();
      };
      let problem: string | undefined;
      // Taken before the read: what hashing must not change (see keepLastUse).
      const beforeRead = await lastUseBeforeRead(entry.path).catch(() => undefined);
      try {
        problem = await problemWithCopy(entry.path, entry, {
          ...check,
          ...(options.onProgress ? { onProgress: (p) => count(p.bytes) } : {}),
        });
      } catch (e) {
        // Another user's copy this process may not read (a shared cache dir,
        // a umask of 077): it cannot be checked, which is no reason to leave
        // every other copy unchecked, nor to call it corrupt.
        // So is one another program holds open without sharing it for
        // reading (Windows: a sharing violation): checked once it is closed.
        if (fsPlatform.mandatoryLocks && isSharingViolation(e)) {
          unreadable.push({ path: entry.path, uri: entry.uri, problem: heldOpen(entry.path) });
          finish();
          return;
        }
        if (!isPermissionError(e)) throw e;
        unreadable.push({ path: entry.path, uri: entry.uri, problem: (e as Error).message });
        finish();
        return;
      }
      let notRemoved: string | undefined;
      let vanished = false;
      if (problem !== undefined) {
        // Under the entry's lock: another process may have refreshed it since
        // it was listed; then the new record is what counts. Or removed it
        // (a prune, an rm beside this verify): then it is no entry to report.
        try {
          await removeEntryFiles(cacheDir, entry.record, {
            unless: async (meta) => {
              if (meta === undefined) {
                vanished = true;
                return true;
              }
              if (!changedSince(entry, meta)) return false;
              problem = await problemWithCopy(entry.path, meta, check);
              return problem === undefined;
            },
          });
        } catch (e) {
          // A cache this process cannot write (a read-only mount, another
          // user's): verify still reports every copy; removing is left to
          // whoever can write it. A copy another program holds open
          // (Windows: `Busy`) stays too, reported; the next verify removes it.
          if (fsPlatform.mandatoryLocks && isSharingViolation(e)) {
            notRemoved = (e as Error).message;
          } else {
            if (!isPermissionError(e)) throw e;
            notRemoved = (e as Error).message;
            notWritable ??= notRemoved;
          }
        }
      }
      if (vanished) {
        // Neither ok nor corrupt: no longer an entry.
        finish();
        return;
      }
      if (problem === undefined) {
        ok++;
        // Hashing read the file: on a `relatime` mount that may have moved its
        // access time (its last use) to now, making every entry look just used.
        await keepLastUse(cacheDir, entry.path, beforeRead).catch(() => {});
        if (await adoptFileTime(cacheDir, entry).catch(() => false)) retimed.push(entry.path);
        // A `cp -al` copy: lookups take a shared data file for a miss.
        const own = await ownDataFile(
          cacheDir,
          entry,
          (copy) => problemWithCopy(copy, entry, check),
        )
          .catch(() => false);
        if (own) ownedData.push(entry.path);
      } else {
        corrupt.push({
          ...publicEntry(entry),
          problem,
          ...(notRemoved === undefined ? {} : { notRemoved }),
        });
        if (notRemoved === undefined) corruptRemoved++;
      }
      finish();
    }
  }, signal ? { signal } : {});
  const removed = corrupt.filter((c) => c.notRemoved === undefined);
  await write(() => compactJournals(cacheDir, removed), undefined);
  // In `ls` order, not the order the parallel checks ended in.
  corrupt.sort((a, b) => compareUtf8(a.uri, b.uri));
  const result: VerifyResult = { ok, corrupt };
  if (notWritable !== undefined) result.notWritable = notWritable;
  if (orphans.length > 0) result.orphans = orphans;
  if (links.size > 0) result.links = [...links];
  const { journalDirs, recordDirFiles } = await recordTreeDamage(cacheDir);
  if (journalDirs.length > 0) result.journalDirs = journalDirs;
  if (recordDirFiles.length > 0) result.recordDirFiles = recordDirFiles;
  if (ownedJournals.length > 0) result.ownedJournals = ownedJournals;
  if (ownedData.length > 0) result.ownedData = ownedData.sort(compareUtf8);
  if (deadRecords > 0) result.deadRecords = deadRecords;
  if (retimed.length > 0) result.retimed = retimed.sort(compareUtf8);
  if (unreadable.length > 0) {
    result.unreadable = unreadable.sort((a, b) => compareUtf8(a.path, b.path));
  }
  return result;
}

// Why a copy another program holds open (Windows) was not checked.
function heldOpen(path: string): string {
  return `cannot read ${path}: another program has it open (Windows refuses to read a file ` +
    "opened without read sharing); close it and run verify again";
}

/**
 * After `entry`'s copy was found intact: when its modification time is not
 * the recorded one, the record takes the file's time (as a lookup's own
 * check does), so the next use serves it without hashing it again. Only
 * under the entry's lock, only while the record is still the one listed,
 * and only while the file is the one that was hashed (same time and size
 * since it was listed). True when the record was rewritten.
 */
async function adoptFileTime(cacheDir: string, entry: StoredEntry): Promise<boolean> {
  const time = entry.fileMtime;
  // Records of earlier versions name no time: nothing to adopt.
  if (entry.recordedMtime === undefined || time === undefined || time === entry.recordedMtime) {
    return false;
  }
  assertNoLinks(cacheDir, entry.path);
  assertNoLinks(cacheDir, entry.record.journalPath);
  const { acquireEntryLock } = await import("./entry_lock.ts");
  let lock;
  try {
    lock = await acquireEntryLock(entry.path, { timeout: 10_000 });
  } catch {
    return false; // in use, or a read-only cache: the next use checks it
  }
  try {
    const found = readEntryRecord(entry.record)?.meta;
    if (
      found === undefined || found.etag !== entry.etag || found.size !== entry.size ||
      found.mtime !== entry.recordedMtime
    ) return false;
    const now = await lstatOrUndefined(entry.path);
    if (!isFileOfItsOwn(now) || now.size !== entry.size || now.mtime?.getTime() !== time) {
      return false;
    }
    writeEntryRecord(entry.record, { ...found, mtime: time });
    return true;
  } finally {
    lock.release();
  }
}

/** Whether the directory journal `journalPath` was split; false when it is a link (never read). */
function splitDir(journalPath: string): boolean {
  try {
    return isSplitJournal(journalPath);
  } catch {
    return false;
  }
}

/** What the journal says of a record; "unreadable" when it is behind a link. */
function lookupKind(record: RecordPaths): string {
  try {
    return lookupRecord(record.journalPath, record.recordName).kind;
  } catch {
    return "unreadable";
  }
}

/**
 * The endpoint named by an entry's namespace dir (`s3`, `s3@host_port`, and
 * `s3@host_port~hash` for an endpoint with a path; see layout.ts): `default`,
 * `host:port`, `host:port/path`. A path the namespace's record tree does not
 * name (a cache of an earlier version) is shown by its hash,
 * `host:port~1a2b3c4d`, so two paths on one host still differ.
 */
function endpointOf(
  cacheDir: string,
  rel: string,
  paths: Map<string, string | undefined>,
): string | undefined {
  const ns = rel.split(sep)[0] ?? "";
  if (ns === "s3") return "default";
  const m = /^s3@(.*)_(\d+)(~[0-9a-f]{8})?$/.exec(ns);
  if (!m) return undefined;
  const hostPort = `${m[1]}:${m[2]}`;
  const suffix = m[3];
  if (suffix === undefined) return hostPort;
  if (!paths.has(ns)) paths.set(ns, endpointPathIn(cacheDir, ns, suffix));
  return hostPort + (paths.get(ns) ?? suffix);
}

/** The endpoint path recorded for namespace `ns`, when it is there and hashes to `suffix`. */
function endpointPathIn(cacheDir: string, ns: string, suffix: string): string | undefined {
  const file = join(cacheDir, META_DIR, ns, ENDPOINT_PATH_FILE);
  try {
    // Never through a link (`.meta`, the namespace's dir, the file).
    if (linkOnPath(cacheDir, file) !== undefined) return undefined;
    const stat = Deno.lstatSync(file);
    if (!stat.isFile || stat.size > 4096) return undefined; // not one vc wrote

    const text = Deno.readTextFileSync(file).replace(/\n$/, "");
    // Only what this namespace's hash names (not a file copied from another).
    // A URL's path, as vc writes it, is percent-encoded: no control characters.
    const plain = [...text].every((c) => c.charCodeAt(0) > 0x1f && c !== "\x7f");
    return text.startsWith("/") && endpointPathSuffix(text) === suffix && plain ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `ls`, `prune` and `verify` report of an entry: none of the fields
 * maintenance keeps for itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publicEntry, type StoredEntry } from "./maintenance.ts";
 * const at = new Date(0);
 * const record = { dataPath: "/c/x", metaPath: "/c/.meta/x%.json", journalPath: "", recordName: "x" };
 * const stored: StoredEntry = {
 *   uri: "s3://b/x", path: "/c/x", size: 1, etag: "e", validatedAt: at, lastUsed: at,
 *   record, bytes: 1, md5: "m", fileMtime: 5,
 * };
 * assert.deepEqual(Object.keys(publicEntry(stored)), [
 *   "uri", "path", "size", "etag", "validatedAt", "lastUsed",
 * ]);
 * ```
 */
export function publicEntry(entry: StoredEntry): CacheEntry {
  const out: CacheEntry = {
    uri: entry.uri,
    path: entry.path,
    size: entry.size,
    etag: entry.etag,
    validatedAt: entry.validatedAt,
    lastUsed: entry.lastUsed,
  };
  if (entry.outdated !== undefined) out.outdated = entry.outdated;
  if (entry.remoteDeleted === true) out.remoteDeleted = true;
  if (entry.gone === true) out.gone = true;
  if (entry.endpoint !== undefined) out.endpoint = entry.endpoint;
  if (entry.checksum !== undefined) out.checksum = entry.checksum;
  return out;
}
