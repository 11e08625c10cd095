/**
 * `mirror()`: makes a target equal to one or more sources, local → store or
 * store → local, with the same rules in both directions.
 *
 * A run is a streaming merge of the sorted source and target sequences
 * (`plan.ts`); each key is copied, kept or (with `delete`) deleted. Deletes
 * wait until the whole merge is done and are dropped when any walk or
 * listing was incomplete, so a failing disk or store never empties a target.
 *
 * @module
 */
import { counted } from "../counted.ts";
import { dirname, join, pathBelow, resolve, sep } from "../path.ts";
import { linkOnPath } from "../cache/layout.ts";
import { removeEmptyParents } from "../cache/cache_fs.ts";
import { systemClock } from "../clock.ts";
import {
  AccessDeniedError,
  CallbackError,
  InvalidInputError,
  KeyConflictError,
  NotUtf8NameError,
  VcError,
} from "../errors.ts";
import { CallbackGuard } from "../callback.ts";
import { checkRequiredOptions, type OptionNames } from "../options_check.ts";
import { md5File, normalizeEtag } from "../hash.ts";
import { removeHeldFile } from "../replace_file.ts";
import { forEachLimit } from "../pool.ts";
import { namesFoldIn } from "../name_probe.ts";
import { foldName } from "../file_names.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { failedDeletes } from "../store/delete_failures.ts";
import { compareUtf8 } from "../utf8.ts";
import { readDirEntries } from "../read_dir.ts";
import { joinUri } from "../uri.ts";
import { shellWord } from "../shell_word.ts";
import {
  DEFAULT_RACY_WINDOW_MS,
  hashLocal,
  isRacy,
  type LocalHash,
  record,
  sameContent,
} from "./compare.ts";
import {
  compileFilter,
  type KeyFilter,
  matchesFilter,
  standInFileKey,
  unsafeLocalKey,
} from "./keys.ts";
import { contentTypeFor } from "../content_type.ts";
import { formatBytes } from "../progress.ts";
import { foundProblem, storedProblem } from "../upload_check.ts";
import {
  directoryId,
  fileOfKey,
  isInternalName,
  type LocalEntry,
  type LocalRoot,
  pseudoFileSize,
  rootMoved,
  skippedAs,
  statLocal,
  walkLocalBatches,
  withoutLoops,
} from "./local_side.ts";
import {
  type Keyed,
  mergePairBatches,
  mergeSourceBatches,
  type Pair,
  readAheadChunks,
} from "./plan.ts";
import {
  downloadFailure,
  failure,
  HELD_NAMED,
  heldBack,
  message,
  MirrorInterruptedError,
} from "./report.ts";
import {
  foldedDirectoryClashes,
  type FoldedPlan,
  withoutDirectoryClashes,
  withoutFoldedDirectoryClashes,
} from "./dir_clash.ts";
import { type MirrorParts, openParts } from "./setup.ts";
import { SettleCheck } from "./settle.ts";
import { ABORT_UPLOADS_AFTER_MS, abortAbandonedUploads } from "./abandoned_uploads.ts";
import { type MirrorState, type StateRow, statMatches } from "./state.ts";
import { listRemoteBatches, type RemoteEntry } from "./store_side.ts";
import { UploadRecord } from "./upload_record.ts";
import { confirmationPlan, LIST_PAGE, listingScopes } from "./lookup_plan.ts";
import { spareCore, walkLocalBatchesOffThread } from "./walk_thread.ts";
import { countListed, countLocalFiles, type TreeCount } from "./census.ts";
import type { MirrorKeptPartial, MirrorOptions, MirrorReport, MirrorSkip } from "./types.ts";

/**
 * Files a walk may run ahead of the merge: as many as the listing
 * (`store_side.ts`), so the walk's stats overlap the wait for the listing
 * instead of following it.
 */
const WALK_AHEAD = 5000;

/** Files (recorded in the state) for which a full pass walks on a worker thread. */
const WALK_THREAD_MIN_FILES = 2000;
const WALK_THREAD_MAX_FILES = 50_000;

/**
 * How many listed objects cost what one HEAD does, by the store's kind: an
 * S3 listing page of up to {@linkcode LIST_PAGE} objects is one request, but
 * a directory store (`file://`) reads each listed object's sidecar, as its
 * HEAD reads one (the HEAD also finds its file by path, where one directory
 * read names many): there two objects listed cost a HEAD. Two files changed
 * among 900 in a directory were a listing reading 900 sidecars (and 900 more
 * to confirm the upload) for what two HEADs read.
 */
function listPageOf(store: ObjectStore): number {
  return store.url.startsWith("file:") ? 2 : LIST_PAGE;
}

/** Keys per delete request (S3's DeleteObjects limit). */
const DELETE_BATCH = 1000;

/**
 * Files smaller than this (bytes) are uploaded even when the target holds
 * their content under another key (see `Mirror.#copyKnown`): a PUT of them
 * costs no more than the HEAD and the copy.
 */
const COPY_MIN_BYTES = 1024 * 1024;

/**
 * Files to send (or their bytes) a full pass passes on before it counts its
 * sources for its progress's totals (see `Mirror.#counted`): a pass with a
 * few files to send ends its walk soon after them, and a large tree with a
 * few changed files (a walk of a million files is ~6 s of stats, a listing
 * of as many objects 1000 requests) does not pay for a second one.
 */
const CENSUS_AFTER_FILES = 64;
const CENSUS_AFTER_BYTES = 64 * 1024 * 1024;

type SourceRemote = RemoteEntry & { origin: number };

// A transfer's share of the run's byte count while it is under way (see #mover).
// `resumed`: the bytes of `sent` an earlier run left in the file (a resumed
// download), not fetched now, so not counted.
type Mover = {
  onBytes: (sent: number, resumed?: number) => void;
  end: () => void;
  readonly resumed: number;
};

/** What a Mover is of: its key, step and size, and the item whose total a resumed download lowers. */
type MoverArgs = [key: string, step: "uploading" | "downloading", size: number, item?: object];

/** A pair as the run passes it on: with the state's row of its local side, when looked up. */
type Planned<P> = P & { known?: { row: StateRow | undefined } };

interface Run {
  report: MirrorReport;
  /**
   * The store refused a HEAD this run needed (an upload-only key: no
   * s3:GetObject), so keys were found by a listing instead and an object
   * only a HEAD could compare was uploaded again: said with its uploads.
   */
  headRefused?: true;
  started: number;
  /**
   * Wall-clock ms when the run began, before its walk: a target file whose
   * status changed after it is not the one the walk planned to delete.
   */
  startedAt: number;
  done: number;
  /** Set when a walk or listing reported an error: no deletes then. */
  incomplete?: string;
  /**
   * Keys of local names that are not valid UTF-8, as Deno reads them (with
   * U+FFFD): their objects (and those below them) are kept, not deleted.
   */
  notUtf8?: string[];
  /**
   * Store → local: the files that keys no file can have stand for
   * ({@linkcode standInFileKey}: `a/b.txt` of `a//b.txt`), kept, not deleted,
   * unless a download waits for it to go (`Run.waitedFor`).
   */
  standIns?: Set<string>;
  /**
   * Store → local: the target-only files in the way of a key's directory
   * (`c` for `c/d`) whose download waits for the deletes (`Run.blocked`): a
   * real key's file wins over a stand-in's (`c` of `c/`).
   */
  waitedFor?: Set<string>;
  /** Deletes queued in the state's TEMP table (store keys or local paths). */
  deletes: number;
  /**
   * Store → local: whether a full pass's listing found any object under the
   * source prefix (`false` until one comes; `undefined` in a scoped pass).
   */
  sourceListed?: boolean;
  /** Bytes of transfers still in flight (for progress). */
  moving: number;
  /**
   * The items passed on to be worked on and not done yet, with the sizes of
   * their sources (for the progress's totals), and whether a full pass's
   * walk and listing were read to their end, which makes the totals known.
   */
  open?: { items: Map<object, number>; bytes: number; ended: boolean };
  /**
   * A full pass with many files to send: the sources' files and bytes as
   * counted beside the pass (`countLocalFiles`, `countListed`), once
   * counted, and the source files the pass has compared so far. Until the
   * walk and listing end, the totals are the count's, the files not
   * compared yet taken as to be sent (see `Mirror.#totals`).
   */
  census?: { counted?: TreeCount; seen: TreeCount };
  settleMs: number;
  /**
   * With `delete`: the files (`fileId`, to their paths) of 1 MiB and more
   * this run left for later as still being written. The object of a key
   * whose recorded file is one of them (a file renamed just before the pass,
   * its new name settling) is kept, for the queue to copy in the store, not
   * deleted meanwhile (see `Mirror.#keptForRename`).
   */
  deferredFiles?: Map<string, string>;
  /** Paths known to be changing (a watch's events not applied yet): deferred whatever their mtime. */
  changing?: (path: string) => boolean;
  /** Stops starting new items (watch shutdown); items in flight finish. */
  stop?: AbortSignal;
  /**
   * The run's calls of the caller's callbacks: the first that throws (or
   * whose promise rejects) aborts `signal`, and the run rejects with it.
   */
  callbacks: CallbackGuard;
  /** The options' signal and the callbacks' as one: what the run's transfers, walk and listing stop on. */
  signal: AbortSignal;
  /** Keys whose transfers the signal aborted (not done: the next run makes them). */
  cutShort?: string[];
  /** Of those, the downloads whose partial is kept for the next run to resume. */
  keptPartials?: MirrorKeptPartial[];
  /** Target directories this run found to be real directories (not links): looked at once. */
  checkedDirs: Set<string>;
  /**
   * Transfers refused for an old entry of the target in their way, which
   * this run deletes (`a` for `a/b`, or `a/...` for `a`: an upload a
   * directory store refused, a download whose file place is a directory of
   * files), tried again once the deletes are done; `undefined` while they
   * are (a second refusal is a failure).
   */
  blocked?: (() => Promise<void>)[];
  /**
   * Store → local on a case-insensitive file system: each source key by its
   * folded form ({@linkcode foldName}), as the one local file it names.
   */
  folded?: Map<string, string>;
  /**
   * Store → local on a case-insensitive file system: the folded names of
   * local files no key matched exactly (without `delete`), counted as extra
   * at the end unless a key names them in another case ({@linkcode foldName}).
   */
  unmatched?: string[];
  /**
   * Store → local on a case-insensitive file system: the target directories
   * this run read, each as its names by folded form (`undefined`: no such
   * directory), to find the local spelling of a key no local file matched.
   */
  spellings?: Map<string, Promise<Map<string, string> | undefined>>;
  /**
   * Store → local on a case-insensitive file system: the folded keys that
   * give way to a directory in another case, each with the key below, and
   * the folded directories, from a first listing (`foldedDirectoryClashes`).
   * The losers' local files are never cleared out of the way.
   */
  foldedPlan?: FoldedPlan;
  /**
   * Local → store: what each upload of the run was answered with, by
   * relative key, confirmed in the store before the run ends
   * ({@linkcode Mirror.#confirmUploads}).
   */
  uploaded?: UploadRecord;
  /**
   * Local → store: the objects each listing of the run found, by the scope
   * it listed (`""`: the whole prefix): what a listing to confirm the
   * uploads under it would cost ({@linkcode Mirror.#confirmUploads}).
   */
  listed?: Map<string, number>;
}

/** The option names `mirror()` and `Mirror.open` take (a misspelt one is refused, not ignored). */
export const MIRROR_OPTIONS: OptionNames<MirrorOptions> = {
  sources: true,
  target: true,
  sourcePrefix: true,
  targetPrefix: true,
  filter: true,
  exclude: true,
  symlinks: true,
  walkThread: true,
  delete: true,
  maxDelete: true,
  dryRun: true,
  checksum: true,
  racyWindowMs: true,
  download: true,
  concurrency: true,
  statePath: true,
  cacheDir: true,
  openStore: true,
  onProgress: true,
  onAction: true,
  onWarning: true,
  signal: true,
  clock: true,
  abortUploadsAfterMs: true,
};

