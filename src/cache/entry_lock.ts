/**
 * A cross-process lock per cache entry, so several processes asking for the
 * same cold object download it once. It is an optimisation only: correctness
 * comes from verified temp files and atomic renames, so a lock that does not
 * hold (a filesystem without `flock`) costs a duplicate download, never a
 * corrupt file.
 *
 * The lock is the download's own temp file: the entry's shared temp name
 * (`.<name>.vc-tmp-0-shared` beside the data, see `src/atomic_write.ts`),
 * with an exclusive advisory lock (`flock`) on it. So a cold object costs one
 * file creation, the one its data needs anyway: no lock file, no lock tree.
 * The rules:
 * - only the holder of the lock writes the file, and only while the path
 *   still names the file it locked (checked after locking);
 * - the holder commits the file by giving it a second name, the data path
 *   (see `AtomicFile.commit`), writes the entry's record, and only then
 *   removes the temp name and closes the file (which releases the lock); a
 *   failed holder removes it before closing;
 * - so the temp name is taken from a download's start until its record is
 *   written: a waiter that gets the lock on a file that is no longer at the
 *   path knows the holder finished (or gave up), and whoever creates the
 *   name afresh knows any earlier holder did. Either looks for the record
 *   before downloading (a journal lookup: no look at the data path, whose
 *   usual answer on a cold miss, "missing", is a failing `lstat`);
 * - a holder that died (even by `kill -9`: the kernel drops its lock) left
 *   the file at the path: with partial content (the next holder empties it
 *   and downloads into it, or resumes it when a note beside it says how
 *   far it got, see partial_download.ts; a holder that gave up on a large
 *   download for a reason that may pass leaves it so too), or committed,
 *   with two names (the next holder removes the temp name, the data stays,
 *   and looks for the record).
 * - a holder of another user's (a shared cache dir) leaves a file this
 *   user may only read: its lock is taken through a read-only handle, to
 *   wait for a live holder or, from a dead one, to remove the name (it
 *   cannot be written here) so this user's download creates its own.
 *
 * Where locks are mandatory (Windows, see `src/fs_platform.ts`) a lock
 * denies I/O through every other handle, so the shared temp file is only
 * the lock there: never written, held from before the download until after
 * the record, then removed while still held (the same rule: its name is
 * taken until the record is written). The download goes to a unique
 * temp file ({@linkcode EntryLock.temp}) that no lock covers, so its ranged
 * writes and read-back checks, and readers of the data file, can open it.
 *
 * Who holds it: a holder whose hold lasts ({@linkcode HOLDER_NOTE_AFTER_MS})
 * writes its pid into a note beside the file (`.<name>.vc-tmp-0-holder`)
 * and keeps an advisory lock on the note until it lets go, so a waiter can
 * name it without `/proc/locks` (which Deno reads only with `--allow-all`,
 * never under the CLI's permissions). A short hold, the usual one, writes
 * nothing. A note nobody holds locked is a dead holder's: not believed, and
 * swept as any temp file. Not where locks are mandatory (the note's lock
 * would keep waiters from reading it).
 *
 * Locking happens on the calling thread (`tryLockSync`, one non-blocking
 * system call) and waiting is a poll with backoff: a blocked `flock` would
 * pin a thread-pool thread that an abort cannot free, and keep the process
 * alive until the other process lets go.
 *
 * @module
 */
