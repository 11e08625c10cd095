/**
 * The asset cache's downloads: opening stores, and fetching an entry into
 * place under its cross-process lock (at most `maxDownloads` at once),
 * writing its record before the lock is released.
 *
 * Loaded on the first download or revalidation: a warm process never
 * parses it.
 *
 * @module
 */
import { fileAbove, statusOrUndefinedSync } from "../file_status.ts";
import { basename, dirname, fromFileUrl as fileURLToPath, toFileUrl } from "../path.ts";
import { AtomicFile, removeQuietly, sharedTempPathFor, tempPathFor } from "../atomic_write.ts";
import { renameOverSync } from "../replace_file.ts";
import { Limiter } from "../pool.ts";
import { normalizeEtag } from "../hash.ts";
import { isNoLocks, tellNoLocks } from "../file_lock.ts";
import { isNoSpaceError } from "../no_space.ts";
import { isFileTooLargeError } from "../file_size_limit.ts";
import { untilAborted } from "../abort_hub.ts";
import {
  type DownloadIntegrity,
  downloadWithTemp,
  type TempDownloadOptions,
} from "../store/download.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { mayBeBeingWritten } from "../store/fs_validator.ts";
import { IsDirectoryError, NotFoundError, StoreNotFoundError } from "../errors.ts";
import type { AssetCacheOptions } from "./cache_options.ts";
import { explainCacheError } from "./cache_errors.ts";
import { unwritableCacheDir } from "./unwritable_cache_dir.ts";
import { ensureCacheDir, restrictiveMode, restrictiveModeOf } from "./cache_dir.ts";
import { removeEmptyParents } from "./cache_fs.ts";
import { sweepDirectory } from "./debris.ts";
import { acquireEntryLock, type EntryLock } from "./entry_lock.ts";
import { keptPartial, partialResume } from "./partial_download.ts";
import { isFileOfItsOwn } from "./entry_records.ts";
import { type EntryIndex, type EntryRec, sameContent, sameVersion, toMeta } from "./entry_index.ts";
import { type EntryLocation, keysBelowIn } from "./layout.ts";
import { keepJournalsOpen } from "./record_journal.ts";
import type { FlightContext, FlightProgress } from "./single_flight.ts";
import { holdsPinnedContent } from "./pinned_content.ts";

// Directories remembered as swept before the set is reset.
const MEMORY_DIRS = 100_000;
/** What a swept data directory without directories in it remembers: one shared empty set. */
const NO_NAMES: ReadonlySet<string> = new Set();

/** Where a store reads an entry's object: its store's root URI and the key there. */
export interface HashedSource {
  /** The store's root URI. */
  root: string;
  /** The object's key in that store. */
  key: string;
}

/** Settings of an {@linkcode EntryFetcher}. */
export interface EntryFetcherOptions {
  /**
   * Opens the store of a root URI. A directory store it opens may tell
   * `onHashProgress` how far it hashes a file for its ETag (`FsStore`'s
   * option of that name): the flight reading that object is told.
   */
  open: (
    rootUri: string,
    onHashProgress: (progress: { key: string; bytes: number; total: number }) => void,
  ) => Promise<ObjectStore>;
  /**
   * Whether `open` makes stores this fetcher owns (closed by `close()`);
   * false for a caller's opener, whose stores stay open for the caller.
   */
  ownsStores?: boolean;
  /** Receives warnings; `kind` `"wait"` for one saying the call waits behind another process. */
  warn: (message: string, kind?: "wait") => void;
  /** How long to wait for another process's lock on an entry (ms). */
  lockWaitMs: number;
  /** Downloads at once. */
  maxDownloads: number;
  /** The S3 endpoint entries are cached under (for messages). */
  endpoint: string | undefined;
  /** Tuning of large downloads. */
  download: AssetCacheOptions["download"];
}

