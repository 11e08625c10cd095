/**
 * The failures of a command that attempts every item (`vc prefill`,
 * `vc sync`, `vc mirror`), printed on stderr without flooding a CI log.
 *
 * @module
 */
import { counted } from "../counted.ts";
import type { CliIo } from "./io.ts";
import type { Output } from "./output.ts";

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
export function writeFailureLines(
  io: Pick<CliIo, "writeStderr">,
  lines: readonly string[],
  kinds?: readonly string[],
): void {
  for (const line of lines.slice(0, MAX_FAILURES_SHOWN)) io.writeStderr(`${line}\n`);
  const more = lines.length - MAX_FAILURES_SHOWN;
  if (more > 0) {
    io.writeStderr(
      `vc: ... and ${counted(more, "more failure")}${
        kinds === undefined ? "" : kindsNotShown(kinds)
      } (--json lists them all)\n`,
    );
  }
}

/**
 * `, 3 of them AccessDeniedError and 1 StoreError`: the kinds (`errorName`)
 * of the failures past the first {@linkcode MAX_FAILURES_SHOWN} that none of
 * those has, most frequent first; `""` when they have them all. The first
 * ones of a stale list all missing objects hid that later ones were refused,
 * or a store's 5xx (a retry helps), which only `--json` told.
 */
function kindsNotShown(kinds: readonly string[]): string {
  const shown = new Set(kinds.slice(0, MAX_FAILURES_SHOWN));
  const hidden = new Map<string, number>();
  for (const kind of kinds.slice(MAX_FAILURES_SHOWN)) {
    if (!shown.has(kind)) hidden.set(kind, (hidden.get(kind) ?? 0) + 1);
  }
  if (hidden.size === 0) return "";
  const [first, ...rest] = [...hidden].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n], i) => i === 0 ? `${n} of them ${kind}` : `${n} ${kind}`);
  const last = rest.pop();
  return `, ${[first, ...rest].join(", ")}${last === undefined ? "" : ` and ${last}`}`;
}

/**
 * `30 NotFoundError, 5 InvalidInputError`: how many failures there are of
 * each kind (`errorName`), most frequent first (ties by name); `""` for
 * none. The count line of a run with more failures than
 * {@linkcode MAX_FAILURES_SHOWN} ends with it: the first ones shown held one
 * of each kind, and whether the hundreds not shown were missing objects, a
 * refusal or a store's 5xx only `--json` told.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureKindCounts } from "./failure_lines.ts";
 * assert.equal(
 *   failureKindCounts(["NotFoundError", "AccessDeniedError", "NotFoundError"]),
 *   "2 NotFoundError, 1 AccessDeniedError",
 * );
 * ```
 */
export function failureKindCounts(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${n} ${kind}`).join(", ");
}

/**
 * Warnings of a command over many items, as {@linkcode writeFailureLines}
 * prints failures: the first {@linkcode MAX_FAILURES_SHOWN} as they come,
 * then (at `finish`) how many more there were. A warm cache whose store is
 * unreachable warns once per item it serves ("serving the cached copy"): a
 * prefill of ten thousand items would print ten thousand lines of one cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { Output } from "./output.ts";
 * import { cappedWarnings } from "./failure_lines.ts";
 * const io = memoryIo();
 * const warnings = cappedWarnings(new Output(io));
 * for (let i = 0; i < 25; i++) warnings.warn(`vc: serving ${i}`);
 * warnings.finish();
 * const lines = io.stderr().trimEnd().split("\n");
 * assert.equal(lines.length, 21);
 * assert.equal(lines.at(-1), "vc: warning: ... and 5 more warnings");
 * ```
 */
export function cappedWarnings(
  out: Pick<Output, "warn">,
): { warn: (message: string, kind?: "wait") => void; finish: () => void } {
  let seen = 0;
  return {
    warn: (message, kind) => {
      if (++seen <= MAX_FAILURES_SHOWN) out.warn(message, kind);
    },
    finish: () => {
      const more = seen - MAX_FAILURES_SHOWN;
      if (more > 0) out.warn(`... and ${counted(more, "more warning")}`);
      seen = 0;
    },
  };
}

/**
 * `items` joined by spaces for one line of a report: the first
 * {@linkcode MAX_FAILURES_SHOWN}, then how many more. A first `vc repo gc`
 * of a large repository expired 200,000 versions, and naming every id made
 * a line of 1.3 MB in a cron log; `--json` has all of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cappedList } from "./failure_lines.ts";
 * assert.equal(cappedList(["1", "2"]), "1 2");
 * const many = cappedList(Array.from({ length: 25 }, (_, i) => String(i)));
 * assert.ok(many.endsWith(" 19 ... and 5 more (--json lists them all)"));
 * ```
 */
export function cappedList(items: readonly string[]): string {
  const shown = items.slice(0, MAX_FAILURES_SHOWN).join(" ");
  const more = items.length - MAX_FAILURES_SHOWN;
  return more > 0 ? `${shown} ... and ${more} more (--json lists them all)` : shown;
}

/**
 * The first {@linkcode MAX_FAILURES_SHOWN} of `lines` (one item each, of a
 * report), then `... and N more WHAT (--json lists them all)`: a report
 * line per item of thousands (`vc cache verify` of a cache copied without
 * its times retimes every entry) buried the rest of the report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cappedLines } from "./failure_lines.ts";
 * assert.deepEqual(cappedLines(["a", "b"], "repaired"), ["a", "b"]);
 * const many = cappedLines(Array.from({ length: 25 }, (_, i) => `${i}`), "repaired");
 * assert.equal(many.length, 21);
 * assert.equal(many.at(-1), "... and 5 more repaired (--json lists them all)");
 * ```
 */
export function cappedLines(lines: readonly string[], what: string): string[] {
  const more = lines.length - MAX_FAILURES_SHOWN;
  return more > 0
    ? [
      ...lines.slice(0, MAX_FAILURES_SHOWN),
      `... and ${more} more ${what} (--json lists them all)`,
    ]
    : [...lines];
}
