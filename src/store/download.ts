/**
 * Verified download of one object to a local file, over any
 * {@linkcode ObjectStore}.
 *
 * The bytes go to a unique temp file next to the destination
 * (`.<name>.vc-tmp-<pid>-<random>`, an {@linkcode AtomicFile}), are checked
 * by a {@linkcode Verifier} (size, plain MD5, multipart MD5-of-MD5s, the
 * `vc-md5` metadata for opaque ETags, and an expected SHA-256 when given),
 * fsynced, and only then renamed into place. A partial or corrupt
 * file is therefore never visible at the destination, even if the process is
 * killed: at worst a temp file is left behind.
 *
 * Small objects take exactly one GET (its response supplies size and ETag).
 * Large ones are fetched with parallel ranged GETs (one connection to S3
 * tops out near 100 MB/s), each streamed to its offset in the file. For a
 * multipart ETag the ranges are aligned to the part size, so parts are hashed
 * as soon as they are complete; for one MD5 over everything (plain ETag,
 * `vc-md5`) a worker hashes the contiguous completed prefix of the file while
 * the ranges after it are still arriving, and the ranges in flight are kept
 * within a window of that prefix so it keeps moving. Memory stays bounded
 * whatever the size, and every ranged GET (a resume too) carries `If-Match`,
 * so an object replaced mid-download fails instead of mixing two versions.
 *
 * Content that fails its check (MD5, multipart ETag, pinned SHA-256) may
 * have been corrupted on the way (a proxy, a flaky link, a bit flipped in
 * transit). It is downloaded again from scratch, up to
 * `attempts` times in all with the downloader's backoff, each retry
 * conditional on the ETag that came corrupt (`If-Match`), so an object
 * replaced in between starts over as a version change and never mixes. A
 * body that ends early is resumed, not restarted (below).
 *
 * A download pinned by an integrity lock entry (`integrity`) is checked
 * against the pinned size and SHA-256 instead of the MD5/ETag hash: the
 * SHA-256 (hashed like the one MD5 stream above, from the contiguous prefix)
 * proves the bytes are exactly the published ones, which is more than the
 * ETag can say, and hashing both made a locked multipart download ~25%
 * slower on 2 cores (the part MD5s already keep every core busy). The ETag
 * still ties every range to the version the listing or HEAD named
 * (`If-Match`). Unpinned downloads are checked against the ETag as always.
 *
 * @module
 */
import { systemClock } from "../clock.ts";
import { forwardAbort } from "../abort_hub.ts";
import { AtomicFile } from "../atomic_write.ts";
import { fsPlatform } from "../fs_platform.ts";
import { fileAbove } from "../file_status.ts";
import {
  asAccessDenied,
  IntegrityError,
  InvalidInputError,
  OfflineError,
  PreconditionFailedError,
  StoreError,
  VcError,
} from "../errors.ts";
import { contentMd5, normalizeEtag, vcMd5Of } from "../hash.ts";
import { forEachLimit } from "../pool.ts";
import { checkPathArgument } from "../options_check.ts";
import { requireStore } from "./store_check.ts";
import { checkDownloadOptions } from "../download_options_check.ts";
import { joinUri } from "../uri.ts";
import { dirname } from "../path.ts";
import { printable } from "../printable.ts";
import {
  checksContent,
  type Computed,
  lockMismatch,
  type PartSizeSource,
  storeHolds,
  type StreamHasher,
  type Verified,
  Verifier,
} from "../verify.ts";
import {
  failuresAfter,
  fullJitterDelay,
  isStoreUnavailable,
  isTransientError,
  markGaveUp,
  retriedInFull,
  sleep,
} from "./retry.ts";
import type { GetResult, ObjectChecksum, ObjectInfo, ObjectStore } from "./types.ts";
import { REQUEST_TIMEOUT_HINT, retryReason, storeRetried } from "./retry_notice.ts";

const MiB = 1024 * 1024;

/** Objects at least this large are fetched with parallel ranged GETs (32 MiB). */
export const DEFAULT_PARALLEL_THRESHOLD: number = 32 * MiB;
/** Default size of one ranged GET (8 MiB), rounded to the multipart part size. */
export const DEFAULT_RANGE_SIZE: number = 8 * MiB;
/** Default number of ranged GETs in flight. */
export const DEFAULT_CONCURRENCY = 8;
/** Default attempts per range (the first try included) when a transfer fails without progress. */
export const DEFAULT_ATTEMPTS = 3;

/** Progress of a download. */
export interface DownloadProgress {
  /** Bytes written so far. */
  bytes: number;
  /** Object size. */
  total: number;
  /**
   * Of `bytes`, those an earlier run left in the file (a resumed download,
   * see {@linkcode PartialResume}): written then, not fetched now. Absent
   * when nothing was resumed.
   */
  resumed?: number;
}

/** Options of {@linkcode downloadToFile}. */
export interface DownloadOptions {
  /**
   * What a HEAD just said about the object. Large objects then skip the
   * initial GET and go straight to ranged GETs conditional on this ETag.
   */
  expected?: ObjectInfo;
  /** Ranged GETs in flight for large objects (default 8). */
  concurrency?: number | undefined;
  /** Size of one ranged GET (default 8 MiB; rounded to a multiple of the multipart part size). */
  partSize?: number | undefined;
  /** Objects at least this large use parallel ranged GETs (default 32 MiB). */
  parallelThreshold?: number | undefined;
  /**
   * Attempts per range when transfers fail without making progress, and
   * whole downloads when the content fails its check (default 3).
   */
  attempts?: number | undefined;
  /** Called as bytes are written. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborts the download; the temp file is removed. */
  signal?: AbortSignal;
  /** The object's URI for error messages (default: the store URL joined with the key). */
  uri?: string;
  /**
   * Content the caller pinned (an integrity lock entry): the size is checked
   * before any byte is fetched, the SHA-256 as the bytes arrive; a mismatch
   * is an `IntegrityError` and nothing is kept. The pinned SHA-256 replaces
   * the MD5/ETag hash check for this download (it is the stronger check; see
   * the module documentation), so `md5` is not reported.
   */
  integrity?: DownloadIntegrity;
  /** Part sizes recorded earlier for this multipart object (skips asking the store). */
  knownPartSizes?: readonly number[];
  /** Mode of the file at `dest` (e.g. 0o600 to keep a source's restrictive mode). */
  mode?: number;
}

/**
 * {@linkcode DownloadOptions} and what only the cache passes (so not part
 * of the public options: an `AtomicFile` cannot be made outside the
 * package): `temp` supplies the temp file to write (once per attempt)
 * instead of a fresh unique one, e.g. a locked shared temp file
 * (`AtomicFile.openShared`) that is the cache's cross-process lock. It is
 * committed like an own one; a shared one stays open after the commit, for
 * the caller to close, and after a failed attempt it is emptied, still
 * open and locked (`AtomicFile.rewind`), for the next attempt (the factory
 * may return it again while it is `writable`) or for the caller to discard.
 */
