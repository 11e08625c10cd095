/**
 * Durations as people write them (`30d`, `12h`, `15m`, `45s`, `500ms`, `2w`,
 * `1h30m`): the one parser behind the command line's flags and the settings
 * from the environment and config files, which wrap it with their own errors.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds of a duration with units, or `undefined` when `text` is not
 * one (empty, a bare number, an unknown unit). Callers decide what a bare
 * number means (seconds for settings; only `0` on the command line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationMs } from "./duration.ts";
 * assert.equal(durationMs("1h30m"), 90 * 60_000);
 * assert.equal(durationMs("500ms"), 500);
 * assert.equal(durationMs("90"), undefined);
 * assert.equal(durationMs("5 parsecs"), undefined);
 * assert.equal(durationMs("6M"), undefined); // months? minutes? refused
 * assert.equal(durationMs("15MIN"), 15 * 60_000);
 * assert.equal(durationMs(`${"9".repeat(400)}d`), undefined); // Infinity
 * ```
 */
export function durationMs(text: string): number | undefined {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d|w)/iy;
  let total = 0;
  let index = 0;
  // Bounded: every iteration consumes at least two characters of the input.
  while (index < trimmed.length) {
    part.lastIndex = index;
    const m = part.exec(trimmed);
    // A capital `M` alone reads as months (`6M`, as in ISO 8601): taking it
    // for minutes would make `prune --older-than 6M` remove nearly everything.
    if (!m || m[2] === "M") return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
    index = part.lastIndex;
  }
  // Digits past a double's range (`999…9d`) add up to Infinity, which
  // would pass for a duration and mean "never" (a timeout that never fires).
  return index === 0 || !Number.isFinite(total) ? undefined : total;
}

/**
 * Why `text` is no duration when it is refused for a capital `M` (months?
 * minutes?), for the error to say so; `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capitalMNote } from "./duration.ts";
 * assert.match(capitalMNote("10M")!, /months/);
 * assert.equal(capitalMNote("10m"), undefined);
 * assert.equal(capitalMNote("5MS"), undefined);
 * ```
 */
export function capitalMNote(text: string): string | undefined {
  return /\d\s*M(?![A-Za-z])/.test(text)
    ? "a capital M alone reads as months, which are no fixed length: write m or min for minutes, d for days"
    : undefined;
}
