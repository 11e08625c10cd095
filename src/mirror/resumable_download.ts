/**
 * A store → local mirror's large downloads resume across runs as the asset
 * cache's do: the file is downloaded into the destination's locked shared
 * temp file (`.<name>.vc-tmp-0-shared`, see `src/cache/entry_lock.ts`),
 * with a note beside it of how far it got (`src/cache/partial_download.ts`).
 * A run that stops (killed, interrupted, the store gone after every retry)
 * leaves both, and the next run asks only for the rest, with `If-Match` on
 * the ETag it started with; the file is verified whole before it takes its
 * name. The target's sweep of dead downloads keeps such a partial for a day
 * (`keptForResume`).
 *
 * Only objects downloaded in parallel ranges (those the notes are written
 * for) take the lock: a small file costs no extra file or lock.
 *
 * Loaded with the downloads: an upload never parses it.
 *
 * @module
 */
import { AtomicFile, sharedTempPathFor } from "../atomic_write.ts";
import { acquireEntryLock } from "../cache/entry_lock.ts";
import { partialResume } from "../cache/partial_download.ts";
import { DEFAULT_PARALLEL_THRESHOLD, type TempDownloadOptions } from "../store/download.ts";
import { sysGranted } from "../permission_granted.ts";

/** A held destination lock and the download options that use it. */
export interface ResumableTemp extends Disposable {
  /** The `temp` and `resume` of the download. */
  readonly options: Pick<TempDownloadOptions, "temp" | "resume">;
}

/**
 * The locked shared temp file of `dest` and its resumption for the download
 * of `uri` (`size` bytes), when the object is large enough to be downloaded
 * in ranges (`parallelThreshold`, default that of the downloads) and the
 * lock can be had; else `undefined` (the download takes a unique temp file,
 * as before). Waits while another process downloads into `dest`. Dispose of
 * it once the download has returned or failed: a partial noted for the next
 * run stays, anything else of it goes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resumableTemp } from "./resumable_download.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(await resumableTemp(`${dir}/a`, "s3://b/a", 10, {}), undefined);
 *   using held = await resumableTemp(`${dir}/a`, "s3://b/a", 10, { parallelThreshold: 1 });
 *   assert(held?.options.resume !== undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function resumableTemp(
  dest: string,
  uri: string,
  size: number,
  options: { parallelThreshold?: number; mode?: number; signal?: AbortSignal },
): Promise<ResumableTemp | undefined> {
  if (size < (options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD)) return undefined;
  // One another user owns (put there in a target others may write to): not
  // waited for, nor written into (see ownedByOther).
  const uid = ownUid();
  if (ownedByOther(lstatOrNothing(sharedTempPathFor(dest)), uid)) return undefined;
  let lock;
  try {
    lock = await acquireEntryLock(dest, {
      keepPartial: true,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch {
    options.signal?.throwIfAborted();
    // No lock here (a file system without `flock`, a link planted at the
    // temp name): downloaded as before, from byte 0, into a unique temp file.
    return undefined;
  }
  const locked = lock.temp;
  // Where locks are mandatory (Windows) the lock is not the file written:
  // nothing of it outlives the run, so nothing resumes. One another user
  // put there since the look above is let go as well.
  if (!locked.shared || ownedByOther(locked.file.statSync(), uid)) {
    lock.release();
    return undefined;
  }
  const mode = options.mode === undefined ? {} : { mode: options.mode };
  return {
    options: {
      resume: partialResume(locked, dest, lock.partialSize, uri, ""),
      // Once it is no longer ours (its name taken away), a unique one.
      temp: () => locked.writable ? locked : AtomicFile.create(dest, mode),
    },
    [Symbol.dispose]: () => lock.release(),
  };
}

/** This process's user id, or null where there is none or it may not be read (no `--allow-sys`). */
function ownUid(): number | null {
  try {
    // Asked first: a library user's narrower permissions get no prompt here.
    return Deno.build.os === "windows" || !sysGranted("uid") ? null : Deno.uid();
  } catch {
    return null;
  }
}

/** The status of `path` (not following a link), or undefined when it cannot be had. */
function lstatOrNothing(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Whether `info` is of a file another user owns. The shared temp file is
 * committed by giving it the destination's name: one of theirs would stay
 * theirs (its owner and mode), and they could change the mirrored file
 * after it was verified. The download then takes a temp file of its own.
 */
function ownedByOther(info: Deno.FileInfo | undefined, uid: number | null): boolean {
  return uid !== null && info?.uid != null && info.uid !== uid;
}
