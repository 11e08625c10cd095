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
import { runCli } from "./src/cli/main.ts";
import { denoIo } from "./src/cli/io.ts";
import { discardOpenTempFiles } from "./src/atomic_write.ts";
import { runInterruptCleanups } from "./src/interrupt_cleanup.ts";

/** How long a first Ctrl-C waits for operations to unwind before exiting anyway (ms). */
const INTERRUPT_GRACE_MS = 5_000;

export { runCli } from "./src/cli/main.ts";
export { type CliIo, denoIo, type MemoryIo, memoryIo } from "./src/cli/io.ts";

if (import.meta.main) {
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
    // the runtime cannot cancel) is cut short, cleaned up all the same.
    // SIGTERM has no limit: `vc serve` finishes the requests in flight, and a
    // service manager sends SIGKILL after its own timeout.
    if (signal === "SIGINT") setTimeout(exitNow, INTERRUPT_GRACE_MS);
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
