/**
 * Change detection for a mirror: is a local file's content the same as an
 * object's? Size first, then MD5, compared with the ETag (plain MD5), the
 * ETag recorded in the state when the two were last equal (multipart
 * ETags), or the `vc-md5` metadata (one HEAD, only when nothing else
 * decides). Times are never compared, so past or future mtimes cannot cause
 * endless re-uploads, and a same-size edit always changes the MD5.
 *
 * @module
 */
import { VcError } from "../errors.ts";
import { fileKind } from "../regular_file.ts";
import { md5File, md5Hex, normalizeEtag, parseEtag } from "../hash.ts";
import type { ObjectStore } from "../store/types.ts";
import { isRacy, SETTLE_MS } from "../store/fs_validator.ts";
import type { LocalEntry } from "./local_side.ts";
import { type MirrorState, type StateRow, statMatches } from "./state.ts";
import type { RemoteEntry } from "./store_side.ts";

/** Files up to this size are read once into memory: hashed, then uploaded from the same bytes. */
export const SMALL_FILE = 1024 * 1024;

/** A local file's MD5, and its bytes when they were read whole. */
export interface LocalHash {
  /** Hex MD5. */
  md5: string;
  /** The content, for small files that had to be read (so an upload reads nothing again). */
  bytes?: Uint8Array;
  /** True when the file was read (not taken from the state). */
  hashed: boolean;
  /**
   * True when the file's mtime or ctime is so recent that a later edit could
   * leave the same stat behind (timestamps have a granularity): such a hash
   * is recorded so that the next run reads the file again ("racy clean").
   */
  racy: boolean;
  /**
   * True when the file's stat after its read is not the one before it: it
   * was written to while it was read (rewritten in place, as a database or
   * `dd conv=notrunc` writes), so `bytes` may be part old, part new, a
   * content the file never held. Such bytes are not to be uploaded.
   */
  changedWhileRead?: true;
}

/**
 * Default racy window (ms): a file changed less than this before it was
 * hashed is hashed again next run. Covers coarse filesystem timestamps.
 */
export const DEFAULT_RACY_WINDOW_MS: number = SETTLE_MS;

// The rule, shared with the directory store's validators.
export { isRacy };

/**
 * The MD5 of a local file: from the state when its stat is unchanged (and
 * `checksum` is off), else by reading it. `symlinks`: the walk's mode (a
 * file it listed that a link replaced since is read through the link only
 * when `"follow"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashLocal } from "./compare.ts";
 * import { statLocal } from "./local_side.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "a");
 *   const entry = (await statLocal(p, "a", "skip"))!;
 *   const h = await hashLocal(entry, undefined, false);
 *   assert.equal(h.md5, "0cc175b9c0f1b6a831c399e269772661");
 *   assert(h.hashed);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function hashLocal(
  entry: LocalEntry,
  row: StateRow | undefined,
  checksum: boolean,
  racyWindowMs: number = DEFAULT_RACY_WINDOW_MS,
  onProgress?: (bytes: number) => void,
  symlinks: "skip" | "follow" = "skip",
): Promise<LocalHash> {
  if (!checksum && row !== undefined && statMatches(row, entry)) {
    return { md5: row.md5, hashed: false, racy: false };
  }
  const racy = isRacy(entry, Date.now(), racyWindowMs);
  // Replaced since the walk listed it (by a FIFO, which would block the read
  // for good, deaf to signals, or a device that never ends): looked at again
  // right before it is opened, and skipped, named.
  // (Gone: the stat fails as the read would have.) So is a symbolic link
  // that took a file's place, unless links are followed: the read would
  // follow it, and upload under the file's key what it leads to, wherever.
  const look = () => symlinks === "follow" ? Deno.statSync(entry.path) : Deno.lstatSync(entry.path);
  const before = look();
  const kind = fileKind(before);
  if (kind !== "a file") {
    throw new VcError(
      `${entry.path} is no longer a regular file (${kind} took its place since it was listed): ` +
        "not read; the next run looks again",
    );
  }
  if (entry.size <= SMALL_FILE) {
    // Small files: one synchronous read (no thread-pool round trip per file).
    const bytes = entry.size <= 256 * 1024
      ? Deno.readFileSync(entry.path)
      : await Deno.readFile(entry.path);
    // Written to while it was read: the bytes may be a mix of two versions.
    // (A larger file, read from disk again for its upload, is checked there.)
    if (!sameStat(before, look())) {
      return { md5: md5Hex(bytes), bytes, hashed: true, racy, changedWhileRead: true };
    }
    return { md5: md5Hex(bytes), bytes, hashed: true, racy };
  }
  onProgress?.(0); // a large file takes seconds a GB: shown from its start
  return { md5: await md5File(entry.path, onProgress ? { onProgress } : {}), hashed: true, racy };
}

/** Counters the comparison adds to. */
export interface CompareCounters {
  /** HEAD requests made. */
  heads: number;
}