import {
  AtomicFile,
  type AtomicFileOptions,
  holderNoteOfSharedPath,
  removeQuietly,
  resumeStatePathFor,
  sharedTempPathFor,
} from "../atomic_write.ts";
import { type Clock, systemClock } from "../clock.ts";
import { deadline } from "../deadline.ts";
import { fsPlatform } from "../fs_platform.ts";
import { isNoLocks, type LockRefusals, tryLockOrNoLocks } from "../file_lock.ts";
/** Options of {@linkcode acquireEntryLock}. */
export interface EntryLockOptions {
  /** Longest wait between attempts while another process holds the lock (ms). Default 50. */
  maxPollInterval?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Times the waits between attempts (default: the system clock; tests pass a `ManualClock`). */
  clock?: Clock;
  /** Gives up after waiting this long (ms) with a {@linkcode LockTimeoutError}. Default: no limit. */
  timeout?: number;
  /**
   * Counts {@linkcode EntryLockOptions.timeout} from the holder's last write
   * into the locked file (its size, blocks or modification time changed), not from the
   * start: a holder whose download is arriving (a large object on a slow
   * link) is waited for as long as it writes, one that writes nothing for
   * that long is given up on.
   */
  whileWritten?: boolean;
  /** Called once when the wait passes `noticeAfter` ms, with who holds the lock (e.g. "process 123"). */
  onWait?: (holder: string) => void;
  /** When to call `onWait` (ms of waiting; default 1000). */
  noticeAfter?: number;
  /** Called at once when the lock is found held and a wait for it begins. */
  onBlocked?: () => void;
  /** Mode of a temp file this lock creates (default: the umask's). */
  mode?: number;
  /**
   * Runs before the lock's temp file's missing parent directories are made
   * ({@linkcode AtomicFileOptions.beforeParents}).
   */
  beforeParents?: () => void;
  /**
   * Leave what a holder that died or gave up left in the file (its size in
   * {@linkcode EntryLock.partialSize}) instead of emptying it, and in place
   * when the lock is released: a downloader resumes it or empties it
   * (`temp.reset()`) before writing; a holder that only looks leaves it to
   * be resumed. Without it (`vc cache rm`, verify) the file is emptied and
   * goes with the lock.
   */
  keepPartial?: boolean;
}

/**
 * Waiting for an entry lock ran out (see {@linkcode EntryLockOptions.timeout}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LockTimeoutError } from "./entry_lock.ts";
 * assert(new LockTimeoutError("x").name === "LockTimeoutError");
 * ```
 */
export class LockTimeoutError extends Error {
  override readonly name = "LockTimeoutError";
}

/**
 * After holding an entry's lock this long (ms), a holder names itself in a
 * note beside it (see the module doc): before a waiter's first word about
 * the wait (after a second, by default).
 */
export const HOLDER_NOTE_AFTER_MS = 200;

/**
 * Who holds a lock on `path`, as far as can be told (the holder's note
 * beside an entry's shared temp file, see the module doc; else, on Linux,
 * `/proc/locks` where Deno may read it: with `--allow-all`): "process
 * <pid>", "another download in this process" (a second cache of the same
 * directory in this process: no other process to look for), else "another
 * process".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockHolder } from "./entry_lock.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   assert(typeof lockHolder(p) === "string");
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function lockHolder(path: string): string {
  const noted = notedHolder(path);
  if (noted !== undefined) {
    return noted === Deno.pid ? "another download in this process" : `process ${noted}`;
  }
  try {
    const ino = Deno.statSync(path).ino;
    if (ino !== null && Deno.build.os === "linux") {
      for (const line of Deno.readTextFileSync("/proc/locks").split("\n")) {
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        const f = line.trim().split(/\s+/);
        const dev = f[5]?.split(":");
        if (f[1] !== "FLOCK" || dev?.[2] !== String(ino)) continue;
        return f[4] === String(Deno.pid) ? "another download in this process" : `process ${f[4]}`;
      }
    }
  } catch {
    // Not on Linux, or /proc not readable (Deno asks --allow-all for it).
  }
  return "another process";
}

/**
 * The pid in the holder's note of the shared temp file at `path`, when a
 * live holder keeps it locked; `undefined` without one.
 */
