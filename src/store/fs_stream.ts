/**
 * A `ReadableStream` over a byte range of an open file that owns the file
 * handle: it is closed when the range is fully read, on cancel, on error and
 * on abort, so callers (and Deno's resource sanitizer) never see a leaked
 * handle as long as they consume or cancel the stream.
 *
 * @module
 */
import { IntegrityError } from "../errors.ts";

const MAX_CHUNK = 512 * 1024;

/**
 * Streams bytes `[start, end)` of `file`, taking ownership of `file`.
 * `label` names the file in errors (e.g. the file shrank while being read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileRangeStream } from "./fs_stream.ts";
 * const p = await Deno.makeTempFile();
 * await Deno.writeTextFile(p, "hello world");
 * const file = await Deno.open(p);
 * const text = await new Response(fileRangeStream(file, 6, 11, p)).text();
 * assert(text === "world");
 * await Deno.remove(p);
 * ```
 */
export function fileRangeStream(
  file: Deno.FsFile,
  start: number,
  end: number,
  label: string,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let pos = start;
  let closed = false;
  let reading = false;
  let stopped = false;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", onAbort);
    file.close();
  };
  const onAbort = () => {
    stopped = true;
    try {
      controller?.error(signal?.reason);
    } catch {
      // Already closed or errored.
    }
    if (!reading) close();
  };
  return new ReadableStream<Uint8Array>({
    async start(c) {
      controller = c;
      try {
        signal?.throwIfAborted();
        if (pos >= end) {
          close();
          c.close();
          return;
        }
        await file.seek(start, Deno.SeekMode.Start);
        signal?.addEventListener("abort", onAbort, { once: true });
      } catch (e) {
        close();
        throw e;
      }
    },
    async pull(c) {
      if (closed) return;
      const want = Math.min(MAX_CHUNK, end - pos);
      const buf = new Uint8Array(want);
      let n: number | null;
      reading = true;
      try {
        n = await file.read(buf);
      } catch (e) {
        close();
        throw e;
      } finally {
        reading = false;
      }
      if (stopped) {
        close();
        return;
      }
      if (n === null) {
        close();
        c.error(new IntegrityError(`${label} ended at byte ${pos}, expected ${end} bytes`));
        return;
      }
      pos += n;
      c.enqueue(n === want ? buf : buf.subarray(0, n));
      if (pos >= end) {
        close();
        c.close();
      }
    },
    cancel() {
      stopped = true;
      // A read in flight still uses the handle; that pull closes it when done.
      if (!reading) close();
    },
  }, { highWaterMark: 0 });
}
