/**
 * The slow path of `AssetCache.cache`, run once per entry and flight: find
 * the entry (memory, then its record), revalidate it by ETag when it is not
 * fresh, check it against pinned content, and download it when there is no
 * usable copy.
 *
 * Loaded on the first flight: a warm process never parses it.
 *
 * @module
 */
import { statusOrUndefinedSync } from "../file_status.ts";
import {
  AccessDeniedError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  PreconditionFailedError,
  StoreNotFoundError,
} from "../errors.ts";
import { normalizeEtag, parseEtag } from "../hash.ts";
import { sharedTempPathFor } from "../atomic_write.ts";
import { deadline } from "../deadline.ts";
import { failureBeforeAbort } from "../store/retry.ts";
import { hasCause } from "../causes.ts";
import { retryReason } from "../store/retry_notice.ts";
import { dirname } from "../path.ts";
import type { DownloadIntegrity } from "../store/download.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { SETTLE_MS } from "../store/fs_validator.ts";
import { unverifiableReason } from "../verify.ts";
import { isWebPageType } from "../content_type.ts";
import { endpointName, goneError, isRefusedAnswer } from "./cache_errors.ts";
import { type EntryFetcher, isUnreachable, mayBeBeingWrittenAt } from "./entry_fetch.ts";
import { acquireEntryLock, lockHolder } from "./entry_lock.ts";
import { copyHoldsStatedMd5 } from "./copy_md5.ts";
import { type EntryIndex, type EntryRec, sameContent, sameVersion, toMeta } from "./entry_index.ts";
import { isFileOfItsOwn, isOwnDataFile } from "./entry_records.ts";
import { journalFileFor, lookupRecord } from "./record_journal.ts";
import type { EntryMeta } from "./entry_meta.ts";
import type { EntryLocation } from "./layout.ts";
import type { FlightContext } from "./single_flight.ts";
import { holdsPinnedContent } from "./pinned_content.ts";
import { CACHE_PRUNE_OR_RM } from "../command_words.ts";
import { validatedAgo } from "./validated_ago.ts";
import { clearUnanswered, noteUnanswered, unansweredNote } from "./silent_store.ts";

// After a failed revalidation, how long the cached copy is served before trying again.
const UNREACHABLE_RETRY_MS = 60_000;

/** Settings of an {@linkcode EntryResolver}. */
export interface EntryResolverOptions {
  /** When the store is unreachable during revalidation: serve the cached copy with a warning, or throw. */
  onUnreachable: "warn" | "fail";
  /** Receives warnings. */
  warn: (message: string) => void;
  /** The S3 endpoint entries are cached under (for messages). */
  endpoint: string | undefined;
  /**
   * How long a revalidation of a cached copy may ask the store, retries
   * included, before the copy is served as if the store were unreachable
   * (ms; 0: no deadline, the store's own timeouts and retries).
   */
  revalidateTimeoutMs: number;
}