export interface TempDownloadOptions extends DownloadOptions {
  temp?: () => AtomicFile;
  /**
   * Give the file the object's last-modified time (as `aws s3 sync` and
   * rclone do) before it takes its name: a process killed right after the
   * commit never leaves it with the download's time, which those tools take
   * for a newer local file (the mirror's content check would not see it).
   */
  objectTime?: boolean;
  /**
   * Owner and group to give the file before it takes its name, where this
   * process may give them (root): those of a user's file it replaces.
   */
  owner?: { uid: number; gid: number };
  /**
   * Called once the content is verified and flushed, right before it replaces `dest`
   * (the asset cache keeps the copy it replaces under another name there,
   * until the new copy's record is written).
   */
  beforeCommit?: () => void;
  /**
   * Resumption of a large download across runs (the asset cache's, whose
   * locked shared temp file outlives a failed or interrupted run): where an
   * earlier run stopped, and where to note how far this one got.
   */
  resume?: PartialResume;
}

/**
 * How far a large download got, kept with its temp file so that a later run
 * goes on from there (see `src/cache/partial_download.ts`): a download with
 * parallel ranged GETs notes each time the completed prefix of its file
 * grows, and a run that stops for a reason that may pass (the store
 * unreachable, the connection cut after every retry, an interrupt) leaves
 * the temp file and the note. The next one asks only for the rest, with
 * `If-Match` on the ETag the note names (an object replaced meanwhile
 * starts over from byte 0), and hashes the kept prefix again from the file
 * as any range: the result is verified whole, as always.
 */
export interface PartialResume {
  /** What the temp file holds from an earlier run; asked once, by the first attempt. */
  take(): ResumePoint | undefined;
  /** Notes that bytes [0, done) of the temp file are `info`'s; false when it could not. */
  save(info: ObjectInfo, done: number): boolean;
  /** Forgets the note: its temp file is emptied, or complete. */
  forget(): void;
}

/** Where a download stopped: bytes [0, done) of version `info` are in its temp file. */
export interface ResumePoint {
  info: ObjectInfo;
  done: number;
}

/** Expected content of a download (see {@linkcode DownloadOptions.integrity}). */
export interface DownloadIntegrity {
  /** Exact size in bytes. */
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** What pinned it, for error messages (e.g. `/a.csv@1.0.0 in versioned_assets.lock.json`). */
  label?: string;
  /**
   * The lock file entry that pinned it, when one did: a mismatch whose
   * bytes are what the store holds (they match its own MD5) names the entry
   * as the likely culprit (edited by hand, taken from another branch), not
   * only the store's object.
   */
  lockedIn?: { file: string; entry: string };
}

/** What was downloaded: the object's info, plus its MD5 when the verification established it. */
export interface DownloadedObject extends ObjectInfo {
  /**
   * Hex MD5 of the whole content, when known: checked against a plain ETag
   * or `vc-md5` metadata; for an opaque ETag (SSE-KMS, SSE-C) without
   * `vc-md5`, the MD5 of the bytes written (nothing to compare it with).
   */
  md5?: string;
  /** Hex SHA-256, when `integrity` was given (and matched). */
  sha256?: string;
  /** Real multipart part sizes, when they had to be learned from the store (the last repeats). */
  partSizes?: number[];
  /**
   * The store's full-object checksum (`x-amz-checksum-*`) the content
   * matched, when that was the check: an opaque ETag (SSE-KMS, SSE-C)
   * without `vc-md5`, or a multipart ETag no part sizes explain.
   */
  checksumChecked?: ObjectChecksum;
}

/**
 * Downloads `key` from `store` to `dest`, verified, atomically. Returns the
 * info of the version that was written. Throws `NotFoundError` when the
 * object does not exist, `IntegrityError` (naming the URI, the expected and
 * the actual value) when the bytes do not match; on any failure `dest` is left
 * as it was and the temp file is removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadToFile } from "./download.ts";
 * import { MemoryStore } from "./memory.ts";
 * await using store = new MemoryStore();
 * await store.put("hello.txt", new TextEncoder().encode("hello"));
 * const dir = await Deno.makeTempDir();
 * try {
 *   const got = await downloadToFile(store, "hello.txt", `${dir}/hello.txt`);
 *   assert(got.md5 === "5d41402abc4b2a76b9719d911017c592");
 *   assert(await Deno.readTextFile(`${dir}/hello.txt`) === "hello");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function downloadToFile(
  store: ObjectStore,
  key: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadedObject> {
  try {
    requireStore("downloadToFile(): the store", store);
    checkPathArgument("downloadToFile(): the destination", dest);
    checkDownloadOptions("downloadToFile()", options);
  } catch (e) {
    return Promise.reject(e);
  }
  return checkDestination(dest, options.signal).then(() =>
    downloadWithTemp(store, key, dest, options)
  ).catch((e) => {
    // A script's --allow-write that leaves the destination out: Deno named
    // the temp file beside it, and the flag without a path.
    throw asAccessDenied(e, `downloadToFile(): cannot write ${dest}`, dirname(dest)) ?? e;
  });
}

/**
 * Refuses a destination no file can be written to, before any request: the
 * rename at the end failed there only after the whole object was fetched,
 * with the OS error naming the temp file. Any other problem (no permission
 * to look) is left to the download, which may still succeed.
 */
async function checkDestination(dest: string, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted(); // the abort's reason first, as for any call
  let isDirectory = false;
  try {
    isDirectory = (await Deno.lstat(dest)).isDirectory;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotADirectory)) return;
    const file = fileAbove(dest);
    throw new InvalidInputError(
      `downloadToFile(): cannot write the destination ${dest}: a file is where one of its ` +
        `directories belongs${file === undefined ? "" : `: ${file}`}`,
      { cause: e },
    );
  }
  if (isDirectory) {
    throw new InvalidInputError(
      `downloadToFile(): the destination ${dest} is a directory: give the path of the file to ` +
        `write in it`,
    );
  }
}

/**
 * Connection-level failures (a body cut short, a reset) surface from fetch
 * as bare `TypeError`s or I/O errors without the URI: name it, as a
 * `StoreError` (retryable, "unreachable" to the cache).
 */
function named(e: unknown, uri: string, dest: string): unknown {
  // fetch's TypeErrors ("error reading a body from connection", "fetch
  // failed"); a TypeError from a bug has other words and passes through.
  const fetchFailure = e instanceof TypeError &&
    /connection|fetch|body|network|socket|stream/i.test(e.message);
  const network = fetchFailure || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.ConnectionAborted || e instanceof Deno.errors.UnexpectedEof ||
    e instanceof Deno.errors.BrokenPipe || (e as Error | undefined)?.name === "Http";
  if (!network) return e;
  return new StoreError(
    `${uri}: the connection failed while downloading to ${dest}: ${
      (e as Error).message
    }; try again (check the endpoint and the network)`,
    { cause: e },
  );
}

/**
 * {@linkcode downloadToFile} with the cache's own options
 * ({@linkcode TempDownloadOptions}): its locked temp file. Another attempt
 * after corrupt content, a version change or ranges ignored.
 */
