/**
 * Cache entries in an {@linkcode ObjectStore}, with no state in the process:
 *
 * - `meta/<id>.json`: a small metadata object (owner token_id, filename,
 *   content type, expiry, size, the key of the data object). Refreshing the
 *   expiry rewrites only this object, never the file's bytes.
 * - `data/<id>/<random>`: the file. Every upload goes to a fresh key, then
 *   the metadata object is switched to it with compare-and-swap, then the old
 *   data is deleted. A reader sees the old file or the new one; an upload that
 *   is cut off never reaches the switch, so the previous file (or the
 *   placeholder) stays and nothing partial is visible.
 * - `usage/<sha256(token_id)>.json`: bytes stored per identity, kept when a
 *   quota is configured (see {@linkcode UsageCounter}).
 *
 * The process remembers the metadata it last wrote or read for recent IDs
 * (bounded). That is only ever a hint, never an answer: an upload after
 * `POST /v1/cache_id` switches the entry with If-Match on the version it
 * wrote, without reading it again (when another process changed the entry
 * meanwhile, the write fails and the entry is read afresh); a download asks
 * for the known data while it reads the metadata, and serves it only if the
 * fresh metadata points at it. Downloads, deletes and quota checks always
 * read the metadata from the store.
 *
 * @module
 */
import { reportingCallback, thrownText, withCallbackGuard } from "../callback.ts";
import { lineOnStderr } from "../warning_line.ts";
import { abortStaleUploads } from "../store/stale_uploads.ts";
import { mapLimit } from "../pool.ts";
import { type Clock, systemClock } from "../clock.ts";
import {
  AccessDeniedError,
  isMissingKey,
  OfflineError,
  PreconditionFailedError,
  SmallObjectDamagedError,
  StoreError,
} from "../errors.ts";
import { Md5 } from "../hash.ts";
import { isNoSpaceError } from "../no_space.ts";
import { hasCause } from "../causes.ts";
import { isStoreUnavailable } from "../store/retry.ts";
import type { GetOptions, GetResult, ObjectStore, PutOptions, PutResult } from "../store/types.ts";
import { requireStore } from "../store/store_check.ts";
import { checkNonNegativeNumber, checkOptions, type OptionNames } from "../options_check.ts";
import { readSmallObjectText } from "../store/small_object.ts";
import { sameUserOtherAuthUrl } from "./auth.ts";
import { cacheIdNotFound, HttpError } from "./http_error.ts";
import { PLACEHOLDER } from "./upload_fields.ts";
import { displayName, USAGE_PREFIX, UsageCounter } from "./quota.ts";
import { CLOCK_MARGIN_MS } from "../clock_margin.ts";
import { spanText } from "./store_clock.ts";

/** Orphaned data objects a sweep re-checks and claims at once. */
const ORPHAN_CLAIMS_AT_ONCE = 8;

/** The data keys the service writes, `data/<cache id>/<uuid>` (see `upload`). */
const SERVICE_DATA_KEY =
  /^data\/[0-9a-f]{128}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const DAY = 86_400_000;

/** What the metadata object of an entry holds. */
export interface EntryMeta {
  /** token_id of the identity that owns the entry. */
  owner: string;
  /** The uploaded file's name, or `"placeholder"`. */
  filename: string;
  /** Content type sent with the upload. */
  contentType?: string;
  /** Milliseconds since the epoch after which the entry is gone. */
  expiresAt: number;
  /** File size in bytes (0 for a placeholder). */
  size: number;
  /** Key of the data object (absent for a placeholder). */
  dataKey?: string;
  /** ETag of the data object. */
  etag?: string;
  /**
   * Hex MD5 of the file's bytes, taken as they went to the store: what a
   * download is checked against (the store's ETag is an MD5 only for some
   * uploads). Absent for entries stored before it was kept.
   */
  md5?: string;
  /** When the file was uploaded (ms since the epoch). */
  uploadedAt?: number;
  /**
   * Set on the metadata a remover wrote to claim the entry's removal
   * (expired, size 0): whoever finds it left behind (its remover died)
   * finishes the removal without counting it again.
   */
  removing?: true;
  /**
   * An id of the write that made this metadata, on writes that race others
   * for one version (removal claims, reservations replacing an expired
   * entry): a writer whose write landed with its answer lost (the store's
   * retry then gets 412) knows the metadata it reads back is its own.
   */
  writeId?: string;
}

/** An entry's metadata and the ETag of its metadata object (for compare-and-swap). */
export interface LoadedEntry {
  /** The metadata. */
  meta: EntryMeta;
  /** ETag of `meta/<id>.json` when it was read. */
  version: string;
  /**
   * Why `meta/<id>.json` is not an entry's metadata (not JSON, or not the
   * fields of one: written by something else, or damaged), when it is not.
   * `meta` then stands for an entry nobody owns, with no file.
   */
  unreadable?: string;
  /**
   * Why a download's move of the expiry (see `refreshGranularityMs`) did
   * not land, when the store refused that write: the file is served all
   * the same, and a later download moves it.
   */
  refreshFailed?: string;
}

/** Options for {@linkcode Entries}. */
export interface EntriesOptions {
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** How long an unused placeholder lives (default 7 days). */
  placeholderTtlMs?: number;
  /** Inactivity window of an uploaded file (default 30 days). */
  fileTtlMs?: number;
  /**
   * A download rewrites the metadata only when the expiry would move by more
   * than this (default 1 day), so a file downloaded often costs one small
   * write a day, not one per download; the 30-day inactivity window is then
   * honoured to within this much.
   */
  refreshGranularityMs?: number;
  /** Cap on the bytes one identity may store; `undefined` for none. */
  maxBytesPerIdentity?: number;
  /**
   * Without a cap, still take removed entries off the usage objects that
   * exist (default false): for `vc serve expire` beside servers that keep a
   * quota, whose usage would otherwise keep the bytes of every entry it removed.
   */
  keepUsage?: boolean;
  /** Called after an expired entry was removed (for metrics). */
  onExpired?: () => void;
}

const ENTRIES_NUMBERS = [
  "placeholderTtlMs",
  "fileTtlMs",
  "refreshGranularityMs",
  "maxBytesPerIdentity",
] as const;

const ENTRIES_OPTIONS: OptionNames<EntriesOptions> = {
  clock: true,
  placeholderTtlMs: true,
  fileTtlMs: true,
  refreshGranularityMs: true,
  maxBytesPerIdentity: true,
  keepUsage: true,
  onExpired: true,
};

/** Progress of {@linkcode Entries.sweep}. */
export interface SweepProgress {
  /** Entries looked at so far. */
  done: number;
  /** The entry's ID being looked at, or what the sweep turned to (`"data objects"`). */
  current?: string;
  /**
   * Expired entries removed so far (told again after each one): a caller
   * stopped by its `signal` says what was removed before the stop, as the
   * rejection carries no result.
   */
  removed?: number;
  /** Bytes of their files (as `AssetCache.prune`'s progress names them). */
  freedBytes?: number;
  /**
   * The same as `freedBytes`, by its first name (kept for callers that read it).
   *
   * @deprecated Read `freedBytes`.
   */
  bytesRemoved?: number;
}

/** Options for {@linkcode Entries.sweep}. */
export interface SweepOptions {
  /** Stops the sweep. */
  signal?: AbortSignal;
  /**
   * Called as entries are looked at (`done`: entries so far; the total is
   * not known before the listing ends), and once more when the sweep turns
   * to the data objects left by crashed uploads (`current`).
   */
  onProgress?: (progress: SweepProgress) => void;
  /**
   * Also rewrite every identity's usage object from the entries found (for
   * quotas turned on later, or usage that drifted after crashes). Uploads
   * and deletes running meanwhile may be miscounted until the next recount.
   */
  recountUsage?: boolean;
  /**
   * Do not read the metadata of entries that the listing dates too
   * recently to have expired (default false; ignored with `recountUsage`):
   * every write of an entry's metadata sets its expiry to at most its TTL
   * ahead, so a sweep costs a read per entry near or past its end, not one
   * per entry. `vc serve`'s sweeps take it; see {@linkcode SweepResult.recent}
   * for what waits longer then.
   */
  skipRecent?: boolean;
}

