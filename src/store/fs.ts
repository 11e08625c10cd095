/**
 * {@linkcode FsStore}: a local directory used as a bucket (`--bucket ./dir`).
 * It is built in, so everything works without a cloud account, and
 * it behaves like S3 as far as {@linkcode ObjectStore} can tell.
 *
 * @module
 */
import { basename, dirname, join, resolve, sep, toFileUrl } from "../path.ts";
import {
  AccessDeniedError,
  deniedWithin,
  IntegrityError,
  InvalidInputError,
  IsDirectoryError,
  KeyConflictError,
  NotFoundError,
  NotModifiedError,
  PreconditionFailedError,
  StoreError,
  StoreNotFoundError,
  VcError,
} from "../errors.ts";
import { checkOptions, checkPathArgument } from "../options_check.ts";
import { FS_STORE_OPTIONS } from "./store_options_check.ts";
import { AtomicFile, isTempName, writeFileAtomicSync } from "../atomic_write.ts";
import { fsPlatform } from "../fs_platform.ts";
import { renameOver } from "../replace_file.ts";
import { forEachLimit } from "../pool.ts";
import type {
  CopyOptions,
  DeleteOptions,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "./types.ts";
import {
  isSpellingTwin,
  isValidSegment,
  keySegments,
  lockName,
  sidecarBase,
  sidecarName,
} from "./fs_layout.ts";
import { namesFoldIn } from "../name_probe.ts";
import { acquireLock, type FileLock, removeStaleLock } from "./fs_lock.ts";
import {
  fingerprint,
  previousFor,
  readSidecarBytesSync,
  type Sidecar,
  writeSidecar,
} from "./fs_meta.ts";
import { isMissing, lstatOrUndefined, statusOrUndefinedSync } from "../file_status.ts";
import { FileDescriber, type FsHashProgress, sidecarFor } from "./fs_info.ts";
import { validatorOf } from "./fs_validator.ts";
import { listDirectory, sweepOrphanSidecars, sweepStaleTemps } from "./fs_list.ts";
import { probeFileTime } from "./store_time.ts";
import { discardBody, writeBody } from "./fs_write.ts";
import {
  checkDeleteKeys,
  checkMetadata,
  checkPutBody,
  checkRange,
  checkReadOptions,
  checkWriteOptions,
  copySourceChanged,
  etagMatches,
  lowerMetadataKeys,
} from "./object_rules.ts";
import { fileRangeStream } from "./fs_stream.ts";
import { normalizeEtag } from "../hash.ts";
import { readSettledWhole } from "./fs_whole.ts";
import { fileKind } from "../regular_file.ts";
import { isNoSpaceError } from "../no_space.ts";
import { isReadOnlyFs } from "../read_only_fs.ts";
import { isNameTooLong, tooLongReason } from "../name_too_long.ts";
import { shortened } from "../printable.ts";
import { listWarned } from "./list_warning_notice.ts";

const DELETE_PARALLEL = 16;
/** How often a get looks again when the file it opened is not the one it looked at. */
const GET_OPEN_ATTEMPTS = 3;
/** How often a put makes its directories again when one is removed meanwhile (see #dirFor). */
const MAKE_DIRS_ATTEMPTS = 3;
// Directories whose dead writers' temp files this store already swept on put.
const SWEPT_LIMIT = 10_000;

export type { FsHashProgress };

/** Options for {@linkcode FsStore}. */
export interface FsStoreOptions {
  /**
   * `"write"` (default): sidecars are written on put and repaired when a
   * read finds one stale or missing, as in any directory vc manages.
   * `"read-only"`: reads use a valid existing sidecar but never write or
   * repair one, for a directory that is the user's (a `file://` source the
   * cache reads, a backup file restored from): vc must not leave files
   * there. A file without a valid sidecar is then hashed on every `head` or
   * `get` (remembered per file state within the process). Puts write none
   * either (a backup written to the user's directory is only its file): a
   * put's `metadata` is then refused, and its content type is the one its
   * name gives.
   */
  sidecars?: "write" | "read-only" | undefined;
  /**
   * Told how far a file with no valid sidecar is hashed for its ETag (by a
   * `head` or `get`, before any byte is served: seconds a GB for a large file
   * dropped in by hand), `{ key, bytes, total }`, from 0. A callback that
   * throws fails that `head` or `get`.
   */
  onHashProgress?: ((progress: FsHashProgress) => void) | undefined;
}

// The option names the constructor takes (a misspelt one is refused, not ignored).
/**
 * A directory used as an S3-like bucket.
 *
 * - Key `a/b/c.csv` is the plain file `<root>/a/b/c.csv`, so the directory is
 *   useful without vc. Keys are validated (see `keySegments` in
 *   `fs_layout.ts`); invalid ones throw `InvalidInputError` naming the key.
 * - ETags are hex MD5s. They, user metadata and content type live in a hidden
 *   sidecar `.vc~meta~<name>.json` next to the file, trusted only while the
 *   file's size, mtime, inode and ctime are unchanged; otherwise the file is
 *   re-hashed (and the sidecar repaired when the directory is writable,
 *   unless the store was opened with `sidecars: "read-only"`). So
 *   files copied in or edited by hand get correct ETags, and a read-only
 *   directory works for `head`, `get` and `list`.
 * - Writes go to a temp file in the target directory (`atomic_write.ts`:
 *   `.<name>.vc-tmp-<pid>-<random>`), are fsynced and renamed into place, so
 *   readers see the old or the new object, never a mix. The sidecar is
 *   written before that rename, so a put either commits completely (data and
 *   sidecar) or leaves nothing behind. Temp files of writers that died
 *   (`kill -9`) are removed when the directory is next listed or written.
 * - ETags are computed lazily: `head` and `get` hash a file without a valid
 *   sidecar; `list(prefix, { etags: false })` never reads file contents and
 *   reports such files with `etag: ""` (unknown). Entries that cannot be
 *   read are skipped with a warning (`onWarning`), not a failed listing.
 * - Every write to a key (put, copy, delete) commits under a per-key lock file
 *   (`.vc~lock~<name>`, see `fs_lock.ts`); `ifNoneMatch: "*"` additionally
 *   uses `link()`, which the kernel refuses when the target exists, so
 *   create-once holds across processes even if a lock was wrongly broken.
 * - Internal files (`.vc~*`: sidecars and locks; temp files) are never
 *   listed, and keys whose segments look like them are rejected.
 * - Symbolic links: nothing is read or written outside the root through a
 *   link. Links inside the root are not objects: they are not listed, `head`
 *   and `get` treat them as missing, writes never traverse a linked directory
 *   (`InvalidInputError`), and a `put` replaces a link at the key itself
 *   rather than writing through it. The root itself may be a link.
 * - Unlike S3, a key cannot be both an object and a "directory" of other keys
 *   (`a` and `a/b`): such a put throws `InvalidInputError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "./fs.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = new FsStore(dir);
 *   const { etag } = await store.put("a/b.txt", new TextEncoder().encode("hi"));
 *   assert((await store.head("a/b.txt"))?.etag === etag);
 *   const { body } = await store.get("a/b.txt");
 *   assert(await new Response(body).text() === "hi");
 *   for await (const info of store.list("a/")) assert(info.key === "a/b.txt");
 *   await store.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class FsStore implements ObjectStore {
  /** The `file://` URI of the root directory. */
  readonly url: string;
  /** The root directory as an absolute path (as given, links not resolved). */
  readonly root: string;
  #realRoot: string | undefined;
  /** The device of #realRoot when it was first used (see #rootStillThere). */
  #rootDev: number | undefined;
  #files: FileDescriber;
  #sidecars: "write" | "read-only";
  #swept = new Set<string>();

  /**
   * Uses `rootDir` (created on first write) as the bucket; see
   * {@linkcode FsStoreOptions} for `sidecars`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const store = new FsStore("/srv/assets");
   * assert(store.url === "file:///srv/assets");
   * ```
   */
  constructor(rootDir: string, options: FsStoreOptions = {}) {
    checkOptions("FsStore", options, FS_STORE_OPTIONS);
    // A URI (`file:///srv/assets`, which openStore takes) or a URL object is
    // refused naming what it is: as a path, the URI would root the store in
    // `./file:/srv/assets` beside the script.
    checkPathArgument("FsStore: the root directory", rootDir);
    if (rootDir.includes("\0")) {
      throw new InvalidInputError(`invalid FsStore root directory ${JSON.stringify(rootDir)}`);
    }
    this.root = resolve(rootDir);
    this.url = toFileUrl(this.root).href;
    const sidecars = options.sidecars ?? "write";
    if (sidecars !== "write" && sidecars !== "read-only") {
      throw new InvalidInputError(
        `FsStore sidecars must be "write" or "read-only", got ${JSON.stringify(sidecars)}`,
      );
    }
    const onHashProgress = options.onHashProgress;
    if (onHashProgress !== undefined && typeof onHashProgress !== "function") {
      throw new InvalidInputError(
        `FsStore onHashProgress must be a function, got ${typeof onHashProgress}`,
      );
    }
    this.#files = new FileDescriber({
      repair: sidecars === "write",
      ...(onHashProgress ? { onHashProgress } : {}),
    });
    this.#sidecars = sidecars;
  }

  /**
   * Metadata of `key`, or `undefined` when it does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * assert(await store.head("missing.csv") === undefined);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async head(
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ObjectInfo | undefined> {
    checkReadOptions(`head ${key} in ${this.url}`, "head", options);
    return await this.#atExistingPath(
      "head",
      key,
      options,
      (path) => this.#files.infoAt(key, path, true, options.signal),
    );
  }

  /**
   * The token of `key`'s current state (device, inode, size, mtime, ctime:
   * one `lstat`, no content read), `undefined` when it is not a regular
   * file. See {@linkcode ObjectStore.validator} and `fs_validator.ts`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * assert.equal(await store.validator("missing.csv"), undefined);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  validator(
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<string | undefined> {
    return this.#atExistingPath("stat", key, options, async (path) => {
      const st = await lstatOrUndefined(path);
      return st?.isFile === true ? validatorOf(st) : undefined;
    });
  }

  /**
   * `look` at the path of `key` when its directory exists (else undefined),
   * without creating anything; a failure is the store's error for `op`.
   */
  async #atExistingPath<T>(
    op: string,
    key: string,
    options: { signal?: AbortSignal },
    look: (path: string) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const segs = keySegments(key, this.url);
    options.signal?.throwIfAborted();
    const name = segs.pop() as string;
    try {
      const dir = await this.#dirFor(key, segs, false);
      if (dir === undefined) return undefined;
      return await look(join(dir, name));
    } catch (e) {
      throw this.#fail(op, key, e);
    }
  }

  /**
   * The object's body (optionally a byte range) and its info. Throws
   * `NotFoundError` for a missing key (`IsDirectoryError`, one, for a key
   * naming a directory), `NotModifiedError` when `ifNoneMatch`
   * matches, `PreconditionFailedError` when `ifMatch` does not, and
   * `InvalidInputError` for a range starting at or after the end.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * await store.put("k", new TextEncoder().encode("hello"));
   * const { body } = await store.get("k", { range: { start: 1, end: 3 } });
   * assert(await new Response(body).text() === "ell");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const segs = keySegments(key, this.url);
    checkReadOptions(`get ${key} in ${this.url}`, "get", options);
    const range = options.range;
    if (range !== undefined) checkRange(key, range);
    options.signal?.throwIfAborted();
    const name = segs.pop() as string;
    const notFound = () => new NotFoundError(`${key} not found in ${this.url}`);
    let file: Deno.FsFile | undefined;
    try {
      const dir = await this.#dirFor(key, segs, false);
      if (dir === undefined) throw notFound();
      const path = join(dir, name);
      const opened = await this.#openObject(key, path, notFound);
      file = opened.file;
      const st = opened.st;
      // A small file is read once, hashed (when no sidecar knows its MD5)
      // and served from memory; not for a conditional read that may answer
      // "not modified" without reading it.
      const whole = range === undefined && options.ifNoneMatch === undefined
        ? await readSettledWhole(file, path, st)
        : undefined;
      const info = await this.#files.describe(key, path, st, {
        file,
        ...(whole === undefined ? {} : { content: whole }),
        withMeta: true,
        signal: options.signal,
        ...(range !== undefined && options.ifMatch !== undefined
          ? { rangeIfMatch: options.ifMatch }
          : {}),
      });
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, info.etag)) {
        throw new PreconditionFailedError(
          `${key} in ${this.url} has etag ${info.etag}, not ${options.ifMatch}`,
        );
      }
      if (options.ifNoneMatch !== undefined && etagMatches(options.ifNoneMatch, info.etag)) {
        throw new NotModifiedError(`${key} in ${this.url} is unchanged (etag ${info.etag})`);
      }
      if (whole !== undefined) {
        return { info, body: ReadableStream.from([whole]), bytes: whole };
      }
      let start = 0;
      let end = st.size;
      if (range !== undefined) {
        if (range.start >= st.size) {
          throw new InvalidInputError(
            `range ${range.start}-${
              range.end ?? ""
            } is not satisfiable for ${key} in ${this.url} (${st.size} bytes)`,
          );
        }
        start = range.start;
        end = Math.min(st.size, (range.end ?? Infinity) + 1);
      }
      const body = fileRangeStream(file, start, end, `${key} in ${this.url}`, options.signal);
      file = undefined; // the stream owns it now
      return { info, body };
    } catch (e) {
      throw await this.#unlessRootGone(this.#fail("get", key, e));
    } finally {
      file?.close();
    }
  }

  /**
   * Opens the regular file at `path` for `get`. The file opened must be the
   * regular file looked at: a name swapped for a link between the look and
   * the open (`ln -sfn /etc/passwd`) was read through, outside the root. A
   * put that replaced it meanwhile is looked at again.
   */
  async #openObject(
    key: string,
    path: string,
    notFound: () => Error,
  ): Promise<{ file: Deno.FsFile; st: Deno.FileInfo }> {
    for (let attempt = 1;; attempt++) {
      // Synchronous, as the look after a whole read (fs_whole.ts): see statusOrUndefinedSync.
      const lst = statusOrUndefinedSync(path);
      if (lst?.isDirectory) {
        // No object, yet "not found" would send the user looking for a name that is right there.
        throw new IsDirectoryError(`${key} in ${this.url} is a directory, not a file`);
      }
      if (lst === undefined || !lst.isFile) throw notFound();
      let file: Deno.FsFile;
      try {
        file = await Deno.open(path, { read: true });
      } catch (e) {
        if (isMissing(e)) throw notFound();
        throw e;
      }
      try {
        // Synchronous: the status of an open file is in memory (no I/O to
        // wait for), and an asynchronous one costs more than the look.
        const st = file.statSync();
        if (st.isFile && st.ino === lst.ino && st.dev === lst.dev) return { file, st };
      } catch (e) {
        file.close();
        throw e;
      }
      file.close();
      if (attempt >= GET_OPEN_ATTEMPTS) throw notFound();
    }
  }

  /**
   * Stores `body` at `key` atomically (temp file, fsync, rename). Honours
   * `ifNoneMatch: "*"` (create-once) and `ifMatch` (compare-and-swap) with
   * `PreconditionFailedError`, and `md5` / `size` with `IntegrityError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * const first = await store.put("k", new Uint8Array([1]), { ifNoneMatch: "*" });
   * await store.put("k", new Uint8Array([2]), { ifMatch: first.etag });
   * await store.put("k", new Uint8Array([3]), { ifMatch: first.etag }).then(
   *   () => assert(false, "the etag changed, so this must fail"),
   *   (e) => assert(e.name === "PreconditionFailedError"),
   * );
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    let segs: string[];
    try {
      segs = keySegments(key, this.url);
      checkPutBody(body, key);
      checkWriteOptions(`put ${key} in ${this.url}`, "put", options);
      if (options.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(options.md5)) {
        throw new InvalidInputError(`md5 option for ${key} is not a hex MD5: ${options.md5}`);
      }
      if (options.metadata !== undefined) {
        checkMetadata(options.metadata, key);
        if (this.#sidecars === "read-only" && Object.keys(options.metadata).length > 0) {
          throw new InvalidInputError(
            `cannot put ${key} with metadata in ${this.url}: a store opened with sidecars: ` +
              `"read-only" (a user's directory) keeps no metadata beside its files`,
          );
        }
      }
      options.signal?.throwIfAborted();
      await this.#rootStillThere("put", key);
    } catch (e) {
      await discardBody(body, e);
      throw e;
    }
    const name = segs.pop() as string;
    let temp: AtomicFile | undefined;
    // The deepest directory this put made for the key, if it made any.
    let made: string | undefined;
    try {
      const dir = await this.#dirFor(key, segs, true, (d) => made = d) as string;
      const target = join(dir, name);
      // Fail fast, before receiving the body; re-checked under the lock.
      await this.#checkPreconditions(key, target, options);
      await this.#sweepOnce(dir);
      temp = AtomicFile.create(target);
      markLive(temp);
      const written = await writeBody(key, temp.file, body, options);
      if (options.md5 !== undefined && written.md5 !== options.md5.toLowerCase()) {
        throw new IntegrityError(
          `md5 of the body for ${key} is ${written.md5}, expected ${options.md5}`,
        );
      }
      if (options.size !== undefined && written.size !== options.size) {
        throw new IntegrityError(
          `body for ${key} has ${written.size} bytes, expected ${options.size}`,
        );
      }
      options.signal?.throwIfAborted();
      // Flushed before the commit starts: the commit writes the new sidecar
      // before the rename, and a flush (seconds for a large file) between
      // the two left the old object without its metadata for that long, to
      // readers and for good after a kill -9; the key's lock is held only
      // for the milliseconds of the commit, not the flush.
      await temp.flushed();
      await this.#commit(key, dir, name, temp, written.md5, options);
      return { etag: written.md5 };
    } catch (e) {
      temp?.discard();
      await discardBody(body, e);
      // Nothing was stored: the directories made for it go again, as a
      // delete's do (a refused or aborted upload would leave one per try).
      // Up to the root, not only those this put made: two failed puts that
      // share a new parent each leave it to the other. Never one that holds
      // a key or a live writer's file (see #prune).
      if (made !== undefined) await this.#prune(made).catch(() => {});
      throw await this.#unlessRootGone(
        this.#fail("put", key, await this.#racedConflict(key, segs, e)),
      );
    }
  }

  /**
   * Every object whose key starts with `prefix` (which may end mid-name), in
   * UTF-8 byte order of keys, after `startAfter` when given. A missing root
   * lists nothing. Infos carry no metadata or content type. With
   * `etags: false` no file is read: a file without a valid sidecar is listed
   * with `etag: ""`. Files and directories that cannot be read are skipped
   * and reported to `onWarning` (default: the listeners of
   * `listenToListWarnings`, else `console.warn`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * for (const k of ["foo/bar.csv", "foo/b.csv", "foo/baz/x"]) await store.put(k, new Uint8Array());
   * const keys = [];
   * for await (const info of store.list("foo/ba")) keys.push(info.key);
   * assert(keys.join() === "foo/bar.csv,foo/baz/x");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo> {
    if (typeof prefix !== "string") throw new TypeError("list prefix must be a string");
    checkReadOptions(`list ${prefix} in ${this.url}`, "list", options);
    const slash = prefix.lastIndexOf("/");
    const dirKey = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    const dirSegs = dirKey === "" ? [] : dirKey.slice(0, -1).split("/");
    // A prefix whose directory part no valid key can have matches nothing.
    if (!dirSegs.every(isValidSegment)) return;
    await this.#rootStillThere("list", prefix === "" ? "(all keys)" : prefix);
    let dir: string | undefined;
    try {
      dir = await this.#dirFor(prefix, dirSegs, false);
    } catch (e) {
      throw this.#fail("list", prefix, e);
    }
    if (dir === undefined) return;
    yield* listDirectory(dir, dirKey, namePrefix, {
      startAfter: options.startAfter,
      signal: options.signal,
      etags: options.etags ?? true,
      warn: options.onWarning ?? listWarned,
      swept: options.onSwept,
      sweepSidecars: this.#sidecars === "write",
      prune: this.#sidecars === "write" ? (d) => this.#prune(d) : undefined,
      files: this.#files,
      url: this.url,
      fail: (key, e) => this.#fail("list", key, e),
    });
  }

  /**
   * Deletes the objects (data and sidecar); missing keys are fine. Directories
   * left empty are removed up to the root, best-effort. All keys are
   * validated before anything is deleted. With `ifMatch` (one key only) the
   * ETag is checked under the key's lock: `PreconditionFailedError` when it
   * differs.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * await store.put("a/b/c", new Uint8Array([1]));
   * await store.delete(["a/b/c", "never-existed"]);
   * assert(await store.head("a/b/c") === undefined);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async delete(keys: readonly string[], options: DeleteOptions = {}): Promise<void> {
    checkDeleteKeys(keys, this.url);
    checkWriteOptions(`delete in ${this.url}`, "delete", options);
    const parsed = [...new Set(keys)].map((key) => ({ key, segs: keySegments(key, this.url) }));
    if (options.ifMatch !== undefined && parsed.length !== 1) {
      throw new InvalidInputError(
        `delete with ifMatch takes exactly one key, got ${parsed.length} (in ${this.url})`,
      );
    }
    options.signal?.throwIfAborted();
    await forEachLimit(parsed, DELETE_PARALLEL, async ({ key, segs }) => {
      try {
        await this.#deleteOne(key, segs, options.ifMatch);
      } catch (e) {
        throw this.#fail("delete", key, e);
      }
    }, options.signal === undefined ? {} : { signal: options.signal });
  }

  /**
   * Copies `from` to `to` with its metadata and content type. Throws
   * `NotFoundError` when `from` is missing and `PreconditionFailedError` when
   * `ifNoneMatch: "*"` is given and `to` exists.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FsStore(dir);
   * await store.put("a", new Uint8Array([1]), { metadata: { owner: "me" } });
   * await store.copy("a", "b");
   * assert((await store.head("b"))?.metadata?.owner === "me");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async copy(from: string, to: string, options: CopyOptions = {}): Promise<PutResult> {
    keySegments(to, this.url);
    checkWriteOptions(`copy to ${to} in ${this.url}`, "copy", options);
    const signal = options.signal;
    const on = signal === undefined ? {} : { signal };
    signal?.throwIfAborted();
    // Only the version the caller found (`source`): one replaced since is
    // not copied. The body read is that of the file checked (one handle).
    const changed = (info: ObjectInfo) => {
      const known = options.source;
      if (known !== undefined && normalizeEtag(known.etag) !== normalizeEtag(info.etag)) {
        throw copySourceChanged(`copy ${from} to ${to} in ${this.url}`, from, known.etag);
      }
    };
    if (from === to) {
      // Onto itself: the object as it is, as in every store (nothing rewritten).
      const info = await this.head(from, on);
      if (info === undefined) throw new NotFoundError(`${from} not found in ${this.url}`);
      changed(info);
      if (options.ifNoneMatch === "*") {
        throw new PreconditionFailedError(`${to} already exists in ${this.url}`);
      }
      return { etag: info.etag };
    }
    const { info, body } = await this.get(from, on);
    try {
      changed(info);
    } catch (error) {
      await body.cancel();
      throw error;
    }
    const putOptions: PutOptions = { md5: info.etag, size: info.size, ...on };
    if (info.metadata !== undefined) putOptions.metadata = info.metadata;
    if (info.contentType !== undefined) putOptions.contentType = info.contentType;
    if (options.ifNoneMatch !== undefined) putOptions.ifNoneMatch = options.ifNoneMatch;
    return await this.put(to, body, putOptions);
  }

  /**
   * The store's time: the mtime of a probe file written in the root (named
   * as a temp file) and removed at once, which the file server dates on NFS.
   * `undefined` when the root does not exist yet or takes no write.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const time = await new FsStore(dir).serverTime();
   *   assert(time !== undefined && Math.abs(time - Date.now()) < 60_000);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async serverTime(options: { signal?: AbortSignal } = {}): Promise<number | undefined> {
    options.signal?.throwIfAborted();
    const root = await this.#rootPath(false);
    return root === undefined ? undefined : await probeFileTime(root);
  }

  /**
   * Nothing to release: FsStore holds no handles between calls.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   const store = new FsStore(dir);
   *   await store.put("a.txt", new TextEncoder().encode("a"));
   *   await store.close();
   *   assert((await store.head("a.txt"))?.size === 1); // still usable after close
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode FsStore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- directories -------------------------------------------------------

  async #rootPath(create: boolean): Promise<string | undefined> {
    if (this.#realRoot !== undefined) return this.#realRoot;
    if (create) {
      try {
        await Deno.mkdir(this.root, { recursive: true });
      } catch (e) {
        // A file where the root or a directory above it belongs: said as
        // such, naming the root, not as mkdir's "File exists".
        if (e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory) {
          throw new InvalidInputError(
            `store root ${this.root} is not a directory and cannot be made one: a file is where ` +
              "it or a directory above it belongs",
            { cause: e },
          );
        }
        throw e;
      }
    }
    let real: string;
    try {
      real = await Deno.realPath(this.root);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    const st = await Deno.stat(real);
    if (!st.isDirectory) {
      throw new InvalidInputError(`store root ${this.root} is not a directory`);
    }
    this.#rootDev = st.dev;
    this.#realRoot = real;
    return real;
  }

  /**
   * The real path of the directory holding keys below `segs`, verified not to
   * pass through a link. Reading: `undefined` when it does not exist (or is a
   * link). Writing: created as needed (`onMade` is told each directory
   * made, top down); a link or file in the way throws.
   */
  async #dirFor(
    key: string,
    segs: readonly string[],
    create: boolean,
    onMade?: (dir: string) => void,
  ): Promise<string | undefined> {
    const root = await this.#rootPath(create);
    if (root === undefined) return undefined;
    if (segs.length === 0) return root;
    const expected = join(root, ...segs);
    let real: string | undefined;
    let ready = false;
    try {
      real = await Deno.realPath(expected);
      // In the try: a directory removed between the two looks (pruned by
      // another writer's failed put) is made again below, not a failed put.
      ready = real === expected && (!create || (await Deno.stat(real)).isDirectory);
    } catch (e) {
      if (!isMissing(e)) throw e;
      if (!create) return undefined;
      real = undefined;
    }
    if (real !== undefined) {
      if (ready) return real;
      if (!create) return undefined;
      this.#refuseDirTwin(key, root, segs, real);
    }
    // A directory on the way may be removed meanwhile, left empty by a
    // delete or a failed put of another writer (see #prune): made again.
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#makeDirs(key, root, segs, onMade);
      } catch (e) {
        if (!isMissing(e) || attempt >= MAKE_DIRS_ATTEMPTS) throw e;
      }
    }
  }

  /**
   * Throws `KeyConflictError` when `real`, the real path of the directory
   * the segments `segs` name below `root`, spells one of them in another
   * letter case (`Data/` for `data/`, where names fold): that directory
   * holds other keys, and writing into it would file this one under theirs.
   */
  #refuseDirTwin(key: string, root: string, segs: readonly string[], real: string): void {
    // Where names do not fold, `data` resolving to `Data/` is a link (a
    // case-sensitive file system holds both): refused as one where it is made.
    if (!this.#namesFold() || !real.startsWith(root + sep)) return;
    const found = real.slice(root.length + 1).split(sep);
    if (found.length !== segs.length) return; // a link on the way: refused where it is made
    const at = segs.findIndex((seg, i) => seg !== found[i]);
    if (at === -1 || !isSpellingTwin(segs[at]!, found[at]!)) return;
    throw new KeyConflictError(
      `cannot store ${key} in ${this.url}: ${segs.slice(0, at + 1).join("/")}/ is the directory ` +
        `${found.slice(0, at + 1).join("/")}/ of other keys here, whose file system does not ` +
        "tell letter case apart, and a directory store cannot hold both spellings",
    );
  }

  /**
   * The name the file at `target` has on disk when it is another spelling
   * of its key's name ({@linkcode isSpellingTwin}: `Data.csv` for
   * `data.csv`, where the store's file system folds names), else
   * `undefined`. One `realPath`, asked only where names fold.
   */
  async #twinAt(target: string): Promise<string | undefined> {
    if (!this.#namesFold()) return undefined;
    let real: string;
    try {
      real = await Deno.realPath(target);
    } catch {
      return undefined; // missing (or unreadable: the write says so itself)
    }
    const found = basename(real);
    return isSpellingTwin(basename(target), found) ? found : undefined;
  }

  /**
   * Whether names that differ only in letter case name one file in the
   * store's root (`namesFoldIn`: probed once per directory and process).
   */
  #namesFold(): boolean {
    const root = this.#realRoot;
    // Probed by a temp file where the store writes its own files; else
    // (a user's directory, `sidecars: "read-only"`) by the names it holds.
    const write = this.#sidecars === "write";
    return root !== undefined && namesFoldIn(root, { write });
  }

  async #makeDirs(
    key: string,
    root: string,
    segs: readonly string[],
    onMade: ((dir: string) => void) | undefined,
  ): Promise<string> {
    let dir = root;
    for (const [i, seg] of segs.entries()) {
      dir = join(dir, seg);
      try {
        await Deno.mkdir(dir);
        onMade?.(dir);
        continue;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      const st = await Deno.lstat(dir);
      if (st.isSymlink) {
        throw new InvalidInputError(
          `cannot write ${key} in ${this.url}: ${dir} is a symbolic link, and FsStore never writes through links`,
        );
      }
      if (!st.isDirectory) throw this.#conflict(key, segs.slice(0, i + 1).join("/"));
    }
    return dir;
  }

  /**
   * The conflict a put lost a race to: `key` made a directory (EISDIR at the
   * rename) or one of its parent directories made a file (ENOTDIR) by a
   * concurrent put of a key below or above it, after this put checked the
   * layout. Any other error is returned as it is.
   */
  async #racedConflict(key: string, dirSegs: readonly string[], e: unknown): Promise<unknown> {
    if (e instanceof Deno.errors.IsADirectory) {
      // Only when the key's own name is a directory: a directory where its
      // sidecar (`.vc~meta~…`) belongs is no key below it.
      const target = this.#realRoot === undefined
        ? undefined
        : join(this.#realRoot, ...dirSegs, key.slice(key.lastIndexOf("/") + 1));
      const st = target === undefined
        ? undefined
        : await lstatOrUndefined(target).catch(() => undefined);
      return st?.isDirectory ? this.#conflict(key, `${key}/`) : e;
    }
    if (!(e instanceof Deno.errors.NotADirectory)) return e;
    let path = this.root;
    for (const [i, seg] of dirSegs.entries()) {
      path = join(path, seg);
      const st = await lstatOrUndefined(path).catch(() => undefined);
      if (st === undefined) break;
      if (!st.isDirectory) return this.#conflict(key, dirSegs.slice(0, i + 1).join("/"));
    }
    return e;
  }

  #conflict(key: string, other: string): KeyConflictError {
    return new KeyConflictError(
      `cannot store ${key} in ${this.url}: ${other} is ${
        other.length < key.length ? "an object" : "a directory of other keys"
      }, and a directory store cannot hold both a key and keys below it`,
    );
  }

  /**
   * A create-only put onto a symbolic link, FIFO, socket or device: no object
   * (`head`, `get` and `list` do not see one), yet not a free key either, and
   * "already exists" would send a versioned publish to retry the same key forever.
   */
  #notAnObject(key: string, st: Deno.FileInfo): KeyConflictError {
    return new KeyConflictError(
      `cannot create ${key} in ${this.url}: ${key} is ${
        fileKind(st)
      }, not an object of the store (it is ` +
        `not listed), and a create-only write does not replace it; remove it or use another key`,
    );
  }

  async #prune(dir: string): Promise<void> {
    const root = this.#realRoot;
    if (root === undefined) return;
    while (dir !== root && dir.startsWith(root + sep)) {
      if (!(await removeKeylessDir(dir))) return;
      dir = dirname(dir);
    }
  }

  // --- writing -----------------------------------------------------------

  /** Sweeps dead writers' temp files from `dir` the first time this store writes there. */
  async #sweepOnce(dir: string): Promise<void> {
    if (this.#swept.has(dir)) return;
    if (this.#swept.size >= SWEPT_LIMIT) this.#swept.clear();
    this.#swept.add(dir);
    await sweepStaleTemps(dir);
  }

  async #checkPreconditions(key: string, target: string, options: PutOptions): Promise<void> {
    // `data.csv` where `Data.csv` is (names fold): the rename would replace
    // that key's object, which `head("Data.csv")` then serves as its own.
    const twin = await this.#twinAt(target);
    if (twin !== undefined) {
      throw new KeyConflictError(
        `cannot store ${key} in ${this.url}: ${
          key.slice(0, key.lastIndexOf("/") + 1)
        }${twin} is an object there, the same file on a ` +
          "file system that does not tell letter case apart, and a directory store cannot hold " +
          "both spellings",
      );
    }
    if (options.ifNoneMatch === "*") {
      const st = await lstatOrUndefined(target);
      if (st?.isDirectory) throw this.#conflict(key, `${key}/`);
      if (st !== undefined && !st.isFile) throw this.#notAnObject(key, st);
      if (st !== undefined) {
        throw new PreconditionFailedError(`${key} already exists in ${this.url}`);
      }
    }
    if (options.ifMatch !== undefined) {
      const current = await this.#files.infoAt(key, target, false);
      if (current === undefined) {
        throw new PreconditionFailedError(
          `${key} does not exist in ${this.url} (ifMatch ${options.ifMatch})`,
        );
      }
      if (!etagMatches(options.ifMatch, current.etag)) {
        throw new PreconditionFailedError(
          `${key} in ${this.url} has etag ${current.etag}, not ${options.ifMatch}`,
        );
      }
    }
  }

  async #commit(
    key: string,
    dir: string,
    name: string,
    temp: AtomicFile,
    md5: string,
    options: PutOptions,
  ): Promise<void> {
    const target = join(dir, name);
    const scPath = join(dir, sidecarName(name));
    const lock = await this.#lock(key, dir, name, options.signal);
    try {
      await this.#checkPreconditions(key, target, options);
      // The sidecar is written first, describing the temp file's inode (a
      // rename or link keeps it; the ctime they change is left out, and
      // added once the file is in place: #recordCtime), so a failed sidecar
      // write (ENOSPC) fails the put before anything is committed, and the
      // data rename is the single commit point.
      const st = await temp.file.stat();
      const metadata = options.metadata === undefined
        ? undefined
        : lowerMetadataKeys(options.metadata);
      const sidecar = this.#sidecars === "write";
      // None yet (or none kept, read-only): undefined.
      const previous = sidecar ? readSidecarBytesSync(scPath) : undefined;
      // Metadata cannot be rebuilt from the data; an MD5 can.
      const durable = metadata !== undefined || options.contentType !== undefined;
      const sc = sidecarFor(
        md5,
        { ...fingerprint(st), ctimeMs: null },
        metadata,
        options.contentType,
      );
      // Until the rename the old data stays at the key: the new sidecar
      // carries the old one, so a put killed before the rename leaves the
      // old object whole, metadata included (#recordCtime drops it).
      const replaced = previousFor(previous, target);
      if (sidecar) writeSidecar(scPath, replaced ? { ...sc, previous: replaced } : sc, durable);
      try {
        await temp.commitBy((path) =>
          options.ifNoneMatch === "*"
            ? this.#linkNew(key, path, target)
            : this.#renameOver(key, path, target)
        );
      } catch (e) {
        // The object was not replaced: give it its sidecar back.
        try {
          if (!sidecar) throw e;
          if (previous === undefined) Deno.removeSync(scPath);
          else writeFileAtomicSync(scPath, previous, { durable: false });
        } catch {
          // Best-effort: a sidecar that does not match is ignored anyway.
        }
        throw e;
      }
      if (sidecar) {
        await this.#recordCtime(scPath, target, st, sc, durable);
      }
    } finally {
      await lock.release();
    }
  }

  /**
   * Completes the sidecar of a just-committed file with its ctime, still
   * under the key's lock. Without it only size, mtime and inode describe the
   * file, and an in-place edit that keeps the size and puts the mtime back
   * (`touch -r`, `cp -p` or `rsync -t --inplace` over it) would keep the old
   * ETag for good. Best-effort: the sidecar without a ctime stays valid.
   */
  async #recordCtime(
    scPath: string,
    target: string,
    written: Deno.FileInfo,
    sc: Sidecar,
    durable: boolean,
  ): Promise<void> {
    try {
      const now = await lstatOrUndefined(target);
      if (
        now === undefined || !now.isFile || now.ino !== written.ino ||
        now.size !== written.size || now.mtime?.getTime() !== written.mtime?.getTime() ||
        now.ctime === null
      ) return;
      writeSidecar(scPath, { ...sc, ctimeMs: now.ctime.getTime() }, durable);
    } catch {
      // The sidecar written before the commit still describes the file.
    }
  }

  /** Create-once: `link` fails if the target exists, atomically, even across processes. */
  async #linkNew(key: string, tmp: string, target: string): Promise<void> {
    try {
      await Deno.link(tmp, target);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) {
        const st = await lstatOrUndefined(target);
        if (st?.isDirectory) throw this.#conflict(key, `${key}/`);
        if (st !== undefined && !st.isFile) throw this.#notAnObject(key, st);
        throw new PreconditionFailedError(`${key} already exists in ${this.url}`, { cause: e });
      }
      // No hard links here (FAT, some network filesystems): the absence check
      // just done under the lock is what makes this create-once.
      await this.#renameOver(key, tmp, target);
    }
  }

  async #renameOver(key: string, tmp: string, target: string): Promise<void> {
    try {
      // On Windows another program holding the object open (a viewer, a
      // scanner) refuses the replace for a moment: retried there, then named.
      await renameOver(tmp, target);
    } catch (e) {
      const st = await lstatOrUndefined(target);
      if (st === undefined || !st.isDirectory) throw e;
      // An empty directory (e.g. left behind by hand, or holding only a
      // dead writer's lock) can give way; one with keys below it cannot.
      if (!(await removeKeylessDir(target))) throw this.#conflict(key, `${key}/`);
      await renameOver(tmp, target);
    }
  }

  async #lock(
    key: string,
    dir: string,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<FileLock> {
    try {
      return await acquireLock(join(dir, lockName(name)), signal === undefined ? {} : { signal });
    } catch (e) {
      // A FIFO, link or directory at the lock's name: said with the key.
      if (e instanceof StoreError) {
        throw new StoreError(`cannot write ${key} in ${this.url}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  async #deleteOne(key: string, segs: string[], ifMatch: string | undefined): Promise<void> {
    const name = segs.pop() as string;
    const dir = await this.#dirFor(key, segs, false);
    if (dir === undefined) return;
    const target = join(dir, name);
    const scPath = join(dir, sidecarName(name));
    // Another key's file (`Data.csv` for `data.csv`, where names fold):
    // this key has no object, and deleting it deletes nothing, as on S3.
    if (await this.#twinAt(target) !== undefined) return;
    // Nothing there: no lock needed (and none possible on a read-only root).
    if (
      (await lstatOrUndefined(target))?.isFile !== true &&
      (await lstatOrUndefined(scPath)) === undefined
    ) return;
    let lock: FileLock | undefined;
    try {
      lock = await this.#lock(key, dir, name, undefined);
    } catch (e) {
      if (isMissing(e)) return; // the directory went away: nothing left to delete
      // No inode left for the lock file (a filesystem out of inodes): the
      // delete that frees one goes ahead without it, since no put can commit
      // meanwhile either (its temp file, lock and sidecar need inodes too).
      if (!isNoSpaceError(e)) throw e;
    }
    try {
      if (ifMatch !== undefined) {
        const current = await this.#files.infoAt(key, target, false);
        if (current === undefined) return; // missing: nothing to delete, as on S3
        if (!etagMatches(ifMatch, current.etag)) {
          throw new PreconditionFailedError(
            `delete ${key} in ${this.url}: its etag is ${current.etag}, not ${ifMatch} (ifMatch)`,
          );
        }
      }
      // Unlocked, the sidecar goes first: a put that commits in between
      // (on the inode freed) then loses its object to this delete, never
      // only its sidecar (its metadata).
      if (lock === undefined) await removeIfExists(scPath);
      if ((await lstatOrUndefined(target))?.isFile) await removeIfExists(target);
      await removeIfExists(scPath);
    } finally {
      await lock?.release();
    }
    await this.#prune(dir);
  }

  /**
   * Throws `StoreNotFoundError` when the root directory this store has used
   * is gone now (removed, renamed, its disk unmounted): a put would make it
   * again (the temp file's open makes its parents), on whatever disk is
   * below, and a listing would read it as empty, so a mirror copied its
   * whole tree there. A root never made is made by the first write.
   */
  async #rootStillThere(op: string, key: string): Promise<void> {
    if (this.#realRoot === undefined) return;
    let dev: number;
    try {
      dev = (await Deno.stat(this.#realRoot)).dev;
    } catch (e) {
      if (!isMissing(e)) return; // The operation itself says what is wrong.
      throw new StoreNotFoundError(
        `${op} ${key} in ${this.url} failed: the store's directory ${this.root} does not exist ` +
          "(gone since it was used: removed, renamed or its disk unmounted?); nothing is made " +
          "in its place: restore or mount it",
        { cause: e },
      );
    }
    // An unmounted disk's mount point (or a disk mounted over the store):
    // an empty directory that is not the store.
    if (dev !== this.#rootDev) {
      throw new StoreNotFoundError(
        `${op} ${key} in ${this.url} failed: the store's directory ${this.root} is on another ` +
          "filesystem than when it was used (its disk unmounted, or another mounted over it?); " +
          "nothing is written there: mount it again, or open the store anew to use what is there",
      );
    }
  }

  /**
   * `error`, or, when it is a missing key's and the root directory itself is
   * gone (removed or renamed while in use, never made), the same error as a
   * `StoreNotFoundError` that says so: a vanished store is not an empty one.
   */
  async #unlessRootGone(error: unknown): Promise<unknown> {
    if (!(error instanceof NotFoundError) || error instanceof IsDirectoryError) return error;
    try {
      await Deno.stat(this.root);
      return error;
    } catch (e) {
      if (!isMissing(e)) return error;
    }
    return new StoreNotFoundError(
      `${error.message} (the store's directory ${this.root} does not exist)`,
      { cause: error },
    );
  }

  #rootTooLong(): boolean {
    try {
      Deno.statSync(this.root);
      return false;
    } catch (e) {
      return isNameTooLong(e);
    }
  }

  /** Maps filesystem errors to vc's error classes, naming the key and store. */
  #fail(op: string, key: string, e: unknown): unknown {
    if (e instanceof VcError || !(e instanceof Error)) return e;
    const code = (e as { code?: unknown }).code;
    const what = `${op} ${key} in ${this.url} failed: ${e.message}`;
    if (e instanceof Deno.errors.NotFound) return new NotFoundError(what, { cause: e });
    // The store's own directory given with a name past 255 bytes: said so,
    // not by the system's "File name too long" on a cut path.
    if (isNameTooLong(e) && this.#rootTooLong()) {
      return new InvalidInputError(
        `${op} ${key} in ${this.url} failed: the store's directory ${shortened(this.root)} ` +
          tooLongReason(this.root),
        { cause: e },
      );
    }
    // A script's --allow-read / --allow-write that leave the store out: Deno
    // names one file in it (a temp file of vc's), the flag without a path.
    const denied = deniedWithin(e, this.root);
    if (denied !== undefined) {
      return new AccessDeniedError(
        `${op} ${key} in ${this.url} failed: this script may not ${denied} the store's ` +
          `directory ${this.root} (${e.message}); run with --allow-read=${this.root}${
            denied === "write" ? ` --allow-write=${this.root}` : ""
          }`,
        { cause: e },
      );
    }
    if (
      e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable ||
      code === "EROFS" || code === "EACCES" || code === "EPERM"
    ) {
      // What to do, as for a bucket's refusal: every key of a mirror or a
      // prefill fails the same, and its one line should say it.
      const access = op === "put" || op === "delete" ? "write" : "read";
      // Deno's `: open '/s/.k.vc-tmp-1-x'`: a name of vc's own, new at each try.
      const temp = /: [a-z_]+ '([^']*)'(?: -> '[^']*')?$/.exec(e.message);
      const said = temp !== null && isTempName(basename(temp[1]!))
        ? `${op} ${key} in ${this.url} failed: ${e.message.slice(0, temp.index)}`
        : what;
      if (isReadOnlyFs(e)) {
        // A read-only mount refuses root too, and no chmod mends it: the
        // file system, not one of its directories (whose names the OS
        // text adds, one line of a mirror's failures each), is the cause.
        const bare = temp === null ? what : `${op} ${key} in ${this.url} failed: ` +
          e.message.slice(0, temp.index);
        return new AccessDeniedError(
          `${bare}; the store's directory ${this.root} is on a read-only file system: ` +
            "remount it read-write, or use a store on a writable disk",
          { cause: e },
        );
      }
      return new AccessDeniedError(
        `${said}; give the user vc runs ${access} access to the store's directory ${this.root}`,
        { cause: e },
      );
    }
    if (Object.values(Deno.errors).some((cls) => e instanceof cls) || typeof code === "string") {
      return new StoreError(what, { cause: e });
    }
    return e; // abort reasons, TypeErrors from bad arguments, ...
  }
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

