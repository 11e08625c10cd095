/**
 * What an asset cache process knows about its entries: the in-memory maps
 * (by URI for the warm path, by data path for everything else), reading and
 * writing entries' records, and whether an entry is fresh.
 *
 * This is on the warm path (`vc path`): it imports nothing that downloads.
 *
 * @module
 */
import { dirname, isAbsolute, toFileUrl as pathToFileURL } from "../path.ts";
import type { Clock } from "../clock.ts";
import { offlineSwitch } from "./offline_switch.ts";
import { normalizeEtag, statedMd5 } from "../hash.ts";
import { statusOrUndefinedSync } from "../file_status.ts";
import { formatUri, parseUri } from "../uri.ts";
import type { EntryMeta } from "./entry_meta.ts";
import {
  isFileOfItsOwn,
  isOwnDataFile,
  knownLegacyFree,
  lastUsedOf,
  markDue,
  markUsed,
  readEntryRecord,
  type RecordPaths,
  validationHolds,
  writeEntryRecord,
  writeEntryRecordGrouped,
} from "./entry_records.ts";
import { RecordBatcher } from "./journal_batch.ts";
import type { CacheLayout, EntryLocation } from "./layout.ts";

// Entries remembered in memory before the maps are reset.
const MEMORY_ENTRIES = 100_000;
// How long a journal found missing is taken as missing by a first look
// (see EntryIndex.load): a thousand cold lookups in one directory, made
// before its first download lands, fail one lstat instead of a thousand.
const MISSING_JOURNAL_MS = 2_000;
// How old this process's knowledge of an existing journal may be for a
// first look to answer from it without a look at the file: the journal is
// checked by every append and look, so in a batch a first look rarely needs
// its own `lstat`. Short: a hit it gives is as old as this (another
// process's invalidation or update is seen this much later).
const FIRST_LOOK_TRUST_MS = 10;

// The indexes of this process, by cache dir: what one's maintenance removes
// (`delete`, `prune`, `verify`), the others on that dir stop serving from
// memory at once. Another process sees it within a second (a warm hit looks
// at the file at most that often); two `AssetCache`s of one process (the
// default `cache()` beside one that prunes) would return a removed path.
const INDEXES_BY_DIR = new Map<string, Set<WeakRef<EntryIndex>>>();

function indexesOf(dir: string): EntryIndex[] {
  const refs = INDEXES_BY_DIR.get(dir);
  if (refs === undefined) return [];
  const live: EntryIndex[] = [];
  for (const ref of refs) {
    const index = ref.deref();
    if (index === undefined) refs.delete(ref);
    else live.push(index);
  }
  if (refs.size === 0) INDEXES_BY_DIR.delete(dir);
  return live;
}

/** What the process knows about one cached entry. */
export interface EntryRec {
  /** The entry's URI. */
  uri: string;
  /** Its data file. */
  path: string;
  /** Where its record lives. */
  loc: RecordPaths;
  /** Its record came from an earlier version's record file (removed on the next write). */
  legacy?: boolean;
  /** The store's ETag of the cached version. */
  etag: string;
  /** Its size in bytes. */
  size: number;
  /** Hex MD5 of the data, when known. */
  md5: string | undefined;
  /** Hex SHA-256 checked against an integrity lock entry, if ever. */
  sha256?: string | undefined;
  /** ms since the epoch; 0 = invalidated (revalidate even if immutable). */
  validatedAt: number;
  /**
   * Memory only: a revalidation found the store unreachable, so the copy is
   * served until then (ms of {@linkcode EntryIndex.elapsed}, the clock's
   * monotonic time: a step of the wall clock back, by NTP or an operator,
   * must not stretch the wait) without asking again (see `EntryResolver`). The
   * record keeps what it said: an invalidation stays pending, a validation
   * time in the future stays stale, until the store answers.
   */
  retryAt?: number | undefined;
  /**
   * Memory only: why the copy is being served without the store's
   * confirmation (set with `retryAt`, cleared when the store answers or the
   * entry is invalidated), for `CacheGetOptions.onStale`.
   */
  staleReason?: string | undefined;
  /**
   * When the copy was last served with the warning of a store that could
   * not be asked (ms of {@linkcode EntryIndex.elapsed}): with a TTL under
   * the wait above (0: every call asks), every call asks again, and this
   * keeps it to one warning a minute. Memory only; cleared when the store
   * answers.
   */
  warnedAt?: number | undefined;
  /** The source may have been still being written (see `EntryMeta.unsettled`). */
  unsettled?: true | undefined;
  /** When last use was last recorded (ms). */
  touchedAt: number;
  /** When the data file's existence was last checked (ms). */
  checkedAt: number;
  /** Never revalidated (an immutable bucket or prefix). */
  immutable: boolean;
  /** False once replaced or removed: not served from memory. */
  valid: boolean;
  /** Part sizes of a multipart ETag. */
  partSizes?: number[] | undefined;
  /** The store said the object is gone (recorded, so other processes know). */
  gone?: boolean;
  /** The data file's modification time when the cache wrote it (see `EntryMeta.mtime`). */
  mtime?: number | undefined;
  /** The ETag is not a hash of the content (see `EntryMeta.opaqueEtag`). */
  opaqueEtag?: boolean | undefined;
  /** The store's checksum the download was checked with (see `EntryMeta.checksum`). */
  checksum?: string | undefined;
  /** The store's token of the source's state (see `EntryMeta.validator`). */
  validator?: string | undefined;
}

