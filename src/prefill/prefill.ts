/**
 * Prefill: fill the asset cache ahead of time (typically in CI) with every
 * asset a manifest pins and any extra URIs, in parallel, attempting every item
 * and reporting every failure at the end.
 *
 * @module
 */
import { NO_MANIFEST, OUT_OF_FILES } from "./setting_words.ts";
import type { AssetCache } from "../cache/asset_cache.ts";
import { CallbackGuard } from "../callback.ts";
import {
  AccessDeniedError,
  causeChain,
  type ErrorKind,
  errorKind,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  StoreError,
  StoreNotFoundError,
  VcError,
} from "../errors.ts";
import { findCause } from "../causes.ts";
import {
  checkPositiveInteger,
  checkRequiredOptions,
  describeValue,
  listOption,
  type OptionNames,
} from "../options_check.ts";
import { forEachLimit } from "../pool.ts";
import { nextTurn } from "../next_turn.ts";
import { formatBytes } from "../progress.ts";
import { keptPartialsSaid } from "../kept_partial_words.ts";
import { formatUri, parseUri } from "../uri.ts";
import type { VersionedAsset, VersionedCache } from "../versioned/versioned_cache.ts";
import { listItem, parseItem, type PrefillListEntry } from "./list_file.ts";
import { ASSET_CACHE_OPTIONS, type CacheGetOptions, fetchedBytes } from "../cache/cache_options.ts";
import { cacheHoldOf, cacheItemOf } from "../cache/item_hook.ts";
import { HubController } from "../abort_hub.ts";
import { cacheVersioned, orSlashed } from "../versioned/slash_keys.ts";
import {
  type CredentialsRefusal,
  credentialsRefusal,
  isNoCredentials,
  sameCredentialsFailure,
  sameRefusalFailure,
} from "../store/no_credentials.ts";
import { type UnusableCacheDir, unusableCacheDir } from "../cache/unwritable_cache_dir.ts";
import { isThrottled } from "../store/throttled.ts";
import { retryReason, storeRetried } from "../store/retry_notice.ts";
import { elapsedSaid } from "../store/retry.ts";
import {
  PARKED_MAX,
  ParkedItems,
  scheduled,
  type SlotKeeper,
  type Source,
  StoreThrottle,
  type Target,
} from "./scheduler.ts";

/** Progress of a prefill run. */
export interface PrefillProgress {
  /** Items finished (fetched, already cached or failed). */
  done: number;
  /**
   * Items to do: those known so far (all of them from the start when `uris` has a `length`, as
   * an array or `listEntries` has), less the duplicates found so far.
   */
  total: number;
  /**
   * Items failed so far (counted in `done` too): a CI log of a long run says them as they
   * happen, not only in the summary at the end.
   */
  failed: number;
  /** Bytes downloaded so far (a failed item's are taken back when it fails). */
  bytes: number;
  /**
   * The item that last started or made progress; when one finishes, the
   * oldest item still in flight (the one finished, when none is left).
   */
  current?: string;
  /**
   * How far the download of `current` is, when it is one and its size is
   * known: `done` / `total` count items, so a run of a few large objects sat
   * at 0% for the minutes each took.
   */
  step?: { name: "downloading"; bytes: number; total: number };
}

/** Options for {@linkcode prefill}. */
export interface PrefillOptions {
  /** The cache to fill. */
  cache: AssetCache;
  /**
   * Versioned caches whose manifest entries are all prefilled (a manifest given twice is read
   * once); the first also resolves versioned items in `uris`. Each is in use for the whole run
   * (its `close()` waits for it): the errors of its missing versions share one listing of a
   * directory (as a `sync`'s do), not one each.
   */
  versioned?: readonly VersionedCache[] | undefined;
  /**
   * Extra items: `s3://` or `file://` URIs, or versioned paths (`/foo/bar.csv`, `/foo/bar.csv@1.2.5`).
   * Entries of `readListEntries` / `listEntries` keep their list file and line, which their
   * failures then name. Taken one by one as downloads free up (a generator is read lazily), so
   * a long list is never held as targets.
   */
  uris?:
    | Iterable<string | PrefillListEntry>
    | AsyncIterable<string | PrefillListEntry>
    | undefined;
  /**
   * Downloads in flight at once. Default 16. While other stores have work, the `s3://` stores
   * that have not answered yet (or said nothing for 2 s while an item waited that long) hold
   * half of them between them (at least 1; a store with none may take one, but not the last),
   * so one that never answers does not hold up the others; their other items are set aside
   * (the list is read on to find the other stores' items, wherever they are in it: past 1,024,
   * or 4 × `concurrency` if more, in a temp dir removed at the end; without write permission,
   * no further).
   * A store gets them all back once it answers, or when no other store has work that could
   * take them (that of another store that has not answered could not).
   */
  concurrency?: number | undefined;
  /**
   * Called as items finish and bytes arrive. One that throws stops the prefill as an abort
   * does, and `prefill` rejects with what it threw.
   */
  onProgress?: ((progress: PrefillProgress) => void) | undefined;
  /**
   * Stops starting new items and aborts those in flight; `prefill` then rejects with a
   * {@linkcode PrefillInterruptedError}: its `cause` the signal's reason, its `summary` what was
   * done.
   */
  signal?: AbortSignal | undefined;
  /**
   * Seconds a store that cannot be asked (down, unreachable, answering 5xx after its retries)
   * may say nothing before its items not yet tried fail at once, once 16 of its items in a row
   * (at least `concurrency`) have failed so. Default 30: a store that answers again sooner (a
   * server restarting) has only the items that failed meanwhile failed. 0: at the 16th failure.
   */
  storeDownWait?: number | undefined;
  /**
   * Seconds a store that asks to slow down (503 SlowDown, 429, a throttling code, after an
   * item's own retries) pauses all its downloads: its items not started wait, and the item
   * that gave up is tried again after the pause (8 times at most), none of them in a
   * download slot meanwhile, so the items of other stores go on. Each pause the store asks
   * for again right after one is twice as long, up to 30 s; an item fetched resets it.
   * Default 1.
   */
  throttleWait?: number | undefined;
}

/** One item that could not be prefilled. */
export interface PrefillFailure {
  /** The item as given (a URI or a versioned path), or the manifest that could not be read. */
  item: string;
  /**
   * Where the item came from: the list file of a `PrefillListEntry` (`<stdin>` for standard
   * input), or the manifest of a manifest entry (`item` is then the entry's path). Absent for a
   * plain string of `uris` and for a manifest that could not be read.
   */
  file?: string;
  /** The item's 1-based line number in {@linkcode PrefillFailure.file}, for a list file. */
  line?: number;
  /** Why it failed. */
  error: string;
  /**
   * What kind of failure: one of `ERROR_KINDS` (`NotFoundError`, `IntegrityError`,
   * `AccessDeniedError`, `OfflineError`, ...), as `errorKind` names it.
   */
  errorName: ErrorKind;
}

