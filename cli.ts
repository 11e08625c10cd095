/**
 * The `vc` command line. Only this file reads `Deno.args` and calls
 * `Deno.exit`; everything else is in `src/cli/` and runs in-process through
 * {@linkcode runCli}, which embedders can call too.
 *
 * ```sh
 * vc add /models/weights.bin ./weights.bin --bucket s3://my-assets
 * vc path /models/weights.bin
 * vc prefill --json
 * ```
 *
 * @module
 */
import { type CliIo, denoIo } from "./src/cli/io.ts";

/** How long a first Ctrl-C waits for operations to unwind before exiting anyway (ms). */
const INTERRUPT_GRACE_MS = 5_000;
/** Commands that finish their work in flight on SIGTERM, however long it takes. */
const DRAINS_ON_SIGTERM: ReadonlySet<string> = new Set(["serve", "mirror"]);

export { type CliIo, denoIo, type MemoryIo, memoryIo, type MemoryIoOptions } from "./src/cli/io.ts";

// The full command line is imported by computed specifiers: `deno run` then
// neither reads nor evaluates its modules when the lean `vc path` entry
// answers (a warm hit). The release build bundles this file and embeds these
// modules with `--include` (`scripts/compile.ts`, `FULL_CLI_MODULES`); the
// bundle is written beside this file, so the same relative specifiers hold.
const MAIN_MODULE = "./src/cli/main.ts";
const ATOMIC_WRITE_MODULE = "./src/atomic_write.ts";
const INTERRUPT_CLEANUP_MODULE = "./src/interrupt_cleanup.ts";
const EMPTY_MODULE = "data:text/javascript,"; // see turnEventLoop
function lazy<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}

/**
 * Runs `vc` with `args` (without the program name) and resolves to the exit
 * code: 0 success, 1 failure, 2 usage error, 130 interrupted. Never throws
 * and never exits the process. The same as `runCli` of `src/cli/main.ts`,
 * loaded on first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo, runCli } from "./cli.ts";
 * const io = memoryIo();
 * assert(await runCli(["--version"], io) === 0);
 * assert(io.stdout().startsWith("vc "));
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const main = await lazy<typeof import("./src/cli/main.ts")>(MAIN_MODULE);
  return await main.runCli(args, io);
}

// Not a top-level `await`: the process runs in `main`, after this module has
// been evaluated. Two reasons, both about a warm `vc path` in the release
// bundle (one big module): Deno stores a module's compiled code (its V8 code
// cache) only after the module's evaluation, when its event loop next loads
// a module (see turnEventLoop), which a `Deno.exit` inside a top-level await
// never let happen; and while the module's own top-level code is on the
// stack, the first exception (a missing config file) makes V8 re-parse the
// whole module to find source positions (~2 ms for the bundle).
if (import.meta.main) void main();

async function main(): Promise<void> {
  // A warm `vc path` is answered by the lean entry; anything else (and any
  // case it does not handle) runs the full command line, unchanged. Imported
  // for `path` only, so other commands' start-up does not evaluate it; a
  // literal specifier, so the release bundle holds it.
  if (Deno.args[0] === "path") {
    const { hotPath } = await import("./src/cli/hot_path.ts");
    const hot = await hotPath(Deno.args, denoIo());
    if (hot !== undefined) {
      await turnEventLoop();
      Deno.exit(hot);
    }
  }
  // Every command ends in `Deno.exit` below. An event loop that runs dry
  // first means a promise that never settles (a bug): reported and failed,
  // as a top-level await was, never a silent exit 0.
  globalThis.addEventListener("beforeunload", () => {
    denoIo().writeStderr("vc: internal error: the command stopped before it finished\n");
    Deno.exit(1);
  });
  const [{ discardOpenTempFiles }, { runInterruptCleanups }] = await Promise.all([
    lazy<typeof import("./src/atomic_write.ts")>(ATOMIC_WRITE_MODULE),
    lazy<typeof import("./src/interrupt_cleanup.ts")>(INTERRUPT_CLEANUP_MODULE),
  ]);
  // First Ctrl-C aborts the running operation so temp files are cleaned up
  // and the progress bar erased; a second one exits at once.
  const interrupt = new AbortController();
  // Leave nothing half-done behind: partial downloads (temp files) and the
  // empty records of entries this process had locked.
  const exitNow = (): never => {
    discardOpenTempFiles();
    runInterruptCleanups();
    Deno.exit(130);
  };
  const onStop = (signal: "SIGINT" | "SIGTERM"): void => {
    if (interrupt.signal.aborted) exitNow();
    interrupt.abort(new DOMException("interrupted", "AbortError"));
    // Ctrl-C always ends the process: operations unwind on the abort, and
    // whatever has not unwound within the grace period (a stalled transfer
    // the runtime cannot cancel, a catalog query, a wait for a lock) is cut
    // short, cleaned up all the same. SIGTERM does the same, except for the
    // services that drain on it (`vc serve` finishes the requests in flight,
    // `vc mirror --watch` its transfers), where the service manager's own
    // timeout and SIGKILL are the limit.
    const command = Deno.args.find((a) => !a.startsWith("-")) ?? "";
    if (signal === "SIGINT" || !DRAINS_ON_SIGTERM.has(command)) {
      setTimeout(exitNow, INTERRUPT_GRACE_MS);
    }
  };
  try {
    Deno.addSignalListener("SIGINT", () => onStop("SIGINT"));
    // SIGTERM (service managers, `docker stop`) stops the same way: `vc serve`
    // finishes the requests in flight, then exits.
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => onStop("SIGTERM"));
  } catch {
    // Signals unsupported here (some sandboxes): Ctrl-C then just kills the process.
  }
  const code = await runCli(Deno.args, denoIo(interrupt.signal));
  if (interrupt.signal.aborted) {
    discardOpenTempFiles();
    runInterruptCleanups();
  }
  Deno.exit(code);
}

/**
 * One turn of the event loop, so that Deno stores the entry module's code
 * cache on a first run before `Deno.exit` ends the process (it does so while
 * it loads modules); later runs then load the compiled code instead of
 * compiling it (see `scripts/compile.ts` for the bundle). An empty module
 * (measured ~0.5 ms; importing an evaluated module, or an asynchronous write,
 * completes without loading anything, and a timer costs ~9 ms). Best effort.
 */
async function turnEventLoop(): Promise<void> {
  try {
    // By a computed specifier: the bundler would inline a literal one.
    await lazy(EMPTY_MODULE);
  } catch {
    // Not loadable here: only the code cache is lost.
  }
}
