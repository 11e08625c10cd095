/**
 * Metadata sidecars of {@linkcode FsStore}: `<dir>/.vc~meta~<name>.json` next
 * to each data file, holding its MD5 (the ETag), user metadata and content
 * type, plus a fingerprint of the data file (size, mtime, inode, ctime).
 *
 * A sidecar is trusted only while the fingerprint still matches the data
 * file, so a file edited or dropped in by hand is re-hashed instead of being
 * served with a wrong ETag. Limits: mtime has millisecond (or the kernel
 * clock's tick) and ctime second resolution here, so an in-place edit that
 * keeps the size and lands in the same tick and second as the recorded state
 * goes unnoticed. A read repairs a sidecar only for a settled state (see
 * `fs_info.ts`), so this remains only for the one a put writes.
 *
 * @module
 */
import { statusOrUndefinedSync } from "../file_status.ts";
import { readBuffer } from "../bytes.ts";
import { Md5 } from "../hash.ts";
import { writeFileAtomicSync } from "../atomic_write.ts";
import { readSmallFileSync } from "../regular_file.ts";

/** What a sidecar file holds. */
export interface Sidecar {
  /** Hex MD5 of the data file: its ETag. */
  md5: string;
  /** Data file size in bytes when the sidecar was written. */
  size: number;
  /** Data file mtime in ms when the sidecar was written. */
  mtimeMs: number;
  /** Data file inode (null where the platform has none). */
  ino: number | null;
  /** Data file ctime in ms (null where the platform has none). */
  ctimeMs: number | null;
  /** User metadata given to `put`. */
  metadata?: Record<string, string>;
  /** Content type given to `put`. */
  contentType?: string;
  /**
   * The sidecar of the object a put is replacing, kept until the put's data
   * is in place (see {@linkcode describing}); never itself has one.
   */
  previous?: Sidecar;
}

/** The part of a sidecar that identifies one state of the data file. */
export type Fingerprint = Pick<Sidecar, "size" | "mtimeMs" | "ino" | "ctimeMs">;

/**
 * The fingerprint of a data file's current state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprint } from "./fs_meta.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "abc");
 * assert(fingerprint(await Deno.stat(p)).size === 3);
 * await Deno.remove(p);
 * ```
 */
export function fingerprint(st: Deno.FileInfo): Fingerprint {
  return {
    size: st.size,
    mtimeMs: st.mtime?.getTime() ?? 0,
    ino: st.ino,
    ctimeMs: st.ctime?.getTime() ?? null,
  };
}

/**
 * True when two fingerprints describe the same file state. Inode and ctime
 * are compared only when both sides have them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameFingerprint } from "./fs_meta.ts";
 * const a = { size: 1, mtimeMs: 5, ino: 7, ctimeMs: null };
 * assert(sameFingerprint(a, { ...a }) && !sameFingerprint(a, { ...a, size: 2 }));
 * ```
 */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs &&
    (a.ino === null || b.ino === null || a.ino === b.ino) &&
    (a.ctimeMs === null || b.ctimeMs === null || a.ctimeMs === b.ctimeMs);
}

/**
 * The sidecar that describes the data file in state `fp`: `sc` itself, or
 * the one it replaces (`sc.previous`). A put writes its sidecar before it
 * renames its data into place; a put killed (`kill -9`) between the two
 * left the new sidecar beside the old data, and the old object lost its
 * metadata and content type for good (only its ETag could be hashed again).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describing } from "./fs_meta.ts";
 * const old = { md5: "0".repeat(32), size: 1, mtimeMs: 5, ino: 7, ctimeMs: null };
 * const sc = { ...old, md5: "1".repeat(32), size: 2, ino: 8, previous: old };
 * assert(describing(sc, { size: 1, mtimeMs: 5, ino: 7, ctimeMs: 9 }) === old);
 * assert(describing(sc, { size: 1, mtimeMs: 5, ino: 6, ctimeMs: 9 }) === undefined);
 * ```
 */
export function describing(sc: Sidecar | undefined, fp: Fingerprint): Sidecar | undefined {
  if (sc === undefined) return undefined;
  if (sameFingerprint(sc, fp)) return sc;
  return sc.previous !== undefined && sameFingerprint(sc.previous, fp) ? sc.previous : undefined;
}

/**
 * What a put records as the `previous` of its new sidecar, from the bytes of
 * the sidecar it replaces: that sidecar without its own `previous`; or, when
 * it has one (a put was killed mid-commit), whichever of the two describes
 * the file now at `dataPath`, statted only then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { previousFor } from "./fs_meta.ts";
 * const old = { md5: "0".repeat(32), size: 1, mtimeMs: 5, ino: 7, ctimeMs: null };
 * const bytes = new TextEncoder().encode(JSON.stringify(old));
 * assert.deepEqual(previousFor(bytes, "/nonexistent/x"), old);
 * assert.equal(previousFor(undefined, "/nonexistent/x"), undefined);
 * ```
 */
export function previousFor(
  bytes: Uint8Array | undefined,
  dataPath: string,
): Sidecar | undefined {
  const sc = bytes === undefined ? undefined : parseSidecar(new TextDecoder().decode(bytes));
  if (sc?.previous === undefined) return sc;
  let current: Sidecar | undefined;
  try {
    const st = Deno.lstatSync(dataPath);
    if (st.isFile) current = describing(sc, fingerprint(st));
  } catch {
    // Gone: the newer one, as without a previous.
  }
  const { previous: _, ...own } = current ?? sc;
  return own;
}

