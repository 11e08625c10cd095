/**
 * What `vc sync` wrote into a destination directory, so that a later sync
 * does not replace a file the user changed since (or one vc never wrote)
 * without a word: `DEST/.vc-sync.json` keeps the size, modification time,
 * change time and SHA-256 of each file as vc left it (not its inode, which a
 * network or FUSE file system may renumber on every mount). A file whose
 * stat still matches is vc's to replace, without reading it (a re-sync of a
 * large DEST stays a stat per file). One whose size matches but whose times
 * moved (edited with its mtime set back by `touch -d` or a tool that keeps
 * times, copied with its times by `cp -a`, or only touched) is hashed, and
 * is vc's when it still holds the bytes vc wrote.
 * Any other is compared with the bytes to be written, and replaced only
 * when they are the same (a copy left by baiji-pod's sync, an older vc, or a
 * sync killed before it wrote its records) or when the caller forces it.
 * Records of an older vc (size and mtime only) are trusted as they were.
 *
 * The records live in DEST, not in the cache, so that they move with it and
 * survive `vc cache clear`; a sync holds `DEST/.vc-sync.json.lock` while it
 * runs, so two syncs into one DEST take turns instead of losing each other's
 * records. A record file that does not parse is taken as empty: that can
 * only make vc refuse more, never lose an edit. Each file recorded is also
 * appended at once to the lock file, a journal that the next sync replays
 * and the save empties: a sync killed (kill -9) before its save leaves the
 * copies it made vc's to replace, not refused as the user's. Before each
 * copy is renamed into place, the journal also takes the size and SHA-256
 * of the bytes about to land there: killed between the rename and the
 * line that records it, the next sync finds the file vc's when it still
 * holds them (hashing only such a file), not "changed since" or "not
 * written by vc sync". The SHA-256 is taken by the copy as it streams the
 * bytes: a copied file is read once.
 *
 * A re-sync leaves a file as it is, reading neither it nor its cached copy
 * ({@linkcode SyncRecords.unchanged}), when its stat still matches the
 * record and the record's SHA-256 is that of the object pinned now: the
 * SHA-256 the cache knows of it (a locked entry's), else the object's URI,
 * ETag, size and MD5 recorded beside it (the cache's record of the copy it
 * was copied from). A stat taken within the timestamp grain of the file's
 * last write (every copy's, just made) does not tell a same-size edit made
 * in the same tick: such a file is hashed once (the cached copy still not
 * read), and its record marked settled when the stat is past that grain.
 *
 * @module
 */
import { join } from "../path.ts";
import { concatBytes } from "../bytes.ts";
import { asAccessDenied, PreconditionFailedError, VcError } from "../errors.ts";
import { withFileLock } from "../file_lock.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { removeAbandonedTempsOf } from "../abandoned_temp.ts";
import { normalizeEtag, sha256File } from "../hash.ts";
import { isRacy } from "../store/fs_validator.ts";
import { fileKind, notRegularFileKind } from "../regular_file.ts";
import { isNameTooLong } from "../name_too_long.ts";
import type { EntryMeta } from "../cache/entry_meta.ts";
import { isReadOnlyFs } from "../read_only_fs.ts";
import { SYNC } from "../command_words.ts";

/** The name of the record file in DEST. */
export const SYNC_RECORD_NAME = ".vc-sync.json";
const LOCK_NAME = `${SYNC_RECORD_NAME}.lock`;

/** A file as `vc sync` left it. */
interface Written {
  size: number;
  mtimeMs: number;
  /** Change time (whole seconds in Deno); absent in records of an older vc. */
  ctimeMs?: number;
  /** SHA-256 of the bytes written; absent in records of an older vc. */
  sha256?: string;
  /**
   * The stat was found, with the bytes of `sha256`, past the timestamp grain
   * of the file's last write ({@linkcode isRacy}): an edit since would have
   * moved it. Absent in a record taken just after the copy (always racy: an
   * edit within the same tick keeps the times) and in an older vc's: its
   * file is hashed before a re-sync leaves it unchanged.
   */
  settled?: true;
  /**
   * The object the bytes were copied from, as the cache's record named it
   * (see {@linkcode Source}); absent for a local override and in records of
   * an older vc.
   */
  source?: Source;
}

