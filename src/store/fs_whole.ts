/**
 * A small file of a directory store read whole, once, for a `get`: the same
 * bytes are hashed for its ETag (when no sidecar knows it) and served, where
 * hashing through the handle and then streaming it read the file twice (for
 * a cold copy of many small files, a third of the system calls).
 *
 * Reading it twice also caught a file written while it was read (the two
 * reads differed, and the download's check against the ETag failed). Read
 * once, that is caught by the file's state instead: the read is used only
 * when the file was settled before it (a write then gives it a new mtime,
 * see `fs_validator.ts`) and has the same state (inode, size, mtime, ctime)
 * after it; otherwise the caller reads it the old way, twice.
 *
 * @module
 */
import { fingerprint, sameFingerprint } from "./fs_meta.ts";
import { statusOrUndefinedSync } from "../file_status.ts";
import { isRacy } from "./fs_validator.ts";

/**
 * Largest file read whole into memory (as `S3Store` reads a small body
 * whole): a cache's 16 downloads at once hold at most 16 MiB.
 */
export const WHOLE_READ_MAX: number = 1024 * 1024;

/**
 * The whole content of the regular file `file`, opened at `path` and found
 * in state `st` by its handle, read from its start; `undefined` (the file
 * read only partly, its position anywhere) when it is larger than
 * {@linkcode WHOLE_READ_MAX}, changed within the racy window before the
 * read, or changed (or replaced at `path`) during it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSettledWhole } from "./fs_whole.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * const hourAgo = new Date(Date.now() - 3_600_000);
 * await Deno.utime(path, hourAgo, hourAgo);
 * using file = await Deno.open(path);
 * // Its ctime is new (the utime): racy still, so not read whole.
 * assert.equal(await readSettledWhole(file, path, await file.stat()), undefined);
 * await Deno.remove(path);
 * ```
 */
export async function readSettledWhole(
  file: Deno.FsFile,
  path: string,
  st: Deno.FileInfo,
): Promise<Uint8Array | undefined> {
  if (st.size > WHOLE_READ_MAX) return undefined;
  const before = fingerprint(st);
  if (isRacy({ mtimeMs: before.mtimeMs, ctimeMs: before.ctimeMs ?? before.mtimeMs }, Date.now())) {
    return undefined;
  }
  // One byte more than its size, read at least once: a file that grew (or
  // one whose size says nothing, as /proc's 0) fills it.
  const buf = new Uint8Array(st.size + 1);
  let n = 0;
  do {
    const got = await file.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  } while (n < st.size);
  if (n !== st.size) return undefined; // shrank or grew
  // An lstat, not the handle's status: Deno resolves every component of a
  // handle's path for its permission check, and the path's status also
  // shows a file put in its place meanwhile. Synchronous: a metadata look,
  // several times cheaper so (see statusOrUndefinedSync).
  const after = statusOrUndefinedSync(path);
  if (
    after === undefined || !after.isFile || after.dev !== st.dev ||
    !sameFingerprint(fingerprint(after), before)
  ) return undefined;
  return buf.subarray(0, n);
}