export async function downloadWithTemp(
  store: ObjectStore,
  key: string,
  dest: string,
  options: TempDownloadOptions,
): Promise<DownloadedObject> {
  let expected = options.expected;
  // Set for a retry after corrupt content: the version that came corrupt.
  let ifMatch: string | undefined;
  let changed = false;
  let sequential = false;
  // What the last corrupt attempt hashed to (see Corrupted.digest).
  let lastDigest: string | undefined;
  // How many attempts in a row ended with that digest.
  let sameRun = 0;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  options = monotonicProgress(options);
  try {
    for (let corrupt = 0;;) {
      try {
        return await downloadOnce(store, key, dest, options, expected, ifMatch);
      } catch (e) {
        if (e instanceof RangesIgnored && !sequential) {
          // Same version (the ranged GET matched its ETag), fetched as one stream.
          sequential = true;
          options = { ...options, parallelThreshold: Infinity };
          continue;
        }
        if (e instanceof VersionChanged) {
          // The object was replaced between our requests: start over once with the new version.
          if (changed) {
            throw new PreconditionFailedError(
              `${e.uri} changed twice while downloading it to ${dest}; try again`,
              { cause: e },
            );
          }
          changed = true;
          expected = undefined;
          ifMatch = undefined;
          continue;
        }
        if (!(e instanceof Corrupted)) throw e;
        if (e.resumed) {
          // The bytes an earlier run left failed the check with the rest (a
          // disk that lost or changed them): not the store's content nor
          // noise on the way; fetched whole at once, and not counted.
          expected = e.info;
          ifMatch = normalizeEtag(e.info.etag);
          continue;
        }
        // Content that failed its check may have been corrupted on the way (a
        // proxy, a flaky link): downloaded again from scratch (the temp file
        // emptied or a new one, fresh hashes), pinned to the version that came corrupt, so a
        // replacement meanwhile is a version change, never mixed in. Corrupt
        // every time: the store's copy is, or what stands between us and it.
        // The same wrong bytes twice are not noise on the way (that differs
        // each time): the store holds them, and a third try would fetch them
        // again (for a large object, its whole size again).
        const same = e.digest !== undefined && e.digest === lastDigest;
        lastDigest = e.digest;
        sameRun = same ? sameRun + 1 : 1;
        // Bytes that match the store's own MD5 are what it holds: fetched again, the same.
        if (++corrupt >= attempts || same || storeHolds.has(e.error)) {
          const coding = e.info.contentEncoding;
          throw new IntegrityError(
            coding !== undefined
              // Coded on the way (a proxy compressing answers): the same bytes
              // each time, yet not what the store holds.
              ? `${e.error.message}${attempts === 1 ? "" : ` after ${corrupt} attempts`}; the ` +
                `answer came with Content-Encoding: ${coding}: its bytes differ from what the ` +
                `store describes (its ETag and size), and something between vc and the store (a ` +
                `proxy) may have coded or changed them; let it pass answers unchanged`
              : attempts === 1 || storeHolds.has(e.error)
              ? e.error.message
              : same
              ? `${e.error.message}; the same content came ${sameRun} times: it is what the ` +
                `store holds, not damage on the way`
              : `${e.error.message} after ${corrupt} attempts`,
            { cause: e.error },
          );
        }
        expected = e.info;
        ifMatch = normalizeEtag(e.info.etag);
        await sleep(retryWait(e.error, corrupt, attempts), options.signal);
      }
    }
  } catch (e) {
    throw named(e, options.uri ?? joinUri(store.url, key), dest);
  }
}

/**
 * `options` whose progress never goes back: an attempt that starts over
 * (corrupt content, a version change) counts its bytes from zero again, and
 * a caller adding up the differences (prefill's, mirror's byte counts) or
 * drawing a bar would see them fall. What is below what was already
 * reported is not passed on; the attempt is reported again once past it.
 */
function monotonicProgress<T extends DownloadOptions>(options: T): T {
  const report = options.onProgress;
  if (report === undefined) return options;
  let reported = 0;
  return {
    ...options,
    onProgress: (p: DownloadProgress) => {
      if (p.bytes < reported) return;
      reported = p.bytes;
      report(p);
    },
  };
}

/** The object's ETag changed between two requests of one download. */
class VersionChanged extends Error {
  constructor(readonly uri: string, cause: unknown) {
    super(`${uri} changed during the download`, { cause });
  }
}

/** The downloaded content failed its check (`error`); `info`: the version it was. */
class Corrupted extends Error {
  constructor(
    readonly error: IntegrityError,
    readonly info: ObjectInfo,
    /** What the content hashed to ({@linkcode fingerprint}), when known. */
    readonly digest: string | undefined,
    /** Whether the attempt resumed an earlier run's partial (see {@linkcode PartialResume}). */
    readonly resumed = false,
  ) {
    super(error.message, { cause: error });
  }
}

/** The digests an attempt computed, as one string; undefined when none was. */
function fingerprint(computed: Computed): string | undefined {
  const digest = computed.md5 ?? computed.sha256 ?? computed.parts?.join(",");
  return digest === undefined || digest === "" ? undefined : digest;
}

/** A body ended before its range did; worth resuming. */
class Truncated extends Error {
  readonly retryable = true;
}

/**
 * A ranged GET of a parallel download came back as the whole object: the
 * server (or a proxy) ignores `Range`, so each of n ranges would bring up to
 * the whole object, n² / 2 ranges' worth of bytes in all (a 512 MiB object:
 * ~17 GB). The download starts over as one stream.
 */
class RangesIgnored extends Error {}

interface Context {
  store: ObjectStore;
  key: string;
  uri: string;
  dest: string;
  info: ObjectInfo;
  etag: string;
  attempts: number;
  signal: AbortSignal;
  written: number;
  onProgress: ((p: DownloadProgress) => void) | undefined;
  /** Whether ranged bodies are piped into the file (see pipeRange). */
  pipe: boolean;
  /** Whether this is a parallel download, which a server ignoring `Range` ends ({@linkcode RangesIgnored}). */
  parallel: boolean;
  /**
   * Whether `info` is an earlier run's note (see {@linkcode PartialResume}):
   * a file on the disk, which the store's answers must bear out.
   */
  resumed: boolean;
}