const SWEEP_OPTIONS: OptionNames<SweepOptions> = {
  signal: true,
  onProgress: true,
  recountUsage: true,
  skipRecent: true,
};

/** Result of {@linkcode Entries.sweep}. */
export interface SweepResult {
  /** Entries looked at (those listed, read or not). */
  scanned: number;
  /**
   * Of those, with {@linkcode SweepOptions.skipRecent}: entries whose
   * metadata was not read, as the listing dates its last write within the
   * TTL (less an hour for clocks that differ): the placeholder TTL for
   * metadata too small to name a file, else the longer of the file and
   * placeholder TTLs (larger metadata may still be a placeholder's); at
   * least the refresh granularity either way. Such an entry is
   * not reported unreadable, and its data not taken for an orphan unless
   * another data object sits beside it. An entry written with shorter TTLs
   * (another service on the store), or a removal claim whose remover died,
   * is 404 all the same, and removed once this TTL has passed (or when its
   * ID is asked for).
   */
  recent?: number;
  /** Expired entries removed. */
  removed: number;
  /** Bytes of their files (as `AssetCache.prune`'s result names them). */
  freedBytes: number;
  /**
   * The same as `freedBytes`, by its first name (kept for callers that read it).
   *
   * @deprecated Read `freedBytes`.
   */
  bytesRemoved: number;
  /** Data objects no entry points to (left by crashed uploads) removed. */
  orphansRemoved: number;
  /**
   * Uploads a service killed mid-upload (`kill -9`) left behind, removed:
   * on S3, multipart uploads of data a day old and never completed, aborted
   * (S3 keeps and bills their parts until then); in a directory store, the
   * partial temp files of data and metadata that no writer holds any more.
   */
  uploadsAborted: number;
  /**
   * What {@linkcode SweepResult.uploadsAborted} counts, each named (a temp
   * file's path as a key; an S3 upload's key and upload id); absent when
   * none was removed.
   */
  abandoned?: string[];
  /**
   * S3 multipart uploads a day old that took a part since, kept: a client
   * still sending (a slow link), each named by key and upload id; absent
   * when none.
   */
  uploadsLive?: string[];
  /** Why such uploads could not be listed (no grant, no such listing), when they could not. */
  uploadsUnchecked?: string;
  /** Identities whose usage was recounted (with `recountUsage`). */
  identities?: number;
  /**
   * Metadata objects that are not an entry's (see `LoadedEntry.unreadable`),
   * each as `key: why`: left in place with their data, for someone to look
   * at; the owner replaces one by asking for its cache ID again.
   */
  unreadable?: string[];
  /**
   * Expired entries the store would not let this sweep remove (a retention
   * lock, a file of another user), each as `key: why`: left for the next
   * sweep, which tries again, while this one went on with the rest.
   */
  failed?: string[];
}

const MAX_CAS_ATTEMPTS = 20;
/**
 * Fewer bytes than any metadata naming a data object the service wrote
 * (`"dataKey":"data/<128 hex>/<uuid>"` alone is 182): smaller metadata is a
 * placeholder's (or not an entry's), which expires after the placeholder TTL.
 */
const MIN_FILE_META_BYTES = 182;

/**
 * How far this process's clock may run ahead of the store's before expiry
 * refuses to remove anything for its age (an hour, the sweep's margin for
 * clocks that differ): an entry removed up to that early is removed within
 * a day-long refresh granularity and 7- and 30-day TTLs, while a clock set
 * days ahead (a VM restored with a wrong RTC, a mistyped `date -s`) removed
 * every entry for every instance.
 */
export const MAX_CLOCK_AHEAD_MS = CLOCK_MARGIN_MS;

/** How long one reading of the store's time is used before the store is asked again. */
const STORE_TIME_REUSE_MS = 60_000;

/** Entries whose last known metadata is kept as a write hint. */
const MAX_KNOWN = 10_000;

/**
 * The upload time of a file that replaces one uploaded at `replaced`: `now`,
 * or the second after the replaced file's when that is later. Instances
 * behind one load balancer date uploads by their own clocks: a file
 * replaced through one whose clock runs behind was dated before the file it
 * replaced, and a client holding that file's `Last-Modified` got 304 for the
 * new one (its `If-Unmodified-Since` let a DELETE remove it). Dates of one
 * entry's files now only move forward.
 */
function uploadTime(now: number, replaced: number | undefined): number {
  if (replaced === undefined || !Number.isFinite(replaced)) return now;
  return Math.max(now, Math.floor(replaced / 1000) * 1000 + 1000);
}

/** Why an entry cannot be used, for metrics. */
export type Miss = "unknown" | "expired" | "placeholder";

