/**
 * Writing a file so that readers see the old content or the new, never a
 * part: the one temp-name scheme and the one fsync policy of vc.
 *
 * - **Temp names**: `.<name>.vc-tmp-<pid>-<random>` in the destination's own
 *   directory (a rename is atomic only within one filesystem). The pid lets a
 *   later run tell a dead writer's leftovers ({@linkcode isStaleTempFile}) from
 *   a live writer's file; the random part keeps concurrent writers apart.
 * - **fsync policy**: file data is flushed (`fdatasync`) before the rename when
 *   `durable` (the default), so after a crash the destination holds the old
 *   or the complete new content. The directory is not fsynced: a crash right
 *   after the rename may lose the rename, never expose a partial file.
 *   Small derived state that can be rebuilt (cache records) passes
 *   `durable: false`.
 * - **Shared temp names**: `.<name>.vc-tmp-0-shared` (pid field 0) is the one
 *   deterministic temp name per destination ({@linkcode sharedTempPathFor},
 *   {@linkcode AtomicFile.openShared}). Writers that agree to take an
 *   exclusive `flock` on it before writing use it as their cross-process
 *   lock: whoever holds the lock while the file is still at that path owns
 *   it; its owner is never named by a pid, so it is stale only when nobody
 *   holds its lock (or by age). Its commit gives the file a second name at
 *   the destination (a hard link, or a link renamed over an existing
 *   destination) and keeps the temp name until the owner closes it, so the
 *   name, and the lock with it, stays taken until the owner's work after
 *   the commit (a cache record) is done: whoever creates that name afresh
 *   knows any earlier owner has finished.
 * - **Cleanup**: every temp file this process has open is tracked; on failure
 *   it is removed, and {@linkcode discardOpenTempFiles} removes the rest when
 *   the process is interrupted.
 *
 * Metadata calls (open, rename, remove) are synchronous: on a local disk they
 * are several times cheaper than Deno's async round trip, which matters when
 * writing thousands of small files. Data writes and fsync stay asynchronous.
 *
 * @module
 */
import { forEachChunk, readBuffer } from "./bytes.ts";
import { renameOver, renameOverSync } from "./replace_file.ts";
import { fnv1a32 } from "./fnv.ts";
import { InvalidInputError } from "./errors.ts";
import { fsPlatform } from "./fs_platform.ts";
import { foldName } from "./file_names.ts";

const TEMP_MARK = ".vc-tmp-";
// Exactly what vc writes (an 8-character random part, or "shared"): a
// user's `.notes.vc-tmp-1-draft` is not vc's to sweep or to skip.
const TEMP_NAME = /^\..*\.vc-tmp-(\d+)-(?:[0-9a-z]{8}|shared|resume|holder)$/;

/** Temp files of this process not yet committed or discarded. */
const openTempFiles = new Set<AtomicFile>();

/**
 * The temp files {@linkcode AtomicFile.createAsync} and
 * {@linkcode AtomicFile.openSharedAsync} are creating: made by the open
 * before the handle reaches this thread, so a Ctrl-C meanwhile removes them
 * too (a shared one only as a sweep would: empty, and locked by nobody).
 * `discarded` is set by {@linkcode discardOpenTempFiles}: a file the open
 * makes only after it is removed when its handle arrives.
 */
const creatingTempFiles = new Set<{ path: string; shared: boolean; discarded: boolean }>();

// A backslash separates only on Windows: elsewhere it is a character of a
// file name (a record's `/a\b.csv` is the file `a\b.csv`), which split
// there would put the temp file into a directory `a` made for it, or fail
// where a file `a` exists.
const SEPARATOR_BACKSLASH = Deno.build.os === "windows";

function lastSeparator(path: string): number {
  const slash = path.lastIndexOf("/");
  return SEPARATOR_BACKSLASH ? Math.max(slash, path.lastIndexOf("\\")) : slash;
}

function dirnameOf(path: string): string {
  const i = lastSeparator(path);
  return i < 0 ? "." : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

function basenameOf(path: string): string {
  return path.slice(lastSeparator(path) + 1);
}

/** The pid field of shared temp names: no process owns them by name (see the module doc). */
const SHARED_PID = 0;
const SHARED_SUFFIX = `${TEMP_MARK}${SHARED_PID}-shared`;
const RESUME_SUFFIX = `${TEMP_MARK}${SHARED_PID}-resume`;
const HOLDER_SUFFIX = `${TEMP_MARK}${SHARED_PID}-holder`;

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, "0");
}

// A file name is at most 255 bytes on common filesystems; a temp name adds
// up to ~26 to its destination's. Names longer than this are shortened.
const MAX_STEM_BYTES = 200;
const KEPT_STEM_BYTES = 180;
const utf8 = new TextEncoder();

/**
 * The destination name as its temp names carry it: as is, or, when it is
 * too long for a temp name to fit in 255 bytes, its first ~180 bytes and a
 * hash of the whole (the same for the same name, so a shared temp name stays
 * one per destination).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tempStem } from "./atomic_write.ts";
 * assert.equal(tempStem("a.csv"), "a.csv");
 * const long = "n".repeat(250);
 * const stem = tempStem(long);
 * assert(new TextEncoder().encode(stem).length <= 200 && stem === tempStem(long));
 * assert.notEqual(stem, tempStem("n".repeat(251)));
 * ```
 */
export function tempStem(name: string): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: a short name needs no encoding
  // (one per download, on the cold path).
  if (name.length * 3 <= MAX_STEM_BYTES) return name;
  const bytes = utf8.encode(name);
  if (bytes.length <= MAX_STEM_BYTES) return name;
  // FNV-1a over the UTF-8 bytes: names that share their first bytes differ here.
  const h = fnv1a32(name);
  let kept = "";
  let size = 0;
  for (const ch of name) {
    size += utf8.encode(ch).length;
    if (size > KEPT_STEM_BYTES) break;
    kept += ch;
  }
  return `${kept}~${h.toString(16).padStart(8, "0")}`;
}

/**
 * A fresh temp path beside `dest`: `.<name>.vc-tmp-<pid>-<random>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTempName, tempPathFor } from "./atomic_write.ts";
 * const temp = tempPathFor("/data/a.csv");
 * assert(temp.startsWith(`/data/.a.csv.vc-tmp-${Deno.pid}-`));
 * assert(isTempName(temp.slice("/data/".length)));
 * assert.notEqual(tempPathFor("/data/a.csv"), temp);
 * ```
 */
export function tempPathFor(dest: string): string {
  const dir = dirnameOf(dest);
  const name = `.${tempStem(basenameOf(dest))}${TEMP_MARK}${Deno.pid}-${randomSuffix()}`;
  return dir === "." && !dest.startsWith(".") ? name : `${dir === "/" ? "" : dir}/${name}`;
}

