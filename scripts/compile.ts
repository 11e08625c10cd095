/**
 * Release build: one self-contained `vc` executable per platform in `dist/`,
 * with the permissions of `scripts/permissions.ts` baked in, and a
 * `dist/SHA256SUMS` file (`sha256sum -c` format).
 *
 * Two bundles are built first (`deno bundle`, in {@linkcode BUILD_DIR},
 * removed afterwards), both from `scripts/release/`:
 * - the entry, `vc.js`: the `vc` process with the lean `vc path` entry
 *   inlined, one minified file, so that a warm `vc path` loads one file
 *   instead of some forty modules (Deno's cost per module is about half of
 *   its start-up). Its functions are marked for eager compilation
 *   (`eager_compile.ts`), so that the code cache Deno keeps of it (for a
 *   compiled binary: written on its first run) holds what a warm hit runs;
 * - the full command line, `full/`, code-split: every module the source
 *   imports by a computed specifier (`src/bundled_modules.ts`: the commands,
 *   the AWS SDK's module) is a chunk loaded on first use, so a cold `vc
 *   prefill` loads a few files instead of a hundred modules.
 *
 * The worker modules run from source, embedded with `--include`. Built at
 * release time, so the bundles are never stale.
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
  /** Entry point (default the lean entry's bundle in {@linkcode BUILD_DIR}). */
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
  "src/mirror/watch_worker.ts",
];

/**
 * The npm packages the full command line imports (the project's import map,
 * `deno.json`): left out of the release bundle, so that Deno resolves them
 * as it does for `cli.ts` (a test checks this list against `deno.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NPM_IMPORTS } from "./compile.ts";
 * assert(NPM_IMPORTS.includes("@aws-sdk/client-s3"));
 * ```
 */
export const NPM_IMPORTS: readonly string[] = ["@aws-sdk/client-s3", "postgres"];

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
 * Where the release bundles are built (then removed): one directory below
 * the project root, as deep as `scripts/release/`, so that the paths its
 * entries compute relative to themselves (the worker modules) hold both in
 * the source and in the bundle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUILD_DIR } from "./compile.ts";
 * assert(!BUILD_DIR.includes("/"));
 * ```
 */
export const BUILD_DIR = ".release-bundle";

/** The lean entry's source: the `vc` process, with a warm `vc path` inlined. */
export const LEAN_ENTRY = "scripts/release/vc.ts";

/**
 * The entries of the full command line's bundle, each written as
 * `full/<name>.js` beside the lean entry's bundle (`scripts/release/vc.ts`
 * imports them by those names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FULL_CLI_ENTRIES } from "./compile.ts";
 * assert(FULL_CLI_ENTRIES.includes("scripts/release/main.ts"));
 * ```
 */
export const FULL_CLI_ENTRIES: readonly string[] = [
  "scripts/release/main.ts",
  "scripts/release/atomic_write.ts",
];

/**
 * The files of a release build in `dir`: the lean entry's bundle (what
 * `deno compile` starts from) and the full command line's entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releaseFiles } from "./compile.ts";
 * const files = releaseFiles(".release-bundle");
 * assert(files.entry === ".release-bundle/vc.js");
 * assert(files.fullEntries.includes(".release-bundle/full/main.js"));
 * ```
 */
export function releaseFiles(
  dir: string,
): { entry: string; fullDir: string; fullEntries: string[] } {
  const fullDir = `${dir}/full`;
  return {
    entry: `${dir}/vc.js`,
    fullDir,
    fullEntries: FULL_CLI_ENTRIES.map((e) => `${fullDir}/${basename(e).replace(/\.ts$/, ".js")}`),
  };
}

/**
 * The `deno bundle` argument list (without the `deno` executable) that
 * bundles `entry` (default the lean entry, {@linkcode LEAN_ENTRY}) into
 * `output`: one minified ES module for Deno, everything its static imports
 * and literal `import()`s reach inlined, computed `import()`s kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundleCommand, LEAN_ENTRY } from "./compile.ts";
 * const args = bundleCommand("out/vc.js");
 * assert(args[0] === "bundle" && args.at(-1) === LEAN_ENTRY);
 * assert(args.includes("--platform") && args.includes("deno"));
 * ```
 */