function notedHolder(path: string): number | undefined {
  const note = holderNoteOfSharedPath(path);
  if (note === undefined || fsPlatform.mandatoryLocks) return undefined;
  let file: Deno.FsFile;
  let found: Deno.FileInfo;
  try {
    // A plain file of one name, as holders write it: a FIFO planted there
    // would block the open, a link would be read through.
    found = Deno.lstatSync(note);
    if (!found.isFile || (found.nlink ?? 1) !== 1) return undefined;
    file = Deno.openSync(note, { read: true });
  } catch {
    return undefined;
  }
  try {
    if (file.statSync().ino !== found.ino) return undefined;
    // Free: a dead holder's note (or a holder letting go right now).
    if (file.tryLockSync(false)) return undefined;
    const buf = new Uint8Array(32);
    const n = file.readSync(buf) ?? 0;
    const text = new TextDecoder().decode(buf.subarray(0, n)).trim();
    return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}

/**
 * Writes this process's pid into the holder's note of the shared temp file
 * at `path`, which this process holds locked, and locks the note (see the
 * module doc): its handle, to close (after removing the note) on release;
 * `undefined` when it could not be done (best effort: only a waiter's
 * message goes without the pid).
 */
function writeHolderNote(path: string): Deno.FsFile | undefined {
  const note = holderNoteOfSharedPath(path);
  if (note === undefined) return undefined;
  let file: Deno.FsFile | undefined;
  try {
    // What is there is a dead holder's note (we hold the entry), or was
    // planted (a cache dir in /tmp): its name goes, never what a link there
    // points to, and ours is created afresh (which follows no link).
    try {
      Deno.removeSync(note);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    file = Deno.openSync(note, { read: true, write: true, createNew: true });
    if (!file.tryLockSync(true)) throw new Error("busy");
    const bytes = new TextEncoder().encode(`${Deno.pid}\n`);
    if (file.writeSync(bytes) !== bytes.length) throw new Error("short write");
    return file;
  } catch {
    if (file !== undefined) {
      // Created here but not written (a full disk: an empty file needs no
      // block, its pid does): removed while the entry is still ours, or it
      // stayed once the download gave up.
      try {
        if (Deno.lstatSync(note).ino === file.statSync().ino) Deno.removeSync(note);
      } catch {
        // Gone already, or the directory is unusable.
      }
      file.close();
    }
    return undefined;
  }
}

/** A held entry lock: a locked, empty shared temp file to download into. */
export interface EntryLock extends Disposable {
  /** Path of the locked shared temp file (not {@linkcode EntryLock.temp}'s where locks are mandatory). */
  readonly path: string;
  /**
   * True when another holder had the lock first (or the file was taken over
   * from a writer that died). Either way the entry may be complete now (a
   * holder may also have finished between the caller's first look and a
   * fresh lock): look for its record before downloading.
   */
  readonly waited: boolean;
  /** The temp file to download into (the locked one, except where locks are mandatory); write it only while holding the lock. */
  readonly temp: AtomicFile;
  /**
   * Bytes an earlier holder left in {@linkcode EntryLock.temp}, kept for
   * the caller with {@linkcode EntryLockOptions.keepPartial}; else 0 (the
   * file was emptied).
   */
  readonly partialSize: number;
  /**
   * Releases the lock: the temp name is removed first (a waiter then finds
   * it gone and looks for the record; a committed file stays at the data
   * path). Call it after the record is written. Idempotent.
   */
  release(): void;
}

/**
 * Takes the lock of the entry whose data lives at `dataPath`: opens (creating
 * it and its directory when missing) the entry's shared temp file, takes an
 * exclusive lock on it, waiting while another process or another handle in
 * this process holds it, and empties it. Throws when the file cannot be
 * created (read-only cache dir), the filesystem refuses locks, or a link was
 * planted at the temp path; callers then go on without the lock, with a
 * unique temp file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireEntryLock } from "./entry_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   using lock = await acquireEntryLock(`${dir}/data/a.csv`);
 *   assert(!lock.waited);
 *   await lock.temp.file.write(new TextEncoder().encode("a,b\n"));
 *   await lock.temp.commit();
 *   assert.equal(await Deno.readTextFile(`${dir}/data/a.csv`), "a,b\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function acquireEntryLock(
  dataPath: string,
  options: EntryLockOptions = {},
): Promise<EntryLock> {
  // Windows locks are enforced on I/O: the download's ranged writes and
  // read-back checks (second handles) would fail on a locked temp file, and
  // readers of the data file it becomes too. There the shared temp file is
  // only the lock (never written), and the download gets a unique one.
  const separate = fsPlatform.mandatoryLocks;
  let waited = false;
  const waitFor = lockWaiter(options);
  const tempOptions: AtomicFileOptions = options.mode === undefined ? {} : { mode: options.mode };
  if (options.beforeParents !== undefined) tempOptions.beforeParents = options.beforeParents;
  for (;;) {
    options.signal?.throwIfAborted();
    let temp: AtomicFile;
    try {
      temp = await AtomicFile.openSharedAsync(dataPath, tempOptions);
    } catch (e) {
      // Another user's download made it (a shared cache dir, a umask of
      // 022): its lock is still the entry's. Wait for it, or take a dead
      // one's name away, instead of downloading beside it every time.
      if (separate || !(e instanceof Deno.errors.PermissionDenied)) throw e;
      if (!await clearForeignTemp(sharedTempPathFor(dataPath), waitFor)) throw e;
      waited = true;
      continue;
    }
    let ok = false;
    try {
      const waiting = waitFor(temp.file, temp.path);
      if (waiting !== false && await waiting) waited = true;
      // The previous holder finished (committed and closed) or removed it
      // (failed), or a sweep removed a dead writer's: our lock is on a file
      // nobody else will open. Look again at the path.
      const stat = temp.atPathStat();
      if (stat === undefined) {
        waited = true;
        continue;
      }
      if ((stat.nlink ?? 1) > 1) {
        // Committed by a holder that died before closing it: the data is in
        // place (maybe without its record). Only the temp name goes.
        waited = true;
        removeDeadHolderNote(temp.path);
        temp.unlinkShared();
        continue;
      }
      // Left by a holder that died mid-download (or gave up on a partial
      // it kept to be resumed): ours now, emptied unless the caller looks
      // at it first.
      let partialSize = 0;
      if (stat.size > 0) {
        waited = true;
        removeDeadHolderNote(temp.path);
        if (options.keepPartial === true && !separate) {
          partialSize = stat.size;
          // Released untouched (a holder that only looks), it stays.
          temp.keepsPartial = true;
        } else {
          temp.reset();
          // Its note (see partial_download.ts) would outlive it: `vc cache
          // rm` left it. Ours to remove while we hold the entry's lock.
          removeQuietly(resumeStatePathFor(dataPath));
        }
      }
      const lock = separate
        ? new HeldLock(AtomicFile.create(dataPath, tempOptions), waited, 0, temp)
        : new HeldLock(temp, waited, partialSize);
      ok = true;
      return lock;
    } catch (e) {
      if (isNoLocks(e)) removeUnlockableLockFile(temp);
      throw e;
    } finally {
      // Not ours: close without removing (the path may name another's file).
      if (!ok) temp.close();
    }
  }
}

/**
 * On a file system that gives no locks, the entry's lock file `temp` just
 * opened (usually just created) can be no one's lock: removed when it is
 * still this handle's file at its path, empty and of one name, so a download
 * there (which goes on with a temp file of its own) leaves no empty dot file
 * beside each cached copy, which no sweep could remove later (it removes one
 * only under its lock). A partial a dead download left in it stays.
 */
function removeUnlockableLockFile(temp: AtomicFile): void {
  try {
    const stat = temp.atPathStat();
    if (stat === undefined || stat.size !== 0 || (stat.nlink ?? 1) !== 1) return;
    temp.unlinkShared();
  } catch {
    // Gone already, or not ours to remove: it stays, as before.
  }
}

/**
 * Removes the holder's note beside the shared temp file at `path`, called by
 * the process that holds its lock and took the file over from a holder that
 * died: any note there is that holder's (a live one would hold the lock).
 * Left, it stayed until the sweep's grace when this hold was too short to
 * write (and so remove) a note of its own. Only on a take-over: an ordinary
 * cold download pays no extra system call.
 */
function removeDeadHolderNote(path: string): void {
  const note = holderNoteOfSharedPath(path);
  if (note !== undefined) removeQuietly(note);
}

/**
 * Takes the exclusive lock on `file` (the shared temp file at `path`),
 * polling with backoff; true when it had to wait. One waiter per
 * {@linkcode acquireEntryLock} call: the notice and the timeout count from
 * its first wait, across the files it locks in turn.
 */
function lockWaiter(
  options: EntryLockOptions,
): (file: Deno.FsFile, path: string) => false | Promise<true> {
  const maxPoll = options.maxPollInterval ?? 50;
  const clock = options.clock ?? systemClock;
  // The monotonic clock: a wall clock set back during the wait would stretch
  // it by the step (hours behind a stopped holder), one set forward end it.
  const tick = () => clock.monotonic?.() ?? clock.now();
  const started = tick();
  let delay = 1;
  let noticed = false;
  // An ENOLCK is tried again for a while (a full lock table passes); a file
  // system without locks throws its error (the caller goes on without).
  const refusals: LockRefusals = {};
  const attempt = (file: Deno.FsFile): boolean => {
    const got = tryLockOrNoLocks(file, true, refusals, tick());
    if (got instanceof Error) throw got;
    return got;
  };
  // With whileWritten: when the holder's file last changed, and how it looked then.
  let writtenAt = started;
  let written: string | undefined;
  const wait = async (file: Deno.FsFile, path: string): Promise<true> => {
    options.onBlocked?.();
    do {
      const now = tick();
      const elapsed = now - started;
      if (options.whileWritten === true) {
        const seen = writtenState(file);
        if (written !== undefined && seen !== written) writtenAt = now;
        written = seen;
      }
      // An ENOLCK being waited out is no other process's hold.
      const refused = refusals.enolck;
      if (
        !noticed && refused === undefined && options.onWait &&
        elapsed >= (options.noticeAfter ?? 1000)
      ) {
        noticed = true;
        options.onWait(lockHolder(path));
      }
      if (options.timeout !== undefined && now - writtenAt >= options.timeout) {
        // Out of time while the file system refuses: that is what stops it.
        if (refused !== undefined) throw refused.error;
        const limit = `${options.timeout / 1000}s`;
        throw new LockTimeoutError(
          options.whileWritten === true
            ? `${lockHolder(path)} has held the lock ${path} for ${
              Math.round(elapsed / 1000)
            }s and written nothing to it for ${limit}`
            : `${lockHolder(path)} has held the lock ${path} for more than ${limit}`,
        );
      }
      await clock.sleep(delay * (0.5 + Math.random()), options.signal);
      delay = Math.min(delay * 2, maxPoll);
    } while (!attempt(file));
    return true;
  };
  // Taken at the first try (the usual case): false at once, with no promise.
  return (file, path) => attempt(file) ? false : wait(file, path);
}

/**
 * How the locked file `file` looks to a waiter (its size, its blocks, which
 * a write into a hole of a download in ranges changes, and its modification
 * time, which any write changes: a resumed download fetching again the
 * ranges past its kept prefix writes over bytes the file has, and Windows
 * tells no blocks): a change is the holder writing. Only compared with the
 * last look, never with this clock: a file server's clock may differ. ""
 * when it cannot be looked at.
 */
function writtenState(file: Deno.FsFile): string {
  try {
    const stat = file.statSync();
    return `${stat.size}:${stat.blocks ?? ""}:${stat.mtime?.getTime() ?? ""}`;
  } catch {
    return "";
  }
}

/**
 * Another user's shared temp file at `path`, which this user may read but
 * not write: waits for its lock (a live download of theirs), then, holding
 * it, removes the name when it still names that file (it was left by a
 * holder that died, or committed: either way the next holder would remove
 * or empty it), so the caller can create its own. False when it cannot be
 * done (not readable, or a directory this user may not remove names from):
 * the caller then goes on without the lock, as before.
 */
async function clearForeignTemp(
  path: string,
  waitFor: (file: Deno.FsFile, path: string) => false | Promise<true>,
): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    if (!Deno.lstatSync(path).isFile) return false;
    file = Deno.openSync(path, { read: true });
  } catch {
    return false;
  }
  try {
    // A timeout or an abort while a live holder has it goes to the caller.
    await waitFor(file, path);
    try {
      const mine = file.statSync();
      const there = Deno.lstatSync(path);
      // Replaced meanwhile (its holder finished, another took the name).
      if (mine.ino !== null && (mine.ino !== there.ino || mine.dev !== there.dev)) return true;
      Deno.removeSync(path);
      return true;
    } catch (e) {
      return e instanceof Deno.errors.NotFound;
    }
  } finally {
    file.close();
  }
}

