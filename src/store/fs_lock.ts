/**
 * Advisory lock files for {@linkcode FsStore}: a lock is a file created with
 * `O_CREAT|O_EXCL` (`createNew`), which works across processes and on network
 * filesystems without `flock` support. Where hard links work, the lock is a
 * temp file holding its holder's pid, linked into place, so it never exists
 * empty (a holder killed between creating and writing it left a lock only
 * the age rule could break).
 *
 * Stale locks: a holder keeps a lock only for the few milliseconds of a
 * commit (rename + sidecar write), never while data is uploaded. A lock is
 * therefore considered stale, and broken, when its holder on this host is
 * gone, or when the lock file is older than `staleMs` (30 s by default)
 * whoever holds it. A holder is known gone when it held an advisory lock
 * (`flock`) on its lock file (said in the file: `locked`) that a breaker can
 * now take: the kernel drops it when the process dies, even by `kill -9`,
 * whatever its PID namespace (containers sharing the directory), and that
 * needs no look at `/proc`, which Deno refuses short of `--allow-all` (the
 * CLI's permissions). A lock without it (an older vc's, or one on a
 * filesystem without `flock`) is judged by its pid, through `/proc` where
 * it may be read, only in this PID namespace. Where locks are mandatory
 * (Windows: a locked lock file could not be read by a waiter) only the age
 * tells. Breaking renames the stale file aside and checks that the file moved is
 * the one judged stale (same inode), so two processes breaking at once cannot
 * throw away a fresh lock. A holder frozen for longer than `staleMs` (e.g.
 * SIGSTOP) can lose its lock; that is the price of never deadlocking on a
 * crashed holder.
 *
 * @module
 */
import { StoreError } from "../errors.ts";
import { tempPathFor } from "../atomic_write.ts";
import { fsPlatform } from "../fs_platform.ts";
import { fileKind } from "../regular_file.ts";
import { sleep } from "./retry.ts";
import { readGranted, sysGranted } from "../permission_granted.ts";

/** A held lock; release it exactly once (or use `await using`). */
export interface FileLock extends AsyncDisposable {
  /** Path of the lock file. */
  readonly path: string;
  /** Removes the lock file if it is still ours. Never throws. */
  release(): Promise<void>;
}