async function downloadOnce(
  store: ObjectStore,
  key: string,
  dest: string,
  options: TempDownloadOptions,
  expected: ObjectInfo | undefined,
  ifMatch: string | undefined,
): Promise<DownloadedObject> {
  const uri = options.uri ?? joinUri(store.url, key);
  const threshold = options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const outer = options.signal;
  if (outer?.aborted) throw outer.reason;
  // A signal of its own, that the first failed range of a parallel download
  // aborts to stop the others, following the caller's. Made when the
  // download turns out parallel (or there is no caller's signal): a small
  // object's single GET needs only the caller's, and a controller and a
  // listener per object are a cold prefill's to pay a thousand times.
  let controller: AbortController | undefined;
  let stopForwarding = (): void => {};
  const ownSignal = (): AbortSignal => {
    if (controller === undefined) {
      controller = new AbortController();
      stopForwarding = forwardAbort(outer, controller);
    }
    return controller.signal;
  };
  let signal = outer ?? ownSignal();
  try {
    let info: ObjectInfo;
    let first: ReadableStream<Uint8Array> | undefined;
    // A small body the store read whole: written as is, no stream.
    let firstBytes: Uint8Array | undefined;
    // An earlier run's partial of the version asked for: only the rest is fetched.
    const from = resumable(options.resume?.take(), expected, ifMatch, threshold, options.integrity);
    if (from !== undefined) {
      // No first GET: every ranged GET carries If-Match on the partial's ETag.
      info = from.info;
    } else if (expected !== undefined && expected.size >= threshold) {
      info = expected;
    } else {
      // One GET serves small objects whole and tells size and ETag of large ones.
      const r = await getWithRetries(store, key, uri, attempts, signal, ifMatch);
      info = r.info;
      if (r.bytes !== undefined && info.size < threshold) firstBytes = r.bytes;
      else first = r.body;
    }
    const parallel = info.size >= threshold;
    if (parallel) {
      const asked = signal;
      signal = ownSignal();
      if (first !== undefined && asked !== signal) {
        // The first GET went with the caller's signal; its body serves range
        // 0, and stops with the others when one range fails (else the
        // failure waited for that part whole, or as long as it stalled).
        first = first.pipeThrough(new TransformStream(), { signal });
      }
    }
    const ctx: Context = {
      store,
      key,
      uri,
      dest,
      info,
      etag: normalizeEtag(info.etag),
      attempts,
      signal,
      written: 0,
      onProgress: options.onProgress,
      pipe: true,
      parallel,
      resumed: from !== undefined,
    };
    let verifier: Verifier;
    let temp: AtomicFile;
    try {
      // First: a response with nothing to check it by (a proxy's or captive
      // portal's page, no ETag) is refused as such, whatever its size.
      verifier = new Verifier(info, verifierOptions(store, key, uri, dest, options));
      const pinned = options.integrity;
      if (pinned !== undefined && pinned.size !== info.size) {
        throw new IntegrityError(
          `${pinned.label ?? uri}: ${uri} has size ${info.size}, but size ${pinned.size} is ` +
            `pinned; ${
              pinned.lockedIn === undefined
                ? "the object in the store was replaced or corrupted, nothing was cached"
                : `nothing was cached: ${await lockMismatch(
                  pinned.lockedIn,
                  info.lastModified,
                  "or the object in the store was replaced",
                )}`
            }`,
        );
      }
      temp = options.temp?.() ??
        AtomicFile.create(dest, options.mode !== undefined ? { mode: options.mode } : {});
      // A partial kept for resumption that this attempt does not resume
      // (a refresh's other version, a retry): emptied, its note gone.
      if (from === undefined && temp.keepsPartial) {
        options.resume?.forget();
        temp.reset();
      }
      // Held until commit closes the file: a sweeper that can take this lock
      // knows the writer is dead, without reading /proc (which Deno gates
      // behind --allow-all). Best effort: some filesystems have no flock.
      // A shared temp file (the entry's lock) is locked already. Not where
      // locks are mandatory (Windows): they would fail the ranged writes and
      // read-back checks, which use second handles.
      if (!temp.shared && !fsPlatform.mandatoryLocks) {
        try {
          temp.file.tryLockSync(true);
        } catch {
          // No locks here: the sweep falls back to the file's age.
        }
      }
    } catch (e) {
      await first?.cancel().catch(() => {});
      throw e;
    }
    const plan = verifier.plan;
    let done = false;
    // The temp file stays as it is (its prefix noted for the next run).
    let keep = false;
    // Nothing noted where kept bytes could not be checked (see contentIsChecked).
    const resume = ctx.parallel && contentIsChecked(info, options.integrity)
      ? options.resume
      : undefined;
    try {
      let computed: Computed;
      if (!ctx.parallel) {
        // A body read whole, of the size announced: written and hashed here, at once.
        computed = firstBytes !== undefined && firstBytes.length === info.size
          ? writeWhole(ctx, temp, firstBytes, verifier)
          : await downloadSequential(ctx, temp, first ?? firstBytes, verifier);
      } else {
        // A note left from an earlier partial must never describe this
        // attempt's bytes (one unlink per large download).
        if (from === undefined) resume?.forget();
        computed = await downloadParallel(ctx, temp, first, plan, {
          concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
          rangeSize: Math.max(1, options.partSize ?? DEFAULT_RANGE_SIZE),
          resumeAt: from?.done ?? 0,
          onPrefix: resume === undefined ? undefined : (bytes) => {
            // Only a shared temp file outlives this run (a unique one is removed).
            if (temp.shared && resume.save(info, bytes)) temp.keepsPartial = true;
          },
        }, controller!);
      }
      let verified: Verified;
      try {
        // Settled by what was hashed on the way (a small object's MD5): no await.
        verified = verifier.checkComputed(computed) ??
          await verifier.verify(temp.path, computed, signal);
      } catch (e) {
        throw e instanceof IntegrityError
          ? new Corrupted(e, info, fingerprint(computed), from !== undefined)
          : e;
      }
      if (options.objectTime) {
        try {
          temp.file.utimeSync(new Date(), info.lastModified);
        } catch {
          // A file system that keeps no such time: the file keeps its own.
        }
      }
      if (options.owner !== undefined) {
        await Deno.chown(temp.path, options.owner.uid, options.owner.gid).catch(() => {});
      }
      await temp.commit(options.beforeCommit);
      done = true;
      if (temp.keepsPartial || from !== undefined) resume?.forget();
      // An empty object had no chunk to report: say it is complete, so a
      // caller can tell a download (progress seen) from a cache hit (none).
      if (info.size === 0) options.onProgress?.({ bytes: 0, total: 0 });
      return { ...info, ...verified };
    } catch (e) {
      // Stopped by what may pass (see PartialResume): the noted prefix stays
      // for the next run, and the caller's discard leaves the file.
      keep = temp.keepsPartial && worthResuming(e, outer);
      throw e;
    } finally {
      // A shared temp file (the caller's lock) is emptied and kept for the
      // next attempt: discarding it would let another process take the
      // entry over between two attempts. Any other is removed.
      if (!done && !keep) {
        if (temp.keepsPartial) resume?.forget();
        temp.rewind();
      }
    }
  } finally {
    stopForwarding();
  }
}

/**
 * `point` when this attempt may resume it: the first attempt, of a download
 * in ranges, of the version asked for (a refresh's HEAD named one), whose
 * finished file is checked by its content (see {@linkcode contentIsChecked}).
 */
function resumable(
  point: ResumePoint | undefined,
  expected: ObjectInfo | undefined,
  ifMatch: string | undefined,
  threshold: number,
  integrity: DownloadIntegrity | undefined,
): ResumePoint | undefined {
  if (point === undefined || ifMatch !== undefined || point.info.size < threshold) return undefined;
  // A store checksum comes only with a whole object, never with the ranges
  // that fetch the rest: what the note says of it is not borne out by the
  // store, and goes (see checkedAsNoted).
  const { checksum: _, ...info } = point.info;
  point = { ...point, info };
  if (!contentIsChecked(point.info, integrity)) return undefined;
  if (
    expected !== undefined &&
    (normalizeEtag(expected.etag) !== normalizeEtag(point.info.etag) ||
      expected.size !== point.info.size)
  ) return undefined;
  return point;
}

