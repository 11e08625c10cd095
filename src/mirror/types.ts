/**
 * Options and report of `mirror()`.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { DownloadOptions } from "../store/download.ts";
import type { ObjectStore } from "../store/types.ts";
import type { ErrorKind } from "../errors.ts";

/** Options for `mirror()` and `watchMirror()`. */
export interface MirrorOptions {
  /**
   * What to copy from: local directories, or store URIs (`s3://bucket/prefix`,
   * `file:///dir`) / `ObjectStore`s. All sources are of one kind.
   */
  sources: readonly (string | ObjectStore)[];
  /**
   * What to make equal to the sources: a store URI / `ObjectStore` when the
   * sources are local directories, a local directory when they are stores.
   */
  target: string | ObjectStore;
  /**
   * Stripped from each source file's absolute path to form its key (local
   * sources), or from each source object's key (store sources). Without
   * it, keys are relative to each SOURCE.
   */
  sourcePrefix?: string;
  /** Prepended to every key on the target, as a directory (`data` = `data/`). */
  targetPrefix?: string;
  /** Regular expressions; when given, only keys matching one are mirrored. */
  filter?: readonly string[];
  /** Regular expressions; keys matching any are neither copied nor deleted. */
  exclude?: readonly string[];
  /** Local symlinks: skipped (default) or followed; a loop is never followed. */
  symlinks?: "skip" | "follow";
  /**
   * Where a full pass walks the local directory: `"auto"` (default) on a
   * worker thread when the state knows of 2000 to 50,000 files and the
   * machine has a spare core (load average below the cores by one), so the
   * stats run on another core than the listing and the merge (beyond 50,000
   * files one heap keeps the peak memory lower); `true` always on a worker
   * thread; `false` on the calling thread. The result is the same.
   */
  walkThread?: boolean | "auto";
  /** Delete target entries that have no source (default false). */
  delete?: boolean;
  /**
   * With `delete`: the most target entries one pass may delete. A pass that
   * would delete more deletes none and says so in `deletesSkipped` (a source
   * emptied by mistake, a disk not mounted yet, a wrong source path), as
   * rclone's `--max-delete`. Default: no limit.
   */
  maxDelete?: number;
  /** Plan only: report the actions, change nothing (the state file is not written). */
  dryRun?: boolean;
  /** Hash every file even when the state says it is unchanged. */
  checksum?: boolean;
  /**
   * A file changed less than this many ms before it was hashed is hashed
   * again on the next run, since a further edit within the filesystem's
   * timestamp granularity could leave the same size, mtime and ctime
   * (default 2000).
   */
  racyWindowMs?: number;
  /**
   * Tuning of each download (store sources): objects at least
   * `parallelThreshold` bytes large come in parallel ranged GETs of
   * `partSize` bytes (defaults those of `downloadToFile`, 32 MiB and 8 MiB).
   */
  download?: Pick<DownloadOptions, "parallelThreshold" | "partSize">;
  /** Transfers and hashes in flight at once (default 16). */
  concurrency?: number;
  /** The state file (default `<cacheDir>/mirror/<hash of sources and target>.sqlite`). */
  statePath?: string;
  /** Cache directory for the default state file (default: the platform's, see `defaultCacheDir`). */
  cacheDir?: string;
  /**
   * Opens store URIs (default `openStore`). The stores it returns stay the
   * caller's: the mirror does not close them (as with `AssetCache`); those
   * the default opens are closed with the mirror.
   */
  openStore?: (uri: string) => Promise<ObjectStore>;
  /** Called as files are handled. */
  onProgress?: (progress: MirrorProgress) => void;
  /** Called for every upload, download or delete (planned ones too, in a dry run). */
  onAction?: (action: MirrorAction) => void;
  /**
   * Told `{ message }` of what the caller should know but does not stop
   * the run (that the state file's file system gives no locks, said once
   * per process). Default: a `warning:` line on stderr.
   */
  onWarning?: (warning: { message: string }) => void;
  /** Stops the run: in-flight transfers finish (or are aborted), nothing is deleted. */
  signal?: AbortSignal;
  /** Time source for watch debounce, reconcile and stability checks (default the system clock). */
  clock?: Clock;
  /**
   * Local → store: each full pass aborts the multipart uploads under the
   * target prefix (of keys the filters accept) started at least this long
   * ago (ms; default a day, `ABORT_UPLOADS_AFTER_MS`), which a writer
   * killed mid-upload left open and the store bills until they are aborted.
   * A dry run lists them. `Infinity` keeps them all.
   */
  abortUploadsAfterMs?: number;
}