/** Options for {@linkcode acquireLock}. */
export interface LockOptions {
  /** Age in ms after which any lock is considered abandoned. Default 30 000. */
  staleMs?: number;
  /** Give up with `StoreError` after this many ms. Default `staleMs` + 10 000. */
  timeoutMs?: number;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Default age after which a lock file is considered abandoned. */
export const DEFAULT_STALE_MS = 30_000;

// A lock holds a pid, a host name, a nonce and a time in JSON; a larger file is none of vc's.
const MAX_LOCK_BYTES = 64 * 1024;

interface LockContent {
  pid: number;
  host: string;
  nonce: string;
  at: string;
  /**
   * The holder's PID namespace (`/proc/self/ns/pid`), where it can be read:
   * containers sharing a host name (host networking) each number their own
   * pids. Absent in locks of earlier versions.
   */
  pidns?: string;
  /**
   * The holder keeps an exclusive advisory lock on the lock file itself for
   * as long as it holds it: one that can be taken is a dead holder's. Absent
   * in locks of earlier versions, and where the filesystem refused the lock.
   */
  locked?: boolean;
}

/**
 * Waits for and takes the lock file at `path`, breaking stale locks (see the
 * module doc). Filesystem errors other than "exists" (missing directory,
 * read-only filesystem, permissions) are thrown as they are, for the caller
 * to map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLock } from "./fs_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   {
 *     await using _lock = await acquireLock(`${dir}/.vc~lock~x`);
 *     // ... critical section: nobody else takes the lock meanwhile ...
 *     await assert.rejects(acquireLock(`${dir}/.vc~lock~x`, { timeoutMs: 50 }), /timed out/);
 *   }
 *   // Released at the end of its block: free again.
 *   await (await acquireLock(`${dir}/.vc~lock~x`, { timeoutMs: 50 })).release();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? staleMs + 10_000);
  let delay = 1;
  for (;;) {
    options.signal?.throwIfAborted();
    const lock = await tryCreate(path);
    if (lock) return lock;
    if (await breakIfStale(path, staleMs)) continue;
    if (Date.now() > deadline) {
      throw new StoreError(`timed out waiting for lock ${path}`);
    }
    // Jittered exponential backoff: holders keep locks for milliseconds.
    await sleep(delay * (0.5 + Math.random()), options.signal);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Takes the lock at `path` if it is free right now; `undefined` when it is
 * held or cannot be created at all (e.g. a read-only directory). For
 * best-effort work that can simply be skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tryAcquireLock } from "./fs_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await tryAcquireLock(`${dir}/.vc~lock~x`);
 * assert(first !== undefined);
 * assert(await tryAcquireLock(`${dir}/.vc~lock~x`) === undefined);
 * await first?.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function tryAcquireLock(path: string): Promise<FileLock | undefined> {
  try {
    return await tryCreate(path);
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock file at `path` if it is abandoned (its holder dead, or
 * older than `staleMs`): what a writer killed while holding it (`kill -9`)
 * left behind. True when no lock is there any more; a live holder's lock,
 * or one that cannot be looked at, stays (false).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeStaleLock, tryAcquireLock } from "./fs_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const held = (await tryAcquireLock(`${dir}/.vc~lock~x`))!;
 * assert(!(await removeStaleLock(held.path))); // ours, alive
 * await Deno.writeTextFile(`${dir}/.vc~lock~y`, "{}");
 * await Deno.utime(`${dir}/.vc~lock~y`, 0, 0); // long abandoned
 * assert(await removeStaleLock(`${dir}/.vc~lock~y`));
 * await held.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function removeStaleLock(
  path: string,
  staleMs: number = DEFAULT_STALE_MS,
): Promise<boolean> {
  try {
    if (!(await breakIfStale(path, staleMs))) return false;
    await Deno.lstat(path);
    return false; // another writer's lock took its place
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
}

async function tryCreate(path: string): Promise<FileLock | undefined> {
  const content: LockContent = {
    pid: Deno.pid,
    host: hostname(),
    nonce: crypto.randomUUID(),
    at: new Date().toISOString(),
    ...(pidNamespace() === undefined ? {} : { pidns: pidNamespace()! }),
  };
  // The lock appears with its content already in it: written to a temp file
  // and hard-linked into place (the link fails when the lock exists). A
  // holder killed between creating an empty lock and writing it (`kill -9`)
  // would otherwise leave a lock no one can tell is dead, and every writer
  // of that key would wait `staleMs` for it.
  const linked = await tryLinkCreate(path, content);
  if (linked === "taken") return undefined;
  if (linked !== undefined) return lockHandle(path, content, linked.ino, linked.held);
  // No hard links here (or no temp file could be written): create it empty,
  // then write.
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { createNew: true, write: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return undefined;
    throw e;
  }
  let ino: number | null = null;
  const held = holdOsLock(file);
  try {
    // The inode identifies our lock file at release time.
    ino = (await file.stat()).ino;
    // Informational (lets others detect a dead holder); a reader that sees the
    // file before this write lands falls back to the age rule.
    const written = held ? { ...content, locked: true } : content;
    await file.write(new TextEncoder().encode(JSON.stringify(written)));
  } catch {
    // The lock is held even if its content could not be written.
  } finally {
    // Kept open while the lock is held: its advisory lock says so.
    if (!held) file.close();
  }
  return lockHandle(path, content, ino, held ? file : undefined);
}

/**
 * Takes an exclusive advisory lock on `file`, our new lock file, for as long
 * as we hold the lock (see {@linkcode LockContent.locked}). False where
 * locks are mandatory (a waiter could not read the file) or unsupported.
 */
function holdOsLock(file: Deno.FsFile): boolean {
  if (fsPlatform.mandatoryLocks) return false;
  try {
    return file.tryLockSync(true);
  } catch {
    return false; // no flock here (some network filesystems): pid and age tell
  }
}

/**
 * Creates the lock at `path` as a hard link to a temp file holding
 * `content`: its inode (and the handle that keeps its advisory lock, if
 * any) when taken, `"taken"` when the lock exists, and `undefined` when
 * this way is unavailable (no hard links, no temp file).
 */
async function tryLinkCreate(
  path: string,
  content: LockContent,
): Promise<{ ino: number | null; held: Deno.FsFile | undefined } | "taken" | undefined> {
  const temp = tempPathFor(path);
  let file: Deno.FsFile | undefined;
  let made: Deno.FileInfo;
  try {
    // Locked before it is linked into place, so no waiter ever sees a lock
    // that says `locked` and is not (yet) locked.
    file = await Deno.open(temp, { createNew: true, read: true, write: true });
    const held = holdOsLock(file);
    // Through the handle of the file made, never by name again: another
    // user who may write here could have swapped the name for a link to a
    // file of ours meanwhile, which a second open would truncate and write.
    const bytes = new TextEncoder().encode(
      JSON.stringify(held ? { ...content, locked: true } : content),
    );
    // A few hundred bytes: one synchronous write, as the cache's lock notes are.
    for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
    made = await file.stat();
    if (!held) {
      file.close();
      file = undefined;
    }
  } catch (e) {
    file?.close();
    // Created, then not written (a full disk): not left behind.
    if (!(e instanceof Deno.errors.AlreadyExists)) await Deno.remove(temp).catch(() => {});
    return undefined;
  }
  let taken = false;
  try {
    const atName = await Deno.lstat(temp);
    // The name no longer that file (a link put there): it is not made the lock.
    if (
      !atName.isFile || (made.ino !== null && atName.ino !== made.ino) || atName.dev !== made.dev
    ) {
      return undefined;
    }
    const ino = atName.ino;
    await Deno.link(temp, path);
    taken = true;
    return { ino, held: file };
  } catch (e) {
    return e instanceof Deno.errors.AlreadyExists ? "taken" : undefined;
  } finally {
    if (!taken) file?.close();
    await Deno.remove(temp).catch(() => {});
  }
}

function lockHandle(
  path: string,
  content: LockContent,
  ino: number | null,
  held: Deno.FsFile | undefined,
): FileLock {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    try {
      // Only remove the file if it is still ours: if our lock was broken as
      // stale, the file now at `path` belongs to someone else.
      if (ino !== null) {
        const st = await Deno.lstat(path);
        if (st.ino !== ino) return;
      } else if (parseLock(await Deno.readTextFile(path))?.nonce !== content.nonce) {
        return;
      }
      await Deno.remove(path);
    } catch {
      // Already gone, or the directory is unusable: nothing more to do.
    } finally {
      // After the removal: a waiter that opened the file meanwhile and takes
      // its lock now finds another file (or none) at the path.
      held?.close();
    }
  };
  return { path, release, [Symbol.asyncDispose]: release };
}