/**
 * Whether the finished file of `info` is checked against a hash of the
 * object's content (see {@linkcode checksContent}). Only then may a download
 * resume kept bytes: kept bytes changed on the disk since they were noted (a
 * crash before the kernel flushed them, an edit) would otherwise be cached
 * as the object's, mixed with the rest.
 */
function contentIsChecked(info: ObjectInfo, integrity: DownloadIntegrity | undefined): boolean {
  return checksContent(info, integrity?.sha256);
}

/**
 * Whether a download that failed with `e` leaves its partial for a later
 * run: interrupted, or stopped by the store or the connection (unreachable,
 * 5xx after every retry, a body cut short every time); not for content or a
 * version that is wrong, nor a local failure (a full disk: the partial goes,
 * freeing its room).
 */
function worthResuming(e: unknown, outer: AbortSignal | undefined): boolean {
  if (outer?.aborted === true) return true;
  if (e instanceof VersionChanged || e instanceof RangesIgnored || e instanceof Corrupted) {
    return false;
  }
  if (e instanceof IntegrityError) return e.cause instanceof Truncated;
  return isStoreUnavailable(e);
}

/**
 * The wait before the next attempt after failed `attempt` (of `attempts`),
 * told to whoever listens (see retry_notice.ts) with where it resumes: a
 * resumed download is otherwise as silent as a hung one.
 */
function retryWait(e: unknown, attempt: number, attempts: number, resumeAt?: number): number {
  const delayMs = fullJitterDelay(attempt, 50, 2_000);
  storeRetried({
    reason: retryReason(e),
    error: e,
    attempt,
    maxAttempts: attempts,
    delayMs,
    ...(resumeAt === undefined ? {} : { resumeAt }),
  });
  return delayMs;
}

async function getWithRetries(
  store: ObjectStore,
  key: string,
  uri: string,
  attempts: number,
  signal: AbortSignal,
  ifMatch: string | undefined,
): Promise<GetResult> {
  const options = ifMatch === undefined ? { signal } : { signal, ifMatch };
  const since = performance.now();
  for (let attempt = 1;; attempt++) {
    let r: GetResult;
    try {
      r = await store.get(key, options);
    } catch (e) {
      if (e instanceof PreconditionFailedError) throw new VersionChanged(uri, e);
      if (signal.aborted || !retryable(e)) throw e;
      if (attempt >= attempts) throw gaveUp(e, attempt, since);
      await sleep(retryWait(e, attempt, attempts), signal);
      continue;
    }
    // A store that ignores If-Match must not hand a retry another version.
    if (ifMatch !== undefined && normalizeEtag(r.info.etag) !== ifMatch) {
      await r.body.cancel().catch(() => {});
      throw new VersionChanged(
        uri,
        new Error(`ETag ${printable(r.info.etag)}, expected ${ifMatch}`),
      );
    }
    return r;
  }
}

/**
 * `e`, the failure of the last of `tries` GETs (since `since`, a
 * `performance.now()`), said as a store's retries say theirs,
 * `(gave up after 3 attempts over 1 min 30 s)`: a body that stalled on each
 * said one timeout, as if it had been asked for once.
 */
function gaveUp(e: unknown, tries: number, since: number): unknown {
  if (tries > 1) markGaveUp(e, tries, performance.now() - since);
  return e;
}

function retryable(e: unknown): boolean {
  if (e instanceof Truncated) return true;
  // The store retried it already, as often as it was told to (S3Store: a
  // 503 SlowDown five times, with backoff): not multiplied here.
  if (retriedInFull(e)) return false;
  if (e instanceof VersionChanged || e instanceof RangesIgnored) return false;
  // A store error may be a 5xx or a reset worth another try, and a body that
  // stalled (an OfflineError marked retryable) too; any other vc error is a verdict.
  if (e instanceof VcError) {
    return (e instanceof StoreError || (e as { retryable?: unknown }).retryable === true) &&
      isTransientError(e);
  }
  return isTransientError(e);
}

// ---------------------------------------------------------------------------
// Transfer

/**
 * A body the store read whole (`bytes`, of the announced size) written to
 * `temp` and hashed, as {@linkcode downloadSequential} does with it (the same
 * write, hash and progress, see `take`), without its async calls: a small
 * object's download is a thousand of these in a cold prefill. A failed write
 * fails the download (no range of a body read whole is fetched again).
 */
function writeWhole(
  ctx: Context,
  temp: AtomicFile,
  bytes: Uint8Array,
  verifier: Verifier,
): Computed {
  // Bytes a directory store hashed itself for their ETag (a small file read
  // whole): hashed again, they would be checked against their own hash.
  const known = verifier.md5Only ? contentMd5(bytes) : undefined;
  if (known !== undefined) {
    take(ctx, bytes, new InlineSink(temp.file, undefined), { pos: 0 }, ctx.info.size, true);
    return { md5: known };
  }
  const hasher = verifier.hasher();
  take(ctx, bytes, new InlineSink(temp.file, hasher), { pos: 0 }, ctx.info.size, true);
  return hasher.finish();
}

async function downloadSequential(
  ctx: Context,
  temp: AtomicFile,
  first: ReadableStream<Uint8Array> | Uint8Array | undefined,
  verifier: Verifier,
): Promise<Computed> {
  const hasher = verifier.hasher();
  await fetchRange(ctx, new InlineSink(temp.file, hasher), 0, ctx.info.size, first, true);
  return hasher.finish();
}

function verifierOptions(
  store: ObjectStore,
  key: string,
  uri: string,
  dest: string,
  options: DownloadOptions,
): ConstructorParameters<typeof Verifier>[1] {
  const out: ConstructorParameters<typeof Verifier>[1] = { uri, dest };
  if (options.integrity !== undefined) {
    out.sha256 = options.integrity.sha256;
    // The stronger check replaces the MD5 (see the module documentation).
    out.pinOnly = true;
    if (options.integrity.label !== undefined) out.pinnedBy = options.integrity.label;
    if (options.integrity.lockedIn !== undefined) out.lockedIn = options.integrity.lockedIn;
  }
  if (options.knownPartSizes !== undefined) out.knownPartSizes = options.knownPartSizes;
  const partSize = partSizeSource(store, key);
  if (partSize !== undefined) out.partSize = partSize;
  return out;
}

/** How to learn a multipart object's real part sizes, when the store can tell. */
function partSizeSource(store: ObjectStore, key: string): PartSizeSource | undefined {
  const fn = store.partSize;
  if (fn === undefined) return undefined;
  return (n, signal) => fn.call(store, key, n, { signal });
}

/**
 * Fetches [0, size) with up to `concurrency` ranged GETs in flight, each
 * piped to its offset in the temp file, and hashes on worker threads what
 * is complete: whole parts for a multipart ETag, or, for one MD5 over
 * everything, the contiguous completed prefix (ranges are fed to the worker
 * in file order as soon as every range before them is finished).
 */
