/**
 * Listing an {@linkcode FsStore}: a walk of the root in S3 key order that
 * hides internal files, describes files in parallel (hashing only when ETags
 * are wanted), skips unreadable entries with a warning, and sweeps temp
 * files and key locks left by writers that died.
 *
 * @module
 */
import { basename, join } from "../path.ts";
import { isAbandonedTemp } from "../abandoned_temp.ts";
import { isTempName } from "../atomic_write.ts";
import { mapLimit } from "../pool.ts";
import { readDirEntries } from "../read_dir.ts";
import type { ListWarning, ObjectInfo } from "./types.ts";
import {
  compareKeys,
  INTERNAL_PREFIX,
  lockName,
  segmentKeyProblem,
  sidecarBase,
  sidecarName,
} from "./fs_layout.ts";
import { removeStaleLock, tryAcquireLock } from "./fs_lock.ts";
import type { FileDescriber } from "./fs_info.ts";
import { isMissing, lstatOrUndefined } from "../file_status.ts";

// Files described in parallel while listing one directory.
const LIST_PARALLEL = 32;
// Temp files of vc versions before the one temp-name scheme: no pid, so
// they are swept by age only.
const LEGACY_TEMP = ".vc~tmp~";
const LEGACY_TEMP_MAX_AGE_MS = 24 * 3600_000;
// A temp file older than this is a dead writer's, locks or not.
const TEMP_MAX_AGE_MS = 24 * 3600_000;
// Lock files of writes to keys (`fs_lock.ts`).
const LOCK_PREFIX = lockName("");

/** How one listing walks (see `FsStore.list`). */
export interface ListWalk {
  /** Only keys strictly after this one. */
  startAfter: string | undefined;
  /** Stops the walk. */
  signal: AbortSignal | undefined;
  /** Whether ETags must be computed for files without a valid sidecar. */
  etags: boolean;
  /** Receives skipped entries. */
  warn: (warning: ListWarning) => void;
  /** Receives the key-like path of each dead writer's temp file or lock file removed. */
  swept?: ((path: string) => void) | undefined;
  /**
   * Whether sidecars of no object are removed (see {@linkcode sweepOrphanSidecars}):
   * not in a directory opened with read-only sidecars, which is the user's.
   */
  sweepSidecars?: boolean;
  /**
   * Removes a directory (and parents so left) holding no key after its dead
   * writers' files were swept, best effort: a `kill -9`'d upload's directory
   * stayed, empty, for good. Not given for a directory that is the user's.
   */
  prune?: ((dir: string) => Promise<void>) | undefined;
  /** Describes files. */
  files: FileDescriber;
  /** The store's URL, for messages. */
  url: string;
  /** Maps a filesystem error to the store's error (for the top directory). */
  fail: (key: string, e: unknown) => unknown;
}

