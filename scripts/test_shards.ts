/**
 * Runs `deno test` over test files in several processes at once, so the suite
 * takes about the time of its slowest share instead of the sum of all files.
 *
 * Usage: `deno run -A scripts/test_shards.ts [--jobs N] [--no-check] [DENO TEST FLAGS] [PATH...]`
 *
 * - PATHs are files or directories (default `tests/`). In a directory, the
 *   files `deno test` would pick are taken: `*_test.ts`, `*.test.ts`, `test.ts`.
 * - `--jobs N`: processes at once (default: twice the machine's cores, at most
 *   4; see `defaultJobs`).
 * - `--no-check`: skip the up-front type check, for a caller that has just
 *   checked these files in a larger `deno check` (`deno task ok` checks the
 *   library, scripts and tests in one, a third less CPU than separately).
 * - Other flags (`--filter x`, `--fail-fast`) go to every `deno test`.
 *
 * Why processes, not `deno test --parallel`: that runs the files as workers of
 * one process, which share its environment variables and working directory,
 * and tests of the in-process command line set both for their run. Each
 * process here is a `deno test` of its own; the type check runs once first
 * (`deno check`), so the batches skip it.
 *
 * The doc tests have their own runner (`scripts/doc_tests.ts`), which puts
 * many examples in one module.
 *
 * Every batch gets `VC_TEST_RUN_DIR`, one directory for the whole run
 * (removed at its end, or by the next run when this one was killed), for
 * what is costly to make and the same each time: `tests/pg_server.ts` keeps
 * there the template clusters it copies instead of running initdb for each
 * server.
 *
 * Every batch also gets a `TMPDIR` of its own inside that directory, and
 * what is still in it when the batch ends is a leak: tests clean up after
 * themselves (a temp dir removed in `finally` or by `await using`), so the
 * entries left are named with the batch's files and the batch fails. A test
 * that writes to a fixed path under `/tmp`, or a child started with
 * `clearEnv`, still runs; only the leak check does not see it. The batch's
 * HOME is `home/` in that TMPDIR, and the user's `XDG_CACHE_HOME`,
 * `XDG_CONFIG_HOME`, `LOCALAPPDATA` and `APPDATA` are not passed on: a test
 * that reaches vc's default cache or config dir (a `mirror()` given no
 * `cacheDir`) writes there, not in the user's `~/.cache/vc`, and what it
 * wrote is a leak too, named `home/.cache/vc/...` (see `runDenoInTmpDir`).
 *
 * Files are handed out in small batches to whichever process is free, the
 * largest files first (a rough stand-in for the slowest). A batch's process
 * runs one module that imports its files (see `batchModule`), so they share
 * one worker. Each batch's output is printed whole when it ends, so two
 * batches never interleave, under a heading naming its files, with Deno's
 * own summary line (`.ci/run` adds those up). The exit code is 1 when any
 * batch failed, and the files that failed are listed at the end (see
 * `failedFiles`; all of a batch's files for a leak, which no test names),
 * and also when no test ran at all (a `--filter` that matches none).
 * A batch also fails when a file called `Deno.exit` outside any test: Deno
 * then ends the worker, so the tests of the batch's other files did not run,
 * and reports `ok` (see `exitOutsideTest`).
 *
 * A batch still running after `TEST_BATCH_TIMEOUT` seconds (default 900;
 * see `batchLimitMs`) is killed with its process group (each batch is one:
 * the children its tests started go with it), and so are the processes that
 * left the group but still have the batch's `TMPDIR` in their environment (a
 * PostgreSQL server `pg_ctl` detached). It fails, reported with the test
 * Deno had started and not finished and the file whose text names it, and a
 * `FAILED | … | 1 failed` summary line for `.ci/run`; the other batches run
 * on. A Ctrl-C (SIGINT, SIGTERM, SIGHUP) of the runner is passed on to the
 * batches under way. Each batch's heading gives how long it took.
 *
 * A batch that ended by itself and left processes running (in its process
 * group, or out of it with its `TMPDIR`: a server, a watcher, a PostgreSQL a
 * test did not stop) fails too: they are named in a `LEAK:` line with the
 * batch's files, and killed (see `killLeftProcesses`), so that they hold no
 * port or CPU while later batches run. A batch whose runner was killed
 * outright (`SIGKILL`) ends itself, with its processes
 * (`scripts/batch_parent_guard.ts`, the first import of its module).
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { counted } from "../src/counted.ts";
import { makeScratchDir } from "../src/scratch_dir.ts";
import {
  batchLimitMs,
  exitOutsideTest,
  failures,
  jobsValue,
  lastStartedTest,
  leakReport,
  leftProcessesReport,
  parsedOrSaid,
  runDenoInTmpDir,
  RUNNER_PID_ENV,
  testCounts,
  timedOutSummary,
  timeoutReport,
} from "./deno_test_process.ts";

/** The module a batch imports first: it ends the batch when this runner is gone. */
const GUARD = new URL("./batch_parent_guard.ts", import.meta.url).href;

