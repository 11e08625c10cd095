/**
 * One `deno test` (or `deno check`) process whose output is kept whole, and
 * what its report says: for the runners that run several at once and print
 * each one's output when it ends, so that two never interleave
 * (`scripts/test_shards.ts`, `scripts/doc_tests.ts`).
 *
 * @module
 */

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
  /** Its stdout, then its stderr. */
  output: Uint8Array;
}

/** Runs `deno ARGS...` to its end, output piped. */
export async function runDeno(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<DenoRun> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  // Deno writes results and failures to stdout; stderr holds what tests wrote there.
  const output = new Uint8Array(stdout.length + stderr.length);
  output.set(stdout);
  output.set(stderr, stdout.length);
  return { ok: success, output };
}

/** A run whose process had a `TMPDIR` of its own, and what it left there. */
export interface DenoRunInTmpDir extends DenoRun {
  /** Top-level entries left in its TMPDIR (a directory with a trailing `/`); empty when clean. */
  leaked: string[];
}

/**
 * Runs `deno ARGS...` as {@linkcode runDeno} does, with a `TMPDIR` of its own
 * made under `parent`, and names what it left there: tests clean up after
 * themselves (a temp dir removed in `finally` or by `await using`), so an
 * entry left is a leak. The TMPDIR is removed afterwards. Mode 1777, as
 * `/tmp`: some tests run processes as `nobody` or `postgres`, which must reach
 * the directories made there.
 */
export async function runDenoInTmpDir(
  args: readonly string[],
  env: Record<string, string>,
  parent: string,
): Promise<DenoRunInTmpDir> {
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: "tmp_" });
  await Deno.chmod(tmp, 0o1777);
  const run = await runDeno(args, { ...env, TMPDIR: tmp });
  const leaked: string[] = [];
  for await (const e of Deno.readDir(tmp)) leaked.push(e.isDirectory ? `${e.name}/` : e.name);
  try {
    await Deno.remove(tmp, { recursive: true });
  } catch (e) {
    // A mount left on a leaked directory, say: named, and the run goes on.
    leaked.push(`(could not remove ${tmp}: ${e instanceof Error ? e.message : e})`);
  }
  return { ...run, leaked: leaked.sort() };
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
    `(a test removes what it makes, in finally or by await using):\n  ` +
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