/**
 * Mirrors `sources` into `target` once and returns what was done.
 *
 * @example Local directory → store (a `file://` store here; `s3://` works the same)
 * ```ts
 * import assert from "node:assert/strict";
 * import { mirror } from "./mirror.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src/sub`, { recursive: true });
 *   await Deno.writeTextFile(`${dir}/src/sub/a.txt`, "hello");
 *   const options = {
 *     sources: [`${dir}/src`],
 *     target: `file://${dir}/bucket`,
 *     targetPrefix: "backup/",
 *     statePath: `${dir}/state.sqlite`,
 *   };
 *   const first = await mirror(options);
 *   assert.equal(first.transferred, 1);
 *   assert.equal(await Deno.readTextFile(`${dir}/bucket/backup/sub/a.txt`), "hello");
 *   const again = await mirror(options);
 *   assert.equal(again.unchanged, 1);
 *   assert.equal(again.transferred, 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function mirror(options: MirrorOptions): Promise<MirrorReport> {
  const m = await Mirror.open(options);
  try {
    return await m.run();
  } finally {
    await m.close();
  }
}

/**
 * An open mirror: stores and state file, for one run ({@linkcode mirror}) or
 * many (`watchMirror`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mirror } from "./mirror.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/src`);
 *   await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
 *   const m = await Mirror.open({
 *     sources: [`${dir}/src`],
 *     target: `file://${dir}/bucket`,
 *     statePath: `${dir}/state.sqlite`,
 *   });
 *   try {
 *     assert.equal(m.direction, "upload");
 *     assert.equal((await m.run()).transferred, 1);
 *   } finally {
 *     await m.close();
 *   }
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Mirror {
  /** `upload` (local → store) or `download` (store → local). */
  readonly direction: "upload" | "download";
  /** Local roots: the sources (upload) or the target directory (download). */
  readonly localRoots: readonly LocalRoot[];
  /** The directories of `file://` source stores (see `MirrorParts.storeRoots`). */
  readonly #storeRoots: readonly LocalRoot[];
  readonly #options: MirrorOptions;
  readonly #stores: ObjectStore[];
  /**
   * The target's HEAD was refused (403: a key that may upload and list but
   * not read): not asked again by this mirror (a watch), whose per-file
   * path finds its keys in a listing instead.
   */
  #headRefused: AccessDeniedError | undefined;
  readonly #owned: ObjectStore[];
  #closed = false;
  readonly #state: MirrorState;
  readonly #filter: KeyFilter;
  readonly #storePrefix: string;
  readonly #names: { sources: string[]; target: string };
  /** Which files a pass with `settleMs` leaves for later as still being written. */
  readonly #settle: SettleCheck;
  /**
   * Old keys a pass kept for the files it left for later (see
   * `Run.deferredFiles`), by those files' paths: deleted once the file is
   * mirrored, if they still have no file. Forgotten at each full pass, which
   * keeps again those it must (else a key it deleted was said deleted again).
   */
  readonly #keptForRename = new Map<string, { key: string; storeKey: string; size: number }>();
  /** Store → local: the target directory the passes wrote into (see #sameTarget). */
  #targetId: string | undefined;

  private constructor(options: MirrorOptions, parts: MirrorParts) {
    this.#options = options;
    this.direction = parts.direction;
    this.#stores = parts.stores;
    this.#owned = parts.owned;
    this.localRoots = parts.roots;
    this.#storeRoots = parts.storeRoots;
    this.#storePrefix = parts.storePrefix;
    this.#state = parts.state;
    this.#filter = compileFilter(options.filter, options.exclude);
    this.#names = parts.names;
    this.#settle = new SettleCheck(options.clock ?? systemClock);
  }

  /**
   * Checks the options, opens the stores and the state file.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/bucket`);
   *   await using m = await Mirror.open({
   *     sources: [`file://${dir}/bucket`],
   *     target: `${dir}/local`,
   *     statePath: `${dir}/state.sqlite`,
   *   });
   *   assert.equal(m.direction, "download");
   *   await assert.rejects(
   *     Mirror.open({ sources: [dir], target: `file://${dir}/copy`, cacheDir: `${dir}/cache` }),
   *     /overlap/,
   *   );
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  static async open(options: MirrorOptions): Promise<Mirror> {
    checkRequiredOptions("Mirror", options, MIRROR_OPTIONS);
    const m = new Mirror(options, await openParts(options));
    m.#rememberSourceDevices();
    // Aborted while it opened: nothing was mirrored, so there is no report to
    // give (a run's abort is a `MirrorInterruptedError`), only the reason.
    if (options.signal?.aborted) {
      await m.close();
      options.signal.throwIfAborted();
    }
    return m;
  }

  /**
   * Path of the state file (`:memory:` for a dry run without one).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src`);
   *   const options = { sources: [`${dir}/src`], target: `file://${dir}/bucket` };
   *   {
   *     await using m = await Mirror.open({ ...options, cacheDir: `${dir}/cache` });
   *     assert(m.statePath.startsWith(`${dir}/cache/mirror/`)); // the default
   *   }
   *   // A dry run without a state file yet does not create one:
   *   const dryRun = { ...options, statePath: `${dir}/s.sqlite`, dryRun: true };
   *   await using dry = await Mirror.open(dryRun);
   *   assert.equal(dry.statePath, ":memory:");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  get statePath(): string {
    return this.#state.path;
  }

  /**
   * One full pass (or, with `scope`, a pass over the keys under that relative
   * prefix). `settleMs` defers local files modified less than that long ago
   * (still being written) to `report.deferred`, as it does the files
   * `changing` says are (see `settle.ts`: a step of the wall clock forward
   * does not make a file being written look old).
   * `stop` ends the pass early: the transfers in flight finish, and the
   * report says what it did (it deletes nothing).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src/sub`, { recursive: true });
   *   await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
   *   await Deno.writeTextFile(`${dir}/src/sub/b.txt`, "b");
   *   await using m = await Mirror.open({
   *     sources: [`${dir}/src`],
   *     target: `file://${dir}/bucket`,
   *     statePath: `${dir}/state.sqlite`,
   *   });
   *   assert.equal((await m.run({ scope: "sub/" })).transferred, 1);
   *   assert.equal(await Deno.readTextFile(`${dir}/bucket/sub/b.txt`), "b");
   *   const full = await m.run();
   *   assert.equal(full.transferred, 1);
   *   assert.equal(full.unchanged, 1);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async run(
    options: {
      scope?: string;
      settleMs?: number;
      changing?: (path: string) => boolean;
      stop?: AbortSignal;
    } = {},
  ): Promise<MirrorReport> {
    this.#sameTarget();
    const run = this.#newRun(options.settleMs ?? 0);
    if (options.stop) run.stop = options.stop;
    if (options.changing) run.changing = options.changing;
    // A full pass decides every key afresh: it keeps again what it must.
    if ((options.scope ?? "") === "") this.#keptForRename.clear();
    return await this.#callbacksFirst(run, this.#run(run, options.scope ?? ""));
  }

  /**
   * `work` (of `run`), except that a callback of the run that failed is what
   * it rejects with: whatever the work made of the abort that followed (a
   * transfer's or listing's error, a report of a run stopped), and also
   * when the failure came late (a promise that rejected as the run ended).
   */
  async #callbacksFirst(run: Run, work: Promise<MirrorReport>): Promise<MirrorReport> {
    try {
      const report = await work;
      run.callbacks.throwIfFailed();
      return report;
    } catch (error) {
      throw run.callbacks.error ?? error;
    } finally {
      // Closed however the run ended (confirmed, it already is): a run
      // aborted or failed after uploads left its in-memory database to the
      // garbage collector, which does not see its native memory.
      run.uploaded?.[Symbol.dispose]();
      delete run.uploaded;
    }
  }

  async #run(run: Run, scope: string): Promise<MirrorReport> {
    // Beside the pass (one listing more, no round trip more on a no-op run);
    // awaited on every way out, so nothing goes on once the run returns.
    const uploads = scope === "" ? this.#abandonedUploads(run) : undefined;
    const uploadsDone = () => uploads?.catch(() => {});
    try {
      await this.#pass(run, scope);
    } catch (error) {
      await uploadsDone();
      // Stopped (a watch shutting down), not aborted: the transfers that
      // finished are reported (a watch's closing line counts them), and
      // nothing is deleted (the pass did not see everything).
      if (!run.stop?.aborted || this.#options.signal?.aborted) throw this.#interrupted(run, error);
      return this.#stopped(run);
    }
    // Made by this pass: the directory the next ones write into.
    this.#targetId ??= this.direction === "download"
      ? directoryId(this.localRoots[0]!.dir)
      : undefined;
    try {
      await uploads;
      return await this.#conclude(run);
    } catch (error) {
      throw this.#interrupted(run, error);
    }
  }

  /**
   * Store → local: throws when the target's path names another directory
   * than the one the passes wrote into (moved away and a link to another
   * put in its place, a `current` link switched). A pass there wrote into,
   * and with `delete` emptied of all the store lacks, a directory of the
   * user's far from the mirror's. A target that is missing is made by the
   * pass, as at the first run, and is the target from then on.
   */
  #sameTarget(): void {
    if (this.direction !== "download") return;
    const dir = this.localRoots[0]!.dir;
    const now = directoryId(dir);
    if (this.#targetId === undefined || now === undefined) {
      this.#targetId = now;
      return;
    }
    if (now !== this.#targetId) {
      throw new VcError(
        `mirror target ${dir} is another directory than the one this mirror wrote into (a link ` +
          "switched, or the directory moved and another put in its place?); nothing is written " +
          "or deleted in it: move it back, or start the mirror again to mirror into it",
      );
    }
  }

  /**
   * Local → store, in a full pass: the uploads left open under the target
   * by writers killed mid-upload, aborted once old enough (see
   * `abandoned_uploads.ts`).
   */
  async #abandonedUploads(run: Run): Promise<void> {
    if (this.direction !== "upload") return;
    const o = this.#options;
    await abortAbandonedUploads(this.#stores[0]!, this.#storePrefix, this.#filter, run.report, {
      now: (o.clock ?? systemClock).now(),
      afterMs: o.abortUploadsAfterMs ?? ABORT_UPLOADS_AFTER_MS,
      dryRun: o.dryRun === true,
      signal: run.signal,
    });
  }

  /**
   * `error` as the run's, once it failed: aborted by the signal, what was
   * really done (the transfers that finished, those cut short) rather than a
   * bare abort, which left "interrupted" as all a user saw after hours of uploads.
   */
  #interrupted(run: Run, error: unknown): unknown {
    if (!this.#options.signal?.aborted || error instanceof MirrorInterruptedError) return error;
    const report = this.#finish(run);
    report.interrupted = true;
    report.cutShort = [...(run.cutShort ?? [])].sort(compareUtf8);
    if (run.keptPartials !== undefined) {
      report.keptPartials = run.keptPartials.sort((a, b) => compareUtf8(a.key, b.key));
    }
    return new MirrorInterruptedError(report, error);
  }

  /** The report of a watch's pass or batch its stop cut short (see `MirrorReport.stopped`). */
  #stopped(run: Run): MirrorReport {
    const report = this.#finish(run);
    report.stopped = true;
    return report;
  }

  /** The deletes the run queued (unless held back), the uploads they were in the way of, its report. */
  async #conclude(run: Run): Promise<MirrorReport> {
    await this.#deletes(run);
    await this.#retryBlocked(run);
    await this.#confirmUploads(run);
    this.#state.flush();
    return this.#finish(run);
  }

  /**
   * The walk, listing and transfers of a pass over `scope` (`""`: all), into
   * `run`; its deletes are only queued (see {@linkcode Mirror.#conclude}).
   */
  async #pass(run: Run, scope: string): Promise<void> {
    const o = this.#options;
    const onError = (path: string, error: unknown) => {
      // No key comes from such a name, so no delete rests on it: it holds
      // back only its own (an rclone copy is at the name as read), where it
      // held back every delete for as long as the name stayed.
      const key = error instanceof NotUtf8NameError ? this.keyOf(path) : undefined;
      if (key !== undefined) (run.notUtf8 ??= []).push(key);
      else run.incomplete ??= `could not read ${path}`;
      // In a watch, a source entry gone when the walk came to it (a `mv` or
      // `rm -r` under the pass) is a change its events bring to the queue,
      // as a file that vanished while it was read is: deferred. Said as
      // failed, it was a "the next run mirrors it" line and a failure in the
      // closing count for a change the watch applied a moment later.
      if (
        run.changing !== undefined && this.direction === "upload" &&
        error instanceof Deno.errors.NotFound
      ) {
        run.report.deferred.push(path);
        return;
      }
      run.report.failed.push(failure(undefined, path, error));
    };
    const walkOptions = {
      filter: this.#filter,
      symlinks: o.symlinks ?? "skip",
      onError,
      // What a source holds that no object is made for (a link not
      // followed, a FIFO): said, so a target short of the tree says why.
      ...(this.direction === "upload"
        ? {
          onSkip: (key: string, path: string, kind: MirrorSkip["kind"]) =>
            (run.report.skipped ??= []).push({ key, path, kind }),
        }
        : {}),
      scope,
      signal: run.signal,
      // vc's temp files in a store → local target are its own downloads (in
      // progress, or left by one killed mid-file, which is swept); in a
      // source they are the user's files, uploaded like any other.
      ...(this.direction === "download" ? { skipTempNames: true } : {}),
      // The directory store's own files in a source (one once served as a
      // `file://` store): vc's sidecars and locks, no data of the user's,
      // and no key a `file://` target takes (a failure at every run).
      ...(this.direction === "upload" ? { skipInternalNames: this.#internalNames() } : {}),
      ...(this.direction === "download" && !o.dryRun ? { sweepDeadTemps: true } : {}),
    };
    // A full pass over a tree of 2000 to 50,000 files (as far as the state
    // knows: a first run knows nothing) walks on a worker thread, the stats
    // on another core than the listing's parse and the merge. A scoped pass
    // (watch mode) or a smaller tree does not pay for starting one (~20 ms);
    // a larger one keeps to one heap (the worker's grows with the entries
    // through it: +40 MB peak RSS for a no-op of 100,000 files); and on a
    // busy machine (no spare core) a second thread only costs.
    const threaded = scope === "" && (o.walkThread ?? "auto") !== false &&
      (o.walkThread === true ||
        (this.#state.hasAtLeast(WALK_THREAD_MIN_FILES) &&
          !this.#state.hasAtLeast(WALK_THREAD_MAX_FILES + 1) && spareCore()));
    const walk = (root: LocalRoot, missingOk: boolean) =>
      threaded
        ? walkLocalBatchesOffThread(root, walkOptions, missingOk, WALK_AHEAD)
        : walkLocalBatches(root, walkOptions, missingOk);
    const listOptions = {
      scope,
      signal: run.signal,
      onWarning: (w: { key: string; message: string }) => onError(w.key, new Error(w.message)),
      // The listing is fetched as ranges between every 1000th key recorded
      // (one page each, all at once) instead of a chain of pages.
      splits: () => this.#state.splitKeys(scope, LIST_PAGE),
    };
    try {
      if (this.direction === "upload") {
        const local = mergeSourceBatches(
          this.localRoots.map((r) => readAheadChunks(walk(r, scope !== ""), WALK_AHEAD)),
          (key, kept, dropped) => this.#duplicate(run, key, kept.path, dropped.path),
        );
        const remote = listRemoteBatches(
          this.#stores[0]!,
          this.#storePrefix,
          this.#filter,
          // A key ending in `/` that holds data (`aws s3api put-object --key
          // d/ --body f`) is no folder marker and can have no source file: it
          // is an entry only on the target, which --delete removes, as
          // `aws s3 sync --delete` does; empty markers stay, and so does the
          // prefix's own.
          {
            ...listOptions,
            directoryObjects: true,
            onObject: () => (run.listed ??= new Map()).set(scope, (run.listed.get(scope) ?? 0) + 1),
          },
        );
        (run.listed ??= new Map()).set(scope, run.listed.get(scope) ?? 0);
        const pairs = this.#unchangedSkipped(
          run,
          mergePairBatches(local, remote),
          true,
          scope,
        );
        // The tree is counted once the pass has files to send, so the
        // progress has totals long before the walk ends (a no-op pass,
        // only stats, does not pay for a second walk).
        const census = (signal: AbortSignal) =>
          countLocalFiles(this.localRoots, {
            filter: this.#filter,
            symlinks: walkOptions.symlinks,
            skipInternalNames: this.#internalNames(),
          }, signal);
        await this.#each(
          run,
          this.#counted(run, pairs, scope, census),
          (p) => this.#upload(run, p),
        );
      } else {
        const listing = (first: boolean) =>
          mergeSourceBatches(
            this.#stores.map((s, origin) =>
              withOrigin(
                listRemoteBatches(s, this.#storePrefix, this.#filter, {
                  ...listOptions,
                  // A directory store reads no file to list it: an ETag the
                  // state knows for the file's validator, or one HEAD for
                  // a file also here locally (see #learnEtag).
                  etags: false,
                  directoryObjects: true,
                  prefixObject: true,
                  // Said by the second listing, which the run goes by.
                  ...(first ? { onWarning: () => {} } : {}),
                  onObject: () => {
                    if (!first) run.sourceListed = true;
                  },
                }),
                origin,
              )
            ),
            (key, kept, dropped) => {
              if (first) return;
              this.#duplicate(
                run,
                key,
                joinUri(this.#stores[kept.origin]!.url, kept.storeKey),
                joinUri(this.#stores[dropped.origin]!.url, dropped.storeKey),
              );
            },
          );
        // A case-insensitive file system: which keys give way to a directory
        // in another letter case (`A` to `a/b.txt`) needs the whole listing
        // (the order does not bring them together), so it is read once
        // before the run's own listing, and decided before any download.
        // Whether names fold is asked of the target's own file system (once
        // per directory and process, `name_probe.ts`): Linux mounts
        // case-insensitive ones, macOS and Windows case-sensitive ones.
        const folds = namesFoldIn(this.localRoots[0]!.dir);
        if (folds) {
          run.foldedPlan = await foldedDirectoryClashes(listing(true), writableKey);
        }
        if (scope === "") run.sourceListed = false;
        const remote = listing(false);
        const local = readAheadChunks(walk(this.localRoots[0]!, true), WALK_AHEAD);
        const merged = mergePairBatches(remote, local);
        const pairs = this.#unchangedSkipped(
          run,
          this.#directoryClashes(
            run,
            folds ? this.#caseFolded(run, merged) : merged,
          ),
          false,
          scope,
        );
        // As for uploads: the sources are counted, by one more listing,
        // once the pass has many objects to fetch.
        const census = (signal: AbortSignal) =>
          countListed(this.#stores, this.#storePrefix, this.#filter, signal);
        await this.#each(
          run,
          this.#counted(run, pairs, scope, census),
          (p) => this.#download(run, p),
        );
      }
    } catch (error) {
      this.#state.flush();
      // A callback's own error is the caller's to see as it is (see CallbackError).
      if (o.signal?.aborted || run.stop?.aborted || error instanceof CallbackError) throw error;
      throw new VcError(
        `mirror of ${this.#names.sources.join(", ")} to ${this.#names.target} stopped: ${
          message(error)
        }; nothing was deleted`,
        { cause: error },
      );
    }
    if (run.unmatched !== undefined) {
      const folded = run.folded;
      run.report.extra += run.unmatched.filter((name) => !folded?.has(name)).length;
      delete run.unmatched;
    }
  }

  /**
   * Brings one local path (a file, a directory, or a path that no longer
   * exists) up to date on the target; the watch mode calls it for changed
   * paths. Upload direction only.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src`);
   *   await using m = await Mirror.open({
   *     sources: [`${dir}/src`],
   *     target: `file://${dir}/bucket`,
   *     statePath: `${dir}/state.sqlite`,
   *     delete: true,
   *   });
   *   await Deno.writeTextFile(`${dir}/src/new.txt`, "new");
   *   assert.equal((await m.syncPath(`${dir}/src/new.txt`)).transferred, 1);
   *   assert.equal(await Deno.readTextFile(`${dir}/bucket/new.txt`), "new");
   *   await Deno.remove(`${dir}/src/new.txt`);
   *   assert.equal((await m.syncPath(`${dir}/src/new.txt`)).deleted, 1);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  syncPath(path: string, options: { settleMs?: number } = {}): Promise<MirrorReport> {
    return this.syncPaths([path], options);
  }

  /**
   * {@linkcode Mirror.syncPath} for several paths as one unit (the watch's
   * batch of changes): their deletes are made together at the end, so
   * `maxDelete` holds for the batch (one that would delete more deletes
   * none), as for a pass, however many paths the deletes come from.
   * `onFailed` is called for each path something failed for (to try it
   * again): a path that could not be read whole (a file vanished under its
   * directory's walk, a store that cannot be reached) is reported and its
   * own deletes are held back; the other paths go on. `stop` ends the batch
   * early, as it does a pass: the transfers in flight finish, and the report
   * says what it did (it deletes nothing). Files `changing` says are still
   * being written (below a directory of the batch: a watch's events for them
   * not applied yet) go to `report.deferred`, as in a pass.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src`);
   *   await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
   *   await Deno.writeTextFile(`${dir}/src/b.txt`, "b");
   *   await using m = await Mirror.open({
   *     sources: [`${dir}/src`],
   *     target: `file://${dir}/bucket`,
   *     statePath: `${dir}/state.sqlite`,
   *     delete: true,
   *     maxDelete: 1,
   *   });
   *   await m.run();
   *   await Deno.remove(`${dir}/src/a.txt`);
   *   await Deno.remove(`${dir}/src/b.txt`);
   *   const paths = [`${dir}/src/a.txt`, `${dir}/src/b.txt`];
   *   const report = await m.syncPaths(paths);
   *   assert.equal(report.deleted, 0); // 2 deletes in one batch: more than maxDelete
   *   assert.match(report.deletesSkipped ?? "", /more than the 1/);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async syncPaths(
    paths: readonly string[],
    options: {
      settleMs?: number;
      changing?: (path: string) => boolean;
      onFailed?: (path: string) => void;
      stop?: AbortSignal;
    } = {},
  ): Promise<MirrorReport> {
    if (this.direction !== "upload") {
      throw new InvalidInputError("syncPath is for local → store mirrors");
    }
    const run = this.#newRun(options.settleMs ?? 0);
    if (options.stop) run.stop = options.stop;
    if (options.changing) run.changing = options.changing;
    return await this.#callbacksFirst(run, this.#syncPaths(run, paths, options));
  }

  async #syncPaths(
    run: Run,
    paths: readonly string[],
    options: { onFailed?: (path: string) => void },
  ): Promise<MirrorReport> {
    // Stopped (a watch shutting down), not aborted: as for a pass, no new
    // path or file is started (a burst of 20,000 new files must not keep a
    // stopping watch uploading for minutes, past a service manager's
    // timeout), the transfers in flight finish, and nothing is deleted.
    const stopped = () => run.stop?.aborted === true && this.#options.signal?.aborted !== true;
    const keys: [string, string][] = [];
    // A path through a bind mount of a directory above it (as a watcher
    // names a file of the tree's root there): the path the walk gives it,
    // told to `onFailed` as given.
    const ids = new Map<string, string | undefined>();
    const given = new Map<string, string>();
    for (const named of paths) {
      const abs = resolve(named);
      const root = this.localRoots.find((r) => pathBelow(abs, r.dir) !== undefined);
      const path = root === undefined ? named : withoutLoops(root.dir, abs, ids);
      if (path !== named && path !== abs) given.set(path, named);
      const key = this.keyOf(path);
      if (key !== undefined) keys.push([path, key]);
    }
    if (given.size > 0 && options.onFailed !== undefined) {
      const onFailed = options.onFailed;
      options = { ...options, onFailed: (path) => onFailed(given.get(path) ?? path) };
    }
    // A directory's pass covers every path below it: a burst of new files
    // brings their directory and each file in one batch, and each file
    // looked at again would cost a HEAD (and be counted twice in the
    // report). Ancestors first (a key sorts before the keys below it), so
    // the paths they cover are known before those come up.
    keys.sort(([, a], [, b]) => a < b ? -1 : a > b ? 1 : 0);
    const covered: string[] = [];
    const held: string[] = [];
    // Files that need only a HEAD and an upload: made together afterwards,
    // `concurrency` at a time (one after another, a burst of 1,000 files
    // into existing directories took 1,000 round trips of each).
    const files: [string, string, LocalEntry | undefined][] = [];
    for (const [path, key] of keys) {
      if (stopped()) return this.#stopped(run);
      if (covered.some((scope) => key.startsWith(scope))) continue;
      const before = run.report.failed.length;
      const mark = this.#state.deleteMark();
      delete run.incomplete;
      try {
        const scope = await this.#syncOne(
          run,
          path,
          key,
          (local) => files.push([path, key, local]),
        );
        if (scope !== undefined) covered.push(scope);
      } catch (error) {
        // Aborted: what it did and the keys cut short, as for a pass.
        if (this.#options.signal?.aborted) throw this.#interrupted(run, error);
        if (stopped()) return this.#stopped(run);
        // (A store that cannot be reached, a listing that failed.)
        run.incomplete ??= `${path} could not be mirrored`;
        run.report.failed.push(failure(key, path, error));
      }
      if (run.incomplete !== undefined) {
        // What this path could not read holds back its own deletes (they
        // may rest on it), not the other paths' (a file vanishing in a
        // busy directory must not hold every delete of the batch).
        run.deletes -= this.#state.dropDeletesAfter(mark);
        held.push(run.incomplete);
        delete run.incomplete;
      }
      if (run.report.failed.length > before) options.onFailed?.(path);
    }
    const signal = run.stop === undefined ? run.signal : AbortSignal.any([run.stop, run.signal]);
    try {
      const found = await this.#lookUpTogether(run, files.map(([, key]) => key), signal);
      await forEachLimit(files, this.#options.concurrency ?? 16, async ([path, key, local]) => {
        try {
          await this.#headAndUpload(run, key, local, found.get(key));
        } catch (error) {
          if (signal?.aborted) throw error;
          held.push(`${path} could not be mirrored`);
          run.report.failed.push(failure(key, path, error));
        }
        if (run.report.failed.some((f) => f.key === key)) options.onFailed?.(path);
      }, signal ? { signal } : {});
    } catch (error) {
      if (stopped()) return this.#stopped(run);
      throw this.#interrupted(run, error);
    }
    const before = run.report.failed.length;
    const report = await this.#conclude(run);
    if (held.length > 0) {
      report.deletesSkipped ??= heldBack(held);
    }
    // A delete, or an upload it was in the way of, that failed: the path it came from.
    for (const [path, key] of keys) {
      const failed = report.failed.slice(before).some((f) =>
        f.key !== undefined && (key === "" || f.key === key || f.key.startsWith(`${key}/`))
      );
      if (failed) options.onFailed?.(path);
    }
    return report;
  }

  /**
   * One path of {@linkcode Mirror.syncPaths}, into `run` (its deletes
   * queued). Returns the key prefix a pass compared whole (`key/`, or `""`
   * for a source root), if one did. A file, or a path gone, with nothing
   * mirrored below its name queues no deletes here: its HEAD and upload
   * (or the delete of its own object, made once `later` has run, so no
   * other path's held-back deletes take it along) go to `later`.
   */
  /**
   * Which source names an upload leaves out as a directory store's own
   * (`isInternalName`): `.vc~…`, and `.VC~…` too for a `file://` target,
   * which takes no such key (an S3 bucket takes it: the user's file).
   */
  #internalNames(): true | "any-case" {
    return this.#stores[0]?.url.startsWith("file:") ? "any-case" : true;
  }

  async #syncOne(
    run: Run,
    path: string,
    key: string,
    later: (local: LocalEntry | undefined) => void,
  ): Promise<string | undefined> {
    // A directory store's own file in a source (a sidecar written there):
    // left out, as the walk leaves it out.
    const internal = this.#internalNames();
    if (this.direction === "upload" && key.split("/").some((s) => isInternalName(s, internal))) {
      return undefined;
    }
    const local = await statLocal(path, key, this.#options.symlinks ?? "skip").catch(
      (error: unknown) => {
        run.report.failed.push(failure(key, path, error));
        return null;
      },
    );
    if (local === null) return undefined;
    // A link not followed, a FIFO, a socket or a device: no object is made
    // for it, and it is counted among the batch's skipped as the walk of a
    // pass (or of a directory of the batch) counts it, so an `ln -s` is said
    // in its batch's line as in the pass's. (Its key's object, if any, goes
    // below as any without a file.)
    if (local === undefined && key !== "" && matchesFilter(this.#filter, key)) {
      const kind = await skippedAs(path, this.#options.symlinks ?? "skip");
      if (kind !== undefined) (run.report.skipped ??= []).push({ key, path, kind });
    }
    // A directory that became a file: what was mirrored under it goes (a
    // directory store refuses the file until then: its upload waits for
    // the deletes, see `Run.blocked`).
    let scope: string | undefined;
    if (local !== undefined && this.#state.hasAtLeast(1, `${key}/`)) {
      await this.#pass(run, scope = `${key}/`);
    }
    // A file, a path that is gone, or a directory (or a skipped link): the
    // object named by the path itself (a file that became a directory goes
    // with --delete).
    const included = matchesFilter(this.#filter, key);
    // A path gone with nothing mirrored below its name was a file (or a
    // directory of no mirrored file): only its own object can go, so it
    // needs no LIST of `key/` either. An `rm logs/*` of 10,000 files is
    // then 10,000 HEADs `concurrency` at a time, not a HEAD and a LIST each
    // one after another. (Objects below it another tool put there are the
    // full pass's, as everywhere in a watch.)
    const goneFile = local === undefined && key !== "" &&
      !this.#state.hasAtLeast(1, `${key}/`) && await isGone(path);
    if (goneFile && !included) return undefined;
    if (included && key !== "" && (local !== undefined || goneFile) && scope === undefined) {
      later(local);
      return undefined;
    }
    if (included && key !== "") await this.#headAndUpload(run, key, local);
    // A directory (created, renamed here or away): everything under it.
    if (local === undefined) await this.#pass(run, scope = key === "" ? "" : `${key}/`);
    return scope;
  }

  /**
   * The object named by a path of {@linkcode Mirror.syncPaths} compared with
   * its file (or its absence); `found`: the object as a listing of its
   * directory showed it (`{}`: not there), else a HEAD asks.
   */
  async #headAndUpload(
    run: Run,
    key: string,
    local: LocalEntry | undefined,
    found?: { info?: ObjectInfo },
  ): Promise<void> {
    const store = this.#stores[0]!;
    const storeKey = this.#storePrefix + key;
    let info: ObjectInfo | undefined = found?.info;
    let listed = found !== undefined || this.#headRefused !== undefined;
    if (!listed) {
      try {
        info = await store.head(storeKey);
      } catch (error) {
        // An upload-only key (s3:PutObject and s3:ListBucket, no
        // s3:GetObject): the listing tells what is stored, as it does for a
        // full pass, and HEAD is not asked again. A key that may not list
        // either fails here with the listing's own refusal.
        if (!(error instanceof AccessDeniedError)) throw error;
        this.#headRefused = error;
        listed = true;
      } finally {
        run.report.heads++;
      }
    }
    if (listed && found === undefined) {
      run.headRefused = true;
      info = await listedObject(store, storeKey, run.signal);
    }
    const target: RemoteEntry | undefined = info === undefined ? undefined : {
      key,
      storeKey,
      size: info.size,
      etag: info.etag,
      // A listing carries no metadata: left for the comparison to find.
      ...(listed ? {} : { metadata: info.metadata ?? {} }),
    };
    if (local !== undefined || target !== undefined) {
      await this.#upload(run, {
        key,
        ...(local ? { source: local } : {}),
        ...(target ? { target } : {}),
      });
    }
  }

  /**
   * The objects of `keys` (files of a batch that need only their own
   * object), by directory: a directory is listed once (its prefix, every
   * depth below) when that takes fewer pages than looking up the keys
   * below it otherwise would, by the state's count of what is below it,
   * rather than a HEAD (with HEAD refused, a LIST) each: an `rm logs/*` of
   * 10,000 files is 10 LISTs, not 10,000 HEADs, and one file changed in
   * each of 30 directories of a small tree (a `git checkout`, a build
   * rewriting its output) is one listing of the directory above them (see
   * {@linkcode listingScopes}). A listing that runs past that many pages
   * (the state out of date) stops, and the keys it did not reach are asked
   * alone. The listed scopes confirm the batch's uploads too.
   */
  async #lookUpTogether(
    run: Run,
    keys: readonly string[],
    signal: AbortSignal,
  ): Promise<Map<string, { info?: ObjectInfo }>> {
    const found = new Map<string, { info?: ObjectInfo }>();
    const store = this.#stores[0]!;
    const page = listPageOf(store);
    const scopes = listingScopes(
      keys,
      (pages, dir) => !this.#state.hasAtLeast(pages * page, dir),
    );
    const concurrency = this.#options.concurrency ?? 16;
    await forEachLimit([...scopes], concurrency, async ([dir, { keys: group, pages }]) => {
      const wanted = new Set(group);
      const here = new Map<string, { info?: ObjectInfo }>();
      let objects = 0;
      let last: string | undefined;
      let whole = true;
      try {
        for await (const info of store.list(this.#storePrefix + dir, { signal })) {
          if (++objects > pages * page) {
            whole = false;
            break;
          }
          const key = info.key.slice(this.#storePrefix.length);
          last = key;
          if (wanted.has(key)) here.set(key, { info });
        }
      } catch (error) {
        if (signal.aborted) throw error;
        // (The store failing, a listing refused.) Each key is asked alone,
        // and fails, if it does, as its own.
        return;
      }
      for (const key of group) {
        const listed = here.get(key);
        if (listed !== undefined) found.set(key, listed);
        // Not listed: not there, if the listing came past where it would be.
        else if (whole || (last !== undefined && compareUtf8(key, last) < 0)) found.set(key, {});
      }
      if (whole) (run.listed ??= new Map()).set(dir, objects);
    }, { signal });
    return found;
  }

  /**
   * The relative key of a local path inside one of the sources, or `undefined`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src`);
   *   await using m = await Mirror.open({
   *     sources: [`${dir}/src`],
   *     target: `file://${dir}/bucket`,
   *     statePath: `${dir}/state.sqlite`,
   *   });
   *   assert.equal(m.keyOf(`${dir}/src/sub/a.txt`), "sub/a.txt");
   *   assert.equal(m.keyOf(`${dir}/elsewhere/a.txt`), undefined);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  keyOf(path: string): string | undefined {
    const abs = resolve(path);
    for (const r of this.localRoots) {
      const below = pathBelow(abs, r.dir);
      if (below === "") return r.base.replace(/\/$/, "");
      if (below !== undefined) return r.base + below.split(sep).join("/");
    }
    return undefined;
  }

  /**
   * Closes the state file and the stores this mirror opened.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mirror } from "./mirror.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await Deno.mkdir(`${dir}/src`);
   *   await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
   *   const m = await Mirror.open({
   *     sources: [`${dir}/src`],
   *     target: `file://${dir}/bucket`,
   *     statePath: `${dir}/state.sqlite`,
   *   });
   *   await m.run();
   *   await m.close();
   *   await assert.rejects(m.run()); // closed
   *   assert((await Deno.stat(`${dir}/state.sqlite`)).isFile); // kept for the next run
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      this.#state.close();
    } finally {
      await Promise.allSettled(this.#owned.map((s) => s.close()));
    }
  }

  /** Same as {@linkcode Mirror.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #newRun(settleMs: number): Run {
    // Its state database is closed: say so, not SQLite's "database is not open".
    if (this.#closed) throw new VcError("this mirror was closed; open it again (Mirror.open)");
    this.#state.clearDeletes(); // left over by a run that stopped
    if (settleMs > 0) this.#settle.pass(settleMs);
    const callbacks = new CallbackGuard();
    return {
      callbacks,
      signal: callbacks.with(this.#options.signal),
      report: {
        direction: this.direction,
        sources: this.#names.sources,
        target: this.#names.target,
        dryRun: this.#options.dryRun ?? false,
        transferred: 0,
        bytes: 0,
        deleted: 0,
        deletedKeys: [],
        unchanged: 0,
        extra: 0,
        hashed: 0,
        heads: 0,
        failed: [],
        deferred: [],
        ...(this.#options.dryRun ? { actions: [] } : {}),
        seconds: 0,
      },
      started: performance.now(),
      startedAt: Date.now(),
      done: 0,
      deletes: 0,
      moving: 0,
      settleMs,
      checkedDirs: new Set(),
      ...(this.#options.delete ? { blocked: [] } : {}),
    };
  }

  #finish(run: Run): MirrorReport {
    if (this.#options.delete && run.deletes > 0) run.report.extra += run.deletes;
    // Transfers finish in any order; a plan reads best in key order.
    run.report.actions?.sort((a, b) => compareUtf8(a.key, b.key));
    run.report.skipped?.sort((a, b) => compareUtf8(a.key, b.key));
    run.report.seconds = Math.round(performance.now() - run.started) / 1000;
    return run.report;
  }

  async #each<T extends { key: string }>(
    run: Run,
    items: AsyncIterable<T>,
    fn: (item: T) => Promise<void>,
  ): Promise<void> {
    const signal = run.stop === undefined ? run.signal : AbortSignal.any([run.stop, run.signal]);
    await forEachLimit(items, this.#options.concurrency ?? 16, fn, signal ? { signal } : {});
  }

  /**
   * `pairs` as they are passed on to be worked on, counted (with their
   * sources' sizes) until done, so a full pass whose walk and listing ended
   * tells its totals (see `MirrorProgress.total`).
   */
  async *#counted<P extends Pair<Keyed & { size: number }, Keyed>>(
    run: Run,
    pairs: AsyncIterable<P>,
    scope: string,
    /** Counts the source tree (`countLocalFiles`), once there are files to send. */
    census?: (signal: AbortSignal) => Promise<TreeCount | undefined>,
  ): AsyncGenerator<P> {
    if (scope !== "" || this.#options.onProgress === undefined) {
      yield* pairs;
      return;
    }
    const open: NonNullable<Run["open"]> = { items: new Map(), bytes: 0, ended: false };
    run.open = open;
    if (census !== undefined) run.census = { seen: { files: 0, bytes: 0 } };
    let counting: Promise<void> | undefined;
    const countDone = new AbortController();
    let toSend = 0;
    let bytesToSend = 0;
    try {
      for await (const pair of pairs) {
        const size = pair.source?.size ?? 0;
        open.items.set(pair, size);
        open.bytes += size;
        if (pair.source !== undefined) {
          // Out of the count's files not compared yet, as it joins the open items.
          toSend++;
          bytesToSend += size;
          if (run.census !== undefined) {
            run.census.seen.files++;
            run.census.seen.bytes += size;
          }
        }
        if (
          census !== undefined && counting === undefined &&
          (toSend >= CENSUS_AFTER_FILES || bytesToSend >= CENSUS_AFTER_BYTES)
        ) {
          counting = census(AbortSignal.any([run.signal, countDone.signal])).then((counted) => {
            if (counted === undefined || open.ended || run.census === undefined) return;
            run.census.counted = counted;
            this.#tellTotals(run);
          });
        }
        yield pair;
      }
      open.ended = true;
    } finally {
      // The walk's end gives the exact totals (and a pass that stops early
      // needs none): a count still under way stops.
      countDone.abort();
      await counting;
    }
    // Said at once: the transfers in flight may take long to report.
    this.#tellTotals(run);
  }

  /** A progress event with the totals as known now. */
  #tellTotals(run: Run): void {
    run.callbacks.call("onProgress", this.#options.onProgress, {
      done: run.done,
      bytes: run.report.bytes + run.moving,
      ...this.#totals(run),
    });
  }

  /** An item worked on is done (or cut short): out of the totals' count. */
  #itemDone(run: Run, item: object): void {
    const open = run.open;
    const size = open?.items.get(item);
    if (size === undefined) return;
    open!.items.delete(item);
    open!.bytes -= size;
  }

  /** The progress's totals, once known. */
  #totals(run: Run): { total?: number; totalBytes?: number } {
    const open = run.open;
    if (open === undefined) return {};
    if (open.ended) {
      return { total: run.done + open.items.size, totalBytes: run.report.bytes + open.bytes };
    }
    // Before the walk's end, the tree's count: what the pass has not
    // compared yet is taken as to be sent.
    const counted = run.census?.counted;
    if (counted === undefined) return {};
    const seen = run.census!.seen;
    return {
      total: run.done + open.items.size + Math.max(0, counted.files - seen.files),
      totalBytes: run.report.bytes + open.bytes + Math.max(0, counted.bytes - seen.bytes),
    };
  }

  /**
   * Passes on the pairs that need work, counting the others as unchanged
   * right here: a file whose stat matches the state, next to an object whose
   * ETag is the one recorded with it. This is the whole of a no-op run, so it
   * stays synchronous and allocation-light (no pool slot, no promise per
   * file), and the state is read as one ordered scan beside the merge (the
   * pairs come in key order), not one query per file. Pairs passed on carry
   * the row, so the work on them does not look it up again.
   */
  async *#unchangedSkipped<P extends Pair<Keyed, Keyed>>(
    run: Run,
    batches: AsyncIterable<P[]>,
    /** True when the local side is the pair's source (an upload), false when its target. */
    localIsSource: boolean,
    scope: string,
  ): AsyncGenerator<Planned<P>> {
    const checksum = this.#options.checksum ?? false;
    const lookup = this.#state.cursor(scope);
    for await (const pairs of batches) {
      for (const pair of pairs) {
        // No array per pair: a no-op of a million files allocates a million fewer.
        const l = (localIsSource ? pair.source : pair.target) as LocalEntry | undefined;
        const r = (localIsSource ? pair.target : pair.source) as RemoteEntry | undefined;
        if (l === undefined) {
          yield pair;
          continue;
        }
        const row = lookup(l.key);
        // Listed without its ETag (a directory store's file with no sidecar
        // it may write): the one recorded with the same validator is its ETag.
        if (
          !checksum && r !== undefined && r.etag === "" && r.validator !== undefined &&
          row !== undefined && row.validator === r.validator
        ) {
          r.etag = row.etag;
        }
        if (
          !checksum && r !== undefined && row !== undefined && l.size === r.size &&
          row.etag === r.etag && row.etag !== "" && statMatches(row, l) &&
          // A download's file has its object's time (see #download): one
          // without it is passed on, to take it.
          (localIsSource || r.lastModifiedMs === undefined || l.mtimeMs === r.lastModifiedMs)
        ) {
          run.report.unchanged++;
          const seen = run.census?.seen;
          if (seen !== undefined) {
            seen.files++;
            seen.bytes += l.size;
          }
          this.#progress(run, pair.key);
          continue;
        }
        const planned: Planned<P> = pair;
        planned.known = { row };
        yield planned;
      }
    }
  }

  /**
   * Store → local on a case-insensitive file system: a source key that names
   * the same file as an earlier one (`a.csv` after `A.csv`) is reported and
   * left alone (written, both would take turns in one file, run after run);
   * the keys are remembered so the deletes spare their files.
   */
  async *#caseFolded<P extends Pair<Keyed, Keyed>>(
    run: Run,
    batches: AsyncIterable<P[]>,
  ): AsyncGenerator<P[]> {
    const folded = run.folded ??= new Map();
    for await (const pairs of batches) {
      const kept: P[] = [];
      for (const pair of pairs) {
        if (pair.source !== undefined) {
          const name = foldName(pair.key);
          const first = folded.get(name);
          if (first !== undefined && first !== pair.key) {
            run.report.failed.push(failure(
              pair.key,
              join(this.localRoots[0]!.dir, pair.key),
              `not written: the file system does not tell letter case (or Unicode form) ` +
                `apart, and ${JSON.stringify(first)} is this file there`,
            ));
            this.#progress(run, pair.key);
            continue;
          }
          folded.set(name, pair.key);
        }
        kept.push(pair);
      }
      yield kept;
    }
  }

  /**
   * Store → local: a key that another key needs as its directory (`a`
   * beside `a/b.txt`) is reported and left alone, decided from the listing
   * before any download (`dir_clash.ts`), so the outcome does not depend on
   * which download finished first, and is the same every run. Its local
   * file, if any, stays (never deleted for the clash).
   */
  #directoryClashes<P extends Pair<SourceRemote, LocalEntry>>(
    run: Run,
    batches: AsyncIterable<P[]>,
  ): AsyncIterable<P[]> {
    const onClash = (pair: P, below: string) => {
      const remote = pair.source!;
      // Its local file (an earlier run's) is kept, but is in the way of
      // the keys below it: say so here, once.
      const kept = pair.target === undefined
        ? ""
        : `, once the file ${pair.target.path} is moved away (kept: a clash never deletes it)`;
      const dir = below.startsWith(`${pair.key}/`)
        ? "a directory of this name ("
        : `the directory ${JSON.stringify(spellingIn(below, pair.key))}, the same name here ` +
          `(this file system does not tell letter case or Unicode form apart; `;
      run.report.failed.push(failure(
        pair.key,
        joinUri(this.#stores[remote.origin]!.url, remote.storeKey),
        `not written: the key ${JSON.stringify(below)} needs ${dir}a ` +
          `bucket holds both, a file system cannot), so the keys below it are mirrored ` +
          `instead${kept}; rename or remove this object in the store, or leave it out with --exclude`,
      ));
      this.#progress(run, pair.key);
    };
    const exact = withoutDirectoryClashes(batches, writableKey, onClash);
    if (run.foldedPlan === undefined) return exact;
    return withoutFoldedDirectoryClashes(exact, run.foldedPlan, {
      writable: writableKey,
      onClash,
      // The file a name is, of the keys listed so far (`#caseFolded`).
      listed: (folded) => {
        const key = run.folded?.get(folded);
        return key !== undefined && writableKey(key) ? key : undefined;
      },
      onLate: (pair, file) => {
        const remote = pair.source!;
        run.report.failed.push(failure(
          pair.key,
          joinUri(this.#stores[remote.origin]!.url, remote.storeKey),
          `not written: the key ${JSON.stringify(file)}, mirrored before it in this run, is a ` +
            `file of the name of one of its directories on this file system (it does not tell ` +
            `letter case or Unicode form apart), and this key came into the store during the ` +
            `run; the next run mirrors the keys below that name instead, once that file is ` +
            `moved away`,
        ));
        this.#progress(run, pair.key);
      },
    });
  }

  #duplicate(run: Run, key: string, kept: string, dropped: string): void {
    // A source inside another (with --source-prefix) walks its files twice
    // under the same keys: the same file, not a conflict.
    if (kept === dropped) return;
    run.report.failed.push(
      failure(
        key,
        dropped,
        `key ${JSON.stringify(key)} also comes from ${kept}; the first source wins`,
      ),
    );
  }

  #progress(run: Run, key: string, finished = true, item?: object): void {
    if (finished) run.done++;
    if (item !== undefined) this.#itemDone(run, item);
    const bytes = run.report.bytes + run.moving;
    run.callbacks.call("onProgress", this.#options.onProgress, {
      done: run.done,
      bytes,
      ...this.#totals(run),
      current: key,
    });
  }

  /** hashLocal's progress callback for `key`'s file of `size` bytes, told as its step. */
  #hashing(run: Run, key: string, size: number): ((bytes: number) => void) | undefined {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return undefined;
    return (hashed) =>
      run.callbacks.call("onProgress", onProgress, {
        done: run.done,
        bytes: run.report.bytes + run.moving,
        ...this.#totals(run),
        current: key,
        step: { name: "hashing", bytes: hashed, total: size },
      });
  }

  /**
   * A per-transfer progress callback (cumulative bytes) feeding the run's
   * byte count. `end` takes its bytes out again: called where the transfer
   * is counted as done (in the same step, so the count does not go back
   * while the checks after the transfer run, as it did at each file of a
   * large run) or fails. Safe to call more than once.
   */
  #mover(run: Run, ...[key, step, size, item]: MoverArgs): Mover {
    let sent = 0;
    let resumed = 0;
    const onProgress = this.#options.onProgress;
    return {
      get resumed() {
        return resumed;
      },
      onBytes: (n, kept = 0) => {
        // A resumed download's kept prefix is in the file, not fetched: out
        // of the byte count, and out of what the totals still expect.
        if (kept !== resumed) {
          const open = run.open;
          const left = item === undefined ? undefined : open?.items.get(item);
          if (left !== undefined) {
            const now = Math.max(0, left + resumed - kept);
            open!.items.set(item!, now);
            open!.bytes += now - left;
          }
          resumed = kept;
        }
        const fetched = Math.max(0, n - kept);
        run.moving += fetched - sent;
        sent = fetched;
        if (onProgress === undefined) return;
        // Told as the file's step, with its size: the run has no total (the
        // walk and the listing are streamed), so a large file's transfer
        // showed bytes growing and not how far it was.
        run.callbacks.call("onProgress", onProgress, {
          done: run.done,
          bytes: run.report.bytes + run.moving,
          ...this.#totals(run),
          current: key,
          step: { name: step, bytes: n, total: Math.max(size, n) },
        });
      },
      end: () => {
        run.moving -= sent;
        sent = 0;
      },
    };
  }

  #act(run: Run, action: "upload" | "download" | "delete", key: string, size: number): void {
    const a = { action, key, size };
    run.report.actions?.push(a);
    run.callbacks.call("onAction", this.#options.onAction, a);
  }

  /**
   * Throws when `entry`'s file no longer has the stat it was hashed with;
   * not remembered, the next run (or the watch's next event) hashes and
   * uploads it again.
   */
  async #unchangedSince(entry: LocalEntry, committed = true): Promise<void> {
    // A followed link: the file it leads to, as the walk saw it.
    const now = await statLocal(entry.path, entry.key, this.#options.symlinks ?? "skip");
    if (now === undefined && !committed) {
      // Gone before (or while) it was read for the upload: nothing was
      // stored for it, and it did not "change".
      throw new FileChangedError(
        `${entry.path} vanished while it was uploaded; the upload was aborted (the store keeps ` +
          `the object it had), and the next run mirrors what is there then`,
      );
    }
    if (now === undefined || !statMatches({ ...entry, ino: entry.ino ?? 0 }, now)) {
      throw new FileChangedError(
        `${entry.path} changed while it was uploaded; ` +
          (committed
            ? "the object may not match its vc-md5, "
            : "the upload was aborted (the store keeps the object it had), ") +
          "and the next run uploads the file again",
      );
    }
  }

  #remember(
    entry: LocalEntry,
    md5: string,
    etag: string,
    racy: boolean,
    validator: string | undefined = undefined,
  ): void {
    if (!this.#options.dryRun) record(this.#state, entry, md5, etag, racy, validator ?? "");
  }

  // The MD5 of `local` (the file of `pair`): the state row's when its stat
  // is unchanged, else read (and counted as hashed). `row` is that state row,
  // which #unchanged compares with the store's object too.
  async #hash(
    run: Run,
    pair: Planned<{ key: string }>,
    local: LocalEntry,
  ): Promise<{ row: StateRow | undefined; hash: LocalHash }> {
    const o = this.#options;
    const row = pair.known ? pair.known.row : this.#state.get(local.key);
    const hash = await hashLocal(
      local,
      row,
      o.checksum ?? false,
      this.#racyWindow,
      this.#hashing(run, pair.key, local.size),
      o.symlinks ?? "skip",
    );
    if (hash.hashed) run.report.hashed++;
    return { row, hash };
  }

  // True when the store's `remote` holds the content of `local` (hashed as
  // `hash`): counted as unchanged, nothing to transfer, and its state row
  // brought up to date where it was not.
  async #unchanged(
    run: Run,
    store: ObjectStore,
    local: LocalEntry,
    remote: RemoteEntry,
    row: StateRow | undefined,
    hash: LocalHash,
  ): Promise<boolean> {
    if (!(await sameContent(hash.md5, remote, row, store, run.report, run.signal, local.path))) {
      return false;
    }
    run.report.unchanged++;
    if (
      row?.etag !== remote.etag || row.md5 !== hash.md5 || hash.hashed ||
      (row.validator ?? "") !== (remote.validator ?? "")
    ) {
      this.#remember(local, hash.md5, remote.etag, hash.racy, remote.validator);
    }
    return true;
  }

  // A file found equal to its object, in a download, takes the object's
  // last-modified time, as a downloaded one has it (and as `rclone sync`
  // sets it): `aws s3 sync`, which compares sizes and times only, would
  // otherwise download a file with a newer time (a copy, a checkout) again,
  // run after run, while the mirror says it is unchanged. The state is then
  // of the file as it is left, so the next run reads nothing.
  async #takeObjectTime(
    run: Run,
    root: string,
    local: LocalEntry,
    remote: RemoteEntry,
    hash: LocalHash,
  ): Promise<void> {
    const time = remote.lastModifiedMs;
    if (time === undefined || local.mtimeMs === time) return;
    const at = new Date(time);
    try {
      // utime follows links: never through one, to a file outside the target.
      if (!(await Deno.lstat(local.path)).isFile) return;
      if (linkBelow(root, local.path, run.checkedDirs) !== undefined) return;
      await Deno.utime(local.path, at, at);
    } catch {
      return; // Not ours to change (another owner, a read-only mount): the content is what counts.
    }
    const now = await statLocal(local.path, local.key, "skip");
    if (now !== undefined && now.size === local.size) {
      // Racy, too, when the hash was: a write between it and the utime
      // above would have its mtime set back to the object's.
      const racy = hash.racy || this.#racyAt(now, time);
      this.#remember(now, hash.md5, remote.etag, racy, remote.validator);
    }
  }

  get #racyWindow(): number {
    return this.#options.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS;
  }

  /**
   * Whether the stat `written` of a file vc gave the object's time
   * `objectTime` (a download, a file found equal) may hide a later write.
   * Its ctime is new (the rename's, the utime's), but that is not "racy":
   * any write after vc set the time gives the file a new mtime, never the
   * object's own, so only an object whose time is itself recent leaves the
   * stat in doubt. Counting the ctime made every file of a download be read
   * again by the next run (a no-op re-run read the whole tree). A file
   * without that time (a file system that keeps none) goes by its own stat.
   */
  #racyAt(written: LocalEntry, objectTime: number | undefined): boolean {
    const now = Date.now();
    if (objectTime === undefined || written.mtimeMs !== objectTime) {
      return isRacy(written, now, this.#racyWindow);
    }
    return isRacy({ mtimeMs: objectTime, ctimeMs: -Infinity }, now, this.#racyWindow);
  }

  /**
   * One transfer of `#upload` or `#download`: `work` does it, starting its
   * byte count with `move` (see #mover), and `failed` takes what it threw.
   * One the signal aborted is cut short, not failed: out of the progress and
   * the report, its key in `Run.cutShort` where bytes had begun to move, and
   * the run's own error thrown. Either way the item leaves the totals.
   */
  async #transfer(
    run: Run,
    pair: Planned<Pair<Keyed, Keyed>>,
    work: (move: (...mover: MoverArgs) => Mover) => Promise<void>,
    failed: (error: unknown) => void,
  ): Promise<void> {
    let mover: Mover | undefined;
    let cut = false;
    try {
      await work((...args) => mover = this.#mover(run, ...args));
    } catch (error) {
      if (run.signal.aborted) {
        // Aborted, not done: the progress and the report must not count it.
        // (By a callback that failed: its error, not what the store made of the abort.)
        cut = true;
        if (mover) (run.cutShort ??= []).push(pair.key);
        throw run.callbacks.error ?? error;
      }
      failed(error);
    } finally {
      mover?.end();
      if (!cut) this.#progress(run, pair.key, true, pair);
      else this.#itemDone(run, pair);
    }
  }

  async #upload(run: Run, pair: Planned<Pair<LocalEntry, RemoteEntry>>): Promise<void> {
    let mover: Mover | undefined;
    const { source: local, target: remote } = pair;
    const store = this.#stores[0]!;
    const o = this.#options;
    await this.#transfer(
      run,
      pair,
      async (move) => {
        if (local === undefined) {
          this.#targetOnly(run, pair.key, remote!.storeKey, remote!.size);
          return;
        }
        // A file with events not applied yet is left to them whatever the
        // settle time: a watch's batch of a new directory has none (its paths
        // were quiet), and uploaded half a file still being copied into it.
        if (
          run.changing?.(local.path) || (run.settleMs > 0 && this.#settle.recent(local.mtimeMs))
        ) {
          run.report.deferred.push(local.path);
          if (o.delete && local.size >= COPY_MIN_BYTES && local.ino) {
            (run.deferredFiles ??= new Map()).set(
              fileId(local.ino, local.size, local.mtimeMs),
              local.path,
            );
          }
          if (run.settleMs > 0 && this.#settle.future(local.mtimeMs)) {
            (run.report.futureMtime ??= []).push(local.path);
          }
          return;
        }
        // A dry run reads a file only where its content decides (an object of
        // its size): a new file, or one of another size, would be uploaded
        // whatever it holds, and nothing of a dry run is remembered.
        if (o.dryRun && (remote === undefined || remote.size !== local.size)) {
          this.#act(run, "upload", local.key, local.size);
          run.report.transferred++;
          run.report.bytes += local.size;
          return;
        }
        const { row, hash } = await this.#hash(run, pair, local);
        if (hash.changedWhileRead) {
          // Rewritten in place while it was read whole: its bytes may be a
          // mix of old and new, which the store's MD5 check would pass (the
          // MD5 is of the mix). Nothing was sent.
          throw new FileChangedError(
            `${local.path} changed while it was read; the next run uploads what is there then`,
          );
        }
        if (hash.bytes !== undefined && hash.bytes.length !== local.size) {
          // Its stat as it was, though it read another size: a file made up
          // as it is read (/proc, /sys), whose stat says no size of its
          // content. Every run would fail it as changed, promising the next.
          if (await pseudoFileSize(local, hash.bytes.length, o.symlinks ?? "skip")) {
            throw new InvalidInputError(
              `${local.path}: its size is given as ${formatBytes(local.size)}, yet it reads ` +
                `${formatBytes(hash.bytes.length)}: a file the system makes up as it is read ` +
                `(in /proc or /sys), whose size is not its content's; not uploaded`,
            );
          }
          // Written to since the walk listed it (a log being appended): the
          // store would refuse the bytes for the walk's size, in its own words
          // about body sizes. Say what happened; nothing was sent.
          throw new FileChangedError(
            `${local.path} changed while it was read (${hash.bytes.length} bytes, listed with ` +
              `${local.size}); the next run uploads what is there then`,
          );
        }
        if (remote !== undefined && remote.size === local.size) {
          // Only a HEAD could tell (an object stored in parts by another tool,
          // its ETag not in the state) and the key may not HEAD: uploaded
          // again, as a changed file is, rather than a failure at every run.
          const same = await this.#unchanged(run, store, local, remote, row, hash).catch(
            (error: unknown) => {
              if (!(error instanceof AccessDeniedError) || run.signal.aborted) throw error;
              this.#headRefused ??= error;
              run.headRefused = true;
              return false;
            },
          );
          if (same) return;
        }
        this.#act(run, "upload", local.key, local.size);
        if (!o.dryRun) {
          // A file renamed or moved: its old key's object, copied in the store
          // (a transfer too: cut short by an abort once the copy is asked for).
          const copy = await this.#copyKnown(
            run,
            store,
            local,
            hash.md5,
            () => mover = move(local.key, "uploading", local.size),
          );
          if (copy !== undefined) {
            // Its old key, kept by a pass that left this file for later (see
            // `Run.deferredFiles`), goes now if it still has no file.
            if (o.delete) await this.#deleteIfNoFile(run, copy.from);
            await this.#renameDone(run, local.path);
            this.#remember(local, hash.md5, copy.etag, hash.racy);
            (run.uploaded ??= new UploadRecord()).set(local.key, {
              path: local.path,
              size: local.size,
              etag: copy.etag,
            });
            run.report.transferred++;
            run.report.copied = (run.report.copied ?? 0) + 1;
            return;
          }
          mover = move(local.key, "uploading", local.size);
          let notCommitted: unknown;
          const result = await store.put(
            this.#storePrefix + local.key,
            hash.bytes ?? { path: local.path },
            {
              md5: hash.md5,
              metadata: { "vc-md5": hash.md5 },
              // As `aws s3 sync` does: a bucket served as a website shows the file as what it is.
              contentType: contentTypeFor(local.key),
              size: local.size,
              onProgress: mover.onBytes,
              signal: run.signal,
              // Sent in parts: a file rewritten while it was read is caught
              // before the upload completes, so the store keeps its old object
              // rather than one whose bytes and vc-md5 may differ.
              ...(hash.bytes === undefined
                ? {
                  beforeCommit: () =>
                    this.#unchangedSince(local, false).catch((error) => {
                      notCommitted = error;
                      throw error;
                    }),
                }
                : {}),
            },
          ).catch(async (error: unknown) => {
            // A body read from disk that the store finds is not the content
            // its MD5 names (a directory store checks it, S3 a single PUT's
            // Content-MD5): the file was rewritten while it was read, and the
            // failure says so rather than the digests.
            if (error === notCommitted) throw error;
            // The store refused the upload (or the file could not be opened
            // for it): nothing was committed, the store keeps what it had.
            if (hash.bytes === undefined && !run.signal.aborted) {
              await this.#unchangedSince(local, false);
            }
            throw error;
          });
          // A file read from disk part by part (a multipart upload) may have
          // been rewritten in place while it went up: the object would then not
          // be the content its vc-md5 names, and a later run would trust it.
          // (A body read whole was checked against its MD5 by the store.)
          if (hash.bytes === undefined) await this.#unchangedSince(local);
          this.#remember(local, hash.md5, result.etag, hash.racy);
          (run.uploaded ??= new UploadRecord()).set(local.key, {
            path: local.path,
            size: local.size,
            etag: result.etag,
          });
          await this.#renameDone(run, local.path);
        }
        run.report.transferred++;
        run.report.bytes += local.size;
        mover?.end();
      },
      (error) => {
        // A file that was a directory, or the reverse: the old key(s), which
        // this run deletes, are in the way of a directory store until then.
        if (error instanceof KeyConflictError && run.blocked !== undefined) {
          run.blocked.push(() => this.#upload(run, pair));
          return;
        }
        // Without --delete the old key stays in its way: say what mends it.
        if (error instanceof KeyConflictError && !this.#options.delete) {
          const path = local?.path ?? `${store.url}/${pair.key}`;
          const entry = failure(pair.key, path, error);
          entry.error += "; --delete removes what is in its way first (the object of a file " +
            "that became a directory, or those below a directory that became a file), or leave " +
            "this file out with --exclude";
          run.report.failed.push(entry);
          return;
        }
        // In a watch, a file that changed or vanished while it was read (a
        // `git checkout` under the pass) is one being written: its events
        // (or, not seen yet, the deferred list) bring it to the queue, which
        // uploads it once quiet. Said as failed, a checkout under a pass
        // showed a failure line for each of its files.
        if (
          local !== undefined && run.changing !== undefined &&
          (error instanceof FileChangedError || error instanceof Deno.errors.NotFound)
        ) {
          run.report.deferred.push(local.path);
          return;
        }
        run.report.failed.push(failure(pair.key, local?.path ?? `${store.url}/${pair.key}`, error));
      },
    );
  }

  /**
   * Local → store: finds each object the run uploaded in the store with the
   * size (and, where both are MD5s, the ETag) its PUT was answered with. A
   * store or a proxy before it may answer a PUT 200 and keep nothing, or
   * other bytes; such a file is a failure naming its key, not counted as
   * transferred, and forgotten by the state, so the next run uploads it
   * again. The cheaper way ({@linkcode confirmationPlan}): one listing of a
   * scope the run listed that holds every upload (the ranges of the state's
   * keys, at once), or one of each directory a watch's batch listed (new
   * files in `a/` and `b/`), when it takes fewer pages than there are
   * uploads in it (its objects as the run's listing found them, and the
   * uploads), else a HEAD per upload. So one edit among
   * 10,000 files, or one file into a prefix of 100,000 objects the tree is a
   * small part of, or a watch's upload (its pass lists nothing), is one
   * HEAD, and a first upload of a tree is one request per 1000 objects. A
   * key the listing finds wanting is asked again by a HEAD (a listing may
   * lag a write on some stores). A key that may upload and list but not
   * read (HEAD refused: no `s3:GetObject`) has each upload the HEAD would
   * have confirmed looked up in a listing of its key (one LIST each); one
   * the listing does not show either is left unconfirmed (a listing may lag
   * a write), said in the report's `uploadsUnconfirmed`, no failure, and
   * forgotten by the state.
   */
  async #confirmUploads(run: Run): Promise<void> {
    const record = run.uploaded;
    delete run.uploaded;
    if (record === undefined) {
      this.#sayHeadRefused(run);
      return;
    }
    // Freed when confirmed. (A run that ends before: see #callbacksFirst.)
    using uploaded = record;
    const store = this.#stores[0]!;
    const signal = run.signal;
    const concurrency = this.#options.concurrency ?? 16;
    const denied: { keys: number; error?: AccessDeniedError; listed?: true } = { keys: 0 };
    // `listed`: a key the run's confirming listing found wanting (missing,
    // or another size or ETag).
    const head = async (key: string, listed: boolean) => {
      const storeKey = this.#storePrefix + key;
      const put = uploaded.get(key)!;
      // Refused before (a watch's earlier batch): not asked again.
      if (this.#headRefused === undefined) {
        try {
          const problem = await storedProblem(store, storeKey, put, signal);
          if (problem !== undefined) uploaded.fail(key, problem);
          return;
        } catch (error) {
          if (!(error instanceof AccessDeniedError)) throw error;
          this.#headRefused ??= error;
        }
      }
      run.headRefused = true;
      // An upload-only key (s3:PutObject and s3:ListBucket, no
      // s3:GetObject): a listing of the key tells what a HEAD would have,
      // one LIST for one HEAD (a watch looks its changed files up so).
      if (!listed && foundProblem(await listedObject(store, storeKey, signal), put) === undefined) {
        return;
      }
      // A listing's word alone fails nothing (a listing may lag a write):
      // not confirmed, and the state forgets it, so the next run compares
      // it again (and uploads it again if it is not there).
      denied.keys++;
      denied.error ??= this.#headRefused;
      denied.listed = true;
      this.#state.delete(key);
    };
    // Counts by scope, no list of the keys: the record is read once here,
    // then the listings mark what they find in it, and what is left is read
    // back a page at a time for its HEADs. Holding every key at once (the
    // plan's groups, the listing's set of keys found) was ~1.2 KB of RSS
    // per upload of a first run past 50,000.
    const plan = confirmationPlan(uploaded.keys(), run.listed, listPageOf(store));
    // Told as a step: a first run's listing of 20,000 uploads took seconds
    // with the bar at 100% and no word of what it waited for.
    const total = uploaded.size;
    let confirmed = 0;
    const tell = () => {
      run.callbacks.call("onProgress", this.#options.onProgress, {
        done: run.done,
        bytes: run.report.bytes + run.moving,
        ...this.#totals(run),
        current: counted(total, "upload"),
        step: { name: "confirming", bytes: confirmed, total },
      });
    };
    tell();
    try {
      await forEachLimit([...plan.lists.keys()], concurrency, async (scope) => {
        const listing = listRemoteBatches(store, this.#storePrefix, this.#filter, {
          scope,
          signal,
          // A directory store reads no file to list it; its size still tells.
          etags: false,
          directoryObjects: true,
          splits: () => this.#state.splitKeys(scope, LIST_PAGE),
        });
        for await (const batch of listing) {
          for (const entry of batch) {
            const put = uploaded.get(entry.key);
            // Found wanting (another size or ETag): asked again by a HEAD,
            // as one the listing did not show.
            if (put !== undefined && foundProblem(entry, put) === undefined) {
              uploaded.found(entry.key);
              confirmed++;
            }
          }
          tell();
        }
      }, { signal });
      // What no listing found: a HEAD each (a key the plan gave to a
      // listing, found wanting there, is `listed`).
      await forEachLimit(
        uploaded.unfound(),
        concurrency,
        async (key) => {
          await head(key, plan.scopeOf(key) !== undefined);
          confirmed++;
          tell();
        },
        { signal },
      );
    } catch (error) {
      if (signal.aborted) throw run.callbacks.error ?? error;
      if (error instanceof AccessDeniedError) {
        denied.keys = uploaded.size;
        denied.error = error;
      } else {
        run.report.failed.push(
          failure(
            undefined,
            store.url,
            `${counted(uploaded.size, "upload")} of this run could not be confirmed in the store: ${
              message(error)
            }; the next run compares them again`,
          ),
        );
        return;
      }
    }
    if (denied.error !== undefined) {
      run.report.uploadsUnconfirmed = `${
        counted(denied.keys, "upload")
      } of this run could not be confirmed in the store: ${message(denied.error)}${
        denied.listed ? ", and a listing of their keys did not show them (it may lag a write)" : ""
      }; counted as uploaded, as their PUTs were answered, and the next run compares them again`;
    }
    this.#sayHeadRefused(run);
    for (const { key, path, size, problem } of uploaded.failures()) {
      run.report.transferred--;
      run.report.bytes -= size;
      this.#state.delete(key);
      run.report.failed.push(
        failure(
          key,
          path,
          `not stored as uploaded: ${
            joinUri(store.url, this.#storePrefix + key)
          }: ${problem} (its PUT was answered 200: a gateway or proxy that acknowledges writes ` +
            "it does not keep, or another writer since?); the next run uploads it again",
        ),
      );
    }
  }

  /**
   * The report's `headRefused`: the store refused this run a HEAD (a key
   * that may upload and list but not read), what the mirror does instead,
   * and what that costs.
   */
  #sayHeadRefused(run: Run): void {
    const refused = this.#headRefused;
    if (!run.headRefused || refused === undefined) return;
    run.report.headRefused = `HEAD is refused in the store: ${message(refused)} (a key that may ` +
      "upload and list but not read; grant s3:GetObject to avoid this): each upload is " +
      "confirmed by a listing of its key (one LIST each; a watch looks each changed file up so " +
      "too), and an object only a HEAD could compare (stored in parts by another tool) is " +
      "uploaded again";
  }

  async #download(run: Run, pair: Planned<Pair<SourceRemote, LocalEntry>>): Promise<void> {
    let mover: Mover | undefined;
    const remote = pair.source;
    let local = pair.target;
    const o = this.#options;
    const root = this.localRoots[0]!.dir;
    await this.#transfer(
      run,
      pair,
      async (move) => {
        if (remote === undefined) {
          this.#targetOnly(run, pair.key, local!.path, local!.size);
          return;
        }
        const store = this.#stores[remote.origin]!;
        // The empty key is the prefix's own directory object (`p/` of
        // `s3://b/p`) holding data: named by its URI, with its slash.
        const unsafe = remote.storeKey === ""
          ? "key names a directory (the one mirrored)"
          : unsafeLocalKey(remote.key, undefined, namesFoldIn(root));
        if (unsafe !== undefined) {
          // The file other tools wrote for it (`a/b.txt` of `a//b.txt`) stays.
          const standIn = remote.storeKey === "" ? undefined : standInFileKey(remote.key);
          if (standIn !== undefined) (run.standIns ??= new Set()).add(standIn);
          // Refused for what the key is: the same at every pass until the
          // object is renamed (a watch says it once; see failure()).
          run.report.failed.push(
            failure(
              remote.key,
              joinUri(store.url, remote.storeKey),
              new InvalidInputError(
                `not written: ${unsafe}; rename the object in the store, or leave it out with --exclude`,
              ),
            ),
          );
          return;
        }
        // A case-insensitive file system: no local file has the key's exact
        // name, but one may be its file in another letter case or Unicode form
        // (`data/a.txt` for `Data/A.txt`). That one is compared, and written
        // when it differs, under its own name: a second run transfers nothing.
        let spelled = remote.key;
        if (local === undefined && run.folded !== undefined) {
          spelled = await this.#localSpelling(run, root, remote.key);
          if (spelled !== remote.key) {
            local = await statLocal(join(root, ...spelled.split("/")), remote.key, "skip");
          }
        }
        if (local !== undefined && local.size === remote.size && remote.etag === "") {
          await this.#learnEtag(run, store, remote);
        }
        if (local !== undefined && local.size === remote.size && remote.etag !== "") {
          const { row, hash } = await this.#hash(run, pair, local);
          if (await this.#unchanged(run, store, local, remote, row, hash)) {
            if (!o.dryRun) await this.#takeObjectTime(run, root, local, remote, hash);
            return;
          }
        }
        const dest = join(root, ...spelled.split("/"));
        const link = linkBelow(root, dest, run.checkedDirs);
        if (link !== undefined) {
          run.report.failed.push(failure(
            remote.key,
            dest,
            `not written: ${link} is a symbolic link in the target; vc does not write through it`,
          ));
          return;
        }
        // What the write would fail on, said before the object is fetched
        // (every run fetched it whole only to fail at the rename) and by the
        // dry run (which promised the download): a file where one of the
        // key's directories belongs, or a directory with files where it goes,
        // that this run does not delete.
        const inTheWay = this.#inTheWay(run, root, spelled, dest);
        if (inTheWay instanceof Error) {
          run.report.failed.push(failure(remote.key, dest, inTheWay));
          return;
        }
        // A file of the target where this key needs a directory ("a" for
        // "a/b"), or a directory with files where it goes, which this run
        // deletes: the download waits for the deletes (the dry run promised
        // both), so that the file goes only when they go. A pass whose
        // deletes are held back (`maxDelete`, a listing that failed) keeps
        // it, and the download fails naming it.
        if (inTheWay === "wait" && !o.dryRun) {
          run.blocked!.push(() => this.#download(run, pair));
          return;
        }
        this.#act(run, "download", remote.key, remote.size);
        // What was written: the object may have been replaced since the listing.
        let bytes = remote.size;
        if (!o.dryRun) {
          // A directory where the store now has a file (its files went in
          // another run): an empty one gives way; one with files fails below.
          const before = await Deno.lstat(dest).catch(() => undefined);
          if (before?.isDirectory) await Deno.remove(dest).catch(() => {});
          // A file it replaces keeps its permission bits (set-ID dropped) and,
          // where this process may give them, its owner and group, as `vc get`
          // keeps a DEST's: a user's private (0600) file came back readable by
          // everyone, a script made executable lost its x bit.
          const kept = before?.isFile && before.mode !== null
            ? {
              mode: before.mode & 0o777,
              ...(before.uid === null || before.gid === null
                ? {}
                : { owner: { uid: before.uid, gid: before.gid } }),
            }
            : {};
          const { onBytes } = mover = move(
            remote.key,
            "downloading",
            remote.size,
            pair,
          );
          // Loaded on the first download: an upload never needs it.
          const [{ downloadWithTemp }, { resumableTemp }] = await Promise.all([
            import("../store/download.ts"),
            import("./resumable_download.ts"),
          ]);
          // A large object goes into the file's locked shared temp file, which
          // a run that stops leaves for the next to resume (as the cache does).
          using held = await resumableTemp(
            dest,
            joinUri(store.url, remote.storeKey),
            remote.size,
            {
              ...(o.download?.parallelThreshold === undefined
                ? {}
                : { parallelThreshold: o.download.parallelThreshold }),
              ...(before?.isFile && before.mode !== null ? { mode: before.mode & 0o777 } : {}),
              ...(run.signal === undefined ? {} : { signal: run.signal }),
            },
          );
          // The object's time, as `aws s3 sync` and rclone give it (set before
          // the file takes its name, so a kill after the commit never leaves
          // the download's time): those tools then see the file as current
          // instead of fetching it again. Change detection here goes by the
          // mtime recorded next, whatever it is.
          const got = await downloadWithTemp(store, remote.storeKey, dest, {
            ...kept,
            ...o.download,
            ...held?.options,
            objectTime: true,
            onProgress: (p) => onBytes(p.bytes, p.resumed),
            signal: run.signal,
            // Looked at again before the rename (afresh: the run's memo of
            // directories seen holds the look above): a directory swapped for
            // a link while the object downloaded would have the file renamed
            // into place outside the target.
            beforeCommit: () => {
              const swapped = linkBelow(root, dest, new Set());
              if (swapped !== undefined) {
                throw new InvalidInputError(
                  `not written: ${swapped} is a symbolic link in the target; vc does not write ` +
                    `through it`,
                );
              }
            },
          }).catch(async (error) => {
            // Interrupted with its partial kept: said in the interrupted line.
            if (held !== undefined && run.signal.aborted) {
              const { keptPartial } = await import("../cache/partial_download.ts");
              const partial = keptPartial(dest);
              if (partial !== undefined) {
                (run.keptPartials ??= []).push({ key: remote.key, ...partial });
              }
            }
            throw error;
          });
          // Let go before the look: the temp name's removal changes the file's ctime.
          held?.[Symbol.dispose]();
          // Only what was fetched: a resumed download's kept prefix came in an earlier run.
          bytes = Math.max(0, got.size - mover.resumed);
          const written = await statLocal(dest, remote.key, "skip");
          if (written !== undefined) {
            // The object's time was set before the file took its name (`objectTime`).
            const racy = this.#racyAt(written, got.lastModified?.getTime());
            // A multipart object's download hashed its parts, not the whole:
            // the file is read again for the state (seconds a GB), told.
            let md5 = got.md5;
            if (md5 === undefined) {
              const onProgress = this.#hashing(run, remote.key, written.size);
              onProgress?.(0);
              md5 = await md5File(dest, onProgress ? { onProgress } : {});
            }
            this.#remember(written, md5, got.etag, racy, got.validator);
          }
        }
        run.report.transferred++;
        run.report.bytes += bytes;
        mover?.end();
      },
      (error) => {
        // A directory that became a file in the store: its files, which this
        // run deletes, are in the way until then (the dry run promised both).
        if (error instanceof Deno.errors.IsADirectory && run.blocked !== undefined) {
          run.blocked.push(() => this.#download(run, pair));
          return;
        }
        const path = local?.path ?? join(root, pair.key);
        const uri = remote === undefined
          ? undefined
          : joinUri(this.#stores[remote.origin]!.url, remote.storeKey);
        const full = uri === undefined ? undefined : downloadFailure(error, uri, path);
        run.report.failed.push(failure(pair.key, path, full ?? error));
      },
    );
  }

  /**
   * Local → store: the object for `local` (content `md5`) made by a copy in
   * the store of one the target already holds with that content, instead of
   * an upload: a file renamed or moved, whose old key the state file records
   * with the file's size and MD5 and the object's ETag. The old object must
   * still be that version (one HEAD: another tool may have replaced it; the
   * copy is then of the version that HEAD found, and no other) and
   * have the content type the new key gets; the copy is checked as an
   * upload's object is (its ETag, or the `vc-md5` it carries over). Small
   * files, for which a PUT costs no more than the HEAD and the copy, are
   * uploaded. `undefined` when no copy was made (the file is uploaded; one
   * made but found wrong is overwritten by that upload). `copying` is called
   * as the copy is asked of the store.
   */
  async #copyKnown(
    run: Run,
    store: ObjectStore,
    local: LocalEntry,
    md5: string,
    copying: () => void,
  ): Promise<{ etag: string; from: RemoteEntry } | undefined> {
    if (local.size < COPY_MIN_BYTES) return undefined;
    const to = this.#storePrefix + local.key;
    const signal = run.signal;
    for (const known of this.#state.withContent(md5, local.size, local.key)) {
      if (contentTypeFor(known.key) !== contentTypeFor(local.key)) continue;
      const from = this.#storePrefix + known.key;
      run.report.heads++;
      const info = await store.head(from, { signal });
      if (info === undefined || info.size !== local.size) continue;
      const old: RemoteEntry = { key: known.key, storeKey: from, size: info.size, etag: info.etag };
      if (info.metadata !== undefined) old.metadata = info.metadata;
      // The version recorded (its ETag) with this content, or one that says so.
      if (!(await sameContent(md5, old, known, store, run.report, signal))) continue;
      let made: { etag: string };
      try {
        // The version the HEAD found, and only it: the store needs no HEAD
        // of its own, and one replaced since fails the copy (S3's
        // x-amz-copy-source-if-match) instead of copying what is there now.
        copying();
        made = await store.copy(from, to, {
          source: { etag: info.etag, size: info.size },
          signal,
        });
      } catch (error) {
        // Gone or replaced since the HEAD (another run's --delete, another
        // tool's write), refused: uploaded.
        if (signal.aborted) throw error;
        return undefined;
      }
      const copy: RemoteEntry = { key: local.key, storeKey: to, size: local.size, etag: made.etag };
      // An ETag that is no MD5 (SSE-KMS: 32 hex digits, as an MD5 has) says
      // nothing of the copy: its vc-md5, carried over, does (one HEAD).
      if (info.opaqueEtag === true) {
        run.report.heads++;
        const now = await store.head(to, { signal });
        if (now === undefined || normalizeEtag(now.etag) !== normalizeEtag(made.etag)) {
          return undefined;
        }
        copy.metadata = now.metadata ?? {};
      }
      if (!(await sameContent(md5, copy, undefined, store, run.report, signal))) return undefined;
      return { etag: made.etag, from: old };
    }
    return undefined;
  }

  /**
   * The ETag of `remote`, listed without one (a directory store's file whose
   * sidecar it may not write, `etags: false`), from one HEAD: the store
   * reads the file. Recorded with the validator the HEAD gives, a later
   * run's listing (the same validator: the file has not changed) needs no
   * read. An object gone or replaced by one of another size since the
   * listing keeps `""` (downloaded, or reported, as it is now).
   */
  async #learnEtag(run: Run, store: ObjectStore, remote: RemoteEntry): Promise<void> {
    const o = this.#options;
    run.report.heads++;
    const info = await store.head(remote.storeKey, o.signal ? { signal: o.signal } : {});
    if (info === undefined || info.size !== remote.size) return;
    remote.etag = info.etag;
    if (info.validator !== undefined) remote.validator = info.validator;
    else delete remote.validator;
  }

  /**
   * `key` as the target's existing files and directories spell it where
   * they name it in another letter case or Unicode form (a case-insensitive
   * file system, `Run.folded`): `data/a.txt` for `Data/A.txt` when the
   * target has that file; `data/New.txt` when it has only the directory.
   * Segments with no local counterpart keep the key's spelling. Each
   * directory is read at most once a run, and only for keys no local file
   * matched exactly.
   */
  async #localSpelling(run: Run, root: string, key: string): Promise<string> {
    const spellings = run.spellings ??= new Map();
    const parts = key.split("/");
    let dir = root;
    for (let i = 0; i < parts.length; i++) {
      let names = spellings.get(dir);
      if (names === undefined) {
        names = namesByFold(dir);
        spellings.set(dir, names);
      }
      const local = (await names)?.get(foldName(parts[i]!));
      if (local === undefined) break;
      parts[i] = local;
      dir = join(dir, local);
    }
    return parts.join("/");
  }

  /**
   * Whether a regular file of the target sits where a directory of `key`
   * belongs and its delete is queued (it exists only in the target): the
   * download of `key` then waits for the deletes (`Run.blocked`).
   */
  /**
   * Store → local: what is in the way of writing `key` at `dest` (see
   * `failure`'s "in the way"), as the rename would find it, or `undefined`:
   * a file (or other non-directory) where one of its directories belongs;
   * a directory with files where the file goes. `"wait"` when the run may
   * delete it first (`Run.blocked`): such a file of the deletes
   * (`#fileInTheWay`), or the directory, whose files it may delete. A link
   * on the way is `linkBelow`'s.
   */
  #inTheWay(run: Run, root: string, key: string, dest: string): Error | "wait" | undefined {
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i++) {
      const path = join(root, ...parts.slice(0, i));
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(path);
      } catch {
        return undefined; // missing: made by the download
      }
      if (info.isDirectory) continue;
      if (run.blocked !== undefined && this.#fileInTheWay(run, root, key)) return "wait";
      return new Deno.errors.NotADirectory(`${path} is a file`);
    }
    try {
      if (!Deno.lstatSync(dest).isDirectory) return undefined;
      for (const entry of Deno.readDirSync(dest)) {
        if (run.blocked !== undefined) return "wait";
        return new Deno.errors.IsADirectory(`${dest}: it holds ${JSON.stringify(entry.name)}`);
      }
    } catch {
      // Nothing there, or not readable: the download says what it finds.
    }
    return undefined;
  }

  #fileInTheWay(run: Run, root: string, key: string): boolean {
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i++) {
      const above = parts.slice(0, i).join("/");
      const path = join(root, ...parts.slice(0, i));
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(path);
      } catch {
        return false; // missing: nothing below it is in the way either
      }
      if (info.isDirectory) continue;
      if (!info.isFile || !this.#state.isQueuedForDelete(above)) return false;
      // The file of a key that gave way, in another case (`a` for `A`): kept.
      if (run.foldedPlan?.losers.has(foldName(above))) return false;
      // Never through a link: the download reports what is in its way.
      if (linkBelow(root, path, run.checkedDirs) !== undefined) return false;
      (run.waitedFor ??= new Set()).add(above);
      return true;
    }
    return false;
  }

  /**
   * The first queued deletes of `count`, named (exact: the CLI prints
   * them inert) with how many more: what "check the source" checks against.
   */
  #firstQueuedDeletes(count: number): string {
    const first: { key: string }[] = this.#state.queuedDeletes(HELD_NAMED).next().value ?? [];
    const names = first.map((d) => d.key).join(", ");
    return count > first.length ? `${names} and ${count - first.length} more` : names;
  }

  /**
   * Drops the queued deletes whose key `keep` holds (local files a source
   * key names in another letter case or Unicode form, `Run.folded`; the
   * objects of names not UTF-8, `Run.notUtf8`); returns how many went.
   */
  #spare(keep: (key: string) => boolean): number {
    const spared: string[] = [];
    for (const batch of this.#state.queuedDeletes(DELETE_BATCH)) {
      for (const d of batch) if (keep(d.key)) spared.push(d.key);
    }
    for (const key of spared) this.#state.unqueueDelete(key);
    this.#state.flush();
    return spared.length;
  }

  /** Transfers refused for an entry in the way, again now that the deletes are done (see `Run.blocked`). */
  async #retryBlocked(run: Run): Promise<void> {
    const blocked = run.blocked ?? [];
    delete run.blocked;
    for (const again of blocked) {
      run.done--; // counted once it is done
      await again();
    }
  }

  #targetOnly(run: Run, key: string, target: string, size: number): void {
    if (this.#options.delete) {
      // A batch of changes may come to a key twice (its own path, and its
      // directory's): one delete, counted once against maxDelete.
      if (this.#state.isQueuedForDelete(key)) return;
      this.#state.queueDelete(key, target, size);
      run.deletes++;
    } else if (run.folded !== undefined) {
      // Maybe the file of a key in another case, listed before or after it.
      (run.unmatched ??= []).push(foldName(key));
    } else run.report.extra++;
  }

  /**
   * Local → store: the queued deletes whose key still has no file. One made
   * since the walk read its directory (a `git checkout` replaces each file by
   * unlink and create; a pass walking between the two missed it) keeps its
   * object, and is deferred like a file being written: a watch's queue
   * compares it once quiet, a one-shot run's next run does.
   */
  /**
   * Local → store, with `delete`: queues the delete of `remote` (the old key
   * a renamed file was copied from) when the mirror owns it (its filters)
   * and no file has its key now.
   */
  async #deleteIfNoFile(
    run: Run,
    remote: Pick<RemoteEntry, "key" | "storeKey" | "size">,
  ): Promise<void> {
    if (this.#state.isQueuedForDelete(remote.key) || !matchesFilter(this.#filter, remote.key)) {
      return;
    }
    const path = await fileOfKey(this.localRoots, remote.key, this.#options.symlinks ?? "skip");
    if (path === undefined) this.#targetOnly(run, remote.key, remote.storeKey, remote.size);
  }

  /**
   * The file at `path` is mirrored: the old key a pass kept for it (see
   * `Run.deferredFiles`) goes now if it still has no file, copied from or
   * not (the file may have changed since).
   */
  async #renameDone(run: Run, path: string): Promise<void> {
    const kept = this.#keptForRename.get(path);
    if (kept === undefined) return;
    this.#keptForRename.delete(path);
    if (this.#options.delete) await this.#deleteIfNoFile(run, kept);
  }

  /**
   * Keeps the device of each source that holds something, for a later run
   * to tell a disk no longer mounted at it (see #unmountedSinceLastRun). An
   * empty source's is not kept: an unmounted disk's mount point must not
   * become what the next run compares with.
   */
  #rememberSourceDevices(): void {
    if (this.direction !== "upload") return;
    try {
      for (const root of this.localRoots) {
        const kept = Number(this.#state.getMeta(sourceDeviceName(root.dir)) ?? NaN);
        if (Number.isSafeInteger(kept)) root.knownDev = kept;
        if (this.#options.dryRun || root.dev === undefined || root.dev === kept) continue;
        if (isEmptyDirectory(root.dir)) continue;
        this.#state.setMeta(sourceDeviceName(root.dir), String(root.dev));
        this.#state.flush();
      }
    } catch {
      // Not kept (a state that cannot be written): nothing to compare with later.
    }
  }

  /**
   * Why `deletes` entries must not go: a source that holds nothing and is
   * on another device than at the last run that found something in it. A
   * one-shot run (cron, a timer) sees no unmount, only an empty directory,
   * the disk's mount point on the filesystem below it; deleting to match
   * would empty the target each time the disk is not there.
   */
  #unmountedSinceLastRun(deletes: number): string | undefined {
    for (const root of this.localRoots) {
      const kept = this.#state.getMeta(sourceDeviceName(root.dir));
      if (kept === undefined) continue;
      let dev: number;
      try {
        dev = Deno.statSync(root.dir).dev;
      } catch {
        continue; // gone: rootMoved says so
      }
      if (String(dev) === kept || !isEmptyDirectory(root.dir)) continue;
      return `${root.dir} holds nothing and is on another filesystem than at the last run that ` +
        `found files in it (a disk not mounted there now?), so --delete would remove ${
          counted(deletes, "target entry", "target entries")
        }; mount it again, or if the target is really to be emptied, delete its objects with ` +
        `another tool or remove the state file ${this.#state.path}`;
    }
    return undefined;
  }

  async #stillWithoutFile<T extends { key: string }>(run: Run, queued: T[]): Promise<T[]> {
    const back = new Set<T>();
    await forEachLimit(queued, this.#options.concurrency ?? 16, async (d) => {
      const path = await fileOfKey(this.localRoots, d.key, this.#options.symlinks ?? "skip");
      if (path === undefined) return;
      back.add(d);
      run.report.deferred.push(path);
    });
    return back.size === 0 ? queued : queued.filter((d) => !back.has(d));
  }

  async #deletes(run: Run): Promise<void> {
    // A case-insensitive file system: `Data/a.csv` here is the file of the
    // source's `data/a.csv` (compared and written as such), not one to
    // delete, and not an extra either. Its delete, queued before the key
    // was listed, is dropped now: the limit counts only what really goes.
    const folded = run.folded;
    if (folded !== undefined && run.deletes > 0) {
      run.deletes -= this.#spare((key) => folded.has(foldName(key)));
    }
    const notUtf8 = run.notUtf8;
    if (notUtf8 !== undefined && run.deletes > 0) {
      const kept = this.#spare((key) => notUtf8.some((k) => key === k || key.startsWith(`${k}/`)));
      run.deletes -= kept;
      run.report.extra += kept;
    }
    const standIns = run.standIns;
    if (standIns !== undefined && run.deletes > 0) {
      const kept = this.#spare((key) => standIns.has(key) && !run.waitedFor?.has(key));
      run.deletes -= kept;
      run.report.extra += kept;
    }
    // The old key of a file renamed just before this pass, whose new name
    // it left for later: kept for the queue to copy (see `Run.deferredFiles`).
    const later = run.deferredFiles;
    if (later !== undefined && run.deletes > 0) {
      const kept = this.#spare((key) => {
        const row = this.#state.get(key);
        const path = row === undefined || row.ino === 0
          ? undefined
          : later.get(fileId(row.ino, row.size, row.mtimeMs));
        if (path === undefined) return false;
        const storeKey = this.#storePrefix + key;
        this.#keptForRename.set(path, { key, storeKey, size: row!.size });
        return true;
      });
      run.deletes -= kept;
      run.report.extra += kept;
    }
    if (run.deletes === 0) return;
    // A source that is now another filesystem's directory (its disk
    // unmounted under a watch) lacks its files without their being deleted.
    // Nor does a `file://` source store that is gone or another disk now
    // (its listing reads as empty) lack its keys.
    // A source root gone (moved away under a watch) lacks its files too: a
    // batch of events for files below it walks nothing that would say so.
    const moved = this.direction === "upload"
      ? rootMoved(this.localRoots, true)
      : rootMoved(this.#storeRoots, true);
    if (moved !== undefined) run.incomplete ??= moved;
    const unmounted = this.direction === "upload"
      ? this.#unmountedSinceLastRun(run.deletes)
      : undefined;
    if (unmounted !== undefined) run.incomplete ??= unmounted;
    // A source prefix that lists no object at all is a mistyped one (rclone:
    // "directory not found") far more often than a store emptied on purpose,
    // as a missing bucket or `file://` directory is refused rather than read
    // as empty: it deletes nothing, and emptying the target is left to `rm`.
    if (run.sourceListed === false) {
      const target = this.localRoots[0]!.dir;
      // Named as listed: the store with the prefix (`--source-prefix`) read.
      const prefix = this.#storePrefix.replace(/\/$/, "");
      const sources = this.#stores.map((s) => prefix === "" ? s.url : joinUri(s.url, prefix));
      run.incomplete ??=
        `${sources.join(", ")} ${
          sources.length === 1 ? "holds" : "hold"
        } no objects at all (a mistyped prefix?), so --delete would remove all ${
          counted(run.deletes, "local entry", "local entries")
        } of ${target}; check the source URI, or if the target is really to be emptied, ` +
        `remove it (rm -r ${shellWord(target)})`;
    }
    const max = this.#options.maxDelete;
    if (max !== undefined && run.deletes > max) {
      run.incomplete ??=
        `${counted(run.deletes, "target entry", "target entries")} ${
          run.deletes === 1 ? "has" : "have"
        } no source, more than the ${max} one pass or batch may delete (maxDelete, --max-delete): ` +
        `${this.#firstQueuedDeletes(run.deletes)}; check the source, then raise the limit`;
    }
    if (run.incomplete !== undefined) {
      run.report.deletesSkipped = `${run.incomplete}; nothing was deleted`;
      this.#state.clearDeletes();
      return;
    }
    run.deletes = 0;
    const store = this.#stores[0]!;
    for (const queued of this.#state.queuedDeletes(DELETE_BATCH)) {
      this.#options.signal?.throwIfAborted();
      // An async callback that rejected since the run began: nothing is deleted.
      run.callbacks.throwIfFailed();
      const batch = this.direction === "upload" && !this.#options.dryRun
        ? await this.#stillWithoutFile(run, queued)
        : queued;
      for (const d of batch) this.#act(run, "delete", d.key, d.size);
      if (this.#options.dryRun) {
        run.report.deleted += batch.length;
        for (const d of batch) run.report.deletedKeys.push(d.key);
      } else if (this.direction === "upload") {
        try {
          await store.delete(batch.map((d) => d.target));
          for (const d of batch) this.#state.delete(d.key);
          run.report.deleted += batch.length;
          for (const d of batch) run.report.deletedKeys.push(d.key);
        } catch (error) {
          // The store said which keys failed (S3's DeleteObjects answers per
          // key): the others are gone, and none is asked again alone. Nor
          // is a batch the credentials may not delete at all (no
          // s3:DeleteObject): 1000 refused DELETEs would say the same.
          const failed = failedDeletes(error);
          if (
            failed !== undefined || error instanceof AccessDeniedError || batch.length === 1 ||
            this.#options.signal?.aborted
          ) {
            for (const d of batch) {
              const own = failed === undefined ? error : failed.get(d.target);
              if (own !== undefined) {
                run.report.failed.push(failure(d.key, `${store.url}/${d.target}`, own));
                continue;
              }
              this.#state.delete(d.key);
              run.report.deleted++;
              run.report.deletedKeys.push(d.key);
            }
            continue;
          }
          // One key the store refuses (e.g. a `..` segment put there by
          // another tool) fails the batch: each key alone, so the others go
          // and each failure names its own key.
          await forEachLimit(batch, this.#options.concurrency ?? 16, async (d) => {
            try {
              await store.delete([d.target]);
              this.#state.delete(d.key);
              run.report.deleted++;
              run.report.deletedKeys.push(d.key);
            } catch (error) {
              run.report.failed.push(failure(d.key, `${store.url}/${d.target}`, error));
            }
          });
        }
      } else {
        const root = this.localRoots[0]!.dir;
        await forEachLimit(batch, this.#options.concurrency ?? 16, async (d) => {
          try {
            const link = linkBelow(root, d.target, run.checkedDirs);
            if (link !== undefined) {
              throw new VcError(
                `not deleted: ${link} is a symbolic link in the target; vc does not delete through it`,
              );
            }
            const info = await Deno.lstat(d.target).catch(() => undefined);
            // A directory there now (made since the listing): it stays.
            if (info?.isDirectory) return;
            // Written since the pass began (saved by hand after the walk
            // read it): the delete was planned from the file the walk saw,
            // not this one. Kept, and the next run decides again.
            if (info !== undefined && changedSince(info, run.startedAt)) {
              run.report.extra++;
              return;
            }
            // Held open by another program on Windows: tried again for a moment.
            await removeHeldFile(d.target);
            this.#state.delete(d.key);
            run.report.deleted++;
            run.report.deletedKeys.push(d.key);
            // The store has no directories: one the deletes left empty goes
            // too (else a file of that name could never be written there).
            await removeEmptyParents(root, dirname(d.target));
          } catch (error) {
            if (error instanceof Deno.errors.NotFound) return;
            run.report.failed.push(failure(d.key, d.target, error));
          }
        });
      }
    }
    this.#state.clearDeletes();
  }
}

