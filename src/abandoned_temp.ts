/**
 * Telling a temp file whose writer is gone from one still being written,
 * for the sweeps that remove what killed processes left behind (the cache's
 * debris, a store → local mirror's target). A writer holds a lock on its
 * temp file until it commits (`AtomicFile`): a temp file nobody holds
 * locked, and older than the moment between its creation and its lock, is
 * abandoned. That needs no look at `/proc`, which Deno refuses short of
 * `--allow-all` (the release binary's permissions). The pid in the name and
 * the file's age still decide where locks tell nothing.
 *
 * @module
 */
import {
  isSharedTempName,
  isStaleTempFile,
  isTempName,
  tempOwner,
  tempStem,
} from "./atomic_write.ts";
import { fsPlatform } from "./fs_platform.ts";
import { CLOCK_MARGIN_MS } from "./clock_margin.ts";

/** An unlocked temp file younger than this (ms) may be a writer between create and lock. */
export const UNLOCKED_TEMP_GRACE_MS = 5_000;

/**
 * A modification time more than this (ms) ahead of the clock tells nothing
 * of a writer at work: it was set by a clock that ran ahead (a cache restored
 * from such a machine) or before this one was set back. Such a file counts as
 * old, or a sweep would keep it until the clock caught up (days, or never).
 * {@linkcode CLOCK_MARGIN_MS}: the margin of vc's other sweeps by age.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFutureTime } from "./abandoned_temp.ts";
 * const now = Date.now();
 * assert.equal(isFutureTime(new Date(now + 2 * 3600_000), now), true);
 * assert.equal(isFutureTime(new Date(now + 1_000), now), false);
 * assert.equal(isFutureTime(null, now), false);
 * ```
 */
export function isFutureTime(mtime: Date | null | undefined, now: number): boolean {
  return mtime != null && mtime.getTime() - now > CLOCK_MARGIN_MS;
}

/** Options of {@linkcode isAbandonedTemp}. */
export interface AbandonedTempOptions {
  /**
   * Every writer of the temp files this sweep looks at locks its unique temp
   * file before its first byte (a user's file written by vc: the manifest,
   * the lock file, a copy to DEST, a store → local mirror's target). Then one
   * holding bytes ({@linkcode AbandonedTempOptions.size}) that nobody holds
   * locked is no writer between its create and its lock: a dead writer's at
   * any age, so a re-run right after a `kill -9` removes it (the release
   * binary cannot look at `/proc` for the pid). Shared temp files (pid 0),
   * which a writer opens with their bytes before it locks them, never count so.
   */
  lockedBeforeWrite?: boolean;
  /** The temp file's size in bytes (from the sweep's `lstat`). */
  size?: number;
}

const SHARED_OWNER = 0;

/**
 * Whether the temp file at `path` (named `name`, last modified `mtime`) was
 * left by a writer that is gone: it is older than `maxAgeMs`, or nobody holds
 * its lock and its pid is dead where that can be told or a few seconds'
 * grace have passed. Where locks are mandatory (Windows) writers hold none: only the age
 * and the pid tell. Where files cannot be locked at all, only the age: such a
 * file system is shared with other machines, whose pids mean nothing here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAbandonedTemp } from "./abandoned_temp.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/.a.vc-tmp-${Deno.pid}-abcdefgh`;
 *   await Deno.writeTextFile(path, "partial");
 *   const mtime = (await Deno.stat(path)).mtime;
 *   // Just created: maybe a writer between its create and its lock.
 *   assert.equal(isAbandonedTemp(path, mtime, Date.now(), 3600_000), false);
 *   // Unlocked a minute later: its writer is gone.
 *   assert.equal(isAbandonedTemp(path, mtime, Date.now() + 60_000, 3600_000), true);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function isAbandonedTemp(
  path: string,
  mtime: Date | null,
  now: number,
  maxAgeMs: number,
  options: AbandonedTempOptions = {},
): boolean {
  const name = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const age = now - (mtime?.getTime() ?? now);
  if (isStaleTempFile(name, mtime, now, maxAgeMs)) {
    // Stale by its pid alone: a pid is dead only on this host and in this
    // PID namespace. A directory shared with another host (NFS) or another
    // container holds temp files of writers whose pids mean nothing here:
    // one holding its lock is at work (an upload to a `file://` store that
    // `vc serve expire` ran elsewhere removed mid-write answered 500 after
    // all its bytes). Where files cannot be locked, only the age decides: a
    // file system without locks is a network one (NFS without its lock
    // daemon, Lustre without flock) that other machines write too (two CI
    // jobs prefilling one cache dir), where a pid tells nothing; their
    // download's temp file was removed under them.
    const old = mtime !== null && age > maxAgeMs;
    return old || fsPlatform.mandatoryLocks || whileUnlocked(path, false, () => true);
  }
  // Dated far ahead: no writer between create and lock, whatever the clock
  // says; nor one holding bytes, where writers lock before their first.
  const written = options.lockedBeforeWrite === true && (options.size ?? 0) > 0 &&
    tempOwner(name) !== SHARED_OWNER;
  const settled = age > UNLOCKED_TEMP_GRACE_MS || isFutureTime(mtime, now) || written;
  return settled && !fsPlatform.mandatoryLocks && whileUnlocked(path, false, () => true);
}

/**
 * Opens `path` and, when no other process holds a lock on it, runs `check`
 * while holding the lock. `noLocks` is the answer when the filesystem cannot
 * lock at all. False when the file cannot be opened or `check` throws.
 * `check` never writes through its handle: another user's file is opened
 * read-only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { whileUnlocked } from "./abandoned_temp.ts";
 * const path = await Deno.makeTempFile();
 * try {
 *   assert.equal(whileUnlocked(path, false, () => true), true);
 *   using held = await Deno.open(path, { read: true, write: true });
 *   await held.lock(true);
 *   assert.equal(whileUnlocked(path, false, () => true), false);
 * } finally {
 *   await Deno.remove(path);
 * }
 * ```
 */