/**
 * What a re-sync knows of the bytes pinned now: the cache's record of the
 * copy ({@linkcode Source}), or the size and SHA-256 the lock file pins.
 */
export type Pinned = Pick<Source, "size"> & Partial<Omit<Source, "size">>;

/**
 * The object a cached copy holds, as the cache's record names it
 * (`AssetCache.copyRecord`): a re-sync whose pin still names it, when no
 * SHA-256 of it is known (no lock entry), knows without reading that DEST's
 * file holds its bytes.
 */
export type Source = Pick<EntryMeta, "uri" | "etag" | "size" | "md5" | "sha256">;

/**
 * What {@linkcode SyncRecords.check} compares DEST's file with: the file to
 * be copied, the size and SHA-256 the lock file pins, or a test of whether
 * `file` (of `size` bytes) holds the bytes to be written.
 */
export type BytesToWrite =
  | string
  | { size: number; sha256: string }
  | ((file: string, size: number) => Promise<boolean>);

/**
 * The problem with a manifest path that would be one of the record's own
 * files at the root of DEST, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordFileClash } from "./sync_records.ts";
 * assert(recordFileClash("/.vc-sync.json") !== undefined);
 * assert(recordFileClash("/x/.vc-sync.json") === undefined);
 * ```
 */
export function recordFileClash(path: string): string | undefined {
  // Compared without case: on macOS and Windows `/.VC-SYNC.json` is the same file.
  const name = path.slice(1).toLowerCase();
  return name === SYNC_RECORD_NAME || name === LOCK_NAME
    ? `${path} is the file where ${SYNC.library} records what it wrote: rename the entry`
    : undefined;
}

