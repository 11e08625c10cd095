/**
 * Release build: one self-contained `vc` executable per platform in `dist/`,
 * with the permissions of `scripts/permissions.ts` baked in, and a
 * `dist/SHA256SUMS` file (`sha256sum -c` format).
 *
 * The entry is `cli.ts` bundled into one file first (`deno bundle`, written
 * beside `cli.ts` as `cli.bundle.js` and removed afterwards): a warm `vc path`
 * then loads one file instead of some forty modules (Deno's cost per module
 * is about half of its start-up). Only the lean `vc path` entry is in the
 * bundle; the full command line is imported by computed specifiers, which
 * the bundle keeps as they are (so it must sit beside `src/`) and `deno
 * compile` embeds with `--include` (`FULL_CLI_MODULES`). Its functions are
 * then marked for eager compilation (`eager_compile.ts`), so that the code
 * cache Deno keeps of it (for a compiled binary: written on its first run)
 * holds what a warm hit runs. Built at release time, so the bundle is never
 * stale.
 *
 * ```sh
 * deno task compile                       # every target
 * deno task compile --target x86_64-unknown-linux-gnu
 * deno task compile --dry-run             # print the deno compile command lines only
 * deno task install                       # no download: `deno install -g` a `vc` on the PATH
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, join, resolve } from "node:path";
import { eagerCompileHints } from "./eager_compile.ts";
import { PERMISSION_FLAGS } from "./permissions.ts";
import { COMMAND_MODULES } from "../src/cli/command_table.ts";

/**
 * The platforms release binaries are built for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TARGETS } from "./compile.ts";
 * assert(TARGETS.includes("aarch64-apple-darwin"));
 * ```
 */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** Options for {@linkcode compileCommands}. */
export interface CompileOptions {
  /** Targets to build (default: all of {@linkcode TARGETS}). */
  targets?: readonly string[];
  /** Output directory (default `dist`). */
  outDir?: string;
  /** Entry point (default {@linkcode BUNDLE_FILE}, the bundled `cli.ts`). */
  entry?: string;
}

/**
 * The output file of a target's executable; Windows gets `.exe`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outputFile } from "./compile.ts";
 * assert(outputFile("dist", "x86_64-pc-windows-msvc") === "dist/vc-x86_64-pc-windows-msvc.exe");
 * assert(outputFile("dist", "aarch64-apple-darwin") === "dist/vc-aarch64-apple-darwin");
 * ```
 */
export function outputFile(outDir: string, target: string): string {
  return join(outDir, `vc-${target}${target.includes("windows") ? ".exe" : ""}`);
}

/**
 * Modules started with `new Worker(...)` (MD5 of large downloads off the main
 * thread), which `deno compile` must be told to embed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WORKER_MODULES } from "./compile.ts";
 * assert(WORKER_MODULES.every((m) => m.endsWith(".ts")));
 * ```
 */
export const WORKER_MODULES: readonly string[] = [
  "src/store/download_hash_worker.ts",
  "src/mirror/walk_worker.ts",
];

/**
 * Modules imported by computed specifiers, so that `deno run` does not read
 * them (and resolve their npm packages) at every start: not in the module
 * graph either, so embedded with `--include` too. The command modules are
 * listed in `src/cli/command_table.ts` (`COMMAND_MODULES`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAZY_MODULES } from "./compile.ts";
 * assert(LAZY_MODULES.includes("src/store/s3_sdk.ts"));
 * ```
 */
export const LAZY_MODULES: readonly string[] = ["src/store/s3_sdk.ts"];

/**
 * The modules `cli.ts` imports by computed specifiers (the full command line,
 * when the lean `vc path` entry does not answer): not in the bundle, so
 * embedded with `--include`. A test checks this list against `cli.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FULL_CLI_MODULES } from "./compile.ts";
 * assert(FULL_CLI_MODULES.includes("src/cli/main.ts"));
 * ```
 */
export const FULL_CLI_MODULES: readonly string[] = [
  "src/cli/main.ts",
  "src/atomic_write.ts",
  "src/interrupt_cleanup.ts",
];

