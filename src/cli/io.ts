/**
 * The process boundary of the command line: where output goes, where the
 * environment comes from, and which directory relative paths start at. The
 * CLI reaches the outside world only through a {@linkcode CliIo}, so tests run
 * commands in-process with {@linkcode memoryIo} and never touch the real
 * stdout, environment or working directory.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { VcError } from "../errors.ts";
import { envNotUtf8 } from "../env_option.ts";

/** Everything a command needs from its process. */
export interface CliIo {
  /**
   * Writes bytes to standard output (all of them, or throws).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { type CliIo, memoryIo } from "./io.ts";
   * // Embedding vc: its stdout goes wherever your writeStdout sends it.
   * const chunks: Uint8Array[] = [];
   * const io: CliIo = {
   *   ...memoryIo(),
   *   writeStdout: (data) => {
   *     chunks.push(data.slice());
   *     return Promise.resolve();
   *   },
   * };
   * assert(await runCli(["--version"], io) === 0);
   * assert(new TextDecoder().decode(chunks[0]).startsWith("vc "));
   * ```
   */
  writeStdout(data: Uint8Array): Promise<void>;
  /**
   * Writes bytes to standard output synchronously (all of them, or throws),
   * where the process can: the lean `vc path` entry uses it to print its one
   * line without starting Deno's I/O thread pool.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { memoryIo } from "./io.ts";
   * // Optional: without it (as in memoryIo), every command writes through writeStdout.
   * const io = memoryIo();
   * assert(io.writeStdoutSync === undefined);
   * assert(await runCli(["--version"], io) === 0);
   * assert(io.stdout().startsWith("vc "));
   * ```
   */
  writeStdoutSync?(data: Uint8Array): void;
  /**
   * Writes text to standard error at once; used for messages and the progress bar.
   * Best effort: {@linkcode denoIo}'s never throws (a stderr on a full disk or
   * with its reader gone loses the text, not the command's result).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { type CliIo, memoryIo } from "./io.ts";
   * // Messages to your own log instead of the process's stderr.
   * const log: string[] = [];
   * const io: CliIo = { ...memoryIo(), writeStderr: (text) => void log.push(text) };
   * assert(await runCli(["no-such-command"], io) === 2);
   * assert(log.join("").includes("no-such-command"));
   * ```
   */
  writeStderr(text: string): void;
  /** True when standard error is a terminal (progress bars and colours only then). */
  readonly stderrIsTerminal: boolean;
  /**
   * True when standard output is a terminal: `vc cat` then draws no bar of
   * its copy to stdout, which would cut into the content on the same screen.
   * Absent: not a terminal.
   */
  readonly stdoutIsTerminal?: boolean;
  /**
   * Reads an environment variable; `undefined` when unset or not permitted.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { memoryIo } from "./io.ts";
   * // vc sees only the variables your env answers: here no VC_CACHE_URL.
   * const io = memoryIo({ env: { VC_CACHE_TOKEN: "t" } });
   * assert(io.env("VC_CACHE_TOKEN") === "t" && io.env("VC_CACHE_URL") === undefined);
   * assert(await runCli(["cache-client", "id", "{}"], io) !== 0);
   * assert(io.stderr().includes("VC_CACHE_URL"));
   * ```
   */
  env(name: string): string | undefined;
  /** Directory that relative paths (manifest, files, destinations) are resolved against. */
  readonly cwd: string;
  /** Aborted when the user interrupts (Ctrl-C); long operations stop early. */
  readonly signal?: AbortSignal;
  /**
   * Aborted when the work a command lets finish on `signal` (the transfers
   * in flight of `vc mirror --watch`, the uploads in flight of `vc serve`)
   * must be abandoned after all: the grace
   * period of a Ctrl-C is over, or a second signal came. Such a command
   * then aborts that work (multipart uploads aborted in the store, partial
   * files removed) and fails as interrupted. Absent: nothing drains.
   */
  readonly cancel?: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * A failed write to standard output (a full disk, a closed terminal), said
 * as such. A reader that went away (`vc cat x | head`) stays a
 * `BrokenPipe`, which the command line ends on quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stdoutFailed } from "./io.ts";
 * const e = stdoutFailed(new Error("No space left on device (os error 28)"));
 * assert.equal(e.message, "cannot write to standard output: No space left on device (os error 28)");
 * const gone = new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
 * assert.equal(stdoutFailed(gone), gone);
 * ```
 */
export function stdoutFailed(error: unknown): Error {
  if (error instanceof Deno.errors.BrokenPipe) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new VcError(`cannot write to standard output: ${reason}`, { cause: error });
}

// The variables whose denied read is said (once): vc's own settings and the
// directories its defaults are made from. Others (a proxy, AWS_*) are the
// caller's to grant, and their absence is said where it matters.
const SAID_WHEN_DENIED =
  /^(VC_\w+|HOME|USERPROFILE|XDG_CACHE_HOME|XDG_CONFIG_HOME|LOCALAPPDATA|APPDATA)$/;
// Once a process: the hot path and the full command line each make an io.
let envDeniedSaid = false;

/**
 * The real process: `Deno.stdout`, `Deno.stderr`, `Deno.env`, `Deno.cwd()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoIo } from "./io.ts";
 * const io = denoIo();
 * assert(typeof io.cwd === "string");
 * ```
 */
export function denoIo(signal?: AbortSignal, cancel?: AbortSignal): CliIo {
  // Set once stderr's reader went away (`vc prefill 2>&1 | head`): what is
  // left to say has no reader, and the command still finishes with its own
  // exit code (a failure stays 1 under `set -o pipefail`), as with stdout.
  let stderrGone = false;
  const io: CliIo = {
    async writeStdout(data: Uint8Array): Promise<void> {
      // `write` may accept fewer bytes than given (pipes); loop until done.
      let offset = 0;
      try {
        while (offset < data.length) {
          offset += await Deno.stdout.write(data.subarray(offset));
        }
      } catch (error) {
        throw stdoutFailed(error);
      }
    },
    writeStdoutSync(data: Uint8Array): void {
      let offset = 0;
      try {
        while (offset < data.length) {
          offset += Deno.stdout.writeSync(data.subarray(offset));
        }
      } catch (error) {
        throw stdoutFailed(error);
      }
    },
    writeStderr(text: string): void {
      if (stderrGone) return;
      const data = encoder.encode(text);
      let offset = 0;
      try {
        while (offset < data.length) {
          offset += Deno.stderr.writeSync(data.subarray(offset));
        }
      } catch {
        // Best effort: stderr holds notes, warnings and errors, never the
        // result. One that cannot be written (`2>/dev/full`, a log reader
        // that went away) loses them, not the command's stdout or its exit
        // code: a warning of `vc ls-remote` must not end it before its list,
        // nor a usage error exit 1 instead of 2. There is nowhere to say so,
        // and later writes are dropped rather than tried again.
        stderrGone = true;
      }
    },
    stderrIsTerminal: Deno.stderr.isTerminal(),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    env(name: string): string | undefined {
      try {
        return Deno.env.get(name);
      } catch (e) {
        // A value that is not UTF-8 is no missing permission: it was said to
        // be one, and the variable taken for unset.
        const notUtf8 = envNotUtf8(name, e);
        if (notUtf8 !== undefined) throw notUtf8;
        // Not in the --allow-env list: behave as if unset rather than crash,
        // but say so once for a variable of vc's own (every one is in the
        // release flags): a CI task's VC_CACHE_DIR left out of its list was
        // ignored in silence, and the job filled ~/.cache/vc instead.
        if (!envDeniedSaid && SAID_WHEN_DENIED.test(name)) {
          envDeniedSaid = true;
          io.writeStderr(
            `vc: warning: cannot read ${name}: this process has no env permission for it, so ` +
              `it is taken as unset, as are vc's other variables left out; run with ` +
              `--allow-env (or add VC_*,HOME,XDG_CACHE_HOME,XDG_CONFIG_HOME to its list)\n`,
          );
        }
        return undefined;
      }
    },
    cwd: Deno.cwd(),
  };
  return {
    ...io,
    ...(signal === undefined ? {} : { signal }),
    ...(cancel === undefined ? {} : { cancel }),
  };
}