/**
 * Runs `fn` with the records of `root` (read once, written back when `fn`
 * settles, also when it throws), holding `root`'s sync lock. `onWait` is
 * told of a wait for another sync, `onNoLocks` that the file system gives
 * no locks (default: stderr, see `withFileLock`'s `onWarning`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSyncRecords } from "./sync_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await withSyncRecords(dir, undefined, async (records) => {
 *     await Deno.writeTextFile(`${dir}/a.txt`, "a");
 *     await records.wrote("/a.txt", `${dir}/a.txt`);
 *   });
 *   await Deno.writeTextFile(`${dir}/a.txt`, "edited");
 *   await Deno.writeTextFile(`${dir}/new.txt`, "b");
 *   await withSyncRecords(dir, undefined, async (records) => {
 *     // Edited since: refused, unless forced.
 *     await assert.rejects(records.check("/a.txt", `${dir}/a.txt`, `${dir}/new.txt`, false));
 *     await records.check("/a.txt", `${dir}/a.txt`, `${dir}/new.txt`, true);
 *   });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function withSyncRecords<T>(
  root: string,
  signal: AbortSignal | undefined,
  fn: (records: SyncRecords) => Promise<T>,
  onWait?: (message: string) => void,
  onNoLocks?: (message: string) => void,
): Promise<T> {
  const lockPath = join(root, LOCK_NAME);
  try {
    refuseForeignJournal(lockPath, Deno.lstatSync(lockPath));
  } catch (e) {
    // Missing, or a name too long: the lock's open says so, naming it.
    if (!(e instanceof Deno.errors.NotFound) && !isNameTooLong(e)) throw notAllowed(e, root) ?? e;
  }
  return withFileLock(lockPath, async (lockFile) => {
    // A link swapped in between the look and the open is refused by the
    // open itself (`openLockFile`); a hard link made meanwhile, here.
    refuseForeignJournal(lockPath, lockFile.statSync());
    const records = await SyncRecords.read(root, lockFile);
    try {
      return await fn(records);
    } finally {
      await records.save();
    }
  }, {
    ...(signal ? { signal } : {}),
    ...(onNoLocks ? { onWarning: (w: { message: string }) => onNoLocks(w.message) } : {}),
    // A second sync into one DEST waits for the first: said, not a silent hang.
    ...(onWait
      ? {
        onWait: () =>
          onWait(
            `waiting for another ${SYNC.library} into ${root} to finish (it holds ${lockPath})`,
          ),
      }
      : {}),
  }).catch((e) => {
    // A script's --allow-read / --allow-write that leave DEST out: Deno
    // named the lock file, and the flag without a path.
    const denied = notAllowed(e, root);
    if (denied !== undefined) throw denied;
    // A bare "Is a directory (os error 21)" named no file vc sync owns.
    if (e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.PermissionDenied) {
      throw new VcError(
        `${SYNC.library} cannot keep its records in ${root}: ${e.message} ` +
          `(${SYNC_RECORD_NAME} and ${LOCK_NAME} there must be files it can write)`,
        { cause: e },
      );
    }
    // A read-only checkout or `:ro` volume: a bare "Read-only file system
    // (os error 30)" named the lock file, and no chmod would help.
    if (isReadOnlyFs(e)) {
      throw new VcError(
        `${SYNC.library} cannot keep its records in ${root}: ${(e as Error).message}; it is on a ` +
          `read-only file system: sync to a writable directory or remount it read-write`,
        { cause: e },
      );
    }
    throw e;
  });
}

// Deno's refusal of DEST (or of a file in it), named as DEST.
function notAllowed(e: unknown, root: string): VcError | undefined {
  return asAccessDenied(e, `${SYNC.library} cannot keep its records in ${root}`, root);
}

/**
 * Runs `fn` with the records of `root` as a sync would read them (its
 * journal replayed), changing nothing: no lock is taken, no file created or
 * removed in `root` (which may not exist), and the records are never saved
 * (a dry run). A journal that is no file of its own is refused as by
 * {@linkcode withSyncRecords}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peekSyncRecords } from "./sync_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await peekSyncRecords(`${dir}/none`, async (records) => {
 *     assert.equal(await records.unchanged("/a.txt", `${dir}/none/a.txt`, { size: 1 }), false);
 *   });
 *   assert.deepEqual([...Deno.readDirSync(dir)], []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function peekSyncRecords<T>(
  root: string,
  fn: (records: SyncRecords) => Promise<T>,
): Promise<T> {
  const lockPath = join(root, LOCK_NAME);
  let journal: Deno.FsFile | undefined;
  try {
    refuseForeignJournal(lockPath, Deno.lstatSync(lockPath));
    journal = await Deno.open(lockPath, { read: true });
  } catch (e) {
    const absent = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory ||
      isNameTooLong(e);
    if (!absent) throw e;
  }
  try {
    return await fn(await SyncRecords.read(root, journal, { readOnly: true }));
  } finally {
    journal?.close();
  }
}

/**
 * Throws unless `info` (an `lstat` of DEST's journal) is a file of vc's own:
 * the journal is truncated and appended to, so a symbolic link planted at
 * its name (a checkout, an unpacked archive) would have a file outside DEST
 * emptied or created, a hard link the other name's content, and a FIFO
 * would fail the sync with a bare "Illegal seek".
 */
function refuseForeignJournal(path: string, info: Deno.FileInfo): void {
  if (!info.isFile) throw journalRefused(path, fileKind(info));
  const links = info.nlink ?? 1;
  if (links > 1) throw journalRefused(path, `a file that has ${links} hard links`);
}

function journalRefused(path: string, what: string): VcError {
  return new VcError(
    `${SYNC.library} cannot keep its journal in ${path}: it is ${what}, not a file of its own; it writes ` +
      `there, so it never writes through it (remove it; nothing was copied)`,
  );
}