/**
 * The holds whose note is not written yet, oldest first, and the one timer
 * that writes the notes of those that last {@linkcode HOLDER_NOTE_AFTER_MS}:
 * a cold object's download (a few ms) arms no timer of its own, only joins
 * and leaves this set.
 */
const lastingHolds = new (class LastingHolds {
  readonly #holds = new Set<HeldLock>();
  /** Stops the armed deadline (undefined: none armed). */
  #timer: (() => void) | undefined;

  add(hold: HeldLock): void {
    this.#holds.add(hold);
    if (this.#timer === undefined) this.#arm(HOLDER_NOTE_AFTER_MS);
  }

  delete(hold: HeldLock): void {
    this.#holds.delete(hold);
    if (this.#holds.size === 0 && this.#timer !== undefined) {
      this.#timer();
      this.#timer = undefined;
    }
  }

  #arm(ms: number): void {
    // deadline.ts: never what keeps a process alive, and no Node timer on
    // the cold path (tests/cold_path_node_timers_test.ts).
    this.#timer = deadline(ms, () => this.#due());
  }

  #due(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const hold of this.#holds) {
      const wait = hold.since + HOLDER_NOTE_AFTER_MS - now;
      if (wait > 0) return this.#arm(wait); // added in time order: the rest are younger
      this.#holds.delete(hold);
      hold.writeNote();
    }
  }
})();