/** What a prefill run did. Exit non-zero when `failed` is not empty. */
export interface PrefillSummary {
  /** Distinct items attempted (including those that failed). */
  total: number;
  /** Items downloaded (or refreshed) by this run. */
  fetched: number;
  /** Items that were already in the cache and did not need a download. */
  alreadyCached: number;
  /** Every failure, in input order. */
  failed: PrefillFailure[];
  /** Bytes downloaded into the cache: those of the items fetched (not of the failed ones). */
  bytes: number;
  /** Wall-clock duration. */
  seconds: number;
  /**
   * Of a prefill stopped by its signal ({@linkcode PrefillInterruptedError}):
   * the large downloads it stopped in flight whose partial is kept for the
   * next run to resume (see the README's "An interrupted large download
   * resumes"), in input order. Absent when there is none.
   */
  keptPartials?: PrefillKeptPartial[];
}

/** A download an interrupted prefill stopped, its partial kept for the next run to resume. */
export interface PrefillKeptPartial {
  /** The item as listed (a URI, or a manifest's `path@version`). */
  item: string;
  /** The bytes kept, complete from the start of the object. */
  bytes: number;
  /** The object's size. */
  size: number;
}

/** The default number of downloads in flight. */
export const DEFAULT_PREFILL_CONCURRENCY = 16;

// The option names prefill() takes (a misspelt one is refused, not ignored).
const PREFILL_OPTIONS: OptionNames<PrefillOptions> = {
  cache: true,
  versioned: true,
  uris: true,
  concurrency: true,
  onProgress: true,
  signal: true,
  storeDownWait: true,
  throttleWait: true,
};