/**
 * Reads and writes cache entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { Entries } from "./entries.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const entries = new Entries(new FsStore(dir));
 *   const id = "a".repeat(128);
 *   await entries.reserve(id, "token-file:alice");
 *   const body = ReadableStream.from([new TextEncoder().encode("hi")]);
 *   await entries.upload(id, "token-file:alice", { filename: "x.txt", body });
 *   const { meta } = await entries.open(id, "token-file:alice");
 *   assert(meta.filename === "x.txt" && meta.size === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class Entries {
  readonly #store: ObjectStore;
  readonly #clock: Clock;
  readonly #placeholderTtl: number;
  readonly #fileTtl: number;
  readonly #granularity: number;
  readonly #usage: UsageCounter | undefined;
  readonly #onExpired: () => void;
  /** Last metadata written or read per ID (insertion order = age): write hints. */
  readonly #known = new Map<string, LoadedEntry>();
  /**
   * The store's time as last read (`undefined` when it did not tell), with
   * this process's monotonic clock at that moment.
   */
  #storeTimeSeen: { store: number | undefined; mono: number } | undefined;
  /** The reading of the store's time under way for the dating of requests, if any. */
  #storeTimeReading: Promise<void> | undefined;

  /** Uses `store` as the home of every entry. */
  constructor(store: ObjectStore, options: EntriesOptions = {}) {
    this.#store = requireStore("Entries: the store", store);
    // A misspelt `placeholderTtl` kept the 7-day default without a word; a
    // negative or NaN TTL expired every entry at once, or none ever.
    checkOptions("Entries", options, ENTRIES_OPTIONS);
    for (const name of ENTRIES_NUMBERS) {
      checkNonNegativeNumber(`Entries: the option ${name}`, options[name]);
    }
    this.#clock = options.clock ?? systemClock;
    this.#placeholderTtl = options.placeholderTtlMs ?? 7 * DAY;
    this.#fileTtl = options.fileTtlMs ?? 30 * DAY;
    this.#granularity = options.refreshGranularityMs ?? DAY;
    this.#usage = options.maxBytesPerIdentity !== undefined
      ? new UsageCounter(store, options.maxBytesPerIdentity)
      : options.keepUsage
      ? new UsageCounter(store, Infinity, { createMissing: false })
      : undefined;
    // Called as requests look entries up: one that throws (or whose promise
    // rejects) is told on stderr and the request goes on; it failed the
    // request, or ended the process as an unhandled rejection.
    this.#onExpired = options.onExpired === undefined
      ? () => {}
      : reportingCallback("onExpired", options.onExpired, (e) => {
        try {
          lineOnStderr(`vc serve: the onExpired callback threw: ${thrownText(e)}`);
        } catch {
          // stderr itself is gone: nowhere left to tell.
        }
      });
  }

  /**
   * The metadata of `id`, or `undefined` when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * assert((await entries.load(id)) === undefined);
   * await entries.reserve(id, "token-file:alice");
   * const loaded = await entries.load(id);
   * assert(loaded?.meta.owner === "token-file:alice" && loaded.meta.filename === "placeholder");
   * assert(typeof loaded.version === "string"); // the ETag to compare-and-swap against
   * ```
   */
  async load(id: string, signal?: AbortSignal): Promise<LoadedEntry | undefined> {
    let read = await this.#readMeta(id, signal);
    let parsed = read && parseMeta(read.text);
    // Bytes damaged on their way (a proxy, a flaky link) must not read as
    // damaged metadata: `reserve` replaces that, orphaning a good file. So a
    // second read decides; damage at rest reads the same twice.
    if (parsed !== undefined && "problem" in parsed) {
      read = await this.#readMeta(id, signal);
      parsed = read && parseMeta(read.text);
    }
    if (read === undefined || parsed === undefined) {
      this.#known.delete(id);
      return undefined;
    }
    const { version } = read;
    if ("problem" in parsed) {
      this.#known.delete(id);
      return {
        meta: { owner: "", filename: PLACEHOLDER, expiresAt: Infinity, size: 0 },
        version,
        unreadable: `${metaKey(id)} is not an entry's metadata (${parsed.problem})`,
      };
    }
    const entry = { meta: parsed.meta, version };
    this.#remember(id, entry);
    return entry;
  }

  // The text and version of `id`'s metadata object, or undefined when it is missing.
  async #readMeta(
    id: string,
    signal: AbortSignal | undefined,
  ): Promise<{ text: string; version: string } | undefined> {
    // Bytes damaged on their way are read once more before the store is
    // called failing (as `load` reads again metadata it cannot parse).
    for (let attempt = 1;; attempt++) {
      let result: GetResult;
      try {
        result = await this.#store.get(metaKey(id), signal === undefined ? {} : { signal });
      } catch (e) {
        if (isMissingKey(e)) return undefined;
        throw e;
      }
      try {
        const text = await readSmallObjectText(result, `${this.#store.url}/${metaKey(id)}`);
        return { text, version: result.info.etag };
      } catch (e) {
        if (!(e instanceof SmallObjectDamagedError) || attempt >= 2) throw e;
      }
    }
  }

  /**
   * Returns the entry for a new or existing ID of `owner`: an existing live
   * entry (a placeholder with its reservation renewed when that gains more
   * than a day), otherwise a fresh placeholder (replacing an expired one).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * const placeholder = await entries.reserve(id, "token-file:alice");
   * assert(placeholder.filename === "placeholder" && placeholder.size === 0);
   * // Asking again returns the same live entry; another identity may not have it.
   * assert((await entries.reserve(id, "token-file:alice")).expiresAt === placeholder.expiresAt);
   * await assert.rejects(entries.reserve(id, "token-file:bob"), { status: 403 });
   * ```
   */
  async reserve(id: string, owner: string): Promise<EntryMeta> {
    await this.#readStoreTimeForDating();
    // New IDs are the common case: try to create first (one request), read only if taken.
    const fresh = this.#placeholder(owner);
    try {
      await this.#putMeta(id, fresh, undefined);
      return fresh;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.load(id);
      // Unreadable metadata is replaced: its ID is derived from the owner's
      // token, so whoever asks for it is the one who created it.
      if (current !== undefined && current.unreadable === undefined) {
        checkOwner(id, current.meta, owner);
        if (!this.#expired(current.meta)) {
          const renewed = await this.#renewPlaceholder(id, current);
          if (renewed === undefined) continue; // changed meanwhile: look again
          return renewed;
        }
        // Expired: replacing it removes its file, for its age.
        await this.#checkClockForExpiry();
      }
      const meta: EntryMeta = { ...this.#placeholder(owner), writeId: crypto.randomUUID() };
      try {
        await this.#putMeta(id, meta, current?.version);
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
        // Someone else wrote it (look again), or this very write landed with
        // its answer lost: then the expired entry it replaced is still to be
        // counted off and dropped (its size stayed in the usage for good).
        if (await this.#landed(id, meta.writeId!) === undefined) continue;
      }
      if (current !== undefined && current.unreadable === undefined) {
        // It was expired: its file goes, as a sweep would have removed it.
        await this.#usage?.add(current.meta.owner, -current.meta.size);
        await this.#dropReplaced(current.meta);
        if (current.meta.removing !== true) this.#onExpired();
      }
      return meta;
    }
    throw contended(id);
  }

  /**
   * A live entry asked for again: a placeholder's reservation starts anew,
   * written only when that gains more than a day (as a download moves a
   * file's window). A cache ID "expires after 7 days if unused", and clients
   * ask for it on every use: left as it was, a placeholder a failed run
   * reserved days ago expired under the next run's computation, whose upload
   * was then refused (404). A file is returned as it is (its window moves on
   * downloads and uploads). `undefined` when the entry changed meanwhile.
   */
  async #renewPlaceholder(id: string, entry: LoadedEntry): Promise<EntryMeta | undefined> {
    if (entry.meta.dataKey !== undefined) return entry.meta;
    const expiresAt = this.#now() + this.#placeholderTtl;
    if (expiresAt - entry.meta.expiresAt <= this.#granularity) return entry.meta;
    const meta = { ...entry.meta, expiresAt };
    try {
      await this.#putMeta(id, meta, entry.version);
      return meta;
    } catch (e) {
      // An upload or a removal got in first; or the renewal landed with its
      // answer lost, which the next look finds (no renewal due then).
      if (e instanceof PreconditionFailedError || isMissingKey(e)) return undefined;
      throw e;
    }
  }

  /**
   * The live entry `id` of `owner`, for a download. Throws `HttpError` 404
   * for an unknown, expired (removed on the way) or placeholder entry, 403
   * for another identity's. Refreshes the inactivity window when due.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * await entries.reserve(id, "token-file:alice");
   * await assert.rejects(entries.open(id, "token-file:alice"), { status: 404 }); // no file yet
   * const body = ReadableStream.from([new TextEncoder().encode("hello")]);
   * await entries.upload(id, "token-file:alice", { filename: "x.txt", body });
   * const { meta } = await entries.open(id, "token-file:alice");
   * assert(meta.filename === "x.txt" && meta.size === 5);
   * ```
   */
  async open(id: string, owner: string): Promise<LoadedEntry> {
    await this.#readStoreTimeForDating();
    const entry = await this.#live(id, owner);
    if (entry.meta.dataKey === undefined) {
      throw cacheIdNotFound(`${id} has no file yet (placeholder)`, {
        cause: "placeholder" satisfies Miss,
      });
    }
    const expiresAt = this.#now() + this.#fileTtl;
    if (expiresAt - entry.meta.expiresAt > this.#granularity) {
      const meta = { ...entry.meta, expiresAt };
      try {
        const version = await this.#putMeta(id, meta, entry.version);
        return { meta, version };
      } catch (e) {
        // A concurrent upload or refresh won; serving what we read is still right.
        if (e instanceof PreconditionFailedError) return entry;
        // A store that takes no write just then (a full disk, a read-only
        // mount, throttling past the retries) failed the download of a file
        // it could read: every file not downloaded for a day went 503.
        const refused = e instanceof StoreError || e instanceof AccessDeniedError ||
          e instanceof OfflineError;
        if (!refused || isMissingKey(e)) throw e;
        return { ...entry, refreshFailed: e.message };
      }
    }
    return entry;
  }

  /**
   * The time by the clock expiry and upload times are taken by (ms since
   * the epoch): what a download compares an upload's time with.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { ManualClock } from "../testing/mod.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * assert.equal(new Entries(store, { clock: new ManualClock(5_000) }).now(), 5_000);
   * ```
   */
  now(): number {
    return this.#now();
  }

  /**
   * The metadata this process last wrote or read for `id` and still takes
   * for live, if any: a hint (another process may have changed the entry
   * since), never an answer on its own.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * assert(entries.known(id) === undefined);
   * await entries.reserve(id, "token-file:alice");
   * assert(entries.known(id)?.owner === "token-file:alice"); // a hint, read no store
   * ```
   */
  known(id: string): EntryMeta | undefined {
    const entry = this.#known.get(id);
    return entry === undefined || this.#expired(entry.meta) ? undefined : entry.meta;
  }

  /**
   * The bytes of an opened entry (optionally a range); `undefined` when replaced meanwhile.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * await entries.reserve(id, "token-file:alice");
   * const body = ReadableStream.from([new TextEncoder().encode("hello")]);
   * await entries.upload(id, "token-file:alice", { filename: "x.txt", body });
   * const { meta } = await entries.open(id, "token-file:alice");
   * const part = await entries.read(meta, { range: { start: 1, end: 3 } });
   * assert(part !== undefined && await new Response(part.body).text() === "ell");
   * ```
   */
  async read(meta: EntryMeta, options: GetOptions = {}): Promise<GetResult | undefined> {
    try {
      return await this.#store.get(meta.dataKey!, options);
    } catch (e) {
      if (isMissingKey(e)) return undefined;
      throw e;
    }
  }

  /**
   * The size of an opened entry's data object, as the store holds it now
   * (what a `HEAD` checks without reading the bytes); `undefined` when the
   * store holds no such object (replaced meanwhile, or deleted behind the
   * service's back).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * await entries.reserve(id, "token-file:alice");
   * const body = ReadableStream.from([new TextEncoder().encode("hello")]);
   * await entries.upload(id, "token-file:alice", { filename: "x.txt", body });
   * const { meta } = await entries.open(id, "token-file:alice");
   * assert(await entries.dataSize(meta) === 5);
   * await store.delete([meta.dataKey!]);
   * assert(await entries.dataSize(meta) === undefined);
   * ```
   */
  async dataSize(meta: EntryMeta): Promise<number | undefined> {
    return (await this.#store.head(meta.dataKey!))?.size;
  }

  /**
   * Stores a file for the live entry `id` of `owner` and switches the entry
   * to it atomically. `body` is consumed (or cancelled on failure). Throws
   * `HttpError` 404/403 like {@linkcode Entries.open}, 413 past the quota.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * await entries.reserve(id, "token-file:alice");
   * const body = ReadableStream.from([new TextEncoder().encode("hello")]);
   * const meta = await entries.upload(id, "token-file:alice", {
   *   filename: "x.txt",
   *   contentType: "text/plain",
   *   body,
   * });
   * assert(meta.size === 5 && meta.contentType === "text/plain" && meta.dataKey !== undefined);
   * ```
   */
  async upload(
    id: string,
    owner: string,
    file: {
      filename: string;
      contentType?: string;
      body: ReadableStream<Uint8Array>;
      signal?: AbortSignal;
      /**
       * How many bytes `body` has delivered, when its source counts them
       * (saves a counting stream); without a quota that count is the size.
       */
      bytes?: () => number;
      /**
       * Hex MD5 of the bytes `body` delivered, when its source hashes them
       * (saves a hashing stream, which would also end a byte stream's
       * reads into the store's own buffers).
       */
      md5?: () => string;
      /**
       * The request's preconditions (`If-Match`, `If-None-Match`): throws
       * to refuse replacing the entry as it is. Checked against the very
       * version the switch is conditional on, so no upload slips in between.
       */
      check?: (meta: EntryMeta) => void;
      /**
       * Told when the upload is done but the identity's usage (with a
       * quota) could not be updated: the file is stored all the same.
       */
      onWarning?: (message: string) => void;
    },
  ): Promise<EntryMeta> {
    await this.#readStoreTimeForDating();
    let body = file.body;
    // Hashed here only when the source does not hash what it hands out.
    const hash = file.md5 === undefined ? new Md5() : undefined;
    let entry: LoadedEntry;
    let put: PutResult;
    const dataKey = `data/${id}/${crypto.randomUUID()}`;
    const abort = new AbortController();
    const signal = file.signal === undefined
      ? abort.signal
      : AbortSignal.any([abort.signal, file.signal]);
    const options: PutOptions = {
      ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
      // Nothing here needs the parts' MD5s: CRC32 protects each part on its
      // way to S3 at a fraction of the CPU (~2 CPU s per GiB less).
      partChecksum: "crc32",
      signal,
    };
    if (this.#usage !== undefined) {
      // The quota needs the current usage before a byte is stored.
      try {
        const found = await this.#live(id, owner);
        // Refused before a byte is stored (see below).
        file.check?.(found.meta);
        entry = await this.#keepAlive(id, found);
        const room = await this.#usage.room(owner, entry.meta.size);
        body = body.pipeThrough(counter(room.bytes, room.exceeded, hash));
      } catch (e) {
        await body.cancel(e).catch(() => {});
        throw e;
      }
      put = await this.#store.put(dataKey, body, options);
    } else {
      // Check the entry while the data goes up: one round trip less per
      // upload. A failed check stops the upload and deletes what was stored
      // (no entry points at it, so nobody ever sees it), also when the put
      // failed: a write stopped by the abort may have landed all the same
      // (an S3 PUT whose answer the abort cut off).
      if (file.bytes === undefined || hash !== undefined) {
        body = body.pipeThrough(counter(Infinity, () => new Error("unreachable"), hash));
      }
      // The request's preconditions are checked here too, as the body starts
      // to arrive: an upload they refuse (`If-None-Match: *` on a stored
      // file) is answered 412 at once, not once its whole file went to the
      // store. A failure on this process's hint is confirmed on the entry
      // as stored (another instance may have changed it); the check at the
      // switch below stays the one on the very version replaced.
      const live = this.#liveHint(id, owner).then(async (found) => {
        if (file.check !== undefined) {
          try {
            file.check(found.meta);
          } catch {
            found = await this.#live(id, owner);
            file.check(found.meta);
          }
        }
        return this.#keepAlive(id, found);
      });
      live.catch((e) => abort.abort(e));
      const [checked, stored] = await Promise.allSettled([
        live,
        this.#store.put(dataKey, body, options),
      ]);
      if (checked.status === "rejected") {
        await this.#store.delete([dataKey]).catch(() => {});
        throw checked.reason;
      }
      if (stored.status === "rejected") throw stored.reason;
      entry = checked.value;
      put = stored.value;
    }
    const size = counted.get(body) ?? file.bytes?.() ?? 0;
    const md5 = hash?.hex() ?? file.md5!();
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const meta: EntryMeta = {
        owner,
        filename: file.filename,
        ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
        expiresAt: this.#now() + this.#fileTtl,
        size,
        dataKey,
        etag: put.etag,
        md5,
        uploadedAt: uploadTime(this.#now(), entry.meta.uploadedAt),
      };
      try {
        file.check?.(entry.meta);
      } catch (e) {
        await this.#store.delete([dataKey]).catch(() => {});
        throw e;
      }
      try {
        await this.#putMeta(id, meta, entry.version);
      } catch (e) {
        // Not deleted on other errors: the write may have happened with its
        // answer lost, and then the entry points at this data. A sweep removes
        // the data once nothing points at it.
        if (!(e instanceof PreconditionFailedError)) throw e;
        // Another upload or a refresh got in first: switch from what is there now.
        const replaced = entry;
        try {
          entry = await this.#live(id, owner);
        } catch (e2) {
          await this.#store.delete([dataKey]).catch(() => {});
          throw e2;
        }
        // Or this very write landed and only its answer was lost, so the
        // store's retry found the metadata changed: by this upload. Its data
        // is the entry's file now, not a replaced one to drop (it was deleted,
        // after a 200, leaving an entry that had lost its file).
        if (entry.meta.dataKey === dataKey) {
          await this.#countLanded(owner, size - replaced.meta.size, file.onWarning);
          await this.#dropReplaced(replaced.meta);
          return entry.meta;
        }
        continue;
      }
      await this.#countLanded(owner, size - entry.meta.size, file.onWarning);
      await this.#dropReplaced(entry.meta);
      return meta;
    }
    await this.#store.delete([dataKey]).catch(() => {});
    throw contended(id);
  }

  /**
   * Deletes the entry `id` of `owner` (404 unknown or expired, 403 another identity's).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { Entries } from "./entries.ts";
   * await using store = new MemoryStore();
   * const entries = new Entries(store);
   * const id = "a".repeat(128);
   * await entries.reserve(id, "token-file:alice");
   * await assert.rejects(entries.remove(id, "token-file:bob"), { status: 403 });
   * await entries.remove(id, "token-file:alice");
   * assert((await entries.load(id)) === undefined);
   * await assert.rejects(entries.remove(id, "token-file:alice"), { status: 404 });
   * ```
   */
  async remove(
    id: string,
    owner: string,
    check?: (meta: EntryMeta) => void,
    onWarning?: (message: string) => void,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const entry = await this.#live(id, owner);
      // The request's preconditions, on the version the claim is conditional on.
      check?.(entry.meta);
      // The metadata is claimed first, and only as read (an upload switching
      // it meanwhile is not lost): from then on nobody reaches the data, and
      // a removal cut short leaves an expired claim a sweep finishes. Single
      // deletes: a batch delete costs S3Store an SDK round trip (12x slower
      // than a plain DELETE in the stress bench).
      // Once claimed and counted, the entry is gone for every reader: a store
      // failure deleting its data or claim leaves that to a sweep (as an
      // upload does with the file it replaced) rather than answering 503 for
      // a delete whose retry would get 404.
      if (await this.#removeClaimed(id, entry, true, onWarning)) return;
      // Changed or removed meanwhile: look again.
    }
    throw contended(id);
  }

  /**
   * Removes every expired entry, and data objects no entry points to that
   * are older than a day (left by uploads cut off by a crash).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryStore } from "../store/memory.ts";
   * import { ManualClock } from "../testing/manual_clock.ts";
   * import { Entries } from "./entries.ts";
   * const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
   * await using store = new MemoryStore({ clock }); // its time is the clock's
   * const entries = new Entries(store, { clock, placeholderTtlMs: 60_000 });
   * await entries.reserve("a".repeat(128), "token-file:alice");
   * assert((await entries.sweep()).removed === 0);
   * clock.jump(61_000); // the placeholder's time is up
   * const result = await entries.sweep();
   * assert(result.scanned === 1 && result.removed === 1);
   * ```
   */
  async sweep(options: SweepOptions = {}): Promise<SweepResult> {
    checkOptions("Entries.sweep()", options, SWEEP_OPTIONS);
    // An onProgress that throws (or whose promise rejects) stops the sweep as
    // its signal would, and is what it rejects with: a CallbackError (it was
    // the bare value, or an unhandled rejection).
    return await withCallbackGuard(options, ["onProgress"], (guarded) => this.#sweep(guarded));
  }

  async #sweep(options: SweepOptions): Promise<SweepResult> {
    const signal = options.signal;
    const result: SweepResult = {
      scanned: 0,
      removed: 0,
      freedBytes: 0,
      bytesRemoved: 0,
      orphansRemoved: 0,
      uploadsAborted: 0,
    };
    // The store's time read before the first entry (at most once a minute),
    // not between an entry looked at and its removal: Ctrl-C there stopped a
    // `vc serve expire` with the entry it had found expired left in place.
    if (this.#storeTimeStale()) await this.#readStoreTime(signal);
    // The oldest object of the service: an upload the store dates before it
    // has no age to go by (moto dates every upload in 2010) and is kept.
    let oldest = Infinity;
    const referenced = new Set<string>();
    // IDs whose metadata is not readable: their data is kept (it may be
    // what the metadata pointed to).
    const unreadable = new Set<string>();
    const usage = new Map<string, number>();
    // Temp files of writers that are gone, which a directory store's
    // listing removes as it passes: said, not removed unsaid.
    const abandoned: string[] = [];
    const listing = {
      etags: false,
      onSwept: (key: string) => abandoned.push(key),
      ...(signal === undefined ? {} : { signal }),
    };
    // IDs whose metadata was not read (too recent to have expired), with
    // whether it may name a file: their data is an orphan only if that is
    // not the one data object under the ID (checked by reading it, below).
    const recent = new Map<string, boolean>();
    const skipRecent = options.skipRecent === true && options.recountUsage !== true;
    const now = this.#now();
    const report = (done: number, current: string) =>
      options.onProgress?.({
        done,
        current,
        removed: result.removed,
        freedBytes: result.freedBytes,
        bytesRemoved: result.freedBytes,
      });
    for await (const info of this.#store.list("meta/", listing)) {
      oldest = Math.min(oldest, info.lastModified.getTime());
      const id = info.key.slice("meta/".length).replace(/\.json$/, "");
      if (skipRecent && this.#tooRecentToExpire(info.lastModified.getTime(), info.size, now)) {
        recent.set(id, info.size >= MIN_FILE_META_BYTES);
        result.scanned++;
        result.recent = (result.recent ?? 0) + 1;
        report(result.scanned, id);
        continue;
      }
      const entry = await this.load(id, signal);
      report(result.scanned + (entry === undefined ? 0 : 1), id);
      if (entry === undefined) continue;
      result.scanned++;
      if (entry.unreadable !== undefined) {
        (result.unreadable ??= []).push(entry.unreadable);
        unreadable.add(id);
        continue;
      }
      if (this.#expired(entry.meta)) {
        // Outside the try below: a clock ahead stops the whole sweep.
        await this.#checkClockForExpiry(signal);
        let removed: boolean;
        try {
          removed = await this.#removeExpired(id, entry);
        } catch (e) {
          // One entry the store will not let go stopped the whole sweep, each
          // time: every entry after it, every orphan and abandoned upload
          // stayed for good. It is named and kept; a store that is down
          // fails the next load and ends the sweep.
          if (signal?.aborted) throw e;
          (result.failed ??= []).push(`${info.key}: ${e instanceof Error ? e.message : String(e)}`);
          removed = false;
          this.#countLive(entry.meta, usage, referenced);
        }
        // A removal another remover claimed (and died in) was counted by it.
        if (removed && entry.meta.removing !== true) {
          result.removed++;
          result.freedBytes += entry.meta.size;
          result.bytesRemoved = result.freedBytes;
          report(result.scanned, id);
        }
      } else {
        this.#countLive(entry.meta, usage, referenced);
      }
    }
    report(result.scanned, "data objects");
    let orphans: string[] = [];
    // When the listing dated each orphan: its claim (below) needs it unchanged.
    const listedAt = new Map<string, number>();
    const cutoff = this.#now() - DAY;
    // Data objects under each ID whose metadata was not read.
    const underRecent = new Map<string, number>();
    for await (const info of this.#store.list("data/", listing)) {
      oldest = Math.min(oldest, info.lastModified.getTime());
      const entryId = info.key.split("/")[1]!;
      if (!SERVICE_DATA_KEY.test(info.key)) continue;
      if (recent.has(entryId)) underRecent.set(entryId, (underRecent.get(entryId) ?? 0) + 1);
      // Only keys the service writes are its own: a store pointed by
      // mistake at a directory with a `data/` folder of someone's files
      // had every one a day old deleted as orphaned data.
      if (
        !referenced.has(info.key) && !unreadable.has(entryId) &&
        info.lastModified.getTime() < cutoff
      ) {
        orphans.push(info.key);
        listedAt.set(info.key, info.lastModified.getTime());
      }
    }
    // The one data object under an entry that may name a file is taken as
    // its file, unread: an orphan beside it makes two, and is read for.
    orphans = orphans.filter((key) => {
      const id = key.split("/")[1]!;
      return !(recent.get(id) === true && underRecent.get(id) === 1);
    });
    // Orphans and abandoned uploads go for their age too.
    if (orphans.length > 0 || this.#store.pendingUploads !== undefined) {
      await this.#checkClockForExpiry(signal);
    }
    // Re-check each orphan's entry: an upload may have switched to it since
    // the listing. Then claim it (a HEAD and a small PUT each): a few at once.
    const reread = new Map<string, Promise<LoadedEntry | undefined>>(); // one read per ID
    const taken = await mapLimit(orphans, ORPHAN_CLAIMS_AT_ONCE, async (key) => {
      const id = key.split("/")[1]!;
      let loading = reread.get(id);
      if (loading === undefined) reread.set(id, loading = this.load(id, signal));
      const entry = await loading;
      return entry?.unreadable === undefined && entry?.meta.dataKey !== key &&
        await this.#claimOrphan(key, listedAt.get(key)!, signal);
    }, signal === undefined ? {} : { signal });
    const stillOrphans = orphans.filter((_, i) => taken[i]);
    if (stillOrphans.length > 0) await this.#store.delete(stillOrphans);
    result.orphansRemoved = stillOrphans.length;
    // An upload is made complete, then its entry points to it: one a day
    // old and never completed is a dead service's.
    const stale = await abortStaleUploads(this.#store, "data/", {
      before: cutoff,
      notBefore: oldest - DAY,
      ...(signal === undefined ? {} : { signal }),
    });
    abandoned.push(...stale.aborted.map((u) => `${u.key} (upload ${u.uploadId})`));
    result.uploadsAborted = abandoned.length;
    if (abandoned.length > 0) result.abandoned = abandoned;
    if (stale.live.length > 0) {
      result.uploadsLive = stale.live.map((u) => `${u.key} (upload ${u.uploadId})`);
    }
    if (stale.unchecked !== undefined) result.uploadsUnchecked = stale.unchecked;
    if (options.recountUsage) result.identities = await recount(this.#store, usage, signal);
    return result;
  }

  /**
   * Whether this sweep takes the orphaned data object `key` (listed as last
   * written at `listed`, ms) to remove and count: it overwrites it with a
   * small claim of its own, conditional on the object being the very one
   * listed. Two sweeps (instances, `vc serve expire`) that listed it at once
   * each counted it, since a store's delete does not say whether the object
   * was still there; now the one whose claim lands counts it, and one that
   * finds it gone, rewritten since its listing (another's claim) or its
   * claim refused skips it. A claim whose remover died is an orphan a day
   * later, taken by the next sweep. A store with no space left for the claim,
   * or that refuses it, has it removed unclaimed.
   */
  async #claimOrphan(key: string, listed: number, signal?: AbortSignal): Promise<boolean> {
    const on = signal === undefined ? {} : { signal };
    const now = await this.#store.head(key, on);
    // Within 2 s: an S3 listing may date it to the millisecond, HEAD to the
    // second; a claim comes at least a day after the orphan's write.
    if (now === undefined || Math.abs(now.lastModified.getTime() - listed) >= 2000) return false;
    const claim = new TextEncoder().encode(
      `claimed for removal by a sweep ${crypto.randomUUID()}\n`,
    );
    try {
      await this.#store.put(key, claim, { ifMatch: now.etag, ...on });
      return true;
    } catch (e) {
      if (e instanceof PreconditionFailedError || isMissingKey(e)) return false;
      // A full disk must still free space, and a grant to delete without
      // one to write must still remove: unclaimed, as before claims.
      if (isNoSpaceError(e) || e instanceof AccessDeniedError) return true;
      throw e;
    }
  }

  /**
   * Whether metadata last written at `written` (the store's date, ms) in
   * `size` bytes cannot have expired by `now`: every write of an entry's
   * metadata sets its expiry to at most its TTL (or the refresh
   * granularity, when longer) ahead, and a removal claim, expired at once,
   * is finished by the remover that wrote it (one whose remover died waits
   * for that TTL, or for a request for its ID). An hour is taken off for
   * clocks that differ, and a date more than an hour ahead of `now` is read.
   */
  #tooRecentToExpire(written: number, size: number, now: number): boolean {
    const ttl = size >= MIN_FILE_META_BYTES
      ? Math.max(this.#fileTtl, this.#placeholderTtl)
      : this.#placeholderTtl;
    const window = Math.max(ttl, this.#granularity) - CLOCK_MARGIN_MS;
    return window > 0 && written > now - window && written <= now + CLOCK_MARGIN_MS;
  }

  /**
   * The entry as this process last wrote or read it, when that shows a live
   * entry of `owner`, else {@linkcode Entries.#live}. Only for a write made
   * conditional on its version, which fails when the entry changed since.
   */
  #liveHint(id: string, owner: string): Promise<LoadedEntry> {
    const known = this.#known.get(id);
    if (known !== undefined && known.meta.owner === owner && !this.#expired(known.meta)) {
      return Promise.resolve(known);
    }
    return this.#live(id, owner);
  }

  /**
   * The entry an upload is about to replace, its expiry first pushed to at
   * least {@linkcode EntriesOptions.refreshGranularityMs} (a day) away when
   * it is closer: an entry (a placeholder reserved days ago, a file unused
   * for a month) expiring while the upload's bytes go up was removed by a
   * sweep or a download on any instance, and the upload answered 404 after
   * sending everything. One small write, only for entries that close to
   * their end. When another request changed the entry meanwhile, the entry
   * as read is returned: the upload's switch then fails and reads it again.
   */
  async #keepAlive(id: string, entry: LoadedEntry): Promise<LoadedEntry> {
    const now = this.#now();
    if (entry.meta.expiresAt - now >= this.#granularity) return entry;
    const ttl = entry.meta.dataKey === undefined ? this.#placeholderTtl : this.#fileTtl;
    const meta = { ...entry.meta, expiresAt: now + Math.max(ttl, this.#granularity) };
    try {
      return { meta, version: await this.#putMeta(id, meta, entry.version) };
    } catch (e) {
      if (e instanceof PreconditionFailedError || isMissingKey(e)) return entry;
      throw e;
    }
  }

  #remember(id: string, entry: LoadedEntry): void {
    this.#known.delete(id);
    this.#known.set(id, entry);
    if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value!);
  }

  /** The live entry or the right `HttpError`; an expired one is removed on the way. */
  async #live(id: string, owner: string): Promise<LoadedEntry> {
    const entry = await this.load(id);
    if (entry === undefined) {
      throw cacheIdNotFound(`${id} not found`, { cause: "unknown" satisfies Miss });
    }
    if (entry.unreadable !== undefined) {
      throw new HttpError(
        404,
        `cache ${id} cannot be used: ${entry.unreadable}; ask for its cache ID again to replace it`,
        { cause: "unknown" satisfies Miss },
      );
    }
    checkOwner(id, entry.meta, owner);
    if (this.#expired(entry.meta)) {
      await this.#checkClockForExpiry();
      await this.#removeExpired(id, entry);
      throw cacheIdNotFound(`${id} has expired`, { cause: "expired" satisfies Miss });
    }
    return entry;
  }

  /** Adds a kept entry to a sweep's usage sums and the data keys it keeps. */
  #countLive(meta: EntryMeta, usage: Map<string, number>, referenced: Set<string>): void {
    usage.set(meta.owner, (usage.get(meta.owner) ?? 0) + meta.size);
    if (meta.dataKey !== undefined) referenced.add(meta.dataKey);
  }

  #placeholder(owner: string): EntryMeta {
    return {
      owner,
      filename: PLACEHOLDER,
      expiresAt: this.#now() + this.#placeholderTtl,
      size: 0,
    };
  }

  #expired(meta: EntryMeta): boolean {
    return meta.expiresAt <= this.#now();
  }

  #clockMonotonic(): number {
    return this.#clock.monotonic?.() ?? this.#clock.now();
  }

  /** Whether the store's time last read is missing or over a minute old (by the monotonic clock). */
  #storeTimeStale(): boolean {
    const seen = this.#storeTimeSeen;
    const mono = this.#clockMonotonic();
    return seen === undefined || mono - seen.mono > STORE_TIME_REUSE_MS || mono < seen.mono;
  }

  /**
   * The time entries are dated and judged by: this process's clock, or the
   * store's (as last read, carried forward by the monotonic clock) when this
   * one runs more than {@linkcode CLOCK_MARGIN_MS} behind it. Instances share
   * the store: one whose clock was days behind dated a file "30 days from
   * now" in the store's past, and an instance with a right clock removed it
   * at its next sweep; its downloads never moved an expiry on. A clock
   * ahead is not corrected here: expiry refuses to remove anything then
   * ({@linkcode Entries.#checkClockForExpiry}).
   */
  #now(): number {
    const local = this.#clock.now();
    const seen = this.#storeTimeSeen;
    if (seen?.store === undefined) return local;
    const store = seen.store + (this.#clockMonotonic() - seen.mono);
    return store - local > CLOCK_MARGIN_MS ? store : local;
  }

  /**
   * Reads the store's time for {@linkcode Entries.#now} when it was never
   * read or the reading is over an hour old (one small request an hour: the
   * monotonic clock carries a reading forward across steps of the wall
   * clock). A store that tells no time, or refuses the reading, leaves
   * this clock to date what the request writes; the write itself fails or
   * not on its own. One that cannot be reached or fails on its side (after
   * the reading's retries) fails the request with that at once: its own
   * store requests would make a second round of retries against it (before,
   * a store gone silent held each request for two rounds of timeouts, ten
   * minutes at the defaults, before its 503).
   */
  async #readStoreTimeForDating(): Promise<void> {
    const seen = this.#storeTimeSeen;
    const mono = this.#clockMonotonic();
    if (seen !== undefined && mono - seen.mono <= CLOCK_MARGIN_MS && mono >= seen.mono) return;
    // A burst of requests at start-up (or at the hour) waits on one reading,
    // not one store request each.
    this.#storeTimeReading ??= this.#readStoreTime().then(() => {}, (e) => {
      if (hasCause(e, isStoreUnavailable)) throw e;
    }).finally(() => {
      this.#storeTimeReading = undefined;
    });
    await this.#storeTimeReading;
  }

  /** Reads the store's time ({@linkcode ObjectStore.serverTime}) and keeps it with this clock's. */
  async #readStoreTime(signal?: AbortSignal) {
    const store = await this.#store.serverTime?.(signal === undefined ? {} : { signal });
    return this.#storeTimeSeen = { store, mono: this.#clockMonotonic() };
  }

  /**
   * Throws (`HttpError` 503, naming both times and the skew) when this
   * process's clock runs more than {@linkcode MAX_CLOCK_AHEAD_MS} ahead of
   * the store's: called before anything is removed for its age (an expired
   * entry found by a sweep, `vc serve expire`, a download or a new cache-ID
   * request; orphaned data; abandoned uploads), so a machine whose clock is
   * days ahead removes nothing rather than every entry. The store's time
   * ({@linkcode ObjectStore.serverTime}: S3's `Date` header, a `file://`
   * store's probe file) is read at most once a minute, and carried forward
   * by the monotonic clock in between (a step of the wall clock since is
   * seen at once). A store that tells no time (a missing or garbled `Date`,
   * a read-only directory, a store without `serverTime`) does not block
   * expiry: it goes by this process's clock alone, as before.
   */
  async #checkClockForExpiry(signal?: AbortSignal): Promise<void> {
    const mono = () => this.#clockMonotonic();
    const aheadBy = (seen: { store: number | undefined; mono: number }) =>
      seen.store === undefined ? 0 : this.#clock.now() - (seen.store + (mono() - seen.mono));
    const stale = this.#storeTimeStale();
    let seen = stale ? await this.#readStoreTime(signal) : this.#storeTimeSeen!;
    if (aheadBy(seen) <= MAX_CLOCK_AHEAD_MS) return;
    // A refusal is made on a fresh reading only.
    if (!stale) seen = await this.#readStoreTime(signal);
    const ahead = aheadBy(seen);
    if (seen.store === undefined || ahead <= MAX_CLOCK_AHEAD_MS) return;
    const local = this.#clock.now();
    const storeNow = local - ahead;
    throw new HttpError(
      503,
      `refusing to remove anything for its age: this machine's clock says ${
        new Date(local).toISOString()
      }, the store's (${this.#store.url}) ${new Date(storeNow).toISOString()}: ${
        spanText(ahead)
      } ahead, more than the ${
        spanText(MAX_CLOCK_AHEAD_MS)
      } expiry allows; nothing was removed. Set this machine's clock right (NTP)`,
      { cause: "clock ahead of the store" },
    );
  }

  /**
   * Adds `delta` to `owner`'s usage (with a quota) for a change that has
   * landed: an upload's switch, a removal's claim. A store that refuses
   * that write does not undo the change, so a request given `onWarning` is
   * done all the same and says so (before, it was answered 503 "try again"
   * with its file stored, or its entry gone, and the file it replaced
   * left); without `onWarning` the failure is thrown.
   */
  async #countLanded(
    owner: string,
    delta: number,
    onWarning: ((message: string) => void) | undefined,
  ): Promise<void> {
    try {
      await this.#usage?.add(owner, delta);
    } catch (e) {
      if (onWarning === undefined) throw e;
      const why = e instanceof Error ? e.message : String(e);
      onWarning(
        `the usage of ${displayName(owner)} was not changed by ${delta} bytes (${why}): ` +
          "`vc serve expire --recount-usage` makes it exact again",
      );
    }
  }

  async #removeExpired(id: string, entry: LoadedEntry): Promise<boolean> {
    // Only if nobody refreshed or replaced it since we read it.
    if (!(await this.#removeClaimed(id, entry))) return false;
    // A claim left by a remover that died was counted by that remover.
    if (entry.meta.removing !== true) this.#onExpired();
    return true;
  }

  /**
   * Removes `entry` if this process wins its claim (see
   * {@linkcode Entries.#claimRemoval}): the owner's usage down by its size,
   * its data, then the claim itself. False when it changed or went first.
   * With `finishLater`, a store failure after the count leaves the expired
   * claim (and maybe its data) for a sweep to finish.
   */
  async #removeClaimed(
    id: string,
    entry: LoadedEntry,
    finishLater = false,
    onWarning?: (message: string) => void,
  ): Promise<boolean> {
    this.#known.delete(id);
    const claimed = await this.#claimRemoval(id, entry);
    if (claimed === undefined) return false;
    await this.#countLanded(entry.meta.owner, -entry.meta.size, onWarning);
    const finish = async () => {
      await this.#dropData(entry.meta);
      await this.#deleteMeta(id, claimed);
    };
    if (finishLater) await finish().catch(() => {});
    else await finish();
    return true;
  }

  /**
   * Claims the removal of `entry`: its metadata rewritten as expired and
   * empty, on the condition that it is still the version read. Of any number
   * of removers racing (DELETEs, expiries found by downloads and sweeps, on
   * any instance of the service), exactly one succeeds, so the owner's usage
   * goes down once; a store's conditional delete cannot tell that (deleting
   * a missing key succeeds). Returns the claim's version, or undefined when
   * the entry changed or went first.
   */
  async #claimRemoval(id: string, entry: LoadedEntry): Promise<string | undefined> {
    const writeId = crypto.randomUUID();
    const claim: EntryMeta = { ...entry.meta, expiresAt: 0, size: 0, removing: true, writeId };
    try {
      try {
        return await this.#putMeta(id, claim, entry.version);
      } catch (e) {
        // A full disk: the claim needs room that only a removal frees (a
        // DELETE and the sweep failed with 503, so nothing freed any). The
        // data of the version read is what the removal is for, and an
        // upload switching meanwhile drops it too: free it, then claim.
        if (!isNoSpaceError(e) || entry.meta.dataKey === undefined) throw e;
        await this.#dropData(entry.meta);
        return await this.#putMeta(id, claim, entry.version);
      }
    } catch (e) {
      if (isMissingKey(e)) return undefined;
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
    // Another remover or writer got in first, or this very claim landed and
    // only its answer was lost, so the store's retry found the metadata
    // changed: by this claim. Then this remover won and counts the removal
    // (before, nobody did: the owner's usage kept the size for good, and the
    // DELETE answered 404).
    return await this.#landed(id, writeId);
  }

  /**
   * The version of `id`'s metadata when the write `writeId` made it (see
   * {@linkcode EntryMeta.writeId}), else undefined.
   */
  async #landed(id: string, writeId: string): Promise<string | undefined> {
    const now = await this.load(id);
    return now?.unreadable === undefined && now?.meta.writeId === writeId ? now.version : undefined;
  }

  /** Deletes the metadata `version` wrote (a new reservation since then stays). */
  async #deleteMeta(id: string, version: string): Promise<void> {
    this.#known.delete(id);
    try {
      await this.#store.delete([metaKey(id)], { ifMatch: version });
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
  }

  async #dropData(meta: EntryMeta): Promise<void> {
    if (meta.dataKey !== undefined) await this.#store.delete([meta.dataKey]);
  }

  /**
   * Deletes the data of `meta`, which the entry no longer points at: once
   * the switch has landed, the request has done its work (and counted it),
   * so a store failure here leaves only an orphan, which a sweep removes a
   * day later, rather than answering 503 for a file that is stored.
   */
  async #dropReplaced(meta: EntryMeta): Promise<void> {
    await this.#dropData(meta).catch(() => {});
  }

  async #putMeta(id: string, meta: EntryMeta, version: string | undefined): Promise<string> {
    const body = new TextEncoder().encode(JSON.stringify(meta));
    let result: PutResult;
    try {
      result = await this.#store.put(metaKey(id), body, {
        contentType: "application/json",
        ...(version === undefined ? { ifNoneMatch: "*" as const } : { ifMatch: version }),
      });
    } catch (e) {
      this.#known.delete(id); // changed elsewhere, or unknown after a failure
      throw e;
    }
    this.#remember(id, { meta, version: result.etag });
    return result.etag;
  }
}

