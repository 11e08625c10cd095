/**
 * A file system whose locks are refused for a while, simulated on Linux by
 * making `Deno.FsFile.prototype.tryLockSync` fail as such a file system
 * makes it fail.
 */

/** "No locks available": NFS without its lock daemon, or a full lock table. */
export const ENOLCK = (): Error => new Error("No locks available (os error 37)");

/**
 * Runs `fn` with the first `failures` lock tries throwing `make()` and later
 * ones locking for real; restored when `fn` returns, or when the promise it
 * returns settles.
 */
export function refusingLocks<T>(failures: number, make: () => Error, fn: () => T): T {
  const proto = Deno.FsFile.prototype;
  const original = proto.tryLockSync;
  let calls = 0;
  proto.tryLockSync = function (this: Deno.FsFile, exclusive?: boolean) {
    if (calls++ < failures) throw make();
    return original.call(this, exclusive);
  };
  const restore = () => {
    proto.tryLockSync = original;
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/** Whether another handle can lock `path` now (false: someone holds it). */
export function lockableBy(path: string): boolean {
  using other = Deno.openSync(path, { read: true, write: true });
  const got = other.tryLockSync(true);
  if (got) other.unlockSync();
  return got;
}