/** How many files one `deno test` process takes at a time. */
const BATCH_FILES = 8;

/** What `--help` prints: how `deno task test` is called (see this module's doc). */
const USAGE = `Usage: deno task test [--jobs N] [--no-check] [DENO TEST FLAGS] [PATH...]

Runs the test files under PATH (default tests/), files or directories, in
several \`deno test\` processes at once. Paths are taken from the checkout's
directory: deno task test tests/cli_main_test.ts runs one file.

  --jobs N       processes at once (default: twice the cores, at most 4)
  --no-check     skip the type check before the batches
  --filter TEXT  run only the tests whose names match (as deno test's)
  Other flags (--fail-fast, --reporter dot, ...) go to every deno test.
`;

interface Plan {
  /** `--help`: print {@linkcode USAGE}, run nothing. */
  help?: boolean;
  jobs: number;
  /** How long a batch may run before it is killed (`TEST_BATCH_TIMEOUT`). */
  limitMs: number;
  check: boolean;
  denoFlags: string[];
  paths: string[];
}

/**
 * `deno test`'s flags that take a value given apart (`--reporter dot`, as its
 * `--help` writes `--reporter <VALUE>`); the others take theirs after `=`.
 */
const DENO_TEST_VALUE_FLAGS: ReadonlySet<string> = new Set([
  "--filter",
  "--coverage-threshold",
  "--reporter",
  "--junit-path",
  "--retry",
  "--repeats",
  "--shard",
  "--related",
  "--ext",
  "--import-map",
  "--node-modules-linker",
  "-c",
  "--config",
  "--cert",
  "--min-dep-age",
  "--inspect-publish-uid",
  "--location",
  "--seed",
  "--preload",
  "--require",
  "--conditions",
]);

function parseArgs(args: readonly string[]): Plan {
  const plan: Plan = {
    jobs: defaultJobs(),
    limitMs: batchLimitMs(),
    check: true,
    denoFlags: [],
    paths: [],
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") {
      // Passed on, it ran every batch with `deno test --help`: the whole suite.
      plan.help = true;
    } else if (arg === "--jobs") {
      plan.jobs = jobsValue(args[++i]);
    } else if (arg === "--no-check") {
      // The batches run with --no-check anyway; this skips the check before them.
      plan.check = false;
    } else if (DENO_TEST_VALUE_FLAGS.has(arg)) {
      // `--reporter dot`: its value goes with it, not taken for a PATH.
      plan.denoFlags.push(arg, args[++i] ?? "");
    } else if (arg.startsWith("-")) {
      plan.denoFlags.push(arg);
    } else {
      plan.paths.push(arg);
    }
  }
  if (plan.paths.length === 0) plan.paths = ["tests/"];
  return plan;
}

/**
 * Twice the cores, at most 4: the tests wait (on servers, timers, child
 * processes) a good part of their time. On the 2-core VM, two processes at
 * a time left 41% of the CPU idle and took 594 s; four took 418 s.
 */
function defaultJobs(): number {
  return Math.max(1, Math.min(4, 2 * (navigator.hardwareConcurrency || 1)));
}

/** Whether `name` is a test module, as `deno test` picks them in a directory. */
function isTestFile(name: string): boolean {
  return /(^|[._])test\.(ts|tsx|mts|js|mjs)$/.test(name);
}

/** A PATH given that is neither a file nor a directory: a usage error. */
class MissingPathError extends Error {}