/**
 * The error for an entry that other requests (other instances' uploads,
 * mostly) kept changing under every try: 503 with Retry-After, since trying
 * again soon works, where a plain Error would answer 500 as if the service
 * had failed.
 */
export function contended(id: string, what = "metadata kept changing"): HttpError {
  return new HttpError(
    503,
    `cache ${id} is being replaced by other requests (${what}); try again`,
    { headers: { "retry-after": "1" } },
  );
}

function metaKey(id: string): string {
  return `meta/${id}.json`;
}

/** Writes each identity's usage from `usage`, and zero for identities with no entries left. */
async function recount(
  store: ObjectStore,
  usage: Map<string, number>,
  signal: AbortSignal | undefined,
): Promise<number> {
  const counter = new UsageCounter(store, Infinity);
  for (const [owner, bytes] of usage) await counter.set(owner, bytes);
  const stale: string[] = [];
  const damaged: string[] = [];
  for await (
    const info of store.list(
      USAGE_PREFIX,
      signal === undefined ? { etags: false } : { signal, etags: false },
    )
  ) {
    // Only the keys the service names (`usage/<sha256 of owner>.json`).
    if (!/^usage\/[0-9a-f]{64}\.json$/.test(info.key)) continue;
    // Read outside the try: an answer that breaks off or is far too large is
    // the store's failure, not a damaged object to delete.
    const text = await readSmallObjectText(await store.get(info.key), `${store.url}/${info.key}`);
    let owner: unknown;
    try {
      owner = (JSON.parse(text) as { owner?: unknown })?.owner;
    } catch {
      owner = undefined;
    }
    // Damaged (not JSON, no owner): every counted identity's was rewritten
    // above, so this one's stores nothing, which a missing object says. It
    // failed the whole recount (`Unexpected token`, or a TypeError).
    if (typeof owner !== "string") damaged.push(info.key);
    else if (!usage.has(owner)) stale.push(owner);
  }
  for (const owner of stale) await counter.set(owner, 0);
  if (damaged.length > 0) await store.delete(damaged);
  return usage.size + stale.length;
}

