/**
 * A general cross-process lock on a lock file: an exclusive advisory lock
 * (`flock`, through `Deno.FsFile.tryLockSync`) on a small file that is never
 * replaced, for read-modify-write cycles on files that are themselves
 * replaced by rename (a manifest, a lock file of hashes), which therefore
 * cannot carry the lock.
 *
 * The kernel drops the lock when its process dies, even by `kill -9`, so
 * there is no stale-lock detection and no owner to record. The lock file is
 * left in place after release (removing it would let a waiter lock an
 * unlinked file while a newcomer locks a fresh one).
 *
 * Waiting is a poll with backoff on the calling thread, as in
 * `src/cache/entry_lock.ts`: a blocking `flock` would pin a thread-pool
 * thread that an abort cannot free. Within one process, calls on the same
 * path are queued first, since `flock` on two handles of one process would
 * also exclude each other but poll needlessly.
 *
 * On a file system that gives no locks (Lustre without `-o flock`, NFS
 * without its lock daemon, some SMB, FUSE and VirtualBox shared folders)
 * the work goes on without the cross-process lock, in turn within the
 * process, rather than failing on an OS error that names no file, and says
 * so once per process ({@linkcode tellNoLocks}). ENOLCK is ambiguous (no
 * lock daemon, or its lock table full for now): it is tried again, as a
 * held lock is, for {@linkcode ENOLCK_GRACE_MS} before it counts as "no
 * locks" ({@linkcode tryLockOrNoLocks}).
 *
 * @module
 */
import { untilAborted } from "./abort_hub.ts";
import { dirname } from "./path.ts";
import { callCallback } from "./callback.ts";
import { type Clock, systemClock } from "./clock.ts";
import { InvalidInputError } from "./errors.ts";
import { isNameTooLong, tooLongReason } from "./name_too_long.ts";
import { shortened } from "./printable.ts";
import { fileKind } from "./regular_file.ts";
import { warnOnStderr } from "./warning_line.ts";
import { statusOrUndefinedSync } from "./file_status.ts";

/** Options of {@linkcode withFileLock}. */
export interface FileLockOptions {
  /** Longest wait between attempts while another process holds the lock (ms). Default 50. */
  maxPollInterval?: number;
  /**
   * Stops waiting while another process holds the lock, or another call of
   * this process (rejects with the signal's reason); a free lock is taken
   * even once it has aborted.
   */
  signal?: AbortSignal;
  /** Times the waits between attempts (default: the system clock). */
  clock?: Clock;
  /**
   * Called once when another process has held the lock for `noticeAfter` ms
   * of this call's wait (to say why nothing moves).
   */
  onWait?: () => void;
  /**
   * When to call `onWait` (ms of waiting; default 1000, as the cache's entry
   * locks): a wait of a few milliseconds behind another process's pin (many
   * `vc add` of different paths at once) is no news.
   */
  noticeAfter?: number;
  /**
   * Told, once per process, that the file system gives no locks and the
   * work goes on without (see {@linkcode tellNoLocks}), as `mirror()`'s and
   * `VersionedCache`'s `onWarning` are. Default: a `warning:` line on
   * stderr (`console.warn`), for a library caller that gives none; the CLI
   * gives its own (its warning line, which `--quiet` silences). What it
   * throws fails the call with a `CallbackError`.
   */
  onWarning?: ((warning: { message: string }) => void) | undefined;
}