/**
 * Resolves entries to verified local copies (the body of a cache flight).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EntryFetcher } from "./entry_fetch.ts";
 * import { EntryIndex } from "./entry_index.ts";
 * import { EntryResolver } from "./entry_resolve.ts";
 * import { CacheLayout } from "./layout.ts";
 * import { systemClock } from "../clock.ts";
 * import { openStore } from "../store/open.ts";
 * import { parseUri } from "../uri.ts";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${root}/x.txt`, "x");
 *   const layout = new CacheLayout(`${root}/cache`);
 *   const index = new EntryIndex(layout, {
 *     clock: systemClock,
 *     ttlMs: 1000,
 *     offline: false,
 *     immutableBuckets: [],
 *   });
 *   const fetcher = new EntryFetcher(index, {
 *     open: (uri) => openStore(uri),
 *     warn: () => {},
 *     lockWaitMs: 1000,
 *     maxDownloads: 4,
 *     endpoint: undefined,
 *     download: undefined,
 *   });
 *   const resolver = new EntryResolver(index, fetcher, {
 *     onUnreachable: "warn",
 *     warn: () => {},
 *     endpoint: undefined,
 *     revalidateTimeoutMs: 5000,
 *   });
 *   const parsed = parseUri(`file://${root}/x.txt`);
 *   assert(parsed.scheme === "file");
 *   const ctx = { signal: new AbortController().signal, progress: () => {} };
 *   const first = await resolver.resolve(layout.locate(parsed), false, ctx);
 *   const again = await resolver.resolve(layout.locate(parsed), false, ctx);
 *   assert(first === again); // fresh: served from memory, not downloaded again
 *   await fetcher.close();
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class EntryResolver {
  #index: EntryIndex;
  #fetcher: EntryFetcher;
  #options: EntryResolverOptions;
  /**
   * Stores a revalidation just found unreachable, until when, and why. While
   * one is, revalidations of its other entries serve their copies (with the
   * warning) without asking: a store that accepts connections and never
   * answers would otherwise cost every stale entry its own timeouts and
   * retries (a warm prefill of thousands: an hour, where the first answer
   * already said it all). Asked again after the wait, as one entry is.
   */
  #down = new WeakMap<ObjectStore, { until: number; why: string }>();

  /** No I/O. */
  constructor(index: EntryIndex, fetcher: EntryFetcher, options: EntryResolverOptions) {
    this.#index = index;
    this.#fetcher = fetcher;
    this.#options = options;
  }

  /**
   * A verified local copy of `loc`'s object: cached, revalidated or
   * downloaded. `missing`: the caller has just looked for the entry's record
   * and found none, so a cold miss does not read the journal again (the
   * download's lock looks for a copy another process completed meanwhile).
   */
  async resolve(
    loc: EntryLocation,
    immutable: boolean,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
    missing = false,
  ): Promise<EntryRec> {
    const index = this.#index;
    const now = index.clock.now();
    let rec = index.byPath(loc.dataPath);
    if (rec !== undefined) {
      // Known in memory: make sure nobody removed or changed the file behind our back.
      if (!isOwnDataFile(statusOrUndefinedSync(rec.path), rec)) {
        index.forget(rec.path);
        rec = undefined;
      } else {
        rec.checkedAt = now;
        // `invalidate` in another process marks the shared record; honour it
        // here too (one stat of the journal per entry per recheck interval),
        // at once: a new invalidation ends a wait after an unreachable store.
        // One this process already asked the store about stays pending (the
        // record still says 0) and waits like any failed revalidation.
        if (index.readRecord(rec.loc)?.meta.validatedAt === 0 && rec.validatedAt !== 0) {
          rec.validatedAt = 0;
          rec.retryAt = undefined;
          rec.staleReason = undefined;
          rec.warnedAt = undefined;
        }
      }
    }
    // Offline, no download's lock looks again: the caller's first look (which
    // trusts a journal found missing for two seconds) must not refuse a copy
    // another cache recorded since.
    if (rec === undefined && (!missing || index.offline)) rec = index.load(loc);
    if (rec === undefined) {
      // Changed in place (edited, touched, copied without its times): its
      // bytes decide, before anything is downloaded.
      const changed = index.takeChanged(loc);
      if (changed !== undefined) rec = await this.#recheck(loc, changed, ctx.signal);
    }
    if (
      rec === undefined && index.offline && (statusOrUndefinedSync(loc.dataPath)?.nlink ?? 1) > 1
    ) {
      // A refresh killed right before its commit leaves the recorded copy
      // with a second, temp name (keepCopy in entry_fetch.ts), which a
      // download's sweep removes: offline, nothing downloads, so sweep here.
      // So does one killed after it recorded its copy, before it removed
      // its lock file's second name: removed at once (see removeRecordedCommit).
      const { removeRecordedCommit, sweepDirectory } = await import("./debris.ts");
      const swept = sweepDirectory(dirname(loc.dataPath), dirname(loc.metaPath)) > 0;
      if (removeRecordedCommit(loc.dataPath, loc.journalPath, loc.recordName) || swept) {
        rec = index.load(loc);
      }
    }
    if (rec !== undefined) {
      if (rec.gone === true && index.offline) throw goneError(loc);
      if (!index.isFresh(rec, now, immutable)) {
        rec = await this.#revalidate(loc, rec, ctx, integrity);
      }
      // A use, revalidated or not (a download has just marked its copy).
      const at = index.clock.now();
      if (index.touchDue(rec, at)) await index.touch(rec, at);
      return await this.#pinned(loc, rec, ctx, integrity);
    }
    if (index.offline) {
      // A large download an earlier run left unfinished is said, with the
      // way to finish it: "not cached" alone read as if nothing were kept.
      const { keptPartial } = await import("./partial_download.ts");
      const kept = keptPartial(loc.dataPath);
      const { off } = index.offlineSwitch;
      const partial = kept === undefined ? undefined : await import("../progress.ts").then((
        { formatBytes },
      ) =>
        `a partial download of it is kept there (${formatBytes(kept.bytes)} of ` +
        `${formatBytes(kept.size)}): ${off} to finish it`
      );
      throw new OfflineError(
        `${loc.uri} is not cached (it would be at ${loc.dataPath}${
          notACopy(statusOrUndefinedSync(loc.dataPath), loc)
        }) and offline mode is on (${index.offlineSwitch.on}` +
          (partial === undefined ? `; ${off} to download it)` : `); ${partial}`),
      );
    }
    const got = await this.#fetcher.fetch(loc, undefined, ctx, integrity);
    // Found under the download's lock, validated before this call: a copy
    // the lock's sweep put back (a refresh killed after its commit: see
    // restoreKeptCopy in debris.ts) is the old version, asked about as its
    // TTL says, never served unasked. One another process downloaded while
    // this call waited is fresh.
    if (got.validatedAt < now && !index.isFresh(got, index.clock.now(), immutable)) {
      return await this.#revalidate(loc, got, ctx, integrity);
    }
    return got;
  }

  /**
   * A copy whose data file is not the one its record describes (another
   * modification time or size) is checked against the record's checksums.
   * Intact (touched, or a cache copied without its times), the record takes
   * the file's time and the copy is served, with no download: also offline,
   * with the store unreachable, or in a read-only cache. Otherwise, offline,
   * an `IntegrityError` names it; online, undefined (downloaded again).
   */
  async #recheck(
    loc: EntryLocation,
    meta: EntryMeta,
    signal: AbortSignal,
  ): Promise<EntryRec | undefined> {
    const index = this.#index;
    const path = loc.dataPath;
    const before = statusOrUndefinedSync(path);
    let problem: string | undefined;
    // Only its time changed, and nothing can tell whether its bytes did.
    let unknown = false;
    if (!isFileOfItsOwn(before)) {
      problem = "it is no longer a file of its own";
    } else if (before.size !== meta.size) {
      problem = `its size is ${before.size}, the record's ${meta.size}`;
    } else if (
      meta.md5 === undefined && meta.sha256 === undefined && meta.partSizes === undefined &&
      meta.checksum === undefined &&
      (meta.opaqueEtag === true || parseEtag(meta.etag).kind === "opaque")
    ) {
      problem = "its record has no checksum to check its bytes against: an SSE-KMS or SSE-C " +
        "object, or one uploaded without vc-md5";
      unknown = true;
    } else {
      const { problemWithCopy } = await import("./record_check.ts");
      // Stopped by the caller's abort (seconds a GB): no finding, the copy stays.
      problem = await problemWithCopy(path, meta, { signal }).catch((e) => {
        if (signal.aborted) throw e;
        return `cannot read it: ${e}`;
      });
    }
    const after = statusOrUndefinedSync(path);
    const mtime = after?.mtime?.getTime();
    if (
      problem === undefined &&
      (mtime === undefined || before?.mtime?.getTime() !== mtime || !isFileOfItsOwn(after) ||
        after.size !== meta.size)
    ) problem = "it changed again while it was checked";
    if (problem !== undefined) {
      const what = `the cached copy of ${loc.uri} at ${path} ${
        unknown
          ? "may have changed since it was downloaded (its modification time did;"
          : "was changed after it was downloaded ("
      }${problem.replace(`${path}: `, "")})`;
      if (index.offline) {
        throw new IntegrityError(
          `${what}, and offline mode cannot download it again (${index.offlineSwitch.on}; ` +
            `${index.offlineSwitch.off})`,
        );
      }
      this.#options.warn(`vc: ${what}; downloading it again`);
      return undefined;
    }
    const checked = { ...meta, mtime: mtime! };
    try {
      index.writeRecord(loc, checked);
    } catch {
      // A read-only cache: the check is repeated by the next process.
    }
    return index.adopt(loc, checked, after!);
  }

  /**
   * A cached copy about to be served for a read with pinned content: checked
   * once (its SHA-256 then recorded); one that is not the pinned content is
   * downloaded again, verified.
   */
  async #pinned(
    loc: EntryLocation,
    rec: EntryRec,
    ctx: FlightContext,
    integrity: DownloadIntegrity | undefined,
  ): Promise<EntryRec> {
    if (integrity === undefined || holdsPinnedContent(rec, integrity)) return rec;
    const { sha256File } = await import("../hash.ts");
    const sha256 = rec.size === integrity.size
      ? await sha256File(rec.path, { signal: ctx.signal })
      : undefined;
    if (sha256 === integrity.sha256) {
      rec.sha256 = sha256;
      try {
        this.#index.saveRec(rec);
      } catch {
        // A read-only cache: the check is repeated by the next process.
      }
      return rec;
    }
    const pinned = `${
      integrity.label ?? "the lock file"
    } pins ${integrity.size} bytes with SHA-256 ${integrity.sha256}`;
    if (this.#index.offline) {
      throw new IntegrityError(
        `cached copy ${rec.path} of ${loc.uri} is not the pinned content (${pinned}) and offline mode cannot download it again`,
      );
    }
    this.#index.forget(rec.path);
    return await this.#fetcher.fetch(loc, undefined, ctx, integrity);
  }

  async #revalidate(
    loc: EntryLocation,
    rec: EntryRec,
    ctx: FlightContext,
    integrity?: DownloadIntegrity,
  ): Promise<EntryRec> {
    const index = this.#index;
    const now = index.clock.now();
    if (await this.#unchanged(loc, rec, ctx)) {
      return (await this.#confirmed(rec, now)) ??
        await this.#fetcher.fetch(loc, undefined, ctx, integrity);
    }
    let head: ObjectInfo | undefined;
    let found: ObjectInfo | "empty" | undefined;
    let asked: ObjectStore | undefined;
    // Why the store is not asked (it did not answer just before): said once
    // out of the try below, whose catch would take a refusal thrown in it
    // (`onUnreachable: "fail"`) for one more unreachable store, said twice.
    let notAsked: string | undefined;
    // An answer the store refused for its form (see below).
    let refused: IntegrityError | undefined;
    // Why the GET after a HEAD's 404 found nothing, when the whole store is gone.
    const missing: { store?: StoreNotFoundError } = {};
    const limit = this.#deadline(loc, rec, ctx.signal);
    const signal = limit.signal;
    const started = index.elapsed();
    try {
      const { store, key, source } = await this.#fetcher.storeFor(loc);
      // Not for an invalidated entry (`invalidate` asks for a full check),
      // nor for one recorded as deleted (only the store's answer serves it).
      const mayWait = rec.validatedAt !== 0 && rec.gone !== true;
      const down = mayWait ? this.#down.get(store) : undefined;
      if (down !== undefined && index.elapsed() < down.until) {
        notAsked = down.why;
      } else if (mayWait && this.#options.onUnreachable === "warn") {
        // Another process found this bucket silent a moment ago, waiting as
        // long as this one would: its minute holds here too (not for a
        // caller that would rather fail: it asks).
        const patience = this.#options.revalidateTimeoutMs || Infinity;
        notAsked = unansweredNote(
          index.layout,
          loc,
          index.clock.now(),
          this.#retryWait(),
          patience,
        );
      }
      if (notAsked === undefined) {
        asked = store;
        // A HEAD's answer has no body to tell S3's 404, 403 or redirect from
        // a captive portal's or a proxy's page: before a good copy is recorded
        // as deleted (and then refused offline too), or refused, a GET of its
        // first byte must say so as well; a web page there is no answer of the
        // store (unreachable: the copy is served).
        try {
          head = await this.#fetcher.reportingHashes(
            source,
            ctx.progress,
            () => store.head(key, { signal }),
          );
        } catch (e) {
          if (signal.aborted || await isUnreachable(e)) throw e;
          // Refused for its form (a Last-Modified that is no date, a size no
          // object has: a broken server or a proxy): an answer that cannot
          // be checked, as one without an ETag below, not a reason to fail
          // with a good copy at hand.
          if (!(e instanceof IntegrityError)) {
            await existsAfterAll(store, key, signal);
            throw e;
          }
          refused = e;
        }
        if (head === undefined && refused === undefined) {
          found = await existsAfterAll(store, key, signal, missing);
        }
      }
    } catch (caught) {
      // Past the deadline, whatever the store call threw (an AbortError, a
      // half-read answer) stands for "no answer in time".
      const e = !ctx.signal.aborted && limit.expired() ? limit.reason() : caught;
      if (ctx.signal.aborted) throw e;
      if (e instanceof AccessDeniedError) throw this.#refused(loc, rec, e);
      if (!(await isUnreachable(e))) throw e;
      const answered = storeAnswered(e);
      if (asked !== undefined) {
        const why = `not asked: it ${
          answered ? "answered" : "did not answer"
        } for ${loc.uri} just before: ${(e as Error).message}`;
        this.#down.set(asked, { until: index.elapsed() + this.#retryWait(), why });
        // Said to other processes too: each would wait for it as long.
        if (!answered && this.#retryWait() > 0) {
          const waited = index.elapsed() - started;
          noteUnanswered(index.layout, loc, index.clock.now(), (e as Error).message, waited);
        }
      }
      return this.#unreachable(loc, rec, e, answered ? "cannot revalidate" : undefined);
    } finally {
      limit.cancel();
    }
    if (notAsked !== undefined) return this.#unreachable(loc, rec, new OfflineError(notAsked));
    this.#down.delete(asked!);
    clearUnanswered(index.layout, loc); // it answered: no process is to wait for it now
    if (refused !== undefined) {
      const error = new OfflineError(
        `the store's answer to HEAD ${loc.uri} was refused (${
          endpointName(this.#options.endpoint)
        }): ${refused.message}`,
        { cause: refused },
      );
      return this.#unreachable(loc, rec, error, "cannot revalidate");
    }
    // HEAD said 404, and a GET found it: the copy stands if it is that
    // version, else the new one is downloaded (an empty one: downloaded).
    if (found !== undefined) {
      head = found === "empty" ? undefined : found;
      if (head === undefined) {
        return await this.#fetchOrServe(loc, rec, undefined, ctx, integrity);
      }
    }
    if (head === undefined) throw this.#gone(loc, rec, now, missing.store);
    const unverifiable = uncheckableAnswer(loc.uri, head, this.#options.endpoint);
    if (unverifiable !== undefined) {
      // Not an S3 answer (a proxy, a captive portal): never replace the good
      // copy with what cannot be verified; treat the store as unreachable.
      // The store did answer: say what was wrong with the answer, not that
      // it could not be reached.
      const error = new OfflineError(
        `${unverifiable}, and vc never replaces a copy with bytes it cannot verify`,
      );
      return this.#unreachable(loc, rec, error, "cannot revalidate");
    }
    if (sameVersion(head, rec)) {
      // The state this answer is of, for the next revalidation (or none).
      rec.validator = head.validator;
      return (await this.#confirmedBy(loc, rec, head, now)) ??
        await this.#fetcher.fetch(loc, head, ctx, integrity);
    }
    // A copy checked by its parts has no MD5 recorded: read from the disk
    // when the new answer states one (see copy_md5.ts).
    const md5 = sameContent(head, rec) ? rec.md5 : await copyHoldsStatedMd5(rec, head, ctx.signal);
    if (md5 !== undefined) {
      // Another ETag for the bytes the copy holds (a bucket moved to
      // SSE-KMS, a file uploaded again in parts or in one piece): the copy
      // is that version, recorded under its ETag; nothing to download. Its
      // part sizes were of the old ETag; its MD5 (and SHA-256) are of the
      // bytes and stay.
      rec.md5 = md5;
      rec.etag = normalizeEtag(head.etag);
      rec.opaqueEtag = head.opaqueEtag === true ? true : undefined;
      rec.partSizes = undefined;
      rec.validator = head.validator;
      return (await this.#confirmedBy(loc, rec, head, now)) ??
        await this.#fetcher.fetch(loc, head, ctx, integrity);
    }
    return await this.#fetchOrServe(loc, rec, head, ctx, integrity);
  }

  /**
   * {@linkcode #confirmed} of `rec` by the store's answer `head` at `now`
   * (the bytes it holds), marked unsettled when `head` is of a file that may
   * still be written. The same bytes as at the first look
   * {@linkcode SETTLE_MS} or more before settle it whatever the file's date:
   * one dated ahead (a share whose clock is ahead) reads as "changed moments
   * ago" until that date, and would be asked about, and hashed whole, at
   * every use. Still unsettled, it keeps the time of that first look.
   */
  async #confirmedBy(
    loc: EntryLocation,
    rec: EntryRec,
    head: ObjectInfo,
    now: number,
  ): Promise<EntryRec | undefined> {
    const first = rec.validatedAt;
    const looked = first !== 0 && first <= now;
    const quiet = looked && now - first >= SETTLE_MS;
    rec.unsettled = (!quiet && mayBeBeingWrittenAt(loc.storeRoot, head)) || undefined;
    return await this.#confirmed(rec, rec.unsettled && looked ? first : now);
  }

  /**
   * Whether the store vouches, without reading the content, that the source
   * is still in the state `rec`'s ETag is of: its validator (a `file://`
   * source's stat, see `ObjectStore.validator`) is the recorded one. Not
   * for an invalidated entry (`invalidate` asks for a full check), nor when
   * the store cannot say; then `head` decides, as for any store.
   */
  async #unchanged(loc: EntryLocation, rec: EntryRec, ctx: FlightContext): Promise<boolean> {
    if (rec.validator === undefined || rec.validatedAt === 0 || rec.gone === true) return false;
    try {
      const { store, key } = await this.#fetcher.storeFor(loc);
      if (store.validator === undefined) return false;
      return await store.validator(key, { signal: ctx.signal }) === rec.validator;
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      return false; // the head that follows reports what is wrong
    }
  }

  /**
   * `rec` confirmed by the store as the current version at `now`, recorded;
   * undefined (nothing recorded) when its copy went while the store was
   * asked (a `vc cache prune` or `rm` in another process, or replaced by
   * another process's download): a record written then would describe data
   * that is not there, and the path returned would not exist. The caller
   * then downloads it (under the entry's lock, which takes another
   * process's completed copy instead).
   */
  async #confirmed(rec: EntryRec, now: number): Promise<EntryRec | undefined> {
    // Under the entry's lock, which every writer of its data and record
    // holds (a download, prune, rm, verify): looked at and recorded outside
    // it, a copy another process removed or replaced between the look and
    // the record would get this (old) record back, a record without data or
    // of another version. Held by another process (a download right now):
    // the caller's download waits for it and takes its copy.
    let lock;
    try {
      lock = await acquireEntryLock(rec.path, { timeout: 0, keepPartial: true });
    } catch (e) {
      if ((e as Error | undefined)?.name === "LockTimeoutError") {
        this.#index.forget(rec.path);
        return undefined;
      }
      // No lock here (a read-only cache dir): nothing is recorded there anyway.
    }
    try {
      return this.#confirmedLocked(rec, now);
    } finally {
      lock?.release();
    }
  }

  /** {@linkcode #confirmed} once the entry's lock is held. */
  #confirmedLocked(rec: EntryRec, now: number): EntryRec | undefined {
    if (!stillCached(rec)) {
      this.#index.forget(rec.path);
      return undefined;
    }
    rec.validatedAt = now;
    rec.retryAt = undefined;
    rec.staleReason = undefined;
    rec.warnedAt = undefined;
    rec.gone = false;
    // A read-only cache dir still works.
    try {
      this.#index.saveRec(rec);
    } catch {
      // Not persisted; the check is just repeated by the next process.
    }
    return rec;
  }

  /**
   * The deadline of a revalidation of `rec`'s copy (see
   * {@linkcode revalidationDeadline}). A cached copy is there to serve: a
   * store that accepts connections and never answers (a train's dead Wi-Fi)
   * must not hold it back for every attempt's request timeout (5 × 60 s), as
   * it may a cold download. None when nothing would be served
   * (`onUnreachable: "fail"`, a copy recorded as deleted): then the store's
   * answer is all there is to wait for.
   */
  #deadline(loc: EntryLocation, rec: EntryRec, outer: AbortSignal): RevalidationDeadline {
    const servable = this.#options.onUnreachable === "warn" && rec.gone !== true;
    return revalidationDeadline(
      outer,
      servable ? this.#options.revalidateTimeoutMs : 0,
      loc,
      this.#options.endpoint,
    );
  }

  /**
   * Downloads the entry's new version; with the store unreachable, serves
   * `rec` (a warning). The revalidation's deadline holds until the first
   * byte of the new version (or of a hash of a `file://` source) arrives: a
   * store that answered the HEAD and then stalls on the GET would otherwise
   * hold the copy back for every attempt's request timeout. A download
   * under way is never cut short.
   */
  async #fetchOrServe(
    loc: EntryLocation,
    rec: EntryRec,
    head: ObjectInfo | undefined,
    ctx: FlightContext,
    integrity: DownloadIntegrity | undefined,
  ): Promise<EntryRec> {
    const limit = this.#deadline(loc, rec, ctx.signal);
    // Whether it waits for another process's download of the entry (its lock).
    let waiting = false;
    const bounded: FlightContext = {
      signal: limit.signal,
      progress: (p) => {
        limit.cancel();
        ctx.progress(p);
      },
      lockWait: (w) => {
        waiting = w;
      },
    };
    if (limit.ms > 0) {
      bounded.lockWaitEnd = {
        ms: limit.ms,
        then: `serving the cached copy if it takes past the revalidation wait of ${
          limit.ms / 1000
        } s (VC_REVALIDATE_TIMEOUT, the revalidateTimeout option)`,
      };
    }
    try {
      return await this.#fetcher.fetch(loc, head, bounded, integrity);
    } catch (caught) {
      const expired = !ctx.signal.aborted && limit.expired();
      // The store answered; another process was still downloading the new
      // version when the wait ran out: said as such, not "no answer from" the
      // store, which sent users checking the network and the endpoint.
      if (expired && waiting) {
        return this.#unreachable(
          loc,
          rec,
          limit.waitedFor(lockHolder(sharedTempPathFor(loc.dataPath))),
          "did not wait longer for the new version of",
        );
      }
      const e = expired ? limit.reason() : caught;
      // Deleted since the store's answer that it is there (a lifecycle rule,
      // a delete and put that lost its put): the GET's 404 is the store's
      // last word, recorded as a HEAD's confirmed 404 is, not a cold miss's
      // "it would be cached at" a path that holds a copy.
      if (e instanceof NotFoundError && !ctx.signal.aborted) {
        throw this.#gone(
          loc,
          rec,
          this.#index.clock.now(),
          e instanceof StoreNotFoundError ? e : undefined,
        );
      }
      // Refused between the HEAD and the GET (credentials expired or
      // revoked, a policy changed): said as a refused HEAD is, with what
      // becomes of the copy, not as the GET's bare refusal.
      if (e instanceof AccessDeniedError && !ctx.signal.aborted) {
        throw this.#refused(
          loc,
          rec,
          e,
          head === undefined ? undefined : "cannot download the new version the store has of",
        );
      }
      // The store answered the HEAD with a new version, and what answered
      // its GET had nothing to verify it by (a captive portal's or a proxy's
      // page, 200 and no ETag): not the store's answer, as it would be for
      // the HEAD, so the good copy is served, never failed for it.
      const refusedGet = head !== undefined && isRefusedAnswer(e);
      // The new version kept changing while it was downloaded (rewritten
      // again after the download started over once): no version to take
      // yet, and the good copy is served as for any new version that cannot
      // be downloaded, never failed for it; the next revalidation asks again.
      const changing = head !== undefined && e instanceof PreconditionFailedError;
      if (ctx.signal.aborted || !(refusedGet || changing || await isUnreachable(e))) throw e;
      // The store answered the HEAD with a new version: it was reached (a
      // proxy cutting bodies short, a reset on every GET), and "cannot
      // reach" sent users checking the network and the endpoint.
      const failed = head !== undefined
        ? "cannot download the new version the store has of"
        : storeAnswered(e)
        ? "cannot revalidate"
        : undefined;
      return this.#unreachable(loc, rec, e, failed);
    } finally {
      limit.cancel();
    }
  }

  /**
   * The error for `rec`'s object, which the store says is deleted; the copy
   * recorded as gone first, so the next process does not serve it as fresh
   * either (unless the copy went meanwhile: no record for data that is not).
   */
  #gone(
    loc: EntryLocation,
    rec: EntryRec,
    now: number,
    storeGone?: StoreNotFoundError,
  ): NotFoundError {
    this.#index.forget(rec.path);
    if (rec.gone !== true && stillCached(rec)) {
      try {
        this.#index.saveRec(rec, { ...toMeta(rec), validatedAt: now, gone: true });
      } catch {
        // A read-only cache: this process still refuses it.
      }
    }
    return goneError(loc, storeGone);
  }

  /**
   * The store refused a revalidation (401, 403; its HEAD, or the GET of
   * the new version the HEAD announced: `failed` says which): its error, saying what
   * becomes of the cached copy, which the bare refusal did not (kept on
   * disk, not recorded as deleted, not served while the store refuses), and
   * that S3 refuses so also a key that no longer exists when the
   * credentials may not list the bucket.
   */
  #refused(
    loc: EntryLocation,
    rec: EntryRec,
    error: AccessDeniedError,
    failed = "cannot revalidate",
  ): AccessDeniedError {
    if (rec.gone === true || !stillCached(rec)) return error;
    // (Said once: the store's own refusal of a GET or HEAD says it already.)
    const s3 = loc.uri.startsWith("s3:") && !error.message.includes("s3:ListBucket")
      ? " (S3 answers 403 also for a key that no longer exists when the credentials may not " +
        "list the bucket: no s3:ListBucket)"
      : "";
    return new AccessDeniedError(
      `${error.message}; ${failed} ${loc.uri}${s3}: the cached copy at ${loc.dataPath} (${
        validatedAgo(rec.validatedAt, this.#index.clock.now())
      }) is kept but not served while the store refuses; offline mode serves it ` +
        `(${this.#index.offlineSwitch.how})`,
      { cause: error },
    );
  }

  #unreachable(
    loc: EntryLocation,
    rec: EntryRec,
    error: unknown,
    failed: string = "cannot reach the store to revalidate",
  ): EntryRec {
    const reason = error instanceof Error ? error.message : String(error);
    // The store's last answer was that the object is deleted: its copy is
    // not served while the store cannot say otherwise (as offline).
    if (rec.gone === true) {
      const gone = goneError(loc);
      throw new NotFoundError(
        `${gone.message}; the store cannot be reached to check again (${reason})`,
        { cause: error },
      );
    }
    // Replaced while the store was asked: another process's refresh put a
    // newer verified copy in place (while this one's download of a still
    // newer version failed, or waited for that process's lock past the
    // revalidation wait). That copy is served as this one would have been.
    if (!stillCached(rec)) {
      this.#index.forget(rec.path);
      const current = this.#index.load(loc);
      if (current !== undefined && current.gone !== true) rec = current;
    }
    // Removed while the store was asked (a prune, an rm): nothing to serve.
    if (!stillCached(rec)) {
      this.#index.forget(rec.path);
      throw new OfflineError(
        `${failed} ${loc.uri}, and its cached copy at ${loc.dataPath} ` +
          `was removed meanwhile (by another process: ${CACHE_PRUNE_OR_RM.library}): ${reason}`,
        { cause: error },
      );
    }
    if (this.#options.onUnreachable === "fail") {
      throw new OfflineError(
        `${failed} ${loc.uri} (cached at ${loc.dataPath}): ${reason}`,
        { cause: error },
      );
    }
    // Once a minute for an entry: with a TTL under the wait below (0:
    // every call revalidates), each call asks again, and would say it again.
    const at = this.#index.elapsed();
    if (
      rec.warnedAt === undefined || at - rec.warnedAt >= UNREACHABLE_RETRY_MS || at < rec.warnedAt
    ) {
      rec.warnedAt = at;
      this.#options.warn(
        `vc: ${failed} ${loc.uri}; serving the cached copy at ${loc.dataPath}, ${
          validatedAgo(rec.validatedAt, this.#index.clock.now())
        } (${reason})`,
      );
    }
    // Serve the cached copy for a while (at most the TTL) before asking the
    // store again, or every call would ask (and warn) again: whatever made it
    // stale. Memory only, and the record is left as it is: a copy past its
    // TTL, one validated "in the future" (clock skew, a restored cache) and
    // one invalidated (`invalidate`, even of an immutable bucket) all stay
    // to be revalidated, and are asked about again after the wait, here and
    // by any other process, until the store answers.
    rec.retryAt = this.#index.elapsed() + this.#retryWait();
    rec.staleReason = reason;
    return rec;
  }

  /** How long a copy is served after the store could not be reached: at most the TTL. */
  #retryWait(): number {
    return Math.min(this.#index.ttlMs, UNREACHABLE_RETRY_MS);
  }
}