/** A local file changed or vanished while it was read for its upload. */
class FileChangedError extends VcError {}

/**
 * The first directory between `root` and the file `path` that is a symbolic
 * link, if any. A download or a delete through one would reach outside the
 * target (a link planted there, or followed by `--follow-symlinks`); the
 * file itself being a link is fine (a rename or remove replaces the link).
 * Directories in `checked` were found real before and are not looked at
 * again (one `lstat` per directory a run, not per file in it).
 */
/**
 * Whether `info`'s file changed after `since` (ms): by its mtime, which a
 * write sets to now, when that is not in the future (`touch -d 2035`, which
 * would keep the file for good); else by its ctime, which every change
 * moves and nothing sets back, though Deno gives it in whole seconds only.
 */
function changedSince(info: Deno.FileInfo, since: number): boolean {
  const mtime = info.mtime?.getTime() ?? 0;
  if (mtime > since && mtime <= Date.now()) return true;
  return (info.ctime?.getTime() ?? 0) > since;
}

/** Whether nothing is at `path` any more (a directory or a skipped link is something). */
async function isGone(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return false;
  } catch (error) {
    return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory;
  }
}

function linkBelow(root: string, path: string, checked: Set<string>): string | undefined {
  return linkOnPath(root, dirname(path), checked);
}

