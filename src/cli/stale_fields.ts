/**
 * The `--json` fields of a cached copy served without the store's
 * confirmation, one spelling for every command that prints a local copy
 * (`vc cache get`, `vc path`, `vc get`).
 *
 * @module
 */
import type { StaleCopy } from "../cache/cache_options.ts";

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