/**
 * Downloads entries of one cache into place, and opens (and closes) the
 * stores they come from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EntryFetcher } from "./entry_fetch.ts";
 * import { EntryIndex } from "./entry_index.ts";
 * import { CacheLayout } from "./layout.ts";
 * import { systemClock } from "../clock.ts";
 * import { openStore } from "../store/open.ts";
 * import { parseUri } from "../uri.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${root}/x.txt`, "x");
 *   const layout = new CacheLayout(`${root}/cache`);
 *   const index = new EntryIndex(layout, {
 *     clock: systemClock,
 *     ttlMs: 1000,
 *     offline: false,
 *     immutableBuckets: [],
 *   });
 *   const fetcher = new EntryFetcher(index, {
 *     open: (uri) => openStore(uri),
 *     warn: () => {},
 *     lockWaitMs: 1000,
 *     maxDownloads: 4,
 *     endpoint: undefined,
 *     download: undefined,
 *   });
 *   const parsed = parseUri(`file://${root}/x.txt`);
 *   assert(parsed.scheme === "file");
 *   const ctx = { signal: new AbortController().signal, progress: () => {} };
 *   const rec = await fetcher.fetch(layout.locate(parsed), undefined, ctx);
 *   assert.equal(await Deno.readTextFile(rec.path), "x");
 *   await fetcher.close();
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class EntryFetcher {
  #index: EntryIndex;
  #options: EntryFetcherOptions;
  #stores = new Map<string, Promise<ObjectStore>>();
  // The same stores once open, by root: a download takes its store with no await.
  #opened = new Map<string, ObjectStore>();
  // Who is told how far a store hashes a key's file, by root and key (see
  // reportingHashes): a store is shared by every flight reading from it.
  #hashing = new Map<string, (progress: FlightProgress) => void>();
  #downloads: Limiter;
  #fetching = 0;
  #closeJournals: (() => void) | undefined;
  /**
   * The data directories swept by this process, each with the names of the
   * directories the sweep found in it (see {@linkcode NO_NAMES}).
   */
  #swept = new Map<string, ReadonlySet<string>>();
  /**
   * The downloads in progress in this process, by data path: a key and a
   * key below it (`s3://b/a`, `s3://b/a/b`) fetched at once wait for each
   * other (see #afterClashingFetches).
   */
  #inFlight = new Map<string, { uri: string; done: Promise<void> }>();

  /** No I/O. */
  constructor(index: EntryIndex, options: EntryFetcherOptions) {
    this.#index = index;
    this.#options = options;
    this.#downloads = new Limiter(options.maxDownloads);
  }

  /**
   * The store holding `loc`'s object (opened once per root), its key there,
   * and the `source` to give {@linkcode reportingHashes} (a `file://`
   * object's real path is resolved once per call, not again for that).
   */
  storeFor(
    loc: EntryLocation,
  ): Promise<{ store: ObjectStore; key: string; source: HashedSource }> {
    return this.#storeAt(this.#rootAndKey(loc));
  }

  // storeFor with the root and key found.
  async #storeAt(
    { root, key }: { root: string; key: string },
  ): Promise<{ store: ObjectStore; key: string; source: HashedSource }> {
    let store = this.#stores.get(root);
    if (store === undefined) {
      const report = (p: { key: string; bytes: number; total: number }) =>
        this.#hashing.get(`${root}\0${p.key}`)?.({
          bytes: p.bytes,
          total: p.total,
          step: "hashing",
        });
      store = this.#options.open(root, report);
      this.#stores.set(root, store);
      const opening = store;
      opening.then((opened) => {
        if (this.#stores.get(root) === opening) this.#opened.set(root, opened);
      }, () => {
        if (this.#stores.get(root) === opening) this.#stores.delete(root);
      });
    }
    return { store: await store, key, source: { root, key } };
  }

  /**
   * Runs `work` (a read of the object at `source`, from
   * {@linkcode storeFor}) with the store's hashing of its
   * file told to `progress` as a `hashing` step: a large file with no valid
   * sidecar in a `file://` directory is hashed for its ETag before a byte is
   * copied, seconds a GB in which nothing was reported. The first hashing
   * only: a file changed within the last seconds is hashed again by each of
   * a large download's ranged reads (its ETag cannot be remembered yet), and
   * the bar would jump back to 0 for each.
   */
  async reportingHashes<T>(
    source: HashedSource,
    progress: (progress: FlightProgress) => void,
    work: () => Promise<T>,
  ): Promise<T> {
    const route = `${source.root}\0${source.key}`;
    let hashed = false;
    const hashing = (p: FlightProgress) => {
      if (hashed) return;
      hashed = p.bytes >= p.total;
      progress(p);
    };
    this.#hashing.set(route, hashing);
    try {
      return await work();
    } finally {
      if (this.#hashing.get(route) === hashing) this.#hashing.delete(route);
    }
  }

  /**
   * The root URI of the store holding `loc`'s object, and its key there;
   * for a `file://` object read through links, `mode`: the status mode of
   * the file when it was looked at here (see {@linkcode restrictiveModeOf}).
   */
  #rootAndKey(loc: EntryLocation): { root: string; key: string; mode?: number | null } {
    let root = loc.storeRoot;
    let key = loc.key;
    if (loc.bucket === "" && loc.followLinks !== false) {
      // file:// objects: read through links (the store refuses to follow
      // them), unless read as their store has them (CacheGetOptions.storeRoot).
      const path = fileURLToPath(loc.uri);
      try {
        // A name that is no link is read at its directory as it is: that
        // store resolves its own root once, and refuses a link swapped in
        // at the name. Only a link is resolved here (a `realpath`, a
        // `readlink` per component of the path: per object, in a cold copy
        // of many small files). One `lstat` also gives the mode.
        const st = Deno.lstatSync(path);
        if (!st.isSymlink) {
          return { root: toFileUrl(dirname(path)).href, key: basename(path), mode: st.mode };
        }
        const real = Deno.realPathSync(path);
        root = toFileUrl(dirname(real)).href;
        key = basename(real);
      } catch {
        // Missing: the store reports it.
      }
    }
    return { root, key };
  }

  /** Closes the stores opened so far (they are reopened on demand). */
  async close(): Promise<void> {
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    this.#opened.clear();
    if (this.#options.ownsStores === false) return; // the caller's to close
    await Promise.all(stores.map(async (p) => {
      try {
        await (await p).close();
      } catch {
        // A store that failed to open has nothing to close.
      }
    }));
  }

  /** Downloads the object (a new version when `expected` is set), at most `maxDownloads` at once. */
  fetch(
    loc: EntryLocation,
    expected: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<EntryRec> {
    // While downloads run or wait for a slot, record journals stay open
    // between appends: counted from here, not from the slot, or the handles
    // were let go each time every running download finished at once (their
    // records go in one append) and opened again for the next ones.
    if (this.#fetching++ === 0) this.#closeJournals = keepJournalsOpen();
    // Aborted while it waits for a slot (every caller gave up), it leaves
    // the queue at once: kept there, a new call of the same key waited for
    // it to reach a slot before it could queue (behind the calls made since).
    return this.#downloads.run(() => this.#fetchNow(loc, expected, ctx, integrity), ctx.signal)
      .finally(() => {
        if (--this.#fetching === 0) this.#closeJournals?.();
      });
  }

  /**
   * A clash of the key's path with the copies of other keys (S3 allows `a`
   * beside `a/b`; a file system does not), said only of a key that exists:
   * with no object there (a prefix given for one, `s3://b/models`) it is the
   * miss a cold cache says. One HEAD; the clash is still found before a GET.
   */
  async #clashOrMiss(
    clash: Error,
    loc: EntryLocation,
    store: ObjectStore,
    key: string,
    signal: AbortSignal,
    sameTime: string | undefined,
  ): Promise<unknown> {
    const info = await store.head(key, { signal }).catch((e) => {
      throw this.explain(e, loc);
    });
    if (info === undefined) {
      return this.explain(new NotFoundError(`${loc.uri} does not exist`), loc);
    }
    return withNote(
      this.explain(clash, loc),
      sameTime === undefined ? "" : `; ${sameTime} was cached at the same time`,
    );
  }

  /**
   * Waits for the downloads in progress whose data path is the directory of
   * `loc`'s, or in its directory (S3 allows `a` beside `a/b`; a file system
   * does not): the copy each puts in place is then found by the checks a
   * later call makes, and this one refused before its GET, not after it by
   * its rename. One that fails puts nothing in the way: this one goes on.
   * It waits in its download slot: the ones it waits for hold theirs.
   * Then this download is in progress (taken, with no await, once no other
   * is): `release` ends it. `sameTime`: of those it waited for, the URI of
   * the last (for the message).
   */
  async #afterClashingFetches(
    loc: EntryLocation,
    signal: AbortSignal,
  ): Promise<{ sameTime: string | undefined; release: () => void }> {
    const path = loc.dataPath;
    const below = (inner: string, outer: string) =>
      inner.startsWith(outer) && (inner[outer.length] === "/" || inner[outer.length] === "\\");
    let waited: string | undefined;
    // Bounded: each turn waits for a download that had started.
    for (let turn = 0; turn < 1_000; turn++) {
      let other: { uri: string; done: Promise<void> } | undefined;
      for (const [p, flight] of this.#inFlight) {
        if (below(p, path) || below(path, p)) other = flight;
      }
      if (other === undefined) break;
      waited = other.uri;
      await untilAborted(other.done, signal);
    }
    const done = Promise.withResolvers<void>();
    const flight = { uri: loc.uri, done: done.promise };
    this.#inFlight.set(path, flight);
    const release = () => {
      if (this.#inFlight.get(path) === flight) this.#inFlight.delete(path);
      done.resolve();
    };
    return { sameTime: waited, release };
  }

  /**
   * Downloads the object (a new version when `expected` is set) under the
   * entry lock, in a slot of {@linkcode EntryFetcher.fetch}'s limiter, once
   * no download of a clashing key is in progress in this process.
   */
  async #fetchNow(
    loc: EntryLocation,
    expected: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<EntryRec> {
    // Aborted while waiting for a slot: nothing started, nothing to undo.
    ctx.signal.throwIfAborted();
    const { sameTime, release } = await this.#afterClashingFetches(loc, ctx.signal);
    try {
      return await this.#fetchClaimed(loc, expected, ctx, integrity, sameTime);
    } finally {
      release();
    }
  }

  /**
   * {@linkcode EntryFetcher.#fetchNow}'s download, once the downloads of
   * clashing keys it waited for (the last one's URI `sameTime`) are done.
   */
  async #fetchClaimed(
    loc: EntryLocation,
    expected: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity: DownloadIntegrity | undefined,
    sameTime: string | undefined,
  ): Promise<EntryRec> {
    const index = this.#index;
    const layout = index.layout;
    // The store once it is open: taken with no await.
    const at = this.#rootAndKey(loc);
    const opened = this.#opened.get(at.root);
    const { store, key, source } = opened !== undefined
      ? { store: opened, key: at.key, source: at }
      : await this.#storeAt(at);
    // A file of another key where a directory of this one's path goes
    // (`s3://b/a/k` once `s3://b/a` is cached).
    let clash: Deno.errors.NotADirectory | undefined;
    try {
      // The cache dir is not looked at here (a `stat` per download): the
      // lock's temp file is created in it, and made again private where
      // that fails for want of its parents (see #lock), or below when no
      // lock can be had.
      // The data file is written by a rename onto it, which never follows a
      // link there; its shared temp file refuses one (AtomicFile.openShared).
      try {
        layout.assertSafeRenameTarget(loc.dataPath);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotADirectory)) throw e;
        clash = e;
      }
      layout.assertSafeOnce(loc.journalPath);
    } catch (e) {
      throw this.explain(e, loc);
    }
    if (clash !== undefined) {
      throw await this.#clashOrMiss(clash, loc, store, key, ctx.signal, sameTime);
    }
    // What an interrupted run left where this one works (once per directory).
    const dataDir = dirname(loc.dataPath);
    let subdirectories = this.#swept.get(dataDir);
    if (subdirectories === undefined) {
      if (this.#swept.size >= MEMORY_DIRS) this.#swept.clear();
      const found = new Set<string>();
      sweepDirectory(dataDir, dirname(loc.metaPath), Date.now(), found);
      subdirectories = found.size === 0 ? NO_NAMES : found;
      this.#swept.set(dataDir, subdirectories);
    }
    // A directory at the entry's name holds the copies of keys below it (S3
    // allows `a` beside `a/b`; a file system does not): the final rename
    // would fail after the whole download, on every run. Known from the
    // sweep's read of the directory, so a cold miss pays no `lstat` for it
    // (a directory made since that read is found at the rename, and known
    // from then on: see #failedDownload). One
    // seen there is confirmed: the keys below may have been removed since
    // (`delete`, `vc cache rm`), and a long-running process would otherwise
    // refuse this key until restarted.
    // After a download of a key below (sameTime), since the sweep perhaps: looked at.
    if (
      (sameTime !== undefined || subdirectories.has(basename(loc.dataPath))) &&
      statusOrUndefinedSync(loc.dataPath)?.isDirectory
    ) {
      throw await this.#clashOrMiss(
        new Deno.errors.IsADirectory(keysBelowIn(loc.dataPath)),
        loc,
        store,
        key,
        ctx.signal,
        sameTime,
      );
    }
    const mode = loc.bucket !== ""
      ? undefined
      : at.mode !== undefined
      ? restrictiveModeOf(at.mode)
      : restrictiveMode(loc.uri);
    let lock: EntryLock | undefined;
    try {
      lock = await this.#lock(loc, ctx, mode);
    } catch (e) {
      // A file where a directory of the path belongs, put there by another
      // process since the checks above: refused before the GET, as they do.
      if (!(e instanceof Deno.errors.NotADirectory)) throw e;
      throw await this.#clashOrMiss(e, loc, store, key, ctx.signal, sameTime);
    }
    if (lock === undefined) {
      // Perhaps for the cache dir itself (removed, or a file now): named,
      // or made again private, before a temp file of its own is made.
      try {
        this.#ensureDir();
      } catch (e) {
        throw this.explain(e, loc);
      }
    }
    let cached = false;
    // A refresh: the copy it replaces, under a second (temp) name from just
    // before the new copy takes its place until the new copy's record is
    // written, so a failed record write puts it back (see keepCopy).
    let kept: string | undefined;
    try {
      // Another process may have completed the entry since our first look:
      // while we waited for the lock, or before we created its file (a
      // holder's record is written before it gives up the lock's name). A
      // journal lookup; on the usual cold miss it finds no line.
      const old = index.byPath(loc.dataPath);
      // The version of the copy a refresh replaces (none on a cold miss).
      let oldEtag = old?.etag;
      if (lock !== undefined) {
        const done = index.load(loc);
        if (done !== undefined) oldEtag = done.etag;
        if (
          done !== undefined && done.gone !== true &&
          (expected === undefined || sameVersion(expected, done) ||
            sameContent(expected, done)) &&
          holdsPinnedContent(done, integrity)
        ) {
          if (old !== undefined && old !== done) old.valid = false;
          return done;
        }
      }
      const options: TempDownloadOptions = {
        ...this.#options.download,
        signal: ctx.signal,
        uri: loc.uri,
      };
      options.onProgress = ctx.progress;
      if (expected !== undefined) options.expected = expected;
      if (integrity !== undefined) options.integrity = integrity;
      if (mode !== undefined) options.mode = mode;
      // Only a refresh has a copy to keep: a cold miss pays nothing for it.
      if (oldEtag !== undefined) {
        options.beforeCommit = () => {
          kept ??= keepCopy(loc.dataPath);
        };
      }
      if (lock !== undefined) {
        // The locked file takes every attempt (a retry after corrupt content
        // or a version change finds it emptied, still locked: no other
        // process takes the entry over in between); once it is no longer
        // ours (its name taken away), a unique one.
        const locked = lock.temp;
        // What an earlier run left of a large download, resumed (or emptied).
        if (locked.shared) {
          options.resume = partialResume(
            locked,
            loc.dataPath,
            lock.partialSize,
            loc.uri,
            this.#options.endpoint ?? "",
          );
        }
        options.temp = () =>
          locked.writable
            ? locked
            : AtomicFile.create(loc.dataPath, mode === undefined ? {} : { mode });
      }
      // What the download brings is the object as its GET found it, so the
      // copy is validated as of the start, not the end, of a download that
      // may take minutes (an object replaced meanwhile is not vouched for
      // that much past the TTL).
      const asked = index.clock.now();
      let info;
      try {
        // Only a `file://` store hashes a source file (and says so): an
        // S3 download pays nothing for it.
        info = source.root.startsWith("file:")
          ? await this.reportingHashes(
            source,
            ctx.progress,
            () => downloadWithTemp(store, key, loc.dataPath, options),
          )
          : await downloadWithTemp(store, key, loc.dataPath, options);
      } catch (e) {
        // The lock's temp name was removed under the download: vc before 30
        // November sweeps `.<name>.vc-tmp-0-shared` as a dead process's (pid
        // 0) when it downloads into the same directory. Once more, into a
        // temp file of this process's own (the factory's next one).
        if (lock?.temp.takenAway !== true || ctx.signal.aborted) {
          const failed = this.#failedDownload(e, loc);
          throw withNote(
            failed,
            this.#keptNote(e, failed, loc, oldEtag) + await spellingNote(e, loc, store, key) +
              await partialNote(loc, lock, ctx.signal),
          );
        }
        try {
          // Removed with the whole cache dir, perhaps (`rm -rf`): made again private.
          this.#ensureDir();
          info = await downloadWithTemp(store, key, loc.dataPath, options);
        } catch (e) {
          const failed = this.#failedDownload(e, loc);
          throw withNote(
            failed,
            this.#keptNote(e, failed, loc, oldEtag) + await spellingNote(e, loc, store, key),
          );
        }
      }
      const now = index.clock.now();
      // The file as written: a change in place later (a user's edit, even at
      // the same size) shows in its modification time, and it is not served.
      // The lock's temp file, committed by a link, took it already (an fstat
      // that also proved the link its own); another temp file: a look.
      const mtime = (lock?.temp.committedInfo ?? statusOrUndefinedSync(loc.dataPath))?.mtime
        ?.getTime();
      const rec: EntryRec = {
        uri: loc.uri,
        path: loc.dataPath,
        loc,
        etag: normalizeEtag(info.etag),
        size: info.size,
        md5: info.md5,
        sha256: info.sha256,
        validatedAt: asked,
        // May be half a file: asked about again at the next use.
        unsettled: mayBeBeingWrittenAt(loc.storeRoot, info) || undefined,
        touchedAt: now,
        checkedAt: now,
        immutable: index.isImmutable(loc),
        valid: true,
        partSizes: info.partSizes,
        mtime,
        opaqueEtag: info.opaqueEtag === true ? true : undefined,
        validator: info.validator,
        checksum: info.checksumChecked === undefined
          ? undefined
          : `${info.checksumChecked.algorithm}:${info.checksumChecked.value}`,
      };
      // After the data is in place, before the lock is released: a record
      // never describes data that is not, and a waiter finds it.
      try {
        await index.writeRecordGrouped(loc, toMeta(rec), old?.legacy === true);
      } catch (e) {
        // Data without a record is invisible to ls, prune and verify: the
        // copy it replaced goes back (its record still describes it: same
        // file, same times), else it is removed.
        let restored = false;
        try {
          layout.assertSafe(loc.dataPath);
          if (kept !== undefined) {
            try {
              renameOverSync(kept, loc.dataPath);
              kept = undefined;
              restored = true;
            } catch {
              // Its second name is gone (a concurrent sweep took it for debris by its age).
            }
          }
          if (!restored) Deno.removeSync(loc.dataPath);
        } catch {
          // Gone already, or not ours to touch; maintenance finds orphans.
        }
        throw withNote(
          this.explain(e, loc),
          restored
            ? `; the copy cached before (ETag ${oldEtag}) is kept`
            : oldEtag !== undefined
            ? "; the copy cached before was replaced and is gone with the new one"
            : "",
        );
      }
      if (old !== undefined) old.valid = false;
      index.setPath(rec);
      cached = true;
      // An endpoint with a path: `ls` names it by the path recorded here.
      if (loc.bucket !== "") layout.noteEndpointPath();
      return rec;
    } finally {
      // The replaced copy's second name (the record of its successor is
      // written, or the commit failed and it is still in place).
      if (kept !== undefined) removeQuietly(kept);
      // Removes the lock's temp name (a done download's data stays in place).
      lock?.release();
      // A miss that cached nothing (a mistyped key, a key the store refuses,
      // a failed download) leaves no directories made for it: they would
      // pile up, one tree per typo, and nothing else removes them.
      if (!cached) await removeEmptyParents(layout.dir, dataDir);
    }
  }

  /**
   * The entry's lock (its download's own shared temp file, see
   * entry_lock.ts), or undefined when it cannot be had.
   */
  #lock(
    loc: EntryLocation,
    ctx: FlightContext,
    mode: number | undefined,
  ): Promise<EntryLock | undefined> {
    const lockWaitMs = this.#options.lockWaitMs;
    const lockWait = ctx.lockWait;
    const end = ctx.lockWaitEnd;
    // Its promise with a handler, not an async call around it: one promise
    // per download less.
    const locking = acquireEntryLock(loc.dataPath, {
      signal: ctx.signal,
      clock: this.#index.clock,
      timeout: lockWaitMs,
      // A large download on a slow link takes minutes: waited for while it
      // writes, not fetched a second time beside it once lockWaitMs pass.
      whileWritten: true,
      keepPartial: true,
      // Removed with the whole cache dir, perhaps (`rm -rf`): made again
      // private before the temp file's parents are.
      beforeParents: this.#ensureDirOnce,
      ...(mode === undefined ? {} : { mode }),
      ...(lockWait === undefined ? {} : { onBlocked: () => lockWait(true) }),
      onWait: (holder) =>
        this.#options.warn(
          `vc: waiting for ${holder} to finish downloading ${loc.uri} (lock ${
            sharedTempPathFor(loc.dataPath)
          }); ${
            end !== undefined && end.ms < lockWaitMs
              ? end.then
              // A holder that writes is waited for past VC_LOCK_WAIT: the
              // caller's end, if any, may come first.
              : `giving up once it writes nothing for ${lockWaitMs / 1000}s (VC_LOCK_WAIT)${
                end === undefined ? "" : `, ${end.then}`
              }`
          }`,
          "wait",
        ),
    });
    // Waiting no more once it has the lock (or goes on without it, below);
    // one stopped by the signal was still waiting, for the caller to say.
    const held = lockWait === undefined ? locking : locking.then((lock) => {
      lockWait(false);
      return lock;
    });
    return held.catch((e) => {
      if (ctx.signal.aborted || this.#fileInCacheAbove(e, loc)) throw e;
      lockWait?.(false);
      // Locking is an optimisation (impossible in a read-only dir, on a
      // filesystem without flock, or held too long by a stopped process): go
      // on without it, with a unique temp file. Correctness rests on the
      // verified temp file and the rename.
      if ((e as Error | undefined)?.name === "LockTimeoutError") {
        this.#options.warn(`vc: ${(e as Error).message}; downloading ${loc.uri} without the lock`);
      } else if (isNoLocks(e)) {
        // Said once per process: not a line per object.
        tellNoLocks(sharedTempPathFor(loc.dataPath), e, (m) => this.#options.warn(`vc: ${m}`));
      }
      return undefined;
    });
  }

  /**
   * Whether `e` is a "Not a directory" from a file in the cache where a
   * directory of `loc`'s path belongs: another key's copy (S3 allows `a/b`
   * beside `a`), not the cache dir itself, which a caller names otherwise.
   */
  #fileInCacheAbove(e: unknown, loc: EntryLocation): boolean {
    if (!(e instanceof Deno.errors.NotADirectory)) return false;
    const file = fileAbove(loc.dataPath);
    return file !== undefined && this.#index.layout.contains(file);
  }

  /**
   * Creates the cache dir (0700) when it is not there, where a download
   * finds its directories missing (one `stat`, not one per download): in a
   * long-running process it may have been removed since the last one (a
   * cleanup's `rm -rf`), and the download's own `mkdir -p` would make it
   * again with the umask's mode (0755, readable by all), or replaced by a
   * file, which would be blamed on two keys colliding.
   */
  #ensureDir(): void {
    ensureCacheDir(this.#index.layout.dir);
  }

  /** {@linkcode EntryFetcher.#ensureDir}, bound once (an option of every lock). */
  readonly #ensureDirOnce = (): void => this.#ensureDir();

  /**
   * A download's error, explained. A directory its rename found at the
   * entry's name (made since the sweep read the directory, by another
   * process) is remembered with the sweep's: a long-running process
   * downloaded the whole object again on each request, to discard it.
   */
  #failedDownload(e: unknown, loc: EntryLocation): unknown {
    const dataDir = dirname(loc.dataPath);
    const seen = this.#swept.get(dataDir);
    if (e instanceof Deno.errors.IsADirectory && seen !== undefined) {
      this.#swept.set(dataDir, new Set([...seen, basename(loc.dataPath)]));
    }
    return this.explain(e, loc);
  }

  /**
   * For a refresh whose new version found no room on the disk, passed the
   * file-size limit (`ulimit -f`), or found a cache dir it may not write
   * (`explained`, `e` as told: a read-only mount, a CI cache restored
   * read-only): that the copy cached before (ETag `oldEtag`)
   * is still in place, and how to go on with it; "" otherwise. The error
   * says only to free space or to move the cache dir, and a user whose
   * script stopped on it took the copy it used for lost.
   */
  #keptNote(
    e: unknown,
    explained: unknown,
    loc: EntryLocation,
    oldEtag: string | undefined,
  ): string {
    if (oldEtag === undefined) return "";
    const refused = isNoSpaceError(e) || isFileTooLargeError(e) ||
      unwritableCacheDir(explained) !== undefined;
    if (!refused) return "";
    if (!isFileOfItsOwn(statusOrUndefinedSync(loc.dataPath))) return "";
    return `; the copy cached before (ETag ${oldEtag}) is kept and offline mode serves it (${this.#index.offlineSwitch.how})`;
  }

  /** `e` explained for `loc` (see `explainCacheError`). */
  explain(e: unknown, loc: EntryLocation): unknown {
    return explainCacheError(e, this.#index.layout.dir, loc, this.#options.endpoint);
  }
}

