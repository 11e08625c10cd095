/**
 * One `deno test` (or `deno check`) process whose output is kept whole, and
 * what its report says: for the runners that run several at once and print
 * each one's output when it ends, so that two never interleave
 * (`scripts/test_shards.ts`, `scripts/doc_tests.ts`).
 *
 * @module
 */
import { join } from "node:path";
import { concatBytes } from "../src/bytes.ts";

/** The value of a runner's `--jobs`: processes at once, a whole number ≥ 1. */
export function jobsValue(text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--jobs takes a whole number ≥ 1, got ${text}`);
  }
  return n;
}

/**
 * `parse()`, or `undefined` once its error is said as one line,
 * `NAME: message`: a usage error of a runner, not a stack trace.
 */
export function parsedOrSaid<T>(name: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    return undefined;
  }
}

/** How a process ended, and its output: stdout, then stderr. */
export interface DenoRun {
  /** Whether the process exited with 0. */
  ok: boolean;
  /** Its stdout, then its stderr (what it wrote before it was killed, for one that timed out). */
  output: Uint8Array;
  /** Whether it ran past its time limit and was killed, with its process group. */
  timedOut?: boolean;
  /**
   * For a run with a time limit that ended by itself: the processes it
   * started and left running, killed after it (see
   * {@linkcode killLeftProcesses}), each as `PID command line`.
   */
  left: string[];
}

/**
 * The environment variable through which `scripts/test_shards.ts` gives its
 * PID to its batches, whose `scripts/batch_parent_guard.ts` ends them when
 * the runner is gone.
 */
export const RUNNER_PID_ENV = "TEST_RUNNER_PID";

/** The environment variable that sets {@linkcode batchLimitMs}, in seconds. */
export const BATCH_TIMEOUT_ENV = "TEST_BATCH_TIMEOUT";

/**
 * How long one `deno test` process of a runner may run before it is killed:
 * `TEST_BATCH_TIMEOUT` seconds (a decimal number > 0), else 900. The
 * slowest batch, the eight largest test files (`batch 1`), took 170 s on the
 * 2-core VM at a load of 9.5, and a loaded CI run took half again as long
 * as a quiet one: 900 s leaves room for both, and stays well under CI's
 * 90 minutes. Without a bound, a test waiting forever (a lost worker
 * message, a child that never exits) held CI until its own limit with no
 * word of which test hung.
 */
export function batchLimitMs(): number {
  const text = Deno.env.get(BATCH_TIMEOUT_ENV);
  if (text === undefined || text === "") return 900_000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`${BATCH_TIMEOUT_ENV} takes a number of seconds > 0, got ${text}`);
  }
  return seconds * 1000;
}

/**
 * Process groups of the runs under way, for {@linkcode forwardSignal}, each
 * with the `TMPDIR=…` entry of its environment when it has a TMPDIR of its own.
 */
const liveGroups = new Map<number, string | undefined>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const forwarders = new Map<Deno.Signal, () => void>();

/**
 * A run with a time limit is a process group of its own (to kill its
 * children with it), so Ctrl-C at the terminal no longer reaches it: the
 * runner passes the signal on to every group under way, kills the
 * processes that left a group but keep its TMPDIR (a detached PostgreSQL
 * server, which no signal to the group reaches, as at a time limit), then
 * exits as the signal would have ended it.
 */
function forwardSignal(signal: Deno.Signal): () => void {
  // Synchronous to its exit: a batch the signal ended must not let the
  // runner's main go on to report it and exit before the scan is done.
  return () => {
    const runs = [...liveGroups];
    for (const [group] of runs) killGroup(group, signal);
    for (const [, tmpDir] of runs) if (tmpDir !== undefined) killProcessesWithEnv(tmpDir);
    Deno.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  };
}

function track(group: number, tmpDir: string | undefined): void {
  if (liveGroups.size === 0) {
    for (const signal of SIGNALS) {
      const forward = forwardSignal(signal);
      // Windows takes no SIGTERM or SIGHUP listener, and runs no process groups.
      if (Deno.build.os !== "windows") Deno.addSignalListener(signal, forward);
      else continue;
      forwarders.set(signal, forward);
    }
  }
  liveGroups.set(group, tmpDir);
}

function untrack(group: number): void {
  liveGroups.delete(group);
  if (liveGroups.size > 0) return;
  for (const [signal, forward] of forwarders) Deno.removeSignalListener(signal, forward);
  forwarders.clear();
}

function killGroup(group: number, signal: Deno.Signal): void {
  try {
    Deno.kill(Deno.build.os === "windows" ? group : -group, signal);
  } catch {
    // Already gone.
  }
}

/** Everything `stream` yields, into `chunks` as it comes (kept when reading is given up). */
async function drain(stream: ReadableStream<Uint8Array>, chunks: Uint8Array[]): Promise<void> {
  for await (const chunk of stream) chunks.push(chunk);
}

/**
 * Runs `deno ARGS...` to its end, output piped. With `limitMs`, the process
 * runs as a process group of its own, and one still running after
 * `limitMs` is killed with its whole group (`SIGKILL`: a `vc serve`, a
 * moto_server, a `deno` child a test started go with it); the run is then
 * `timedOut`, with the output written until then.
 */
export async function runDeno(
  args: readonly string[],
  env: Record<string, string> = {},
  limitMs?: number,
  unset: readonly string[] = [],
): Promise<DenoRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args],
    ...(unset.length > 0 ? { env: inheritedWithout(unset, env), clearEnv: true } : { env }),
    stdout: "piped",
    stderr: "piped",
    ...(limitMs !== undefined && Deno.build.os !== "windows" ? { detached: true } : {}),
  }).spawn();
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const reading = Promise.all([drain(child.stdout, stdout), drain(child.stderr, stderr)]);
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (limitMs !== undefined) {
    track(child.pid, env.TMPDIR === undefined ? undefined : `TMPDIR=${env.TMPDIR}`);
    timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, limitMs);
  }
  try {
    const status = await child.status;
    clearTimeout(timer);
    // Found before the pipes are waited for: one left running may hold them.
    const left = limitMs !== undefined && !timedOut
      ? await killLeftProcesses(child.pid, env.TMPDIR)
      : [];
    if (limitMs !== undefined) {
      // A process that left the group (setsid) may still hold the pipes:
      // what was read is kept, and the rest is not waited for long.
      let wait: ReturnType<typeof setTimeout> | undefined;
      const held = await Promise.race([
        reading.then(() => false),
        new Promise<boolean>((r) => wait = setTimeout(() => r(true), 2000)),
      ]);
      clearTimeout(wait);
      if (held && !timedOut) {
        left.push(
          "(one not found, out of the group and without the TMPDIR, holds its output open)",
        );
      }
    } else {
      await reading;
    }
    // Deno writes results and failures to stdout; stderr holds what tests wrote there.
    return {
      ok: status.success && !timedOut,
      output: concatBytes([...stdout, ...stderr]),
      ...(timedOut ? { timedOut } : {}),
      left,
    };
  } finally {
    clearTimeout(timer);
    if (limitMs !== undefined) untrack(child.pid);
  }
}

/** This process's environment without the variables `unset`, `env` over it. */
function inheritedWithout(
  unset: readonly string[],
  env: Record<string, string>,
): Record<string, string> {
  const all = Deno.env.toObject();
  for (const name of unset) delete all[name];
  return { ...all, ...env };
}

/**
 * The name of the HOME a run of {@linkcode runDenoInTmpDir} gets in its TMPDIR.
 */
const RUN_HOME = "home";

/**
 * The variables naming the user's cache and config dirs (vc's default
 * cache and config dirs are there, see `defaultCacheDir` in
 * `src/config.ts`), which a run of {@linkcode runDenoInTmpDir} does not
 * inherit: with them gone, those dirs are under its HOME.
 */
const USER_DIR_VARS: readonly string[] = [
  "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_STATE_HOME",
  "LOCALAPPDATA",
  "APPDATA",
];

let denoDirOnce: Promise<string> | undefined;

/**
 * Deno's cache dir as this process finds it (`DENO_DIR`, else from
 * `deno info`): given to a run whose HOME is elsewhere, which then finds
 * the modules and npm packages already fetched (the test runners' batches,
 * and the `deno` processes tests start with a temp HOME).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAbsolute } from "node:path";
 * import { denoDir } from "./deno_test_process.ts";
 * assert(isAbsolute(await denoDir())); // where `deno info` says the cache is
 * ```
 */
export function denoDir(): Promise<string> {
  return denoDirOnce ??= (async () => {
    const set = Deno.env.get("DENO_DIR");
    if (set !== undefined && set !== "") return set;
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return (JSON.parse(new TextDecoder().decode(stdout)) as { denoDir: string }).denoDir;
  })();
}

/**
 * What is under `dir`, as paths below it with `/` (a directory left empty
 * with a trailing `/`): the files and empty directories, at most `limit`
 * (a last line says how many more). A directory it cannot list (one a
 * test left mode 0, not readable by a runner that is not root) is named
 * with why, not walked: the leak is reported, the run goes on.
 */
async function leavesUnder(dir: string, prefix: string, limit = 20): Promise<string[]> {
  const found: string[] = [];
  let more = 0;
  const add = (entry: string) => {
    if (found.length < limit) found.push(entry);
    else more++;
  };
  const walk = async (at: string, rel: string): Promise<void> => {
    let empty = true;
    try {
      for await (const e of Deno.readDir(at)) {
        empty = false;
        if (e.isDirectory) await walk(join(at, e.name), `${rel}${e.name}/`);
        else add(`${rel}${e.name}`);
      }
    } catch (e) {
      add(`${rel} (not readable: ${e instanceof Error ? e.message : e})`);
      return;
    }
    if (empty && rel !== prefix) add(rel);
  };
  await walk(dir, prefix);
  return more > 0 ? [...found, `(${more} more under ${prefix})`] : found;
}

/** A run whose process had a `TMPDIR` and a HOME of its own, and what it left there. */
export interface DenoRunInTmpDir extends DenoRun {
  /**
   * Top-level entries left in its TMPDIR (a directory with a trailing `/`),
   * and what was written in its HOME (`home/.cache/vc/...`); empty when clean.
   */
  leaked: string[];
  /**
   * For a run that timed out: the processes that had left its process group
   * (a PostgreSQL server that `pg_ctl start` detached, say) and were killed
   * after it, each as `PID command line`.
   */
  killed: string[];
}

/**
 * Runs `deno ARGS...` as {@linkcode runDeno} does, with a `TMPDIR` of its own
 * made under `parent`, and names what it left there: tests clean up after
 * themselves (a temp dir removed in `finally` or by `await using`), so an
 * entry left is a leak. The TMPDIR is removed afterwards. Mode 1777, as
 * `/tmp`: some tests run processes as `nobody` or `postgres`, which must reach
 * the directories made there. A run killed at `limitMs` also has the
 * processes that left its group killed: those whose environment still has
 * its `TMPDIR` (see {@linkcode killProcessesWithEnv}).
 *
 * Its HOME (and `USERPROFILE`) is {@linkcode RUN_HOME} in that TMPDIR, and
 * the variables naming the user's cache and config dirs (`XDG_CACHE_HOME`,
 * `LOCALAPPDATA`, ...) are not passed on: a test that reaches vc's default
 * cache or config dir (a `mirror()` given no `cacheDir`, whose state file
 * would be left in `~/.cache/vc/mirror/`) writes there, not in the user's,
 * and what it wrote is a leak, named by its path (`home/.cache/vc/...`).
 * `DENO_DIR` stays the runner's (see {@linkcode denoDir}).
 */
export async function runDenoInTmpDir(
  args: readonly string[],
  env: Record<string, string>,
  parent: string,
  limitMs?: number,
): Promise<DenoRunInTmpDir> {
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: "tmp_" });
  await Deno.chmod(tmp, 0o1777);
  const home = join(tmp, RUN_HOME);
  await Deno.mkdir(home);
  const run = await runDeno(
    args,
    { DENO_DIR: await denoDir(), ...env, TMPDIR: tmp, HOME: home, USERPROFILE: home },
    limitMs,
    USER_DIR_VARS,
  );
  const killed = run.timedOut ? killProcessesWithEnv(`TMPDIR=${tmp}`) : [];
  const leaked: string[] = [];
  for await (const e of Deno.readDir(tmp)) {
    if (e.name === RUN_HOME && e.isDirectory) {
      leaked.push(...await leavesUnder(home, `${RUN_HOME}/`));
    } else leaked.push(e.isDirectory ? `${e.name}/` : e.name);
  }
  try {
    await Deno.remove(tmp, { recursive: true });
  } catch (e) {
    // A mount left on a leaked directory, say: named, and the run goes on.
    leaked.push(`(could not remove ${tmp}: ${e instanceof Error ? e.message : e})`);
  }
  return { ...run, leaked: leaked.sort(), killed };
}

