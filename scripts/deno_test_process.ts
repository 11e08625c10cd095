/**
 * One `deno test` (or `deno check`) process whose output is kept whole, and
 * what its report says: for the runners that run several at once and print
 * each one's output when it ends, so that two never interleave
 * (`scripts/test_shards.ts`, `scripts/doc_tests.ts`).
 *
 * @module
 */

/** How a process ended, and its output: stdout, then stderr. */
export interface DenoRun {
  ok: boolean;
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

/** `output` as text, without colours. */
export function plainText(output: Uint8Array): string {
  // deno-lint-ignore no-control-regex
  return new TextDecoder().decode(output).replace(/\x1b\[[0-9;]*m/g, "");
}

/** A failed test as Deno lists it under its FAILURES heading: `name => at:line:col`. */
export interface Failure {
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

/** Tests passed and failed, from the summary lines (`ok | 3 passed | 1 failed`) of a report. */
export function testCounts(output: Uint8Array): { passed: number; failed: number } {
  const counts = { passed: 0, failed: 0 };
  for (
    const m of plainText(output).matchAll(/^(?:ok|FAILED) \| (\d+) passed.*? \| (\d+) failed/gm)
  ) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
  }
  return counts;
}