/**
 * Gives the copy at `dataPath` (a refresh is about to replace it) a second
 * name: a temp name beside it, which a sweep removes once this process is
 * gone. Called with the new copy flushed, right before its rename: a kill
 * in between (two system calls) leaves the old copy in place, with that
 * second name until the next download into its directory, an offline
 * lookup of it or `vc cache verify` / `prune` sweeps it (a miss until then,
 * never another file); a kill after the rename and before the record
 * leaves it for those sweeps to put back (restoreKeptCopy in debris.ts). The
 * temp name's path, or undefined when there is no file of its own there or
 * no hard links.
 */
function keepCopy(dataPath: string): string | undefined {
  if (!isFileOfItsOwn(statusOrUndefinedSync(dataPath))) return undefined;
  const other = tempPathFor(dataPath);
  try {
    Deno.linkSync(dataPath, other);
    return other;
  } catch {
    return undefined; // no hard links here: the refresh works as before
  }
}

/**
 * For a missing key: the other Unicode spelling of it (NFC / NFD) that the
 * store holds, if any. The two print alike (`aws s3 ls` shows `café`), so a
 * bare "does not exist" read as wrong when the key was typed precomposed
 * and the object uploaded from a macOS file name, decomposed, or the other
 * way round. At most two HEADs, on a miss of a key with non-ASCII letters
 * only; a failing one just leaves the hint out. Likewise the key with a
 * space for each `+` (one more HEAD, for an `s3://` key with a `+`).
 */