function checkOwner(id: string, meta: EntryMeta, owner: string): void {
  if (meta.owner === owner) return;
  // The same user, authenticated by an instance given the auth URL spelled
  // otherwise: a setup slip, not someone else's ID, and said as one. The
  // other instance's URL goes to the log only (the client is not told the
  // auth service's address, see the 502s of KBaseAuth).
  if (sameUserOtherAuthUrl(meta.owner, owner)) {
    throw new HttpError(
      403,
      `cache ${id} belongs to this user as authenticated with another spelling of the auth ` +
        `URL (by another instance of the service): ask for its cache ID again here`,
      {
        detail: `the entry's owner is ${meta.owner}, this request's ${owner}: give every ` +
          `instance on the store the same --auth-url, spelled alike (the token_id, and so ` +
          `every cache ID, keeps it as written)`,
      },
    );
  }
  throw new HttpError(403, `cache ${id} belongs to another identity`);
}

/** Bytes that went through each {@linkcode counter} stream, by its readable side. */
const counted = new WeakMap<ReadableStream<Uint8Array>, number>();

/**
 * Counts the bytes passing through (and adds them to `hash`, when given);
 * past `max` the stream errors with `onExceeded(bytes so far)`.
 */
function counter(
  max: number,
  onExceeded: (received: number) => Error,
  hash?: Md5,
): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  const stream: TransformStream<Uint8Array, Uint8Array> = new TransformStream({
    transform(chunk, controller) {
      total += chunk.length;
      if (total > max) throw onExceeded(total);
      hash?.update(chunk);
      counted.set(stream.readable, total);
      controller.enqueue(chunk);
    },
  });
  counted.set(stream.readable, 0);
  return stream;
}

