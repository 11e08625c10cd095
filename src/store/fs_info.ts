/**
 * What {@linkcode FsStore} knows about one file: size, mtime and its ETag,
 * from the metadata sidecar while it matches the file, else by hashing the
 * content (remembered per file state, and written back to the sidecar when
 * the directory allows); plus the small filesystem helpers the store shares.
 *
 * @module
 */
import { basename, dirname, join } from "../path.ts";
import type { ObjectInfo } from "./types.ts";
import { lockName, sidecarName } from "./fs_layout.ts";
import { tryAcquireLock } from "./fs_lock.ts";
import {
  describing,
  type Fingerprint,
  fingerprint,
  fingerprintKey,
  md5OfOpenFile,
  readSidecar,
  sameFingerprint,
  type Sidecar,
  writeSidecar,
} from "./fs_meta.ts";
import { isRacy, SETTLE_MS, settledValidator } from "./fs_validator.ts";
import { etagMatches } from "./object_rules.ts";
import { md5Hex, noteContentMd5 } from "../hash.ts";
import { isMissing, lstatOrUndefined } from "../file_status.ts";

// MD5s remembered for files whose sidecar cannot or must not be written
// (read-only roots, stores opened with `sidecars: "read-only"`).
const MEMO_LIMIT = 10_000;

// Whether an MD5 may be remembered against fingerprint `fp` (in the memo or
// a sidecar): only a state settled when it was statted at `statAt`. A
// fingerprint of a file changed within a timestamp tick of its stat is also
// the fingerprint of the next same-size write in that tick (a kernel's
// coarse clock stamps writes milliseconds apart alike): remembered, that
// write's content would be given the old ETag.
function settled(fp: Fingerprint, statAt: number): boolean {
  return !isRacy({ mtimeMs: fp.mtimeMs, ctimeMs: fp.ctimeMs ?? fp.mtimeMs }, statAt);
}

// How long the MD5 of a racy state answers ranged reads that name it (see
// `recentFor`): by then the state is settled (mtime SETTLE_MS old, ctime's
// whole second past), so the next hash of it is remembered for good.
const RECENT_MS = SETTLE_MS + 1000;
// Racy states remembered at once: a download reads one file.
const RECENT_LIMIT = 64;

/** How far a file without a valid sidecar is hashed for its ETag (seconds a GB). */
export interface FsHashProgress {
  /** The object's key. */
  key: string;
  /** Bytes hashed so far (0 when the hashing starts). */
  bytes: number;
  /** The file's size. */
  total: number;
}

/** Options for {@linkcode FileDescriber.describe}. */
export interface DescribeOptions {
  /** Include user metadata and content type. */
  withMeta: boolean;
  /** An open handle to hash through, so the hash is of the bytes being served. */
  file?: Deno.FsFile;
  /**
   * The file's whole content, read through `file` in state `st`
   * (`readSettledWhole`): hashed instead of the file, which is not read again.
   */
  content?: Uint8Array;
  /** Known from a directory listing: `false` skips looking for a sidecar. */
  sidecarExists?: boolean;
  /** `false`: never read content; the ETag is `""` (unknown) when no sidecar is valid. */
  hash?: boolean;
  /**
   * The If-Match of a ranged read: one part of a download that holds this
   * ETag and checks the assembled content against it. A racy state hashed
   * moments ago to a matching MD5 answers it without a new hash.
   */
  rangeIfMatch?: string;
  /** Stops a hashing of the file between its reads (with its reason). */
  signal?: AbortSignal | undefined;
}

