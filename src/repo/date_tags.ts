/**
 * Date tags, following S3Repo: a file tagged at an hour granularity also
 * carries its day, week and month, so "everything from this week" is one tag
 * query whatever granularity the producer chose.
 *
 * - `hour`  → `hour:2026-11-30T07`, `day:2026-11-30`, `week:2026-W49`, `month:2026-11`
 * - `day`   → `day:…`, `week:…`, `month:…`
 * - `week`  → `week:…`
 * - `month` → `month:…`
 *
 * All in UTC; weeks are ISO 8601 weeks (Monday first, week-numbering year).
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";

/** A date-tag granularity. */
export type DateTagKind = "hour" | "day" | "week" | "month";

const KINDS: readonly DateTagKind[] = ["hour", "day", "week", "month"];

/**
 * The date tags of `kind` for the instant `time` (ms since epoch or a Date).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dateTags } from "./date_tags.ts";
 * const t = Date.UTC(2026, 10, 30, 7, 15);
 * assert.deepEqual(dateTags("hour", t), ["hour:2026-11-30T07", "day:2026-11-30", "week:2026-W49", "month:2026-11"]);
 * assert.deepEqual(dateTags("day", t), ["day:2026-11-30", "week:2026-W49", "month:2026-11"]);
 * assert.deepEqual(dateTags("week", t), ["week:2026-W49"]);
 * assert.deepEqual(dateTags("month", t), ["month:2026-11"]);
 * ```
 */
export function dateTags(kind: DateTagKind, time: number | Date): string[] {
  const d = new Date(time);
  const y = d.getUTCFullYear();
  const month = `month:${y}-${pad(d.getUTCMonth() + 1)}`;
  const day = `day:${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const week = `week:${isoWeek(d)}`;
  switch (kind) {
    case "hour":
      return [`hour:${day.slice(4)}T${pad(d.getUTCHours())}`, day, week, month];
    case "day":
      return [day, week, month];
    case "week":
      return [week];
    case "month":
      return [month];
  }
}

/**
 * Checks a date-tag kind given by a user.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDateTagKind } from "./date_tags.ts";
 * assert.equal(parseDateTagKind("day"), "day");
 * assert.throws(() => parseDateTagKind("year"), /hour, day, week or month/);
 * ```
 */
export function parseDateTagKind(text: string): DateTagKind {
  const kind = text.trim().toLowerCase() as DateTagKind;
  if (!KINDS.includes(kind)) {
    throw new InvalidInputError(`date tag "${text}" is not hour, day, week or month`);
  }
  return kind;
}

function isoWeek(d: Date): string {
  // The Thursday of this week decides the week-numbering year.
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dayNumber = (t.getUTCDay() + 6) % 7; // Monday 0
  t.setUTCDate(t.getUTCDate() - dayNumber + 3);
  const year = t.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const week = 1 +
    Math.round(
      ((t.getTime() - firstThursday.getTime()) / 86_400_000 - 3 +
        ((firstThursday.getUTCDay() + 6) % 7)) / 7,
    );
  return `${year}-W${pad(week)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
