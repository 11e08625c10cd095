/**
 * A cross-process lock per cache entry, so several processes asking for the
 * same cold object download it once. It is an optimisation only: correctness
 * comes from unique temp files and atomic renames, so a lock that is broken
 * wrongly (e.g. on a network filesystem) costs a duplicate download, never a
 * corrupt file.
 *
 * The lock is a file created with `createNew` holding the owner's pid, host
 * and a random token. The owner refreshes its mtime while it works; a lock
 * whose mtime is older than `staleAfter`, or whose owner pid is dead on this
 * host, is broken.
 *
 * @module
 */
import process from "node:process";
import { dirname } from "node:path";

/** Options of {@linkcode acquireEntryLock}. */
export interface EntryLockOptions {
  /** A lock not refreshed for this long (ms) is considered abandoned. Default 30 000. */
  staleAfter?: number;
  /** Longest wait between attempts while another process holds the lock (ms). Default 200. */
  maxPollInterval?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** A held lock. Release it with `release()` or `await using`. */
export interface EntryLock extends AsyncDisposable {
  /** Path of the lock file. */
  readonly path: string;
  /** True when another process held the lock first, so the caller should re-check its work. */
  readonly waited: boolean;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

interface LockBody {
  pid: number;
  host: string | undefined;
  token: string;
  at: number;
}

const encoder = new TextEncoder();

/**
 * Takes the lock at `path`, waiting while a live process holds it and
 * breaking it when it is stale or its owner died.
 *
 * @example
 * ```ts
 * import { acquireEntryLock } from "./entry_lock.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using lock = await acquireEntryLock(`${dir}/locks/a.lock`);
 *   console.assert(!lock.waited);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function acquireEntryLock(
  path: string,
  options: EntryLockOptions = {},
): Promise<EntryLock> {
  const staleAfter = options.staleAfter ?? 30_000;
  const maxPoll = options.maxPollInterval ?? 200;
  const token = crypto.randomUUID();
  const body: LockBody = { pid: Deno.pid, host: hostName(), token, at: Date.now() };
  const data = encoder.encode(JSON.stringify(body));
  let waited = false;
  let delay = 5;
  for (let attempt = 0;; attempt++) {
    options.signal?.throwIfAborted();
    try {
      // Synchronous: a tiny local file, and the sync call is several times
      // cheaper than an async round trip (this is on every cold miss).
      Deno.writeFileSync(path, data, { createNew: true });
      return new HeldLock(path, token, waited, staleAfter);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound && attempt === 0) {
        Deno.mkdirSync(dirname(path), { recursive: true });
        continue;
      }
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    if (isAbandoned(path, staleAfter)) {
      // Another waiter may break it at the same moment; at worst two
      // processes download the same object, which stays correct.
      try {
        Deno.removeSync(path);
      } catch {
        // Someone else broke or released it.
      }
      continue;
    }
    waited = true;
    await sleep(delay + Math.random() * delay, options.signal);
    delay = Math.min(delay * 2, maxPoll);
  }
}

class HeldLock implements EntryLock {
  readonly path: string;
  readonly waited: boolean;
  #token: string;
  #acquiredAt = Date.now();
  #staleAfter: number;
  #timer: ReturnType<typeof setInterval>;
  #pending: Promise<void> | undefined;
  #released = false;

  constructor(path: string, token: string, waited: boolean, staleAfter: number) {
    this.path = path;
    this.waited = waited;
    this.#token = token;
    this.#staleAfter = staleAfter;
    // Refresh the mtime so waiters can tell a slow download from a dead one.
    const timer = setInterval(() => {
      if (this.#pending) return;
      const now = new Date();
      this.#pending = Deno.utime(path, now, now).catch(() => {}).finally(() => {
        this.#pending = undefined;
      });
    }, Math.max(10, staleAfter / 3));
    // A forgotten lock must not keep the process alive.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    await this.#pending;
    // Only remove the file if it is still ours: it may have been broken as
    // stale and taken by another process. That cannot happen before it could
    // look stale, so a short hold (most downloads) skips reading it back.
    try {
      if (Date.now() - this.#acquiredAt >= this.#staleAfter / 2) {
        const text = Deno.readTextFileSync(this.path);
        if ((JSON.parse(text) as Partial<LockBody>).token !== this.#token) return;
      }
      Deno.removeSync(this.path);
    } catch {
      // Already gone or unreadable: nothing of ours to remove.
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

function isAbandoned(path: string, staleAfter: number): boolean {
  let stat: Deno.FileInfo;
  let text: string;
  try {
    stat = Deno.statSync(path);
    text = Deno.readTextFileSync(path);
  } catch (e) {
    // Released in the meantime: try again right away.
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  const mtime = stat.mtime?.getTime() ?? 0;
  if (Date.now() - mtime > staleAfter) return true;
  let body: Partial<LockBody>;
  try {
    body = JSON.parse(text) as Partial<LockBody>;
  } catch {
    return false; // being written right now
  }
  const host = hostName();
  if (typeof body.pid === "number" && host !== undefined && body.host === host) {
    return !pidAlive(body.pid);
  }
  return false;
}

function pidAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // ESRCH: no such process. EPERM: alive but not ours. Missing permission: assume alive.
    return !(e instanceof Error && (e as { code?: string }).code === "ESRCH");
  }
}

let cachedHost: string | undefined | null = null;
function hostName(): string | undefined {
  if (cachedHost === null) {
    try {
      cachedHost = Deno.hostname();
    } catch {
      cachedHost = undefined; // no --allow-sys: fall back to staleness only
    }
  }
  return cachedHost;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(id);
      reject(signal?.reason);
    };
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