/**
 * The deterministic temp path beside `dest`: `.<name>.vc-tmp-0-shared`. It
 * matches {@linkcode isTempName}, so every sweep and key guard treats it as
 * a temp file; writers use it only under its `flock` (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSharedTempName, isTempName, sharedTempPathFor } from "./atomic_write.ts";
 * const temp = sharedTempPathFor("/data/a.csv");
 * assert.equal(temp, "/data/.a.csv.vc-tmp-0-shared");
 * assert(isTempName(".a.csv.vc-tmp-0-shared") && isSharedTempName(".a.csv.vc-tmp-0-shared"));
 * ```
 */
export function sharedTempPathFor(dest: string): string {
  const dir = dirnameOf(dest);
  const name = `.${tempStem(basenameOf(dest))}${SHARED_SUFFIX}`;
  return dir === "." && !dest.startsWith(".") ? name : `${dir === "/" ? "" : dir}/${name}`;
}

/**
 * The path of what a shared temp file holds of an interrupted download
 * (`.<name>.vc-tmp-0-resume` beside `dest`), kept so the next download of
 * `dest` resumes it (see `src/cache/partial_download.ts`). A temp name:
 * never taken for data, swept with its shared temp file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isResumeStateName, isTempName, resumeStatePathFor } from "./atomic_write.ts";
 * assert.equal(resumeStatePathFor("/data/a.csv"), "/data/.a.csv.vc-tmp-0-resume");
 * assert(isTempName(".a.csv.vc-tmp-0-resume") && isResumeStateName(".a.csv.vc-tmp-0-resume"));
 * ```
 */
export function resumeStatePathFor(dest: string): string {
  return sharedTempPathFor(dest).slice(0, -SHARED_SUFFIX.length) + RESUME_SUFFIX;
}

/** True when `name` is a resume state's name ({@linkcode resumeStatePathFor}). */
export function isResumeStateName(name: string): boolean {
  return name.endsWith(RESUME_SUFFIX) && TEMP_NAME.test(name);
}

/** The shared temp path whose partial the resume state at `path` describes. */
export function sharedPathOfResumeState(path: string): string {
  return path.slice(0, -RESUME_SUFFIX.length) + SHARED_SUFFIX;
}

/** The resume state's path of the shared temp file at `path` (see {@linkcode resumeStatePathFor}). */
export function resumeStateOfSharedPath(path: string): string {
  return path.slice(0, -SHARED_SUFFIX.length) + RESUME_SUFFIX;
}

/**
 * The path of the note naming who holds the lock of the shared temp file at
 * `path` (`.<name>.vc-tmp-0-holder` beside it): the holder's pid, written
 * by a holder whose hold lasts, and locked by it for as long as it holds
 * (see `src/cache/entry_lock.ts`). `undefined` when `path` is no shared
 * temp file's. A temp name: a dead holder's is swept as any temp file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holderNoteOfSharedPath, isTempName } from "./atomic_write.ts";
 * assert.equal(holderNoteOfSharedPath("/d/.a.csv.vc-tmp-0-shared"), "/d/.a.csv.vc-tmp-0-holder");
 * assert(isTempName(".a.csv.vc-tmp-0-holder"));
 * assert.equal(holderNoteOfSharedPath("/d/a.lock"), undefined);
 * ```
 */
export function holderNoteOfSharedPath(path: string): string | undefined {
  if (!isSharedTempName(basenameOf(path))) return undefined;
  return path.slice(0, -SHARED_SUFFIX.length) + HOLDER_SUFFIX;
}

/** True when `name` is a holder note's name ({@linkcode holderNoteOfSharedPath}). */
export function isHolderNoteName(name: string): boolean {
  return name.endsWith(HOLDER_SUFFIX) && TEMP_NAME.test(name);
}

/**
 * True when `name` is a shared temp name ({@linkcode sharedTempPathFor}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSharedTempName } from "./atomic_write.ts";
 * assert(isSharedTempName(".a.vc-tmp-0-shared"));
 * assert(!isSharedTempName(".a.vc-tmp-12-abcdefgh"));
 * ```
 */
export function isSharedTempName(name: string): boolean {
  return name.endsWith(SHARED_SUFFIX) && TEMP_NAME.test(name);
}

