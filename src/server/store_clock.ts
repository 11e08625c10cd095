/**
 * How this machine's clock compares with its store's, for expiry: the
 * margin allowed, and what `vc serve` and `vc serve expire` say when the
 * clocks are further apart or the store tells no time at all.
 *
 * @module
 */
import type { ObjectStore } from "../store/types.ts";
import { CLOCK_MARGIN_MS } from "../clock_margin.ts";

const DAY = 86_400_000;

/**
 * `ms` for a message: `31 days`, `2.5 hours`, `90 minutes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spanText } from "./store_clock.ts";
 * assert.equal(spanText(31 * 86_400_000), "31 days");
 * assert.equal(spanText(3_600_000), "1 hour");
 * ```
 */
export function spanText(ms: number): string {
  if (ms >= 1.5 * DAY) return `${+(ms / DAY).toFixed(1)} days`;
  if (ms === 3_600_000) return "1 hour";
  if (ms >= 2 * 3_600_000) return `${+(ms / 3_600_000).toFixed(1)} hours`;
  return `${Math.round(ms / 60_000)} minutes`;
}

/** A warning about the store's time: none told, or this clock far from it. */
export interface StoreClockNotice {
  /** `none`: the store tells no time; `behind`/`ahead`: this clock, past {@linkcode CLOCK_MARGIN_MS}. */
  kind: "none" | "behind" | "ahead";
  /** The warning, for stderr. */
  message: string;
}

/**
 * The warning for this machine's time `local` against the store's `store`
 * (`undefined`: the store told none), or `undefined` when they are within
 * {@linkcode CLOCK_MARGIN_MS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeClockNotice } from "./store_clock.ts";
 * const now = Date.UTC(2026, 11, 6);
 * assert.equal(storeClockNotice(now, now + 60_000, "s3://b/c"), undefined);
 * assert.equal(storeClockNotice(now, undefined, "s3://b/c")?.kind, "none");
 * assert.equal(storeClockNotice(now - 31 * 86_400_000, now, "s3://b/c")?.kind, "behind");
 * ```
 */
export function storeClockNotice(
  local: number,
  store: number | undefined,
  storeUrl: string,
): StoreClockNotice | undefined {
  if (store === undefined) {
    return {
      kind: "none",
      message: `the store (${storeUrl}) tells no time (no Date header on its answers, or no ` +
        `file could be written and dated in its directory): expiry goes by this machine's ` +
        `clock alone, unchecked; a clock days off removes entries early for every instance ` +
        `sharing the store, or keeps them; keep every instance's clock right (NTP)`,
    };
  }
  const times = `this machine's clock says ${new Date(local).toISOString()}, the store's ` +
    `(${storeUrl}) ${new Date(store).toISOString()}`;
  if (store - local > CLOCK_MARGIN_MS) {
    return {
      kind: "behind",
      message: `${times}: ${spanText(store - local)} behind; cache entries are dated by the ` +
        `store's time instead. Set this machine's clock right (NTP)`,
    };
  }
  if (local - store > CLOCK_MARGIN_MS) {
    return {
      kind: "ahead",
      message: `${times}: ${spanText(local - store)} ahead; nothing is removed for its age ` +
        `(expired entries are kept) until it is set right (NTP)`,
    };
  }
  return undefined;
}

/**
 * Asks `store` its time ({@linkcode ObjectStore.serverTime}) and returns
 * {@linkcode storeClockNotice}'s warning; `undefined` too when the store
 * could not be asked (its failure is another warning's business).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { readStoreClockNotice } from "./store_clock.ts";
 * await using store = new MemoryStore();
 * assert.equal(await readStoreClockNotice(store), undefined);
 * ```
 */
export async function readStoreClockNotice(
  store: ObjectStore,
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<StoreClockNotice | undefined> {
  let time: number | undefined;
  try {
    const read = store.serverTime?.(options.signal === undefined ? {} : { signal: options.signal });
    time = read === undefined ? undefined : await read;
  } catch {
    options.signal?.throwIfAborted();
    return undefined;
  }
  return storeClockNotice((options.now ?? Date.now)(), time, store.url);
}
