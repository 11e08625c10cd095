/**
 * A PostgreSQL catalog's time on this machine: the clock every machine
 * sharing the catalog decides claims, grace periods and record times by.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import type { Catalog } from "./catalog.ts";

/** A clock on a catalog server's time, which can measure its offset again. */
export interface CatalogClock extends Clock {
  /**
   * Measures the offset again when this machine's wall clock was set since
   * it was measured (an NTP step, `date -s`, a resume from sleep): the old
   * offset would then be that far off, and a long-running process whose
   * clock was stepped forward would take claims that are still live (or,
   * stepped back, hand out claims that have already lapsed); and once it is
   * 10 minutes old (a clock drifting without NTP). No query otherwise.
   */
  resync(): Promise<void>;
}

/**
 * How far this machine's wall clock may move against its monotonic clock
 * before the offset is measured again: NTP slews both alike, so only a
 * step (or a sleep, which the monotonic clock does not count) moves them
 * apart.
 */
const STEP_MS = 1_000;

/**
 * How long an offset is used before it is measured again even with no step:
 * a machine without NTP drifts from the server's time unnoticed (both its
 * clocks run on one oscillator; 50 ppm is 4.3 s a day), so a worker running
 * for days judged claims seconds off. One query per 10 minutes keeps the
 * drift under a few tens of ms.
 */
const REMEASURE_MS = 600_000;

/**
 * This machine's clock (`base`) shifted to a PostgreSQL catalog server's
 * time: the offset is measured against the middle of the query's round
 * trip, when made and again by {@linkcode CatalogClock.resync} after a step
 * of `base`'s wall clock.
 */
export async function catalogClock(
  catalog: Catalog,
  base: Clock = systemClock,
): Promise<CatalogClock> {
  const monotonic = () => base.monotonic?.() ?? base.now();
  let offset = 0;
  // The wall clock's lead on the monotonic one when measured: it changes
  // only when the wall clock is stepped.
  let lead = 0;
  // The monotonic time of the last measure.
  let measuredAt = 0;
  const measure = async () => {
    const before = base.now();
    const beforeMonotonic = monotonic();
    const rows = await catalog.transaction(
      "read",
      (tx) => tx.query("SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms"),
    );
    const after = base.now();
    offset = Math.round(Number(rows[0]!.ms) - (before + after) / 2); // times are whole ms
    lead = before - beforeMonotonic;
    measuredAt = beforeMonotonic;
  };
  await measure();
  return {
    now: () => base.now() + offset,
    sleep: (ms, signal) => base.sleep(ms, signal),
    ...(base.monotonic === undefined ? {} : { monotonic: () => base.monotonic!() }),
    resync: async () => {
      const at = monotonic();
      if (Math.abs(base.now() - at - lead) > STEP_MS || at - measuredAt > REMEASURE_MS) {
        await measure();
      }
    },
  };
}

/**
 * `clock` read in whole milliseconds (rounded down), as a catalog keeps its
 * times: a caller's clock that reads fractions (`performance.timeOrigin +
 * performance.now()`, a manual clock advanced by 0.5) had them stored as
 * they were by SQLite and refused by PostgreSQL (`invalid input syntax for
 * type bigint`), so one catalog worked where the other failed. A reading
 * that is no finite number is a `RangeError` naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wholeMsClock } from "./catalog_clock.ts";
 * const clock = wholeMsClock({ now: () => 1_000.6, sleep: () => Promise.resolve() });
 * assert.equal(clock.now(), 1_000);
 * ```
 */
export function wholeMsClock(clock: Clock): Clock {
  return {
    now: () => {
      const now = clock.now();
      if (!Number.isFinite(now)) {
        throw new RangeError(`the repository's clock read ${now}, not a time in ms`);
      }
      return Math.floor(now);
    },
    sleep: (ms, signal) => clock.sleep(ms, signal),
    ...(clock.monotonic === undefined ? {} : { monotonic: () => clock.monotonic!() }),
  };
}
