/**
 * Per-entry metadata records of the asset cache: one small JSON file per
 * cached object in the hidden `.meta` tree. The record says which version of
 * the object the data file holds and when it was last checked against the
 * store. Last use is the record file's mtime, so marking an entry as used is
 * one `utime` call instead of a JSON rewrite. The record file doubles as the
 * entry's cross-process lock (`entry_lock.ts`), so while a first download
 * runs it exists but is empty, which reads as a miss.
 *
 * Records are tiny files in the (local) cache dir, so they are read and
 * written with synchronous calls: in Deno a synchronous open/stat/rename
 * costs a fraction of the asynchronous one's round trip through the I/O
 * thread pool, which dominates the cost of caching small objects.
 *
 * @module
 */
import { dirname } from "../path.ts";

/** What the cache knows about one cached object. */
export interface EntryMeta {
  /** Canonical URI of the object. */
  uri: string;
  /** ETag of the cached version (no quotes). */
  etag: string;
  /** Size of the cached data in bytes. */
  size: number;
  /** Hex MD5 of the data when known (plain ETag or `vc-md5` metadata); used by `verify`. */
  md5?: string;
  /**
   * Hex SHA-256 of the data when it was checked against an integrity lock
   * entry (at download, or once when a locked read found it cached).
   */
  sha256?: string;
  /** When the ETag was last confirmed with the store (ms since the epoch). */
  validatedAt: number;
  /** Multipart part sizes learned from the store (the last repeats), to verify again. */
  partSizes?: number[];
  /** The store said the object no longer exists (at `validatedAt`): never served as fresh. */
  gone?: boolean;
  /**
   * The data file's modification time (ms since the epoch) when the cache
   * wrote it. A data file with another one was changed in place after the
   * download (a user's edit, even one that keeps the size): it is not
   * served, and the next use downloads it again. Absent in records of
   * earlier versions (then only the size is checked).
   */
  mtime?: number;
  /**
   * The store said the ETag is not a hash of the content although it may
   * look like one (SSE-KMS, SSE-C): checks never take it for the MD5.
   */
  opaqueEtag?: boolean;
  /**
   * The store's own checksum the download was checked with, as
   * `ALGORITHM:base64` (`CRC64NVME:rosUhgp5mIg=`), when no MD5 could be (an
   * opaque ETag without `vc-md5`, a multipart ETag no part sizes explain).
   * Absent when the ETag or `vc-md5` was the check.
   */
  checksum?: string;
  /**
   * The store's token of the source's state this ETag is of (see
   * `ObjectInfo.validator`; a `file://` source: its device, inode, size,
   * mtime and ctime): while the store still gives it, a revalidation takes
   * the ETag as unchanged without the store hashing the file again. Absent
   * in records of earlier versions and for sources without one (then the
   * store is asked as usual).
   */
  validator?: string;
  /**
   * The copy was taken from a `file://` source changed within the racy
   * window, which may have been still being written (a file another machine
   * copies into a shared folder looks like a finished one): it is not
   * trusted for the TTL, the next use asks the store again (an immutable
   * entry excepted). Absent for any other copy.
   */
  unsettled?: true;
}

/** A record read back from disk, with its last-use time. */
export interface StoredMeta extends EntryMeta {
  /** Last use (ms since the epoch): the record file's mtime. */
  lastUsed: number;
}

