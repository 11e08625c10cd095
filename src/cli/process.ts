/**
 * The `vc` process around the command line: reads `Deno.args`, answers a warm
 * `vc path` from the lean entry (`hot_path.ts`), else loads the full command
 * line (`main.ts`), turns Ctrl-C and SIGTERM into an abort with a grace
 * period, and exits with the command's code. Only this module (through
 * `cli.ts` or the release build's entry) reads `Deno.args` and calls
 * `Deno.exit`.
 *
 * @module
 */
import { importBundled } from "../bundled_modules.ts";
import { denoIo } from "./io.ts";

/** How long a first Ctrl-C waits for operations to unwind before exiting anyway (ms). */
const INTERRUPT_GRACE_MS = 5_000;
/**
 * Whether the command is a service that finishes its work in flight on
 * SIGTERM, however long it takes: `vc serve`, `vc mirror --watch`. A one-shot
 * `vc mirror` aborts its transfers at the first signal, and is ended after
 * the grace period like any command if that abort stalls.
 */
function drainsOnSigterm(command: string, args: readonly string[]): boolean {
  return command === "serve" || (command === "mirror" && args.includes("--watch"));
}
/**
 * Commands that, when their drain is cut short (the grace period of a
 * Ctrl-C is over, or a second signal), abort their work in flight through
 * the io's `cancel` signal (`vc mirror --watch`: multipart uploads aborted
 * in the store, partial downloads removed; `vc serve`: the uploads in
 * flight, their store writes aborted) instead of being ended at once.
 */
const ABANDONS_IN_FLIGHT: ReadonlySet<string> = new Set(["mirror", "serve"]);
/** How long such a command has to abort its work in flight before the process ends anyway (ms). */
const ABANDON_GRACE_MS = 5_000;
/** How long a command ended at once has to print its `--json` error document (ms). */
const DOCUMENT_GRACE_MS = 1_000;

/**
 * The signals that stop vc on `os` (default this platform), each with the
 * one it is taken as: Ctrl-C (`SIGINT`) everywhere; `SIGTERM` (service
 * managers, `docker stop`) where there is one; on Windows Ctrl-Break
 * (`SIGBREAK`), taken as a Ctrl-C (without a listener it ended the process
 * at once: no grace period, temp files and a multipart upload in flight left
 * behind, a `vc serve` not drained).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stopSignals } from "./process.ts";
 * assert.deepEqual(stopSignals("windows").map(([s]) => s), ["SIGINT", "SIGBREAK"]);
 * ```
 */
export function stopSignals(
  os: typeof Deno.build.os = Deno.build.os,
): [Deno.Signal, "SIGINT" | "SIGTERM"][] {
  return os === "windows"
    ? [["SIGINT", "SIGINT"], ["SIGBREAK", "SIGINT"]]
    : [["SIGINT", "SIGINT"], ["SIGTERM", "SIGTERM"]];
}

// The full command line is imported by computed specifiers: `deno run` then
// neither reads nor evaluates its modules when the lean `vc path` entry
// answers (a warm hit). The release build bundles the lean entry alone and
// the full command line apart, code-split, and registers where each of these
// is in it (`../bundled_modules.ts`, `scripts/release/`).
const MAIN_MODULE = "./main.ts";
const ATOMIC_WRITE_MODULE = "../atomic_write.ts";
const EMPTY_MODULE = "data:text/javascript,"; // see turnEventLoop

/**
 * The full command line (`main.ts`), loaded on first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFullCli } from "./process.ts";
 * assert(typeof (await loadFullCli()).runCli === "function");
 * ```
 */
export function loadFullCli(): Promise<typeof import("./main.ts")> {
  return importBundled("src/cli/main.ts", () => import(MAIN_MODULE));
}

/**
 * Runs `vc` as the process: the command in `Deno.args`, Ctrl-C and SIGTERM
 * handled, and `Deno.exit` with the command's exit code. Called by `cli.ts`
 * when it is the main module, and by the release build's entry
 * (`scripts/release/vc.ts`).
 */
