/**
 * Content on stdout (`vc cat`, `vc get PATH -`, `vc repo get ID --to -`,
 * `vc cache-client get ID`), or a local file copied to the user's file
 * (`vc get PATH DEST`, `vc repo get ID --to FILE`), with its progress on stderr.
 *
 * @module
 */
import { untilAborted } from "../abort_hub.ts";
import { copyFileAtomic } from "../atomic_write.ts";
import { copyOutError } from "../cache/cache_errors.ts";
import type { ProgressBar } from "../progress.ts";
import type { CommandContext } from "./command.ts";
import { UsageError } from "./errors.ts";
import { copyProgress } from "./upload_progress.ts";

/**
 * What content on stdout is, to refuse it on a terminal when it is binary:
 * `what` names it (`/logo.png`), `toFile` is the command line that writes it
 * to a file instead, and `command` the command whose help to point at.
 */
export interface RawContent {
  what: string;
  toFile: string;
  command: string;
}

// git's test for binary content: a NUL byte in the first 8000 bytes.
const BINARY_SNIFF_BYTES = 8000;

/** How a bar draws the bytes written so far (`copying`, a download's bytes). */
export type OutProgress = (
  bar: ProgressBar,
) => (progress: { bytes: number; total?: number | undefined }) => void;

/**
 * Writes `chunks` to stdout. Ctrl-C stops it at once, also while a write
 * waits for a reader that does not read (the write goes on unawaited; the
 * process exits), and it stays an interrupt when the reader went away too
 * (killed by the same Ctrl-C): exit 130, not 0. The bytes are drawn on
 * stderr with `label` (a GB into a slow pipe or a disk took seconds, or a
 * download minutes, with nothing on screen), except when stdout is the
 * terminal: there the content shows it moving, and a bar would cut into it.
 * `total` (when known) is where the bar ends; a source longer than said
 * moves it along rather than past 100%. Binary content (a NUL byte in its
 * first 8000 bytes) is not written to a terminal: a
 * `UsageError` naming `content` says to redirect it or write it to a file
 * (a screen of garbage, whose escape sequences left the terminal in another
 * mode).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * import { writeOut } from "./write_out.ts";
 * const io = memoryIo({ stderrIsTerminal: true, env: { TERM: "xterm" } });
 * const ctx = { io, out: new Output(io) } as never;
 * const chunks = [new TextEncoder().encode("hello")];
 * await writeOut(ctx, chunks, { label: "cat /a", total: 5, progress: (bar) => bar.onBytes });
 * assert(io.stdout() === "hello" && io.stderr().includes("cat /a"));
 * ```
 */
export async function writeOut(
  ctx: CommandContext,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: {
    label: string;
    total?: number | undefined;
    progress: OutProgress;
    content?: RawContent | undefined;
  },
): Promise<void> {
  const signal = ctx.io.signal;
  let sniff = ctx.io.stdoutIsTerminal === true ? options.content : undefined;
  using bar = ctx.io.stdoutIsTerminal ? undefined : ctx.out.progress(options.label);
  const onProgress = bar && options.progress(bar);
  const total = options.total;
  let written = 0;
  const report = () =>
    onProgress?.({
      bytes: written,
      total: total === undefined ? undefined : Math.max(total, written),
    });
  signal?.throwIfAborted();
  report();
  const write = async (chunk: Uint8Array): Promise<void> => {
    try {
      await untilAborted(ctx.out.write(chunk), signal);
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    }
    written += chunk.length;
    report();
  };
  // On a terminal, the first chunks are held until their 8000 bytes are
  // looked at (a stream's first chunk may be a few bytes): binary content
  // is refused before any of it is written.
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  // Bounded by the source: it ends, or fails, or the signal stops it.
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    if (sniff === undefined) {
      await write(chunk);
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes < BINARY_SNIFF_BYTES) continue;
    refuseBinary(held, sniff);
    sniff = undefined;
    for (const c of held.splice(0)) await write(c);
  }
  if (sniff !== undefined) refuseBinary(held, sniff);
  for (const c of held) await write(c);
}

// A NUL byte in the first 8000 bytes of `head` (the content's first chunks):
// a UsageError naming `content`.
function refuseBinary(head: readonly Uint8Array[], content: RawContent): void {
  let left = BINARY_SNIFF_BYTES;
  for (const chunk of head) {
    if (left <= 0) return;
    if (chunk.subarray(0, left).includes(0)) {
      throw new UsageError(
        `${content.what} is binary: not written to the terminal, which its bytes would garble`,
        {
          hint: `redirect it (\`> FILE\`, \`| tool\`), or write a file: ${content.toFile}`,
          command: content.command,
        },
      );
    }
    left -= chunk.length;
  }
}

/**
 * The content of the local file `local` on stdout (`vc cat`, `vc get PATH -`,
 * `vc repo get ID --to -`), drawn as `copying` with `label`: {@linkcode writeOut}
 * of its bytes (`content`: what it is, refused on a terminal when binary).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * import { writeLocalOut } from "./write_out.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "hello");
 * const io = memoryIo();
 * await writeLocalOut({ io, out: new Output(io) } as never, file, "cat /a");
 * assert(io.stdout() === "hello");
 * await Deno.remove(file);
 * ```
 */
export async function writeLocalOut(
  ctx: CommandContext,
  local: string,
  label: string,
  content?: RawContent,
): Promise<void> {
  using file = await Deno.open(local);
  const total = (await file.stat()).size;
  await writeOut(ctx, fileChunks(file, total), { label, total, progress: copyProgress, content });
}

// The file's first `size` bytes (its size when opened), 256 KiB a read. Not
// read to its end: an end that moves would never be reached when stdout is
// the file itself (`vc cat /x.csv >> "$(vc path /x.csv)"`, each chunk written
// read again), and bytes another process appends are no version's.
async function* fileChunks(file: Deno.FsFile, size: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(256 * 1024);
  for (let left = size; left > 0;) {
    const n = await file.read(buffer.subarray(0, Math.min(left, buffer.length)));
    if (n === null) return;
    left -= n;
    yield buffer.slice(0, n);
  }
}

/**
 * Copies the local file `local` to `target` atomically (`vc get PATH DEST`,
 * `vc repo get ID --to FILE`), drawn as `copying` with `label`: a copy of a
 * GB takes seconds. Ctrl-C stops it with `target` left as it was; a failure
 * is told as {@linkcode copyOutError} tells it, naming `target`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * import { copyLocalOut } from "./write_out.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a`, "hello");
 * const io = memoryIo();
 * await copyLocalOut({ io, out: new Output(io) } as never, `${dir}/a`, `${dir}/b`, "copy /a");
 * assert((await Deno.readTextFile(`${dir}/b`)) === "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function copyLocalOut(
  ctx: CommandContext,
  local: string,
  target: string,
  label: string,
): Promise<void> {
  using bar = ctx.out.progress(label);
  try {
    await copyFileAtomic(local, target, {
      onProgress: copyProgress(bar),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    });
  } catch (e) {
    // Ctrl-C during a copy of seconds a GB: stopped, the destination left as it was.
    ctx.io.signal?.throwIfAborted();
    throw copyOutError(e, target);
  }
  bar.done();
}