async function spellingNote(
  e: unknown,
  loc: EntryLocation,
  store: ObjectStore,
  key: string,
): Promise<string> {
  if (!(e instanceof NotFoundError) || e instanceof StoreNotFoundError) return "";
  if (e instanceof IsDirectoryError) return "";
  // Only reached when a key was not found: a download never loads it.
  const { escapedUnicode, otherSpellings, spellingDifference } = await import(
    "../unicode_spelling.ts"
  );
  // A `file://` URI spells the key percent-encoded: then the key alone.
  const named = (other: string) =>
    loc.uri.endsWith(key)
      ? escapedUnicode(loc.uri.slice(0, loc.uri.length - key.length) + other)
      : `the key ${escapedUnicode(other)}`;
  for (const other of otherSpellings(key)) {
    const found = await store.head(other).catch(() => undefined);
    if (found === undefined) continue;
    return `; the store has ${named(other)}, which looks the same (Unicode ${
      spellingDifference(key, other)
    }): use that spelling`;
  }
  // An S3 object URL (the console's "Object URL") and an S3 event's key
  // write a space as `+`: a URI built from either names a key with `+`s.
  // One more HEAD, on a miss of an `s3://` key with a `+` only.
  if (loc.uri.startsWith("s3:") && key.includes("+")) {
    const spaced = key.replaceAll("+", " ");
    if ((await store.head(spaced).catch(() => undefined)) !== undefined) {
      return `; the store has ${named(spaced)}: a + stands for a space in an S3 object URL ` +
        "and in an S3 event's key: use that key";
    }
  }
  return "";
}

