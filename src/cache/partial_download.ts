/**
 * Resuming a large download that an earlier run left unfinished (killed,
 * interrupted, or stopped by the store or the connection after every
 * retry), instead of starting it again from byte 0.
 *
 * The partial is the entry's locked shared temp file (see entry_lock.ts):
 * whoever holds the entry's lock owns it, so one download per object across
 * processes still holds. Beside it, `.<name>.vc-tmp-0-resume` (a temp name:
 * never data, swept with the partial) says how far it got: the URI and
 * endpoint, the partial file's identity (device and inode: a note never
 * describes another file, e.g. one created after `vc cache rm` emptied and
 * removed the partial), the object's version (ETag, size, metadata) and the
 * length of the completed prefix. The download writes it each time that
 * prefix grows (ranges of 8 MiB: a few system calls per range, only for
 * objects downloaded with parallel ranged GETs), and removes it before it
 * starts a partial afresh and once the file is committed.
 *
 * What resumes is only ever checked as a whole: the prefix is hashed again
 * from the file, the rest is asked for with `If-Match` on the noted ETag
 * (a replaced object starts over from byte 0), and the finished file must
 * match the ETag (or pinned SHA-256) before it takes its name. How it is
 * checked is the store's to say, never the note's (a file anyone who may
 * write beside the partial may have planted): a resumed download starts
 * over when the rest's ranged answers describe the check otherwise (an
 * opaque ETag, a `vc-md5`), and a noted store checksum, which no ranged
 * answer carries, is dropped (see `src/store/download.ts`). A note that
 * does not fit (damaged, not a plain file, another URI or endpoint, another file, a prefix
 * longer than the file, a file longer than the object) empties the partial.
 *
 * Loaded with the downloads (entry_fetch.ts): a warm process never parses it.
 *
 * @module
 */
import {
  type AtomicFile,
  removeQuietly,
  resumeStateOfSharedPath,
  resumeStatePathFor,
  sharedPathOfResumeState,
  sharedTempPathFor,
} from "../atomic_write.ts";
import { isFutureTime, UNLOCKED_TEMP_GRACE_MS } from "../abandoned_temp.ts";
import { statusOrUndefinedSync } from "../file_status.ts";
import type { PartialResume, ResumePoint } from "../store/download.ts";
import type { ObjectInfo } from "../store/types.ts";

/** A partial (and its note) untouched this long is swept like other debris (ms): a day. */
export const PARTIAL_KEEP_MS = 24 * 3600_000;

/**
 * True when the partial download at shared temp file `path` has a resume
 * state (see {@linkcode partialResume}) written within the last `keepMs` (a day
 * unless a prune asks for room): it is kept for the next download of its
 * entry, which resumes or empties it. A note that cannot be looked at (not
 * missing: `EIO`, `EACCES`) throws: taken for none, its partial was removed.
 */
export function keptForResume(path: string, now: number, keepMs: number): boolean {
  const noted = statusOrUndefinedSync(resumeStateOfSharedPath(path))?.mtime;
  const mtime = noted?.getTime();
  // A note dated far ahead (a restored cache): kept not for ever, nor past a prune.
  if (mtime === undefined || now - mtime > keepMs || isFutureTime(noted, now)) return false;
  // Committed (a second name: killed before its note was removed): not a
  // partial, and the copy it replaced may have to go back (restoreKeptBeside).
  return (statusOrUndefinedSync(path)?.nlink ?? 1) <= 1;
}