async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  let st: Deno.FileInfo;
  let content: LockContent | undefined;
  try {
    st = await Deno.lstat(path);
    // Locks are small regular files. Anything else at a lock's name was put
    // there by someone else: reading a FIFO blocked forever (every write of
    // the key hung, deaf to Ctrl-C), a directory failed as "a directory of
    // other keys", and a link was read through. Refused, naming it, and left.
    if (!st.isFile) {
      throw new StoreError(
        `${path} is ${fileKind(st)}, not a lock file vc makes: remove it (nothing else ` +
          "can write the key it locks while it is there)",
      );
    }
    content = st.size > MAX_LOCK_BYTES ? undefined : parseLock(await Deno.readTextFile(path));
  } catch (e) {
    // Released between our create attempt and now: just retry.
    if (e instanceof Deno.errors.NotFound) return true;
    throw e;
  }
  const age = Date.now() - (st.mtime?.getTime() ?? Date.now());
  const stale = age > staleMs ||
    (content !== undefined && await holderIsDead(path, st.ino, content));
  if (!stale) return false;
  const aside = tempPathFor(path);
  try {
    await Deno.rename(path, aside);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true; // someone else broke or released it
    throw e;
  }
  try {
    const moved = await Deno.lstat(aside);
    if (st.ino !== null && moved.ino !== st.ino) {
      // We moved a fresh lock that replaced the stale one: put it back unless
      // yet another lock appeared meanwhile (then its holder keeps it).
      await Deno.link(aside, path).catch(() => {});
    }
  } finally {
    await Deno.remove(aside).catch(() => {});
  }
  return true;
}