export function whileUnlocked(
  path: string,
  noLocks: boolean,
  check: (file: Deno.FsFile) => boolean,
): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true });
  } catch (e) {
    // Another user's file (a cache dir users share): its lock can be had
    // through a read-only handle too, and no check writes through it.
    if (!(e instanceof Deno.errors.PermissionDenied)) return false;
    try {
      file = Deno.openSync(path, { read: true });
    } catch {
      return false;
    }
  }
  try {
    let locked: boolean;
    try {
      locked = file.tryLockSync(true);
    } catch {
      locked = noLocks;
    }
    return locked && check(file);
  } catch {
    return false;
  } finally {
    file.close();
  }
}

/** Temp files of a copy out older than this (ms) are a dead writer's, locks or not. */
const DEAD_COPY_TEMP_AGE_MS = 3600_000;

/**
 * Removes the temp files a killed writer left beside `dest` for that very
 * name (`.<name>.vc-tmp-<pid>-<random>`, see {@linkcode isAbandonedTemp}):
 * a `kill -9` midway through `vc sync` or `vc get` leaves one in the user's
 * directory, which the next copy to the same file takes away. Other names,
 * and temp files whose writer may still be at work, are left alone. Best
 * effort: a file that cannot be looked at or removed stays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeAbandonedTempsOf } from "./abandoned_temp.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const dead = `${dir}/.a.csv.vc-tmp-999999999-abcdefgh`; // no such pid
 *   await Deno.writeTextFile(dead, "partial");
 *   await Deno.writeTextFile(`${dir}/.b.csv.vc-tmp-999999999-abcdefgh`, "other name");
 *   removeAbandonedTempsOf(`${dir}/a.csv`);
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [".b.csv.vc-tmp-999999999-abcdefgh"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function removeAbandonedTempsOf(dest: string): void {
  const cut = Math.max(dest.lastIndexOf("/"), dest.lastIndexOf("\\"));
  const dir = cut < 0 ? "." : dest.slice(0, cut) || "/";
  const prefix = `.${tempStem(dest.slice(cut + 1))}.vc-tmp-`;
  const names = tempNamesIn(dir);
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = `${dir === "/" ? "" : dir}/${name}`;
    try {
      const info = Deno.lstatSync(path);
      // Writers of a user's file lock their temp file before its first byte
      // (writeFileAtomic's sweepAbandoned, copyFileAtomic).
      const options = { lockedBeforeWrite: true, size: info.size };
      if (info.isFile && isAbandonedTemp(path, info.mtime, now, DEAD_COPY_TEMP_AGE_MS, options)) {
        Deno.removeSync(path);
      }
    } catch {
      // Gone already, or not ours to remove: the next copy looks again.
    }
  }
}

// The temp file names of each directory looked at, listed once per process:
// a sync of many files into one directory would otherwise read the whole
// directory for every file (quadratic). Temp files a killed copy leaves
// later are the next run's to remove. Bounded: cleared past DIRS_LISTED.
const tempNames = new Map<string, string[]>();
const DIRS_LISTED = 1024;

function tempNamesIn(dir: string): string[] {
  let names = tempNames.get(dir);
  if (names !== undefined) return names;
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name)
      .filter((name) => isTempName(name) && !isSharedTempName(name));
  } catch {
    names = []; // No directory yet: nothing left there.
  }
  if (tempNames.size >= DIRS_LISTED) tempNames.clear();
  tempNames.set(dir, names);
  return names;
}