/**
 * Kills (`SIGKILL`) every process whose environment holds `entry`
 * (`TMPDIR=/tmp/…`), or that variable set to a directory below it, and returns them as `PID command line`. Linux only
 * (`/proc`); elsewhere none is found. A process that called `setsid` (as
 * `pg_ctl start` does for the PostgreSQL server of `tests/pg_server.ts`)
 * is out of its runner's process group but keeps the environment it was
 * started with; the server's own backends and a `postgres` user's processes
 * inherit it too. One not readable (another user's, when not root) is
 * skipped. Synchronous, for the runner's signal handler (a Ctrl-C), which
 * exits when it returns.
 */
export function killProcessesWithEnv(entry: string): string[] {
  return [...processesOf(undefined, entry)].filter(([pid]) => kill(pid))
    .map(([pid, cmdline]) => `${pid} ${cmdline}`);
}

/** How long processes a run left get to end on their own before they are killed: 20 looks, 100 ms apart. */
const LEFT_LOOKS = 20;

/**
 * The processes a run (process group `group`, `tmpDir` its TMPDIR) left
 * running when it ended by itself: those still in its group, and those
 * that left it but have `TMPDIR=tmpDir` (or a directory below it) in their
 * environment, as {@linkcode killProcessesWithEnv} finds them. A test
 * stops what it starts (a server, a watcher, a PostgreSQL by `pg_ctl stop`),
 * so one still running is a leak, which would hold its ports and CPU
 * while later batches run. The ones found get two seconds to end on their
 * own (a process a test signalled and did not wait for), then are killed
 * (`SIGKILL`) and returned as `PID command line`. Linux only (`/proc`);
 * elsewhere none is found. A zombie is not counted: it holds nothing, and
 * its parent (reported) reaps it or dies. The run's own PID, now free, is
 * never taken for one of its processes.
 */