// rmdir(2) is only in node:fs, and the first node: module of a process
// brings up Deno's Node compatibility layer (13–50 ms): loaded when a
// directory is to go (a delete), not by every process that opens a store.
let nodeFsLoaded: Promise<typeof import("node:fs/promises")> | undefined;
function nodeFs(): Promise<typeof import("node:fs/promises")> {
  return nodeFsLoaded ??= import("node:fs/promises");
}

/**
 * Removes `dir` if it holds no key: empty, or holding only what writers that
 * died (`kill -9`) left there, their lock files, temp files and sidecars of
 * no object (a delete or a create killed between data and sidecar) (else a
 * directory whose keys were all deleted would stay forever, and a key of its
 * name could never be written). A live writer's lock or temp file keeps it.
 * Reads no further than the first other entry (a directory of many keys
 * costs one short read). True when it is gone.
 */
async function removeKeylessDir(dir: string): Promise<boolean> {
  const { rmdir } = await nodeFs();
  try {
    // rmdir(2): only an empty directory. Not Deno.remove, which unlinks a
    // file too: another writer's object that took the directory's place (a
    // put of `a/b` after `a/b/` emptied) would go with it.
    await rmdir(dir);
    return true;
  } catch {
    // Not empty (or not removable): see what is in it.
  }
  const locks: string[] = [];
  const sidecars: string[] = [];
  let temps = false;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.startsWith(lockName(""))) locks.push(entry.name);
      else if (sidecarBase(entry.name) !== undefined) sidecars.push(entry.name);
      else if (isTempName(entry.name)) temps = true;
      else return false;
    }
  } catch {
    return false;
  }
  for (const name of locks) if (!(await removeStaleLock(join(dir, name)))) return false;
  // Only sidecars with no object left (a key here would have ended the loop above).
  if (!(await sweepOrphanSidecars(dir, sidecars))) return false;
  if (temps) await sweepStaleTemps(dir);
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locks a put's temp file for as long as it is written (the lock goes with
 * the handle, at the commit or when the process dies), so a sweep tells it
 * from one a writer killed by `kill -9` left (`sweepStaleTemps`), without
 * the look at `/proc` the CLI's permissions may refuse. Where locks are
 * mandatory (Windows) or unsupported, only the pid and the age tell.
 */
function markLive(temp: AtomicFile): void {
  if (fsPlatform.mandatoryLocks) return;
  try {
    temp.file.tryLockSync(true);
  } catch {
    // No locks here: the sweep falls back to the file's age and pid.
  }
}
