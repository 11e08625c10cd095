/**
 * A listing fetched as consecutive key ranges, several at once: a store's
 * listing is a chain of pages (each page's request needs the previous page's
 * last key or token), so a listing of 10,000 objects is 10 round trips one
 * after the other. Given split keys that are expected to fall about one page
 * apart (a mirror takes every 1000th key of its state file), the ranges
 * between them are listed in parallel, each with `startAfter` its lower
 * bound, and handed out in key order.
 *
 * Range `i` covers the keys in `(split[i-1], split[i]]` (the first starts at
 * the beginning, the last runs to the end). A range stops reading at its
 * upper bound, so when the splits are right every range is one request and
 * the whole listing is as many requests as the sequential one. When they are
 * off (objects added or removed since the state was written) a range reads
 * more pages, or one request finds nothing of its own: the listing is still
 * complete and in order, only the request count grows. A range after the
 * first that finds nothing at all is the one case where a single
 * `startAfter` request would decide that the listing ends: a store that
 * answers such requests with an empty page would hide every key after the
 * first range, so it is checked against the plain listing instead.
 *
 * Nothing is ever taken for granted: the output is exactly what the store
 * listed, range after range, and an error of any range fails the listing
 * (when the consumer reaches it, or at once if it is the next one), so a
 * caller never takes a listing with a failed range for a complete one.
 *
 * @module
 */
import { forwardAbort } from "../abort_hub.ts";
import type { ListOptions, ObjectInfo, ObjectStore } from "../store/types.ts";
import { compareUtf8 } from "../utf8.ts";
import { readAheadBatches, readAheadChunks } from "./plan.ts";

/** Options for {@linkcode listRanges}. */
export interface ListRangesOptions {
  /** Ranges listed at once (default 10). Memory holds about `ahead` objects per range. */
  parallel?: number;
  /** Objects a range reads ahead of the consumer (default 1000: one S3 page). */
  ahead?: number;
  /** Stops the listing, and every range's requests. */
  signal?: AbortSignal;
  /** Passed to each range's `list` (stores that skip unreadable entries report them here). */
  onWarning?: ListOptions["onWarning"];
  /** Passed to each range's `list` (see `ListOptions.etags`). */
  etags?: boolean;
}

/**
 * Every object under `prefix` in `store`, in key order, in batches (never
 * empty), listed as ranges split at `splits` (full keys within `prefix`, in
 * increasing UTF-8 order; a split not after the previous one is passed
 * over). With no splits it is the plain sequential listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { listRanges } from "./range_list.ts";
 * const store = new MemoryStore();
 * for (const k of ["p/a", "p/b", "p/c", "p/d", "q/e"]) await store.put(k, new Uint8Array(1));
 * const keys: string[] = [];
 * for await (const batch of listRanges(store, "p/", ["p/b", "p/bb", "p/c"])) {
 *   keys.push(...batch.map((o) => o.key));
 * }
 * assert.deepEqual(keys, ["p/a", "p/b", "p/c", "p/d"]);
 * ```
 */