/**
 * True when `name` (a file name, not a path) is one of vc's temp files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTempName } from "./atomic_write.ts";
 * assert(isTempName(".a.csv.vc-tmp-123-abcdefgh"));
 * assert(!isTempName("a.csv"));
 * assert(!isTempName(".notes.vc-tmp-99999-draft")); // a user's name, not vc's
 * ```
 */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Why a file named `name` cannot be written where vc writes (a mirror's
 * target, `vc sync`'s DEST): it has the form of vc's temp files, also in
 * another letter case where names fold (`folds`), so the next copy of the
 * file it would be the temp file of removes it as a dead writer's, and a
 * walk skips it. `undefined` for any other name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tempNameProblem } from "./atomic_write.ts";
 * assert.match(tempNameProblem(".a.csv.vc-tmp-1-abcdefgh", false) ?? "", /vc's temp files/);
 * assert.equal(tempNameProblem(".a.csv.VC-TMP-0-SHARED", false), undefined);
 * assert.equal(tempNameProblem("a.csv", true), undefined);
 * ```
 */
export function tempNameProblem(
  name: string,
  folds: boolean = fsPlatform.caseInsensitive,
): string | undefined {
  // Only ASCII letters fold into `.vc-tmp-` itself, so a name without it in
  // any case is no temp name in any spelling (and costs no fold).
  if (
    /\.vc-tmp-/i.test(name) && (isTempName(name) || (folds && isTempName(foldName(name))))
  ) {
    return "name has the form of vc's temp files (.<name>.vc-tmp-<pid>-<random>)";
  }
  return undefined;
}

/**
 * The pid that created temp file `name`, or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tempOwner } from "./atomic_write.ts";
 * assert.equal(tempOwner(".a.vc-tmp-42-abcdefgh"), 42);
 * assert.equal(tempOwner("a"), undefined);
 * ```
 */
export function tempOwner(name: string): number | undefined {
  const match = TEMP_NAME.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Whether process `pid` is alive on this machine: `true`/`false` where the
 * platform can tell (Linux `/proc`), `undefined` where it cannot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isProcessAlive } from "./atomic_write.ts";
 * if (Deno.build.os === "linux") assert.equal(isProcessAlive(Deno.pid), true);
 * ```
 */
export function isProcessAlive(pid: number): boolean | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    return undefined;
  }
}

/**
 * True when temp file `name` was left by a writer that is gone: its pid is
 * not alive (where that can be told), or it is older than `maxAgeMs` (where
 * it cannot, or when pids may be reused: another host on a shared disk).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStaleTempFile } from "./atomic_write.ts";
 * const now = Date.now();
 * assert.equal(isStaleTempFile(`.a.vc-tmp-${Deno.pid}-abcdefgh`, new Date(now), now), false);
 * assert.equal(isStaleTempFile("a.csv", new Date(0), now), false);
 * ```
 */
export function isStaleTempFile(
  name: string,
  modified: Date | null,
  now: number,
  maxAgeMs = 24 * 3600_000,
): boolean {
  const pid = tempOwner(name);
  if (pid === undefined) return false;
  // A shared temp file is owned by whoever holds its lock, not by a pid:
  // only its age tells here (callers that can, check the lock).
  if (pid !== SHARED_PID && pid !== Deno.pid && isProcessAlive(pid) === false) return true;
  return modified !== null && now - modified.getTime() > maxAgeMs;
}

/** Options for creating an {@linkcode AtomicFile}. */
export interface AtomicFileOptions {
  /** File mode of the result (default: the process umask's). */
  mode?: number;
  /** Flush data to disk before the rename (default true). */
  durable?: boolean;
  /**
   * Runs when the temp file cannot be created for want of its parent
   * directories, before they are made (see {@linkcode openMakingParents}):
   * the cache makes its own dir there, private, instead of looking at it
   * before every download.
   */
  beforeParents?: () => void;
}

/**
 * A temp file beside its destination that is written, then committed by a
 * rename or discarded. Used for streamed writes (downloads); for whole
 * contents use {@linkcode writeFileAtomic}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AtomicFile } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * const temp = AtomicFile.create(`${dir}/sub/out.txt`);
 * await temp.file.write(new TextEncoder().encode("hello"));
 * await temp.commit();
 * assert.equal(await Deno.readTextFile(`${dir}/sub/out.txt`), "hello");
 * assert.deepEqual([...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name), ["out.txt"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicFile {
  #closed = false;
  #done = false;
  /** A committed shared temp file whose temp name is still to be removed (on close). */
  #linked = false;
  /** A shared temp file whose name no longer named it when it was to be committed or removed. */
  #taken = false;
  /** See {@linkcode AtomicFile.committedInfo}. */
  #committedInfo: Deno.FileInfo | undefined;
  /**
   * This handle's file, as its last {@linkcode AtomicFile.atPathStat} found
   * it at the path (where inodes are reported): lets the commit check its
   * link with a look at the destination instead of a status of the handle,
   * which Deno's permission check makes several times dearer (it resolves
   * the handle's path a component at a time).
   */
  #identity: { ino: number; dev: number } | undefined;
  #sync: Promise<void> | undefined;
  /**
   * A shared temp file whose first bytes an interrupted download described
   * in a resume state (see `src/cache/partial_download.ts`): a discard
   * (the download failed for now, or the process is interrupted) closes it
   * and leaves it at its path for the next holder of its lock to resume. Set
   * by the download, cleared when it empties the file.
   */
  keepsPartial = false;

  private constructor(
    /** Where the content goes on commit. */
    readonly dest: string,
    /** The temp file's path. */
    readonly path: string,
    /** The open temp file, for writing. */
    readonly file: Deno.FsFile,
    private readonly durable: boolean,
    /**
     * A shared temp file ({@linkcode AtomicFile.openShared}): its handle
     * carries the caller's lock, so it stays open after a commit (until
     * {@linkcode AtomicFile.close}), and a discard removes the file before
     * closing it (a waiter that gets the lock then finds it gone).
     */
    readonly shared = false,
  ) {
    openTempFiles.add(this);
  }

  /**
   * Opens the shared temp file of `dest` (`.<name>.vc-tmp-0-shared`),
   * creating it (and missing parent directories) when absent, without
   * truncating or locking it: the caller takes its `flock`, checks that the
   * path still names the handle's file ({@linkcode AtomicFile.isAtPath}),
   * and only then writes (after {@linkcode AtomicFile.reset}). A symbolic
   * link or other non-file at that path, or a file with a second name other
   * than `dest` (a commit whose owner has not closed it), is refused
   * (`Deno.errors.AlreadyExists` naming it) before anything is written.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AtomicFile } from "./atomic_write.ts";
   * const dir = await Deno.makeTempDir();
   * const temp = AtomicFile.openShared(`${dir}/out.txt`);
   * assert(temp.file.tryLockSync(true) && temp.isAtPath());
   * temp.reset();
   * await temp.file.write(new TextEncoder().encode("hello"));
   * await temp.commit(); // in place; the handle, its lock and the temp name stay until close
   * const names = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
   * assert.deepEqual(names(), [".out.txt.vc-tmp-0-shared", "out.txt"]);
   * temp.close();
   * assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "hello");
   * assert.deepEqual(names(), ["out.txt"]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static openShared(dest: string, options: AtomicFileOptions = {}): AtomicFile {
    const path = sharedTempPathFor(dest);
    const mode = options.mode === undefined ? {} : { mode: options.mode };
    let created = true;
    // Permission bits of a file found at the path (null where there are none).
    let foundMode: number | null = null;
    const open = (): Deno.FsFile => {
      try {
        // Exclusive creation never follows a link planted at the path.
        return Deno.openSync(path, { read: true, write: true, createNew: true, ...mode });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
      created = false;
      const stat = Deno.lstatSync(path);
      if (!stat.isFile) {
        throw new Deno.errors.AlreadyExists(
          `${path} is not a regular file (a link or directory was put there): refusing to use it`,
        );
      }
      const existing = Deno.openSync(path, { read: true, write: true });
      // The only second name vc gives a temp file is its destination (a
      // commit, until its owner closes it). Any other (a hard link planted
      // in a restored cache) may be outside the cache, and emptying and
      // writing this file would change it there.
      const mine = existing.statSync();
      if ((mine.nlink ?? 1) > 1 && !isCommittedShared(mine, dest)) {
        existing.close();
        throw new Deno.errors.AlreadyExists(
          `${path} has another hard link (put there, not by vc): refusing to write to it`,
        );
      }
      foundMode = mine.mode === null ? null : mine.mode & 0o777;
      return existing;
    };
    const file = openMakingParents(open, dest, options.beforeParents);
    // A file an earlier run left (a partial kept to be resumed, a dead
    // holder's) becomes the result too: it takes the mode asked for now (a
    // source made private since), not the one it was created with.
    if (
      options.mode !== undefined && (created || (foundMode !== null && foundMode !== options.mode))
    ) {
      try {
        Deno.chmodSync(path, options.mode);
      } catch {
        // Not supported here (Windows): the default mode stands.
      }
    }
    return new AtomicFile(dest, path, file, options.durable ?? true, true);
  }

  /**
   * {@linkcode AtomicFile.openShared} whose usual case, no shared temp file
   * there yet, creates it off this thread (a cold sync of many small files
   * waited on each create, ~0.25 ms on ext4 while other downloads flushed);
   * a file there already, or a missing directory, is left to
   * {@linkcode AtomicFile.openShared}.
   */
  static async openSharedAsync(dest: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    const path = sharedTempPathFor(dest);
    const mode = options.mode === undefined ? {} : { mode: options.mode };
    let file: Deno.FsFile;
    try {
      // Exclusive creation never follows a link planted at the path.
      file = await createOffThread(
        path,
        true,
        () => Deno.open(path, { read: true, write: true, createNew: true, ...mode }),
      );
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotFound) {
        return AtomicFile.openShared(dest, options);
      }
      throw error;
    }
    const temp = new AtomicFile(dest, path, file, options.durable ?? true, true);
    if (options.mode !== undefined) {
      // As openShared: the umask may have narrowed it (Windows: not supported).
      await Deno.chmod(path, options.mode).catch(() => {});
    }
    return temp;
  }

  /**
   * For a shared temp file: true when its path still names this handle's
   * file, as a regular file (not removed or replaced since it was opened).
   * Always true for a unique temp file.
   */
  isAtPath(): boolean {
    return !this.shared || this.atPathStat() !== undefined;
  }

  /**
   * {@linkcode AtomicFile.isAtPath} and the file's status in one look:
   * `undefined` when a shared temp file's path no longer names it. An
   * `nlink` above 1 there means an owner committed it and never closed it
   * (it died): the content is complete at the destination.
   */
  atPathStat(): Deno.FileInfo | undefined {
    try {
      const mine = this.file.statSync();
      if (!this.shared) return mine;
      const there = Deno.lstatSync(this.path);
      if (!there.isFile || mine.nlink === 0) return undefined;
      // Where inodes are not reported (Windows), compare what there is.
      const same = mine.ino === null || sameInode(mine, there);
      if (!same) return undefined;
      if (mine.ino !== null) this.#identity = { ino: mine.ino, dev: mine.dev };
      return mine;
    } catch {
      return undefined;
    }
  }

  /**
   * Removes a shared temp file's name (the handle stays open): for a lock
   * holder that found the file committed by an owner that died before
   * closing it. The destination keeps the content.
   */
  unlinkShared(): void {
    if (!this.shared) throw new Error("unlinkShared: not a shared temp file");
    Deno.removeSync(this.path);
  }

  /** Empties the file (a shared temp file may hold what a dead writer left). */
  reset(): void {
    this.keepsPartial = false;
    if (this.file.statSync().size > 0) this.file.truncateSync(0);
    this.file.seekSync(0, Deno.SeekMode.Start);
  }

  /** True until the file is committed, discarded or closed: it may be written. */
  get writable(): boolean {
    return !this.#done && !this.#closed;
  }

  /**
   * After a failed attempt at writing it: a shared temp file that is still
   * this handle's at its path is emptied for another attempt, and its handle
   * (the caller's cross-process lock) stays open, so no other process takes
   * over the entry between attempts; the caller discards it when it gives up.
   * Any other temp file is discarded ({@linkcode AtomicFile.writable} is
   * then false).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AtomicFile } from "./atomic_write.ts";
   * const dir = await Deno.makeTempDir();
   * const temp = AtomicFile.openShared(`${dir}/out.txt`);
   * assert(temp.file.tryLockSync(true));
   * temp.reset();
   * await temp.file.write(new TextEncoder().encode("corrupt"));
   * temp.rewind(); // still locked, emptied
   * assert(temp.writable && Deno.statSync(temp.path).size === 0);
   * await temp.file.write(new TextEncoder().encode("good"));
   * await temp.commit();
   * temp.close();
   * assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "good");
   * const own = AtomicFile.create(`${dir}/other.txt`);
   * own.rewind(); // a unique temp file is not reused
   * assert(!own.writable);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  rewind(): void {
    if (this.shared && this.writable && this.isAtPath()) {
      try {
        this.reset();
        // The next attempt's commit waits for its own flush, not this one's.
        this.#sync = undefined;
        return;
      } catch {
        // Cannot be emptied: given up, as any failure.
      }
    }
    this.discard();
  }

  /**
   * {@linkcode AtomicFile.create} without blocking this thread: the file is
   * created (and its mode set) by Deno's I/O threads, so a sync of many
   * small files keeps copying while each is made. The caller has looked at
   * `dest` and refused a FIFO, socket or device there ({@linkcode specialFileError}).
   * A Ctrl-C while the file is being created removes it too
   * ({@linkcode discardOpenTempFiles}).
   */
  static async createAsync(dest: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    const path = tempPathFor(dest);
    const mode = options.mode === undefined ? {} : { mode: options.mode };
    const file = await createOffThread(
      path,
      false,
      () =>
        openMakingParentsAsync(
          () => Deno.open(path, { write: true, createNew: true, ...mode }),
          dest,
          options.beforeParents,
        ),
    );
    const temp = new AtomicFile(dest, path, file, options.durable ?? true);
    if (options.mode !== undefined && !hasMode(file, options.mode)) {
      // The umask may have narrowed the mode given to open; not supported
      // here (Windows): the default mode stands.
      await Deno.chmod(path, options.mode).catch(() => {});
    }
    return temp;
  }

  /** Creates the temp file (and missing parent directories) for `dest`. */
  static create(dest: string, options: AtomicFileOptions = {}): AtomicFile {
    refuseSpecialFile(dest);
    const path = tempPathFor(dest);
    const open = () =>
      Deno.openSync(path, {
        write: true,
        createNew: true,
        ...(options.mode === undefined ? {} : { mode: options.mode }),
      });
    const file = openMakingParents(open, dest, options.beforeParents);
    if (options.mode !== undefined && !hasMode(file, options.mode)) {
      // The umask may have narrowed the mode given to open.
      try {
        Deno.chmodSync(path, options.mode);
      } catch {
        // Not supported here (Windows): the default mode stands.
      }
    }
    return new AtomicFile(dest, path, file, options.durable ?? true);
  }

  /**
   * Starts flushing what was written so far, so the flush overlaps other
   * work (verification); {@linkcode commit} waits for it. Call once nothing
   * more will be written.
   */
  startSync(): void {
    if (this.#sync !== undefined || !this.durable) return;
    // fdatasync: the data and the size, which is all a reader needs.
    this.#sync = this.file.syncData();
    this.#sync.catch(() => {}); // awaited by commit; a failed download does not care
  }

  /**
   * Flushes what was written so far (when durable) and waits for it, for a
   * caller that must not start its commit (take a lock, write a sidecar
   * describing the file) while a flush of seconds is still pending.
   */
  async flushed(): Promise<void> {
    this.startSync();
    await this.#sync;
  }

  /**
   * Flushes (when durable), closes and renames over the destination. A
   * shared temp file stays open (with the caller's lock) and keeps its name
   * until {@linkcode AtomicFile.close}: the destination becomes a second
   * name of it (see the module doc). `beforeRename` runs once the data is
   * flushed, right before the destination is replaced (an error from it
   * discards the file and leaves the destination as it was).
   */
  async commit(beforeRename?: () => void): Promise<void> {
    try {
      this.startSync();
      await this.#sync;
      beforeRename?.();
      if (this.shared) this.#linkToDest();
      else {
        // Renamed while still open (and locked, by a writer that locks it)
        // where open files can be renamed (not Windows): closed first, a
        // finished file holding bytes sat unlocked at its temp name, which
        // a concurrent writer's sweep beside the same file
        // (`removeAbandonedTempsOf`) takes for a killed writer's; its
        // rename then failed.
        if (fsPlatform.mandatoryLocks) this.#close();
        await renameOver(this.path, this.dest);
        this.#close();
      }
      this.#done = true;
      openTempFiles.delete(this);
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /**
   * A shared temp file's commit: the destination becomes a second name of
   * the file, so the temp name stays taken until the owner closes it.
   */
  #linkToDest(): void {
    // The destination exists (an update): a second name of our own, renamed
    // over it. Without hard links here (either link fails otherwise), a plain
    // rename, which frees the temp name at once: a newcomer may then download
    // the entry again (a duplicate, never a wrong file).
    if (!tryLink(this.path, this.dest)) {
      const second = tempPathFor(this.dest);
      if (!tryLink(this.path, second)) {
        if (!this.isAtPath()) throw this.#takenAway();
        renameOverSync(this.path, this.dest);
        return;
      }
      if (!this.#linkedOwn(second)) {
        removeQuietly(second);
        throw this.#takenAway();
      }
      try {
        renameOverSync(second, this.dest);
      } catch (error) {
        removeQuietly(second);
        throw error;
      }
    } else if (!this.#linkedOwn(this.dest)) {
      // The name we linked is another writer's file: not ours to leave there.
      removeQuietly(this.dest);
      throw this.#takenAway();
    }
    this.#linked = true;
  }

  /**
   * Whether a link just made from the temp name to `link` gave this file
   * its second name. The status it takes is the committed file's (a link changes no
   * modification time): kept as {@linkcode AtomicFile.committedInfo}, so the
   * caller needs no look at the destination for it.
   */
  #linkedOwn(link: string): boolean {
    const identity = this.#identity;
    let info: Deno.FileInfo;
    if (identity === undefined) {
      info = this.file.statSync();
      if ((info.nlink ?? 2) < 2) return false;
    } else {
      // The new name names this file when the temp name was still ours.
      try {
        info = Deno.lstatSync(link);
      } catch {
        return false;
      }
      if (!info.isFile || info.ino !== identity.ino || info.dev !== identity.dev) return false;
    }
    this.#committedInfo = info;
    return true;
  }

  /**
   * The status of the file as committed by a link (its modification time
   * is the destination's), or undefined (not committed by a link, or not
   * yet).
   */
  get committedInfo(): Deno.FileInfo | undefined {
    return this.#committedInfo;
  }

  /**
   * The error of a commit whose temp name was removed (vc before the shared
   * temp names takes `vc-tmp-0-shared` for a dead process's and sweeps it) or
   * now names another writer's file: nothing of that file is put in place.
   */
  #takenAway(): Error {
    this.#taken = true;
    return new Deno.errors.NotFound(
      `${this.path} was removed or replaced by another process before this download was committed`,
    );
  }

  /**
   * True when a shared temp file's name was removed or taken by another
   * file before this one was committed or discarded (by another program or
   * an older vc's sweep): the content never reached the destination, and a
   * caller may try again with a temp file of its own.
   */
  get takenAway(): boolean {
    return this.#taken;
  }

  /**
   * Closes the handle (releasing any lock on it) without removing the file:
   * for a shared temp file after {@linkcode AtomicFile.commit} (whose temp
   * name is removed first: the content stays at the destination), or one
   * this process looked at but does not own. Safe to call twice.
   */
  close(): void {
    if (this.#linked) {
      // Still ours (nobody removes a locked shared temp file): the last
      // step of the commit, before the lock goes.
      this.#linked = false;
      removeQuietly(this.path);
    }
    this.#close();
    openTempFiles.delete(this);
  }

  /**
   * Like {@linkcode AtomicFile.commit}, but `install` moves the flushed,
   * closed temp file into place itself: e.g. `link()` for a create-once
   * write that must fail when the destination exists. A temp name still
   * present afterwards (the link case) is removed; when `install` throws,
   * the temp file is discarded and the error rethrown.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AtomicFile } from "./atomic_write.ts";
   * const dir = await Deno.makeTempDir();
   * const temp = AtomicFile.create(`${dir}/once.txt`);
   * await temp.file.write(new TextEncoder().encode("first"));
   * await temp.commitBy((path) => Deno.link(path, temp.dest));
   * assert.equal(await Deno.readTextFile(`${dir}/once.txt`), "first");
   * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["once.txt"]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async commitBy(install: (tempPath: string) => Promise<void>): Promise<void> {
    try {
      this.startSync();
      await this.#sync;
      // A shared temp file keeps its handle (the caller's lock) until close().
      // A unique one keeps it (and a lock its writer holds) until installed,
      // where open files can be renamed (not Windows): a sweep of temp files
      // whose writer is gone never sees it unlocked at its temp name.
      const holdOpen = this.shared || !fsPlatform.mandatoryLocks;
      if (!holdOpen) this.#close();
      await install(this.path);
      if (!this.shared) this.#close();
      this.#done = true;
      openTempFiles.delete(this);
    } catch (error) {
      this.discard();
      throw error;
    }
    // A shared temp path may name another writer's file by now.
    if (this.shared && !this.isAtPath()) return;
    removeQuietly(this.path); // unless renamed away by `install`
  }

  /**
   * Closes and removes the temp file (after a failure). Safe to call twice.
   * A shared temp file is removed first, while its handle (the lock) is
   * still open, and only if its path still names this handle's file.
   */
  discard(): void {
    if (this.shared) {
      if (!this.#done && !this.#closed && !this.keepsPartial) {
        if (this.isAtPath()) removeQuietly(this.path);
        else this.#taken = true;
      }
      this.#done = true;
      this.close();
      return;
    }
    this.#close();
    openTempFiles.delete(this);
    if (this.#done) return;
    this.#done = true;
    removeQuietly(this.path);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.file.close();
    } catch {
      // Closed already by a stream that owned it.
    }
  }
}