class HeldLock implements EntryLock {
  readonly path: string;
  readonly waited: boolean;
  readonly temp: AtomicFile;
  readonly partialSize: number;
  /** The locked shared temp file when it is not `temp` (mandatory locks). */
  readonly #separate: AtomicFile | undefined;
  /** When the hold began (`performance.now()`), for the holder's note. */
  readonly since: number;
  /** The holder's note, locked, once written. */
  #note: Deno.FsFile | undefined;

  constructor(temp: AtomicFile, waited: boolean, partialSize: number, separate?: AtomicFile) {
    this.temp = temp;
    this.path = (separate ?? temp).path;
    this.waited = waited;
    this.partialSize = partialSize;
    this.#separate = separate;
    this.since = performance.now();
    if (separate === undefined && !fsPlatform.mandatoryLocks) lastingHolds.add(this);
  }

  /** Writes the holder's note (the hold has lasted). */
  writeNote(): void {
    this.#note = writeHolderNote(this.path);
  }

  release(): void {
    lastingHolds.delete(this);
    if (this.#note !== undefined) {
      // Removed while the entry is still ours: no other holder wrote it.
      try {
        const note = holderNoteOfSharedPath(this.path)!;
        if (Deno.lstatSync(note).ino === this.#note.statSync().ino) Deno.removeSync(note);
      } catch {
        // Gone already (a sweep), or the directory is unusable.
      }
      this.#note.close();
      this.#note = undefined;
    }
    // Removed first if not committed; closing the handle releases the flock.
    this.temp.discard();
    // After the record: removed while still locked, so a waiter finds it gone.
    this.#separate?.discard();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