/**
 * Why the store's HEAD answer `head` for `uri` cannot be compared with a
 * cached copy (no ETag, a weak one that is no MD5, and nothing else to
 * verify by: a proxy or an S3-compatible server that drops them; a web
 * page, a captive portal's), naming the endpoint; undefined when it can. A revalidation then keeps the copy,
 * and `ls --check-remote` says REMOTE unknown, not outdated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uncheckableAnswer } from "./entry_resolve.ts";
 * const info = { key: "k", size: 1, etag: "", lastModified: new Date(0) };
 * assert.match(uncheckableAnswer("s3://b/k", info, undefined)!, /no ETag/);
 * assert.match(uncheckableAnswer("s3://b/k", { ...info, contentType: "text/html" }, undefined)!, /captive portal/);
 * assert.equal(uncheckableAnswer("s3://b/k", { ...info, etag: "0cc175b9c0f1b6a831c399e269772661" }, undefined), undefined);
 * ```
 */
export function uncheckableAnswer(
  uri: string,
  head: ObjectInfo,
  endpoint: string | undefined,
): string | undefined {
  const reason = unverifiableReason(head);
  if (reason === undefined) return undefined;
  // A web page with nothing to check it by: a captive portal's or a proxy's
  // own page (its 302, 403 or 404 pages are named so too), not a store's.
  const suspect = isWebPageType(head.contentType ?? null)
    ? `the answer is a web page (${
      head.contentType!.trim().slice(0, 60)
    }): a captive portal or a proxy answering for S3?`
    : "a proxy or S3-compatible server that drops ETags?";
  return `the store's answer to HEAD ${uri} cannot be checked: ${reason} (${
    endpointName(endpoint)
  }; ${suspect})`;
}