/**
 * A cache key for a file state: equal strings mean the same file state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprintKey } from "./fs_meta.ts";
 * assert(fingerprintKey({ size: 1, mtimeMs: 2, ino: 3, ctimeMs: 4 }) === "1:2:3:4");
 * ```
 */
export function fingerprintKey(fp: Fingerprint): string {
  return `${fp.size}:${fp.mtimeMs}:${fp.ino}:${fp.ctimeMs}`;
}

/**
 * Reads a sidecar; `undefined` when it is missing, unreadable or malformed
 * (all of which just mean "re-hash the data file").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSidecar } from "./fs_meta.ts";
 * assert(await readSidecar("/nonexistent/.vc~meta~x.json") === undefined);
 * ```
 */
export async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let bytes: Uint8Array;
  try {
    // Most objects have none: a look that finds nothing is the common case.
    const info = statusOrUndefinedSync(path, { follow: true });
    if (info === undefined || !sidecarLike(info)) return undefined;
    bytes = await Deno.readFile(path);
  } catch {
    return undefined;
  }
  return parseSidecar(new TextDecoder().decode(bytes));
}

/**
 * The bytes of the sidecar at `path`, or `undefined` when there is none (or
 * none that can be one), read synchronously (the put keeps them to put back
 * when its commit fails).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSidecarBytesSync } from "./fs_meta.ts";
 * assert(readSidecarBytesSync("/nonexistent/.vc~meta~x.json") === undefined);
 * assert(readSidecarBytesSync("/dev/zero") === undefined);
 * ```
 */
export function readSidecarBytesSync(path: string): Uint8Array | undefined {
  try {
    return readSmallFileSync(path, MAX_SIDECAR_BYTES);
  } catch {
    return undefined;
  }
}

// A sidecar is a small regular file. Whatever else sits at its name in the
// store's directory is no sidecar, and is looked at before it is opened:
// opening a FIFO blocks until something writes to it (a FIFO there hung
// every head, get and put of that key, a put the whole process, deaf to
// Ctrl-C), and a device (`/dev/zero`) or a huge file was read until memory
// ran out.
function sidecarLike(info: Deno.FileInfo): boolean {
  return info.isFile && info.size <= MAX_SIDECAR_BYTES;
}

// An MD5, a fingerprint and S3's user metadata (2 KB at most) in JSON.
const MAX_SIDECAR_BYTES = 1024 * 1024;

function parseSidecar(text: string): Sidecar | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return sidecarOf(v, true);
}

function sidecarOf(v: unknown, withPrevious: boolean): Sidecar | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (
    typeof r.md5 !== "string" || !/^[0-9a-f]{32}$/.test(r.md5) || typeof r.size !== "number" ||
    typeof r.mtimeMs !== "number"
  ) {
    return undefined;
  }
  const out: Sidecar = {
    md5: r.md5,
    size: r.size,
    mtimeMs: r.mtimeMs,
    ino: typeof r.ino === "number" ? r.ino : null,
    ctimeMs: typeof r.ctimeMs === "number" ? r.ctimeMs : null,
  };
  if (isStringRecord(r.metadata)) out.metadata = r.metadata;
  if (typeof r.contentType === "string") out.contentType = r.contentType;
  const previous = withPrevious ? sidecarOf(r.previous, false) : undefined;
  if (previous !== undefined) out.previous = previous;
  return out;
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string");
}

/**
 * Writes a sidecar atomically (`writeFileAtomicSync`: temp file + rename in
 * the same directory), so readers see the old or the new sidecar, never half
 * of one. `durable` flushes it first: wanted when it holds what cannot be
 * rebuilt (user metadata, content type); an MD5 alone can be re-hashed.
 * Errors are thrown; callers decide whether the write was best-effort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSidecar, writeSidecar } from "./fs_meta.ts";
 * const dir = await Deno.makeTempDir();
 * const sc = { md5: "d41d8cd98f00b204e9800998ecf8427e", size: 0, mtimeMs: 1, ino: null, ctimeMs: null };
 * writeSidecar(`${dir}/.vc~meta~x.json`, sc);
 * assert((await readSidecar(`${dir}/.vc~meta~x.json`))?.md5 === sc.md5);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeSidecar(path: string, sidecar: Sidecar, durable = false): void {
  writeFileAtomicSync(path, JSON.stringify(sidecar), { durable });
}

const HASH_CHUNK = 4 * 1024 * 1024;

/**
 * Hex MD5 of an open file's whole content, read through the handle (so the
 * hash is of exactly the file being served, even if the path was replaced
 * meanwhile). Leaves the file position at the end. `size`: the file's size
 * as last seen, when known (a small file is hashed without `node:crypto`).
 * `onProgress` is told the bytes hashed so far: 0 first, then after each read;
 * `signal` stops it between reads (with its reason).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { md5OfOpenFile } from "./fs_meta.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "a");
 * using f = await Deno.open(p);
 * assert(await md5OfOpenFile(f) === "0cc175b9c0f1b6a831c399e269772661");
 * await Deno.remove(p);
 * ```
 */
export async function md5OfOpenFile(
  file: Deno.FsFile,
  size = Infinity,
  onProgress?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  signal?.throwIfAborted();
  await file.seek(0, Deno.SeekMode.Start);
  const md5 = new Md5(size);
  const buf = readBuffer(size, HASH_CHUNK);
  let done = 0;
  onProgress?.(0);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    signal?.throwIfAborted();
    md5.update(buf.subarray(0, n));
    done += n;
    onProgress?.(done);
  }
  return md5.hex();
}