/**
 * The partial download kept for the next download of data path `dataPath`
 * (see {@linkcode keptForResume}): the bytes its note says are complete from
 * the start, and the object's size; `undefined` when none is kept (no note,
 * one a day old, or one that does not describe the partial there). For what
 * an interrupted or offline run says it left; never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireEntryLock } from "./entry_lock.ts";
 * import { keptPartial, partialResume } from "./partial_download.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(keptPartial(`${dir}/a`), undefined);
 *   const info = { key: "a", size: 10, etag: "e", lastModified: new Date(0) };
 *   {
 *     using lock = await acquireEntryLock(`${dir}/a`, { keepPartial: true });
 *     const resume = partialResume(lock.temp, `${dir}/a`, 0, "s3://b/a", "");
 *     await lock.temp.file.write(new Uint8Array(4));
 *     assert(resume.save(info, 4));
 *     lock.temp.keepsPartial = true; // the download's failure leaves it
 *   }
 *   assert.deepEqual(keptPartial(`${dir}/a`), { bytes: 4, size: 10 });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function keptPartial(
  dataPath: string,
  now: number = Date.now(),
): { bytes: number; size: number } | undefined {
  const partial = sharedTempPathFor(dataPath);
  try {
    if (!keptForResume(partial, now, PARTIAL_KEEP_MS)) return undefined;
    // A plain file of one name only, as readNote reads it (a FIFO would block).
    const path = resumeStateOfSharedPath(partial);
    const own = Deno.lstatSync(path);
    if (!own.isFile || (own.nlink ?? 1) > 1) return undefined;
    const note: Partial<Note> = JSON.parse(Deno.readTextFileSync(path));
    const stat = Deno.lstatSync(partial);
    const size = note.info?.size;
    if (
      typeof note !== "object" || note === null || note.format !== FORMAT ||
      note.dev !== stat.dev || note.ino !== (stat.ino ?? -1) ||
      !Number.isSafeInteger(note.done) || !Number.isSafeInteger(size) ||
      note.done! <= 0 || note.done! >= size! || note.done! > stat.size
    ) return undefined;
    return { bytes: note.done!, size: size! };
  } catch {
    return undefined; // none, or not one to tell of
  }
}

/**
 * True when the resume state at `path` is debris: a day old (its partial
 * goes too), or its partial is gone (past the grace in which a download
 * that just created the partial may write it). A partial that cannot be
 * looked at (not missing) throws: taken for gone, its note was removed.
 */
export function isStaleResumeState(path: string, now: number): boolean {
  const noted = statusOrUndefinedSync(path)?.mtime;
  const mtime = noted?.getTime() ?? now;
  if (now - mtime > PARTIAL_KEEP_MS || isFutureTime(noted, now)) return true;
  return now - mtime > UNLOCKED_TEMP_GRACE_MS &&
    statusOrUndefinedSync(sharedPathOfResumeState(path)) === undefined;
}

/** The note's format: a different one is not read. */
const FORMAT = 1;

/** The note as written (JSON). */
interface Note {
  format: number;
  uri: string;
  endpoint: string;
  dev: number;
  ino: number;
  done: number;
  info: Omit<ObjectInfo, "lastModified"> & { lastModified: number };
}

/**
 * The resumption of the download of `uri` (through `endpoint`) into the
 * locked shared temp file `temp` of data path `dataPath`, which holds
 * `partialSize` bytes left by an earlier holder. A partial that its note
 * does not describe is emptied here (its note removed), so the download
 * starts from byte 0. Costs nothing when `partialSize` is 0 (no partial).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireEntryLock } from "./entry_lock.ts";
 * import { partialResume } from "./partial_download.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const info = { key: "a", size: 10, etag: "e", lastModified: new Date(0) };
 *   {
 *     using lock = await acquireEntryLock(`${dir}/a`, { keepPartial: true });
 *     const resume = partialResume(lock.temp, `${dir}/a`, 0, "s3://b/a", "");
 *     await lock.temp.file.write(new Uint8Array(4));
 *     assert(resume.save(info, 4));
 *     lock.temp.keepsPartial = true; // the download's failure leaves it
 *   }
 *   using lock = await acquireEntryLock(`${dir}/a`, { keepPartial: true });
 *   const resume = partialResume(lock.temp, `${dir}/a`, lock.partialSize, "s3://b/a", "");
 *   assert.equal(resume.take()?.done, 4);
 *   resume.forget();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function partialResume(
  temp: AtomicFile,
  dataPath: string,
  partialSize: number,
  uri: string,
  endpoint: string,
): PartialResume {
  const resume = new NotedResume(temp, dataPath, uri, endpoint);
  if (partialSize > 0) {
    const notePath = resume.notePath;
    resume.point = readNote(notePath, temp, partialSize, uri, endpoint);
    if (resume.point === undefined) {
      // A partial nothing vouches for: its bytes could be anything.
      removeQuietly(notePath);
      temp.reset();
    }
  }
  return resume;
}

/**
 * The {@linkcode PartialResume} of {@linkcode partialResume}: one object, its
 * note's path found when first needed (a small download, which never saves
 * a resume point, never needs it: one per cold download).
 */
class NotedResume implements PartialResume {
  readonly #temp: AtomicFile;
  readonly #dataPath: string;
  readonly #uri: string;
  readonly #endpoint: string;
  #notePath: string | undefined;
  /** The point to resume from, until taken. */
  point: ResumePoint | undefined;

