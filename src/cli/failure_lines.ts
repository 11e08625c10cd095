/**
 * The failures of a command that attempts every item (`vc prefill`,
 * `vc sync`, `vc mirror`), printed on stderr without flooding a CI log.
 *
 * @module
 */
import { counted } from "../counted.ts";
import type { CliIo } from "./io.ts";

/** Failures printed one per line; the rest are counted (all of them are in `--json`). */
export const MAX_FAILURES_SHOWN = 20;

/**
 * Writes the first {@linkcode MAX_FAILURES_SHOWN} of `lines` (one failure
 * each, without the newline), then how many more there are. A cause shared
 * by every item (an unwritable cache dir or DEST, a dead endpoint) would
 * otherwise print thousands of lines: the first ones say it, `--json` has
 * all of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { writeFailureLines } from "./failure_lines.ts";
 * const io = memoryIo();
 * writeFailureLines(io, Array.from({ length: 25 }, (_, i) => `vc: failed: ${i}`));
 * const lines = io.stderr().trimEnd().split("\n");
 * assert.equal(lines.length, 21);
 * assert.equal(lines.at(-1), "vc: ... and 5 more failures (--json lists them all)");
 * ```
 */
export function writeFailureLines(io: Pick<CliIo, "writeStderr">, lines: readonly string[]): void {
  for (const line of lines.slice(0, MAX_FAILURES_SHOWN)) io.writeStderr(`${line}\n`);
  const more = lines.length - MAX_FAILURES_SHOWN;
  if (more > 0) {
    io.writeStderr(`vc: ... and ${counted(more, "more failure")} (--json lists them all)\n`);
  }
}