/**
 * Whether the store's answer `info` about an object of the store at
 * `storeRoot` may be of a file still being written: a `file://` source
 * changed within the racy window (another program, or another machine on a
 * shared folder, may be copying it in). A copy of that state is not trusted
 * for the TTL: the next use asks the store again (`EntryMeta.unsettled`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayBeBeingWrittenAt } from "./entry_fetch.ts";
 * const info = { lastModified: new Date() };
 * assert(mayBeBeingWrittenAt("file:///srv/share", info));
 * assert(!mayBeBeingWrittenAt("s3://bucket", info));
 * ```
 */
export function mayBeBeingWrittenAt(
  storeRoot: string,
  info: { validator?: string | undefined; lastModified: Date },
): boolean {
  return storeRoot.startsWith("file:") && mayBeBeingWritten(info);
}

/**
 * For a download that failed with its partial kept for the next run (the
 * store unreachable, or the connection cut after every retry; see
 * partial_download.ts): how far it got, in the words of an interrupt's;
 * "" otherwise, and for an interrupt, whose caller says it. The error said
 * only "try again", and the bytes fetched (minutes of a large object) read
 * as lost.
 */
async function partialNote(
  loc: EntryLocation,
  lock: EntryLock | undefined,
  signal: AbortSignal,
): Promise<string> {
  if (lock?.temp.keepsPartial !== true || signal.aborted) return "";
  const kept = keptPartial(loc.dataPath);
  if (kept === undefined) return "";
  const { keptPartialsSaid } = await import("../kept_partial_words.ts");
  return `; ${keptPartialsSaid([{ name: "it", ...kept }])}`;
}

/** `e` with `note` added to its message (when it is an Error). */
function withNote(e: unknown, note: string): unknown {
  if (note !== "" && e instanceof Error) e.message += note;
  return e;
}

/**
 * Store errors that mean "can't ask right now" rather than "the answer is no".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUnreachable } from "./entry_fetch.ts";
 * import { NotFoundError, OfflineError } from "../errors.ts";
 * assert(await isUnreachable(new OfflineError("down")));
 * assert(!(await isUnreachable(new NotFoundError("gone"))));
 * ```
 */
export async function isUnreachable(e: unknown): Promise<boolean> {
  // Only reached when a store call failed: the warm path never loads it.
  const { isStoreUnavailable } = await import("../store/retry.ts");
  return isStoreUnavailable(e);
}