  constructor(temp: AtomicFile, dataPath: string, uri: string, endpoint: string) {
    this.#temp = temp;
    this.#dataPath = dataPath;
    this.#uri = uri;
    this.#endpoint = endpoint;
  }

  /** Where the note of this download's partial is. */
  get notePath(): string {
    return this.#notePath ??= resumeStatePathFor(this.#dataPath);
  }

  take(): ResumePoint | undefined {
    const p = this.point;
    this.point = undefined;
    return p;
  }

  save(info: ObjectInfo, done: number): boolean {
    try {
      const stat = this.#temp.file.statSync();
      const note: Note = {
        format: FORMAT,
        uri: this.#uri,
        endpoint: this.#endpoint,
        dev: stat.dev,
        ino: stat.ino ?? -1,
        done,
        info: { ...info, lastModified: info.lastModified.getTime() },
      };
      writeNote(this.notePath, JSON.stringify(note));
      return true;
    } catch {
      // A full disk: the download goes on; a later run starts over. The
      // note made empty (or torn) by the failed write goes, so a failure
      // that follows leaves nothing of this download in the cache.
      removeQuietly(this.notePath);
      return false;
    }
  }

  forget(): void {
    removeQuietly(this.notePath);
  }
}

/**
 * Writes `text` over the note at `path` in one write, without truncating it
 * first (a run killed between a truncation and the write would lose the
 * note): padded with spaces, which JSON ignores, to the length of the note
 * it replaces. Killed before its first write, a new note is empty and
 * resumes nothing.
 */
function writeNote(path: string, text: string): void {
  using file = openNote(path);
  const bytes = new TextEncoder().encode(text.padEnd(file.statSync().size, " "));
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

/**
 * The note at `path` opened for writing, never through what another local
 * user may have planted at its predictable name (a cache dir in `/tmp`):
 * a new note is created exclusively (which never follows a link), and an
 * existing one is written only when it is a plain file of one name, the
 * one opened (checked after the open: a swap in between is caught). Else
 * the name is removed (a link's name, not what it points to) and a note
 * of vc's own is made there.
 */
function openNote(path: string): Deno.FsFile {
  const create = () => Deno.openSync(path, { write: true, createNew: true });
  try {
    return create();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const found = Deno.lstatSync(path);
  if (found.isFile && (found.nlink ?? 1) === 1) {
    const file = Deno.openSync(path, { write: true });
    const opened = file.statSync();
    if (opened.ino === found.ino && opened.dev === found.dev && (opened.nlink ?? 1) === 1) {
      return file;
    }
    file.close();
  }
  Deno.removeSync(path);
  return create();
}

/** The point the note at `path` describes for `temp`, or undefined when it does not fit. */
function readNote(
  path: string,
  temp: AtomicFile,
  partialSize: number,
  uri: string,
  endpoint: string,
): ResumePoint | undefined {
  let note: Partial<Note>;
  try {
    // vc writes its notes as plain files of one name. Anything else is not
    // read (a FIFO would block the read) nor written through later (a
    // symlink, or a second name, would have the next notes written over a
    // file that may be outside the cache).
    const own = Deno.lstatSync(path);
    if (!own.isFile || (own.nlink ?? 1) > 1) return undefined;
    note = JSON.parse(Deno.readTextFileSync(path));
    const stat = temp.file.statSync();
    const info = note.info;
    if (
      typeof note !== "object" || note === null || note.format !== FORMAT ||
      note.uri !== uri || note.endpoint !== endpoint ||
      note.dev !== stat.dev || note.ino !== (stat.ino ?? -1) ||
      typeof info !== "object" || info === null || typeof info.key !== "string" ||
      typeof info.etag !== "string" || info.etag === "" ||
      !Number.isSafeInteger(info.size) || typeof info.lastModified !== "number" ||
      !Number.isSafeInteger(note.done) || note.done! <= 0 || note.done! > partialSize ||
      // A partial longer than the object (bytes appended to it): its tail,
      // which no range overwrites and no hash reads, would be committed.
      note.done! >= info.size || partialSize > info.size
    ) return undefined;
    return { info: { ...info, lastModified: new Date(info.lastModified) }, done: note.done! };
  } catch {
    return undefined; // missing, cut short or damaged
  }
}