/**
 * The names in `dir` by their folded form ({@linkcode foldName}), the first
 * in UTF-8 order where several fold together (only a case-sensitive file
 * system holds such); `undefined` when `dir` is no directory (or cannot be
 * read: the key then keeps its own spelling, and its download says why).
 */
async function namesByFold(dir: string): Promise<Map<string, string> | undefined> {
  const names = new Map<string, string>();
  try {
    const found: string[] = [];
    for await (const entry of readDirEntries(dir)) found.push(entry.name);
    found.sort(compareUtf8);
    for (const name of found) {
      const folded = foldName(name);
      if (!names.has(folded)) names.set(folded, name);
    }
  } catch {
    return undefined;
  }
  return names;
}

/** Whether a store → local mirror can write `key` as a file (else it is reported for why). */
function writableKey(key: string): boolean {
  return unsafeLocalKey(key) === undefined;
}

/**
 * The directory of `below` that names the same file as `key` on a
 * case-insensitive file system, as `below` spells it (`a` for `A` and
 * `a/b.txt`).
 */
function spellingIn(below: string, key: string): string {
  const folded = foldName(key);
  for (let at = below.indexOf("/"); at !== -1; at = below.indexOf("/", at + 1)) {
    if (foldName(below.slice(0, at)) === folded) return below.slice(0, at);
  }
  return key;
}