// In-process queue per lock path: one holder at a time, in call order.
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the exclusive lock on `lockPath` (created, with its
 * directory, when missing), waiting while another process holds it. The lock
 * is released when `fn` settles; its result or error is passed through.
 * `fn` is given the locked file's handle: a holder may keep a journal in it
 * (written through that handle, as Windows' locks are mandatory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withFileLock } from "./file_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   let inside = 0;
 *   let most = 0;
 *   await Promise.all([1, 2, 3].map(() =>
 *     withFileLock(`${dir}/.m.json.lock`, async () => {
 *       most = Math.max(most, ++inside);
 *       await new Promise((r) => setTimeout(r, 5));
 *       inside--;
 *     })
 *   ));
 *   assert.equal(most, 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function withFileLock<T>(
  lockPath: string,
  fn: (file: Deno.FsFile) => Promise<T> | T,
  options: FileLockOptions = {},
): Promise<T> {
  const run = async (): Promise<T> => {
    const file = await lockFile(lockPath, options);
    try {
      return await fn(file);
    } finally {
      // Closing the only handle releases the flock.
      file.close();
    }
  };
  const previous = queues.get(lockPath);
  // Queued behind a holder of this process: the signal stops this wait too
  // (it was heard only once the holder was done, and then only while
  // another process held the lock: the call ran after its abort). A free
  // lock is taken even once it has aborted, as below.
  const signal = options.signal;
  const next =
    (previous === undefined || signal === undefined
      ? previous ?? Promise.resolve()
      : untilAborted(previous, signal)).then(run);
  // The next caller's turn comes after this one's, and after the holder's
  // before it even when this one gave up waiting.
  const settled = (previous ?? Promise.resolve()).then(() => next).then(() => {}, () => {});
  queues.set(lockPath, settled);
  settled.then(() => {
    if (queues.get(lockPath) === settled) queues.delete(lockPath);
  });
  return next;
}

async function lockFile(path: string, options: FileLockOptions): Promise<Deno.FsFile> {
  const maxPoll = options.maxPollInterval ?? 50;
  const clock = options.clock ?? systemClock;
  const now = () => clock.monotonic?.() ?? clock.now();
  const started = now();
  const file = openLockFile(path);
  const refusals: LockRefusals = {};
  let delay = 1;
  try {
    // The signal stops a wait, never a lock that is free: a pin that comes
    // after its upload landed (a version published, which stays) is done
    // rather than left undone by a Ctrl-C that came with nobody to wait for.
    let told = false;
    while (!tryLock(file, path, refusals, now(), options)) {
      // An ENOLCK being waited out is no other process's hold.
      if (
        !told && refusals.enolck === undefined && now() - started >= (options.noticeAfter ?? 1000)
      ) {
        told = true;
        options.onWait?.();
      }
      options.signal?.throwIfAborted();
      await clock.sleep(delay * (0.5 + Math.random()), options.signal);
      delay = Math.min(delay * 2, maxPoll);
    }
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Whether a lock call (`Deno.FsFile.tryLockSync`) failed because the file
 * system gives no locks at all (not because another process holds it):
 * Lustre mounted without `-o flock` (ENOSYS), NFS without its lock daemon
 * (ENOLCK, which also means a full lock table for now: see
 * {@linkcode tryLockOrNoLocks}), some SMB, FUSE and VirtualBox shared
 * folders (ENOTSUP), on Windows a redirector without byte-range locks
 * ("Incorrect function", "The request is not supported").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNoLocks } from "./file_lock.ts";
 * assert(isNoLocks(new Deno.errors.NotSupported("Operation not supported (os error 95)")));
 * assert(isNoLocks(new Error("No locks available (os error 37)")));
 * assert(!isNoLocks(new Deno.errors.PermissionDenied("Permission denied (os error 13)")));
 * ```
 */
export function isNoLocks(error: unknown): boolean {
  return error instanceof Deno.errors.NotSupported ||
    /not supported|no locks available|not implemented|incorrect function/i.test(
      String((error as Error | undefined)?.message),
    );
}

/** ENOLCK ("No locks available"), by its message (its number differs between systems). */
function isEnolck(error: unknown): boolean {
  return /no locks available/i.test(String((error as Error | undefined)?.message));
}

/**
 * How long (ms) one lock call tries again a lock refused with ENOLCK before
 * taking it for "no locks here". ENOLCK says NFS's lock manager gave no
 * lock: it has none to give (no `lockd` / `rpc.statd`: every lock fails)
 * or its lock table is full for now (the lock is free a moment later). Going
 * on without the lock at the first ENOLCK dropped a lock the file system
 * would have given; failing at it made vc unusable on such a mount.
 */
export const ENOLCK_GRACE_MS = 1000;

// Devices where an ENOLCK lasted past its grace: their next ENOLCK is
// taken for "no locks" at once (no second wait per lock on such a mount).
const enolckDevices = new Set<number>();

/** One lock call's refusals so far (see {@linkcode tryLockOrNoLocks}); start with `{}`. */
export interface LockRefusals {
  /** An ENOLCK being waited out: since when (the caller's clock, ms) and the error. */
  enolck?: { since: number; error: Error };
}

/**
 * Tries the lock of `file` once: true when taken, false while another
 * holds it or while an ENOLCK is waited out (tried again like a held lock,
 * for {@linkcode ENOLCK_GRACE_MS} from the first in `refusals`), else the
 * error when the file system gives no locks ({@linkcode isNoLocks}: the
 * caller goes on without, and says so with {@linkcode tellNoLocks}). Any
 * other error is thrown. `now` is the caller's clock (ms).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tryLockOrNoLocks } from "./file_lock.ts";
 * const p = Deno.makeTempFileSync();
 * try {
 *   using file = Deno.openSync(p, { read: true, write: true });
 *   assert.equal(tryLockOrNoLocks(file, true, {}, 0), true);
 * } finally {
 *   Deno.removeSync(p);
 * }
 * ```
 */
export function tryLockOrNoLocks(
  file: Deno.FsFile,
  exclusive: boolean,
  refusals: LockRefusals,
  now: number,
): boolean | Error {
  try {
    const got = file.tryLockSync(exclusive);
    delete refusals.enolck;
    return got;
  } catch (error) {
    if (!isNoLocks(error)) throw error;
    if (!isEnolck(error)) return error as Error;
    const dev = deviceOf(file);
    if (dev !== undefined && enolckDevices.has(dev)) return error as Error;
    refusals.enolck ??= { since: now, error: error as Error };
    if (now - refusals.enolck.since < ENOLCK_GRACE_MS) return false;
    if (dev !== undefined) enolckDevices.add(dev);
    return error as Error;
  }
}

function deviceOf(file: Deno.FsFile): number | undefined {
  try {
    return file.statSync().dev ?? undefined;
  } catch {
    return undefined;
  }
}

let toldNoLocks = false;

/**
 * Says once per process, through `warn`, that the file system holding
 * `path` gives no locks (`error`, from {@linkcode tryLockOrNoLocks}) and vc
 * goes on without them: other processes are no longer kept out. Later calls
 * say nothing (one line, not one per object).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tellNoLocks } from "./file_lock.ts";
 * const told: string[] = [];
 * const enosys = new Error("Function not implemented (os error 38)");
 * tellNoLocks("/mnt/lustre/cache/a", enosys, (m) => told.push(m));
 * tellNoLocks("/mnt/lustre/cache/b", enosys, (m) => told.push(m));
 * assert.equal(told.length, 1);
 * assert.match(told[0]!, /file system of \/mnt\/lustre\/cache gives no file locks/);
 * ```
 */
export function tellNoLocks(path: string, error: unknown, warn: (message: string) => void): void {
  if (toldNoLocks) return;
  toldNoLocks = true;
  const why = isEnolck(error)
    ? `; on NFS: no lock daemon (lockd, rpc.statd) answers, or its lock table stayed full for ${
      ENOLCK_GRACE_MS / 1000
    }s`
    : "";
  warn(
    `the file system of ${dirname(path)} gives no file locks (${
      (error as Error | undefined)?.message ?? String(error)
    }${why}): vc goes on without them, so other vc processes using the same files at once are ` +
      `not kept out (an object may be downloaded twice, a manifest update lost); run one at a ` +
      `time there, or mount it with locks (NFS with its lock daemon, Lustre with -o flock)`,
  );
}

/**
 * Takes the exclusive lock of `file` (the lock file at `path`) if it is free:
 * false while another process holds it (or an ENOLCK is waited out). On a
 * file system that gives no locks ({@linkcode tryLockOrNoLocks}) true,
 * unlocked, said once ({@linkcode tellNoLocks}): the work goes on, in turn
 * within this process (the queue of {@linkcode withFileLock}), as the asset
 * cache goes on without its entry locks there. Any other failure names the
 * file.
 */
function tryLock(
  file: Deno.FsFile,
  path: string,
  refusals: LockRefusals,
  now: number,
  options: FileLockOptions,
): boolean {
  let got: boolean | Error;
  try {
    got = tryLockOrNoLocks(file, true, refusals, now);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const Kind = error.constructor as new (message: string, options?: ErrorOptions) => Error;
    throw new Kind(`cannot lock ${path}: ${error.message}`, { cause: error });
  }
  if (!(got instanceof Error)) return got;
  // The caller's, by the library's rule for callbacks: what it throws fails
  // the call as a CallbackError; a promise it returns that rejects is
  // dropped (it ended the process as an unhandled rejection).
  const { onWarning } = options;
  tellNoLocks(
    path,
    got,
    onWarning === undefined
      ? warnOnStderr
      : (message) => callCallback("onWarning", onWarning, { message }),
  );
  return true;
}

/**
 * Opens `path` for reading and writing, creating it and its parent
 * directories when missing: the file a lock is taken on. Anything but a
 * plain file at its name (a symbolic link, even a dangling one; a FIFO, a
 * directory) is refused with an `InvalidInputError` naming it: lock files
 * sit in checkouts and DESTs that may hold what someone else put there, and
 * the open would create, or a holder write, the file a link points to
 * (outside that directory). The file opened is checked against the name
 * afterwards, so a link swapped in meanwhile is refused too. Synchronous: one
 * open of a tiny local file, several times cheaper than an async round trip
 * through the I/O thread pool (measured: ~15% more cold files/s on tmpfs, no
 * worse on ext4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLockFile } from "./file_lock.ts";
 * const dir = Deno.makeTempDirSync();
 * const file = openLockFile(`${dir}/a/b.lock`);
 * assert(file.tryLockSync(true));
 * file.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function openLockFile(path: string): Deno.FsFile {
  refuseForeign(path, lookBeforeOpen(path));
  const options: Deno.OpenOptions = { read: true, write: true, create: true };
  let file: Deno.FsFile;
  try {
    try {
      file = Deno.openSync(path, options);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      Deno.mkdirSync(dirname(path), { recursive: true });
      file = Deno.openSync(path, options);
    }
  } catch (e) {
    // Deno's message names no path for it: the lock beside a DEST or a
    // manifest given with a name past 255 bytes said only "File name too long".
    if (isNameTooLong(e)) {
      throw new InvalidInputError(
        `cannot open the lock file ${shortened(path)}: it ${tooLongReason(path)}`,
        {
          cause: e,
        },
      );
    }
    throw e;
  }
  try {
    // Missing now: replaced (or removed) after the open. A look that fails
    // otherwise is thrown as it is, not reported as a replacement.
    const atName = statusOrUndefinedSync(path);
    refuseForeign(path, atName);
    const opened = file.statSync();
    // Where a file system gives no inode numbers (some Windows shares), only the kind tells.
    const known = opened.ino != null && atName?.ino != null;
    if (
      atName === undefined || (known && (opened.ino !== atName.ino || opened.dev !== atName.dev))
    ) {
      throw new InvalidInputError(
        `lock file ${path} was replaced while vc opened it; remove it if it is not vc's, ` +
          `and run again`,
      );
    }
  } catch (e) {
    file.close();
    throw e;
  }
  return file;
}

function lookBeforeOpen(path: string): Deno.FileInfo | undefined {
  try {
    return statusOrUndefinedSync(path);
  } catch {
    return undefined; // Not to be looked at (a name too long): the open says why.
  }
}

function refuseForeign(path: string, info: Deno.FileInfo | undefined): void {
  if (info === undefined || info.isFile) return;
  throw new InvalidInputError(
    `lock file ${path} is ${fileKind(info)}, not a file vc made; vc never opens a lock ` +
      `through one (it would create or lock what it points to): remove it, and run again`,
  );
}
