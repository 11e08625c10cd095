/**
 * How long ago the store last confirmed a cached copy, in the words of the
 * warnings and notes that serve it unconfirmed (the store unreachable,
 * offline mode). Its own file: the CLI says it too, without loading the
 * resolver.
 *
 * @module
 */
import { CACHE_INVALIDATE } from "../command_words.ts";

/**
 * How stale a copy served unrevalidated is, for its warning: when the store
 * last confirmed it (`validatedAt`, ms) as seen at `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validatedAgo } from "./validated_ago.ts";
 * const now = Date.UTC(2026, 0, 10);
 * assert.equal(validatedAgo(now - 600_000, now), "validated 10 min ago");
 * assert.equal(validatedAgo(now - 3 * 86_400_000, now), "validated 3 d ago");
 * assert.equal(validatedAgo(0, now), "invalidated (the AssetCache's `invalidate()`)");
 * ```
 */
export function validatedAgo(validatedAt: number, now: number): string {
  if (validatedAt === 0) return `invalidated (${CACHE_INVALIDATE.library})`;
  const age = now - validatedAt;
  const when = new Date(validatedAt).toISOString().replace(/\.\d+Z$/, "Z");
  if (age < 0) return `validated at ${when}, in the future by this clock (clock skew?)`;
  const s = Math.floor(age / 1000);
  const [n, unit] = s < 120
    ? [s, "s"]
    : s < 7200
    ? [Math.floor(s / 60), "min"]
    : s < 172_800
    ? [Math.floor(s / 3600), "h"]
    : [Math.floor(s / 86_400), "d"];
  return `validated ${n} ${unit} ago`;
}