/**
 * Fills `cache` with every entry of the given manifests and every extra item.
 * Identical items (after resolving versioned paths) are fetched once. Never
 * stops at the first failure: all items are attempted and all failures are
 * listed in the summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefill } from "./prefill.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.writeTextFile(`${dir}/bucket/a.txt`, "a");
 *   const cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
 *   const summary = await prefill({
 *     cache,
 *     uris: [`file://${dir}/bucket/a.txt`, `file://${dir}/bucket/missing.txt`],
 *   });
 *   assert(summary.fetched === 1 && summary.failed.length === 1);
 *   await cache.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function prefill(options: PrefillOptions): Promise<PrefillSummary> {
  // `cacheDir`, `offline` or `timeout` belong to the AssetCache given as `cache`.
  checkRequiredOptions("prefill()", options, PREFILL_OPTIONS, {
    what: "AssetCache (pass one as the option cache)",
    known: ASSET_CACHE_OPTIONS,
  });
  // Else a TypeError mid-run (onProgress), or every item failed (cache).
  const cache: unknown = options.cache;
  if (typeof (cache as { cache?: unknown } | null | undefined)?.cache !== "function") {
    throw new InvalidInputError(
      `prefill(): the option cache must be an AssetCache, got ${describeValue(cache)}`,
    );
  }
  const onProgress: unknown = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new InvalidInputError(
      `prefill(): the option onProgress must be a function, got ${describeValue(onProgress)}`,
    );
  }
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_PREFILL_CONCURRENCY;
  checkPositiveInteger("prefill(): the option concurrency", concurrency);
  const storeDownWait = secondsOption("storeDownWait", options, DEFAULT_STORE_DOWN_WAIT);
  const throttleWait = secondsOption("throttleWait", options, DEFAULT_THROTTLE_WAIT);
  checkItems(options.uris);
  checkVersioned(options.versioned);
  options.signal?.throwIfAborted();
  // An onProgress that throws stops the prefill as an abort does (no item
  // started, those in flight stopped), which rejects with a CallbackError
  // around what it threw (the library's rule for callbacks). Thrown
  // where it was called, it failed the item whose download reported (its
  // error "boom", a VcError, as if the store's) and the run went on, or it
  // escaped a finished item and lost the summary. One whose promise
  // rejects (an async callback) does the same (it was an unhandled rejection).
  const callbacks = new CallbackGuard();
  const signal = callbacks.with(options.signal);

  const failed: Array<PrefillFailure & { order: number }> = [];
  // The downloads an abort stopped whose partial is kept (see keptPartials).
  const kept: Array<PrefillKeptPartial & { order: number }> = [];
  // Items are read, resolved and fetched one by one: a run over a hundred
  // thousand items keeps per item only what telling duplicates needs, and
  // its failures (see `eachTarget`).
  const counts = { total: 0, done: 0 };
  let bytes = 0;
  let fetched = 0;
  let alreadyCached = 0;
  const report = (current?: string, step?: PrefillProgress["step"]) => {
    // No callback: no report to make (three an item).
    if (options.onProgress === undefined) return;
    const progress: PrefillProgress = {
      done: counts.done,
      total: counts.total,
      failed: failed.length,
      bytes,
    };
    if (current !== undefined) progress.current = current;
    if (step !== undefined) progress.step = step;
    callbacks.notify("onProgress", options.onProgress, progress);
  };
  const targets = eachTarget(options, failed, counts, report);
  const direct = cacheItemOf(options.cache);
  using breaker = new StoreBreaker(
    Math.max(STORE_DOWN_AFTER, concurrency),
    storeDownWait * 1000,
    signal,
  );
  // A cache dir that cannot be written (or entered) fails every item that must
  // be downloaded: after the first, the others are not downloaded to fail alike.
  const unwritable = new UnwritableCacheDir(options.cache.dir);
  // A store that asks to slow down pauses as a whole (see StoreThrottle).
  const throttle = new StoreThrottle(throttleWait * 1000);
  // The items in flight, oldest first, with their download's last step. One
  // that finishes hands the progress line to the oldest still going: naming
  // the finished one, a CI log showed for minutes the last fast item done, not
  // the slow one the run waited on.
  const running = new Map<Target, PrefillProgress["step"]>();
  // The items set aside without a download slot (see `scheduled`): those of
  // a store paused by its throttling, waiting out the pause, and those of a
  // store that holds its share of the slots and has not answered.
  using parked = new ParkedItems(
    throttle,
    Math.max(PARKED_MAX, 4 * concurrency),
    options.versioned,
  );
  // The slots each store holds: one that has not answered holds only a share
  // of them while other stores have work (see `StoreSlots`).
  const slots = new StoreSlots(breaker, concurrency);

  const run = async (target: Target) => {
    running.set(target, undefined);
    let seen = 0;
    let root = "";
    let waiting: ItemStop | undefined;
    let stoppedInFlight = false;
    // Put aside while its store is paused: not done, tried again after the pause.
    let put = false;
    // Failed (or served) without asking its store, taken for down.
    let notTried = false;
    try {
      const parsed = target.parsed ?? parseUri(target.uri);
      root = parsed.scheme === "s3" ? `s3://${parsed.bucket}` : parsed.scheme;
      const local = parsed.scheme === "local";
      // A store taken for down is not asked, but what is cached of it is
      // served as it is, as the cache serves a copy whose store cannot be
      // reached: a CI cache restored during an outage is not failed for it.
      const down = local ? undefined : breaker.down(root) ?? unwritable.notTried(root);
      if (down !== undefined) {
        notTried = true;
        if (!(await isCached(options.cache, target))) throw down;
        await serveCached(target);
        alreadyCached++;
        return;
      }
      if (local) {
        await assertLocalFile(target.uri);
        alreadyCached++;
        return;
      }
      // While its store has asked to slow down, an item waits to start, but
      // not in a download slot: the items of the other stores go on (the
      // paused one's held them all, and every store waited on its pause).
      if (throttle.paused(root) > 0) {
        parked.add(root, target);
        put = true;
        return;
      }
      // A download reports progress (an empty object too); a hit does not.
      // No stat of the local path first: on a cold run it fails for every
      // item, and a failed stat costs a thrown NotFound each.
      let downloaded = false;
      // Served as cached once its store was taken for down: no answer of it.
      let unasked = false;
      waiting = breaker.waiting(root);
      // Named as it starts: a CI log line of a store slow to answer (or
      // never answering) otherwise names nothing until bytes come.
      report(target.label);
      const stopped = waiting;
      const get: CacheGetOptions = {
        immutable: target.immutable,
        // Each item is asked for once: the cache keeps nothing of it in memory.
        once: true,
        onProgress: (p) => {
          downloaded = true;
          // Fetched by this run: a resumed download's first bytes are those
          // an earlier run left in the file, neither fetched now nor an
          // answer of the store (told before it is asked).
          const got = fetchedBytes(p);
          // Bytes came: the store answers this item, which finishes on its own.
          if (got > 0) {
            breaker.settled(root, waiting);
            breaker.heard(root);
            // Its store's first answer: its items set aside may start.
            if (seen === 0) parked.changed();
          }
          // Progress is cumulative per item; count only what is new.
          bytes += got - seen;
          seen = got;
          const step = p.total > 0
            ? { name: "downloading" as const, bytes: p.bytes, total: p.total }
            : undefined;
          running.set(target, step);
          report(target.label, step);
        },
      };
      // An asset cache's own `cache()`: its one call per object (no options
      // to check again, no URI to parse again, no guard for this callback,
      // which never throws), a manifest's versions too (their pin and store
      // root as the versioned cache resolved them: a lock file's entries
      // are checked as it is read; the `/` key, looked for only when the
      // canonical one is missing, through `cache()`). Any other cache
      // through its `cache()`.
      get.signal = stopped.signal;
      const round = target.round ?? 1;
      const triedAt = performance.now();
      let fetching: Promise<string>;
      if (direct === undefined) fetching = cacheVersioned(options.cache, target, get);
      else {
        if (target.storeRoot !== undefined) get.storeRoot = target.storeRoot;
        if (target.integrity !== undefined) get.integrity = target.integrity;
        fetching = orSlashed(
          options.cache,
          direct(target.uri, parsed, get),
          target.slashedUri,
          get,
        );
      }
      try {
        await fetching.catch(async (error) => {
          // Stopped as its store was taken for down while it waited (such as
          // a cached copy's revalidation): served as cached, if it is.
          if (!stopped.stopped || signal?.aborted) throw error;
          if (!(await isCached(options.cache, target))) throw error;
          await serveCached(target);
          downloaded = false;
          unasked = true;
        });
      } catch (error) {
        // The store asked to slow down, past the item's own retries: its
        // downloads pause as a whole, and this one is tried again after.
        if (stopped.stopped || signal?.aborted || !isThrottled(error)) throw error;
        if (round >= THROTTLE_ROUNDS) {
          // Its message gives the last try's attempts: it was tried as often
          // again after each pause of its store.
          if (error instanceof Error) {
            const since = target.throttledSince ?? triedAt;
            error.message += `; tried ${round} times${elapsedSaid(performance.now() - since)}, ` +
              `${root}'s downloads paused in between as it asked to slow down`;
          }
          throw error;
        }
        target.throttledSince ??= triedAt;
        breaker.heard(root);
        bytes -= seen;
        seen = 0;
        downloaded = false;
        const pauseMs = throttle.throttled(root);
        // Said once per pause (the items that give up within it join it).
        if (pauseMs !== undefined) {
          storeRetried({
            reason: retryReason(error),
            error,
            attempt: round,
            maxAttempts: THROTTLE_ROUNDS,
            delayMs: pauseMs,
            pausedStore: root,
          });
        }
        // Tried again once the pause is over, out of its slot meanwhile.
        target.round = round + 1;
        parked.add(root, target);
        put = true;
        return;
      }
      if (downloaded) fetched++;
      else alreadyCached++;
      // A copy served without the store's answer says nothing of it: it
      // brought the store taken for down back (its next items asked it
      // again, each failing at length).
      if (unasked) return;
      throttle.answered(root);
      if (downloaded) breaker.delivered(root);
      else breaker.answered(root);
    } catch (thrown) {
      // Stopped by the abort: not done (the summary says it was not tried,
      // and what of it is kept for the next run to resume).
      if (signal?.aborted) {
        stoppedInFlight = true;
        const { keptPartial } = await import("../cache/partial_download.ts");
        const partial = keptPartial(options.cache.localPath(target.uri));
        if (partial !== undefined) {
          kept.push({ item: target.label, ...partial, order: target.order });
        } else {
          // Its temp file is gone, as a failed download's: its bytes are not counted.
          bytes -= seen;
        }
        throw signal.reason;
      }
      // Stopped by the breaker: the reason is the store's, not the abort.
      const stoppedBy = waiting?.stopped === true ? waiting.reason : thrown;
      unwritable.failed(root, stoppedBy, target.label);
      await breaker.failed(root, stoppedBy, target.label);
      // The store's missing credentials are said once, by the item that
      // found them; the others in flight then refer to it.
      const same = notTried ? undefined : breaker.sameAsFirst(root, stoppedBy, target.label) ??
        unwritable.sameAsFirst(root, stoppedBy, target.label);
      const error = same ?? stoppedBy;
      // What a failed download received is not in the cache: the summary's
      // bytes are those of the items fetched (as a retry's restart already
      // takes back its first attempt's).
      bytes -= seen;
      // Failed as the first item was (its store's credentials refused, the
      // cache dir unwritable), in flight with it: served as cached, as the
      // store's items not tried are, so how many were in flight
      // (`--concurrency`) does not decide how many fail.
      if (same !== undefined && await isCached(options.cache, target)) {
        const served = await serveCached(target).then(() => true, () => false);
        if (served) {
          alreadyCached++;
          return;
        }
      }
      // A version missing from the bucket is said as `vc path` says it: which
      // version of which path, and the versions there are.
      const reported = error instanceof NotFoundError && target.version !== undefined
        ? await missingVersion(target, target.version, error).catch(() => error)
        : error;
      failed.push({
        item: target.label,
        ...target.source,
        ...failure(reported),
        order: target.order,
      });
    } finally {
      breaker.ended(root, waiting);
      slots.end(target);
      if (!stoppedInFlight && !put) counts.done++;
      running.delete(target);
      if (options.onProgress !== undefined) {
        const [oldest, step] = running.entries().next().value ?? [target, undefined];
        report(oldest.label, step);
      }
      // The scheduler may wait for this one (to end, or to be put aside).
      parked.changed();
    }
  };

  // A cached copy, without asking its store (taken for down).
  const serveCached = (target: Target) =>
    cacheVersioned(options.cache, { ...target, immutable: true }, {
      ...(signal ? { signal } : {}),
      once: true,
    });

  const summary = (): PrefillSummary => ({
    total: counts.total,
    fetched,
    alreadyCached,
    failed: failed.sort((a, b) => a.order - b.order).map(({ order: _o, ...f }) => f),
    bytes,
    // Whole milliseconds, as a mirror says them (no float noise in --json).
    seconds: Math.round(performance.now() - started) / 1000,
    ...kept.length === 0
      ? {}
      : { keptPartials: kept.sort((a, b) => a.order - b.order).map(({ order: _o, ...k }) => k) },
  });
  // The hints of one run's missing versions share their directories'
  // listings (30 missing entries of one directory list it once, as a
  // `sync` does), and closing a VersionedCache waits for the run.
  const held = await usedThroughoutRun(options.versioned);
  // The cache's set-up for downloads (its journals' handles) kept between
  // items for the run, not let go after each wave of downloads.
  const release = direct === undefined ? undefined : cacheHoldOf(options.cache)?.();
  try {
    // The manifests are read (and the total known) before the first report.
    const first = await targets.next();
    signal?.throwIfAborted();
    report();
    // An abort stops new items; those in flight settle before this rejects.
    await forEachLimit(
      scheduled(
        first.done ? undefined : resumed(first.value, targets),
        parked,
        slots,
        running,
        signal,
        // The turn the items in flight get while the list is read on.
        () => nextTurn(options.cache.dir),
      ),
      concurrency,
      run,
      signal ? { signal } : {},
    );
    signal?.throwIfAborted();
  } catch (error) {
    // What was done before the stop (a CI job cancelled at its timeout) is
    // said, the failures too: a bare "interrupted" lost them all.
    if (options.signal?.aborted && error === options.signal.reason) {
      throw new PrefillInterruptedError(summary(), error);
    }
    throw error;
  } finally {
    // Stopped before the end (an abort): the caller's iterator of `uris` is
    // closed, as a `for` loop that breaks would close it, so what it reads
    // from (a file, a stream) is let go. Nothing when it was read to its end.
    try {
      await targets.return(undefined);
    } finally {
      for (const hold of held) hold[Symbol.dispose]();
      // Every item has settled (an abort waits for those in flight).
      release?.();
    }
  }
  return summary();
}

/** `usedThroughout` of each of `versioned` (their module loaded only when there are some). */
async function usedThroughoutRun(
  versioned: readonly VersionedCache[] | undefined,
): Promise<Disposable[]> {
  if (versioned === undefined || versioned.length === 0) return [];
  const { usedThroughout } = await import("../versioned/versioned_cache.ts");
  return [...new Set(versioned)].map(usedThroughout);
}

