/**
 * The lines the CLI prints while a store request is tried again: a store
 * that accepts connections and never answers costs a request timeout per
 * attempt, minutes in all, and a run that says nothing meanwhile looks
 * hung. One warning line says what failed and when the next attempt comes;
 * a run with many requests failing at once (a `vc prefill` of 1000 objects
 * against a store that is down) gets one line per interval with a count of
 * the retries not shown, not a line per object.
 *
 * @module
 */
import type { StoreRetry } from "../store/retry_notice.ts";

/** The least time between two retry lines (10 s). */
export const RETRY_LINE_INTERVAL_MS = 10_000;

/**
 * A listener for `listenToStoreRetries` that warns through `warn` (the
 * command's `Output.warn`: stderr, never the `--json` document, nothing
 * with `--quiet`), at most one line per {@linkcode RETRY_LINE_INTERVAL_MS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryLines } from "./retry_lines.ts";
 * const lines: string[] = [];
 * let now = 0;
 * const onRetry = retryLines((line) => lines.push(line), () => now);
 * const retry = { reason: "GET s3://b/k: 503 SlowDown", error: undefined, attempt: 1, maxAttempts: 5, delayMs: 1234 };
 * onRetry(retry);
 * onRetry({ ...retry, attempt: 2 });
 * now = 60_000;
 * onRetry({ ...retry, attempt: 3 });
 * onRetry({ ...retry, attempt: 1 });
 * onRetry.finish(); // the command's end: the retry not shown is counted
 * assert.deepEqual(lines, [
 *   "GET s3://b/k: 503 SlowDown; trying again (2/5) in 1.2 s",
 *   "GET s3://b/k: 503 SlowDown; trying again (4/5) in 1.2 s (1 more retry since the last such line)",
 *   "... and 1 more retry not shown (4 in all)",
 * ]);
 * ```
 *
 * Its `finish()`, called once the command is done, says the retries not
 * shown since the last line, and how many there were in all: a run that
 * ended within the interval (a prefill of 2,000 objects from a store
 * failing 5% of its GETs retried 113 in 6 s) said one `trying again` as if
 * one request had failed once.
 */
export function retryLines(
  warn: (line: string) => void,
  now: () => number = Date.now,
): ((retry: StoreRetry) => void) & { finish(): void } {
  let lastAt: number | undefined;
  let unsaid = 0;
  let total = 0;
  const finish = () => {
    if (unsaid > 0) {
      warn(
        `... and ${unsaid} more ${unsaid === 1 ? "retry" : "retries"} not shown (${total} in all)`,
      );
    }
    unsaid = 0;
  };
  return Object.assign((retry: StoreRetry) => {
    const at = now();
    // A store's pause is said each time (once per pause, however many wait).
    if (retry.pausedStore !== undefined) {
      const wait = `${(retry.delayMs / 1000).toFixed(1)} s`;
      warn(
        `${retry.reason.replace(/\.$/, "")}; ${retry.pausedStore} asks to slow down: its ` +
          `downloads pause for ${wait}, then go on`,
      );
      return;
    }
    total++;
    if (lastAt !== undefined && at - lastAt < RETRY_LINE_INTERVAL_MS) {
      unsaid++;
      return;
    }
    lastAt = at;
    const next = retry.resumeAt === undefined
      ? `trying again (${retry.attempt + 1}/${retry.maxAttempts})`
      : `resuming at byte ${retry.resumeAt} (attempt ${retry.attempt + 1}/${retry.maxAttempts})`;
    const since = unsaid === 0
      ? ""
      : ` (${unsaid} more ${unsaid === 1 ? "retry" : "retries"} since the last such line)`;
    unsaid = 0;
    const wait = retry.delayMs < 1000
      ? `${Math.round(retry.delayMs)} ms`
      : `${(retry.delayMs / 1000).toFixed(1)} s`;
    // "… reduce your request rate.; trying again" reads as a typo.
    warn(`${retry.reason.replace(/\.$/, "")}; ${next} in ${wait}${since}`);
  }, { finish });
}