/** The files under `path` (or `path` itself), with their sizes. */
async function collect(path: string, out: Map<string, number>): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    // A mistyped path was an uncaught NotFound and its stack.
    throw new MissingPathError(
      `${path} does not exist (paths are taken from ${Deno.cwd()}: e.g. tests/cli_main_test.ts)`,
    );
  }
  if (info.isFile) {
    out.set(path, info.size);
    return;
  }
  for await (const entry of Deno.readDir(path)) {
    const child = `${path.replace(/\/$/, "")}/${entry.name}`;
    if (entry.isDirectory) await collect(child, out);
    else if (entry.isFile && isTestFile(entry.name)) {
      out.set(child, (await Deno.stat(child)).size);
    }
  }
}

/** Batches of files, the largest files first, each batch of similar files. */
function batches(files: Map<string, number>): string[][] {
  const sorted = [...files].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out: string[][] = [];
  for (let i = 0; i < sorted.length; i += BATCH_FILES) {
    out.push(sorted.slice(i, i + BATCH_FILES).map(([file]) => file));
  }
  return out;
}

interface BatchResult {
  files: string[];
  ok: boolean;
  output: Uint8Array;
  /**
   * What the batch left in its TMPDIR (top-level names, a directory with a
   * trailing `/`) and the processes it left running (`PID command line`).
   */
  leaked: string[];
  /** Whether a module called `Deno.exit` outside any test, ending the batch's worker. */
  exited: boolean;
  /** For a batch killed at `Plan.limitMs`: the files that may hold the test that hung. */
  blamed?: string[];
}

/**
 * Writes the module that imports a batch's files and returns its path. One
 * module for the batch, not the files themselves, because `deno test` runs
 * each module it is given in a worker of its own, a fresh V8 isolate that
 * loads the whole module graph again: about 0.4 CPU-seconds a file on this
 * VM, whatever the file tests. Imported by one module, the files' tests are
 * registered in one worker and share its loaded modules.
 */
async function batchModule(files: readonly string[], runDir: string, n: number): Promise<string> {
  const path = `${runDir}/batch_${n}_test.ts`;
  // First, the guard that ends the batch when the runner is gone.
  const imports = [GUARD, ...files.map((f) => pathToFileURL(resolve(f)).href)]
    .map((url) => `import ${JSON.stringify(url)};\n`);
  await Deno.writeTextFile(path, imports.join(""));
  return path;
}

async function runBatch(
  files: string[],
  n: number,
  plan: Plan,
  runDir: string,
): Promise<BatchResult> {
  const args = ["test", "--allow-all", "--no-prompt", "--no-check", ...plan.denoFlags];
  const started = performance.now();
  const run = await runDenoInTmpDir(
    [...args, await batchModule(files, runDir, n)],
    { VC_TEST_RUN_DIR: runDir, [RUNNER_PID_ENV]: String(Deno.pid) },
    runDir,
    plan.limitMs,
  );
  const timedOut = run.timedOut === true;
  // A killed test did not clean up: what it left is not news.
  const leaked = timedOut ? [] : run.leaked;
  const left = run.left;
  const exited = exitOutsideTest(run.output) !== undefined;
  // Deno names the batch module, not the files: a heading names them, and
  // how long the batch took (what a time limit is measured against).
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const heading = new TextEncoder().encode(`batch ${n}: ${files.join(" ")} (${seconds} s)\n`);
  const timeout = timedOut
    ? timedOutReport(run.output, files, n, plan.limitMs, run.killed)
    : undefined;
  const report = new TextEncoder().encode(
    (timeout?.text ?? "") +
      (left.length ? leftProcessesReport("the batch", left, files) : "") +
      (leaked.length ? leakReport("the batch", leaked, files) : "") +
      (exited
        ? `EXIT: a file of the batch called Deno.exit outside any test, which ends ` +
          `the worker the batch's files share: their tests did not all run. One of:\n  ` +
          `${files.join("\n  ")}\n`
        : ""),
  );
  const output = new Uint8Array(heading.length + run.output.length + report.length);
  output.set(heading);
  output.set(run.output, heading.length);
  output.set(report, heading.length + run.output.length);
  return {
    files,
    ok: run.ok && leaked.length === 0 && left.length === 0 && !exited,
    output,
    leaked: [...leaked, ...left],
    exited,
    ...(timeout ? { blamed: timeout.blamed } : {}),
  };
}

