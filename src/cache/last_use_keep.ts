/**
 * Keeps an entry's last use (its data file's access time, see
 * `entry_records.ts`) as it was across `vc cache verify`'s read of the file
 * to hash it: on a `relatime` or `strictatime` mount that read moves the
 * access time to now, making every entry look just used to `prune`. Only
 * what the read moved is put back, never a reader's mark set meanwhile.
 *
 * @module
 */
import { assertNoLinks } from "./layout.ts";
import { lstatOrUndefined } from "./cache_fs.ts";
import { isFileOfItsOwn } from "./entry_records.ts";

/** How far the kernel's coarse clock, which stamps change times, may lag `Date.now()` (ms). */
export const COARSE_CLOCK_MARGIN_MS = 50;

/**
 * The data file's state just before it is read to be hashed, when a change
 * of its access time during the read can be told apart from a reader's mark:
 * a mark (`markUsed`, a `utime`) moves the change time (ctime), a read does
 * not. Deno gives the ctime to the second only, so that holds only when the
 * file last changed in a second that ended (by a margin, see
 * {@linkcode COARSE_CLOCK_MARGIN_MS}) before this one began; a file
 * changed within this second (just downloaded, just marked used) is left as
 * the read leaves it. Undefined then, and for anything but the cache's own file.
 * The `lstat` to pass to {@linkcode keepLastUse} after the read.
 */
export async function lastUseBeforeRead(path: string): Promise<Deno.FileInfo | undefined> {
  // The kernel stamps change times from a coarse clock, a tick (1–10 ms)
  // behind the one Date.now() reads: a mark made just after a second began
  // may be stamped in the second before. So the file's second must have
  // ended a margin ago, or a mark during the read would look like no mark.
  const startedSecond = Math.floor((Date.now() - COARSE_CLOCK_MARGIN_MS) / 1000);
  const stat = await lstatOrUndefined(path);
  if (!isFileOfItsOwn(stat) || stat.atime === null || stat.ctime === null) return undefined;
  if (Math.floor(stat.ctime.getTime() / 1000) >= startedSecond) return undefined;
  return stat;
}

/**
 * Puts back the access time (the last use) that `path` had just before
 * verify read it to hash it, when the read moved it: verifying is no use.
 * Never moves a last use backwards: only when the file is still the one
 * read (same inode, size and modification time: a refresh renames another
 * file into place) and its change time is still the one seen before the
 * read (a reader's mark meanwhile moved it), under the entry's lock (so no
 * download renames a new copy in between; readers mark without it, so one
 * landing between this `lstat` and `utime` is the one mark still lost).
 * Only on the cache's own file, never through a link.
 */
export async function keepLastUse(
  cacheDir: string,
  path: string,
  before: Deno.FileInfo | undefined,
): Promise<void> {
  const seen = before;
  if (seen === undefined) return;
  const read = await lstatOrUndefined(path);
  if (!isFileOfItsOwn(read) || read.atime?.getTime() === seen.atime?.getTime()) return;
  assertNoLinks(cacheDir, path);
  const { acquireEntryLock } = await import("./entry_lock.ts");
  let lock;
  try {
    lock = await acquireEntryLock(path, { timeout: 1_000, keepPartial: true });
  } catch {
    return; // being downloaded (in use), or a read-only cache: left as the read left it
  }
  try {
    const now = await lstatOrUndefined(path);
    if (
      !isFileOfItsOwn(now) || now.ino !== seen.ino || now.dev !== seen.dev ||
      now.size !== seen.size || now.mtime === null ||
      now.mtime.getTime() !== seen.mtime?.getTime() ||
      now.ctime?.getTime() !== seen.ctime?.getTime() ||
      now.atime === null || now.atime.getTime() <= seen.atime!.getTime()
    ) return;
    await Deno.utime(path, seen.atime!, now.mtime);
  } finally {
    lock.release();
  }
}