/**
 * Every object below `dir` (whose keys start with `dirKey`) whose name
 * starts with `namePrefix`, in UTF-8 byte order of keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileDescriber } from "./fs_info.ts";
 * import { listDirectory } from "./fs_list.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/a`);
 * await Deno.writeTextFile(`${dir}/a/x`, "1");
 * await Deno.writeTextFile(`${dir}/a-b`, "2");
 * const keys = [];
 * for await (const i of listDirectory(dir, "", "", {
 *   startAfter: undefined, signal: undefined, etags: false, warn: () => {},
 *   files: new FileDescriber(), url: "file:///x", fail: (_k, e) => e,
 * })) keys.push(i.key);
 * assert.deepEqual(keys, ["a-b", "a/x"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* listDirectory(
  dir: string,
  dirKey: string,
  namePrefix: string,
  opts: ListWalk,
  top = true,
): AsyncGenerator<ObjectInfo> {
  const { startAfter, signal } = opts;
  signal?.throwIfAborted();
  const entries: { name: string; sortKey: string; isDir: boolean }[] = [];
  const sidecars = new Set<string>();
  // Every file's name, whatever the prefix: a sidecar of none is debris.
  const files = new Set<string>();
  const temps: string[] = [];
  const locks: string[] = [];
  try {
    for await (const e of readDirEntries(dir)) {
      if (e.isFile) files.add(e.name);
      if (e.name.startsWith(INTERNAL_PREFIX)) {
        if (e.isFile && e.name.startsWith(LEGACY_TEMP)) temps.push(e.name);
        else if (e.isFile && e.name.startsWith(LOCK_PREFIX)) locks.push(e.name);
        else if (e.isFile) sidecars.add(e.name);
        continue;
      }
      if (isTempName(e.name)) {
        if (e.isFile) temps.push(e.name);
        continue;
      }
      if (!e.name.startsWith(namePrefix)) continue;
      const problem = segmentKeyProblem(e.name);
      if (problem !== undefined) {
        // A file another program put there whose name no key can have (a
        // backslash, a control character): said, not left out unsaid.
        if (e.isFile || e.isDirectory) {
          const what = e.isDirectory ? "skipped directory" : "skipped";
          opts.warn(warning(opts.url, dirKey + e.name, what, new Error(`not a key: ${problem}`)));
        }
        continue;
      }
      // Links (e.isSymlink) and special files are not objects.
      if (e.isDirectory) entries.push({ name: e.name, sortKey: `${e.name}/`, isDir: true });
      else if (e.isFile) entries.push({ name: e.name, sortKey: e.name, isDir: false });
    }
  } catch (e) {
    if (isMissing(e)) return; // removed while we walked
    if (top) throw opts.fail(dirKey, e);
    opts.warn(warning(opts.url, dirKey, "skipped directory", e));
    return;
  }
  const swept = opts.swept;
  await sweepStaleTemps(dir, temps, swept && ((name) => swept(dirKey + name)));
  await sweepStaleLocks(dir, locks, swept && ((name) => swept(dirKey + name)));
  if (opts.sweepSidecars === true) {
    const orphans = [...sidecars].filter((n) => !files.has(sidecarBase(n) ?? n));
    // Not reported: a few bytes of metadata, no upload's data (`onSwept` counts those).
    await sweepOrphanSidecars(dir, orphans);
  }
  // Nothing but dead writers' files here (now swept): the directory goes,
  // as a delete's does. A live writer's file keeps it; a put racing the
  // removal makes its directory again.
  if (entries.length === 0 && temps.length + locks.length > 0 && opts.prune !== undefined) {
    await opts.prune(dir).catch(() => {});
  }
  // Sorting by name + "/" for directories puts each directory's keys
  // exactly where S3 would: "a-b" < "a.b" < "a/…" < "a0".
  entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  let batch: { key: string; path: string }[] = [];
  const flush = async function* (): AsyncGenerator<ObjectInfo> {
    signal?.throwIfAborted();
    const infos = await mapLimit(batch, LIST_PARALLEL, async ({ key, path }) => {
      try {
        const st = await lstatOrUndefined(path);
        if (st === undefined || !st.isFile) {
          if (st === undefined && lossy(key)) {
            opts.warn(warning(opts.url, key, "skipped", notUtf8("names no file as decoded")));
          }
          return undefined;
        }
        return await opts.files.describe(key, path, st, {
          withMeta: false,
          sidecarExists: sidecars.has(sidecarName(basename(path))),
          hash: opts.etags,
          signal,
        });
      } catch (e) {
        // Stopped by the abort (a hash of a large file): no file skipped.
        if (signal?.aborted) throw e;
        if (isMissing(e)) return undefined;
        // One unreadable file must not fail the whole listing.
        opts.warn(warning(opts.url, key, "skipped", e));
        return undefined;
      }
    });
    batch = [];
    for (const info of infos) if (info !== undefined) yield info;
  };
  let previous: string | undefined;
  for (const entry of entries) {
    // Two names that read the same: one is not valid UTF-8 and reads as the
    // other, whose file its path names. Listed once, as S3 lists a key.
    if (entry.sortKey === previous) {
      const what = entry.isDir ? "skipped directory" : "skipped";
      const why = notUtf8("reads the same as another name here");
      opts.warn(warning(opts.url, dirKey + entry.sortKey, what, why));
      continue;
    }
    previous = entry.sortKey;
    if (entry.isDir) {
      const sub = dirKey + entry.sortKey;
      if (
        startAfter !== undefined && compareKeys(sub, startAfter) < 0 &&
        !startAfter.startsWith(sub)
      ) {
        continue; // every key below sorts before startAfter
      }
      yield* flush();
      if (lossy(entry.name) && !(await lstatOrUndefined(join(dir, entry.name)))?.isDirectory) {
        opts.warn(
          warning(opts.url, sub, "skipped directory", notUtf8("names no directory as decoded")),
        );
        continue;
      }
      yield* listDirectory(join(dir, entry.name), sub, "", opts, false);
    } else {
      const key = dirKey + entry.name;
      if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
      batch.push({ key, path: join(dir, entry.name) });
      if (batch.length >= LIST_PARALLEL * 4) yield* flush();
    }
  }
  yield* flush();
}

// Deno decodes a file name that is not valid UTF-8 with U+FFFD: the name so
// spelt names no file, or another one (a key may hold U+FFFD itself).
function lossy(name: string): boolean {
  return name.includes("\uFFFD");
}

function notUtf8(why: string): Error {
  return new Error(
    `the file name is not valid UTF-8 (shown with U+FFFD, ${why}); it cannot be a key (rename it)`,
  );
}

function warning(url: string, key: string, what: string, e: unknown): ListWarning {
  const reason = e instanceof Error ? e.message : String(e);
  return { key, message: `list ${url}: ${what} ${key}: ${reason}`, cause: e };
}

/**
 * Removes the temp files among `names` (in `dir`) whose writer is gone
 * (`isAbandonedTemp`: nobody holds its lock past a few seconds' grace, as
 * `FsStore.put` holds it while it writes; a dead pid on this host where
 * `/proc` may be read; or older than a day; temp files of older vc
 * versions, `.vc~tmp~*`, when older than a day), so a `kill -9` mid-put
 * leaves no debris for long, also under the CLI's permissions, which may
 * not look at `/proc`. Best-effort: a read-only directory keeps them. With
 * `names` undefined, reads the directory. `onRemoved` receives the name of
 * each one removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepStaleTemps } from "./fs_list.ts";
 * const dir = await Deno.makeTempDir();
 * const mine = `.a.vc-tmp-${Deno.pid}-abcdefgh`;
 * await Deno.writeTextFile(`${dir}/${mine}`, "live writer");
 * await sweepStaleTemps(dir);
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [mine]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function sweepStaleTemps(
  dir: string,
  names?: readonly string[],
  onRemoved?: (name: string) => void,
): Promise<void> {
  let temps = names;
  if (temps === undefined) {
    const found: string[] = [];
    try {
      for await (const e of readDirEntries(dir)) {
        if (isTempName(e.name) || e.name.startsWith(LEGACY_TEMP)) found.push(e.name);
      }
    } catch {
      return; // best-effort
    }
    temps = found;
  }
  if (temps.length === 0) return;
  const now = Date.now();
  for (const name of temps) {
    const path = join(dir, name);
    try {
      const st = await Deno.lstat(path);
      const stale = name.startsWith(LEGACY_TEMP)
        ? st.mtime !== null && now - st.mtime.getTime() > LEGACY_TEMP_MAX_AGE_MS
        : isAbandonedTemp(path, st.mtime, now, TEMP_MAX_AGE_MS);
      if (st.isFile && stale) {
        await Deno.remove(path);
        onRemoved?.(name);
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/**
 * Removes the sidecars among `names` (in `dir`) whose object is gone: what a
 * delete killed between unlinking the data and its sidecar, or a put of a
 * new key killed between writing the sidecar and linking the data, left
 * (`kill -9`). They stayed for good, and a directory holding one was never
 * removed, so a key of its name could not be written. Looked at under the
 * key's lock, taken without waiting: a put holds it while its sidecar waits
 * for the data, so a held lock keeps the sidecar. True when none of `names`
 * is left. Best-effort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepOrphanSidecars } from "./fs_list.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/.vc~meta~a.json`, "{}"); // no file a
 * await Deno.writeTextFile(`${dir}/.vc~meta~b.json`, "{}");
 * await Deno.writeTextFile(`${dir}/b`, "b");
 * assert(!(await sweepOrphanSidecars(dir, [".vc~meta~a.json", ".vc~meta~b.json"])));
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [".vc~meta~b.json", "b"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function sweepOrphanSidecars(
  dir: string,
  names: readonly string[],
): Promise<boolean> {
  let left = false;
  for (const name of names) {
    const base = sidecarBase(name);
    if (base === undefined) {
      left = true;
      continue;
    }
    const lock = await tryAcquireLock(join(dir, lockName(base)));
    if (lock === undefined) {
      left = true;
      continue;
    }
    try {
      // Under the lock: no put is between its sidecar and its data now.
      if ((await lstatOrUndefined(join(dir, base)))?.isFile === true) {
        left = true;
      } else if ((await lstatOrUndefined(join(dir, name)))?.isFile === true) {
        await Deno.remove(join(dir, name));
      } else {
        // Something else at a sidecar's name (a FIFO, a directory, a link): not ours.
        left = (await lstatOrUndefined(join(dir, name))) !== undefined || left;
      }
    } catch {
      left = true; // not ours to remove
    } finally {
      await lock.release();
    }
  }
  return !left;
}

/**
 * Removes the lock files among `names` (in `dir`) that writers killed while
 * holding them (`kill -9` mid-commit) left: one whose holder is gone, or
 * older than a lock is ever held (`removeStaleLock`, the rule every writer
 * breaks a lock by). A writer holds its key's lock only for the
 * milliseconds of a commit, and only its directory emptying removed such a
 * file before, so each killed write left one for good. A live holder's lock
 * stays. Best-effort. `onRemoved` receives the name of each one removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepStaleLocks } from "./fs_list.ts";
 * import { tryAcquireLock } from "./fs_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const held = (await tryAcquireLock(`${dir}/.vc~lock~a`))!;
 * await Deno.writeTextFile(`${dir}/.vc~lock~b`, "{}");
 * await Deno.utime(`${dir}/.vc~lock~b`, 0, 0); // long abandoned
 * await sweepStaleLocks(dir, [".vc~lock~a", ".vc~lock~b"]);
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [".vc~lock~a"]);
 * await held.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function sweepStaleLocks(
  dir: string,
  names: readonly string[],
  onRemoved?: (name: string) => void,
): Promise<void> {
  for (const name of names) {
    const path = join(dir, name);
    try {
      // Only a file that was there: `removeStaleLock` also says true of one gone meanwhile.
      if ((await Deno.lstat(path)).isFile && await removeStaleLock(path)) onRemoved?.(name);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}
