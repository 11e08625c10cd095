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

export { runCli } from "./src/cli/main.ts";
export { type CliIo, denoIo, type MemoryIo, memoryIo } from "./src/cli/io.ts";

if (import.meta.main) {
  // First Ctrl-C aborts the running operation so temp files are cleaned up
  // and the progress bar erased; a second one exits at once.
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) Deno.exit(130);
    interrupt.abort(new DOMException("interrupted", "AbortError"));
  };
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    // SIGTERM (service managers, `docker stop`) stops the same way: `vc serve`
    // finishes the requests in flight, then exits.
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSigint);
  } catch {
    // Signals unsupported here (some sandboxes): Ctrl-C then just kills the process.
  }
  const code = await runCli(Deno.args, denoIo(interrupt.signal));
  Deno.exit(code);
}