/**
 * Describes the files of a directory store, hashing lazily: only when no
 * valid sidecar knows the MD5 and the caller needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileDescriber } from "./fs_info.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "a");
 * const files = new FileDescriber();
 * const st = await Deno.lstat(`${dir}/a.txt`);
 * const cheap = await files.describe("a.txt", `${dir}/a.txt`, st, { withMeta: false, hash: false });
 * assert.equal(cheap.etag, "");
 * const info = await files.infoAt("a.txt", `${dir}/a.txt`, true);
 * assert.equal(info?.etag, "0cc175b9c0f1b6a831c399e269772661");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileDescriber {
  #memo = new Map<string, string>();
  // MD5s of racy states (never in #memo), each with when it stops answering.
  #recent = new Map<string, { md5: string; until: number }>();
  #repair: boolean;
  #onHashProgress: ((progress: FsHashProgress) => void) | undefined;

  /**
   * `repair: false` never writes a sidecar (nor takes a key lock to do so);
   * `onHashProgress` is told how far a file is hashed for its ETag.
   */
  constructor(
    options: { repair?: boolean; onHashProgress?: (progress: FsHashProgress) => void } = {},
  ) {
    this.#repair = options.repair ?? true;
    this.#onHashProgress = options.onHashProgress;
  }

  /**
   * Info of the regular file at `path`; `undefined` when missing, a link or
   * a directory. `signal` stops a hashing of it.
   */
  async infoAt(
    key: string,
    path: string,
    withMeta: boolean,
    signal?: AbortSignal,
  ): Promise<ObjectInfo | undefined> {
    const st = await lstatOrUndefined(path);
    // Directories, links and special files are not objects.
    if (st === undefined || !st.isFile) return undefined;
    try {
      return await this.describe(key, path, st, { withMeta, signal });
    } catch (e) {
      if (isMissing(e)) return undefined; // deleted meanwhile
      throw e;
    }
  }

  /** Info of the file at `path` in state `st`, via its sidecar or by hashing. */
  async describe(
    key: string,
    path: string,
    st: Deno.FileInfo,
    options: DescribeOptions,
  ): Promise<ObjectInfo> {
    // Within microseconds of `st`'s stat: far inside the validator's margin.
    let statAt = Date.now();
    const scPath = join(dirname(path), sidecarName(basename(path)));
    let fp = fingerprint(st);
    const sc = options.sidecarExists === false ? undefined : await readSidecar(scPath);
    let md5: string;
    let known: Sidecar | undefined;
    const current = describing(sc, fp);
    if (current !== undefined) {
      md5 = current.md5;
      known = current;
    } else if (options.hash === false) {
      md5 = ""; // unknown: the caller asked not to read contents
    } else {
      const hashed = await this.#hash(key, path, fp, statAt, options);
      md5 = hashed.md5;
      fp = hashed.fp;
      statAt = hashed.statAt;
      if (hashed.st !== undefined) st = hashed.st;
      // Same content as the sidecar recorded (e.g. the directory was copied
      // or touched): its metadata still describes this object.
      known = [sc, sc?.previous].find((c) => c?.md5 === md5);
      if (this.#repair && settled(fp, statAt)) {
        await repairSidecar(path, scPath, fp, md5, known);
      }
    }
    const info: ObjectInfo = {
      key,
      size: fp.size,
      etag: md5,
      lastModified: new Date(fp.mtimeMs),
    };
    // The state the ETag is of, when it can be trusted later (fs_validator.ts);
    // with no ETag (`hash: false`), the state listed: a caller that knows
    // the ETag of that state (`vc mirror`'s state file) need not read it.
    const validator = settledValidator(st, statAt);
    if (validator !== undefined) info.validator = validator;
    if (options.withMeta) {
      // Like S3Store: `{}` rather than absent when the object has none.
      info.metadata = { ...known?.metadata };
      if (known?.contentType !== undefined) info.contentType = known.contentType;
    }
    return info;
  }

  /**
   * MD5 of the file, hashed through a handle (or its content read through
   * one) so hash and fingerprint agree; `fp` is the state statted at
   * `statAt`, and a state of its own is taken when there is no handle.
   */
  async #hash(
    key: string,
    path: string,
    fp: Fingerprint,
    statAt: number,
    options: DescribeOptions,
  ): Promise<{ md5: string; fp: Fingerprint; st?: Deno.FileInfo; statAt: number }> {
    const { file, content } = options;
    const looked = stateId(path, fp);
    const cached = this.#memo.get(looked) ?? this.#recentFor(looked, options.rangeIfMatch);
    if (cached !== undefined) return { md5: cached, fp, statAt };
    let md5: string;
    let st: Deno.FileInfo | undefined;
    const report = this.#onHashProgress;
    const progress = (total: number) =>
      report && ((bytes: number) => report({ key, bytes, total: Math.max(total, bytes) }));
    if (content !== undefined) {
      const told = progress(fp.size);
      told?.(0);
      md5 = md5Hex(content);
      // These bytes are what `get` serves: the download need not hash them again.
      noteContentMd5(content, md5);
      told?.(content.length);
    } else if (file !== undefined) {
      md5 = await md5OfOpenFile(file, fp.size, progress(fp.size), options.signal);
    } else {
      using f = await Deno.open(path, { read: true });
      statAt = Date.now();
      st = await f.stat();
      // Not the file looked at (`fp`): a link swapped in meanwhile is not
      // hashed through (its target may be outside the store); a file a put
      // renamed into place is, once the name is seen to hold it.
      if (!st.isFile || (fp.ino !== null && st.ino !== fp.ino)) {
        const now = await Deno.lstat(path);
        if (!now.isFile || now.ino !== st.ino || now.dev !== st.dev) {
          throw new Deno.errors.NotFound(`${path} is no longer the regular file looked at`);
        }
      }
      fp = fingerprint(st);
      md5 = await md5OfOpenFile(f, st.size, progress(st.size), options.signal);
    }
    // The state hashed: `fp` again, or the handle's own when there was none.
    const hashed = stateId(path, fp);
    if (settled(fp, statAt)) setBounded(this.#memo, hashed, md5, MEMO_LIMIT);
    else this.#rememberRecent(hashed, md5);
    return st === undefined ? { md5, fp, statAt } : { md5, fp, st, statAt };
  }

  /**
   * The MD5 of racy state `id` hashed moments ago, for a ranged read whose
   * If-Match it matches. A file just dropped into the store and downloaded
   * in parallel ranges was hashed whole again for every range (a GB: each
   * for seconds) until it settled. A same-tick same-size edit since that
   * hash (the reason racy states are not in #memo) goes unseen here only for
   * the parts of a download, which checks what it assembled against the
   * ETag; a HEAD or a whole GET still hashes.
   */
  #recentFor(id: string, rangeIfMatch: string | undefined): string | undefined {
    if (rangeIfMatch === undefined) return undefined;
    const recent = this.#recent.get(id);
    if (recent === undefined || Date.now() >= recent.until) return undefined;
    return etagMatches(rangeIfMatch, recent.md5) ? recent.md5 : undefined;
  }

  #rememberRecent(id: string, md5: string): void {
    const now = Date.now();
    for (const [k, v] of this.#recent) if (now >= v.until) this.#recent.delete(k);
    setBounded(this.#recent, id, { md5, until: now + RECENT_MS }, RECENT_LIMIT);
  }
}