export function bundleCommand(output: string, entry: string = LEAN_ENTRY): string[] {
  // Minified: half the bytes for V8 to parse at every start. Only the lean
  // entry's own code is in it; it hands nearly every error to the full
  // command line, which is apart, but reports a warm hit's failed write to
  // stdout itself. --keep-names: that error's name (VcError, which the class
  // takes from `new.target.name`) and the functions of its --verbose stack
  // stay the source's, not "N" and "bo" (~2 KB, no measurable start-up cost).
  return [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--minify",
    "--keep-names",
    "--output",
    output,
    entry,
  ];
}

/**
 * The `deno bundle` argument list that bundles the full command line
 * ({@linkcode FULL_CLI_ENTRIES}) into `outDir`, code-split: each module the
 * source imports lazily is a chunk loaded when first needed, so a command
 * loads a few files instead of the hundred modules of a run from source
 * (~15 ms of CPU of a cold `vc prefill`). Not minified: its stack traces
 * (internal errors) stay readable. The npm packages stay imports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FULL_CLI_ENTRIES, fullBundleCommand } from "./compile.ts";
 * const args = fullBundleCommand("out/full");
 * assert(args.includes("--code-splitting") && args.includes("out/full"));
 * assert(FULL_CLI_ENTRIES.every((e) => args.includes(e)));
 * ```
 */
export function fullBundleCommand(outDir: string): string[] {
  return [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--code-splitting",
    ...NPM_IMPORTS.flatMap((name) => ["--external", name]),
    "--outdir",
    outDir,
    ...FULL_CLI_ENTRIES,
  ];
}

/**
 * Builds the release bundles into `dir` (relative to `cwd`, default the
 * current directory): {@linkcode bundleCommand} for the lean entry, marked
 * for eager compilation (`eager_compile.ts`), and
 * {@linkcode fullBundleCommand} beside it. Throws an `Error` with deno's
 * message when a step fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundleCommand, fullBundleCommand } from "./compile.ts";
 * // What buildRelease runs (tests/cli_bundle_test.ts runs it for real).
 * assert(bundleCommand("b/vc.js").includes("b/vc.js"));
 * assert(fullBundleCommand("b/full").includes("b/full"));
 * ```
 */
export async function buildRelease(dir: string, options: { cwd?: string } = {}): Promise<void> {
  const files = releaseFiles(dir);
  await runDeno(bundleCommand(files.entry), options.cwd);
  await runDeno(fullBundleCommand(files.fullDir), options.cwd);
  // So that Deno's code cache of the lean entry holds the functions a warm
  // `vc path` calls, instead of compiling them at every run. Not the full
  // command line's chunks: a compiled binary writes its code cache once, in
  // its first run, with the modules loaded by then (surely the lean entry),
  // so it may compile the chunks at every run, where marked ones cost more
  // (~6–9 ms of a cold `vc prefill`) than they save where a code cache holds
  // them (~6 ms; scripts/bench/NOTES.md, 2026-12-05).
  const path = options.cwd === undefined ? files.entry : resolve(options.cwd, files.entry);
  await Deno.writeTextFile(path, eagerCompileHints(await Deno.readTextFile(path)));
}