export async function killLeftProcesses(
  group: number,
  tmpDir: string | undefined,
): Promise<string[]> {
  if (Deno.build.os !== "linux") return [];
  const entry = tmpDir === undefined ? undefined : `TMPDIR=${tmpDir}`;
  let found = processesOf(group, entry);
  for (let i = 0; i < LEFT_LOOKS && found.size > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = processesOf(group, entry);
  }
  const killed = new Map<number, string>();
  // Bounded: a process forking as it is killed is found by the next look.
  for (let i = 0; i < 3 && found.size > 0; i++) {
    for (const [pid, cmdline] of found) if (kill(pid)) killed.set(pid, cmdline);
    found = processesOf(group, entry);
  }
  return [...killed].map(([pid, cmdline]) => `${pid} ${cmdline}`);
}

/** Whether `pid` was sent `SIGKILL` (false when it is gone, or not ours to kill). */
function kill(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/**
 * The live processes (not zombies) in process group `group` (never its
 * leader, which has ended), or whose environment holds `entry` or that
 * variable set to a directory below it, with their command lines. Linux only.
 */
function processesOf(group: number | undefined, entry: string | undefined): Map<number, string> {
  const found = new Map<number, string>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return found;
  }
  for (const e of entries) {
    const pid = Number(e.name);
    if (!/^\d+$/.test(e.name) || pid === Deno.pid || pid === group) continue;
    try {
      // `PID (COMMAND) STATE PPID PGRP …`, the command possibly holding spaces and parentheses.
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") continue;
      if (group === undefined || Number(pgrp) !== group) {
        if (entry === undefined) continue;
        const environ = Deno.readTextFileSync(`/proc/${pid}/environ`);
        // Its own TMPDIR, or one below it: the batches of a runner a test of
        // the batch ran (their TMPDIRs are made in the batch's), whose groups
        // no signal to the batch's group reaches. A like-named one
        // (`${entry}x`, another session's) is not.
        if (!environ.split("\0").some((v) => v === entry || v.startsWith(`${entry}/`))) continue;
      }
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").join(" ");
      found.set(pid, cmdline.trim());
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/**
 * The lines that report processes a run left running (see
 * {@linkcode killLeftProcesses}), by `who` ("the batch"), naming them and
 * the files that may have started them.
 */
export function leftProcessesReport(
  who: string,
  left: readonly string[],
  files: readonly string[],
): string {
  const processes = left.length === 1 ? "1 process" : `${left.length} processes`;
  return `LEAK: ${who} left ${processes} running, killed now ` +
    `(a test stops what it starts, in finally or by await using):\n  ` +
    `${left.join("\n  ")}\nby one of:\n  ${files.join("\n  ")}\n`;
}

/** Deno's word on a test still running, each minute it doubles (`'NAME' has been running for over (1m0s)`). */
const STILL_RUNNING = /'.*' has been running for over \(.*?\)$/;

/**
 * The test Deno reported as started and had not finished when its output
 * ends (`NAME ...` with no result after it), as `test > step` for a step;
 * undefined when every test started had finished. What a test printed
 * (between `------- output -------` and `----- output end -----`) is skipped.
 */
export function lastStartedTest(output: Uint8Array): string | undefined {
  const open: string[] = [];
  let inOutput = false;
  for (const line of plainText(output).split("\n")) {
    if (line === "------- output -------") inOutput = true;
    else if (line === "----- output end -----") inOutput = false;
    if (inOutput) continue;
    if (/^running \d+ tests? from /.test(line)) open.length = 0;
    // Deno's word on a test still running after a minute follows its
    // `NAME ...` on the same line (and has lines of its own after): taken
    // for a result, it left a CI log's hang with no test named.
    const m = /^((?: {2})*)(\S.*?) \.\.\.(?: (.*))?$/.exec(line.replace(STILL_RUNNING, ""));
    if (!m) continue;
    const depth = m[1]!.length / 2;
    open.length = depth;
    if (m[3] === undefined) open.push(m[2]!);
  }
  return open.length ? open.join(" > ") : undefined;
}

/**
 * A summary line as Deno's (`FAILED | 3 passed | 1 failed | 0 ignored (NOTE)`)
 * for a run killed at its time limit, which `.ci/run` adds up with Deno's:
 * the test that hung is one failed, and the tests that finished before it
 * are counted from their `NAME ... ok` lines (Deno's own summary never
 * came; when it did, only the failure is counted).
 */
export function timedOutSummary(output: Uint8Array, note: string): string {
  const summarized = Object.values(testCounts(output)).some((count) => count > 0);
  const finished = summarized
    ? []
    : [...plainText(output).matchAll(/^\S.*? \.\.\. (ok|ignored)\b/gm)].map((m) => m[1]);
  const count = (result: string) => finished.filter((r) => r === result).length;
  return `FAILED | ${count("ok")} passed | 1 failed | ${count("ignored")} ignored (${note})\n`;
}

/**
 * The lines that report a run killed at its time limit (see
 * {@linkcode batchLimitMs}) of `who` ("batch 3"): the test that was running,
 * the files it may be in, and the processes killed that had left the group.
 */
export function timeoutReport(
  who: string,
  limitMs: number,
  running: string | undefined,
  files: readonly string[],
  killed: readonly string[],
): string {
  const test = running === undefined
    ? "no test had started (a module's top level waits?)"
    : `the test running was "${running}"`;
  return `TIMEOUT: ${who} ran past ${limitMs / 1000} s (${BATCH_TIMEOUT_ENV}) and was killed ` +
    `with its process group; ${test}, in${files.length === 1 ? "" : " one of"}:\n  ` +
    `${files.join("\n  ")}\n` +
    (killed.length
      ? `killed too, having left the group (a detached server such as PostgreSQL):\n  ` +
        `${killed.join("\n  ")}\n`
      : "");
}

/**
 * The lines that report a leak (see {@linkcode runDenoInTmpDir}) by `who`
 * ("the batch"), naming the entries and the files that may have left them.
 */
export function leakReport(
  who: string,
  leaked: readonly string[],
  files: readonly string[],
): string {
  const entries = leaked.length === 1 ? "1 entry" : `${leaked.length} entries`;
  return `LEAK: ${who} left ${entries} in its TMPDIR ` +
    `(a test removes what it makes, in finally or by await using, and gives vc ` +
    `a cache dir of its own: ${RUN_HOME}/ is its HOME):\n  ` +
    `${leaked.join("\n  ")}\nby one of:\n  ${files.join("\n  ")}\n`;
}

/**
 * The line Deno prints when a module calls `Deno.exit` outside any test
 * (`note ... called \`Deno.exit(0)\` from outside any test`), or undefined.
 * Deno ends that module's worker and still reports `ok`; in a runner that
 * imports several files into one module, the worker was all of them, so
 * their tests silently did not run.
 */
export function exitOutsideTest(output: Uint8Array): string | undefined {
  return /^.*called `Deno\.exit\(-?\d+\)` from outside any test.*$/m.exec(plainText(output))?.[0];
}

/** `output` as text, without colours. */
export function plainText(output: Uint8Array): string {
  // deno-lint-ignore no-control-regex
  return new TextDecoder().decode(output).replace(/\x1b\[[0-9;]*m/g, "");
}

/** A failed test as Deno lists it under its FAILURES heading: `name => at:line:col`. */
export interface Failure {
  /** The test's name. */
  name: string;
  /** The file of the failing test, as Deno writes it (relative or a URL). */
  at: string;
}

/** The failed tests of a `deno test` report. */
export function failures(output: Uint8Array): Failure[] {
  const text = plainText(output);
  const section = text.slice(text.lastIndexOf(" FAILURES "));
  return [...section.matchAll(/^(.+?) => (\S+?):\d+:\d+$/gm)].map((m) => ({
    name: m[1]!,
    at: m[2]!,
  }));
}

/**
 * Tests passed, failed and ignored, from the summary lines
 * (`ok | 3 passed | 1 failed | 2 ignored`) of a report.
 */
export function testCounts(
  output: Uint8Array,
): { passed: number; failed: number; ignored: number } {
  const counts = { passed: 0, failed: 0, ignored: 0 };
  for (const line of plainText(output).matchAll(/^(?:ok|FAILED) \| \d+ passed.*$/gm)) {
    const count = (what: string) => Number(line[0].match(new RegExp(`(\\d+) ${what}`))?.[1] ?? 0);
    counts.passed += count("passed");
    counts.failed += count("failed");
    counts.ignored += count("ignored");
  }
  return counts;
}