export async function runProcess(): Promise<void> {
  // A warm `vc path` is answered by the lean entry; anything else (and any
  // case it does not handle) runs the full command line, unchanged. Imported
  // for `path` only, so other commands' start-up does not evaluate it; a
  // literal specifier, so the release bundle holds it.
  // An argument with U+FFFD (most likely bytes that were not UTF-8) is
  // refused by the full command line (see `refuseReplacementCharacter` in
  // main.ts), never answered by the lean entry.
  if (Deno.args[0] === "path" && !Deno.args.some((a) => a.includes("\ufffd"))) {
    const { hotPath } = await import("./hot_path.ts");
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
  const { discardOpenTempFiles } = await importBundled<typeof import("../atomic_write.ts")>(
    "src/atomic_write.ts",
    () => import(ATOMIC_WRITE_MODULE),
  );
  // First Ctrl-C aborts the running operation so temp files are cleaned up
  // and the progress bar erased; a second one cuts it short (see cutShort).
  const interrupt = new AbortController();
  // The work in flight a draining command lets finish is abandoned on this
  // one (see `ABANDONS_IN_FLIGHT`).
  const cancel = new AbortController();
  // The full command line once loaded (exitNow erases its progress bars).
  const loaded: { cli?: Awaited<ReturnType<typeof loadFullCli>> } = {};
  // Leave nothing half-done behind: partial downloads and the entry locks
  // this process holds (both are temp files).
  // Ended without the command's own end, which would have said what it did:
  // the last line says which command was ended at once, and why, also off a
  // terminal (a CI log otherwise ended on its last progress line, or on
  // nothing). A progress bar still drawn is erased first, so that line does
  // not follow the bar's, nor the shell's prompt. A command that was
  // aborting its work in flight (its grace over, or a third signal) says it
  // did not see that through.
  // With --json, stdout gets that interrupt's error document (as a command
  // that ends on its own prints it), given at most a second: a stdout
  // nobody reads must not hold the exit. A further signal meanwhile ends at
  // once. The command's own end, should it come in that second, says
  // nothing more (see `sayCutShort` in main.ts), nor exits with its code;
  // one whose own end had said its failure exits with its own.
  let ending = false;
  let cutSaid: Promise<boolean> | undefined;
  const exitNow = (why: "grace" | "signal"): void => {
    if (ending) Deno.exit(130);
    ending = true;
    discardOpenTempFiles();
    loaded.cli?.eraseDrawnBars();
    const name = command === "" ? "" : `${command} `;
    const message = cancel.signal.aborted
      ? `${name}interrupted: ended at once, before the work in flight was all aborted ` +
        "(an upload cut there may stay open in the store as an incomplete multipart upload)"
      : `${name}interrupted: ended at once, ${
        why === "grace"
          ? `still busy ${INTERRUPT_GRACE_MS / 1000} s after the signal`
          : "by a second signal"
      } (its temp files removed; run it again to finish)`;
    const said = cutSaid = loaded.cli?.sayCutShort(message).catch(() => true);
    if (said === undefined) {
      denoIo().writeStderr(`vc: ${message}\n`);
      Deno.exit(130);
    }
    // The command's own end said it (false): it exits with its code, just after.
    void Promise.race([said, new Promise((r) => setTimeout(r, DOCUMENT_GRACE_MS))])
      .then((cut) => cut === false ? undefined : Deno.exit(130));
  };
  // Until the command line is loaded (a signal during start-up), a first guess;
  // then the command as dispatch finds it (`serve expire` is not `serve`).
  let command = Deno.args.find((a) => !a.startsWith("-")) ?? "";
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  // The drain is over (its grace period, or a second signal). A command
  // that aborts its work in flight then is given the time to do so (a
  // multipart upload left open would stay in the store, billed); any other
  // ends at once, as does any on a further signal.
  const cutShort = (why: "grace" | "signal"): void => {
    clearTimeout(graceTimer);
    if (!ABANDONS_IN_FLIGHT.has(command) || cancel.signal.aborted) return exitNow(why);
    cancel.abort(new DOMException("interrupted", "AbortError"));
    setTimeout(() => exitNow("grace"), ABANDON_GRACE_MS);
  };
  const onStop = (signal: "SIGINT" | "SIGTERM"): void => {
    if (interrupt.signal.aborted) return cutShort("signal");
    interrupt.abort(new DOMException("interrupted", "AbortError"));
    // Ctrl-C always ends the process: operations unwind on the abort, and
    // whatever has not unwound within the grace period (a stalled transfer
    // the runtime cannot cancel, a catalog query, a wait for a lock) is cut
    // short, cleaned up all the same. SIGTERM does the same, except for the
    // services that drain on it (`vc serve` finishes the requests in flight,
    // `vc mirror --watch` its transfers), where the service manager's own
    // timeout and SIGKILL are the limit.
    if (signal === "SIGINT" || !drainsOnSigterm(command, Deno.args)) {
      graceTimer = setTimeout(() => cutShort("grace"), INTERRUPT_GRACE_MS);
    }
  };
  try {
    // SIGTERM (service managers, `docker stop`) stops the same way: `vc serve`
    // finishes the requests in flight, then exits. Ctrl-Break on Windows is a Ctrl-C.
    for (const [signal, as] of stopSignals()) Deno.addSignalListener(signal, () => onStop(as));
    // A write past the file-size limit (`ulimit -f`, a batch scheduler's
    // RLIMIT_FSIZE) raises SIGXFSZ, which kills the process unsaid (exit
    // 153) mid-write: caught, the write fails instead with EFBIG ("File too
    // large"), which the command reports as it does a full disk.
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGXFSZ", () => {});
  } catch {
    // Signals unsupported here (some sandboxes): Ctrl-C then just kills the process.
  }
  // With the full command line's own io (see main.ts): objects of this
  // module's copies of io.ts and errors.ts must not reach it.
  const cli = loaded.cli = await loadFullCli();
  command = cli.commandName(Deno.args);
  const code = await cli.runCli(Deno.args, cli.denoIo(interrupt.signal, cancel.signal));
  // Ended at once meanwhile, and said so: exitNow's exit (130) follows its document.
  if (cutSaid !== undefined && await cutSaid) return;
  if (interrupt.signal.aborted) discardOpenTempFiles();
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
    await import(EMPTY_MODULE);
  } catch {
    // Not loadable here: only the code cache is lost.
  }
}
