/**
 * Reading a small text file (manifest, lock file, list file) with a cap on
 * its size, counted while reading: `stat` says 0 bytes for `/dev/zero` or a
 * pipe, so only counting what arrives protects against a file that never
 * ends. Over the cap is an `InvalidInputError` naming the file, and so is a
 * file that is not UTF-8 (`utf8.ts`).
 *
 * @module
 */
import { asAccessDenied, InvalidInputError, NotFoundError, VcError } from "./errors.ts";
import { decodeUtf8 } from "./utf8.ts";
import { fileInTheWay } from "./file_status.ts";
import { untilAborted } from "./abort_hub.ts";

/** Options of {@linkcode readTextCapped}. */
export interface ReadCappedOptions {
  /** Refuse more than this many bytes. */
  maxBytes: number;
  /** What the file is, for messages: `"manifest"`, `"list file"`. */
  what: string;
  /** Why a bigger file cannot be one (appended to the message). */
  why?: string;
  /** What `-` reads (default: standard input); without it `-` is a file name. */
  stdin?: ReadableStream<Uint8Array> | "process";
  /** Return `undefined` for a missing file instead of throwing `NotFoundError`. */
  allowMissing?: boolean;
  /** Keep a leading byte order mark in the text (a file vc rewrites keeps it). */
  keepByteOrderMark?: boolean;
  /**
   * Stops a read of a pipe or standard input that waits for more (its
   * writer still running) with the signal's reason: such a read cannot be
   * cancelled otherwise, and Ctrl-C would wait for the writer.
   */
  signal?: AbortSignal;
}

/**
 * The text of `path` (or of standard input for `-` when `stdin` is given),
 * refusing directories and anything longer than `maxBytes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextCapped } from "./read_capped.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, "{}");
 *   assert.equal(await readTextCapped(`${dir}/m.json`, { maxBytes: 10, what: "manifest" }), "{}");
 *   await assert.rejects(
 *     () => readTextCapped(`${dir}/m.json`, { maxBytes: 1, what: "manifest" }),
 *     /manifest .*m\.json is larger than 1 bytes/,
 *   );
 *   assert.equal(
 *     await readTextCapped(`${dir}/none`, { maxBytes: 1, what: "x", allowMissing: true }),
 *     undefined,
 *   );
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readTextCapped(
  path: string,
  options: ReadCappedOptions & { allowMissing: true },
): Promise<string | undefined>;
export async function readTextCapped(path: string, options: ReadCappedOptions): Promise<string>;
export async function readTextCapped(
  path: string,
  options: ReadCappedOptions,
): Promise<string | undefined> {
  const useStdin = path === "-" && options.stdin !== undefined;
  const name = useStdin ? `standard input (${options.what})` : `${options.what} ${path}`;
  let stream: ReadableStream<Uint8Array>;
  if (useStdin) {
    stream = options.stdin === "process" ? Deno.stdin.readable : options.stdin!;
  } else {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) {
        if (options.allowMissing) return undefined;
        throw new NotFoundError(`${name} does not exist`, { cause });
      }
      // Named: Deno's message may not say which file (a loop of links), nor
      // which path a script's --allow-read should add.
      throw asAccessDenied(cause, `cannot read ${name}`, path) ??
        new VcError(
          `cannot read ${name}: ${fileInTheWay(path, cause) ?? (cause as Error).message}`,
          {
            cause,
          },
        );
    }
    let stat: Deno.FileInfo | undefined;
    try {
      stat = file.statSync(); // one fstat: cheaper here than a round trip to the I/O threads
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory) {
      file.close();
      throw new InvalidInputError(`${name} is a directory, not a file`);
    }
    // A regular file (manifests, lock files: small, local) is read here and
    // now: each read through the stream is a round trip to the I/O thread
    // pool, which a warm `vc path` feels. Devices and pipes take the stream.
    if (stat?.isFile) {
      try {
        return readFileCapped(file, stat.size, name, options);
      } finally {
        file.close();
      }
    }
    stream = file.readable;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await untilAborted(reader.read(), options.signal);
      } catch (cause) {
        if (options.signal?.aborted && cause === options.signal.reason) throw cause;
        // Named: Deno's message does not say what was read (standard input
        // that is a directory says only "Is a directory").
        throw new VcError(`cannot read ${name}: ${(cause as Error).message}`, { cause });
      }
      const { value, done } = step;
      if (done) break;
      total += value.length;
      if (total > options.maxBytes) {
        throw new InvalidInputError(
          `${name} is larger than ${options.maxBytes} bytes${
            options.why ? `: ${options.why}` : ""
          }`,
        );
      }
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return decodeUtf8(bytes, name, options.keepByteOrderMark);
}

// Reads at most maxBytes + 1 bytes (so a file that grew past the cap, or a
// size that lied, is still refused) with synchronous reads.
function readFileCapped(
  file: Deno.FsFile,
  size: number,
  name: string,
  { maxBytes, why, keepByteOrderMark }: ReadCappedOptions,
): string {
  const cap = maxBytes + 1;
  let buf = new Uint8Array(Math.min(cap, Math.max(size + 1, 4096)));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (buf.length >= cap) break;
      const bigger = new Uint8Array(Math.min(cap, buf.length * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const n = file.readSync(buf.subarray(total));
    if (n === null) break;
    total += n;
  }
  if (total > maxBytes) {
    throw new InvalidInputError(
      `${name} is larger than ${maxBytes} bytes${why ? `: ${why}` : ""}`,
    );
  }
  return decodeUtf8(buf.subarray(0, total), name, keepByteOrderMark);
}