/**
 * True when `mine` (a shared temp file's status) has exactly one other
 * name, `dest`: an owner committed it and has not closed it yet.
 */
function isCommittedShared(mine: Deno.FileInfo, dest: string): boolean {
  if (mine.nlink !== 2 || mine.ino === null) return false;
  try {
    const there = Deno.lstatSync(dest);
    return there.isFile && sameInode(mine, there);
  } catch {
    return false;
  }
}

/** Whether two statuses are of one file (where inodes are reported). */
function sameInode(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/** Links `to` to the file `from`; false when the link cannot be made (it exists, or no hard links). */
function tryLink(from: string, to: string): boolean {
  try {
    Deno.linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}

/** Removes `path` if it is there; a file already gone (or never there) is no error. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Gone already (or never there).
  }
}

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions extends AtomicFileOptions {
  /** Aborts a streamed write; the temp file is removed. */
  signal?: AbortSignal;
  /**
   * `path` is a user's file written from afar (a download to DEST): the temp
   * file is locked while written, and temp files of `path` that a killed
   * writer left there are removed, as {@linkcode copyFileAtomic} does. An
   * existing `path` keeps its permission bits (set-ID bits dropped) unless
   * `mode` is given, and its owner and group where this process may give
   * them, as a tool writing in place (`curl -o`) keeps them.
   */
  sweepAbandoned?: boolean;
}

/**
 * Writes `data` to `path` atomically (temp file, flush, rename), creating
 * parent directories. Concurrent writers never share a temp file; the last
 * rename wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a/b.json`, '{"ok":true}\n', { mode: 0o600 });
 * assert.equal(await Deno.readTextFile(`${dir}/a/b.json`), '{"ok":true}\n');
 * if (Deno.build.os !== "windows") {
 *   assert.equal((await Deno.stat(`${dir}/a/b.json`)).mode! & 0o777, 0o600);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | ReadableStream<Uint8Array>,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  // The rename replaces the file: a user's private (0600) DEST came back
  // with the umask's mode, readable by everyone.
  const replaced = options.sweepAbandoned ? await replacedFile(path) : undefined;
  const mode = options.mode ?? (replaced?.mode == null ? undefined : replaced.mode & 0o777);
  const temp = AtomicFile.create(path, { ...options, ...(mode === undefined ? {} : { mode }) });
  try {
    if (options.sweepAbandoned) await lockAndSweepBeside(temp, path);
    if (data instanceof ReadableStream) {
      // Written chunk by chunk through the handle: piping into
      // `temp.file.writable` with `preventClose` was seen to lose every
      // chunk in Deno 2.9 (the file stayed empty), see tests/atomic_write_test.ts.
      await writeStream(temp.file, data, options.signal);
    } else {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      let written = 0;
      while (written < bytes.length) written += await temp.file.write(bytes.subarray(written));
    }
    await keepOwner(temp, replaced);
    await temp.commit();
  } catch (error) {
    temp.discard();
    throw error;
  }
}

async function writeStream(
  file: Deno.FsFile,
  data: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
  onWritten?: (bytes: number) => void,
): Promise<void> {
  await forEachChunk(data, async (chunk) => {
    let written = 0;
    while (written < chunk.length) written += await file.write(chunk.subarray(written));
    onWritten?.(chunk.length);
  }, signal);
}

/**
 * The synchronous form of {@linkcode writeFileAtomic} for small contents on
 * hot paths (metadata records), where an async round trip costs more than
 * the write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomicSync } from "./atomic_write.ts";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomicSync(`${dir}/r.json`, "{}", { durable: false });
 * assert.equal(Deno.readTextFileSync(`${dir}/r.json`), "{}");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): void {
  const temp = AtomicFile.create(path, options);
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let written = 0;
    while (written < bytes.length) written += temp.file.writeSync(bytes.subarray(written));
    if (options.durable ?? true) temp.file.syncDataSync();
    temp.file.close();
    renameOverSync(temp.path, path);
    openTempFiles.delete(temp);
  } catch (error) {
    temp.discard();
    throw error;
  }
}

/**
 * Throws `InvalidInputError` when `dest` is a FIFO, socket or device: another
 * program reads or serves it, and the rename that commits a write would
 * silently unlink it for a plain file. A missing destination (or one that
 * cannot be looked at: the write says why), a file, a directory or a link
 * are left to the write.
 */
function refuseSpecialFile(dest: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(dest);
  } catch {
    return;
  }
  const error = specialFileError(dest, info);
  if (error !== undefined) throw error;
}

