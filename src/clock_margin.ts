/**
 * The one margin vc's age-based removals give clocks that differ: how far
 * the clock of a storage (a file server setting a file's modification
 * time, an S3 store's `Date`) and the clocks of its clients may be apart
 * before a time they disagree on is taken as wrong.
 *
 * vc has two other clock tolerances, on purpose not this one:
 * `CLOCK_SKEW_MS` (`src/cache/entry_records.ts`, five minutes) is how far
 * ahead a record's validation may be and still count as fresh, small as
 * every minute of it may keep an entry fresh past its TTL; S3's own limit on
 * a request's signing time (`src/store/s3_fetch.ts`, fifteen minutes) is
 * AWS's, only read to tell a skewed request's 403. This one is large, as
 * the cost of erring differs: too small, a live writer's file or a fresh
 * entry is removed; too large, debris stays an hour longer.
 *
 * @module
 */

/**
 * An hour (ms): far beyond the skew between a file server's clock and its
 * clients' (NTP keeps it under a second; Kerberos refuses past five
 * minutes), short of the days a clock set wrong is off by.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLOCK_MARGIN_MS } from "./clock_margin.ts";
 * assert.equal(CLOCK_MARGIN_MS, 3_600_000);
 * ```
 */
export const CLOCK_MARGIN_MS = 3_600_000;