/** A multipart upload left open under the target (see {@linkcode MirrorOptions.abortUploadsAfterMs}). */
export interface MirrorUpload {
  /** Relative key. */
  key: string;
  /** When the store says it was started (ISO 8601). */
  initiated: string;
  /** Why it was kept, for one not aborted. */
  problem?: string;
}

/** Progress of a run. */
export interface MirrorProgress {
  /** Files and objects handled so far. */
  done: number;
  /** Bytes transferred so far. */
  bytes: number;
  /**
   * Once the walk and the listing are read to their end (before the
   * transfers for a run of few or large files; at the latest while its last
   * transfers are in flight: both stream in as the run compares), what
   * `done` comes to at the end, as far as known then. Before that, in a
   * pass with many files to send (64, or 64 MiB), an estimate from a count
   * of its sources made beside the transfers (a walk, or a listing; the
   * files not compared yet taken as to be sent), once counted. Absent
   * before, and in a watch's batches.
   */
  total?: number;
  /**
   * With `total`: what `bytes` comes to at most, the sizes of the transfers
   * not done yet added to the bytes transferred (a file found unchanged by
   * its hash, or copied in the store, takes its size out again when done).
   */
  totalBytes?: number;
  /**
   * The key handled last; while the step is `confirming` (see `step`), no
   * key but how many uploads are confirmed (`3 uploads`).
   */
  current?: string;
  /**
   * What is being done to `current` and how far, while it lasts: `hashing`
   * while its local file is read to hash it (a large file, new or changed
   * since the last run: seconds a GB), `uploading` or `downloading` while it
   * is sent or fetched (bytes of this file, `total` its size), so one large
   * transfer shows how far it is when the run has no total; `confirming`
   * once a local → store run's uploads are done, while the store is listed
   * (or asked) for them, `current` then naming how many (`3 uploads`), and
   * `bytes` and `total` counting uploads, not bytes.
   */
  step?: {
    name: "hashing" | "uploading" | "downloading" | "confirming";
    bytes: number;
    total: number;
  };
}

/** One change made (or planned) on the target. */
export interface MirrorAction {
  /** What was done. */
  action: "upload" | "download" | "delete";
  /** Relative key. */
  key: string;
  /** Bytes (0 for deletes). */
  size: number;
}

/** A file or object that could not be mirrored. */
export interface MirrorFailure {
  /** Relative key, when known. */
  key?: string;
  /** Local path or store URI. */
  path: string;
  /** Why. */
  error: string;
  /**
   * What kind of failure, as `errorKind` names a thrown error: one of
   * `ERROR_KINDS` (`AccessDeniedError`, `StoreError`, `OfflineError`,
   * `InvalidInputError` for a key the store refuses, ...; `VcError` for the
   * rest: a file that vanished or is in the way), as prefill's and sync's
   * failures name theirs. Set on every failure a run reports (optional only
   * so that failures made by hand, a test's, still type-check).
   */
  errorName?: ErrorKind;
  /**
   * True when trying again cannot help until the file (or object) changes:
   * the store refuses its key (over 1024 bytes, a name it cannot hold), or
   * its path is longer than the system opens. A watch does not try such a
   * path again until an event comes for it, and says it once.
   */
  untilChanged?: boolean;
}

/** A source entry no object is made for, for what it is (see {@linkcode MirrorReport.skipped}). */
export interface MirrorSkip {
  /** Relative key. */
  key: string;
  /** Local path. */
  path: string;
  /**
   * `symlink`: a symbolic link not followed; `special`: a FIFO, socket or
   * device; `loop`: a directory above it again, through a followed link
   * (`x/up -> ..`) or a bind mount of it (`mount --bind tree tree/x/up`),
   * which would repeat the tree for ever; `internal`: one of the directory
   * store's own files (`.vc~…`: its sidecars and locks, where the source
   * was once a `file://` store).
   */
  kind: "symlink" | "special" | "loop" | "internal";
}