/** What {@linkcode revalidationDeadline} returns. */
export interface RevalidationDeadline {
  /** For the requests: aborted by the caller's signal or at the deadline. */
  signal: AbortSignal;
  /** Whether the deadline has passed. */
  expired: () => boolean;
  /** The wait (ms; 0: none). */
  ms: number;
  /** Why the deadline aborted the requests. */
  reason: () => OfflineError;
  /** Why, when it stopped a wait for `holder`'s download of the entry (e.g. "process 123"). */
  waitedFor: (holder: string) => OfflineError;
  /** Ends the deadline (once the store answered, or when done). */
  cancel: () => void;
}

/**
 * A signal for a revalidation's requests: `outer`'s, and aborted `ms` from
 * now (never when `ms` is 0) with an `OfflineError` saying the store of
 * `loc` (its S3 `endpoint`, or its `file://` root) gave no answer in time,
 * which the caller takes for an unreachable store. `cancel` when done:
 * the deadline then never fires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { revalidationDeadline } from "./entry_resolve.ts";
 * const loc = { uri: "s3://b/k.csv", storeRoot: "s3://b" };
 * const limit = revalidationDeadline(new AbortController().signal, 0, loc, undefined);
 * assert.equal(limit.expired(), false);
 * limit.cancel();
 * ```
 */