/**
 * V8 flags the release binary runs with (`deno compile --v8-flags`).
 * `--no-enable-lazy-source-positions`: functions are compiled with their
 * source positions. V8 otherwise leaves them out and, at the first exception
 * thrown through a function, re-parses it to find them: Deno captures up to
 * ten stack frames of every error, whatever `Error.stackTraceLimit` says, so
 * the first missing config file of a warm `vc path` re-parsed every function
 * on the stack (about 1 ms). The functions come from the code cache, and
 * their positions with them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RELEASE_V8_FLAGS } from "./compile.ts";
 * assert(RELEASE_V8_FLAGS.includes("--no-enable-lazy-source-positions"));
 * ```
 */
export const RELEASE_V8_FLAGS: readonly string[] = ["--no-enable-lazy-source-positions"];

/**
 * The bundled entry, beside `cli.ts` so that its relative computed
 * specifiers (`./src/cli/main.ts`) resolve as they do from `cli.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUNDLE_FILE } from "./compile.ts";
 * assert(BUNDLE_FILE.endsWith(".js") && !BUNDLE_FILE.includes("/"));
 * ```
 */
export const BUNDLE_FILE = "cli.bundle.js";

/**
 * The `deno bundle` argument list (without the `deno` executable) that
 * bundles `entry` (default `cli.ts`) into `output`: one minified ES module
 * for Deno, everything its static imports reach inlined, computed
 * `import()`s kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundleCommand } from "./compile.ts";
 * const args = bundleCommand("cli.bundle.js");
 * assert(args[0] === "bundle" && args.at(-1) === "cli.ts");
 * assert(args.includes("--platform") && args.includes("deno"));
 * ```
 */
export function bundleCommand(output: string, entry = "cli.ts"): string[] {
  // Minified: half the bytes for V8 to parse at every start. Only the lean
  // entry's own code is in it, and that code never shows a stack trace
  // (it hands every error to the full command line, which is not bundled).
  return ["bundle", "--quiet", "--platform", "deno", "--minify", "--output", output, entry];
}

/**
 * Runs {@linkcode bundleCommand} with `deno` (from `cwd`, default the current
 * directory), then marks the bundle's functions for eager compilation
 * (`eager_compile.ts`); throws an `Error` with deno's message when it fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundle } from "./compile.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.ts`, 'import { b } from "./b.ts";\nconsole.log(b);\n');
 *   await Deno.writeTextFile(`${dir}/b.ts`, "export const b: number = 1;\n");
 *   await bundle(`${dir}/out.js`, { cwd: dir, entry: "a.ts" });
 *   assert(!(await Deno.readTextFile(`${dir}/out.js`)).includes("./b.ts"));
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function bundle(
  output: string,
  options: { cwd?: string; entry?: string } = {},
): Promise<void> {
  const { code, stderr } = await new Deno.Command(denoExecutable(), {
    args: bundleCommand(output, options.entry),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
  }
  // So that Deno's code cache of the bundle holds the functions a warm
  // `vc path` calls, instead of compiling them at every run.
  const path = options.cwd === undefined ? output : resolve(options.cwd, output);
  await Deno.writeTextFile(path, eagerCompileHints(await Deno.readTextFile(path)));
}

/**
 * The `deno compile` argument lists, one per target (without the `deno`
 * executable itself). Throws `RangeError` for an unknown target.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileCommands } from "./compile.ts";
 * const [args] = compileCommands({ targets: ["x86_64-unknown-linux-gnu"] });
 * assert(args?.[0] === "compile" && args.includes("--no-prompt"));
 * assert(args?.at(-1) === "cli.bundle.js");
 * ```
 */
