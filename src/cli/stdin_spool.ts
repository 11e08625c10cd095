/**
 * Standard input copied to a private temp file, for an upload that needs a
 * file: its length is known before the request (`vc serve` reads a chunked
 * body slowly, see `CacheClient.put`), and a retry can send it again, which
 * a pipe read once cannot.
 *
 * @module
 */
import { untilAborted } from "../abort_hub.ts";
import { makeScratchDir, scratchSpaceError } from "../scratch_dir.ts";

/** A spooled copy of standard input; disposing of it removes the file. */
export interface StdinSpool extends AsyncDisposable {
  /** The temp file holding what was read. */
  readonly path: string;
  /** Bytes read. */
  readonly size: number;
  /**
   * Moves the copy to a file of its own in `TMPDIR` (mode 0600, named
   * `vc-unsent-stdin-…`) that disposal leaves in place, and returns its
   * path: for an upload that failed, whose input a pipe cannot give again.
   */
  keep(): Promise<string>;
}

/**
 * Copies `input` (default: the process's standard input) to a new temp file
 * (mode 0600, in `TMPDIR`), reporting bytes as they arrive. The file is
 * removed when the copy fails, when `signal` aborts (at once, also while the
 * input sends nothing), and when the result is disposed of. Spools that
 * killed processes left in `TMPDIR` are removed first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spoolStdin } from "./stdin_spool.ts";
 * const input = ReadableStream.from([new TextEncoder().encode("a,b\n1,2\n")]);
 * let path: string;
 * {
 *   await using spool = await spoolStdin({ input });
 *   path = spool.path;
 *   assert.equal(spool.size, 8);
 *   assert.equal(await Deno.readTextFile(path), "a,b\n1,2\n");
 * }
 * assert(await Deno.stat(path).then(() => false, () => true)); // removed
 * ```
 */
export async function spoolStdin(
  options: {
    input?: ReadableStream<Uint8Array>;
    onBytes?: (bytes: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<StdinSpool> {
  // Removes the spools killed processes left, which nothing else would.
  const dir = await makeScratchDir("vc-stdin-");
  const path = `${dir.path}/stdin`;
  const remove = () => dir[Symbol.asyncDispose]();
  let size = 0;
  const reader = (options.input ?? Deno.stdin.readable).getReader();
  try {
    using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    // Bounded by the input's end (or the signal).
    for (;;) {
      // Not only between chunks: a pipe whose writer is silent (still running,
      // or one that outlives the Ctrl-C) held the read until the grace period
      // ended the process, leaving what was spooled, maybe gigabytes, in TMPDIR.
      const { done, value: chunk } = await untilAborted(reader.read(), options.signal);
      if (done) break;
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
      size += chunk.length;
      options.onBytes?.(size);
    }
  } catch (e) {
    // As `for await` did: the input is not read any further.
    reader.cancel().catch(() => {});
    await remove();
    // The whole input is kept there until it is uploaded.
    throw scratchSpaceError(e, `copying standard input (${size} bytes so far)`, path);
  }
  const keep = async (): Promise<string> => {
    // Outside the scratch directory: disposal, and the next spool's removal
    // of those killed processes left, would take it with the directory.
    const kept = await Deno.makeTempFile({ prefix: "vc-unsent-stdin-" });
    try {
      await Deno.rename(path, kept);
    } catch {
      // Another file system than TMPDIR's own (a scratch directory elsewhere).
      await Deno.copyFile(path, kept);
    }
    return kept;
  };
  return { path, size, keep, [Symbol.asyncDispose]: remove };
}