interface MetaJson {
  v: 1;
  uri: string;
  etag: string;
  size: number;
  md5?: string;
  sha256?: string;
  validatedAt: string;
  partSizes?: number[];
  gone?: true;
  mtime?: number;
  opaqueEtag?: true;
  validator?: string;
  checksum?: string;
  unsettled?: true;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Reads a record; `undefined` when it is missing or unreadable (a torn or
 * foreign file just makes the entry a cache miss).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMeta, writeMeta } from "./entry_meta.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   writeMeta(`${dir}/a/x.json`, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   const m = readMeta(`${dir}/a/x.json`);
 *   assert(m?.etag === "e" && m.lastUsed > 0);
 *   assert(readMeta(`${dir}/missing.json`) === undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function readMeta(path: string): StoredMeta | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
  try {
    const stat = file.statSync();
    // Empty: a download holds (or held) the entry's lock and has not written
    // the record yet. Records are tiny; a large file is not one of ours.
    if (!stat.isFile || stat.size === 0 || stat.size > 64 * 1024) return undefined;
    const buf = new Uint8Array(stat.size);
    let off = 0;
    while (off < buf.length) {
      const n = file.readSync(buf.subarray(off));
      if (n === null) break;
      off += n;
    }
    const parsed = decodeMeta(decoder.decode(buf.subarray(0, off)));
    if (parsed === undefined) return undefined;
    return { ...parsed, lastUsed: stat.mtime?.getTime() ?? 0 };
  } catch {
    // A read that fails once the file is open (e.g. Windows refusing to read
    // a range another process has locked) is a miss like a torn record: the
    // caller then takes the entry lock and looks again.
    return undefined;
  } finally {
    file.close();
  }
}

/**
 * Parses a record's JSON text; `undefined` when it is not a valid record
 * (torn, foreign, or of another version).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMeta, encodeMeta } from "./entry_meta.ts";
 * const text = new TextDecoder().decode(encodeMeta({ uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 }));
 * assert.equal(decodeMeta(text)?.etag, "e");
 * assert.equal(decodeMeta('{"v":1'), undefined);
 * ```
 */
export function decodeMeta(text: string): EntryMeta | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Partial<MetaJson>;
  if (
    r.v !== 1 || typeof r.uri !== "string" || typeof r.etag !== "string" ||
    typeof r.size !== "number" || !Number.isSafeInteger(r.size) || r.size < 0 ||
    typeof r.validatedAt !== "string"
  ) return undefined;
  const validatedAt = Date.parse(r.validatedAt);
  if (Number.isNaN(validatedAt)) return undefined;
  // An optional field that is there with a value vc never writes (a hand
  // edit, another tool, bit rot that kept the JSON valid) makes the whole
  // record unreadable, as a torn one is: dropping just that field would
  // weaken the checks it stands for (no `mtime`: an edit at the same size
  // is served; no `gone`: a deleted object is served again).
  if (!optionalFieldsValid(r)) return undefined;
  const meta: EntryMeta = { uri: r.uri, etag: r.etag, size: r.size, validatedAt };
  if (r.md5 !== undefined) meta.md5 = r.md5;
  if (r.sha256 !== undefined) meta.sha256 = r.sha256;
  if (r.partSizes !== undefined) meta.partSizes = r.partSizes;
  if (r.gone === true) meta.gone = true;
  if (r.mtime !== undefined) meta.mtime = r.mtime;
  if (r.opaqueEtag === true) meta.opaqueEtag = true;
  if (r.validator !== undefined) meta.validator = r.validator;
  if (r.checksum !== undefined) meta.checksum = r.checksum;
  if (r.unsettled === true) meta.unsettled = true;
  return meta;
}

const HEX_MD5 = /^[0-9a-fA-F]{32}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const RECORDED_CHECKSUM = /^(CRC64NVME|CRC32C?|SHA1|SHA256):[A-Za-z0-9+/]+={0,2}$/;