/** The error of {@linkcode refuseSpecialFile} for `dest`, `lstat`ed as `info`, if any. */
function specialFileError(dest: string, info: Deno.FileInfo): InvalidInputError | undefined {
  if (info.isFile || info.isDirectory || info.isSymlink) return undefined;
  const kind = info.isFifo ? "a FIFO" : info.isSocket ? "a socket" : "a device";
  return new InvalidInputError(
    `${dest} is not a regular file but ${kind}, which writing a file there would replace: ` +
      `remove it first, or give another destination`,
  );
}

/**
 * Whether the file just created as `file` has the permission bits `mode`
 * already (an `fstat`, answered from memory): the umask narrowed none, and
 * the `chmod` that would restore them (a write to the inode, ~15 µs of CPU
 * handed to another thread, each file of a sync of many small ones) is not
 * needed. False when it cannot be told (no modes here: Windows).
 */
function hasMode(file: Deno.FsFile, mode: number): boolean {
  try {
    const bits = file.statSync().mode;
    return bits !== null && (bits & 0o7777) === (mode & 0o7777);
  } catch {
    return false;
  }
}

/** Options of {@linkcode copyFileAtomic}. */
export interface CopyFileAtomicOptions extends AtomicFileOptions {
  /** Told how much is copied (`total`: the source's size when the copy began). */
  onProgress?: ((progress: { bytes: number; total: number }) => void) | undefined;
  /**
   * Stops the copy: it rejects with the signal's reason, its temp file is
   * removed and `to` is left as it was.
   */
  signal?: AbortSignal | undefined;
  /**
   * Makes a hash (for the source's size) that is fed every chunk as it is
   * written: a copy checked, or its SHA-256 taken, without reading the
   * source, or the copy, a second time.
   */
  hash?: ((size: number) => { update(chunk: Uint8Array): unknown }) | undefined;
  /**
   * Runs once every byte is written (`path`: the temp file, `bytes`: how
   * many), before `to` is replaced: an error from it removes the temp file
   * and leaves `to` as it was (a check of the bytes, or a journal line
   * written before the rename).
   */
  beforeCommit?: ((written: { path: string; bytes: number }) => void | Promise<void>) | undefined;
}

