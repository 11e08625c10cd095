/**
 * The CLI's retry lines in a run's stderr, apart from its other lines, and
 * the retries they account for. The lines are rate-limited by the clock (one
 * per `RETRY_LINE_INTERVAL_MS`, the retries held back counted in the next
 * line or, at the end, in `... and N more retries not shown (M in all)`), so
 * how many lines a run prints depends on how long it took: a slow machine
 * prints more. The retries they account for in all do not, and neither does
 * the bound on the lines shown for the run's duration.
 *
 * @module
 */
import { RETRY_LINE_INTERVAL_MS } from "../src/cli/retry_lines.ts";
import { assert, assertEquals } from "./assert.ts";

/** What {@linkcode retryLineAccount} read. */
export interface RetryLineAccount {
  /** The `trying again` / `resuming at byte` lines, in order. */
  shown: string[];
  /** The `... and N more retries not shown (M in all)` line, if any. */
  notShown: string | undefined;
  /** The other lines of stderr, in order. */
  others: string[];
  /** The retries the lines account for in all. */
  retries: number;
}

const SHOWN = /; (trying again \(|resuming at byte \d+ \(attempt )\d+\/\d+\) in /;
const SINCE = / \((\d+) more retr(?:y|ies) since the last such line\)$/;
const NOT_SHOWN =
  /^(?:vc: warning: )?\.\.\. and (\d+) more retr(?:y|ies) not shown \((\d+) in all\)$/;

/**
 * Splits `stderr` (its lines, trimmed at the end) into retry lines and the
 * others, and checks that the lines add up: the count line's `M in all` is
 * the retries shown and counted before it. With `startedAt` (the run's
 * `Date.now()` before it began), also that no more lines were shown than
 * the rate limit allows for the time the run took.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryLineAccount } from "./retry_line_account.ts";
 * const a = retryLineAccount(
 *   "vc: warning: GET x: 503; trying again (2/5) in 1.0 s\n" +
 *     "vc: warning: ... and 3 more retries not shown (4 in all)\nvc: failed\n",
 * );
 * assert.equal(a.retries, 4);
 * assert.deepEqual(a.others, ["vc: failed"]);
 * ```
 */
export function retryLineAccount(stderr: string, startedAt?: number): RetryLineAccount {
  const shown: string[] = [];
  const others: string[] = [];
  let notShown: string | undefined;
  let retries = 0;
  for (const line of stderr.trimEnd().split("\n")) {
    const count = NOT_SHOWN.exec(line);
    if (count !== null) {
      assertEquals(notShown, undefined, `one count line: ${stderr}`);
      notShown = line;
      retries += Number(count[1]);
      assertEquals(retries, Number(count[2]), `the count line adds up: ${stderr}`);
      continue;
    }
    if (!SHOWN.test(line)) {
      others.push(line);
      continue;
    }
    assertEquals(notShown, undefined, `no retry line after the count line: ${stderr}`);
    shown.push(line);
    retries += 1 + Number(SINCE.exec(line)?.[1] ?? 0);
  }
  if (startedAt !== undefined) {
    const allowed = 1 + Math.floor((Date.now() - startedAt) / RETRY_LINE_INTERVAL_MS);
    assert(shown.length <= allowed, `at most ${allowed} retry lines for the run's time: ${stderr}`);
  }
  return { shown, notShown, others, retries };
}