/** Tags a listing's entries with the index of their store, in place. */
async function* withOrigin(
  batches: AsyncIterable<RemoteEntry[]>,
  origin: number,
): AsyncGenerator<SourceRemote[]> {
  for await (const batch of batches) {
    for (const e of batch) (e as SourceRemote).origin = origin;
    yield batch as SourceRemote[];
  }
}

/**
 * The object at `storeKey` as a listing shows it (no metadata), or
 * `undefined`: for a key that may list but not HEAD. One LIST request: the
 * key itself sorts before every longer key it is a prefix of.
 */
async function listedObject(
  store: ObjectStore,
  storeKey: string,
  signal: AbortSignal,
): Promise<ObjectInfo | undefined> {
  for await (const info of store.list(storeKey, { signal })) {
    return info.key === storeKey ? info : undefined;
  }
  return undefined;
}

/** A local file as its stat tells it apart from others: inode, size, mtime (a rename keeps all three). */
function fileId(ino: number, size: number, mtimeMs: number): string {
  return `${ino}:${size}:${mtimeMs}`;
}

/** The state's name for the device of source directory `dir` (see `Mirror.#rememberSourceDevices`). */
function sourceDeviceName(dir: string): string {
  return `source-device ${dir}`;
}

/** True when `dir` is a directory with no entry at all (false when it cannot be read). */
function isEmptyDirectory(dir: string): boolean {
  try {
    return Deno.readDirSync(dir)[Symbol.iterator]().next().done === true;
  } catch {
    return false;
  }
}