export function revalidationDeadline(
  outer: AbortSignal,
  ms: number,
  loc: Pick<EntryLocation, "uri" | "storeRoot">,
  endpoint: string | undefined,
): RevalidationDeadline {
  const store = loc.uri.startsWith("s3:") ? endpointName(endpoint) : loc.storeRoot;
  const reason = () =>
    new OfflineError(
      `no answer from ${store} within ${
        ms / 1000
      } s (the revalidation wait: VC_REVALIDATE_TIMEOUT, the revalidateTimeout option)`,
    );
  const waitedFor = (holder: string) =>
    new OfflineError(
      `${holder} was still downloading it after ${
        ms / 1000
      } s (the revalidation wait: VC_REVALIDATE_TIMEOUT, the revalidateTimeout option)`,
    );
  if (ms <= 0) {
    return { signal: outer, ms: 0, expired: () => false, reason, waitedFor, cancel: () => {} };
  }
  const timer = new AbortController();
  const cancel = deadline(ms, () => timer.abort(reason()));
  return {
    signal: AbortSignal.any([outer, timer.signal]),
    ms,
    expired: () => timer.signal.aborted,
    reason: () => answeredReason(timer.signal.reason as OfflineError, store, ms),
    waitedFor,
    cancel,
  };
}

// Deadline errors of a store that answered (see answeredReason): not "cannot reach".
const answeredInTime = new WeakSet<object>();

