/**
 * A cross-process lock per cache entry, so several processes asking for the
 * same cold object download it once. It is an optimisation only: correctness
 * comes from unique temp files and atomic renames, so a lock that does not
 * hold (a filesystem without `flock`, a record removed under a holder) costs
 * a duplicate download, never a corrupt file.
 *
 * The lock is an exclusive advisory lock (`flock`) on the entry's metadata
 * record file, created empty if missing. Merging lock and record saves a
 * file creation and a removal per cold object (the record has to be written
 * anyway), and the kernel drops the lock when its process dies, even by
 * `kill -9`, so there is no stale-lock detection, no owner pid, no refresh
 * timer and no lock tree to clean up. The holder writes the finished record
 * through the locked handle; readers never lock, and read an empty or torn
 * record as a miss, which sends them here to wait for the holder.
 *
 * Locking happens on the calling thread (`tryLockSync`, one non-blocking
 * system call) and waiting is a poll with backoff: a blocked `flock` would
 * pin a thread-pool thread that an abort cannot free, and keep the process
 * alive until the other process lets go.
 *
 * @module
 */
import { openLockFile } from "../file_lock.ts";
import { registerInterruptCleanup } from "../interrupt_cleanup.ts";
import { type Clock, systemClock } from "../clock.ts";
import { encodeMeta, type EntryMeta, writeMeta } from "./entry_meta.ts";

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
  /** Called once when the wait passes `noticeAfter` ms, with who holds the lock (e.g. "process 123"). */
  onWait?: (holder: string) => void;
  /** When to call `onWait` (ms of waiting; default 1000). */
  noticeAfter?: number;
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
 * Who holds a lock on `path`, as far as the system tells (Linux:
 * `/proc/locks`): "process <pid>", else "another process".
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
  try {
    const ino = Deno.statSync(path).ino;
    if (ino !== null && Deno.build.os === "linux") {
      for (const line of Deno.readTextFileSync("/proc/locks").split("\n")) {
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        const f = line.trim().split(/\s+/);
        const dev = f[5]?.split(":");
        if (f[1] === "FLOCK" && dev?.[2] === String(ino)) return `process ${f[4]}`;
      }
    }
  } catch {
    // Not on Linux, or /proc not readable (Deno asks --allow-all for it).
  }
  return "another process";
}

/** A held entry lock. Release it with `release()` or `using`. */
export interface EntryLock extends Disposable {
  /** Path of the record file that is locked. */
  readonly path: string;
  /** True when another holder had the lock first. */
  readonly waited: boolean;
  /**
   * True when the record file was empty when the lock was taken: nobody
   * completed the entry, so there is nothing to re-check before working.
   */
  readonly empty: boolean;
  /**
   * Replaces the record with `meta` (through the locked handle). When the
   * record was removed meanwhile, it is written at its path again, after
   * `checkPath` (e.g. a symbolic-link check) passes.
   */
  write(meta: EntryMeta, checkPath?: (path: string) => void): void;
  /**
   * Releases the lock. With `discardEmpty`, first removes the record file if
   * it was empty and nothing was written (the work failed), so a key that
   * fails leaves no file behind. Idempotent.
   */
  release(options?: { discardEmpty?: boolean }): void;
}

/**
 * Opens (creating it, and its directory, when missing) the record file at
 * `path` and takes an exclusive lock on it, waiting while another process
 * or another handle in this process holds it. Throws when the file cannot be
 * created (read-only cache dir) or the filesystem refuses locks; callers
 * then go on without the lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireEntryLock } from "./entry_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   using lock = await acquireEntryLock(`${dir}/meta/a.json`);
 *   assert(!lock.waited && lock.empty);
 *   lock.write({ uri: "s3://b/a", etag: "e", size: 1, validatedAt: 0 });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function acquireEntryLock(
  path: string,
  options: EntryLockOptions = {},
): Promise<EntryLock> {
  const maxPoll = options.maxPollInterval ?? 50;
  const clock = options.clock ?? systemClock;
  let waited = false;
  let delay = 1;
  const started = clock.now();
  let noticed = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const file = openLockFile(path);
    try {
      while (!file.tryLockSync(true)) {
        waited = true;
        const elapsed = clock.now() - started;
        if (!noticed && options.onWait && elapsed >= (options.noticeAfter ?? 1000)) {
          noticed = true;
          options.onWait(lockHolder(path));
        }
        if (options.timeout !== undefined && elapsed >= options.timeout) {
          throw new LockTimeoutError(
            `${lockHolder(path)} has held the lock ${path} for more than ${
              Math.round(options.timeout / 1000)
            }s`,
          );
        }
        await clock.sleep(delay * (0.5 + Math.random()), options.signal);
        delay = Math.min(delay * 2, maxPoll);
      }
      const stat = file.statSync();
      // The previous holder removed the (empty) record after failing: our
      // lock is on a file nobody else will open. Take the one at the path.
      if (stat.nlink === 0) {
        file.close();
        continue;
      }
      return new HeldLock(path, file, waited, stat.size);
    } catch (e) {
      file.close();
      throw e;
    }
  }
}

/** Locks this process holds, for the interrupt cleanup. */
const heldLocks = new Set<HeldLock>();
let unregisterCleanup: (() => void) | undefined;

class HeldLock implements EntryLock {
  readonly path: string;
  readonly waited: boolean;
  readonly empty: boolean;
  #file: Deno.FsFile;
  #written = false;
  #released = false;

  constructor(path: string, file: Deno.FsFile, waited: boolean, size: number) {
    this.path = path;
    this.#file = file;
    this.waited = waited;
    this.empty = size === 0;
    heldLocks.add(this);
    // An interrupted process that cannot wait for its downloads to unwind
    // still leaves no empty records behind (registered once, on first use).
    unregisterCleanup ??= registerInterruptCleanup(() => {
      for (const lock of [...heldLocks]) lock.release({ discardEmpty: true });
    });
  }

  write(meta: EntryMeta, checkPath?: (path: string) => void): void {
    if (this.#released) throw new Error(`the lock on ${this.path} was released`);
    const bytes = encodeMeta(meta);
    const file = this.#file;
    // Write, then cut what is left of a longer old record: a reader racing
    // this sees a record that does not parse, which is a miss.
    file.seekSync(0, Deno.SeekMode.Start);
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
    // Only a longer old record leaves a tail to cut (a cold entry's record is
    // empty): one journaled metadata update less per download. Asked of the
    // file, not remembered: writeMeta elsewhere rewrites records in place.
    const stat = file.statSync();
    if (stat.size > bytes.length) file.truncateSync(bytes.length);
    this.#written = true;
    // Removed while we worked (delete or prune ran concurrently): the record
    // would be lost with the unlinked file, leaving data without a record.
    // Write it at the path again. (`nlink` is null where unsupported.)
    if (stat.nlink === 0) {
      checkPath?.(this.path);
      writeMeta(this.path, meta);
    }
  }

  release(options: { discardEmpty?: boolean } = {}): void {
    if (this.#released) return;
    this.#released = true;
    heldLocks.delete(this);
    try {
      if (options.discardEmpty && this.empty && !this.#written) {
        // Before unlocking, so a waiter finds it gone (nlink 0) and retries
        // on a fresh file. Only if the path still names our file: it may
        // have been removed and re-created (and completed) by another process.
        const ino = this.#file.statSync().ino;
        if (ino === null || Deno.statSync(this.path).ino === ino) Deno.removeSync(this.path);
      }
    } catch {
      // Already gone, or not ours to remove: harmless either way.
    } finally {
      // Closing the last handle releases the flock.
      this.#file.close();
    }
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