/**
 * The files `vc sync` wrote into one DEST, by manifest path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyncRecords } from "./sync_records.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const records = await SyncRecords.read(dir);
 *   await records.check("/none.txt", `${dir}/none.txt`, `${dir}/none.txt`, false);
 *   assert.ok(records);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class SyncRecords {
  readonly #path: string;
  readonly #files: Record<string, Written>;
  readonly #journal: Deno.FsFile | undefined;
  /** Read for a dry run: nothing is ever written (journal, records, temps). */
  readonly #readOnly: boolean;
  #changed = false;
  /**
   * Paths whose file {@linkcode unchanged} hashed (its record racy) and found
   * to hold other bytes than recorded, its times as recorded: a same-size
   * edit in the tick of the copy. {@linkcode check} takes it as changed
   * since vc wrote it (the user's), not as vc's file to replace unread.
   */
  readonly #editedInTick = new Set<string>();

  private constructor(
    path: string,
    files: Record<string, Written>,
    journal: Deno.FsFile | undefined,
    changed: boolean,
    readOnly: boolean,
  ) {
    this.#path = path;
    this.#files = files;
    this.#journal = journal;
    this.#readOnly = readOnly;
    this.#changed = changed;
  }

  /**
   * The records of `root` (none when it has no record file, or one that does
   * not parse). Something else at the record file's name (a FIFO, a link to
   * a device) is refused before it is opened: a FIFO no one writes to would
   * block the sync for good (holding DEST's lock), `/dev/zero` be read until
   * memory ran out; a directory failed the save only after every file was
   * copied. `readOnly` (a dry run): nothing is ever written or removed.
   */
  static async read(
    root: string,
    journal?: Deno.FsFile,
    options: { readOnly?: boolean } = {},
  ): Promise<SyncRecords> {
    const readOnly = options.readOnly === true;
    const path = join(root, SYNC_RECORD_NAME);
    const kind = notRegularFileKind(path);
    if (kind !== undefined) {
      throw new VcError(
        `${SYNC.library} cannot keep its records in ${path}: it is ${kind}, not a regular file ` +
          `(remove it; nothing was copied)`,
      );
    }
    // Under DEST's lock, no other sync saves: a temp file of the record
    // file is a killed save's (removed where its writer is gone for sure).
    if (!readOnly) removeAbandonedTempsOf(path);
    let files: Record<string, Written> = Object.create(null);
    try {
      const parsed = JSON.parse(await Deno.readTextFile(path))?.files;
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
          const w = asWritten(value);
          if (w !== undefined) files[key] = w;
        }
      }
    } catch {
      files = Object.create(null); // none yet, or unreadable: every file is compared
    }
    // What a sync killed before its save wrote (its journal, in the lock
    // file): later than the record file, so it wins; a torn last line is
    // passed over.
    let replayed = false;
    if (journal !== undefined) {
      journal.seekSync(0, Deno.SeekMode.Start);
      const text = new TextDecoder().decode(await readAll(journal));
      // Copies about to be renamed into place, not yet recorded as written.
      const renaming = new Map<string, { size: number; sha256: string; source?: Source }>();
      for (const line of text.split("\n")) {
        try {
          const { path: key, renaming: intent, ...rest } = JSON.parse(line) as {
            path?: unknown;
            renaming?: unknown;
            size?: unknown;
            sha256?: unknown;
            source?: unknown;
          };
          if (typeof key !== "string") continue;
          if (intent === true) {
            const { size, sha256 } = rest;
            const source = asSource(rest.source);
            if (typeof size === "number" && typeof sha256 === "string") {
              renaming.set(key, { size, sha256, ...(source !== undefined ? { source } : {}) });
            }
            continue;
          }
          const w = asWritten(rest);
          if (w !== undefined) {
            files[key] = w;
            renaming.delete(key);
            replayed = true;
          }
        } catch {
          // Torn by the kill, or empty.
        }
      }
      // Killed between a rename and the line that records it: the file is
      // vc's when it holds the bytes about to be renamed (hashed, only in
      // this case); else the rename never happened, or the user has since
      // changed the file, and the record stays what it was.
      for (const [key, { size, sha256, source }] of renaming) {
        const dest = destOf(root, key);
        const info = dest === undefined ? undefined : await Deno.lstat(dest).catch(() => undefined);
        if (dest === undefined || !info?.isFile || info.size !== size) continue;
        if (await sha256File(dest).catch(() => undefined) !== sha256) continue;
        files[key] = writtenOf(info, sha256, source);
        replayed = true;
      }
    }
    return new SyncRecords(path, files, journal, replayed, readOnly);
  }

  /**
   * Throws a `PreconditionFailedError` naming `dest` when replacing it with
   * `source` would lose what it holds: it changed since vc wrote it for
   * `path`, or vc never wrote it, and its bytes are not `source`'s; unless
   * `force`. `source` is the file to be copied, or the size and SHA-256 the
   * lock file pins for it (known before it is downloaded: an edit is then
   * refused without fetching what would replace it), or (a dry run, with
   * nothing downloaded) a test of whether a file of a size holds its bytes. A missing `dest` is
   * fine, and a directory is left to the copy, which refuses it. A file is
   * replaced too when `earlierCopy` (given its size) says it holds another
   * version of `path`: a copy baiji-pod's `sync` left (at an older pin, or
   * over vc's copy), not the user's work.
   */
  async check(
    path: string,
    dest: string,
    source: BytesToWrite,
    force: boolean,
    signal?: AbortSignal,
    earlierCopy?: (size: number) => Promise<boolean>,
  ): Promise<void> {
    if (force) return;
    let info: Deno.FileInfo;
    try {
      // Synchronous, as the looks of a sync at DEST's directories are: an
      // async one cost ~15 µs more CPU, each file of a sync.
      info = Deno.lstatSync(dest);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
      throw e;
    }
    if (info.isDirectory) return;
    const record = this.#files[path];
    if (
      info.isFile && record !== undefined && !this.#editedInTick.has(path) &&
      await stillWritten(record, info, dest, signal)
    ) {
      return;
    }
    if (info.isFile && await holdsBytesOf(dest, info.size, source, signal)) return;
    if (info.isFile && await earlierCopy?.(info.size)) return;
    const what = info.isSymlink
      ? "is a symbolic link"
      : !info.isFile
      ? "is not a regular file"
      : record !== undefined
      ? `changed since ${SYNC.library} wrote it`
      : `was not written by ${SYNC.library} and holds other bytes`;
    throw new PreconditionFailedError(
      `not replacing ${dest}: it ${what}; keep what it holds elsewhere, ` +
        `or sync with the force option to replace it with ${path}`,
    );
  }

  /**
   * Notes in the journal that the copy of `path` whose bytes have `sha256`
   * is about to be renamed into place: a sync killed before {@linkcode wrote}
   * leaves the next one able to tell the file it renamed from the user's.
   */
  renaming(path: string, written: { bytes: number; sha256: string }, source?: Source): void {
    // No modification time: a vc before these lines passes them over.
    this.#journalLine({
      path,
      renaming: true,
      size: written.bytes,
      sha256: written.sha256,
      ...(source !== undefined ? { source: recordedSource(source) } : {}),
    });
  }

  /**
   * True when `dest` can be left as it is for `path`: it is the regular
   * file vc recorded (size, modification time and change time as
   * recorded: nothing is read), and the bytes recorded are those of
   * `pinned`, the cache's record of the object the manifest pins now. Its
   * SHA-256 when the cache knows it (or the lock file pins it), else the
   * same object (URI, ETag, size, and MD5 when both know one) as the
   * record's source.
   * False when there is no such record (an older vc's, a local override's):
   * the file is then checked and copied as before.
   */
  async unchanged(
    path: string,
    dest: string,
    pinned: Pinned | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const record = this.#files[path];
    if (pinned === undefined || record?.sha256 === undefined || record.size !== pinned.size) {
      return false;
    }
    if (pinned.sha256 !== undefined) {
      if (pinned.sha256.toLowerCase() !== record.sha256.toLowerCase()) return false;
    } else if (!sameObject(record.source, pinned)) {
      return false;
    }
    let info: Deno.FileInfo | undefined;
    try {
      // Synchronous, as check's look (a re-sync of an unchanged DEST is one per file).
      info = Deno.lstatSync(dest);
    } catch {
      return false;
    }
    if (!info.isFile || info.size !== record.size) return false;
    const ctimeMs = info.ctime?.getTime();
    // A record without a change time (an older vc's) is not enough to skip:
    // a same-size edit with its mtime set back would go unseen.
    if (ctimeMs !== undefined && record.ctimeMs !== ctimeMs) return false;
    if (info.mtime === null || record.mtimeMs !== info.mtime.getTime()) return false;
    if (record.settled) return true;
    // Racy (stated within the grain of its last write): an edit of the same
    // size in that tick kept the times; the bytes tell (DEST's file only).
    if (await sha256File(dest, signal ? { signal } : {}) !== record.sha256) {
      this.#editedInTick.add(path);
      return false;
    }
    if (!isRacy({ mtimeMs: record.mtimeMs, ctimeMs: ctimeMs ?? record.mtimeMs }, Date.now())) {
      // Hashed past the grain, the stat as recorded: an edit since moves it.
      this.#files[path] = { ...record, settled: true };
      this.#changed = true;
    }
    return true;
  }

  /**
   * Records `dest` as vc just wrote it for `path`, with the SHA-256 of the
   * bytes written (taken as they were copied); without it, `dest` is read
   * to hash it, and `onProgress` is told the bytes of it hashed so far
   * (seconds a GB).
   */
  async wrote(
    path: string,
    dest: string,
    options: {
      sha256?: string;
      /** The cache's record of the copy the bytes came from (see {@linkcode unchanged}). */
      source?: Source;
      signal?: AbortSignal;
      onProgress?: (bytes: number) => void;
    } = {},
  ): Promise<void> {
    // Kept so that a file whose change time moved can be told apart later:
    // copied with its times, or edited.
    const { sha256: given, source, ...read } = options;
    const sha256 = given ?? await sha256File(dest, read);
    this.#files[path] = writtenOf(Deno.lstatSync(dest), sha256, source);
    this.#changed = true;
    this.#journalLine({ path, ...this.#files[path] });
  }

  #journalLine(entry: Record<string, unknown>): void {
    if (this.#journal === undefined || this.#readOnly) return;
    // Synchronous: whole lines, never interleaved with another entry's.
    const line = new TextEncoder().encode(JSON.stringify(entry) + "\n");
    try {
      this.#journal.seekSync(0, Deno.SeekMode.End);
      for (let at = 0; at < line.length;) at += this.#journal.writeSync(line.subarray(at));
    } catch (e) {
      // A bare "No space left on device" read as the file copied.
      const journal = `${this.#path}.lock`;
      throw new VcError(
        `cannot write the sync journal ${journal} for ${entry.path}: ${
          (e as Error | undefined)?.message ?? String(e)
        } (${SYNC.library} notes each copy there; free space or fix access on its device)`,
        { cause: e },
      );
    }
  }

  /** Writes the records back, when a file was written. */
  async save(): Promise<void> {
    if (!this.#changed || this.#readOnly) return;
    const sorted = Object.fromEntries(
      Object.entries(this.#files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    // Locked while written, as a copy into DEST is: a kill mid-save leaves
    // a temp file the next sync tells from a live writer's and removes.
    await writeFileAtomic(this.#path, JSON.stringify({ version: 1, files: sorted }) + "\n", {
      sweepAbandoned: true,
    });
    this.#changed = false;
    // Saved: the journal is spent (replayed again, were this cut, it says the same).
    this.#journal?.truncateSync(0);
  }
}

/** The record of a file vc wrote, statted as `info`, holding bytes of `sha256`. */
function writtenOf(info: Deno.FileInfo, sha256: string, source?: Source): Written {
  const ctimeMs = info.ctime?.getTime();
  return {
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    ...(ctimeMs !== undefined ? { ctimeMs } : {}),
    sha256,
    ...(source !== undefined ? { source: recordedSource(source) } : {}),
  };
}

/** What a record keeps of `source`: its SHA-256, when known, is the record's own. */
function recordedSource({ uri, etag, size, md5 }: Source): Source {
  return { uri, etag, size, ...(md5 !== undefined ? { md5 } : {}) };
}

/** True when `recorded` names the object `pinned` does (its MD5 too, when both know one). */
function sameObject(recorded: Source | undefined, pinned: Pinned): boolean {
  if (recorded === undefined || pinned.uri === undefined || pinned.etag === undefined) return false;
  if (
    recorded.uri !== pinned.uri || recorded.size !== pinned.size ||
    normalizeEtag(recorded.etag) !== normalizeEtag(pinned.etag)
  ) {
    return false;
  }
  return recorded.md5 === undefined || pinned.md5 === undefined ||
    recorded.md5.toLowerCase() === pinned.md5.toLowerCase();
}

/** A record's source as stored, or `undefined` when it is none. */
function asSource(value: unknown): Source | undefined {
  const s = value as Partial<Source> | null;
  if (
    typeof s?.uri !== "string" || typeof s.etag !== "string" || typeof s.size !== "number"
  ) {
    return undefined;
  }
  return {
    uri: s.uri,
    etag: s.etag,
    size: s.size,
    ...(typeof s.md5 === "string" ? { md5: s.md5 } : {}),
    ...(typeof s.sha256 === "string" ? { sha256: s.sha256 } : {}),
  };
}

/**
 * Where `vc sync` writes manifest path `key` in `root` (as the sync joins
 * it), or `undefined` for a key no manifest path can be (the journal is a
 * file in DEST: it names nothing outside it).
 */
function destOf(root: string, key: string): string | undefined {
  const parts = key.slice(1).split("/");
  if (
    !key.startsWith("/") ||
    parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\"))
  ) {
    return undefined;
  }
  return join(root, ...parts);
}

/** A record as stored, or `undefined` when `value` is none. */
function asWritten(value: unknown): Written | undefined {
  const w = value as Partial<Written> | null;
  if (typeof w?.size !== "number" || typeof w.mtimeMs !== "number") return undefined;
  return {
    size: w.size,
    mtimeMs: w.mtimeMs,
    ...(typeof w.ctimeMs === "number" ? { ctimeMs: w.ctimeMs } : {}),
    ...(typeof w.sha256 === "string" ? { sha256: w.sha256 } : {}),
    ...(asSource(w.source) !== undefined ? { source: asSource(w.source)! } : {}),
    ...(w.settled === true ? { settled: true as const } : {}),
  };
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(1 << 16);
  for (let n; (n = await file.read(buf)) !== null;) chunks.push(buf.slice(0, n));
  return concatBytes(chunks);
}

/**
 * True when the file `dest` (statted as `info`) is still as vc wrote it for
 * `record`: size, modification time and change time as recorded, without
 * reading it; or, when only its times moved (a same-size edit with its mtime
 * set back, a `cp -a` of DEST, a `touch`), holding the bytes whose SHA-256
 * was recorded. A record without a change time or hash (an older vc's), or
 * a platform without a change time, is matched by size and modification
 * time as before.
 */
async function stillWritten(
  record: Written,
  info: Deno.FileInfo,
  dest: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (record.size !== info.size) return false;
  const ctimeMs = info.ctime?.getTime();
  if (
    record.mtimeMs === (info.mtime?.getTime() ?? 0) &&
    (record.ctimeMs === undefined || ctimeMs === undefined || record.ctimeMs === ctimeMs)
  ) {
    return true;
  }
  if (record.sha256 === undefined) return false;
  return await sha256File(dest, signal ? { signal } : {}) === record.sha256;
}

/**
 * True when the file `dest` (of `size` bytes) holds exactly the bytes of
 * `source`: a file's, or those of a size and SHA-256 (hashing `dest` only
 * when the sizes agree).
 */
async function holdsBytesOf(
  dest: string,
  size: number,
  source: BytesToWrite,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (typeof source === "string") return await sameBytes(dest, size, source, signal);
  if (typeof source === "function") return await source(dest, size);
  if (source.size !== size) return false;
  const sha256 = await sha256File(dest, signal ? { signal } : {});
  return sha256 === source.sha256.toLowerCase();
}

/**
 * True when the file `a` (of `size` bytes) holds exactly the bytes of `b`;
 * a stop cuts the read (seconds a GB).
 */
async function sameBytes(
  a: string,
  size: number,
  b: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if ((await Deno.stat(b)).size !== size) return false;
  using fa = await Deno.open(a);
  using fb = await Deno.open(b);
  const bufA = new Uint8Array(1 << 16);
  const bufB = new Uint8Array(1 << 16);
  for (let left = size; left > 0;) {
    signal?.throwIfAborted();
    const n = await readFull(fa, bufA);
    if (n === 0 || (await readFull(fb, bufB.subarray(0, n))) !== n) return false;
    for (let i = 0; i < n; i++) if (bufA[i] !== bufB[i]) return false;
    left -= n;
  }
  return true;
}

async function readFull(file: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}
