/**
 * Stands in for a file system that gives no file locks (NFS without its
 * lock daemon, Lustre without `-o flock`) in this process: every lock call
 * of a `Deno.FsFile` fails as such a file system's does (ENOTSUP).
 */

/** Runs `fn` with every lock call failing as on a file system without locks. */
export async function withoutLocks<T>(fn: () => Promise<T>): Promise<T> {
  const proto = Deno.FsFile.prototype;
  const saved = { tryLockSync: proto.tryLockSync, lockSync: proto.lockSync, lock: proto.lock };
  const refuse = () => {
    throw new Deno.errors.NotSupported("Operation not supported (os error 95)");
  };
  proto.tryLockSync = refuse;
  proto.lockSync = refuse;
  proto.lock = () => Promise.reject(new Deno.errors.NotSupported("Operation not supported"));
  try {
    return await fn();
  } finally {
    Object.assign(proto, saved);
  }
}