/**
 * Whether the store answered the failed call, in time (see answeredReason) or
 * with an HTTP status on each attempt (a 500 InternalError, a gateway's 502):
 * said as `cannot revalidate` and what it answered, never as a store that
 * could not be reached, nor noted for other processes as one that is silent.
 */
function storeAnswered(e: unknown): boolean {
  return answeredInTime.has(e as object) ||
    hasCause(e, (c) => typeof (c as { status?: unknown }).status === "number");
}

/**
 * The deadline's `reason`, or, when it stopped a retry's wait, an error
 * saying what the store answered (a `503 SlowDown` whose `Retry-After` asks
 * for longer than the revalidation wait): the store was reached and answered
 * at once, which "no answer within" would deny, sending users to check the
 * network and the endpoint.
 */
function answeredReason(reason: OfflineError, store: string, ms: number): OfflineError {
  const stopped = failureBeforeAbort(reason);
  if (stopped === undefined) return reason;
  const error = new OfflineError(
    `${retryReason(stopped.error)}, and asked again only after ${
      Math.ceil(stopped.delayMs / 1000)
    } s (${store}): past the revalidation wait of ${
      ms / 1000
    } s (VC_REVALIDATE_TIMEOUT, the revalidateTimeout option)`,
    { cause: stopped.error },
  );
  answeredInTime.add(error);
  return error;
}

