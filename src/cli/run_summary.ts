/**
 * The last line of a command that copies many things (`vc prefill`,
 * `vc sync`): what it went over, what came of each, the bytes and the time,
 * worded alike so a CI log reads them alike. (`vc mirror`'s names more
 * outcomes, deletes and skips, in a list of its own.)
 *
 * @module
 */
import { formatBytes } from "../progress.ts";

/**
 * `command: total: counts…; bytes in seconds`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSummaryLine } from "./run_summary.ts";
 * assert.equal(
 *   runSummaryLine("sync", "3 manifest entries", ["2 copied", "1 unchanged", "0 failed"], 1500, 0.25),
 *   "sync: 3 manifest entries: 2 copied, 1 unchanged, 0 failed; 1.5 kB in 0.3s",
 * );
 * ```
 */
export function runSummaryLine(
  command: string,
  total: string,
  counts: readonly string[],
  bytes: number,
  seconds: number,
): string {
  return `${command}: ${total}: ${counts.join(", ")}; ${formatBytes(bytes)} in ${
    seconds.toFixed(1)
  }s`;
}