/**
 * The part of an interrupted prefill's line that says which downloads in
 * flight kept their partial for the next run (empty when none did): without
 * it, "the rest was not tried" read as if their bytes were lost.
 */
function keptPartialsThen(kept: readonly PrefillKeptPartial[]): string {
  const said = keptPartialsSaid(kept.map((k) => ({ ...k, name: k.item })));
  return said === "" ? "" : `${said}; `;
}

/**
 * A prefill stopped by its `signal`: `cause` is the signal's reason,
 * `summary` what was done before (the items finished, the failures so far;
 * `total` the items known then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrefillInterruptedError } from "./prefill.ts";
 * const summary = { total: 9, fetched: 2, alreadyCached: 1, failed: [], bytes: 10, seconds: 1 };
 * const e = new PrefillInterruptedError(summary, new DOMException("interrupted", "AbortError"));
 * assert.equal(e.summary.fetched, 2);
 * assert.match(e.message, /^prefill interrupted after 3 of 9 items/);
 * ```
 */
export class PrefillInterruptedError extends VcError {
  /** What the prefill did before it was stopped. */
  readonly summary: PrefillSummary;
  /** The error of a prefill stopped by its signal, `cause` the signal's reason. */
  constructor(summary: PrefillSummary, cause: unknown) {
    const done = summary.fetched + summary.alreadyCached + summary.failed.length;
    super(
      `prefill interrupted after ${done} of ${summary.total} items: ${summary.fetched} fetched, ` +
        `${summary.alreadyCached} already cached, ${summary.failed.length} failed; ` +
        // The bytes and time, as a finished run's summary says them: a CI
        // job cancelled at its timeout is sized by them.
        `${formatBytes(summary.bytes)} in ${summary.seconds.toFixed(1)}s; ` +
        keptPartialsThen(summary.keptPartials ?? []) +
        "the rest was not tried: run it again to finish (what is cached stays)",
      { cause },
    );
    this.summary = summary;
  }
}

/**
 * Failures in a row, each of them a store that could not be asked (down,
 * unreachable, or answering 5xx after its retries) and none of its items
 * done in between, after which the store's other items are not tried.
 */
const STORE_DOWN_AFTER = 16;

/**
 * Refusals of a store's credentials alike (the same status and code, such as
 * 403 `SignatureDoesNotMatch` of a wrong secret key) in a row, before any of
 * its items was downloaded, after which its other items are not tried: a
 * prefill of 1000 items asked 1000 times, failing each at length. One refusal
 * may be of its key only (a key signed otherwise than a server checks it), so
 * one is not enough, and a store that delivered an item in the run is never
 * taken so. A refusal by policy (`AccessDenied`) never counts: a policy on a
 * prefix listed first would stop every run at the same first items.
 */
const REFUSED_AFTER = 8;

/**
 * Seconds a store must also have said nothing (no byte, no answer, not even a
 * 404) before those failures take it for down: a server restarting, or a
 * load balancer's blip, fails the items in flight while it lasts (each after
 * its retries, a second or so), more than 16 of them, and was taken for down
 * for the rest of the run though it answered again a second later.
 */
const DEFAULT_STORE_DOWN_WAIT = 30;

/**
 * A store that does not answer (down, or a wrong endpoint that accepts
 * connections and never answers) would cost each of its items its own
 * timeouts and retries: a prefill of thousands, hours. After
 * {@linkcode STORE_DOWN_AFTER} such failures in a row (at least the items in
 * flight), its remaining items fail at once, each named, saying why, and
 * those in flight that have received nothing yet are stopped (taken while
 * the first ones timed out, each would wait out its own timeouts again: a
 * second round); the items of other stores go on. An item of the store that
 * succeeds resets the count.
 */
/** What the breaker knows of one store. */
interface StoreState {
  /** Failures in a row. */
  streak: number;
  /** The first of them. */
  first: unknown;
  /** Taken for down: its other items are not tried. */
  open: boolean;
  /** The item whose failure said the store has no usable credentials, or refused them. */
  firstItem?: string;
  /** What the store refused, when its failures are refusals of the credentials. */
  refusal?: CredentialsRefusal;
  /** Why the store's other items are not tried when it does not exist (a bucket's NoSuchBucket). */
  missing?: string;
}

/**
 * What stops one item: the prefill's abort, or its store taken for down
 * while it waits. A `HubController`: the cache's flight hears its signal
 * through `onAbort` with no event listener per item.
 */