async function runDeno(args: string[], cwd: string | undefined): Promise<void> {
  const { code, stderr } = await new Deno.Command(denoExecutable(), {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno ${args[0]} failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
  }
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
 * assert(args?.at(-1) === ".release-bundle/vc.js");
 * ```
 */
export function compileCommands(options: CompileOptions = {}): string[][] {
  const outDir = options.outDir ?? "dist";
  const files = releaseFiles(BUILD_DIR);
  const entry = options.entry ?? files.entry;
  // A target named twice is built once: twice, it was compiled twice and
  // listed twice in SHA256SUMS.
  const targets = [...new Set(options.targets ?? TARGETS)];
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
      // The full command line's bundle, imported by computed specifiers
      // from the lean entry; its chunks are literal imports of these.
      ...files.fullEntries.flatMap((module) => ["--include", module]),
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
        `targets: ${TARGETS.join(", ")}\n` +
        "the task may write only dist/: another --out-dir needs its own --allow-write",
    );
    return 0;
  }
  const outDir = values["out-dir"] ?? "dist";
  const commands = compileCommands({
    outDir,
    ...(values.target ? { targets: values.target } : {}),
  });
  const files = releaseFiles(BUILD_DIR);
  const bundles = [bundleCommand(files.entry), fullBundleCommand(files.fullDir)];
  if (values["dry-run"]) {
    for (const args of [...bundles, ...commands]) {
      console.log(["deno", ...args].map(shellQuote).join(" "));
    }
    return 0;
  }
  // `deno task compile` may write only dist/ (and the bundle directory):
  // another --out-dir would fail at the first write, with a message that
  // says nothing of the task; say what to run instead, before any build.
  if (Deno.permissions.querySync({ name: "write", path: outDir }).state !== "granted") {
    throw new Error(
      `--out-dir ${outDir}: not writable with the task's permissions (only dist); run ` +
        `deno run --allow-read ${shellQuote(`--allow-write=${outDir},${BUILD_DIR}`)} ` +
        `--allow-run=deno scripts/compile.ts ${args.map(shellQuote).join(" ")}`,
    );
  }
  await Deno.mkdir(outDir, { recursive: true });
  for (const args of bundles) console.error(`$ deno ${args.map(shellQuote).join(" ")}`);
  await Deno.remove(BUILD_DIR, { recursive: true }).catch(() => {});
  try {
    await buildRelease(BUILD_DIR);
    return await compileAll(commands, outDir);
  } finally {
    await Deno.remove(BUILD_DIR, { recursive: true }).catch(() => {});
  }
}

/**
 * Said after a failed `deno compile`: its most common failure on a fresh
 * machine is the download of the target's Deno runtime (no network, a proxy
 * or firewall), which the README's Install section answers with
 * `deno task install`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMPILE_FAILED_HINT } from "./compile.ts";
 * assert(COMPILE_FAILED_HINT.includes("deno task install"));
 * ```
 */
export const COMPILE_FAILED_HINT =
  "deno compile downloads the Deno runtime of each target (denort, from dl.deno.land) " +
  "unless DENO_DIR has it; where that download fails (no network, a proxy), " +
  "`deno task install` puts a vc on your PATH with no download (README: Install)";

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
      console.error(COMPILE_FAILED_HINT);
      return 1;
    }
    built.push(args[args.indexOf("--output") + 1]!);
  }
  // SHA256SUMS describes the directory, not this run: a build of one target
  // keeps the lines of the other targets' binaries already there (hashed
  // again, so a line never outlives its file's bytes).
  const listed = await releaseBinaries(outDir);
  await Deno.writeTextFile(join(outDir, "SHA256SUMS"), await sha256Sums(listed));
  console.error(
    `wrote ${built.length} binaries and ${join(outDir, "SHA256SUMS")} (${listed.length} listed)`,
  );
  return 0;
}

/**
 * The `vc` binaries in `outDir`: the output file of each of
 * {@linkcode TARGETS} that exists there, whichever run built it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releaseBinaries } from "./compile.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/vc-x86_64-pc-windows-msvc.exe`, "");
 * await Deno.writeTextFile(`${dir}/notes.txt`, "");
 * assert((await releaseBinaries(dir)).length === 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function releaseBinaries(outDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const target of TARGETS) {
    const file = outputFile(outDir, target);
    const info = await Deno.stat(file).catch(() => undefined);
    if (info?.isFile) found.push(file);
  }
  return found;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`compile: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
