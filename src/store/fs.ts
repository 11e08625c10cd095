/**
 * {@linkcode FsStore}: a local directory used as a bucket. It is vc's
 * embedded default store, so everything works without a cloud account, and
 * it behaves like S3 as far as {@linkcode ObjectStore} can tell.
 *
 * @module
 */
import { basename, dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import {
  AccessDeniedError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  NotModifiedError,
  PreconditionFailedError,
  StoreError,
  VcError,
} from "../errors.ts";
import { Md5, normalizeEtag } from "../hash.ts";
import { AtomicFile, isStaleTempFile, isTempName, writeFileAtomicSync } from "../atomic_write.ts";
import { forEachLimit, mapLimit } from "../pool.ts";
import type {
  DeleteOptions,
  GetOptions,
  GetResult,
  ListOptions,
  ListWarning,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "./types.ts";
import {
  compareKeys,
  INTERNAL_PREFIX,
  isValidSegment,
  keySegments,
  lockName,
  sidecarName,
} from "./fs_layout.ts";
import { acquireLock, type FileLock, tryAcquireLock } from "./fs_lock.ts";
import {
  type Fingerprint,
  fingerprint,
  fingerprintKey,
  md5OfOpenFile,
  readSidecar,
  sameFingerprint,
  type Sidecar,
  writeSidecar,
} from "./fs_meta.ts";
import { fileRangeStream } from "./fs_stream.ts";

const COPY_CHUNK = 1024 * 1024;
// Files described in parallel while listing one directory.
const LIST_PARALLEL = 32;
const DELETE_PARALLEL = 16;
// MD5s remembered for files whose sidecar cannot be written (read-only roots).
const MEMO_LIMIT = 10_000;
// Directories whose dead writers' temp files this store already swept on put.
const SWEPT_LIMIT = 10_000;

/**
 * A directory used as an S3-like bucket.
 *
 * - Key `a/b/c.csv` is the plain file `<root>/a/b/c.csv`, so the directory is
 *   useful without vc. Keys are validated (see `keySegments` in
 *   `fs_layout.ts`); invalid ones throw `InvalidInputError` naming the key.
 * - ETags are hex MD5s. They, user metadata and content type live in a hidden
 *   sidecar `.vc~meta~<name>.json` next to the file, trusted only while the
 *   file's size, mtime, inode and ctime are unchanged; otherwise the file is
 *   re-hashed (and the sidecar repaired when the directory is writable). So
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
  #memo = new Map<string, string>();
  #swept = new Set<string>();

  /**
   * Uses `rootDir` (created on first write) as the bucket.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "./fs.ts";
   * const store = new FsStore("/srv/assets");
   * assert(store.url === "file:///srv/assets");
   * ```
   */
  constructor(rootDir: string) {
    if (typeof rootDir !== "string" || rootDir === "" || rootDir.includes("\0")) {
      throw new InvalidInputError(`invalid FsStore root directory ${JSON.stringify(rootDir)}`);
    }
    this.root = resolve(rootDir);
    this.url = pathToFileURL(this.root).href;
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
  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const segs = keySegments(key);
    options.signal?.throwIfAborted();
    const name = segs.pop() as string;
    try {
      const dir = await this.#dirFor(key, segs, false);
      if (dir === undefined) return undefined;
      return await this.#infoAt(key, join(dir, name), true);
    } catch (e) {
      throw this.#fail("head", key, e);
    }
  }

  /**
   * The object's body (optionally a byte range) and its info. Throws
   * `NotFoundError` for a missing key, `NotModifiedError` when `ifNoneMatch`
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
    const segs = keySegments(key);
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
      const lst = await lstatOrUndefined(path);
      if (lst === undefined || !lst.isFile) throw notFound();
      try {
        file = await Deno.open(path, { read: true });
      } catch (e) {
        if (isMissing(e)) throw notFound();
        throw e;
      }
      const st = await file.stat();
      if (!st.isFile) throw notFound();
      const info = await this.#describe(key, path, st, { file, withMeta: true });
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, info.etag)) {
        throw new PreconditionFailedError(
          `${key} in ${this.url} has etag ${info.etag}, not ${options.ifMatch}`,
        );
      }
      if (options.ifNoneMatch !== undefined && etagMatches(options.ifNoneMatch, info.etag)) {
        throw new NotModifiedError(`${key} in ${this.url} is unchanged (etag ${info.etag})`);
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
      throw this.#fail("get", key, e);
    } finally {
      file?.close();
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
      segs = keySegments(key);
      if (options.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(options.md5)) {
        throw new InvalidInputError(`md5 option for ${key} is not a hex MD5: ${options.md5}`);
      }
      if (options.metadata !== undefined) checkMetadata(key, options.metadata);
      options.signal?.throwIfAborted();
    } catch (e) {
      await discard(body, e);
      throw e;
    }
    const name = segs.pop() as string;
    let temp: AtomicFile | undefined;
    try {
      const dir = await this.#dirFor(key, segs, true) as string;
      const target = join(dir, name);
      // Fail fast, before receiving the body; re-checked under the lock.
      await this.#checkPreconditions(key, target, options);
      await this.#sweepOnce(dir);
      temp = AtomicFile.create(target);
      const written = await this.#writeBody(key, temp.file, body, options);
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
      // Flush while waiting for the lock; the commit awaits it.
      temp.startSync();
      await this.#commit(key, dir, name, temp, written.md5, options);
      return { etag: written.md5 };
    } catch (e) {
      temp?.discard();
      await discard(body, e);
      throw this.#fail("put", key, e);
    }
  }

  /**
   * Every object whose key starts with `prefix` (which may end mid-name), in
   * UTF-8 byte order of keys, after `startAfter` when given. A missing root
   * lists nothing. Infos carry no metadata or content type. With
   * `etags: false` no file is read: a file without a valid sidecar is listed
   * with `etag: ""`. Files and directories that cannot be read are skipped
   * and reported to `onWarning` (default `console.warn`).
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
    const slash = prefix.lastIndexOf("/");
    const dirKey = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    const dirSegs = dirKey === "" ? [] : dirKey.slice(0, -1).split("/");
    // A prefix whose directory part no valid key can have matches nothing.
    if (!dirSegs.every(isValidSegment)) return;
    let dir: string | undefined;
    try {
      dir = await this.#dirFor(prefix, dirSegs, false);
    } catch (e) {
      throw this.#fail("list", prefix, e);
    }
    if (dir === undefined) return;
    const walk: WalkOptions = {
      startAfter: options.startAfter,
      signal: options.signal,
      etags: options.etags ?? true,
      warn: options.onWarning ?? ((w) => console.warn(`warning: ${w.message}`)),
    };
    yield* this.#walk(dir, dirKey, namePrefix, walk, true);
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
    const parsed = [...new Set(keys)].map((key) => ({ key, segs: keySegments(key) }));
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
  async copy(from: string, to: string, options: { ifNoneMatch?: "*" } = {}): Promise<PutResult> {
    keySegments(to);
    const { info, body } = await this.get(from);
    const putOptions: PutOptions = { md5: info.etag, size: info.size };
    if (info.metadata !== undefined) putOptions.metadata = info.metadata;
    if (info.contentType !== undefined) putOptions.contentType = info.contentType;
    if (options.ifNoneMatch !== undefined) putOptions.ifNoneMatch = options.ifNoneMatch;
    return await this.put(to, body, putOptions);
  }

  /**
   * Nothing to release: FsStore holds no handles between calls.
   *
   * @example
   * ```ts
   * import { FsStore } from "./fs.ts";
   * await new FsStore("/tmp").close();
   * ```
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  // --- directories -------------------------------------------------------

  async #rootPath(create: boolean): Promise<string | undefined> {
    if (this.#realRoot !== undefined) return this.#realRoot;
    if (create) await Deno.mkdir(this.root, { recursive: true });
    let real: string;
    try {
      real = await Deno.realPath(this.root);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    if (!(await Deno.stat(real)).isDirectory) {
      throw new InvalidInputError(`store root ${this.root} is not a directory`);
    }
    this.#realRoot = real;
    return real;
  }

  /**
   * The real path of the directory holding keys below `segs`, verified not to
   * pass through a link. Reading: `undefined` when it does not exist (or is a
   * link). Writing: created as needed; a link or file in the way throws.
   */
  async #dirFor(
    key: string,
    segs: readonly string[],
    create: boolean,
  ): Promise<string | undefined> {
    const root = await this.#rootPath(create);
    if (root === undefined) return undefined;
    if (segs.length === 0) return root;
    const expected = join(root, ...segs);
    try {
      const real = await Deno.realPath(expected);
      if (real === expected && (!create || (await Deno.stat(real)).isDirectory)) return real;
      if (!create) return undefined;
    } catch (e) {
      if (!isMissing(e)) throw e;
      if (!create) return undefined;
    }
    return await this.#makeDirs(key, root, segs);
  }

  async #makeDirs(key: string, root: string, segs: readonly string[]): Promise<string> {
    let dir = root;
    for (const [i, seg] of segs.entries()) {
      dir = join(dir, seg);
      try {
        await Deno.mkdir(dir);
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

  #conflict(key: string, other: string): InvalidInputError {
    return new InvalidInputError(
      `cannot store ${key} in ${this.url}: ${other} is ${
        other.length < key.length ? "an object" : "a directory of other keys"
      }, and a directory store cannot hold both a key and keys below it`,
    );
  }

  async #prune(dir: string): Promise<void> {
    const root = this.#realRoot;
    if (root === undefined) return;
    while (dir !== root && dir.startsWith(root + sep)) {
      try {
        await Deno.remove(dir); // only succeeds on an empty directory
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  // --- reading -----------------------------------------------------------

  async #infoAt(key: string, path: string, withMeta: boolean): Promise<ObjectInfo | undefined> {
    const st = await lstatOrUndefined(path);
    // Directories, links and special files are not objects.
    if (st === undefined || !st.isFile) return undefined;
    try {
      return await this.#describe(key, path, st, { withMeta });
    } catch (e) {
      if (isMissing(e)) return undefined; // deleted meanwhile
      throw e;
    }
  }

  /** Info of the file at `path` in state `st`, via its sidecar or by hashing. */
  async #describe(
    key: string,
    path: string,
    st: Deno.FileInfo,
    options: { withMeta: boolean; file?: Deno.FsFile; sidecarExists?: boolean; hash?: boolean },
  ): Promise<ObjectInfo> {
    const scPath = join(dirname(path), sidecarName(basename(path)));
    let fp = fingerprint(st);
    const sc = options.sidecarExists === false ? undefined : await readSidecar(scPath);
    let md5: string;
    let known: Sidecar | undefined;
    if (sc !== undefined && sameFingerprint(sc, fp)) {
      md5 = sc.md5;
      known = sc;
    } else if (options.hash === false) {
      md5 = ""; // unknown: the caller asked not to read contents
    } else {
      const hashed = await this.#hash(path, fp, options.file);
      md5 = hashed.md5;
      fp = hashed.fp;
      // Same content as the sidecar recorded (e.g. the directory was copied
      // or touched): its metadata still describes this object.
      known = sc?.md5 === md5 ? sc : undefined;
      await this.#repairSidecar(path, scPath, fp, md5, known);
    }
    const info: ObjectInfo = {
      key,
      size: fp.size,
      etag: md5,
      lastModified: new Date(fp.mtimeMs),
    };
    if (options.withMeta) {
      // Like S3Store: `{}` rather than absent when the object has none.
      info.metadata = { ...known?.metadata };
      if (known?.contentType !== undefined) info.contentType = known.contentType;
    }
    return info;
  }

  /** MD5 of the file, hashed through a handle so hash and fingerprint agree. */
  async #hash(
    path: string,
    fp: Fingerprint,
    file: Deno.FsFile | undefined,
  ): Promise<{ md5: string; fp: Fingerprint }> {
    const cached = this.#memo.get(`${path}\0${fingerprintKey(fp)}`);
    if (cached !== undefined) return { md5: cached, fp };
    let md5: string;
    if (file !== undefined) {
      md5 = await md5OfOpenFile(file);
    } else {
      using f = await Deno.open(path, { read: true });
      fp = fingerprint(await f.stat());
      md5 = await md5OfOpenFile(f);
    }
    if (this.#memo.size >= MEMO_LIMIT) {
      const oldest = this.#memo.keys().next();
      if (!oldest.done) this.#memo.delete(oldest.value);
    }
    this.#memo.set(`${path}\0${fingerprintKey(fp)}`, md5);
    return { md5, fp };
  }

  /**
   * Rewrites a stale sidecar, best-effort: skipped when the key's lock is
   * busy (a writer will write a fresh one) or cannot be taken (read-only
   * root), and when the file changed again since it was hashed.
   */
  async #repairSidecar(
    path: string,
    scPath: string,
    fp: Fingerprint,
    md5: string,
    known: Sidecar | undefined,
  ): Promise<void> {
    const lock = await tryAcquireLock(join(dirname(path), lockName(basename(path))));
    if (lock === undefined) return;
    try {
      const now = await Deno.lstat(path);
      if (!sameFingerprint(fingerprint(now), fp)) return;
      writeSidecar(scPath, sidecarFor(md5, fp, known?.metadata, known?.contentType));
    } catch {
      // Best-effort: EROFS, EACCES, ENOSPC, or the file vanished.
    } finally {
      await lock.release();
    }
  }

  async *#walk(
    dir: string,
    dirKey: string,
    namePrefix: string,
    opts: WalkOptions,
    top: boolean,
  ): AsyncGenerator<ObjectInfo> {
    const { startAfter, signal } = opts;
    signal?.throwIfAborted();
    const entries: { name: string; sortKey: string; isDir: boolean }[] = [];
    const sidecars = new Set<string>();
    const temps: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.name.startsWith(INTERNAL_PREFIX)) {
          if (e.isFile) sidecars.add(e.name);
          continue;
        }
        if (isTempName(e.name)) {
          if (e.isFile) temps.push(e.name);
          continue;
        }
        if (!e.name.startsWith(namePrefix) || !isValidSegment(e.name)) continue;
        // Links (e.isSymlink) and special files are not objects.
        if (e.isDirectory) entries.push({ name: e.name, sortKey: `${e.name}/`, isDir: true });
        else if (e.isFile) entries.push({ name: e.name, sortKey: e.name, isDir: false });
      }
    } catch (e) {
      if (isMissing(e)) return; // removed while we walked
      if (top) throw this.#fail("list", dirKey, e);
      opts.warn(this.#warning(dirKey, "skipped directory", e));
      return;
    }
    await this.#sweep(dir, temps);
    // Sorting by name + "/" for directories puts each directory's keys
    // exactly where S3 would: "a-b" < "a.b" < "a/…" < "a0".
    entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    let batch: { key: string; path: string }[] = [];
    const flush = async function* (this: FsStore): AsyncGenerator<ObjectInfo> {
      signal?.throwIfAborted();
      const infos = await mapLimit(batch, LIST_PARALLEL, async ({ key, path }) => {
        try {
          const st = await lstatOrUndefined(path);
          if (st === undefined || !st.isFile) return undefined;
          return await this.#describe(key, path, st, {
            withMeta: false,
            sidecarExists: sidecars.has(sidecarName(basename(path))),
            hash: opts.etags,
          });
        } catch (e) {
          if (isMissing(e)) return undefined;
          // One unreadable file must not fail the whole listing.
          opts.warn(this.#warning(key, "skipped", e));
          return undefined;
        }
      });
      batch = [];
      for (const info of infos) if (info !== undefined) yield info;
    };
    for (const entry of entries) {
      if (entry.isDir) {
        const sub = dirKey + entry.sortKey;
        if (
          startAfter !== undefined && compareKeys(sub, startAfter) < 0 &&
          !startAfter.startsWith(sub)
        ) {
          continue; // every key below sorts before startAfter
        }
        yield* flush.call(this);
        yield* this.#walk(join(dir, entry.name), sub, "", opts, false);
      } else {
        const key = dirKey + entry.name;
        if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
        batch.push({ key, path: join(dir, entry.name) });
        if (batch.length >= LIST_PARALLEL * 4) yield* flush.call(this);
      }
    }
    yield* flush.call(this);
  }

  #warning(key: string, what: string, e: unknown): ListWarning {
    const reason = e instanceof Error ? e.message : String(e);
    return { key, message: `list ${this.url}: ${what} ${key}: ${reason}`, cause: e };
  }

  /**
   * Removes temp files whose writer is gone (`isStaleTempFile`: a dead pid on
   * this host, or older than a day), so a `kill -9` mid-put leaves no
   * debris for long. Best-effort: a read-only directory keeps them.
   */
  async #sweep(dir: string, temps: readonly string[]): Promise<void> {
    if (temps.length === 0) return;
    const now = Date.now();
    for (const name of temps) {
      const path = join(dir, name);
      try {
        const st = await Deno.lstat(path);
        if (st.isFile && isStaleTempFile(name, st.mtime, now)) await Deno.remove(path);
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  }

  /** Sweeps `dir` the first time this store writes into it. */
  async #sweepOnce(dir: string): Promise<void> {
    if (this.#swept.has(dir)) return;
    if (this.#swept.size >= SWEPT_LIMIT) this.#swept.clear();
    this.#swept.add(dir);
    const temps: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) if (isTempName(e.name)) temps.push(e.name);
    } catch {
      return; // best-effort
    }
    await this.#sweep(dir, temps);
  }

  // --- writing -----------------------------------------------------------

  async #checkPreconditions(key: string, target: string, options: PutOptions): Promise<void> {
    if (options.ifNoneMatch === "*") {
      const st = await lstatOrUndefined(target);
      if (st?.isDirectory) throw this.#conflict(key, `${key}/`);
      if (st !== undefined) {
        throw new PreconditionFailedError(`${key} already exists in ${this.url}`);
      }
    }
    if (options.ifMatch !== undefined) {
      const current = await this.#infoAt(key, target, false);
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

  async #writeBody(
    key: string,
    file: Deno.FsFile,
    body: PutBody,
    options: PutOptions,
  ): Promise<{ md5: string; size: number }> {
    const md5 = new Md5();
    let size = 0;
    const write = async (chunk: Uint8Array) => {
      md5.update(chunk);
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
      size += chunk.length;
      options.onProgress?.(size);
    };
    const signal = options.signal;
    if (body instanceof Uint8Array) {
      await write(body);
    } else if (body instanceof ReadableStream) {
      const reader = body.getReader();
      // Cancelling unblocks a read that is waiting on a stalled source.
      const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        for (;;) {
          const { done, value } = await reader.read();
          signal?.throwIfAborted();
          if (done) break;
          if (!(value instanceof Uint8Array)) {
            throw new TypeError(`body stream for ${key} yielded a non-Uint8Array chunk`);
          }
          await write(value);
        }
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw e;
      } finally {
        signal?.removeEventListener("abort", onAbort);
        reader.releaseLock();
      }
    } else if (typeof body === "object" && body !== null && typeof body.path === "string") {
      let src: Deno.FsFile;
      try {
        src = await Deno.open(body.path, { read: true });
      } catch (e) {
        if (isMissing(e)) {
          throw new NotFoundError(`source file ${body.path} for ${key} does not exist`, {
            cause: e,
          });
        }
        throw e;
      }
      using _src = src;
      const buf = new Uint8Array(COPY_CHUNK);
      for (;;) {
        signal?.throwIfAborted();
        const n = await src.read(buf);
        if (n === null) break;
        await write(buf.subarray(0, n));
      }
    } else {
      throw new TypeError(
        `unsupported body for ${key}: expected Uint8Array, ReadableStream or {path}`,
      );
    }
    signal?.throwIfAborted();
    return { md5: md5.hex(), size };
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
    const lock = await this.#lock(dir, name, options.signal);
    try {
      await this.#checkPreconditions(key, target, options);
      // The sidecar is written first, describing the temp file's inode (a
      // rename or link keeps it; the ctime they change is left out), so a
      // failed sidecar write (ENOSPC) fails the put before anything is
      // committed, and the data rename is the single commit point.
      const st = await temp.file.stat();
      const metadata = options.metadata === undefined ? undefined : lowerKeys(options.metadata);
      let previous: Uint8Array | undefined;
      try {
        previous = Deno.readFileSync(scPath);
      } catch {
        // No sidecar yet.
      }
      writeSidecar(
        scPath,
        sidecarFor(md5, { ...fingerprint(st), ctimeMs: null }, metadata, options.contentType),
        // Metadata cannot be rebuilt from the data; an MD5 can.
        metadata !== undefined || options.contentType !== undefined,
      );
      try {
        await temp.commitBy((path) =>
          options.ifNoneMatch === "*"
            ? this.#linkNew(key, path, target)
            : this.#renameOver(key, path, target)
        );
      } catch (e) {
        // The object was not replaced: give it its sidecar back.
        try {
          if (previous === undefined) Deno.removeSync(scPath);
          else writeFileAtomicSync(scPath, previous, { durable: false });
        } catch {
          // Best-effort: a sidecar that does not match is ignored anyway.
        }
        throw e;
      }
    } finally {
      await lock.release();
    }
  }

  /** Create-once: `link` fails if the target exists, atomically, even across processes. */
  async #linkNew(key: string, tmp: string, target: string): Promise<void> {
    try {
      await Deno.link(tmp, target);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) {
        if ((await lstatOrUndefined(target))?.isDirectory) throw this.#conflict(key, `${key}/`);
        throw new PreconditionFailedError(`${key} already exists in ${this.url}`, { cause: e });
      }
      // No hard links here (FAT, some network filesystems): the absence check
      // just done under the lock is what makes this create-once.
      await this.#renameOver(key, tmp, target);
    }
  }

  async #renameOver(key: string, tmp: string, target: string): Promise<void> {
    try {
      await Deno.rename(tmp, target);
    } catch (e) {
      const st = await lstatOrUndefined(target);
      if (st === undefined || !st.isDirectory) throw e;
      // An empty directory (e.g. left behind by hand) can give way; one with
      // keys below it cannot.
      try {
        await Deno.remove(target);
      } catch {
        throw this.#conflict(key, `${key}/`);
      }
      await Deno.rename(tmp, target);
    }
  }

  async #lock(dir: string, name: string, signal: AbortSignal | undefined): Promise<FileLock> {
    return await acquireLock(join(dir, lockName(name)), signal === undefined ? {} : { signal });
  }

  async #deleteOne(key: string, segs: string[], ifMatch: string | undefined): Promise<void> {
    const name = segs.pop() as string;
    const dir = await this.#dirFor(key, segs, false);
    if (dir === undefined) return;
    const target = join(dir, name);
    const scPath = join(dir, sidecarName(name));
    // Nothing there: no lock needed (and none possible on a read-only root).
    if (
      (await lstatOrUndefined(target))?.isFile !== true &&
      (await lstatOrUndefined(scPath)) === undefined
    ) return;
    let lock: FileLock;
    try {
      lock = await this.#lock(dir, name, undefined);
    } catch (e) {
      if (isMissing(e)) return; // the directory went away: nothing left to delete
      throw e;
    }
    try {
      if (ifMatch !== undefined) {
        const current = await this.#infoAt(key, target, false);
        if (current === undefined) return; // missing: nothing to delete, as on S3
        if (!etagMatches(ifMatch, current.etag)) {
          throw new PreconditionFailedError(
            `delete ${key} in ${this.url}: its etag is ${current.etag}, not ${ifMatch} (ifMatch)`,
          );
        }
      }
      if ((await lstatOrUndefined(target))?.isFile) await removeIfExists(target);
      await removeIfExists(scPath);
    } finally {
      await lock.release();
    }
    await this.#prune(dir);
  }

  /** Maps filesystem errors to vc's error classes, naming the key and store. */
  #fail(op: string, key: string, e: unknown): unknown {
    if (e instanceof VcError || !(e instanceof Error)) return e;
    const code = (e as { code?: unknown }).code;
    const what = `${op} ${key} in ${this.url} failed: ${e.message}`;
    if (e instanceof Deno.errors.NotFound) return new NotFoundError(what, { cause: e });
    if (
      e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable ||
      code === "EROFS" || code === "EACCES" || code === "EPERM"
    ) {
      return new AccessDeniedError(what, { cause: e });
    }
    if (Object.values(Deno.errors).some((cls) => e instanceof cls) || typeof code === "string") {
      return new StoreError(what, { cause: e });
    }
    return e; // abort reasons, TypeErrors from bad arguments, ...
  }
}