async function downloadParallel(
  ctx: Context,
  temp: AtomicFile,
  first: ReadableStream<Uint8Array> | undefined,
  plan: Verifier["plan"],
  opts: {
    concurrency: number;
    rangeSize: number;
    /** Bytes [0, resumeAt) are in the file already (an earlier run's): hashed, not fetched. */
    resumeAt: number;
    /** Called as the completed prefix of the file grows, with its length. */
    onPrefix: ((bytes: number) => void) | undefined;
  },
  controller: AbortController,
): Promise<Computed> {
  const size = ctx.info.size;
  const segmented = plan.segment > 0 && plan.segment !== Infinity;
  // Align ranges to the part size, so each range holds whole parts.
  const rangeSize = segmented
    ? plan.segment * Math.max(1, Math.round(opts.rangeSize / plan.segment))
    : opts.rangeSize;
  // Ranges are made as they are fetched, not planned up front: a size a
  // broken or hostile store claims (petabytes) was a billion range objects,
  // and vc died out of memory before sending a request.
  const count = Math.ceil(size / rangeSize);
  const rangeAt = (index: number) => {
    const start = index * rangeSize;
    return { start, end: Math.min(start + rangeSize, size) };
  };
  // Hashing runs on a worker that reads completed ranges back from the page
  // cache, so this thread only moves bytes. Without a worker (or if it
  // fails), verify() hashes the finished file here instead.
  // Parts are independent: hash them on as many cores as there are (one MD5
  // stream, for a plain ETag, is sequential by nature). Piped ranges leave
  // this thread nearly idle, so it does not need a core of its own.
  // A pinned SHA-256 (integrity lock) is a sequential stream too; it replaces
  // the MD5 (plan.segment is then 0), so it has the one worker to itself.
  const wantSha = plan.sha256 !== undefined;
  const workers = segmented ? Math.min(4, Math.max(1, navigator.hardwareConcurrency)) : 1;
  // Its module loads only here: a small object's download never needs it.
  const hasher = plan.segment > 0 || wantSha
    ? (await import("./download_hasher.ts")).HashPool.start(workers)
    : undefined;
  let hashing = hasher !== undefined;
  const parts: string[] = [];
  const partJobs: Promise<void>[] = [];
  // One running MD5 can only take the contiguous completed prefix: ranges
  // [0, prefix) are all written. A range that finishes ahead of a slow one
  // waits (as a flag) until the gap closes.
  const sequential = hasher !== undefined && !segmented && plan.segment > 0;
  const shaStream = hasher !== undefined && wantSha;
  const trackPrefix = sequential || shaStream;
  // Ranges finished ahead of the prefix (at most a window of them).
  const complete = new Set<number>();
  let prefix = 0;
  // A slow range holds the prefix back; without a bound the other
  // connections would run on to the end and leave all the hashing for after
  // the download. Two windows of connections keep them busy past a straggler.
  const window = 2 * opts.concurrency;
  let advanced = Promise.withResolvers<void>();
  const wake = () => {
    advanced.resolve();
    advanced = Promise.withResolvers<void>();
  };
  const rangeDone = (index: number) => {
    if (segmented && hashing && hasher !== undefined) {
      const { start, end } = rangeAt(index);
      partJobs.push(
        hasher.segments(temp.path, start, end, plan.segment).then(
          (md5s) => md5s.forEach((md5, j) => parts[start / plan.segment + j] = md5),
          () => void (hashing = false),
        ),
      );
    }
    if (!trackPrefix) return;
    complete.add(index);
    const before = prefix;
    while (prefix < count && complete.delete(prefix)) {
      const { start, end } = rangeAt(prefix++);
      // The workers queue these in order and read each once it is final.
      if (sequential) hasher.stream(WHOLE, temp.path, start, end);
      if (shaStream) hasher.stream(SHA, temp.path, start, end, "sha256");
    }
    if (prefix > before) wake();
  };

  // Whole ranges of the earlier run's prefix (a range size changed since
  // rounds down: what is past it is fetched again).
  const kept = Math.min(Math.floor(opts.resumeAt / rangeSize), count);
  if (kept > 0) {
    ctx.written = rangeAt(kept - 1).end;
    // Told with every progress of this attempt: a caller counting the bytes
    // fetched (the mirror's summary) must not count the kept ones.
    const report = ctx.onProgress;
    if (report !== undefined) {
      const resumed = ctx.written;
      ctx.onProgress = (p) => report({ ...p, resumed });
      ctx.onProgress({ bytes: ctx.written, total: size });
    }
  }
  // The completed prefix as the next run may resume it (see PartialResume).
  const finished = new Set<number>();
  let finishedPrefix = kept;
  const noteFinished = (index: number) => {
    if (opts.onPrefix === undefined) return;
    finished.add(index);
    const before = finishedPrefix;
    while (finished.delete(finishedPrefix)) finishedPrefix++;
    if (finishedPrefix > before && finishedPrefix < count) {
      opts.onPrefix(rangeAt(finishedPrefix - 1).end);
    }
  };

  let initial = first;
  let failure: { error: unknown } | undefined;
  const fetchOne = async (index: number) => {
    try {
      while (trackPrefix && index >= prefix + window && failure === undefined) {
        await advanced.promise;
      }
      if (failure !== undefined) return;
      const { start, end } = rangeAt(index);
      if (index < kept) {
        // In the file already: hashed from there like any finished range.
        rangeDone(index);
        return;
      }
      if (index === 0 && initial !== undefined) {
        // The first GET's body serves range 0 (then it is cancelled).
        const body = initial;
        initial = undefined;
        // Its own handle, so seeks never interfere with other ranges.
        using file = Deno.openSync(temp.path, { write: true });
        await fetchRange(ctx, new InlineSink(file, undefined), start, end, body, false);
      } else {
        await pipeRange(ctx, temp.path, start, end);
      }
      rangeDone(index);
      noteFinished(index);
    } catch (error) {
      // The first failure stops everyone; later ones are mostly the resulting aborts.
      if (failure === undefined) {
        failure = { error };
        controller.abort(error);
        wake(); // runners waiting for the prefix must see the failure
      }
      throw error;
    }
  };
  try {
    await forEachLimit(
      indexes(count),
      Math.min(opts.concurrency, count),
      (index) => fetchOne(index),
    ).catch(() => {}); // the first failure is kept in `failure`
    if (failure !== undefined) {
      await initial?.cancel().catch(() => {});
      throw failure.error;
    }
    // Hashes may still be running: flush the file to disk meanwhile.
    temp.startSync();
    if (hasher === undefined) return {};
    const computed: Computed = {};
    if (segmented) {
      await Promise.all(partJobs);
      if (hashing) computed.parts = parts;
    } else if (sequential) {
      // Read back from the file while other ranges were being written: a
      // mismatch is confirmed from the finished file before it is reported.
      await hasher.digest(WHOLE).then((md5) => {
        computed.md5 = md5;
        computed.readBack = true;
      }, () => {});
    }
    if (shaStream) {
      await hasher.digest(SHA).then((sha256) => {
        computed.sha256 = sha256;
        computed.readBack = true;
      }, () => {}); // without it, verify() hashes the finished file
    }
    return computed;
  } finally {
    hasher?.terminate();
  }
}