/** Settings of an {@linkcode EntryIndex}. */
export interface EntryIndexOptions {
  /** Source of time. */
  clock: Clock;
  /** ms before an entry is revalidated. */
  ttlMs: number;
  /** Serve whatever is cached, never ask. */
  offline: boolean;
  /**
   * Where offline mode came from (`Settings.sources.offline`: `option`,
   * `env VC_OFFLINE`, `config FILE`), for messages; default `option`.
   */
  offlineSource?: string;
  /** Bucket names or store root URIs that are never revalidated. */
  immutableBuckets: readonly string[];
}

/**
 * The entries a cache process knows, and their records on disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EntryIndex } from "./entry_index.ts";
 * import { CacheLayout } from "./layout.ts";
 * import { systemClock } from "../clock.ts";
 * import { parseUri } from "../uri.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const layout = new CacheLayout(dir);
 *   const index = new EntryIndex(layout, {
 *     clock: systemClock,
 *     ttlMs: 1000,
 *     offline: false,
 *     immutableBuckets: ["frozen"],
 *   });
 *   const parsed = parseUri("s3://frozen/a.csv");
 *   assert(parsed.scheme === "s3");
 *   const loc = layout.locate(parsed);
 *   assert(index.isImmutable(loc));
 *   assert.equal(index.load(loc), undefined); // nothing cached
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class EntryIndex {
  /** Where entries live. */
  readonly layout: CacheLayout;
  /** Source of time. */
  readonly clock: Clock;
  /** ms before an entry is revalidated. */
  readonly ttlMs: number;
  /** Serve whatever is cached, never ask. */
  readonly offline: boolean;
  /**
   * The setting that turned offline mode on, what turns it off and what
   * would turn it on (see `offlineSwitch`).
   */
  readonly offlineSwitch: { on: string; off: string; how: string };
  #immutable: { buckets: Set<string>; prefixes: string[] };
  #byUri = new Map<string, EntryRec>();
  #byPath = new Map<string, EntryRec>();
  // The records `byUri` holds (see `release`).
  #remembered = new WeakSet<EntryRec>();
  // Data paths whose record describes another file than the one there (see hasChanged).
  #changed = new Map<string, EntryMeta>();
  // Journal path → when it was found missing (see MISSING_JOURNAL_MS).
  #missingJournals = new Map<string, number>();
  #batcher = new RecordBatcher();

  /** No I/O. */
  constructor(layout: CacheLayout, options: EntryIndexOptions) {
    this.layout = layout;
    this.clock = options.clock;
    this.ttlMs = options.ttlMs;
    this.offline = options.offline;
    this.offlineSwitch = offlineSwitch(options.offlineSource ?? "option");
    this.#immutable = parseImmutable(options.immutableBuckets);
    indexesOf(layout.dir); // drops those collected meanwhile
    const refs = INDEXES_BY_DIR.get(layout.dir) ?? new Set();
    refs.add(new WeakRef(this));
    INDEXES_BY_DIR.set(layout.dir, refs);
  }

  /** The entry last served for `uri`, if remembered. */
  byUri(uri: string): EntryRec | undefined {
    return this.#byUri.get(uri);
  }

  /** The entry known at data path `path`, if remembered. */
  byPath(path: string): EntryRec | undefined {
    return this.#byPath.get(path);
  }

  /** Remembers `rec` as the entry at its data path. */
  setPath(rec: EntryRec): void {
    this.#changed.delete(rec.path);
    this.#byPath.set(rec.path, rec);
  }

  /** Remembers that `uri` is served by `rec`. */
  remember(uri: string, rec: EntryRec): void {
    if (this.#byUri.size >= MEMORY_ENTRIES) {
      // Bounded memory in long-running processes: the maps only save disk
      // reads, so dropping them all is correct, and cheaper than an LRU.
      this.#byUri.clear();
      this.#byPath.clear();
      this.#remembered = new WeakSet();
      this.#byPath.set(rec.path, rec);
    }
    // A record served by `byUri` is the one `byPath` holds, so `forget` (a
    // delete) reaches it: `release` may have let it go from `byPath`.
    if (rec.valid && !this.#byPath.has(rec.path)) this.#byPath.set(rec.path, rec);
    this.#byUri.set(uri, rec);
    this.#remembered.add(rec);
  }

  /**
   * Lets `rec` go from memory after a call that asked for its object once
   * (`CacheGetOptions.once`): the next look reads its record from disk. Kept
   * when a `byUri` entry serves it (another caller's), so `forget` still
   * reaches it there.
   */
  release(rec: EntryRec): void {
    if (this.#byPath.get(rec.path) === rec && !this.#remembered.has(rec)) {
      this.#byPath.delete(rec.path);
    }
  }

  /** Stops serving the entry at `path` from memory. */
  forget(path: string): void {
    const rec = this.#byPath.get(path);
    if (rec !== undefined) rec.valid = false;
    this.#byPath.delete(path);
  }

  /**
   * {@linkcode EntryIndex.forget} in every index of this process on the same
   * cache dir: the entry's copy was removed or its record changed (or may
   * have been: `path` undefined, after a pass that stopped midway, forgets
   * every entry), so the next look at it reads its record from disk.
   */
  forgetInProcess(path: string | undefined): void {
    for (const index of indexesOf(this.layout.dir)) {
      if (path === undefined) index.forgetAll();
      else index.forget(path);
    }
  }

  /**
   * Stops serving every entry from memory: after a maintenance pass that
   * stopped midway (which copies it removed is not known), the next look at
   * each reads its record from disk, as a new process would.
   */
  forgetAll(): void {
    for (const rec of this.#byPath.values()) rec.valid = false;
    for (const rec of this.#byUri.values()) rec.valid = false;
    this.#byPath.clear();
    this.#byUri.clear();
    this.#remembered = new WeakSet();
  }

  /** Whether `rec` may be served at `now` without asking the store. */
  isFresh(rec: EntryRec, now: number, immutable: boolean): boolean {
    if (this.offline) return true; // never ask: whatever is cached is served
    // The store was unreachable a moment ago: served (warned once) until then.
    if (rec.retryAt !== undefined && this.elapsed() < rec.retryAt) return true;
    // Copied from a file that may still have been written: asked again
    // (offline, served as it is, unwarned: it is no older than the TTL).
    if (rec.unsettled === true && !rec.immutable && !immutable) return false;
    return !this.#due(rec, now, immutable);
  }

  /**
   * In offline mode, why `rec` served at `now` is stale: it is due for the
   * store's confirmation (see `#due`), which offline mode does not ask for;
   * undefined online, or for a copy that is not due.
   */
  offlineStaleReason(rec: EntryRec, now: number, immutable: boolean): string | undefined {
    if (!this.offline || !this.#due(rec, now, immutable)) return undefined;
    return `offline mode is on (${this.offlineSwitch.on})`;
  }

  // Whether the store is to be asked about `rec` at `now` before it is served.
  #due(rec: EntryRec, now: number, immutable: boolean): boolean {
    if (!validationHolds(rec, now)) return true; // ask even if immutable
    if (rec.immutable || immutable) return false;
    // A TTL of 0 asks on every call, also for a validation dated a little
    // ahead (a clock stepped back, a machine ahead sharing the dir), whose
    // age is below 0.
    return !(this.ttlMs > 0 && now - rec.validatedAt < this.ttlMs);
  }

  /**
   * The clock's monotonic time (ms), in which the waits after an unreachable
   * store run: unlike `now()`, never stepped back or forward.
   */
  elapsed(): number {
    return this.clock.monotonic?.() ?? this.clock.now();
  }

  /**
   * Whether the entry's bucket or prefix, or the entry itself, is never
   * revalidated: an item `s3://b/models/w.bin` covers that object and what
   * lies below it, never `s3://b/models/w.bin.bak`.
   */
  isImmutable(loc: EntryLocation): boolean {
    if (loc.bucket !== "" && this.#immutable.buckets.has(loc.bucket)) return true;
    return this.#immutable.prefixes.some((p) =>
      loc.uri.startsWith(p) || loc.uri === p.slice(0, -1)
    );
  }

  /** Whether `rec` is to be marked used at `now` (see {@linkcode markDue}). */
  touchDue(rec: EntryRec, now: number): boolean {
    return markDue(rec.touchedAt, now, rec.path);
  }

  /** Records last use (best effort). */
  async touch(rec: EntryRec, now: number): Promise<void> {
    rec.touchedAt = now;
    await markUsed(rec.path, now);
  }

  /**
   * Reads an entry's record, never through a link: a symbolic link at its
   * journal, a shard, `.meta` or a directory below it is refused with an
   * error naming it (like a write), instead of records read from elsewhere.
   */
  readRecord(loc: RecordPaths, trustMs = 0): ReturnType<typeof readEntryRecord> {
    // A journal just found missing is not looked up again (a cold miss
    // would fail a second lstat); its directory may still hold a record
    // file of an earlier version.
    const journal = this.layout.assertSafeOnce(loc.journalPath);
    const found = readEntryRecord(loc, journal === false, trustMs);
    // Remembered only where no earlier version's record file can answer either.
    if (journal === false && found === undefined && knownLegacyFree(dirname(loc.metaPath))) {
      if (this.#missingJournals.size >= MEMORY_ENTRIES) this.#missingJournals.clear();
      this.#missingJournals.set(loc.journalPath, this.clock.now());
    }
    return found;
  }

  /** Writes a record (checked for planted links first). */
  writeRecord(loc: RecordPaths, meta: EntryMeta, legacy = false): void {
    this.#beforeWrite(loc, legacy);
    writeEntryRecord(loc, meta, { legacy });
  }

  /**
   * {@linkcode EntryIndex.writeRecord}, in one append with the records other
   * downloads of this process hand in during the same turn (a burst of
   * completed downloads pays for one lock, check and write).
   */
  writeRecordGrouped(loc: RecordPaths, meta: EntryMeta, legacy = false): Promise<void> {
    try {
      this.#beforeWrite(loc, legacy);
    } catch (e) {
      return Promise.reject(e);
    }
    // The batch's own promise: no async call of its own per record.
    return writeEntryRecordGrouped(loc, meta, this.#batcher, { legacy });
  }

  #beforeWrite(loc: RecordPaths, legacy: boolean): void {
    this.#missingJournals.delete(loc.journalPath);
    this.layout.assertSafeOnce(loc.journalPath);
    if (legacy) this.layout.assertSafe(loc.metaPath);
  }

  /** {@linkcode EntryIndex.writeRecord} for a known entry; clears its legacy flag. */
  saveRec(rec: EntryRec, meta: EntryMeta = toMeta(rec)): void {
    this.writeRecord(rec.loc, meta, rec.legacy === true);
    rec.legacy = false;
  }

  /**
   * Reads the entry's record and checks its data file; undefined when not
   * usable. `firstLook`: a look before any download is started, whose miss
   * is looked at again under the download's lock; then a journal this
   * process found missing less than two seconds (at most the TTL) ago is
   * taken as still missing, without I/O (another process's record written
   * since is found by that second look, and served as fresh), and a
   * journal whose lines this process checked against the file in the last
   * 10 ms (at most the TTL) answers from them, without a look at the file.
   */
  load(loc: EntryLocation, firstLook = false): EntryRec | undefined {
    if (firstLook) {
      const missingSince = this.#missingJournals.get(loc.journalPath);
      if (missingSince !== undefined) {
        // Never longer than the TTL: what the lock finds is served as fresh.
        const trusted = Math.min(MISSING_JOURNAL_MS, this.ttlMs);
        if (this.clock.now() - missingSince < trusted) return undefined;
        this.#missingJournals.delete(loc.journalPath);
      }
    }
    const found = this.readRecord(
      loc,
      firstLook ? Math.min(FIRST_LOOK_TRUST_MS, this.ttlMs) : 0,
    );
    const meta = found?.meta;
    // A record for another URI means two URIs share a path (case-insensitive
    // filesystem): never serve one's data for the other.
    if (meta === undefined || meta.uri !== loc.uri) return undefined;
    // lstat: a data file replaced by a link (planted) is not a regular file: a miss.
    const stat = statusOrUndefinedSync(loc.dataPath);
    const fileOfItsOwn = isFileOfItsOwn(stat);
    // Not the cache's own copy (another size, a link, another name, changed
    // in place): a miss. A file of its own that changed is remembered, for
    // the resolver to check its bytes (`takeChanged`).
    if (!isOwnDataFile(stat, meta)) {
      if (fileOfItsOwn) {
        if (this.#changed.size >= MEMORY_ENTRIES) this.#changed.clear();
        this.#changed.set(loc.dataPath, meta);
      }
      return undefined;
    }
    return this.adopt(loc, meta, stat, found?.legacyUsed);
  }

  /**
   * Whether the last look at `dataPath` found a record whose data file is a
   * file of its own but not the one the record describes (another size or
   * modification time: edited in place, touched, copied without its times).
   */
  hasChanged(dataPath: string): boolean {
    return this.#changed.has(dataPath);
  }

  /** That record (see {@linkcode EntryIndex.hasChanged}), handed out once. */
  takeChanged(loc: EntryLocation): EntryMeta | undefined {
    const meta = this.#changed.get(loc.dataPath);
    if (meta !== undefined) this.#changed.delete(loc.dataPath);
    return meta;
  }

  /**
   * Remembers the entry at `loc` as `meta` describes it, its data file
   * having status `stat` (checked by the caller to be the record's).
   */
  adopt(loc: EntryLocation, meta: EntryMeta, stat: Deno.FileInfo, legacyUsed?: number): EntryRec {
    const now = this.clock.now();
    const rec: EntryRec = {
      uri: loc.uri,
      path: loc.dataPath,
      loc,
      etag: meta.etag,
      size: meta.size,
      md5: meta.md5,
      sha256: meta.sha256,
      validatedAt: meta.validatedAt,
      touchedAt: lastUsedOf(stat, legacyUsed),
      checkedAt: now,
      immutable: this.isImmutable(loc),
      valid: true,
      partSizes: meta.partSizes,
      mtime: meta.mtime,
      opaqueEtag: meta.opaqueEtag,
      validator: meta.validator,
      unsettled: meta.unsettled,
      checksum: meta.checksum,
    };
    if (meta.gone === true) rec.gone = true;
    if (legacyUsed !== undefined) rec.legacy = true;
    this.#byPath.set(rec.path, rec);
    return rec;
  }
}

/**
 * The record of `rec`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toMeta } from "./entry_index.ts";
 * const meta = toMeta({ uri: "s3://b/k", etag: "e", size: 1, md5: undefined, validatedAt: 5 });
 * assert.deepEqual(meta, { uri: "s3://b/k", etag: "e", size: 1, validatedAt: 5 });
 * ```
 */
export function toMeta(
  rec: Pick<
    EntryRec,
    | "uri"
    | "etag"
    | "size"
    | "md5"
    | "sha256"
    | "validatedAt"
    | "partSizes"
    | "mtime"
    | "opaqueEtag"
    | "validator"
    | "unsettled"
    | "checksum"
  >,
): EntryMeta {
  const meta: EntryMeta = {
    uri: rec.uri,
    etag: rec.etag,
    size: rec.size,
    validatedAt: rec.validatedAt,
  };
  if (rec.md5 !== undefined) meta.md5 = rec.md5;
  if (rec.sha256 !== undefined) meta.sha256 = rec.sha256;
  if (rec.partSizes !== undefined) meta.partSizes = rec.partSizes;
  if (rec.mtime !== undefined) meta.mtime = rec.mtime;
  if (rec.opaqueEtag === true) meta.opaqueEtag = true;
  if (rec.validator !== undefined) meta.validator = rec.validator;
  if (rec.unsettled === true) meta.unsettled = true;
  if (rec.checksum !== undefined) meta.checksum = rec.checksum;
  return meta;
}

/**
 * Whether two descriptions name the same version of an object (size and
 * ETag). No ETag names no version: an answer without one (a proxy that
 * strips it, an object verified by its `vc-md5`) is never the same version
 * as a record without one; {@linkcode sameContent} decides then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameVersion } from "./entry_index.ts";
 * assert(sameVersion({ etag: '"e"', size: 1 }, { etag: "e", size: 1 }));
 * assert(!sameVersion({ etag: "e", size: 1 }, { etag: "e", size: 2 }));
 * assert(!sameVersion({ etag: "", size: 1 }, { etag: "", size: 1 }));
 * ```
 */
export function sameVersion(
  a: { etag: string; size: number },
  b: { etag: string; size: number },
): boolean {
  const etag = normalizeEtag(a.etag);
  return a.size === b.size && etag !== "" && etag === normalizeEtag(b.etag);
}

/**
 * Whether the store's description `head` of an object, under another ETag
 * than a cached copy's, states that copy's content: its size, and the MD5
 * it states (a plain ETag the store does not mark opaque, else `vc-md5` or
 * rclone's `md5chksum`) is the one recorded for the copy (`md5`, the MD5 of
 * the bytes that were written). An ETag changes without the content
 * changing when a bucket moves to SSE-KMS (whose ETags are no MD5) or a
 * file is uploaded again in parts: such a copy is current, with no
 * download. False when either MD5 is unknown (a multipart ETag with no
 * `vc-md5`): only a download can tell then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameContent } from "./entry_index.ts";
 * const md5 = "5d41402abc4b2a76b9719d911017c592"; // "hello"
 * const kms = { etag: "f0e1d2c3b4a5968778695a4b3c2d1e0f", size: 5, opaqueEtag: true };
 * assert(sameContent({ ...kms, metadata: { "vc-md5": md5 } }, { size: 5, md5 }));
 * assert(!sameContent(kms, { size: 5, md5 }));
 * assert(!sameContent({ etag: md5, size: 5 }, { size: 5, md5: undefined }));
 * ```
 */
export function sameContent(
  head: { etag: string; size: number; opaqueEtag?: boolean; metadata?: Record<string, string> },
  copy: { size: number; md5?: string | undefined },
): boolean {
  if (copy.md5 === undefined || head.size !== copy.size) return false;
  return statedMd5(head) === copy.md5.toLowerCase();
}

function parseImmutable(items: readonly string[]): { buckets: Set<string>; prefixes: string[] } {
  const buckets = new Set<string>();
  const prefixes: string[] = [];
  for (const item of items) {
    if (item.includes("://") || isAbsolute(item)) {
      const parsed = parseUri(item.includes("://") ? item : pathToFileURL(item).href);
      if (parsed.scheme === "s3" && parsed.key === "") {
        buckets.add(parsed.bucket);
        continue;
      }
      // Canonical form, so `file:///srv/a b` matches `file:///srv/a%20b/x`.
      prefixes.push(formatUri(parsed).replace(/\/+$/, "") + "/");
    } else {
      buckets.add(item);
    }
  }
  return { buckets, prefixes };
}
