/**
 * Telling a write that this process's file-size limit stopped
 * (RLIMIT_FSIZE: bash's `ulimit -f`, a batch scheduler's or a service
 * manager's `LimitFSIZE=`), for its error: the kernel refuses the write
 * (EFBIG, once the `vc` process catches SIGXFSZ, which would otherwise kill
 * it), and SQLite says only `disk I/O error`.
 *
 * @module
 */
import { tempPathFor } from "./atomic_write.ts";

/**
 * Whether a write to one of `paths` was stopped by the file-size limit:
 * a file beside it may not grow past that one's size (a stopped write
 * writes what fits first, up to the limit). Asked only after a write
 * failed, and so only where SIGXFSZ is caught (else the write would have
 * killed the process): one byte written past that size in a sparse temp
 * file, removed again. The message's words for the first such file, else
 * undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileSizeLimitReached } from "./file_size_limit.ts";
 * assert.equal(fileSizeLimitReached(["/nonexistent/file"]), undefined);
 * ```
 */
export function fileSizeLimitReached(paths: readonly string[]): string | undefined {
  for (const path of paths) {
    let size: number;
    try {
      size = Deno.statSync(path).size;
    } catch {
      continue;
    }
    if (size > 0 && tooLargeAt(path, size)) {
      return `${path} reached this process's file-size limit at ${size} bytes (ulimit -f, ` +
        "RLIMIT_FSIZE): raise the limit (ulimit -f unlimited) and run again";
    }
  }
  return undefined;
}

// Whether a byte written at `offset` of a new file beside `path` is refused
// as too large (EFBIG).
function tooLargeAt(path: string, offset: number): boolean {
  const probe = tempPathFor(path);
  try {
    using file = Deno.openSync(probe, { write: true, createNew: true });
    file.seekSync(offset, Deno.SeekMode.Start);
    file.writeSync(new Uint8Array(1));
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === "EFBIG" ||
      /file too large|os error 27\b/i.test((error as Error).message);
  } finally {
    try {
      Deno.removeSync(probe);
    } catch {
      // Never made.
    }
  }
}

/**
 * Whether `e` says a write was refused as too large (EFBIG): past this
 * process's file-size limit, once SIGXFSZ is caught, or past the largest file
 * the file system holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFileTooLargeError } from "./file_size_limit.ts";
 * assert(isFileTooLargeError(new Error("File too large (os error 27)")));
 * assert(!isFileTooLargeError(new Error("No space left on device (os error 28)")));
 * ```
 */
export function isFileTooLargeError(e: unknown): boolean {
  return (e as { code?: unknown } | undefined)?.code === "EFBIG" ||
    /file too large \(os error 27\)/i.test((e as Error | undefined)?.message ?? "");
}