class ItemStop extends HubController {
  /** When its item started (`performance.now()`). */
  readonly started: number = performance.now();

  /** Whether it has stopped. */
  get stopped(): boolean {
    return this.signal.aborted;
  }

  /** Why it stopped. */
  get reason(): unknown {
    return this.signal.reason;
  }
}

class StoreBreaker {
  readonly #after: number;
  readonly #quietMs: number;
  readonly #stores = new Map<string, StoreState>();
  // Per store, when it last answered (a byte, a finished item, an error that
  // is an answer such as a 404); the run's start for one not heard yet.
  readonly #heard = new Map<string, number>();
  readonly #started = performance.now();
  // The stores an item was downloaded from: their credentials work.
  readonly #delivered = new Set<string>();
  // Per store, the items in flight that have received no bytes yet.
  readonly #waiting = new Map<string, Set<ItemStop>>();
  readonly #signal: AbortSignal | undefined;
  // Each item's stop follows the prefill's signal through one listener
  // (an `AbortSignal.any` per item of a run of 100,000 would be as many
  // dependent signals); the items in flight at once, whatever their store.
  readonly #inFlight = new Set<ItemStop>();

  readonly #onAbort = () => {
    for (const c of this.#inFlight) c.abort(this.#signal?.reason);
  };

  constructor(after: number, quietMs: number, signal: AbortSignal | undefined) {
    this.#after = after;
    this.#quietMs = quietMs;
    this.#signal = signal;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Lets go of the prefill's signal (a caller may reuse it for many runs). */
  [Symbol.dispose](): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** The error of an item of `root` not tried, when the store is taken for down. */
  down(root: string): Error | undefined {
    const state = this.#stores.get(root);
    return state?.open === true ? this.#down(root, state, "not tried") : undefined;
  }

  /** What stops an item of `root` if the store is taken for down while it waits. */
  waiting(root: string): ItemStop {
    const controller = new ItemStop();
    if (this.#signal?.aborted) controller.abort(this.#signal.reason);
    this.#inFlight.add(controller);
    const set = this.#waiting.get(root) ?? new Set();
    this.#waiting.set(root, set.add(controller));
    return controller;
  }

  /** The item of `controller` received bytes: the store answers it. */
  settled(root: string, controller: ItemStop | undefined): void {
    const set = this.#waiting.get(root);
    if (controller === undefined || set === undefined) return;
    set.delete(controller);
    if (set.size === 0) this.#waiting.delete(root);
  }

  /** The item of `controller` ended. */
  ended(root: string, controller: ItemStop | undefined): void {
    this.settled(root, controller);
    if (controller !== undefined) this.#inFlight.delete(controller);
  }

  /**
   * For an error of `root` that its first credentials failure already said
   * (each item in flight finds the credentials missing), a short reference
   * to that failure; else `undefined`.
   */
  sameAsFirst(root: string, error: unknown, item: string): Error | undefined {
    const state = this.#stores.get(root);
    // By item, not by error: a store that failed to open (keys that cannot
    // sign) rejects every item in flight with the one same error.
    if (state?.firstItem === undefined || state.firstItem === item) return undefined;
    if (state.refusal !== undefined) {
      return credentialsRefusal(error)?.code === state.refusal.code
        ? this.#down(root, state)
        : undefined;
    }
    return isNoCredentials(error) ? this.#down(root, state) : undefined;
  }

  #down(root: string, state: StoreState, what?: string): Error {
    const first = state.first as Error | undefined;
    if (state.missing !== undefined) {
      return new StoreNotFoundError(`${what}: ${state.missing}`, { cause: state.first });
    }
    if (state.refusal !== undefined) {
      return sameRefusalFailure(root, state.firstItem!, state.first, state.refusal, what);
    }
    if (state.firstItem !== undefined) {
      return sameCredentialsFailure(root, state.firstItem, state.first, what);
    }
    // Of the kind the failures were: a store answering 5xx after its retries
    // is a StoreError, not an unreachable one, and a CI script branching on
    // `errorName` (retry later for OfflineError) must see the same kind for
    // the items not tried as for those that were.
    const Kind = errorKind(state.first) === "StoreError" ? StoreError : OfflineError;
    return new Kind(
      `${what}: ${root} could not be asked for ${state.streak} items in a row, the first: ${
        first?.message ?? String(state.first)
      }`,
      { cause: state.first },
    );
  }

  /**
   * Whether `root`, with items in flight, has not answered them: it never
   * answered yet, or it has said nothing for `silentMs` while an item has
   * waited that long for it.
   */
  unanswered(root: string, silentMs: number): boolean {
    const heard = this.#heard.get(root);
    if (heard === undefined) return true;
    const now = performance.now();
    if (now - heard < silentMs) return false;
    const oldest = this.#waiting.get(root)?.values().next().value;
    return oldest !== undefined && now - oldest.started >= silentMs;
  }

  /**
   * An item of `root` was done (the store answered, or the copy was served).
   * Credentials it refused stay refused: an item done meanwhile was served
   * from the cache, or asked before the refusal.
   */
  answered(root: string): void {
    if (this.#stores.get(root)?.firstItem === undefined) this.#stores.delete(root);
    this.heard(root);
  }

  /**
   * An item of `root` was downloaded: its credentials work, and refusals
   * alike not yet taken for the store's were of their keys (a copy served
   * from the cache says nothing of them).
   */
  delivered(root: string): void {
    this.#delivered.add(root);
    const state = this.#stores.get(root);
    if (state?.refusal !== undefined && !state.open) this.#stores.delete(root);
    this.answered(root);
  }

  /** The store `root` answered (bytes of an item came). */
  heard(root: string): void {
    this.#heard.set(root, performance.now());
  }

  /** An item of `root` failed with `error`. */
  async failed(root: string, error: unknown, item: string): Promise<void> {
    // Loaded on a failure only: a warm prefill never needs it. Awaited
    // before the state is read, so what follows runs in one turn: failures
    // that end together count one by one, and the streak stops at the
    // threshold instead of two of them both passing it.
    const { isStoreUnavailable } = await import("../store/retry.ts");
    const state = this.#stores.get(root);
    if (state?.open === true) return;
    // This process, not the store, ran out: the store was never asked, and
    // taking it for down would fail its other items as "could not be asked".
    if (outOfOpenFiles(error)) return;
    // Missing credentials are the same for every item of the store: one
    // failure is enough, and trying the others would only say it again.
    // A bucket that does not exist is so for every item of it: one answer
    // is enough (a list of 1000 items of a misspelt bucket sent 1000 GETs).
    // Not a `file://` store's missing directory: its items share no root.
    const missing = root.startsWith("s3://")
      ? findCause(error, (e): e is StoreNotFoundError => e instanceof StoreNotFoundError)
      : undefined;
    if (missing !== undefined) {
      // Said as the item's own failure says it, without its item.
      const why = /its bucket s3:\/\/.*$/s.exec(missing.message)?.[0] ?? missing.message;
      const gone: StoreState = {
        streak: 1,
        first: error,
        open: true,
        firstItem: item,
        missing: why,
      };
      this.#stores.set(root, gone);
      this.heard(root);
      return this.#stopWaiting(root, gone);
    }
    const credentials = isNoCredentials(error);
    // A refusal of the credentials (a wrong secret key): those of the first
    // items alike, none downloaded, are the store's (see REFUSED_AFTER).
    const refusal = credentials ? undefined : credentialsRefusal(error);
    if (refusal !== undefined && !this.#delivered.has(root)) {
      const same = state?.refusal?.code === refusal.code &&
        state.refusal.credentials === refusal.credentials;
      const refused: StoreState = same
        ? state
        : { streak: 0, first: error, open: false, firstItem: item, refusal };
      refused.streak++;
      refused.open = refused.streak >= REFUSED_AFTER;
      this.#stores.set(root, refused);
      this.heard(root);
      if (refused.open) this.#stopWaiting(root, refused);
      return;
    }
    if (!credentials && !isStoreUnavailable(error)) {
      // An answer (a 404, a refusal): the store is there.
      this.#stores.delete(root);
      return this.heard(root);
    }
    const next: StoreState = credentials
      ? { streak: 0, first: error, open: false, firstItem: item }
      : (state?.refusal === undefined ? state : undefined) ??
        { streak: 0, first: error, open: false };
    next.streak++;
    // Failures in a row and silence for a while: a store that answered a
    // moment ago (its items failing while it restarts) is asked again.
    const quiet = performance.now() - (this.#heard.get(root) ?? this.#started);
    next.open = credentials || (next.streak >= this.#after && quiet >= this.#quietMs);
    this.#stores.set(root, next);
    if (next.open) this.#stopWaiting(root, next);
  }

  /** Stops the items of `root` in flight that have received nothing yet. */
  #stopWaiting(root: string, state: StoreState): void {
    const waiting = this.#waiting.get(root) ?? [];
    this.#waiting.delete(root);
    for (const c of waiting) c.abort(this.#down(root, state, "stopped waiting"));
  }
}

/** Seconds of a throttled store's first pause (see `PrefillOptions.throttleWait`). */
const DEFAULT_THROTTLE_WAIT = 1;
/** The times an item is tried while its store asks to slow down, before it fails. */
const THROTTLE_ROUNDS = 8;

/**
 * Milliseconds a store that answered before may say nothing, while an item waits
 * that long for it, before it holds only its share of the slots again (see
 * {@linkcode StoreSlots}).
 */
const SILENT_MS = 2000;

/**
 * The download slots each store (`s3://bucket`) holds. A store that accepts
 * connections and never answers (a wrong endpoint, a hung server) held every
 * slot until its items timed out, each after its own timeouts and retries:
 * listed first, its items held up the items of every other store for
 * minutes (300 of them, then 50 `file://` items, fetched the 50 after 32 s at
 * a 2 s request timeout, ~5 minutes at the defaults). While other stores have
 * work, the stores that have not answered their items in flight (none
 * answered yet, or nothing said for {@linkcode SILENT_MS} while one waited
 * that long) hold half the slots between them (at least 1; a store with
 * none may take one, but not the last slot); their other items are set aside, as a paused store's
 * are. A store gets them all back once it answers, or when no other store
 * has work that could take them (that the items set aside, up to their
 * bound, show; those of a store that holds slots and has not answered
 * could not take them).
 */
class StoreSlots implements SlotKeeper {
  readonly #breaker: StoreBreaker;
  readonly #held = new Map<string, number>();
  /** The slots the stores that have not answered may hold between them. */
  readonly share: number;
  /** The slots they may hold with the first item of each of them (one left for the others). */
  readonly #firsts: number;

  constructor(breaker: StoreBreaker, concurrency: number) {
    this.#breaker = breaker;
    this.share = Math.max(1, Math.floor(concurrency / 2));
    this.#firsts = Math.max(1, concurrency - 1);
  }

  /** `target` takes a slot of its store. */
  start(target: Target, root: string | undefined): void {
    if (root === undefined) return;
    target.slot = root;
    this.#held.set(root, (this.#held.get(root) ?? 0) + 1);
  }

  /** `target` (started) lets its slot go. */
  end(target: Target): void {
    const root = target.slot;
    if (root === undefined) return;
    delete target.slot;
    const held = (this.#held.get(root) ?? 1) - 1;
    if (held === 0) this.#held.delete(root);
    else this.#held.set(root, held);
  }

  /** Whether an item of `root` may take a slot, `othersHaveWork` telling whether others do. */
  mayStart(root: string, othersHaveWork: (root: string) => boolean): boolean {
    const first = !this.#held.has(root);
    if (!first && !this.#unanswered(root)) return true;
    let unanswered = 0;
    for (const [other, held] of this.#held) {
      if (this.#unanswered(other)) unanswered += held;
    }
    // A store's first item may start (to be answered), as long as one slot
    // is left for the stores that answer: two dead stores at
    // `--concurrency 2` held both. None held by them: any may start.
    if (unanswered === 0 || unanswered < (first ? this.#firsts : this.share)) return true;
    return !othersHaveWork(root);
  }

  /**
   * Whether `root` holds slots and has not answered them: while the stores
   * that have not answered hold their share, its items wait, so they are no
   * work the slots kept from it could go to.
   */
  waitsForAnswer(root: string): boolean {
    return this.#unanswered(root);
  }

  #unanswered(root: string): boolean {
    return this.#held.has(root) && this.#breaker.unanswered(root, SILENT_MS);
  }
}

/**
 * Per store, the first item that could not be cached because the cache dir
 * cannot be written (a read-only mount, a CI cache restored read-only) or
 * entered (restored as another user, who made it private): the store's
 * other items are then not downloaded (each would fail alike, after its
 * GET), only served if cached. Per store, as the copies of each store have
 * a directory of their own.
 */
class UnwritableCacheDir {
  readonly #first = new Map<string, UnusableCacheDir & { item: string; error: unknown }>();
  readonly #cacheDir: string;

  constructor(cacheDir: string) {
    this.#cacheDir = cacheDir;
  }

  /** An item of `root` failed with `error`. */
  failed(root: string, error: unknown, item: string): void {
    if (this.#first.has(root)) return;
    const unusable = unusableCacheDir(error, this.#cacheDir);
    if (unusable !== undefined) this.#first.set(root, { ...unusable, item, error });
  }

  /** The error of an item of `root` not tried, when the cache dir was found unusable. */
  notTried(root: string): Error | undefined {
    const first = this.#first.get(root);
    return first === undefined ? undefined : this.#reference(first, "not tried: ");
  }

  /**
   * For an item of `root` in flight with the first that found the cache dir
   * unusable, and failing on it alike, a short reference to that failure
   * (each of them said it at length, 16 lines at the default concurrency);
   * else `undefined`.
   */
  sameAsFirst(root: string, error: unknown, item: string): Error | undefined {
    const first = this.#first.get(root);
    if (first === undefined || first.item === item) return undefined;
    return unusableCacheDir(error, this.#cacheDir)?.cacheDir === first.cacheDir
      ? this.#reference(first, "")
      : undefined;
  }

  #reference(first: UnusableCacheDir & { item: string; error: unknown }, what: string): Error {
    return new AccessDeniedError(
      `${what}the cache dir ${first.cacheDir} ${first.how} (the failure of ${first.item} ` +
        `says why)`,
      { cause: first.error },
    );
  }
}

/**
 * The option `name` of `options`, a finite number of seconds, 0 or more
 * (`fallback` when not given); else an `InvalidInputError` naming it.
 */
function secondsOption(
  name: "storeDownWait" | "throttleWait",
  options: PrefillOptions,
  fallback: number,
): number {
  const value: unknown = options[name] ?? fallback;
  if (typeof value === "number" && value >= 0 && value < Infinity) return value;
  throw new InvalidInputError(
    `prefill(): the option ${name} must be a number of seconds, 0 or more, got ${
      describeValue(options[name])
    }`,
  );
}

/**
 * Refuses `uris` that are neither iterable nor async iterable (a number, an
 * object of items: a bare "undefined is not a function" mid-run), and a lone
 * string, whose characters would be the items.
 */
function checkItems(uris: unknown): void {
  if (typeof uris === "string") listOption(uris, "prefill(): uris");
  if (uris === undefined || uris === null) return;
  const iterable = uris as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  if (
    typeof iterable[Symbol.iterator] !== "function" &&
    typeof iterable[Symbol.asyncIterator] !== "function"
  ) {
    throw new InvalidInputError(
      `prefill(): the option uris must be an array, iterable or async iterable of items, got ${
        describeValue(uris)
      }`,
    );
  }
}

/**
 * Refuses `versioned` that is not an array of `VersionedCache`: a lone one
 * (`versioned: vc`) was a bare "object is not iterable" TypeError, a manifest
 * path or `null` in the array a failure naming no item ("vc.resolveEach is
 * not a function") or a TypeError.
 */
function checkVersioned(versioned: unknown): void {
  if (versioned === undefined || versioned === null) return;
  const isOne = (vc: unknown) =>
    typeof (vc as { resolveEach?: unknown } | null)?.resolveEach === "function";
  if (!Array.isArray(versioned)) {
    throw new InvalidInputError(
      `prefill(): the option versioned must be an array of VersionedCache, got ${
        describeValue(versioned)
      }${isOne(versioned) ? " (for one, pass [it])" : ""}`,
    );
  }
  versioned.forEach((vc, i) => {
    if (isOne(vc)) return;
    throw new InvalidInputError(
      `prefill(): versioned[${i}] must be a VersionedCache, got ${describeValue(vc)}${
        typeof vc === "string"
          ? ` (for a manifest path, pass new VersionedCache({ manifest }))`
          : ""
      }`,
    );
  });
}

/** Whether the cache holds a copy of `target` (its own URI's). */
async function isCached(cache: AssetCache, target: Target): Promise<boolean> {
  const stat = await Deno.stat(cache.localPath(target.uri)).catch(() => undefined);
  return stat?.isFile === true;
}

/**
 * `rest` with `first` (already taken from it) in front: its own `next()`
 * after the first, not a generator's step around each. Closing it closes
 * nothing (the caller closes `rest`).
 */
function resumed<T>(first: T, rest: AsyncIterator<T>): AsyncIterable<T> {
  let pending = true;
  const iterator: AsyncIterator<T> = {
    next: () => {
      if (!pending) return rest.next();
      pending = false;
      return Promise.resolve({ done: false, value: first });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/** What an item resolves to: the fields of its {@linkcode Target} that say what to read. */
type Resolved =
  & Pick<Target, "uri" | "parsed" | "slashedUri" | "storeRoot" | "immutable" | "integrity">
  & {
    /** A URI given as such (not a versioned path): it names the object, not a version to check. */
    plainUri?: boolean;
  };

/**
 * Resolves every manifest entry and extra item to a URI, in input order and
 * one at a time as the pool asks for them, dropping duplicates and recording
 * items that cannot even be resolved as failures (each counted `done` at
 * once). `counts.total` is every item to do: the items known so far (all of
 * them when `uris` has a `length`), less the duplicates found so far; at the
 * end, the distinct items. `changed` is called when an item changes them.
 *
 * What is kept per item: its key and URI (to tell duplicates), nothing else.
 */
async function* eachTarget(
  options: PrefillOptions,
  failed: Array<PrefillFailure & { order: number }>,
  counts: { total: number; done: number },
  changed: (current: string) => void,
): AsyncGenerator<Target> {
  let order = 0;
  const fail = (item: string, source: Source, error: unknown) => {
    failed.push({ item, ...source, ...failure(error), order: order });
    counts.done++;
  };
  // An entry repeated within a manifest or an item within the lists is one
  // item, named where it first appears. The same text in both may be two
  // objects (a manifest path may contain `@1.0.0`; a list item with it names
  // a version of another path): those meet only in the check by URI below.
  const seen = { manifest: new Set<string>(), list: new Set<string>() };
  const uris = new Set<string>();
  const listLength = (options.uris as { length?: unknown } | undefined)?.length;
  // Manifests are read first, so the total is known before any download.
  const manifests: Array<
    {
      vc: VersionedCache;
      assets: Array<VersionedAsset | { path: string; error: unknown } | null>;
    }
  > = [];
  const manifestsRead = new Set<string>();
  for (const vc of options.versioned ?? []) {
    // A manifest given twice (`--manifest a.json --manifest ./a.json`) is
    // read once: its entries would all be duplicates, and one that cannot
    // be read is one failure, not one per mention.
    if (manifestsRead.has(vc.manifest)) continue;
    manifestsRead.add(vc.manifest);
    // One read of the manifest resolves every entry; resolving each path on
    // its own would look it up again per entry. An entry that cannot be
    // resolved (unlocked under --frozen) fails alone: the others are fetched.
    try {
      const assets = await vc.resolveEach();
      manifests.push({ vc, assets });
      counts.total += assets.length;
    } catch (error) {
      counts.total++;
      fail(vc.manifest, {}, error);
      order++;
    }
  }
  if (typeof listLength === "number") counts.total += listLength;

  // One item: a duplicate is not counted (`undefined`); anything else is a
  // failure (`undefined`) or a target. A plain function, awaited only when
  // its resolution is (a versioned path of a list): no generator per item.
  function item(
    from: keyof typeof seen,
    key: string,
    label: string,
    source: Source,
    resolve: () => Resolved | Promise<Resolved>,
    versioned?: VersionedCache,
  ): Target | undefined | Promise<Target | undefined> {
    if (seen[from].has(key)) {
      counts.total--;
      changed(label);
      return undefined;
    }
    seen[from].add(key);
    let resolving: Resolved | Promise<Resolved>;
    try {
      resolving = resolve();
    } catch (error) {
      return unresolved(label, source, error);
    }
    if (typeof (resolving as { then?: unknown } | undefined)?.then !== "function") {
      order++;
      return taken(label, source, resolving as Resolved, versioned);
    }
    return Promise.resolve(resolving).then((resolved) => {
      order++;
      return taken(label, source, resolved, versioned);
    }, (error) => unresolved(label, source, error));
  }

  // An item that could not be resolved: a failure, counted done.
  function unresolved(label: string, source: Source, error: unknown): undefined {
    fail(label, source, error);
    changed(label);
    order++;
    return undefined;
  }

  // A resolved item: a target, or `undefined` for another spelling of one taken.
  function taken(
    label: string,
    source: Source,
    resolved: Resolved,
    versioned: VersionedCache | undefined,
  ): Target | undefined {
    // Two spellings of one object (e.g. `/a.csv` and `/a.csv@1.0.0`, `S3://b/k`
    // and `s3://b/k`, `file://localhost/x` and `file:///x`) are one download,
    // when they pin the same content: a version that one manifest locks and
    // another does not (or locks otherwise) is checked against each lock, or
    // the unlocked item's download would stand for the locked one unchecked.
    // A plain URI of an object already taken with a pin (`/a.csv`, locked,
    // then its own `s3://…/a.1.0.0.csv`) is that item too: the checked
    // download serves it. (Another manifest's unlocked entry stays an item
    // of its own, fetched without the lock it does not have.)
    const pin = resolved.integrity;
    const object = sameObjectKey(resolved.uri);
    const same = object + (pin === undefined ? "" : `\0${pin.size}:${pin.sha256}`);
    if (uris.has(same) || (resolved.plainUri === true && uris.has(`${object}\0pinned`))) {
      counts.total--;
      changed(label);
      return undefined;
    }
    uris.add(same);
    if (pin !== undefined) uris.add(`${object}\0pinned`);
    const { uri, parsed, slashedUri, storeRoot, immutable, integrity } = resolved;
    const asset = resolved as VersionedAsset;
    const target: Target = { label, source, uri, immutable, order: order - 1 };
    if (parsed) target.parsed = parsed;
    if (slashedUri) target.slashedUri = slashedUri;
    if (storeRoot) target.storeRoot = storeRoot;
    if (integrity) target.integrity = integrity;
    if (versioned !== undefined && asset.version !== undefined) {
      target.version = { vc: versioned, path: asset.path, version: asset.version };
    }
    return target;
  }

  for (const { vc, assets } of manifests) {
    const manifest = vc.manifest;
    for (let i = 0; i < assets.length; i++) {
      const asset = assets[i]!;
      // Let each entry go once taken: the manifest's entries are not all
      // kept until the last one is done.
      assets[i] = null;
      // One path in two manifests may be two versions: two items, each
      // named with its manifest (the same version is one download, by URI).
      const target = item("manifest", `${manifest}\0${asset.path}`, asset.path, {
        file: manifest,
      }, () => {
        if ("error" in asset) throw asset.error;
        return asset;
      }, vc);
      const resolved = target instanceof Promise ? await target : target;
      if (resolved !== undefined) yield resolved;
    }
  }

  const first = options.versioned?.[0];
  // One list entry's target (or the promise of it, a versioned path's).
  const listTarget = (entry: string | PrefillListEntry) => {
    if (typeof entry !== "string" && typeof (entry as PrefillListEntry | null)?.item !== "string") {
      // A number or a URL object would fail as a TypeError naming nothing.
      throw new InvalidInputError(
        `prefill(): an item of uris must be a URI or versioned path string (or an entry of ` +
          `readListEntries), got ${describeValue(entry)}`,
      );
    }
    if (typeof listLength !== "number") counts.total++;
    const label = listItem(typeof entry === "string" ? entry : entry.item);
    const source: Source = typeof entry === "string" ? {} : { file: entry.file, line: entry.line };
    return item("list", label, label, source, () => {
      const parsed = parseItem(label);
      if (parsed.kind === "uri") {
        return { uri: parsed.uri, parsed: parsed.parsed, immutable: false, plainUri: true };
      }
      if (first === undefined) {
        throw new InvalidInputError(
          `${label} is a versioned path, but no manifest was given to resolve it: ` +
            NO_MANIFEST.option,
        );
      }
      return first.resolve(parsed.path, parsed.version);
    }, first);
  };
  const list = options.uris ?? [];
  // As `for await` tells them apart: by an async iterator method (none on an array).
  if ((list as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] != null) {
    for await (const entry of list as AsyncIterable<string | PrefillListEntry>) {
      const target = listTarget(entry);
      const resolved = target instanceof Promise ? await target : target;
      if (resolved !== undefined) yield resolved;
    }
  } else {
    // A list in memory (an array): iterated as it is, not through an
    // async-from-sync iterator (two promises per entry); an entry that is a
    // promise is still awaited, as `for await` would.
    for (const given of list as Iterable<string | PrefillListEntry>) {
      const entry: string | PrefillListEntry = isThenable(given) ? await given : given;
      const target = listTarget(entry);
      const resolved = target instanceof Promise ? await target : target;
      if (resolved !== undefined) yield resolved;
    }
  }
}

/**
 * What tells two URIs of one object apart from two objects: the URI as
 * `formatUri` writes it (a lower-case scheme; a `file://` URI's path
 * normalized, without `localhost`). One that does not parse is itself (its
 * download fails on its own).
 */
function sameObjectKey(uri: string): string {
  // How nearly every item is written, and already as formatUri writes it:
  // nothing to parse again on the cold path.
  if (uri.startsWith("s3://")) return uri;
  try {
    const parsed = parseUri(uri);
    return parsed.scheme === "local" ? uri : formatUri(parsed);
  } catch {
    return uri;
  }
}

async function assertLocalFile(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info?.isFile) throw new NotFoundError(`${path} does not exist or is not a file`);
}

/** What the `NotFoundError` of `target`, a version of a manifest, means (as `vc path` says it). */
function missingVersion(
  target: Target,
  { vc, path, version }: NonNullable<Target["version"]>,
  cause: NotFoundError,
): Promise<NotFoundError> {
  const asset: VersionedAsset = { path, uri: target.uri, version, immutable: target.immutable };
  if (target.slashedUri !== undefined) asset.slashedUri = target.slashedUri;
  if (target.storeRoot !== undefined) asset.storeRoot = target.storeRoot;
  if (target.integrity !== undefined) asset.integrity = target.integrity;
  return vc.missingVersionError(asset, cause);
}

/** The error's message and its kind (`NotFoundError`, `IntegrityError`, ...: `errorKind`). */
function failure(error: unknown): { error: string; errorName: ErrorKind } {
  const message = error instanceof Error ? error.message : String(error);
  // Too high a concurrency for the open-files limit (macOS's default soft
  // limit is 256) fails items with a bare OS error: say what to change. It
  // is vc's own limit, whatever call met it: no store's error (`StoreError`).
  if (outOfOpenFiles(error)) {
    return { error: `${message}${OUT_OF_FILES.option}`, errorName: "VcError" };
  }
  return { error: message, errorName: errorKind(error) };
}

/** Whether `error` or a cause says the process or system ran out of file descriptors. */
function outOfOpenFiles(error: unknown): boolean {
  return /too many open files|os error 2[34]\b/i.test(causeChain(error));
}

// Whether `value` is a promise or another thenable (awaited as `for await` awaits one).
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