export async function* listRanges(
  store: ObjectStore,
  prefix: string,
  splits: Iterable<string>,
  options: ListRangesOptions = {},
): AsyncGenerator<ObjectInfo[]> {
  const parallel = Math.max(1, options.parallel ?? 10);
  const ahead = Math.max(1, options.ahead ?? 1000);
  // One controller for every range's requests: a consumer that stops (or
  // fails) takes the ranges still in flight down with it.
  const controller = new AbortController();
  const outer = options.signal;
  const stopForwarding = forwardAbort(outer, controller);
  const listOptions: ListOptions = { signal: controller.signal };
  if (options.onWarning) listOptions.onWarning = options.onWarning;
  if (options.etags === false) listOptions.etags = false;

  const bounds = upperBounds(splits, prefix);
  let lower: string | undefined;
  let exhausted = false; // no upper bound left: the last range is started
  const active: Range[] = [];
  const startNext = () => {
    if (exhausted) return;
    const upper = bounds.next();
    if (upper.done) exhausted = true;
    const end = { reached: false };
    const it = readAheadChunks(
      range(store, prefix, lower, upper.done ? undefined : upper.value, listOptions, end),
      ahead,
    );
    const first = it.next();
    // A range further on may fail before the consumer gets to it: its error
    // waits (handled here, thrown when reached) instead of being unhandled.
    first.catch(() => {});
    active.push({ it, first, end, lower });
    lower = upper.done ? undefined : upper.value;
  };
  try {
    while (active.length < parallel && !exhausted) startNext();
    let last: string | undefined; // the last key handed out
    while (active.length > 0) {
      const current = active[0]!;
      let listed = false;
      let r = await current.first;
      while (!r.done) {
        // A stopped listing ends here even if its pages have all arrived.
        outer?.throwIfAborted();
        if (r.value.length > 0) {
          listed = true;
          last = r.value[r.value.length - 1]!.key;
          yield r.value;
        }
        r = await current.it.next();
      }
      active.shift();
      if (!current.end.reached) {
        // The store's listing ended inside this range: nothing follows it,
        // so the ranges after it can only be empty. Stop them.
        if (current.lower !== undefined && !listed) {
          // Unless the range found nothing at all: its one request, made
          // with `startAfter`, is all that says the listing ends there. A
          // store that answers such requests with an empty page (one that
          // does not support start-after) would make every key after the
          // first range look deleted, and `--delete` remove their files.
          // The plain listing (continuation tokens) settles it: what it has
          // after the keys handed out follows, rarely more than nothing.
          for await (const page of plainPages(store, prefix, listOptions)) {
            outer?.throwIfAborted();
            const rest = last === undefined
              ? page
              : page.filter((o) => compareUtf8(o.key, last!) > 0);
            if (rest.length > 0) {
              last = rest[rest.length - 1]!.key;
              yield rest;
            }
          }
        }
        break;
      }
      startNext();
    }
  } finally {
    controller.abort(new Error("listing stopped"));
    stopForwarding();
    await Promise.allSettled(active.map((r) => r.it.return(undefined)));
  }
}

interface Range {
  it: AsyncGenerator<ObjectInfo[]>;
  first: Promise<IteratorResult<ObjectInfo[]>>;
  /** Set when the range stopped at its upper bound (the store has keys there or after). */
  end: { reached: boolean };
  /** Its lower bound (`startAfter`), none for the first range. */
  lower: string | undefined;
}

/** The store's plain listing under `prefix`, a page at a time. */
function plainPages(
  store: ObjectStore,
  prefix: string,
  listOptions: ListOptions,
): AsyncIterable<ObjectInfo[]> {
  return store.listPages?.(prefix, listOptions) ??
    readAheadBatches(store.list(prefix, listOptions), PAGE);
}

/** The splits that are usable upper bounds: within `prefix`, each after the one before. */
function* upperBounds(splits: Iterable<string>, prefix: string): Generator<string> {
  let previous: string | undefined;
  for (const split of splits) {
    if (!split.startsWith(prefix) || split === prefix) continue;
    if (previous !== undefined && compareUtf8(split, previous) <= 0) continue;
    previous = split;
    yield split;
  }
}

/**
 * The objects in `(lower, upper]` (from the start without `lower`, to the end
 * without `upper`), a page at a time (never empty). Sets `end.reached` when
 * it stopped at `upper` (the store has keys at or after it), not when the
 * store's listing ended first.
 */
async function* range(
  store: ObjectStore,
  prefix: string,
  lower: string | undefined,
  upper: string | undefined,
  listOptions: ListOptions,
  end: { reached: boolean },
): AsyncGenerator<ObjectInfo[]> {
  const options = lower === undefined ? listOptions : { ...listOptions, startAfter: lower };
  // Stores that list a page at a time save an async step per object.
  const pages = plainPages(store, prefix, options);
  for await (const page of pages) {
    if (page.length === 0) continue;
    if (upper === undefined) {
      yield page;
      continue;
    }
    // Pages are in key order: one comparison settles the usual page that
    // lies wholly below the bound; else a binary search finds the cut.
    const last = compareUtf8(page[page.length - 1]!.key, upper);
    if (last < 0) {
      yield page;
      continue;
    }
    let lo = 0;
    let hi = page.length - 1; // page[hi].key >= upper
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareUtf8(page[mid]!.key, upper) < 0) lo = mid + 1;
      else hi = mid;
    }
    const cut = compareUtf8(page[lo]!.key, upper) === 0 ? lo + 1 : lo;
    end.reached = true;
    if (cut > 0) yield cut === page.length ? page : page.slice(0, cut);
    // Leaving the loop closes the store's listing: no request for a next page.
    return;
  }
}

/** Objects gathered per step from a store that lists one object at a time. */
const PAGE = 1000;