/**
 * True when the object holds the same content as the local file with MD5
 * `md5`. Makes one HEAD only for a multipart or opaque ETag that the state
 * does not already vouch for; a multipart ETag with no `vc-md5` beside it
 * (another tool's upload) is compared with the file at `localPath`'s own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameContent } from "./compare.ts";
 * const md5 = "0cc175b9c0f1b6a831c399e269772661";
 * const remote = { key: "a", storeKey: "a", size: 1, etag: md5 };
 * const counters = { heads: 0 };
 * assert(await sameContent(md5, remote, undefined, {} as never, counters));
 * assert.equal(counters.heads, 0);
 * ```
 */
export async function sameContent(
  md5: string,
  remote: RemoteEntry,
  row: StateRow | undefined,
  store: ObjectStore,
  counters: CompareCounters,
  signal?: AbortSignal,
  localPath?: string,
): Promise<boolean> {
  if (row !== undefined && row.etag !== "" && row.etag === remote.etag && row.md5 === md5) {
    return true;
  }
  const kind = parseEtag(remote.etag);
  if (kind.kind === "md5" && remote.metadata?.["vc-md5"] === undefined) return kind.md5 === md5;
  let metadata = remote.metadata;
  if (metadata === undefined) {
    counters.heads++;
    const info = await store.head(remote.storeKey, signal ? { signal } : {});
    if (info === undefined) return false;
    // Replaced since the listing? Compared weakly: a proxy may send the
    // listing's tag back as `W/"..."`, which is the same version.
    if (normalizeEtag(info.etag) !== normalizeEtag(remote.etag)) return false;
    metadata = info.metadata;
  }
  const recorded = metadata?.["vc-md5"]?.toLowerCase();
  if (recorded !== undefined) return recorded === md5;
  if (kind.kind === "md5") return kind.md5 === md5;
  // Uploaded in parts by another tool (aws s3 cp, boto3), with no content
  // MD5: the file's own multipart ETag, a read of the file instead of a
  // transfer (once: the state then vouches for the pair).
  if (kind.kind === "multipart" && localPath !== undefined) {
    const { fileHasMultipartEtag } = await import("../verify.ts");
    return await fileHasMultipartEtag(store, remote.storeKey, localPath, remote);
  }
  return false;
}

/**
 * Records what is now known about a key: the local file's stat and MD5 and
 * the object's ETag (with the store's `validator` of the object, if any). A
 * racy hash is recorded with an impossible ctime, so the stat never matches
 * and the next run hashes the file again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { record } from "./compare.ts";
 * const rows = new Map();
 * const state = { set: (k: string, r: unknown) => rows.set(k, r) };
 * const entry = { key: "k", path: "/x", size: 1, mtimeMs: 2, ctimeMs: 3, ino: null };
 * record(state as never, entry, "m", "e");
 * assert.equal(rows.get("k").ino, 0);
 * ```
 */
export function record(
  state: Pick<MirrorState, "set">,
  entry: LocalEntry,
  md5: string,
  etag: string,
  racy = false,
  validator = "",
): void {
  state.set(entry.key, {
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    ctimeMs: racy ? -1 : entry.ctimeMs,
    ino: entry.ino ?? 0,
    md5,
    etag,
    validator,
  });
}

/** Whether two stats of one path show the same file, unwritten between them. */
function sameStat(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.size === b.size && a.ino === b.ino &&
    a.mtime?.getTime() === b.mtime?.getTime() && a.ctime?.getTime() === b.ctime?.getTime();
}