/**
 * Whether `rec`'s data file is still the copy it describes: not removed or
 * replaced by another process (a prune, an rm, a download) since it was
 * looked at.
 */
function stillCached(rec: EntryRec): boolean {
  return isOwnDataFile(statusOrUndefinedSync(rec.path), rec);
}

/** What is at an entry's data path instead of a copy, for a message ("" when nothing is). */
function notACopy(stat: Deno.FileInfo | undefined, loc: EntryLocation): string {
  if (stat === undefined) return "";
  if (stat.isDirectory) return ", where a directory is";
  if (stat.isSymlink) return ", where a symbolic link is";
  if (!stat.isFile) return ", where something other than a file is";
  if ((stat.nlink ?? 1) > 1) return ", where a file with another name (a hard link) is";
  // A record line that is there and does not parse (bit rot, a hand edit, a
  // line of another vc version) is no missing record: "no record" sent users
  // looking for one that was there.
  const found = lookupRecord(loc.journalPath, loc.recordName);
  if (found.kind === "record" && found.meta === undefined) {
    return `, where a copy is whose record in ${
      journalFileFor(loc.journalPath, loc.recordName)
    } cannot be read (damaged, or written by another version of vc), so its bytes cannot be checked`;
  }
  if (found.kind === "record" && found.meta !== undefined && found.meta.uri !== loc.uri) {
    return `, where a copy is whose record names another URI, ${found.meta.uri}`;
  }
  return ", where a file with no record for it is";
}

