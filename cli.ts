/**
 * The `vc` command line. Run as the main module, it is the `vc` process
 * (`src/cli/process.ts`: the only code that reads `Deno.args` and calls
 * `Deno.exit`); everything else is in `src/cli/` and runs in-process through
 * {@linkcode runCli}, which embedders can call too.
 *
 * ```sh
 * vc add /models/weights.bin ./weights.bin --bucket s3://my-assets
 * vc path /models/weights.bin
 * vc prefill --json
 * ```
 *
 * @example In-process, with its output and settings in memory (`memoryIo`)
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo, runCli } from "./cli.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/weights.bin`, "w");
 *   const env = {
 *     VC_BUCKET: `file://${dir}/bucket`,
 *     VC_CACHE_DIR: `${dir}/cache`,
 *     VC_MANIFEST: `${dir}/manifest.json`,
 *     HOME: dir,
 *   };
 *   const add = memoryIo({ env });
 *   assert.equal(await runCli(["add", "/models/weights.bin", `${dir}/weights.bin`], add), 0);
 *   const path = memoryIo({ env });
 *   assert.equal(await runCli(["path", "/models/weights.bin"], path), 0);
 *   assert.equal(await Deno.readTextFile(path.stdout().trim()), "w");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
import type { CliIo } from "./src/cli/io.ts";
import { loadFullCli, runProcess } from "./src/cli/process.ts";

export { type CliIo, denoIo, type MemoryIo, memoryIo, type MemoryIoOptions } from "./src/cli/io.ts";

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
  return await (await loadFullCli()).runCli(args, io);
}

// Not a top-level `await`: the process runs in `runProcess`, after this module has
// been evaluated. Two reasons, both about a warm `vc path` in the release
// bundle (one big module): Deno stores a module's compiled code (its V8 code
// cache) only after the module's evaluation, when its event loop next loads
// a module (see turnEventLoop in src/cli/process.ts), which a `Deno.exit` inside a top-level await
// never let happen; and while the module's own top-level code is on the
// stack, the first exception (a missing config file) makes V8 re-parse the
// whole module to find source positions (~2 ms for the bundle).
if (import.meta.main) void runProcess();