/** 0, 1, ... `count - 1`, made as they are asked for. */
function* indexes(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** Stream id of the whole-object MD5 on the hash workers. */
const WHOLE = 1;
/** Stream id of the pinned SHA-256 (which replaces the MD5 in a download; see the module doc). */
const SHA = 2;

/**
 * How often a piped range ({@linkcode pipeRange}) tells how far its body got
 * (ms): its bytes are copied without JavaScript, so nothing else would say.
 */
const PIPE_PROGRESS_MS = 250;

/** Where downloaded bytes go. */
interface Sink {
  /** Takes a chunk; the chunk may be reused by the caller once this returns (or resolves). */
  write(chunk: Uint8Array): void | Promise<void>;
}

/** Writes and hashes in this thread: small objects, where a worker would cost more than it saves. */
class InlineSink implements Sink {
  constructor(readonly file: Deno.FsFile, readonly hasher: StreamHasher | undefined) {}
  write(chunk: Uint8Array): void {
    // Written before hashed: a failed write must not leave the hash ahead of the file.
    writeAll(this.file, chunk);
    this.hasher?.update(chunk);
  }
}

/**
 * Fetches bytes [start, end) of the object into the temp file by piping a
 * ranged GET's body into a file handle. When the body comes straight from
 * `fetch`, Deno copies socket to file without involving JavaScript, leaving
 * this thread (and a core) free; the handle's position then tells exactly how
 * far it got, so a broken body is resumed from there.
 *
 * Other bodies go through the file's `WritableStream`, which may hold back a
 * tail of up to 64 KiB until it is closed: the position falls short of what
 * was piped. Each attempt therefore uses its own handle (a held-back tail is
 * dropped with it, or lands where it belongs), and a short pipe switches this
 * download to {@linkcode fetchRange}, which writes every chunk itself.
 * Progress is told from the handle's position as the body arrives (every
 * {@linkcode PIPE_PROGRESS_MS}), not only when the range is done: on a slow
 * link a range of 8 MiB took a minute, in which the bar stood still at
 * `0 B/s`, then jumped.
 */
async function pipeRange(
  ctx: Context,
  path: string,
  start: number,
  end: number,
  initial?: ReadableStream<Uint8Array>,
): Promise<void> {
  let pos = start;
  let failures = 0;
  let tries = 0;
  const since = performance.now();
  let first = initial;
  while (pos < end) {
    if (!ctx.pipe) {
      using file = Deno.openSync(path, { write: true });
      file.seekSync(pos, Deno.SeekMode.Start);
      await fetchRange(ctx, new InlineSink(file, undefined), pos, end, first, false);
      return;
    }
    const before = pos;
    tries++;
    try {
      // A whole-object body from the first GET: more bytes than [start, end) is an error below.
      const body = first ?? await rangedGet(ctx, pos, end, true);
      first = undefined;
      {
        using file = Deno.openSync(path, { write: true });
        file.seekSync(pos, Deno.SeekMode.Start);
        // A raw body has no idle guard of its own (GetOptions.rawBody): one
        // that sends nothing for the store's request timeout is dropped and
        // resumed from the handle's position, like a reset.
        const idleMs = ctx.store.idleTimeoutMs ?? 0;
        const stalled = new AbortController();
        let watchdog: ReturnType<typeof setInterval> | undefined;
        // The bytes of this attempt told as progress so far: up to this position.
        let told = pos;
        const tell = (at: number) => {
          if (at <= told) return;
          ctx.written += at - told;
          told = at;
          ctx.onProgress?.({ bytes: ctx.written, total: ctx.info.size });
        };
        if (idleMs > 0 || ctx.onProgress !== undefined) {
          // The store's clock: a test's ManualClock stalls a body only when advanced.
          const clock = ctx.store.clock ?? systemClock;
          let seen = pos;
          let since = clock.now();
          watchdog = setInterval(() => {
            let at: number;
            try {
              at = file.seekSync(0, Deno.SeekMode.Current);
            } catch {
              // A failed write closed the handle (see writeError): the pipe
              // fails with that error; thrown here, it killed the process.
              clearInterval(watchdog);
              return;
            }
            try {
              tell(at);
            } catch (error) {
              // The caller's listener threw: thrown here, it killed the
              // process; it fails this download, as it does from a pump.
              clearInterval(watchdog);
              stalled.abort(error);
              return;
            }
            if (idleMs <= 0) return;
            if (at !== seen) {
              seen = at;
              since = clock.now();
            } else if (clock.now() - since >= idleMs) {
              clearInterval(watchdog);
              stalled.abort(Object.assign(
                new OfflineError(
                  `${ctx.uri}: a ranged GET sent nothing for ${idleMs / 1000} s at byte ${at}` +
                    REQUEST_TIMEOUT_HINT,
                ),
                { retryable: true },
              ));
            }
          }, idleMs > 0 ? Math.max(10, Math.min(PIPE_PROGRESS_MS, idleMs / 4)) : PIPE_PROGRESS_MS);
        }
        const writable = file.writable;
        let pipeFailed: { error: unknown } | undefined;
        try {
          await body.pipeTo(writable, {
            preventClose: true,
            preventAbort: true,
            signal: watchdog === undefined
              ? ctx.signal
              : AbortSignal.any([ctx.signal, stalled.signal]),
          });
        } catch (error) {
          pipeFailed = { error };
        }
        clearInterval(watchdog);
        // A failed write (a full disk) closes the handle, and a body that
        // ended meanwhile still resolves the pipe: the write's own error
        // is what failed, not the position of a closed handle.
        const failedWrite = await writeError(writable);
        if (failedWrite !== undefined) throw failedWrite;
        pos = file.seekSync(0, Deno.SeekMode.Current);
        tell(pos);
        if (pipeFailed !== undefined) throw pipeFailed.error;
      }
      if (pos > end) {
        throw new IntegrityError(
          `${ctx.uri}: the store sent ${pos - before} bytes for a range of ${
            end - before
          } (downloading to ${ctx.dest})`,
        );
      }
      if (pos < end) ctx.pipe = false; // see above; fetchRange takes over
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!retryable(e)) throw e;
      failures = failuresAfter(failures, pos - before, end - before);
      if (failures >= ctx.attempts) throw gaveUp(e, tries, since);
      await sleep(retryWait(e, failures, ctx.attempts, pos), ctx.signal);
    }
  }
}

/**
 * The error a write into `writable` failed with, once it has no write in
 * flight; undefined while it is still writable.
 */
async function writeError(writable: WritableStream<Uint8Array>): Promise<unknown> {
  const writer = writable.getWriter();
  try {
    // null only for an errored (or erroring) stream, whose `closed` rejects.
    if (writer.desiredSize !== null) return undefined;
    return await writer.closed.then(() => undefined, (e: unknown) => e);
  } finally {
    writer.releaseLock();
  }
}