/** A {@linkcode CliIo} that records output in memory, for tests and embedding. */
export interface MemoryIo extends CliIo {
  /**
   * Everything written to stdout so far, as bytes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo();
   * assert(await runCli(["--version"], io) === 0);
   * const bytes = io.stdoutBytes(); // e.g. the bytes `vc cat` printed
   * assert(bytes.at(-1) === 0x0a && new TextDecoder().decode(bytes) === io.stdout());
   * ```
   */
  stdoutBytes(): Uint8Array;
  /**
   * Everything written to stdout so far, decoded as UTF-8.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo();
   * assert(await runCli(["--version"], io) === 0);
   * assert.match(io.stdout(), /^vc \S+/);
   * ```
   */
  stdout(): string;
  /**
   * Everything written to stderr so far.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { runCli } from "../../cli.ts";
   * import { memoryIo } from "./io.ts";
   * const io = memoryIo();
   * assert(await runCli(["get"], io) === 2); // a usage error
   * assert(io.stderr().length > 0 && io.stdout() === "");
   * ```
   */
  stderr(): string;
}

/** Options for {@linkcode memoryIo}. */
export interface MemoryIoOptions {
  /** Environment variables visible to the command (nothing else is). */
  env?: Record<string, string>;
  /** Working directory (default: the real one). */
  cwd?: string;
  /** Pretend stderr is a terminal. */
  stderrIsTerminal?: boolean;
  /** Pretend stdout is a terminal. */
  stdoutIsTerminal?: boolean;
  /** Interrupt signal. */
  signal?: AbortSignal;
  /** Abandons the work a command drains on `signal` (see {@linkcode CliIo.cancel}). */
  cancel?: AbortSignal;
}

/**
 * An in-memory {@linkcode CliIo}: captures stdout and stderr, and exposes only
 * the environment given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { VC_BUCKET: "file:///tmp/b" } });
 * await io.writeStdout(new TextEncoder().encode("hi\n"));
 * io.writeStderr("oops\n");
 * assert(io.stdout() === "hi\n" && io.stderr() === "oops\n");
 * assert(io.env("VC_BUCKET") === "file:///tmp/b" && io.env("HOME") === undefined);
 * ```
 */
export function memoryIo(options: MemoryIoOptions = {}): MemoryIo {
  const out: Uint8Array[] = [];
  let err = "";
  const env = { ...options.env };
  const io: MemoryIo = {
    writeStdout(data: Uint8Array): Promise<void> {
      out.push(data.slice());
      return Promise.resolve();
    },
    writeStderr(text: string): void {
      err += text;
    },
    stderrIsTerminal: options.stderrIsTerminal ?? false,
    stdoutIsTerminal: options.stdoutIsTerminal ?? false,
    env: (name: string): string | undefined => env[name],
    cwd: options.cwd ?? Deno.cwd(),
    stdoutBytes(): Uint8Array {
      return concatBytes(out);
    },
    stdout(): string {
      return new TextDecoder().decode(io.stdoutBytes());
    },
    stderr: (): string => err,
  };
  return {
    ...io,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.cancel === undefined ? {} : { cancel: options.cancel }),
  };
}