/** How one listing walks (see {@linkcode FsStore.list}). */
interface WalkOptions {
  startAfter: string | undefined;
  signal: AbortSignal | undefined;
  etags: boolean;
  warn: (warning: ListWarning) => void;
}

function sidecarFor(
  md5: string,
  fp: Fingerprint,
  metadata: Record<string, string> | undefined,
  contentType: string | undefined,
): Sidecar {
  const sc: Sidecar = { md5, ...fp };
  if (metadata !== undefined) sc.metadata = metadata;
  if (contentType !== undefined) sc.contentType = contentType;
  return sc;
}

/**
 * The same rules S3Store applies (metadata travels as HTTP headers there), so
 * code tested against a directory does not break on S3.
 */
function checkMetadata(key: string, metadata: Record<string, string>): void {
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new InvalidInputError(
        `metadata name ${JSON.stringify(name)} for ${key} is not a valid header name`,
      );
    }
    if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value)) {
      throw new InvalidInputError(
        `metadata ${name}=${JSON.stringify(value)} for ${key} must be printable ASCII`,
      );
    }
  }
}

// S3 lower-cases metadata names (they travel as HTTP headers).
function lowerKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
}

function checkRange(key: string, range: { start: number; end?: number }): void {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) || start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new InvalidInputError(`invalid range ${start}-${end ?? ""} for ${key}`);
  }
}

/** HTTP-style ETag match: `*` matches anything, otherwise any listed ETag. */
function etagMatches(condition: string, etag: string): boolean {
  if (condition.trim() === "*") return true;
  return condition.split(",").some((c) => normalizeEtag(c.trim()) === etag);
}

function isMissing(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

/** Releases a body the put will not read (a stream would otherwise stay locked open). */
async function discard(body: PutBody, reason: unknown): Promise<void> {
  if (body instanceof ReadableStream && !body.locked) await body.cancel(reason).catch(() => {});
}
