/**
 * The `--json` fields of a cached copy served without the store's
 * confirmation, and the note said on stderr when offline mode served one,
 * one spelling for every command that prints a local copy (`vc cache get`,
 * `vc path`, `vc get`).
 *
 * @module
 */
import type { StaleCopy } from "../cache/cache_options.ts";
import { validatedAgo } from "../cache/validated_ago.ts";

/** The fields {@linkcode staleFields} adds to a command's JSON document. */
export interface StaleFields {
  /** Always `true`: present only for a stale copy. */
  stale?: true;
  /** Why the store could not confirm the copy. */
  staleReason?: string;
  /** When the store last confirmed it (ISO 8601; the epoch for an invalidated copy). */
  validatedAt?: string;
}

/**
 * `{"stale": true, "staleReason", "validatedAt"}` for a copy served stale,
 * `{}` for a fresh one (`stale` undefined), to spread into a JSON document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { staleFields } from "./stale_fields.ts";
 * assert.deepEqual(staleFields(undefined), {});
 * assert.deepEqual(staleFields({ reason: "connection refused", validatedAt: new Date(0) }), {
 *   stale: true,
 *   staleReason: "connection refused",
 *   validatedAt: "1970-01-01T00:00:00.000Z",
 * });
 * ```
 */
export function staleFields(stale: StaleCopy | undefined): StaleFields {
  if (stale === undefined) return {};
  return { stale: true, staleReason: stale.reason, validatedAt: stale.validatedAt.toISOString() };
}

/**
 * The one line said on stderr when offline mode served `uri` from a copy
 * past its TTL (`stale.offline`), naming the URI, how long ago the store
 * last confirmed it (at `now`, ms) and the setting that turned offline mode
 * on; undefined for any other copy (a store that did not answer is warned
 * about by the cache itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { offlineStaleNote } from "./stale_fields.ts";
 * const now = Date.UTC(2026, 0, 10);
 * const stale = {
 *   reason: "offline mode is on (--offline)",
 *   validatedAt: new Date(now - 3 * 86_400_000),
 *   offline: true as const,
 * };
 * assert.equal(
 *   offlineStaleNote("s3://b/k.csv", stale, now),
 *   "vc: note: s3://b/k.csv: serving the cached copy, validated 3 d ago, not asked again " +
 *     "(offline mode is on (--offline)): the store may hold a newer version",
 * );
 * const unreachable = { reason: "connection refused", validatedAt: stale.validatedAt };
 * assert.equal(offlineStaleNote("s3://b/k.csv", unreachable, now), undefined);
 * ```
 */
export function offlineStaleNote(
  uri: string,
  stale: StaleCopy | undefined,
  now: number,
): string | undefined {
  if (stale?.offline !== true) return undefined;
  return `vc: note: ${uri}: serving the cached copy, ${
    validatedAgo(stale.validatedAt.getTime(), now)
  }, not asked again (${stale.reason}): the store may hold a newer version`;
}