function parseLock(text: string): LockContent | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (
      typeof v === "object" && v !== null && "pid" in v && typeof v.pid === "number" &&
      "host" in v && typeof v.host === "string" && "nonce" in v && typeof v.nonce === "string" &&
      "at" in v && typeof v.at === "string"
    ) {
      const pidns = "pidns" in v && typeof v.pidns === "string" ? { pidns: v.pidns } : {};
      const locked = "locked" in v && v.locked === true ? { locked: true } : {};
      return { pid: v.pid, host: v.host, nonce: v.nonce, at: v.at, ...pidns, ...locked };
    }
  } catch {
    // Empty (being written) or foreign content.
  }
  return undefined;
}

let cachedHost: string | undefined;
function hostname(): string {
  if (cachedHost === undefined) {
    try {
      // Asked first: a library user's narrower permissions get no prompt here.
      cachedHost = sysGranted("hostname") ? Deno.hostname() : "";
    } catch {
      // No --allow-sys: dead-holder detection is then disabled (age rule only).
      cachedHost = "";
    }
  }
  return cachedHost;
}

let cachedPidNamespace: string | undefined | null = null;
function pidNamespace(): string | undefined {
  if (cachedPidNamespace === null) {
    try {
      const link = "/proc/self/ns/pid";
      cachedPidNamespace = readGranted(link) ? Deno.readLinkSync(link) : undefined;
    } catch {
      cachedPidNamespace = undefined; // no procfs, or no permission to read it
    }
  }
  return cachedPidNamespace;
}

async function holderIsDead(
  path: string,
  ino: number | null,
  content: LockContent,
): Promise<boolean> {
  const host = hostname();
  // Another host's lock (a network filesystem whose locks may be local only)
  // tells nothing here: the age rule.
  if (host === "" || content.host !== host) return false;
  // Ours: alive (and on a filesystem that emulates flock with POSIX locks,
  // which a process never conflicts with, closing a handle after a look
  // would even drop our own lock).
  if (content.pid === Deno.pid) return false;
  if (content.locked === true && !fsPlatform.mandatoryLocks) {
    const released = lockReleased(path, ino);
    if (released !== undefined) return released;
  }
  // A holder in another PID namespace (a container sharing this host name
  // and the store's directory) has a pid that means nothing here: it was
  // judged dead and its lock broken mid-commit, letting two conditional
  // writes of one key through at once.
  if (content.pidns !== undefined && content.pidns !== pidNamespace()) return false;
  try {
    await Deno.stat("/proc/self");
  } catch {
    return false; // no procfs (or no permission to read it): cannot tell
  }
  try {
    await Deno.stat(`/proc/${content.pid}`);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
}

/**
 * Whether the advisory lock its holder keeps on the lock file at `path`
 * (inode `ino`, as looked at) is free: true when it can be taken (the
 * holder is gone: the kernel dropped it), false when it is held or another
 * file is at the path now, `undefined` when locks cannot be taken here. A
 * shared lock, taken through a read-only handle: another user's lock file
 * may be only readable, and a network filesystem's emulated `flock` takes
 * an exclusive lock only through a writable one.
 */
function lockReleased(path: string, ino: number | null): boolean | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch {
    return undefined;
  }
  try {
    if (!file.tryLockSync(false)) return false;
    // Released and replaced between the look and the open: not the lock judged.
    return ino === null || file.statSync().ino === ino;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}