// A file state's key in the memories: its path and fingerprint.
function stateId(path: string, fp: Fingerprint): string {
  return `${path}\0${fingerprintKey(fp)}`;
}

// Sets `key` in `map`, first dropping its oldest entry when it holds `limit`.
function setBounded<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  if (map.size >= limit) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * Rewrites a stale sidecar, best-effort: skipped when the key's lock is
 * busy (a writer will write a fresh one) or cannot be taken (read-only
 * root), when the file changed again since it was hashed, and when its
 * sidecar already describes it (a put's, holding metadata).
 */
async function repairSidecar(
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
    // A put that committed this very state since the caller read the
    // sidecar (or, in a listing, the directory) wrote its own, with the
    // metadata and content type the caller never saw: it stays.
    const current = await readSidecar(scPath);
    if (current?.md5 === md5 && sameFingerprint(current, fp)) return;
    writeSidecar(scPath, sidecarFor(md5, fp, known?.metadata, known?.contentType));
  } catch {
    // Best-effort: EROFS, EACCES, ENOSPC, or the file vanished.
  } finally {
    await lock.release();
  }
}

/**
 * The sidecar content for a file state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarFor } from "./fs_info.ts";
 * const sc = sidecarFor("d41d8cd98f00b204e9800998ecf8427e", { size: 0, mtimeMs: 1, ino: 2, ctimeMs: null }, { a: "b" }, undefined);
 * assert.deepEqual(sc.metadata, { a: "b" });
 * assert.equal("contentType" in sc, false);
 * ```
 */
export function sidecarFor(
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

// The store's looks that take a missing path for none: vc's one copy.