/**
 * After a HEAD said 404: the object's description when a ranged GET of its
 * first byte finds it after all, `undefined` when that confirms it is gone
 * (S3's own NoSuchKey; `missing.store` set when the store said the whole
 * store is: S3's NoSuchBucket), `"empty"` for an object with no first byte (416).
 * Any other answer throws: a web page in place of S3's XML is a
 * `StoreError` without a status, so the caller takes the store for
 * unreachable and serves the cached copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { existsAfterAll } from "./entry_resolve.ts";
 * await using store = new MemoryStore();
 * await store.put("a.txt", new TextEncoder().encode("a"));
 * const signal = new AbortController().signal;
 * assert.equal((await existsAfterAll(store, "a.txt", signal) as { size: number }).size, 1);
 * assert.equal(await existsAfterAll(store, "gone.txt", signal), undefined);
 * ```
 */
export async function existsAfterAll(
  store: ObjectStore,
  key: string,
  signal: AbortSignal,
  missing?: { store?: StoreNotFoundError },
): Promise<ObjectInfo | "empty" | undefined> {
  try {
    const { info, body, bytes } = await store.get(key, { range: { start: 0, end: 0 }, signal });
    if (bytes === undefined) await body.cancel();
    return info;
  } catch (e) {
    if (e instanceof NotFoundError) {
      if (e instanceof StoreNotFoundError && missing !== undefined) missing.store = e;
      return undefined;
    }
    if (e instanceof InvalidInputError && /not satisfiable/.test(e.message)) return "empty";
    throw e;
  }
}