/**
 * Copies `from` to `to` atomically through a temp file beside `to`, creating
 * parent directories. `mode` defaults to the source's permission bits less
 * any that a file already at `to` lacks, so neither a private source nor a
 * private destination is widened; that file's owner and group are kept where
 * this process may give them (root). The temp file is locked while written,
 * and temp files of `to` that a killed copy left there are removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "data");
 * await copyFileAtomic(`${dir}/a.txt`, `${dir}/out/b.txt`);
 * assert.equal(await Deno.readTextFile(`${dir}/out/b.txt`), "data");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function copyFileAtomic(
  from: string,
  to: string,
  options: CopyFileAtomicOptions = {},
): Promise<void> {
  const { onProgress, signal, hash, beforeCommit, ...fileOptions } = options;
  signal?.throwIfAborted();
  const source = await Deno.open(from, { read: true });
  let mode = fileOptions.mode;
  let size = 0;
  let replaced: Deno.FileInfo | undefined;
  let temp: AtomicFile;
  try {
    // Synchronous looks (the source's open handle, `to`'s directory entry):
    // answered from memory, where each async one cost ~15 µs of CPU to hand
    // to another thread and back (each file of a sync of many small ones).
    const info = source.statSync();
    const found = replacedFile(to);
    size = info.size;
    replaced = found;
    // Neither widened: a private source stays private, and so does a
    // private file it replaces (as `cp` over an existing file keeps its mode).
    if (mode === undefined && info.mode !== null) {
      mode = info.mode & 0o777 & (replaced?.mode ?? 0o777);
    }
    temp = await AtomicFile.createAsync(to, {
      ...fileOptions,
      ...(mode === undefined ? {} : { mode }),
    });
  } catch (error) {
    source.close();
    throw error;
  }
  try {
    await lockAndSweepBeside(temp, to);
    // Drawn from the start: the first chunk of a slow disk may take a while.
    onProgress?.({ bytes: 0, total: size });
    const copied = await copyChunks(source, temp.file, size, hash?.(size), signal, onProgress);
    if (beforeCommit !== undefined) {
      // The flush overlaps the check.
      temp.startSync();
      await beforeCommit({ path: temp.path, bytes: copied });
    }
    await keepOwner(temp, replaced);
    await temp.commit();
  } catch (error) {
    temp.discard();
    throw error;
  } finally {
    source.close();
  }
}

// Chunks of a copy: large enough that the calls cost little beside the
// bytes (64 KiB reads took ~a third of a 1 GiB copy's time), sized to a
// small file (see readBuffer).
const COPY_CHUNK = 4 * 1024 * 1024;

// Below this size a copy's first buffer is sized to the file, not to
// readBuffer's smallest.
const SMALL_COPY = 64 * 1024;

/**
 * Copies `source` to `file` through two buffers: the next chunk is read
 * while this one is written and hashed. Returns the bytes copied.
 */