/**
 * The report of a batch killed at the time limit, and the files it blames:
 * the one whose text holds the name of the test that was running, when one
 * does, else all of the batch's. The report ends with a summary line (see
 * `timedOutSummary`), so that `.ci/run` counts the test that hung as failed.
 */
function timedOutReport(
  output: Uint8Array,
  files: string[],
  n: number,
  limitMs: number,
  killed: readonly string[],
): { text: string; blamed: string[] } {
  const running = lastStartedTest(output);
  const top = running?.split(" > ")[0];
  const holding = top === undefined
    ? []
    : files.filter((f) => Deno.readTextFileSync(f).includes(JSON.stringify(top).slice(1, -1)));
  const blamed = holding.length > 0 ? holding : files;
  return {
    text: timeoutReport(`batch ${n}`, limitMs, running, blamed, killed) +
      timedOutSummary(output, `batch ${n} killed after ${limitMs / 1000} s`),
    blamed,
  };
}

/**
 * The files of a failed batch that failed: those Deno names under its
 * FAILURES heading (`name => ./tests/x_test.ts:12:6`), else all of them (a
 * batch that died before reporting).
 */
function failedFiles(result: BatchResult): string[] {
  // Deno names them relative to the working directory.
  const named = new Set(failures(result.output).map((f) => resolve(f.at)));
  const ours = result.files.filter((f) => named.has(resolve(f)));
  if (result.blamed) return [...new Set([...ours, ...result.blamed])];
  return ours.length > 0 && result.leaked.length === 0 && !result.exited ? ours : result.files;
}

async function typeCheck(files: readonly string[]): Promise<boolean> {
  const args = ["check", ...files];
  const status = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  })
    .spawn().status;
  return status.success;
}

async function main(): Promise<number> {
  const plan = parsedOrSaid("test_shards", () => parseArgs(Deno.args));
  if (plan === undefined) return 2;
  if (plan.help) {
    console.log(USAGE);
    return 0;
  }
  const files = new Map<string, number>();
  try {
    for (const path of plan.paths) await collect(path, files);
  } catch (error) {
    if (!(error instanceof MissingPathError)) throw error;
    console.error(`test_shards: ${error.message}`);
    return 2;
  }
  if (files.size === 0) {
    console.error(`no test files in ${plan.paths.join(" ")}`);
    return 1;
  }
  const started = performance.now();
  if (plan.check && !await typeCheck([...files.keys()].sort())) return 1;
  const queue = batches(files);
  const failed: string[] = [];
  let next = 0;
  let ran = 0;
  // Shared by the run's processes, for what is costly to make and the same
  // each time (tests/pg_server.ts keeps its template clusters there); others
  // may read it (a PostgreSQL server runs as its own user when tests run as root).
  // A scratch directory, so that the next run removes one a killed run left,
  // with whatever its tests had in their TMPDIRs then.
  await using run = await makeScratchDir("vc_test_run_");
  const runDir = run.path;
  await Deno.chmod(runDir, 0o755);
  const worker = async () => {
    while (next < queue.length) {
      const n = next++;
      const result = await runBatch(queue[n]!, n + 1, plan, runDir);
      await Deno.stdout.write(result.output);
      const counts = testCounts(result.output);
      // An ignored test was found, not filtered out: a file whose tests are
      // all ignored on this platform is no mistyped --filter.
      ran += counts.passed + counts.failed + counts.ignored;
      if (!result.ok) failed.push(...failedFiles(result));
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.jobs, queue.length) }, worker));
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const what = `${counted(files.size, "file")} in ${
    counted(queue.length, "batch", "batches")
  }, ${plan.jobs} at a time, ${seconds} s`;
  if (failed.length === 0 && ran === 0) {
    // Deno passes a run whose --filter matched nothing: a typo would pass CI.
    console.log(`no test ran: ${what} (does --filter match a test name?)`);
    return 1;
  }
  if (failed.length === 0) {
    console.log(`all batches passed: ${what}`);
    return 0;
  }
  console.log(`batches failed: ${what}; failed files:\n  ${failed.join("\n  ")}`);
  return 1;
}

if (import.meta.main) Deno.exit(await main());