/** Whether each optional field of a record is absent or holds what `metaJson` writes there. */
function optionalFieldsValid(r: Partial<MetaJson>): boolean {
  return (r.md5 === undefined || (typeof r.md5 === "string" && HEX_MD5.test(r.md5))) &&
    (r.sha256 === undefined || (typeof r.sha256 === "string" && HEX_SHA256.test(r.sha256))) &&
    (r.partSizes === undefined ||
      (Array.isArray(r.partSizes) && r.partSizes.length > 0 &&
        // The first part holds bytes; a later one may be empty (an empty last part).
        r.partSizes.every((n, i) => Number.isSafeInteger(n) && (i > 0 ? n >= 0 : n > 0)))) &&
    (r.gone === undefined || r.gone === true) &&
    (r.mtime === undefined || Number.isSafeInteger(r.mtime)) &&
    (r.opaqueEtag === undefined || r.opaqueEtag === true) &&
    (r.unsettled === undefined || r.unsettled === true) &&
    (r.checksum === undefined ||
      (typeof r.checksum === "string" && RECORDED_CHECKSUM.test(r.checksum))) &&
    (r.validator === undefined ||
      (typeof r.validator === "string" && r.validator !== "" && r.validator.length <= 1024));
}

/**
 * Writes a record in place, creating parent directories as needed.
 *
 * Neither atomic nor fsynced, on purpose: a temp file + rename costs a second
 * metadata operation per cached object (and far more on some filesystems),
 * while a torn, empty or lost record is always detected (it does not parse)
 * and only makes the entry a miss. The data it describes was fsynced and
 * renamed into place before the record is written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeMeta } from "./entry_meta.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   writeMeta(`${dir}/x.json`, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: Date.now() });
 *   assert(JSON.parse(await Deno.readTextFile(`${dir}/x.json`)).etag === "e");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function writeMeta(path: string, meta: EntryMeta): void {
  const data = encodeMeta(meta);
  try {
    Deno.writeFileSync(path, data);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.writeFileSync(path, data);
  }
}

/**
 * The bytes of a record as {@linkcode writeMeta} stores them (for writers
 * that already hold the record file open, like the entry lock).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMeta } from "./entry_meta.ts";
 * const bytes = encodeMeta({ uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 * assert(JSON.parse(new TextDecoder().decode(bytes)).etag === "e");
 * ```
 */
export function encodeMeta(meta: EntryMeta): Uint8Array<ArrayBuffer> {
  return encoder.encode(metaJson(meta) + "\n");
}

/**
 * A record's JSON text, as {@linkcode encodeMeta} writes it (without the
 * newline): a journal line holds it after its tab.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metaJson } from "./entry_meta.ts";
 * assert.equal(JSON.parse(metaJson({ uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 })).size, 1);
 * ```
 */
export function metaJson(meta: EntryMeta): string {
  const json: MetaJson = {
    v: 1,
    uri: meta.uri,
    etag: meta.etag,
    size: meta.size,
    validatedAt: new Date(meta.validatedAt).toISOString(),
  };
  if (meta.md5 !== undefined) json.md5 = meta.md5;
  if (meta.sha256 !== undefined) json.sha256 = meta.sha256;
  if (meta.partSizes !== undefined) json.partSizes = meta.partSizes;
  if (meta.gone === true) json.gone = true;
  if (meta.mtime !== undefined) json.mtime = meta.mtime;
  if (meta.opaqueEtag === true) json.opaqueEtag = true;
  if (meta.validator !== undefined) json.validator = meta.validator;
  if (meta.checksum !== undefined) json.checksum = meta.checksum;
  if (meta.unsettled === true) json.unsettled = true;
  return JSON.stringify(json);
}

/**
 * Marks a record as used now by setting its mtime. Missing or read-only
 * records are ignored: last-use time only guides pruning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMeta, touchMeta, writeMeta } from "./entry_meta.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   writeMeta(`${dir}/x.json`, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
 *   await touchMeta(`${dir}/x.json`, new Date(2000, 0, 1).getTime());
 *   assert(readMeta(`${dir}/x.json`)?.lastUsed === new Date(2000, 0, 1).getTime());
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function touchMeta(path: string, time: number = Date.now()): Promise<void> {
  const t = new Date(time);
  try {
    await Deno.utime(path, t, t);
  } catch {
    // Best effort by design (see above).
  }
}
