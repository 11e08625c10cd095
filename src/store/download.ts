/**
 * Verified download of one object to a local file, over any
 * {@linkcode ObjectStore}.
 *
 * The bytes go to a unique temp file next to the destination
 * (`.<name>.vc-tmp-<random>`), are checked against the object's size and
 * ETag (plain MD5, multipart MD5-of-MD5s, or the `vc-md5` metadata for opaque
 * ETags), fsynced, and only then renamed into place. A partial or corrupt
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
 * @module
 */
import { basename, dirname, join } from "node:path";
import { createHash, type Hash } from "node:crypto";
import { IntegrityError, PreconditionFailedError, StoreError, VcError } from "../errors.ts";
import { candidatePartSizes, md5File, multipartEtag, normalizeEtag, parseEtag } from "../hash.ts";
import { joinUri } from "../uri.ts";
import { HashPool } from "./download_hasher.ts";
import { fullJitterDelay, isTransientError, sleep } from "./retry.ts";
import type { ObjectInfo, ObjectStore } from "./types.ts";

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
}

/** Options of {@linkcode downloadToFile}. */
export interface DownloadOptions {
  /**
   * What a HEAD just said about the object. Large objects then skip the
   * initial GET and go straight to ranged GETs conditional on this ETag.
   */
  expected?: ObjectInfo;
  /** Ranged GETs in flight for large objects (default 8). */
  concurrency?: number;
  /** Size of one ranged GET (default 8 MiB; rounded to a multiple of the multipart part size). */
  partSize?: number;
  /** Objects at least this large use parallel ranged GETs (default 32 MiB). */
  parallelThreshold?: number;
  /** Attempts per range when transfers fail without making progress (default 3). */
  attempts?: number;
  /** Called as bytes are written. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborts the download; the temp file is removed. */
  signal?: AbortSignal;
  /** The object's URI for error messages (default: the store URL joined with the key). */
  uri?: string;
  /**
   * Content the caller pinned (an integrity lock entry): the size is checked
   * before any byte is fetched, the SHA-256 on the same chunks the MD5 sees;
   * a mismatch is an `IntegrityError` and nothing is kept.
   */
  integrity?: DownloadIntegrity;
}

/** Expected content of a download (see {@linkcode DownloadOptions.integrity}). */
export interface DownloadIntegrity {
  /** Exact size in bytes. */
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** What pinned it, for error messages (e.g. `/a.csv@1.0.0 in versioned_assets.lock.json`). */
  label?: string;
}