/**
 * Streams bytes [start, end) of the object to `sink` (positioned at `start`),
 * resuming with ranged GETs after truncations and resets.
 * `exact`: the body must end exactly at `end` (a whole-object GET).
 */
async function fetchRange(
  ctx: Context,
  sink: Sink,
  start: number,
  end: number,
  initial: ReadableStream<Uint8Array> | Uint8Array | undefined,
  exact: boolean,
): Promise<void> {
  // Shared with pump, so bytes written before a failure are never fetched twice.
  const cursor = { pos: start };
  let body = initial;
  let failures = 0;
  let tries = 0;
  const since = performance.now();
  while (true) {
    const before = cursor.pos;
    tries++;
    try {
      let wholeObject = exact && cursor.pos === 0 && body !== undefined;
      if (body === undefined) {
        if (cursor.pos >= end) return;
        body = await rangedGet(ctx, cursor.pos, end);
        wholeObject = false;
      }
      const current = body;
      body = undefined;
      if (current instanceof Uint8Array) {
        // A body read whole by the store: one chunk, the same checks as pump's.
        const wrote = take(ctx, current, sink, cursor, end, wholeObject);
        if (wrote !== undefined) await wrote;
      } else await pump(ctx, current, sink, cursor, end, wholeObject);
      if (cursor.pos < end) {
        throw new Truncated(
          `${ctx.uri}: body ended at byte ${cursor.pos}, expected ${end} (of ${ctx.info.size})`,
        );
      }
      return;
    } catch (e) {
      body = undefined;
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!retryable(e)) throw e;
      // Failures that made progress don't count against the limit: a flaky
      // connection still finishes, a dead one stops after `attempts` tries.
      failures = failuresAfter(failures, cursor.pos - before, end - before);
      if (failures >= ctx.attempts) {
        if (e instanceof Truncated) {
          throw new IntegrityError(`${e.message} after ${failures} attempts`, { cause: e });
        }
        throw gaveUp(e, tries, since);
      }
      await sleep(retryWait(e, failures, ctx.attempts, cursor.pos), ctx.signal);
    }
  }
}

async function rangedGet(
  ctx: Context,
  pos: number,
  end: number,
  rawBody = false,
): Promise<ReadableStream<Uint8Array>> {
  let r;
  try {
    r = await ctx.store.get(ctx.key, {
      range: { start: pos, end: end - 1 },
      ifMatch: ctx.etag,
      signal: ctx.signal,
      // For pipeRange: fetch's own body is copied to the file without JavaScript.
      ...(rawBody ? { rawBody } : {}),
    });
  } catch (e) {
    if (e instanceof PreconditionFailedError) throw new VersionChanged(ctx.uri, e);
    throw e;
  }
  const sameEtag = normalizeEtag(r.info.etag) === ctx.etag;
  if (sameEtag && r.info.size !== ctx.info.size && !ctx.resumed) {
    // One version has one size: an answer cut short with a Content-Length
    // to match (a proxy), or a store that tells two sizes. Not a replaced
    // object, and another try brings the same answers. (A resume's size is
    // an earlier run's note, which the store's answer overrules: below.)
    await r.body.cancel().catch(() => {});
    throw new IntegrityError(
      `${ctx.uri}: the store's answers disagree on its size under one ETag ` +
        `${printable(r.info.etag)}: ${ctx.info.size} bytes in an earlier answer, ${r.info.size} ` +
        `bytes in the answer to a ranged GET (bytes=${pos}-${end - 1}); something between vc and ` +
        `the store (a proxy) may cut its answers short (downloading to ${ctx.dest})`,
    );
  }
  if (!sameEtag || r.info.size !== ctx.info.size) {
    await r.body.cancel().catch(() => {});
    throw new VersionChanged(
      ctx.uri,
      new Error(`ETag ${printable(r.info.etag)} (${r.info.size} bytes), expected ${ctx.etag}`),
    );
  }
  if (ctx.resumed && !checkedAsNoted(r.info, ctx.info)) {
    // Not checked as the note says: started over as the store describes it.
    await r.body.cancel().catch(() => {});
    throw new VersionChanged(
      ctx.uri,
      new Error("the store describes how to check it otherwise than the partial's note"),
    );
  }
  // One stream resumed with whole-object answers re-reads what it has, once
  // per cut; parallel ranges would each re-read everything before them.
  if (r.rangeIgnored === true && ctx.parallel) {
    await r.body.cancel().catch(() => {});
    throw new RangesIgnored(`${ctx.uri}: the store ignores Range`);
  }
  return r.body;
}

/**
 * Whether the store's answer `got` describes the check of the finished file
 * as a resume note's `noted` does: an opaque ETag or not, and the same
 * `vc-md5` (or rclone's MD5). The note is a file beside the partial, which anyone who may
 * write there (another local user, an archive extracted into a mirror's
 * target) may have planted with bytes of their own: saying the ETag is
 * opaque and giving a `vc-md5` of those bytes would otherwise have them
 * pass as the object's.
 */
function checkedAsNoted(got: ObjectInfo, noted: ObjectInfo): boolean {
  return (got.opaqueEtag === true) === (noted.opaqueEtag === true) &&
    vcMd5Of(got) === vcMd5Of(noted);
}

/** Copies a body to the sink until `end`, advancing `cursor.pos` as bytes are taken. */
async function pump(
  ctx: Context,
  body: ReadableStream<Uint8Array>,
  sink: Sink,
  cursor: { pos: number },
  end: number,
  wholeObject: boolean,
): Promise<void> {
  const reader = body.getReader();
  let ended = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      const wrote = take(ctx, value, sink, cursor, end, wholeObject);
      if (wrote !== undefined) await wrote;
      // A whole-object body is read to its end to detect extra bytes; a range stops here.
      if (cursor.pos >= end && !wholeObject) return;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Writes one chunk of a body to the sink at `cursor.pos`, cut at `end` (more
 * than the whole object is an `IntegrityError`), then advances the cursor
 * and reports progress; a promise when the sink's write is asynchronous.
 */
function take(
  ctx: Context,
  value: Uint8Array,
  sink: Sink,
  cursor: { pos: number },
  end: number,
  wholeObject: boolean,
): Promise<void> | void {
  const pos = cursor.pos;
  let chunk = value;
  if (pos + chunk.length > end) {
    if (wholeObject) {
      throw new IntegrityError(
        `${ctx.uri}: received more than the ${ctx.info.size} bytes the store announced (downloading to ${ctx.dest})`,
      );
    }
    chunk = chunk.subarray(0, end - pos);
  }
  if (chunk.length === 0) return;
  const advance = () => {
    cursor.pos = pos + chunk.length;
    ctx.written += chunk.length;
    ctx.onProgress?.({ bytes: ctx.written, total: ctx.info.size });
  };
  const wrote = sink.write(chunk);
  if (wrote === undefined) return advance();
  return wrote.then(advance);
}

// Synchronous on purpose: a chunk lands in the page cache in microseconds,
// while an async write costs a round trip through the I/O thread pool per
// chunk, and every stream waits for its write before reading on anyway.
function writeAll(file: Deno.FsFile, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += file.writeSync(off === 0 ? chunk : chunk.subarray(off));
}