/**
 * `text` as an entry's metadata (JSON of an object with a string owner and
 * filename and numeric expiry and size), or why it is not one.
 */
function parseMeta(text: string): { meta: EntryMeta } | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { problem: "not JSON" };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { problem: "not a JSON object" };
  }
  const m = doc as Record<string, unknown>;
  for (const field of ["owner", "filename"]) {
    if (typeof m[field] !== "string") return { problem: `no string "${field}"` };
  }
  for (const field of ["expiresAt", "size"]) {
    if (typeof m[field] !== "number" || !Number.isFinite(m[field])) {
      return { problem: `no number "${field}"` };
    }
  }
  if (m.dataKey !== undefined && typeof m.dataKey !== "string") {
    return { problem: `"dataKey" is not a string` };
  }
  // The service names data `data/<id>/<uuid>`; any other key (written by
  // hand: `data/../x`, or `meta/…` of another entry) is not read or deleted.
  if (
    typeof m.dataKey === "string" &&
    (!m.dataKey.startsWith("data/") ||
      m.dataKey.split("/").some((s) => s === "" || s === "." || s === ".."))
  ) {
    return { problem: `"dataKey" ${JSON.stringify(m.dataKey)} is not a key under data/` };
  }
  // A damaged digest would fail every download of a good file: not a digest, not kept.
  if (m.md5 !== undefined && !(typeof m.md5 === "string" && /^[0-9a-f]{32}$/.test(m.md5))) {
    delete m.md5;
  }
  return { meta: doc as EntryMeta };
}