/** What was downloaded: the object's info, plus its MD5 when the verification established it. */
export interface DownloadedObject extends ObjectInfo {
  /** Hex MD5 of the whole content, when known (plain ETag, or `vc-md5` metadata checked). */
  md5?: string;
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
 * import type { ObjectStore } from "./types.ts";
 * const bytes = new TextEncoder().encode("hello");
 * const info = {
 *   key: "hello.txt",
 *   size: 5,
 *   etag: "5d41402abc4b2a76b9719d911017c592",
 *   lastModified: new Date(),
 * };
 * // A one-object store, enough for the example.
 * const store = {
 *   url: "mem://",
 *   get: () => Promise.resolve({ info, body: new Blob([bytes]).stream() }),
 * } as unknown as ObjectStore;
 * const dir = await Deno.makeTempDir();
 * try {
 *   const got = await downloadToFile(store, "hello.txt", `${dir}/hello.txt`);
 *   assert(got.md5 === info.etag);
 *   assert(await Deno.readTextFile(`${dir}/hello.txt`) === "hello");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function downloadToFile(
  store: ObjectStore,
  key: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadedObject> {
  try {
    return await downloadOnce(store, key, dest, options, options.expected);
  } catch (e) {
    // The object was replaced between our requests: start over once with the new version.
    if (!(e instanceof VersionChanged)) throw e;
  }
  try {
    return await downloadOnce(store, key, dest, options, undefined);
  } catch (e) {
    if (e instanceof VersionChanged) {
      throw new PreconditionFailedError(
        `${e.uri} changed twice while downloading it to ${dest}; try again`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** The object's ETag changed between two requests of one download. */
class VersionChanged extends Error {
  constructor(readonly uri: string, cause: unknown) {
    super(`${uri} changed during the download`, { cause });
  }
}

/** A body ended before its range did; worth resuming. */
class Truncated extends Error {
  readonly retryable = true;
}

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
  /** Pinned content, if any. */
  integrity: DownloadIntegrity | undefined;
}

async function downloadOnce(
  store: ObjectStore,
  key: string,
  dest: string,
  options: DownloadOptions,
  expected: ObjectInfo | undefined,
): Promise<DownloadedObject> {
  const uri = options.uri ?? joinUri(store.url, key);
  const threshold = options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw outer.reason;
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    let info: ObjectInfo;
    let first: ReadableStream<Uint8Array> | undefined;
    if (expected !== undefined && expected.size >= threshold) {
      info = expected;
    } else {
      // One GET serves small objects whole and tells size and ETag of large ones.
      const r = await getWithRetries(store, key, attempts, controller.signal);
      info = r.info;
      first = r.body;
    }
    const ctx: Context = {
      store,
      key,
      uri,
      dest,
      info,
      etag: normalizeEtag(info.etag),
      attempts,
      signal: controller.signal,
      written: 0,
      onProgress: options.onProgress,
      pipe: true,
      integrity: options.integrity,
    };
    if (ctx.integrity !== undefined && ctx.integrity.size !== info.size) {
      await first?.cancel().catch(() => {});
      throw integrityMismatch(ctx, `size ${info.size}`, `size ${ctx.integrity.size}`);
    }
    const plan = planVerification(info);
    let temp: TempFile;
    try {
      temp = TempFile.create(dest);
    } catch (e) {
      await first?.cancel().catch(() => {});
      throw e;
    }
    let done = false;
    try {
      let computed: Computed;
      if (info.size < threshold) {
        computed = await downloadSequential(ctx, temp, first, plan);
      } else {
        computed = await downloadParallel(ctx, temp, first, plan, {
          concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
          rangeSize: Math.max(1, options.partSize ?? DEFAULT_RANGE_SIZE),
        }, controller);
      }
      const md5 = await verify(ctx, temp.path, plan, computed);
      if (ctx.integrity !== undefined) await verifySha256(ctx, temp.path, computed);
      await temp.commit(dest);
      done = true;
      const out: DownloadedObject = { ...info };
      if (md5 !== undefined) out.md5 = md5;
      return out;
    } finally {
      if (!done) temp.discard();
    }
  } finally {
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

async function getWithRetries(
  store: ObjectStore,
  key: string,
  attempts: number,
  signal: AbortSignal,
): Promise<{ info: ObjectInfo; body: ReadableStream<Uint8Array> }> {
  for (let attempt = 1;; attempt++) {
    try {
      return await store.get(key, { signal });
    } catch (e) {
      if (attempt >= attempts || signal.aborted || !retryable(e)) throw e;
      await sleep(fullJitterDelay(attempt, 50, 2_000), signal);
    }
  }
}

function retryable(e: unknown): boolean {
  if (e instanceof Truncated) return true;
  if (e instanceof VersionChanged) return false;
  // A store error may be a 5xx or a reset worth another try; any other vc error is a verdict.
  if (e instanceof VcError) return e instanceof StoreError && isTransientError(e);
  return isTransientError(e);
}

// ---------------------------------------------------------------------------
// Verification plan

interface Plan {
  /** What the ETag says. */
  kind: "md5" | "multipart" | "opaque";
  /** Expected MD5 of the whole content (plain ETag, or `vc-md5` metadata). */
  md5: string | undefined;
  /** Multipart: candidate part sizes, most likely first (may be empty). */
  partSizes: number[];
  /** Size of the segments hashed while streaming (Infinity = the whole object, 0 = none). */
  segment: number;
}

interface Computed {
  /** Whole-content MD5, when computed. */
  md5?: string;
  /** Per-segment MD5s (segment = `plan.segment`), when computed. */
  parts?: string[];
  /** Whole-content SHA-256, when an integrity check asked for it and it was computed. */
  sha256?: string;
  /**
   * The MD5 was computed by reading the file back while it was being written.
   * A mismatch is then confirmed from the finished file before it is
   * reported: a filesystem that let the reader see a write half-done must
   * cause a slower check, never a false IntegrityError.
   */
  readBack?: boolean;
}

function planVerification(info: ObjectInfo): Plan {
  const parsed = parseEtag(info.etag);
  const metaMd5 = info.metadata?.["vc-md5"]?.toLowerCase();
  const vcMd5 = metaMd5 !== undefined && /^[0-9a-f]{32}$/.test(metaMd5) ? metaMd5 : undefined;
  if (info.opaqueEtag === true) {
    // The store says this ETag is no content hash (S3 SSE-KMS / SSE-C): trust
    // only the size, and vc's own MD5 metadata when the uploader recorded it.
    return {
      kind: "opaque",
      md5: vcMd5,
      partSizes: [],
      segment: vcMd5 !== undefined ? Infinity : 0,
    };
  }
  if (parsed.kind === "md5") {
    return { kind: "md5", md5: parsed.md5, partSizes: [], segment: Infinity };
  }
  if (parsed.kind === "multipart") {
    const partSizes = candidatePartSizes(info.size, parsed.parts);
    if (partSizes.length > 0) {
      return { kind: "multipart", md5: vcMd5, partSizes, segment: partSizes[0]! };
    }
  }
  // Opaque (or a multipart ETag no equal part size explains): size, and vc-md5 when present.
  return { kind: "opaque", md5: vcMd5, partSizes: [], segment: vcMd5 !== undefined ? Infinity : 0 };
}

/** What verification needs to know (a subset of the download context). */
type VerifyContext = Pick<Context, "uri" | "dest" | "info" | "etag" | "signal">;

async function verify(
  ctx: VerifyContext,
  path: string,
  plan: Plan,
  computed: Computed,
): Promise<string | undefined> {
  const { uri, info, dest } = ctx;
  const where = `(${info.size} bytes, downloading to ${dest})`;
  if (plan.kind === "md5") {
    let actual = computed.md5 ?? await md5File(path);
    if (actual !== plan.md5 && computed.readBack === true) actual = await md5File(path);
    if (actual !== plan.md5) {
      throw new IntegrityError(
        `${uri}: content does not match its ETag: expected MD5 ${plan.md5}, got ${actual} ${where}`,
      );
    }
    return actual;
  }
  if (plan.kind === "multipart") {
    const expected = ctx.etag.toLowerCase();
    const first = computed.parts !== undefined ? multipartEtag(computed.parts) : undefined;
    if (first === expected) return undefined;
    const tried = first !== undefined ? [first] : [];
    // The first guess of the part size was wrong (or not hashed): try the other candidates from disk.
    for (const size of plan.partSizes.slice(first !== undefined ? 1 : 0)) {
      const etag = await multipartEtagOfFile(path, info.size, size, ctx.signal);
      if (etag === expected) return undefined;
      tried.push(etag);
    }
    if (plan.md5 !== undefined) {
      const actual = await md5File(path);
      if (actual === plan.md5) return actual;
      throw new IntegrityError(
        `${uri}: content matches neither its ETag ${ctx.etag} nor its vc-md5 ${plan.md5} (got ${actual}) ${where}`,
      );
    }
    throw new IntegrityError(
      `${uri}: content does not match its multipart ETag: expected ${ctx.etag}, got ${
        tried.join(" or ")
      } (part sizes tried: ${plan.partSizes.join(", ")}) ${where}`,
    );
  }
  if (plan.md5 !== undefined) {
    let actual = computed.md5 ?? await md5File(path);
    if (actual !== plan.md5 && computed.readBack === true) actual = await md5File(path);
    if (actual !== plan.md5) {
      throw new IntegrityError(
        `${uri}: content does not match its vc-md5 metadata: expected ${plan.md5}, got ${actual} ${where}`,
      );
    }
    return actual;
  }
  return undefined; // opaque ETag, no checksum: the size (checked while streaming) is all there is
}

// The SHA-256 was computed on the same chunks as the MD5 (inline, or by the
// hash worker reading the completed prefix back); only when that could not
// happen (no worker) is the finished file read again.
async function verifySha256(ctx: Context, path: string, computed: Computed): Promise<void> {
  const expected = ctx.integrity!.sha256.toLowerCase();
  let actual = computed.sha256 ?? await sha256File(path);
  if (actual !== expected && computed.readBack === true) actual = await sha256File(path);
  if (actual !== expected) throw integrityMismatch(ctx, `SHA-256 ${actual}`, `SHA-256 ${expected}`);
}

function integrityMismatch(ctx: Context, actual: string, expected: string): IntegrityError {
  const what = ctx.integrity?.label ?? ctx.uri;
  return new IntegrityError(
    `${what}: ${ctx.uri} has ${actual}, but ${expected} is pinned; the object in the store ` +
      `was replaced or corrupted, nothing was cached`,
  );
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1024 * 1024);
  // Bounded by the file's size: read() returns null at its end.
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

async function multipartEtagOfFile(
  path: string,
  size: number,
  partSize: number,
  signal: AbortSignal,
): Promise<string> {
  const parts: string[] = [];
  for (let start = 0; start < size; start += partSize) {
    signal.throwIfAborted();
    parts.push(await md5File(path, { start, length: Math.min(partSize, size - start) }));
  }
  if (parts.length === 0) parts.push(await md5File(path, { length: 0 }));
  return multipartEtag(parts);
}

/**
 * Checks a local file against what the store says about the object: size,
 * then MD5 / multipart ETag, or `md5` (e.g. a recorded `vc-md5`) for opaque
 * ETags. Returns the reason when it does not match, `undefined` when it does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFile } from "./download.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "hello");
 *   assert(await checkFile(p, { size: 5, etag: "5d41402abc4b2a76b9719d911017c592" }) === undefined);
 *   assert(await checkFile(p, { size: 6, etag: "x" }) !== undefined);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function checkFile(
  path: string,
  expected: { size: number; etag: string; md5?: string; metadata?: Record<string, string> },
  options: { signal?: AbortSignal } = {},
): Promise<string | undefined> {
  const stat = await Deno.stat(path);
  if (stat.size !== expected.size) return `size is ${stat.size}, expected ${expected.size}`;
  const info: ObjectInfo = {
    key: "",
    size: expected.size,
    etag: expected.etag,
    lastModified: new Date(0),
  };
  const metadata = { ...expected.metadata };
  if (expected.md5 !== undefined) metadata["vc-md5"] = expected.md5;
  info.metadata = metadata;
  const plan = planVerification(info);
  const ctx: VerifyContext = {
    uri: path,
    info,
    dest: path,
    etag: normalizeEtag(expected.etag),
    signal: options.signal ?? new AbortController().signal,
  };
  try {
    await verify(ctx, path, plan, {});
    return undefined;
  } catch (e) {
    if (e instanceof IntegrityError) return e.message;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Hashing while streaming

/**
 * MD5s of consecutive fixed-size segments of a byte stream that starts at a
 * segment boundary (`segment` = Infinity: one MD5 of everything).
 */
class SegmentHasher {
  #segment: number;
  #hash: Hash = createHash("md5");
  #filled = 0;
  #index: number;
  #out: string[];

  constructor(segment: number, start: number, out: string[]) {
    this.#segment = segment;
    this.#index = segment === Infinity ? 0 : start / segment;
    this.#out = out;
  }

  update(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const room = this.#segment - this.#filled;
      const n = Math.min(room, chunk.length - off);
      this.#hash.update(n === chunk.length ? chunk : chunk.subarray(off, off + n));
      this.#filled += n;
      off += n;
      if (this.#filled === this.#segment) this.#flush();
    }
  }

  /** Completes the last, possibly short, segment. */
  finish(): void {
    if (this.#filled > 0 || this.#index === 0 && this.#out.length === 0) this.#flush();
  }

  #flush(): void {
    this.#out[this.#index++] = this.#hash.digest("hex");
    this.#hash = createHash("md5");
    this.#filled = 0;
  }
}

// ---------------------------------------------------------------------------
// Transfer

async function downloadSequential(
  ctx: Context,
  temp: TempFile,
  first: ReadableStream<Uint8Array> | undefined,
  plan: Plan,
): Promise<Computed> {
  const out: string[] = [];
  const hasher = plan.segment > 0 ? new SegmentHasher(plan.segment, 0, out) : undefined;
  const sha = ctx.integrity !== undefined ? createHash("sha256") : undefined;
  await fetchRange(ctx, new InlineSink(temp.file, hasher, sha), 0, ctx.info.size, first, true);
  hasher?.finish();
  const computed: Computed = sha !== undefined ? { sha256: sha.digest("hex") } : {};
  if (plan.segment === Infinity) {
    return out[0] !== undefined ? { ...computed, md5: out[0] } : computed;
  }
  return plan.segment > 0 ? { ...computed, parts: out } : computed;
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
  temp: TempFile,
  first: ReadableStream<Uint8Array> | undefined,
  plan: Plan,
  opts: { concurrency: number; rangeSize: number },
  controller: AbortController,
): Promise<Computed> {
  const size = ctx.info.size;
  const segmented = plan.segment > 0 && plan.segment !== Infinity;
  // Align ranges to the part size, so each range holds whole parts.
  const rangeSize = segmented
    ? plan.segment * Math.max(1, Math.round(opts.rangeSize / plan.segment))
    : opts.rangeSize;
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += rangeSize) {
    ranges.push({ start, end: Math.min(start + rangeSize, size) });
  }
  // Hashing runs on a worker that reads completed ranges back from the page
  // cache, so this thread only moves bytes. Without a worker (or if it
  // fails), verify() hashes the finished file here instead.
  // Parts are independent: hash them on as many cores as there are (one MD5
  // stream, for a plain ETag, is sequential by nature). Piped ranges leave
  // this thread nearly idle, so it does not need a core of its own.
  const workers = segmented ? Math.min(4, Math.max(1, navigator.hardwareConcurrency)) : 1;
  // A pinned SHA-256 is one more running hash over the completed prefix, on
  // a worker of its own (stream ids pick their worker: WHOLE and SHA differ).
  const withSha = ctx.integrity !== undefined;
  const hasher = plan.segment > 0 || withSha
    ? HashPool.start(workers + (withSha && !segmented ? 1 : 0))
    : undefined;
  let hashing = hasher !== undefined && plan.segment > 0;
  let shaOk = hasher !== undefined && withSha;
  const parts: string[] = [];
  const partJobs: Promise<void>[] = [];
  // One running MD5 can only take the contiguous completed prefix: ranges
  // [0, prefix) are all written. A range that finishes ahead of a slow one
  // waits (as a flag) until the gap closes.
  const sequential = hasher !== undefined && !segmented && plan.segment > 0;
  // The prefix is tracked (and bounds the window) whenever a running hash needs it.
  const streaming = sequential || shaOk;
  const complete: boolean[] = ranges.map(() => false);
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
      const { start, end } = ranges[index]!;
      partJobs.push(
        hasher.segments(temp.path, start, end, plan.segment).then(
          (md5s) => md5s.forEach((md5, j) => parts[start / plan.segment + j] = md5),
          () => void (hashing = false),
        ),
      );
    }
    if (!streaming) return;
    complete[index] = true;
    const before = prefix;
    while (prefix < ranges.length && complete[prefix]) {
      const { start, end } = ranges[prefix++]!;
      // The worker queues these in order and reads each once it is final.
      if (sequential) hasher.stream(WHOLE, temp.path, start, end);
      if (shaOk) hasher!.stream(SHA, temp.path, start, end, "sha256");
    }
    if (prefix > before) wake();
  };

  let next = 0;
  let initial = first;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < ranges.length && failure === undefined) {
      const index = next++;
      while (streaming && index >= prefix + window && failure === undefined) {
        await advanced.promise;
      }
      if (failure !== undefined) return;
      const { start, end } = ranges[index]!;
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
    }
  };
  const run = async () => {
    try {
      await worker();
    } catch (error) {
      // The first failure stops everyone; later ones are mostly the resulting aborts.
      if (failure === undefined) {
        failure = { error };
        controller.abort(error);
        wake(); // runners waiting for the prefix must see the failure
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, ranges.length) }, run));
    if (failure !== undefined) {
      await initial?.cancel().catch(() => {});
      throw failure.error;
    }
    // Hashes may still be running: flush the file to disk meanwhile.
    temp.startSync();
    if (hasher === undefined) return {};
    // Read back from the file while other ranges were being written: a
    // mismatch is confirmed from the finished file before it is reported.
    const out: Computed = { readBack: true };
    if (shaOk) {
      try {
        out.sha256 = await hasher.digest(SHA);
      } catch {
        shaOk = false; // verifySha256 reads the finished file instead
      }
    }
    if (segmented) {
      await Promise.all(partJobs);
      if (hashing) out.parts = parts;
      return out;
    }
    if (sequential) {
      try {
        out.md5 = await hasher.digest(WHOLE);
      } catch {
        // verify() hashes the finished file instead
      }
    }
    return out;
  } finally {
    hasher?.terminate();
  }
}