/** What a run did. */
export interface MirrorReport {
  /** `upload`: local → store; `download`: store → local. */
  direction: "upload" | "download";
  /** The sources, as given (stores by URL). */
  sources: string[];
  /** The target, as given (a store by its URL). */
  target: string;
  /** True for a dry run (counts are what would have been done). */
  dryRun: boolean;
  /** Files uploaded or downloaded. */
  transferred: number;
  /** Bytes uploaded or downloaded. */
  bytes: number;
  /**
   * Of `transferred` (local → store), the files whose object was made by a
   * copy in the store of one it already held with their content (a file
   * renamed or moved: its old key, which the state file knows), so their
   * bytes are not in `bytes`. Absent when none.
   */
  copied?: number;
  /** Target entries deleted. */
  deleted: number;
  /**
   * The keys of those entries (in a dry run, the ones that would be), so a
   * destructive run leaves a record of each key it removed.
   */
  deletedKeys: string[];
  /** Files already equal on both sides. */
  unchanged: number;
  /** Target entries without a source, kept (no `delete`, or deletes skipped). */
  extra: number;
  /** Local files read to compute their MD5 (the others came from the state). */
  hashed: number;
  /** HEAD requests made to compare multipart or opaque ETags. */
  heads: number;
  /** Files that vanished, were unreadable, or failed to transfer. */
  failed: MirrorFailure[];
  /**
   * Why deletes were not made although `delete` was set (walk or listing
   * incomplete, a source on another filesystem than at the start, more than
   * `maxDelete`).
   */
  deletesSkipped?: string;
  /**
   * Local → store: the sources' entries that are not regular files, so no
   * object is made for them (a symbolic link without `symlinks: "follow"`,
   * a FIFO, socket or device), and the directory store's own `.vc~…` files,
   * in key order. With `delete`, an object at
   * such a key goes like any object without a file. Only when any.
   */
  skipped?: MirrorSkip[];
  /** Local files skipped because they are still being written (watch mode). */
  deferred: string[];
  /**
   * Those of `deferred` whose mtime is in the future (`touch -d 2035-01-01`,
   * a clock ahead): left for later at every pass, though not being written.
   */
  futureMtime?: string[];
  /** Every action, in a dry run. */
  actions?: MirrorAction[];
  /**
   * Only in the report of a run stopped by its `signal` (see
   * `MirrorInterruptedError`): the keys whose transfers were aborted there
   * (no half-written file stays under its name; the next run copies them).
   */
  cutShort?: string[];
  /**
   * Only in the report of a run stopped by its `signal`: the large downloads
   * of `cutShort` whose partial is kept for the next run to resume (see the
   * README's "An interrupted large download resumes"), by key. Absent when
   * there is none.
   */
  keptPartials?: MirrorKeptPartial[];
  /**
   * Open multipart uploads under the target that the pass aborted (in a dry
   * run, would abort): writers killed mid-upload left them. Only when any.
   */
  abortedUploads?: MirrorUpload[];
  /**
   * Open uploads old enough to abort that were kept, each with why (the
   * store gives no start time, or refused the abort). Only when any.
   */
  keptUploads?: MirrorUpload[];
  /**
   * Open uploads old enough to abort that took a part since: a writer still
   * sending them (another machine, a slow link), kept. Only when any.
   */
  liveUploads?: MirrorUpload[];
  /** Why the open uploads could not be listed (no grant: then the grant to give; a store without the listing), when so. */
  uploadsUnchecked?: string;
  /**
   * Local → store: why some of the run's uploads could not be confirmed in
   * the store (a key that may upload but not HEAD, `s3:GetObject` not
   * granted, and a listing of their keys did not show them), when so. They
   * were answered 200 and are counted as uploaded; no failure.
   */
  uploadsUnconfirmed?: string;
  /**
   * Local → store: the store refused this run a HEAD (a key that may upload
   * and list but not read: `s3:GetObject` not granted), when so: uploads
   * are confirmed, and a watch's changed files looked up, by a listing of
   * each key instead, and an object only a HEAD could compare (stored in
   * parts by another tool) is uploaded again.
   */
  headRefused?: string;
  /** Wall-clock seconds. */
  seconds: number;
  /**
   * Only in the report of a run stopped by its `signal`: true. The counts
   * are what was done before it stopped; what it had not come to yet, and
   * every delete, was left for the next run.
   */
  interrupted?: boolean;
  /**
   * Only in the report of a `watchMirror()` pass or batch that the watch's
   * stop (its `signal`, letting the transfers in flight finish) cut short:
   * true. The counts are what it did before; it deleted nothing, and what it
   * had not come to is left for the next run.
   */
  stopped?: boolean;
}

/** A download an interrupted mirror stopped, its partial kept for the next run to resume. */
export interface MirrorKeptPartial {
  /** The object's key under the source prefix. */
  key: string;
  /** The bytes kept, complete from the start of the object. */
  bytes: number;
  /** The object's size. */
  size: number;
}