async function copyChunks(
  source: Deno.FsFile,
  file: Deno.FsFile,
  size: number,
  hasher: { update(chunk: Uint8Array): unknown } | undefined,
  signal: AbortSignal | undefined,
  onProgress: ((progress: { bytes: number; total: number }) => void) | undefined,
): Promise<number> {
  // The read ahead's buffer is made full size once a read fills the one
  // before it: a file that fits in one chunk (each of a sync of many small
  // files) ends at the next read, which a byte finds as well (two zeroed
  // buffers of 64 KiB a copy were ~2% of such a sync's time).
  // A small file's first buffer is its size and a byte, not readBuffer's
  // 64 KiB (zeroing and collecting one for each file of 10 bytes was ~1.5%
  // of a sync of many such files).
  const first = size < SMALL_COPY ? new Uint8Array(size + 1) : readBuffer(size, COPY_CHUNK);
  const buffers: [Uint8Array, Uint8Array] = [first, new Uint8Array(1)];
  let current: 0 | 1 = 0;
  let copied = 0;
  let pending: Promise<number | null> = source.read(buffers[0]);
  try {
    for (let n; (n = await pending) !== null;) {
      signal?.throwIfAborted();
      const filled = n === buffers[current].length;
      const chunk = buffers[current].subarray(0, n);
      current = current === 0 ? 1 : 0;
      // Its last chunk is written by now (awaited below): free to replace.
      // A byte filling a byte's buffer is a source that said it was empty
      // and was not (a FIFO, a file of /proc, one still being written):
      // read on in full chunks, not a byte a read (155,000 reads for 150 KB).
      if (filled && (buffers[current].length < n || n === 1)) {
        buffers[current] = readBuffer(size, COPY_CHUNK);
      }
      pending = source.read(buffers[current]);
      const writing = writeAll(file, chunk);
      // Hashed while the write runs (both only read the chunk).
      hasher?.update(chunk);
      await writing;
      copied += n;
      onProgress?.({ bytes: copied, total: size });
    }
    signal?.throwIfAborted();
    return copied;
  } catch (error) {
    pending.catch(() => {}); // the read ahead, unwanted now
    throw error;
  }
}

// The largest slice one write hands the OS. Reads stay large (few calls);
// writes do not: on ext4 an async 4 MiB `write` took ~11 ms where four of
// 1 MiB took ~1 ms in all, so a 1 GiB copy took 7–9 s against 1.1–1.4 s
// (`Deno.copyFile`: 0.5–0.8 s; scripts/bench/NOTES.md).
const WRITE_SLICE = 1024 * 1024;

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  for (let written = 0; written < chunk.length;) {
    written += await file.write(
      chunk.subarray(written, Math.min(chunk.length, written + WRITE_SLICE)),
    );
  }
}

/**
 * The status of the user's file a write to `path` is about to replace (where
 * a link there leads), when one is there; throws when `path` is a FIFO,
 * socket or device ({@linkcode refuseSpecialFile}). One `lstat` when `path`
 * is missing, as it is for each file of a first sync (a failed look costs a
 * thrown error).
 */
function replacedFile(path: string): Deno.FileInfo | undefined {
  const look = (stat: (path: string) => Deno.FileInfo) => {
    try {
      return stat(path);
    } catch {
      return undefined;
    }
  };
  const info = look(Deno.lstatSync);
  if (info === undefined) return undefined;
  const special = specialFileError(path, info);
  if (special !== undefined) throw special;
  const led = info.isSymlink ? look(Deno.statSync) : info;
  return led?.isFile ? led : undefined;
}