export function compileCommands(options: CompileOptions = {}): string[][] {
  const outDir = options.outDir ?? "dist";
  const entry = options.entry ?? BUNDLE_FILE;
  const targets = options.targets ?? TARGETS;
  return targets.map((target) => {
    if (!TARGETS.includes(target)) {
      throw new RangeError(
        `unknown target ${JSON.stringify(target)}: expected one of ${TARGETS.join(", ")}`,
      );
    }
    return [
      "compile",
      ...PERMISSION_FLAGS,
      `--v8-flags=${RELEASE_V8_FLAGS.join(",")}`,
      // Worker modules are not part of the import graph, so deno compile
      // embeds them only when asked (see WORKER_MODULES).
      ...WORKER_MODULES.flatMap((module) => ["--include", module]),
      // Loaded by computed specifiers (see LAZY_MODULES), so not in the graph either.
      ...LAZY_MODULES.flatMap((module) => ["--include", module]),
      ...COMMAND_MODULES.flatMap((module) => ["--include", `src/cli/${module.slice(2)}`]),
      // The full command line, imported by computed specifiers from the bundle.
      ...FULL_CLI_MODULES.flatMap((module) => ["--include", module]),
      "--target",
      target,
      "--output",
      outputFile(outDir, target),
      entry,
    ];
  });
}

/**
 * Quotes an argument for a POSIX shell when it needs it (for `--dry-run`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellQuote } from "./compile.ts";
 * assert(shellQuote("--allow-env=VC_*") === "'--allow-env=VC_*'");
 * assert(shellQuote("cli.ts") === "cli.ts");
 * ```
 */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./=:,@+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * `sha256sum`-format lines for the given files (`<hex>  <name>`), sorted by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Sums } from "./compile.ts";
 * const file = await Deno.makeTempFile();
 * try {
 *   const text = await sha256Sums([file]);
 *   assert(text.startsWith("e3b0c44298fc1c149afbf4c8996fb924"));
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function sha256Sums(files: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const file of [...files].sort((a, b) => basename(a).localeCompare(basename(b)))) {
    const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(file));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    lines.push(`${hex}  ${basename(file)}`);
  }
  return lines.map((l) => l + "\n").join("");
}

/**
 * The `deno` to run `deno compile` with: this runtime (`Deno.execPath()`)
 * when the permissions allow running it, else `deno` from the PATH. A Deno
 * installed from npm runs as a binary inside `node_modules`, which
 * `--allow-run=deno` (the PATH's `deno`, an npm shim) does not cover.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoExecutable } from "./compile.ts";
 * assert(["deno", Deno.execPath()].includes(denoExecutable()));
 * ```
 */
export function denoExecutable(): string {
  let exec: string;
  try {
    exec = Deno.execPath();
  } catch {
    return "deno"; // reading the path needs --allow-read; the PATH's deno will do
  }
  const state = Deno.permissions.querySync({ name: "run", command: exec }).state;
  return state === "granted" ? exec : "deno";
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "dry-run": { type: "boolean" },
      target: { type: "string", multiple: true },
      "out-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "usage: deno task compile [--dry-run] [--target T]... [--out-dir DIR]\n" +
        `targets: ${TARGETS.join(", ")}`,
    );
    return 0;
  }
  const outDir = values["out-dir"] ?? "dist";
  const commands = compileCommands({
    outDir,
    ...(values.target ? { targets: values.target } : {}),
  });
  if (values["dry-run"]) {
    for (const args of [bundleCommand(BUNDLE_FILE), ...commands]) {
      console.log(["deno", ...args].map(shellQuote).join(" "));
    }
    return 0;
  }
  await Deno.mkdir(outDir, { recursive: true });
  console.error(`$ deno ${bundleCommand(BUNDLE_FILE).map(shellQuote).join(" ")}`);
  await bundle(BUNDLE_FILE);
  try {
    return await compileAll(commands, outDir);
  } finally {
    await Deno.remove(BUNDLE_FILE).catch(() => {});
  }
}

async function compileAll(commands: string[][], outDir: string): Promise<number> {
  const built: string[] = [];
  for (const args of commands) {
    console.error(`$ deno ${args.map(shellQuote).join(" ")}`);
    const { code } = await new Deno.Command(denoExecutable(), {
      args,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    if (code !== 0) {
      console.error(`compile failed (exit ${code})`);
      return 1;
    }
    built.push(args[args.indexOf("--output") + 1]!);
  }
  const sums = await sha256Sums(built);
  await Deno.writeTextFile(join(outDir, "SHA256SUMS"), sums);
  console.error(`wrote ${built.length} binaries and ${join(outDir, "SHA256SUMS")}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`compile: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
