/**
 * `Last-Modified` of a served file and the `If-Modified-Since` check on it
 * (RFC 9110 8.8.2, 13.1.3): `curl -z FILE`, `wget -N` and other clients
 * that keep a date instead of an ETag get 304 for a file they already have.
 * Before, no date was sent, so every such client downloaded the whole file
 * again each time.
 *
 * @module
 */

/**
 * How long after its upload a file's date is first sent. A date has whole
 * seconds, so a file replaced in the second a client was sent the previous
 * one would carry the same date, and that client's `If-Modified-Since`
 * would get 304 for a file it never saw (its `If-Unmodified-Since` would
 * let a DELETE remove it). RFC 9110 8.8.2.2 waits for the second to pass;
 * the upload's time is taken before its metadata switch is written, so the
 * wait also covers a switch still under way (a slow store, its retries).
 */
export const LAST_MODIFIED_SETTLE_MS = 60_000;

/**
 * The `Last-Modified` of a file uploaded at `uploadedAt` (ms), as an
 * HTTP-date, or `undefined`: for an entry stored before upload times were
 * kept, and until {@linkcode LAST_MODIFIED_SETTLE_MS} after the upload's
 * second. Then the date names one upload only, as long as the instances'
 * clocks agree (see "Several instances on one store").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastModified } from "./last_modified.ts";
 * const at = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
 * assert.equal(lastModified(at, at + 100), undefined); // just uploaded
 * assert.equal(lastModified(at, at + 60_400), "Fri, 02 Jan 2026 03:04:05 GMT");
 * assert.equal(lastModified(undefined, at), undefined);
 * ```
 */
export function lastModified(uploadedAt: number | undefined, now: number): string | undefined {
  if (uploadedAt === undefined || !Number.isFinite(uploadedAt)) return undefined;
  const second = Math.floor(uploadedAt / 1000) * 1000;
  if (now < second + 1000 + LAST_MODIFIED_SETTLE_MS) return undefined;
  return new Date(second).toUTCString();
}

/**
 * Whether `If-Modified-Since` (`header`) holds a date no earlier than the
 * `Last-Modified` sent (`sent`): the client's copy is current, 304. An
 * unparsable date is ignored (RFC 9110 13.1.3), as is the header when no
 * date is sent, and a date later than `now` (as RFC 2616 and Apache have
 * it): a client whose clock runs ahead, sending the time it saved its copy
 * at, would otherwise get 304 for a file replaced since.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notModifiedSince } from "./last_modified.ts";
 * const sent = "Fri, 02 Jan 2026 03:04:05 GMT";
 * const now = Date.parse("Fri, 02 Jan 2026 04:00:00 GMT");
 * assert(notModifiedSince(sent, sent, now));
 * assert(!notModifiedSince("Fri, 02 Jan 2026 03:04:04 GMT", sent, now));
 * assert(!notModifiedSince("Fri, 02 Jan 2026 05:00:00 GMT", sent, now)); // the future
 * assert(!notModifiedSince("yesterday", sent, now));
 * assert(!notModifiedSince(sent, undefined, now));
 * ```
 */
export function notModifiedSince(
  header: string | null,
  sent: string | undefined,
  now: number,
): boolean {
  if (header === null || sent === undefined) return false;
  const since = parseHttpDate(header);
  return since !== undefined && since <= now && parseHttpDate(sent)! <= since;
}

/**
 * Whether `If-Unmodified-Since` (`header`) fails for a file uploaded at
 * `uploadedAt` (ms): it was uploaded in a later second than the date, so
 * the request is refused with 412 (RFC 9110 13.1.4). Compared with the
 * upload's own second, sent as `Last-Modified` or not yet: a file uploaded
 * in the second after the one a client saw is another file. An unparsable
 * date, and an entry with no upload time (a placeholder, an entry from
 * before upload times were kept), pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modifiedSince } from "./last_modified.ts";
 * const at = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
 * assert(!modifiedSince("Fri, 02 Jan 2026 03:04:05 GMT", at));
 * assert(modifiedSince("Fri, 02 Jan 2026 03:04:04 GMT", at));
 * assert(!modifiedSince("no date", at));
 * assert(!modifiedSince("0", at)); // Date.parse reads it as the year 2000
 * assert(!modifiedSince("Fri, 02 Jan 2026 03:04:04 GMT", undefined));
 * ```
 */
export function modifiedSince(header: string | null, uploadedAt: number | undefined): boolean {
  if (header === null || uploadedAt === undefined || !Number.isFinite(uploadedAt)) return false;
  const since = parseHttpDate(header);
  return since !== undefined && Math.floor(uploadedAt / 1000) * 1000 > since;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = MONTHS.join("|");
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
const RFC850_DATE = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-(${MONTH})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`,
);

/**
 * An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, or the obsolete RFC 850 and
 * asctime forms every recipient must read) in ms since the epoch, or
 * `undefined` for anything else. `Date.parse` is not used: it reads `0`
 * as the year 2000 and an asctime date in the server's time zone, and a
 * condition whose date is not one must be ignored (RFC 9110 13.1.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHttpDate } from "./last_modified.ts";
 * const t = Date.UTC(1994, 10, 6, 8, 49, 37);
 * assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
 * assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), t);
 * assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), t);
 * assert.equal(parseHttpDate("0"), undefined);
 * assert.equal(parseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"), undefined);
 * ```
 */
export function parseHttpDate(text: string): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  let fields: [string, string, string, string, string, string] | undefined;
  if (m !== null) fields = [m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850_DATE.exec(text)) !== null) {
    // Two digits: the 1900s from 70 on, as HTTP clients that wrote them meant.
    const yy = Number(m[3]);
    fields = [String(yy < 70 ? 2000 + yy : 1900 + yy), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME_DATE.exec(text)) !== null) {
    fields = [m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!];
  }
  if (fields === undefined) return undefined;
  const [year, month, day, hour, minute, second] = [
    Number(fields[0]),
    MONTHS.indexOf(fields[1]),
    Number(fields[2]),
    Number(fields[3]),
    Number(fields[4]),
    Number(fields[5]),
  ];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // A day the month does not have (31 Feb) rolls over in Date.UTC.
  return new Date(time).getUTCDate() === day ? time : undefined;
}