/** Stream id of the whole-object MD5 on the hash worker. */
const WHOLE = 1;
/** Stream id of the whole-object SHA-256 (integrity lock) on the hash worker. */
const SHA = 2;

/** Where downloaded bytes go. */
interface Sink {
  /** Takes a chunk; the chunk may be reused by the caller once this returns (or resolves). */
  write(chunk: Uint8Array): void | Promise<void>;
}

/** Writes and hashes in this thread: small objects, where a worker would cost more than it saves. */
class InlineSink implements Sink {
  constructor(
    readonly file: Deno.FsFile,
    readonly hasher: SegmentHasher | undefined,
    readonly sha?: Hash,
  ) {}
  write(chunk: Uint8Array): void {
    // Written before hashed: a failed write must not leave the hash ahead of the file.
    writeAll(this.file, chunk);
    this.hasher?.update(chunk);
    this.sha?.update(chunk);
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
 * Progress is reported once per attempt.
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
  let first = initial;
  while (pos < end) {
    if (!ctx.pipe) {
      using file = Deno.openSync(path, { write: true });
      file.seekSync(pos, Deno.SeekMode.Start);
      await fetchRange(ctx, new InlineSink(file, undefined), pos, end, first, false);
      return;
    }
    const before = pos;
    try {
      // A whole-object body from the first GET: more bytes than [start, end) is an error below.
      const body = first ?? await rangedGet(ctx, pos, end);
      first = undefined;
      {
        using file = Deno.openSync(path, { write: true });
        file.seekSync(pos, Deno.SeekMode.Start);
        try {
          await body.pipeTo(file.writable, {
            preventClose: true,
            preventAbort: true,
            signal: ctx.signal,
          });
        } finally {
          pos = file.seekSync(0, Deno.SeekMode.Current);
          ctx.written += pos - before;
          ctx.onProgress?.({ bytes: ctx.written, total: ctx.info.size });
        }
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
      failures = pos > before ? 1 : failures + 1;
      if (failures >= ctx.attempts) throw e;
      await sleep(fullJitterDelay(failures, 50, 2_000), ctx.signal);
    }
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
  initial: ReadableStream<Uint8Array> | undefined,
  exact: boolean,
): Promise<void> {
  // Shared with pump, so bytes written before a failure are never fetched twice.
  const cursor = { pos: start };
  let body = initial;
  let failures = 0;
  while (true) {
    const before = cursor.pos;
    try {
      let wholeObject = exact && cursor.pos === 0 && body !== undefined;
      if (body === undefined) {
        if (cursor.pos >= end) return;
        body = await rangedGet(ctx, cursor.pos, end);
        wholeObject = false;
      }
      const current = body;
      body = undefined;
      await pump(ctx, current, sink, cursor, end, wholeObject);
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
      failures = cursor.pos > before ? 1 : failures + 1;
      if (failures >= ctx.attempts) {
        if (e instanceof Truncated) {
          throw new IntegrityError(`${e.message} after ${failures} attempts`, { cause: e });
        }
        throw e;
      }
      await sleep(fullJitterDelay(failures, 50, 2_000), ctx.signal);
    }
  }
}

async function rangedGet(
  ctx: Context,
  pos: number,
  end: number,
): Promise<ReadableStream<Uint8Array>> {
  let r;
  try {
    r = await ctx.store.get(ctx.key, {
      range: { start: pos, end: end - 1 },
      ifMatch: ctx.info.etag,
      signal: ctx.signal,
    });
  } catch (e) {
    if (e instanceof PreconditionFailedError) throw new VersionChanged(ctx.uri, e);
    throw e;
  }
  if (normalizeEtag(r.info.etag) !== ctx.etag || r.info.size !== ctx.info.size) {
    await r.body.cancel().catch(() => {});
    throw new VersionChanged(
      ctx.uri,
      new Error(`ETag ${r.info.etag} (${r.info.size} bytes), expected ${ctx.etag}`),
    );
  }
  return r.body;
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
      if (chunk.length > 0) {
        const wrote = sink.write(chunk);
        if (wrote !== undefined) await wrote;
        cursor.pos = pos + chunk.length;
        ctx.written += chunk.length;
        ctx.onProgress?.({ bytes: ctx.written, total: ctx.info.size });
      }
      // A whole-object body is read to its end to detect extra bytes; a range stops here.
      if (cursor.pos >= end && !wholeObject) return;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

// Synchronous on purpose: a chunk lands in the page cache in microseconds,
// while an async write costs a round trip through the I/O thread pool per
// chunk, and every stream waits for its write before reading on anyway.
function writeAll(file: Deno.FsFile, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += file.writeSync(off === 0 ? chunk : chunk.subarray(off));
}

// ---------------------------------------------------------------------------
// Temp file

/** The unique temp file a download writes before it is renamed into place. */
class TempFile {
  private constructor(readonly path: string, readonly file: Deno.FsFile) {}
  #closed = false;
  #sync: Promise<void> | undefined;

  // Metadata calls (open, rename, remove) are synchronous: they are quick on
  // a local disk and several times cheaper than Deno's async round trip,
  // which matters when caching thousands of small objects. The fsync and the
  // data writes stay asynchronous: they can take long.
  static create(dest: string): TempFile {
    const dir = dirname(dest);
    const path = join(dir, `.${basename(dest)}.vc-tmp-${randomSuffix()}`);
    const open = () => Deno.openSync(path, { write: true, createNew: true });
    try {
      return new TempFile(path, open());
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    Deno.mkdirSync(dir, { recursive: true });
    return new TempFile(path, open());
  }

  /**
   * Starts flushing what was written so far to disk, so that the flush
   * overlaps verification (commit waits for it). Call once nothing more will
   * be written.
   */
  startSync(): void {
    if (this.#sync !== undefined) return;
    // fdatasync: the data and the size, which is all a reader needs.
    this.#sync = this.file.syncData();
    // Awaited by commit; a download that fails before commit does not care.
    this.#sync.catch(() => {});
  }

  /** fsync (unless started already), close, and rename over `dest`. */
  async commit(dest: string): Promise<void> {
    this.startSync();
    await this.#sync;
    this.#close();
    Deno.renameSync(this.path, dest);
  }

  /** Close and remove (after a failure). */
  discard(): void {
    this.#close();
    try {
      Deno.removeSync(this.path);
    } catch {
      // Already gone.
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.file.close();
  }
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let out = "";
  for (const b of bytes) out += (b % 36).toString(36);
  return out;
}