/**
 * Gives `temp` the owner and group of the user's file it replaces: root
 * replacing a user's 0600 file left it root's, unreadable to that user. Only
 * root may give a file away; anyone else writes it as their own (keeping its
 * group where allowed).
 */
async function keepOwner(temp: AtomicFile, replaced: Deno.FileInfo | undefined): Promise<void> {
  if (replaced?.uid == null || replaced.gid === null) return;
  await Deno.chown(temp.path, replaced.uid, replaced.gid).catch(() => {});
}

/**
 * For a write into a user's file (a copy out, a download to DEST), which no
 * cache sweep ever looks at: locks `temp` until its commit closes it, so a
 * later write to the same file can tell it from one a `kill -9` (or a
 * SIGHUP, which vc does not catch) left, the writer's lock gone with it, and
 * removes those left for `dest`.
 */
async function lockAndSweepBeside(temp: AtomicFile, dest: string): Promise<void> {
  if (!fsPlatform.mandatoryLocks) {
    try {
      temp.file.tryLockSync(true);
    } catch {
      // No locks here: the sweep falls back to the file's age and pid.
    }
  }
  const { removeAbandonedTempsOf } = await import("./abandoned_temp.ts");
  removeAbandonedTempsOf(dest);
}

/**
 * Removes every temp file this process still has open: call it when the
 * process is interrupted, so a Ctrl-C leaves no `.vc-tmp-` debris. Returns
 * how many were removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AtomicFile, discardOpenTempFiles } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * AtomicFile.create(`${dir}/x`);
 * assert.equal(discardOpenTempFiles(), 1);
 * assert.deepEqual([...Deno.readDirSync(dir)], []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function discardOpenTempFiles(): number {
  let discarded = 0;
  for (const temp of [...openTempFiles]) {
    // A waiter's handle of another process's shared temp file (a download
    // running there, which this one waits for): closed, its file left.
    if (temp.shared && lockedElsewhere(temp)) {
      temp.close();
      continue;
    }
    temp.discard();
    discarded++;
  }
  // Created by an open whose handle has not reached this thread yet.
  let created = 0;
  for (const creating of creatingTempFiles) {
    creating.discarded = true;
    if (removeCreated(creating)) created++;
  }
  creatingTempFiles.clear();
  return discarded + created;
}

/**
 * True when another handle (another process's download) holds the lock of
 * the shared temp file `temp` has open: this handle cannot take it. Where
 * locks are enforced on I/O (Windows) a taken lock is not told from this
 * handle's own, nor where there are none: false.
 */
function lockedElsewhere(temp: AtomicFile): boolean {
  if (fsPlatform.mandatoryLocks) return false;
  try {
    // The handle's own lock is taken again (the same open file's flock).
    return !temp.file.tryLockSync(true);
  } catch {
    return false; // closed already, or no locks here
  }
}

/**
 * Opens (creates) the temp file at `path` with `open`, which runs off this
 * thread, listed meanwhile for {@linkcode discardOpenTempFiles}. One that
 * ran meanwhile (a Ctrl-C cut short, whose exit waits for its last line)
 * may have found no file yet, which the open made after it: removed, and
 * the create fails as interrupted, when its handle arrives (as when the
 * open failed, a shared one's caller would otherwise create it again).
 */
async function createOffThread(
  path: string,
  shared: boolean,
  open: () => Promise<Deno.FsFile>,
): Promise<Deno.FsFile> {
  const creating = { path, shared, discarded: false };
  creatingTempFiles.add(creating);
  let file: Deno.FsFile | undefined;
  try {
    file = await open();
  } catch (error) {
    if (!creating.discarded) throw error;
  } finally {
    creatingTempFiles.delete(creating);
  }
  if (creating.discarded || file === undefined) {
    file?.close();
    removeCreated(creating);
    throw new DOMException("interrupted", "AbortError");
  }
  return file;
}

/** Removes the temp file a create made, when there ({@linkcode createOffThread}); true when removed. */
function removeCreated({ path, shared }: { path: string; shared: boolean }): boolean {
  return shared ? removeSharedIfFree(path) : removedIfThere(path);
}

/** Removes `path`; false when it was not there (not made yet, or at all). */
function removedIfThere(path: string): boolean {
  try {
    Deno.removeSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the shared temp file at `path` when it is empty and nobody holds
 * its lock, under that lock, as the cache's sweep does: another process's
 * download that opened it meanwhile finds its path gone once it has the
 * lock, and opens it again. True when removed.
 */
function removeSharedIfFree(path: string): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true });
  } catch {
    return false; // not made (yet)
  }
  try {
    if (!file.tryLockSync(true)) return false;
    const mine = file.statSync();
    const there = Deno.lstatSync(path);
    if (!there.isFile || mine.size !== 0 || (mine.ino !== null && mine.ino !== there.ino)) {
      return false;
    }
    Deno.removeSync(path);
    return true;
  } catch {
    return false;
  } finally {
    file.close();
  }
}

/**
 * `open()`, making `dest`'s missing parent directories first when it fails
 * for them. Another process may remove an empty directory between the two,
 * or a parent while they are being made (the cache removes the directories a
 * failed download made, and `prune`/`rm`/`verify` those they emptied), so a
 * few tries, each after making them again. `beforeParents` runs before each
 * making (the cache makes its own dir there, private).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMakingParents } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const dest = `${dir}/a/b/x.txt`;
 *   let tries = 0;
 *   const file = openMakingParents(() => {
 *     // Someone removes the directory again right after it was made, once.
 *     if (++tries === 2) Deno.removeSync(`${dir}/a`, { recursive: true });
 *     return Deno.openSync(dest, { write: true, createNew: true });
 *   }, dest);
 *   file.close();
 *   assert.equal(tries, 3);
 *   assert(Deno.statSync(dest).isFile);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function openMakingParents(
  open: () => Deno.FsFile,
  dest: string,
  beforeParents?: () => void,
): Deno.FsFile {
  for (let attempt = 1;; attempt++) {
    try {
      return open();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || attempt > 3) throw error;
    }
    beforeParents?.();
    try {
      Deno.mkdirSync(dirnameOf(dest), { recursive: true });
    } catch (error) {
      // A parent it made was removed before its child could be made in it
      // (the same removal of empty directories): made again by the next try.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** {@linkcode openMakingParents} with an asynchronous `open` and `mkdir`. */
async function openMakingParentsAsync(
  open: () => Promise<Deno.FsFile>,
  dest: string,
  beforeParents?: () => void,
): Promise<Deno.FsFile> {
  for (let attempt = 1;; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || attempt > 3) throw error;
    }
    beforeParents?.();
    try {
      await Deno.mkdir(dirnameOf(dest), { recursive: true });
    } catch (error) {
      // As in openMakingParents: made again by the next try.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
