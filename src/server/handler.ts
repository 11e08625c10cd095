/**
 * The cache service as one function, `(Request) => Promise<Response>`: tests
 * call it directly or over HTTP, and `vc serve` hands it to `Deno.serve`.
 * It keeps no state but counters: every entry lives in the store, so many
 * instances can serve the same store behind one load balancer.
 *
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { isStoreUnavailable, MAX_TIMER_MS } from "../store/retry.ts";
import { isNoSpaceError } from "../no_space.ts";
import { findCause, hasCause } from "../causes.ts";
import type { ObjectStore } from "../store/types.ts";
import { requireStore } from "../store/store_check.ts";
import type { AuthProvider } from "./auth.ts";
import { DEFAULT_BODY_IDLE_MS } from "./body_idle.ts";
import { Limiter } from "../pool.ts";
import { deadline } from "../deadline.ts";
import { IdentitySlots } from "./identity_slots.ts";
import {
  CACHE_ID_HINT,
  deleteFile,
  type EndpointContext,
  getFile,
  type JsonBodies,
  MULTIPART_UPLOAD_HINT,
  postCacheId,
  postFile,
} from "./endpoints.ts";
import { Entries } from "./entries.ts";
import { errorResponse, HttpError, jsonResponse, shuttingDown } from "./http_error.ts";
import { formatLogLine, guardedLog, type RequestLogRecord, stderrLog } from "./log.ts";
import { Metrics } from "./metrics.ts";
import {
  AccessDeniedError,
  causeChain,
  InvalidInputError,
  StoreError,
  StoreNotFoundError,
} from "../errors.ts";
import {
  checkFunction,
  checkNonNegativeNumber,
  checkPositiveInteger,
  checkRequiredOptions,
  describeValue,
  type OptionNames,
} from "../options_check.ts";
import { SECURITY_HEADERS } from "./mime.ts";
import { inertJson, shortened } from "../printable.ts";
import { ENDPOINTS, matchRoute, normalizeBasePath } from "./routes.ts";
import { Readiness } from "./readiness.ts";
import { budgetedStore, withStoreBudget } from "./request_budget.ts";

/**
 * Uploads streamed at once by default: ~14 MiB of parts each under
 * `vc serve` (32 parallel 20 MB uploads peaked at 443 MiB of RSS).
 */
export const DEFAULT_MAX_UPLOADS = 32;

/** Options for {@linkcode createHandler}. */
export interface CacheServiceOptions {
  /** Where entries live. */
  store: ObjectStore;
  /** Who is calling. */
  auth: AuthProvider;
  /** Prefix of every route, e.g. `/cache` (default none). */
  basePath?: string;
  /** Largest file an upload may carry (default 10 GiB). */
  maxUploadBytes?: number;
  /**
   * Uploads streamed to the store at once (default 32); later ones wait for
   * a slot, their bodies unread. Each holds its parts in memory while it
   * streams, so this bounds the service's memory.
   */
  maxUploads?: number;
  /**
   * Of those slots, the most one identity's uploads hold at once (default:
   * all of them); its uploads past that many wait, without taking a slot,
   * so one identity (a hostile client with a valid token, or one job's
   * slow uploads) cannot keep every other identity's uploads out.
   */
  maxUploadsPerIdentity?: number;
  /**
   * The most downloads (`GET`/`HEAD` of a file) one identity has in flight
   * at once, each counted until its response has been sent (default: no
   * bound). Its downloads past that many wait for one of its own to end,
   * at most `downloadQueueTimeoutMs` (then 503, `Retry-After: 5`), without
   * touching the store, so one identity cannot hold every store stream,
   * file descriptor and connection while other identities' downloads go on.
   */
  maxDownloadsPerIdentity?: number;
  /** Cap on the bytes one identity stores (default none). */
  maxBytesPerIdentity?: number;
  /** Largest JSON body of `POST /v1/cache_id` (default 1 MiB). */
  maxJsonBytes?: number;
  /**
   * Longest a request body may send nothing before the request is given up
   * with 408 (default 60 s; 0: no bound). A JSON body must arrive whole
   * within it.
   */
  bodyIdleTimeoutMs?: number;
  /**
   * The slowest a streamed file download may go, in bytes per second
   * (default 64 KiB/s): a download not sent whole within
   * `bodyIdleTimeoutMs` plus its length at this rate (a client that stopped
   * reading, or trickles) is cut, its store stream closed and its
   * connection dropped. `bodyIdleTimeoutMs` 0 or this 0: no bound.
   */
  downloadMinRate?: number;
  /**
   * Longest an upload waits for one of `maxUploads` slots (default 60 s; 0:
   * no bound); past it the upload is answered 503 with `Retry-After: 5`,
   * its body unread and nothing stored. Uploads only: a download's wait is
   * `downloadQueueTimeoutMs`.
   */
  uploadQueueTimeoutMs?: number;
  /**
   * Longest a download waits for its identity's share
   * (`maxDownloadsPerIdentity`; default 60 s; 0: no bound); past it the
   * download is answered 503 with `Retry-After: 5`, the store untouched.
   */
  downloadQueueTimeoutMs?: number;
  /**
   * The slowest an upload's body may arrive on average, in bytes per second
   * (default 16 KiB/s): once the time spent waiting for it passes
   * `bodyIdleTimeoutMs` plus its bytes so far at this rate, the upload is
   * given up with 408 and its slot freed (Apache's `mod_reqtimeout`
   * `MinRate`). `bodyIdleTimeoutMs` 0 or this 0: no bound.
   */
  uploadMinRate?: number;
  /**
   * Longest the store calls of one request may take together, counted from
   * its first (default: the store's request timeout, `S3Store`'s
   * `requestTimeoutMs`; none for a store without one; 0: no bound). Past it
   * the request is answered 503 (`Retry-After: 5`): against a store that
   * never answers, each call's own timeout, retried, held a request for 5
   * times the request timeout. A file's bytes are not counted (see
   * `request_budget.ts`).
   */
  storeTimeoutMs?: number;
  /** Time source for expiry (default: the system clock). */
  clock?: Clock;
  /** How long an unused placeholder lives (default 7 days). */
  placeholderTtlMs?: number;
  /** Inactivity window of an uploaded file (default 30 days). */
  fileTtlMs?: number;
  /** Receives one JSON line per request (default: stderr). */
  log?: (line: string) => void;
  /** Counters for `/metrics` (default: a fresh set). */
  metrics?: Metrics;
  /**
   * While it returns true, every request is answered 503 (`Retry-After: 5`,
   * `Connection: close`), logged and counted like any other (set by
   * `serveCache` while it shuts down).
   */
  shuttingDown?: () => boolean;
  /**
   * Abandons the uploads in flight when aborted: their store writes are
   * aborted (a multipart upload is aborted in the store, nothing is left
   * half-written) and they are answered 503 like a request that comes while
   * the server shuts down (`vc serve` aborts it when its drain is cut short).
   */
  cancel?: AbortSignal;
}

/** The option names of {@linkcode createHandler} (a misspelt one is refused, not ignored). */
export const CACHE_SERVICE_OPTIONS: OptionNames<CacheServiceOptions> = {
  store: true,
  auth: true,
  basePath: true,
  maxUploadBytes: true,
  maxUploads: true,
  maxUploadsPerIdentity: true,
  maxDownloadsPerIdentity: true,
  maxBytesPerIdentity: true,
  maxJsonBytes: true,
  bodyIdleTimeoutMs: true,
  downloadMinRate: true,
  uploadQueueTimeoutMs: true,
  downloadQueueTimeoutMs: true,
  uploadMinRate: true,
  storeTimeoutMs: true,
  clock: true,
  placeholderTtlMs: true,
  fileTtlMs: true,
  log: true,
  metrics: true,
  shuttingDown: true,
  cancel: true,
};

// The options that are amounts (bytes, ms, a rate): each a number, 0 or more.
const NUMERIC_OPTIONS = [
  "maxUploadBytes",
  "maxBytesPerIdentity",
  "maxJsonBytes",
  "bodyIdleTimeoutMs",
  "downloadMinRate",
  "uploadQueueTimeoutMs",
  "downloadQueueTimeoutMs",
  "uploadMinRate",
  "storeTimeoutMs",
  "placeholderTtlMs",
  "fileTtlMs",
] as const satisfies ReadonlyArray<keyof CacheServiceOptions>;

/** What `Deno.serve` tells a handler about its response. */
export interface ResponseCompletion {
  /** Resolves when the response was fully sent; rejects when it could not be. */
  completed: Promise<void>;
  /** The client's end of the connection (`Deno.serve`'s), named in the log line. */
  remoteAddr?: Deno.Addr;
  /**
   * Called when the handler cut a download past its bound (see
   * `downloadMinRate`): a shutdown need not wait for it any longer.
   */
  onCut?: () => void;
}

/** The handler, with the pieces it was built from. */
export interface CacheHandler {
  /**
   * Serves one request. `info.completed` (from `Deno.serve`) settles when the
   * response has been sent; given it, a file's body goes to the client
   * untouched (Deno can then pass a store's response body through without
   * JavaScript in between) and the log line is written when it settles.
   */
  (request: Request, info?: ResponseCompletion): Promise<Response>;
  /** The entries it serves (for sweeps). */
  readonly entries: Entries;
  /** Its counters. */
  readonly metrics: Metrics;
}

/**
 * Whether `request` came with a chunked body none of which was read: a
 * GET's or HEAD's (Deno.serve hands its handler none, but drains it), or
 * one left unread by its answer.
 */
function bodyUnread(request: Request): boolean {
  return chunked(request) && (request.body === null || !request.bodyUsed);
}

/** Whether `request` came with a chunked body (read or not). */
function chunked(request: Request): boolean {
  return request.headers.has("transfer-encoding");
}

/**
 * Creates the request handler of the cache service.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { createHandler } from "./handler.ts";
 * import type { AuthProvider } from "./auth.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const auth: AuthProvider = {
 *     authenticate: (t) => Promise.resolve({ tokenId: `test:${t}`, name: t }),
 *   };
 *   const handler = createHandler({ store: new FsStore(dir), auth, log: () => {} });
 *   const res = await handler(new Request("http://x/v1/cache_id", {
 *     method: "POST",
 *     headers: { authorization: "alice", "content-type": "application/json" },
 *     body: '{"xyz": 123}',
 *   }));
 *   const doc = await res.json();
 *   assert(doc.status === "ok" && doc.metadata.filename === "placeholder");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function createHandler(options: CacheServiceOptions): CacheHandler {
  checkRequiredOptions("createHandler", options, CACHE_SERVICE_OPTIONS);
  // Missing, they would fail every request with a 500, not the call that forgot them.
  requireStore("createHandler: the option store", options.store);
  if (typeof options.auth?.authenticate !== "function") {
    throw new InvalidInputError(
      `createHandler: the option auth must be an AuthProvider (an object with authenticate()), got ${
        describeValue(options.auth)
      }`,
    );
  }
  for (const name of NUMERIC_OPTIONS) {
    checkNonNegativeNumber(`createHandler: the option ${name}`, options[name]);
  }
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? new Metrics();
  if (options.log !== undefined) checkFunction("createHandler: the option log", options.log);
  const log = guardedLog(options.log ?? stderrLog);
  const basePath = normalizeBasePath(options.basePath);
  // Each request's store calls share one deadline (see request_budget.ts).
  const storeTimeoutMs = options.storeTimeoutMs ?? options.store.idleTimeoutMs ?? 0;
  const entries = new Entries(budgetedStore(options.store), {
    clock,
    ...(options.placeholderTtlMs === undefined
      ? {}
      : { placeholderTtlMs: options.placeholderTtlMs }),
    ...(options.fileTtlMs === undefined ? {} : { fileTtlMs: options.fileTtlMs }),
    ...(options.maxBytesPerIdentity === undefined
      ? {}
      : { maxBytesPerIdentity: options.maxBytesPerIdentity }),
    onExpired: () => metrics.expired(),
  });
  const readiness = new Readiness(options.store, clock);

  const maxUploads = options.maxUploads ?? DEFAULT_MAX_UPLOADS;
  checkPositiveInteger("createHandler: the option maxUploads", maxUploads);
  const uploads = new Limiter(maxUploads);
  const perIdentity = options.maxUploadsPerIdentity ?? maxUploads;
  checkPositiveInteger("createHandler: the option maxUploadsPerIdentity", perIdentity);
  const identityUploads = perIdentity >= maxUploads ? undefined : new IdentitySlots(perIdentity);
  const identitySlots = identityUploads === undefined
    ? undefined
    : <T>(tokenId: string, job: () => Promise<T>, signal: AbortSignal): Promise<T> =>
      identityUploads.run(tokenId, job, signal);
  // An upload waiting for its identity's share waits too, though without a slot.
  metrics.uploadSlots({
    get active() {
      return uploads.active;
    },
    get pending() {
      return uploads.pending + (identityUploads?.pending ?? 0);
    },
  });
  const perIdentityDownloads = options.maxDownloadsPerIdentity ?? Infinity;
  if (perIdentityDownloads !== Infinity) {
    checkPositiveInteger("createHandler: the option maxDownloadsPerIdentity", perIdentityDownloads);
  }
  // Without a bound, downloads are only counted (for /metrics).
  const downloads = new IdentitySlots(perIdentityDownloads);
  metrics.downloadSlots(downloads);
  const maxJsonBytes = options.maxJsonBytes ?? 1 << 20;
  // cache_id bodies are held whole while they arrive (up to bodyIdleMs):
  // all of them together get a budget, as uploads get slots.
  const jsonBodies: JsonBodies = {
    held: 0,
    limit: Math.max(JSON_BODIES_BUDGET, maxJsonBytes),
    // A quarter each: one token (a hostile client) cannot keep the others out.
    byIdentity: new Map(),
    perIdentity: Math.max(JSON_BODIES_BUDGET / 4, maxJsonBytes),
  };
  metrics.jsonBodies(jsonBodies);
  const uploadQueueMs = options.uploadQueueTimeoutMs ?? DEFAULT_UPLOAD_QUEUE_MS;
  const downloadQueueMs = options.downloadQueueTimeoutMs ?? DEFAULT_DOWNLOAD_QUEUE_MS;
  /**
   * Takes one of the identity's download slots, waiting at most
   * `downloadQueueTimeoutMs` (then 503, as an upload that waited for a
   * slot), and only while `request`'s client stays; resolves to its release.
   */
  const downloadSlot = async (tokenId: string, request: Request): Promise<() => void> => {
    // A slot free now is taken at once: no wait to bound, no signal to
    // watch (no timer, controller or combined signal for each download).
    if (!downloads.full(tokenId)) return await downloads.acquire(tokenId);
    // A download that must wait drops out when its client closes the
    // connection: else it took the slot once one freed, opened the file in
    // the store and sent it to a dead socket, ahead of the live ones queued
    // behind it. Deno.serve aborts a bodiless request's signal when its
    // client closes (measured on 2.9.6). Looked at only when it must wait:
    // Deno prints a once-per-process notice (legacy abort) about any request
    // whose signal was read and then answered.
    const clientLeft = (why: unknown) =>
      new HttpError(
        503,
        "the client left while its download waited for a slot; nothing was sent",
        { cause: why },
      );
    const client = request.signal;
    if (client.aborted) throw clientLeft(client.reason);
    const queue = new AbortController();
    const stop = downloadQueueMs > 0 && downloadQueueMs < Infinity
      ? deadline(downloadQueueMs, () =>
        queue.abort(
          new HttpError(
            503,
            `no download slot came free within ${downloadQueueMs / 1000} s (this identity's ` +
              `downloads hold all ${perIdentityDownloads} it may hold at once); try again later`,
            { headers: { "retry-after": "5" } },
          ),
        ))
      : () => {};
    const signals = [queue.signal];
    if (options.cancel !== undefined) signals.push(options.cancel);
    signals.push(client);
    try {
      return await downloads.acquire(tokenId, AbortSignal.any(signals));
    } catch (e) {
      if (options.cancel?.aborted) throw shuttingDown({ cause: e });
      if (client.aborted && !queue.signal.aborted) throw clientLeft(client.reason);
      throw e;
    } finally {
      stop();
    }
  };

  const minRate = options.downloadMinRate ?? DEFAULT_DOWNLOAD_MIN_RATE;
  const bodyIdleMs = options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_MS;
  // A store whose raw bodies are unguarded says how long one may be silent
  // (S3Store: its request timeout). Their relay is guarded (relay_idle.ts)
  // unless neither that nor the download bound would ever fire. A store
  // without raw bodies (a directory's: a JavaScript stream already) is
  // relayed through the guard too, with no idle bound: one step more per
  // 512 KiB read (no CPU cost that shows: scripts/bench/fs_download_guard.ts),
  // and a file that fails mid-body is logged on its request's line, with the
  // bytes handed on before.
  const storeIdle = options.store.idleTimeoutMs;
  const relayIdleMs = storeIdle === undefined
    ? 0
    : storeIdle > 0 && storeIdle < Infinity
    ? storeIdle
    : downloadBound(0, bodyIdleMs, minRate) === undefined
    ? undefined
    : 0;
  const handler = async (request: Request, info?: ResponseCompletion): Promise<Response> => {
    const started = performance.now();
    const requestId = crypto.randomUUID();
    // Read now: Deno's getter throws "Request closed" once the answer is sent.
    const peer = info?.remoteAddr;
    const remote = peer?.transport === "tcp" ? peer.hostname : undefined;
    // Cuts a streamed download that outlives its bound (see downloadBound).
    const cut = new AbortController();
    // A download's slot, held until its response has been sent (see record).
    let releaseDownload: (() => void) | undefined;
    const path = requestPath(request);
    const match = path instanceof HttpError ? undefined : matchRoute(path, basePath);
    const ctx: EndpointContext = {
      entries,
      auth: options.auth,
      maxUploadBytes: options.maxUploadBytes ?? 10 * 2 ** 30,
      uploads,
      ...(identitySlots === undefined ? {} : { identitySlots }),
      maxJsonBytes,
      jsonBodies,
      bodyIdleMs,
      uploadQueueMs,
      downloadSlot: async (tokenId) => {
        releaseDownload = await downloadSlot(tokenId, request);
      },
      uploadMinRate: options.uploadMinRate ?? DEFAULT_UPLOAD_MIN_RATE,
      bytesIn: 0,
      download: cut.signal,
      ...(relayIdleMs === undefined ? {} : { relayIdleMs }),
      ...(options.cancel === undefined ? {} : { cancel: options.cancel }),
      onLookup: (hit) => hit ? metrics.hit() : metrics.miss(),
    };
    metrics.inFlight(1);
    let response: Response;
    let error: string | undefined;
    // Whether the answer leaves a chunked body unread (told before a refused
    // body is cancelled, which marks it used).
    let unread = false;
    try {
      if (options.shuttingDown?.()) {
        throw shuttingDown();
      }
      if (path instanceof HttpError) throw path;
      response = await withStoreBudget(
        storeTimeoutMs,
        () => route(request, path, match, ctx),
        { requestId },
      );
      // An upload's body that went on past its closing delimiter (an endless
      // epilogue) is left unread too (see multipart.ts).
      unread = bodyUnread(request) || ctx.bodyLeftUnread === true;
    } catch (e) {
      // A refused chunked body read in part (a 413 for a file past the
      // limit, a 400 for a second file part) is not drained either: Deno.serve
      // read its rest a chunk at a time for as long as its client sent it,
      // and one client with a token sending 1-byte chunks after its 413 held
      // the event loop (every other client's upload took seconds). A body
      // with a Content-Length is still let go in large reads, its connection
      // kept (a `requests` session reusing it goes on).
      unread = chunked(request);
      const http = findHttpError(e);
      if (http !== undefined) {
        // A body given up for its time (408) is left unread: the connection
        // is closed after the answer (see head_timeout.ts), not held while
        // Deno.serve waits to drain the rest of a body that may never come.
        response = errorResponse(
          http.status,
          http.rawMessage, // JSON: the exact value, escaped by JSON itself
          http.status === 408 ? { connection: "close", ...http.headers } : http.headers,
        );
        error = http.detail === undefined ? http.rawMessage : `${http.rawMessage}: ${http.detail}`;
      } else if (storeRefused(e)) {
        // A read-only directory, one the service's user may not write, a
        // bucket policy denying the put: the operator's to fix, as a full
        // disk is, not a bug (it was a 500). The log names the path and why.
        response = errorResponse(
          503,
          `the store refused the service's access (read-only, permission denied, or the file archived); try again later (request id ${requestId})`,
          { "retry-after": "5" },
        );
        error = outageText(e);
      } else if (storeGone(e)) {
        // The bucket or directory was deleted, renamed or unmounted while
        // the service ran: not an empty store (every download a miss, every
        // new cache ID a 500), but one the operator must bring back.
        response = errorResponse(
          503,
          `the store does not exist (its bucket or directory is gone); try again later (request id ${requestId})`,
          { "retry-after": "5" },
        );
        error = outageText(e);
      } else if (hasCause(e, isNoSpaceError)) {
        // A full disk under a file:// store: retrying will not help until
        // caches are removed (a DELETE and the sweep still work) or space
        // is added, so the client is told which (it was "unavailable").
        response = errorResponse(
          503,
          `the store has no space left (remove caches, or free or add space); try again later (request id ${requestId})`,
          { "retry-after": "5" },
        );
        error = outageText(e);
      } else if (storeUnavailable(e)) {
        // Not the request's fault nor a bug: the store cannot be reached or
        // fails (5xx). A client retries a 503 later; the log has the details.
        response = errorResponse(
          503,
          `the store is unavailable; try again later (request id ${requestId})`,
          { "retry-after": "5" },
        );
        error = outageText(e);
      } else {
        response = errorResponse(500, `internal error (request id ${requestId})`);
        error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      }
      // The body may still be arriving (413, 403 on upload): do not read it.
      await request.body?.cancel().catch(() => {});
    }
    // A chunked body answered before any of it was read (a wrong token's
    // 401, a 412; a GET's or HEAD's, which Deno.serve hands no handler, and
    // any other route that takes none) is left unread and its connection
    // closed after the answer (see head_timeout.ts): Deno.serve drained it
    // for as long as its client sent it, a read per chunk, and held the
    // connection till then, up to the header timeout (one tokenless
    // `GET /healthz` sending 1-byte chunks took a third of a CPU core). A body
    // with a Content-Length is still drained (cheaply, in large reads, for at
    // most the header timeout): a client that sends all of it before reading
    // the answer (Python's http.client) then reads the 401, not a reset. One
    // read in part (a 413 mid-upload) is let go as before, its connection
    // kept, unless it is chunked (above).
    if (unread) response.headers.set("connection", "close");
    response.headers.set("x-request-id", requestId);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    const template = match?.route ?? "unknown";
    // Counted when answered; bytes out and the log line when the body is sent.
    metrics.request(request.method, template, response.status, ctx.bytesIn);
    let recorded = false;
    const record = (bytesOut: number, aborted: boolean, unconfirmed = false): void => {
      // Once: a download cut at shutdown is logged when cut (see below).
      if (recorded) return;
      recorded = true;
      releaseDownload?.();
      metrics.inFlight(-1);
      metrics.bytesOut(bytesOut);
      const line: RequestLogRecord = {
        time: new Date().toISOString(),
        request_id: requestId,
        method: shortened(request.method),
        route: template,
        status: response.status,
        bytes_in: ctx.bytesIn,
        bytes_out: bytesOut,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(remote === undefined ? {} : { remote }),
        ...(ctx.identity === undefined ? {} : { identity: ctx.identity.name }),
        ...(cacheIdOf(ctx, match) ?? {}),
        ...(error === undefined
          ? (ctx.streamError === undefined ? {} : { error: ctx.streamError })
          : { error }),
        ...(ctx.warning === undefined ? {} : { warning: ctx.warning }),
        ...(aborted ? { aborted } : {}),
        ...(unconfirmed ? { bytes_out_unconfirmed: true } : {}),
      };
      log(formatLogLine(line));
    };
    // Reading `response.body` would turn a body of bytes into a stream that
    // Deno.serve then pumps through JavaScript: with Deno.serve's completion
    // and a length, the body stays untouched (and the bytes sent are known).
    const length = Number(response.headers.get("content-length") ?? "NaN");
    if (info !== undefined && Number.isFinite(length)) {
      const sent = request.method === "HEAD" || NULL_BODY_STATUS.has(response.status) ? 0 : length;
      // Deno.serve resolves `completed` also when the client left mid-body
      // (measured on 2.9.6; the request's signal is set only in some runs):
      // a file's bytes are then what was handed to Deno.serve, which the
      // log line says rather than claim the client got them all.
      const file = sent > 0 && request.method === "GET" && match?.id !== undefined && response.ok;
      // A streamed file a client reads slowly or not at all would hold the
      // response, the store's stream and the connection (and a drain) for
      // as long as the client stays: past its bound the store stream is
      // aborted, which ends the response and closes the connection. One
      // timer per download; the bytes pass untouched.
      const bound = ctx.streamed ? downloadBound(sent, ctx.bodyIdleMs, minRate) : undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (bound !== undefined) {
        timer = setTimeout(() => {
          // Either side may be the slow one: the bytes pass untouched, so
          // the service cannot tell a client that stopped reading from a
          // store that stopped sending mid-body (the operator's to fix).
          const why = `download cut: not sent whole within ${bound / 1000} s ` +
            `(the client read slower than ${minRate} bytes/s after the ${
              ctx.bodyIdleMs / 1000
            } s body idle timeout or stopped reading, or the store stopped sending)`;
          error = why;
          cut.abort(new HttpError(408, why));
          info.onCut?.();
        }, bound);
      }
      // A drain cut short (a second signal, Ctrl-C's grace, --drain-timeout)
      // does not wait for downloads, and the process exits before their
      // responses end: cut at once, each is logged now, or never.
      const onCancel = (): void => {
        const why = "download cut: the service shut down (its drain was cut short) " +
          "before the file was sent whole";
        error = why;
        cut.abort(shuttingDown());
        info.onCut?.();
        record(ctx.relayedBeforeCut ?? sent, true);
      };
      const cancel = ctx.streamed ? options.cancel : undefined;
      if (cancel?.aborted) onCancel();
      else cancel?.addEventListener("abort", onCancel, { once: true });
      info.completed.then(
        () => {
          // A guarded relay that ended short (cut, or its client left) knows
          // what it passed on: Deno.serve resolves `completed` all the same.
          const relayed = ctx.relayedBeforeCut;
          if (relayed !== undefined) record(relayed, true);
          else record(sent, cut.signal.aborted, file && !cut.signal.aborted);
        },
        () => record(0, true),
      ).finally(() => {
        clearTimeout(timer);
        cancel?.removeEventListener("abort", onCancel);
      });
      return response;
    }
    if (response.body === null) {
      record(0, false);
      return response;
    }
    return new Response(countBody(response.body, record), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  async function route(
    request: Request,
    path: string,
    match: ReturnType<typeof matchRoute>,
    ctx: EndpointContext,
  ): Promise<Response> {
    if (match === undefined) {
      // `OPTIONS *` asks about the server as a whole (RFC 9110 9.3.7: a
      // proxy's or client's capability probe); Deno.serve gives its target
      // as the path `/*`, which is no route, so it was a 404.
      if (request.method === "OPTIONS" && path === "/*") {
        return new Response(null, { status: 204, headers: { allow: SERVER_METHODS } });
      }
      // A value a client sends is named cut (here and in every error
      // answer): whole, a 60 KB path wrote 60 KB into the log per request.
      throw new HttpError(404, `no route for ${shortened(path)}`);
    }
    const allow = [...match.methods, "OPTIONS"].join(", ");
    // OPTIONS answers what the route allows (RFC 9110 9.3.7), with no
    // authentication and no CORS grant, as Flask (KBase's server) does.
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { allow } });
    }
    if (!match.methods.includes(request.method)) {
      // A PUT of a file (`curl -T`, as build caches and object stores take
      // one) is told the form this API takes it in; a `cache_id` asked for
      // with GET (an early `kbase_cache_client` sent its JSON as a GET's
      // body) or PUT is told to POST it.
      const hint =
        match.id !== undefined && (request.method === "PUT" || request.method === "PATCH")
          ? `: to upload a file, ${MULTIPART_UPLOAD_HINT}`
          : match.route === "/v1/cache_id"
          ? `: to get a cache ID, ${CACHE_ID_HINT}`
          : "";
      throw new HttpError(
        405,
        `${shortened(request.method)} is not allowed on ${match.route}${hint}`,
        { headers: { allow } },
      );
    }
    switch (match.route) {
      case "/":
      case "/v1":
        return jsonResponse({
          service: "vc cache service",
          api: "KBase file cache API v1",
          base_path: basePath,
          endpoints: ENDPOINTS,
        });
      case "/healthz":
        return jsonResponse({ status: "ok" });
      case "/readyz":
        await readiness.check();
        return jsonResponse({ status: "ok" });
      case "/metrics": {
        const text = new TextEncoder().encode(metrics.render());
        return new Response(text, {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
            "content-length": String(text.length),
          },
        });
      }
      case "/v1/cache_id":
        return await postCacheId(request, ctx);
    }
    const id = match.id!;
    switch (request.method) {
      case "POST":
        return await postFile(request, id, ctx);
      case "DELETE":
        return await deleteFile(request, id, ctx);
      default:
        return await getFile(request, id, ctx);
    }
  }

  return Object.assign(handler, { entries, metrics });
}

/**
 * A `Host` header as RFC 9110 7.2 allows it: `uri-host [ ":" port ]` (an
 * IP literal in brackets, or a reg-name: unreserved, sub-delims and
 * percent-encoded characters only).
 */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * The path of the request (percent-encoded, as sent), or `HttpError` 400 for
 * a `Host` header that is not a host (RFC 9112 3.2: a server answers such a
 * request 400). Deno.serve builds `request.url` from the `Host` header and
 * the request target: a `Host` of `x/v1/cache/<id>?` turned `GET /healthz`
 * into a download of that cache, and one with a space failed every such
 * request with 500 and a stack trace in the log.
 */
function requestPath(request: Request): string | HttpError {
  const host = request.headers.get("host");
  const invalid = () =>
    new HttpError(
      400,
      `invalid Host header ${inertJson((host ?? "").slice(0, 200))}: not a host name or address`,
    );
  if (host !== null && !VALID_HOST.test(host)) return invalid();
  try {
    return new URL(request.url).pathname;
  } catch {
    return invalid();
  }
}

/**
 * The cache ID a request was about, for its log line: the one `cache_id`
 * answered, or the one in the path (as sent, cut to 200 characters: any
 * text may stand there). The route template alone could not trace one
 * cache's upload, downloads and removal across instances.
 */
function cacheIdOf(
  ctx: EndpointContext,
  match: { id?: string } | undefined,
): { cache_id: string } | undefined {
  const id = ctx.cacheId ?? match?.id;
  return id === undefined ? undefined : { cache_id: id.slice(0, 200) };
}

/** The methods of all routes together, `OPTIONS *`'s `Allow`. */
const SERVER_METHODS = "GET, HEAD, POST, DELETE, OPTIONS";

/** Statuses whose responses never carry a body. */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** The first `HttpError` in an error's cause chain (stores wrap stream errors). */
function findHttpError(error: unknown): HttpError | undefined {
  return findCause(error, (e) => e instanceof HttpError);
}

/** Passes a response body on, counting bytes, and reports once it ends or is cancelled. */
function countBody(
  body: ReadableStream<Uint8Array>,
  done: (bytes: number, aborted: boolean) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  let finished = false;
  const finish = (aborted: boolean) => {
    if (finished) return;
    finished = true;
    done(bytes, aborted);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          controller.close();
          finish(false);
          return;
        }
        bytes += value.length;
        controller.enqueue(value);
      } catch (e) {
        finish(true);
        controller.error(e);
      }
    },
    async cancel(reason) {
      finish(true);
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/**
 * Whether `e` (or its causes) is the store refusing access (read-only,
 * permission denied), or refusing to read a file it holds with another 403
 * (S3's InvalidObjectState: a lifecycle rule archived it to Glacier).
 */
function storeRefused(e: unknown): boolean {
  return hasCause(
    e,
    (at) => at instanceof AccessDeniedError || (at instanceof StoreError && at.status === 403),
  );
}

/** Whether `e` (or its causes) says the store's bucket or root directory does not exist. */
function storeGone(e: unknown): boolean {
  return hasCause(e, (at) => at instanceof StoreNotFoundError);
}

/**
 * How the log says a store outage (the 503s above): the error's name and
 * message with its causes, no stack. An outage is expected, and its stack
 * (vc's internals, a dozen lines per request) buried what failed; a bug's
 * 500 keeps its stack, which is what finds it.
 */
function outageText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${causeChain(e)}` : String(e);
}

/** Whether `e` (or its causes) says the store could not be reached or failed on its side. */
function storeUnavailable(e: unknown): boolean {
  return hasCause(e, isStoreUnavailable);
}

/** The slowest a streamed download may go by default, in bytes per second. */
export const DEFAULT_DOWNLOAD_MIN_RATE = 64 * 1024;

/**
 * The bytes of `cache_id` JSON bodies held at once while they arrive (or
 * `maxJsonBytes`, when larger): past it a body gets 503. Each may take up to
 * `maxJsonBytes` for up to `bodyIdleTimeoutMs`; unbounded, 300 connections
 * each sending all but the last byte of a 1 MiB body held 1.2 GiB. One
 * identity's bodies may hold a quarter of it (or `maxJsonBytes`).
 */
const JSON_BODIES_BUDGET = 64 * 2 ** 20;

/** Longest an upload waits for a slot by default before it gets 503 (`uploadQueueTimeoutMs`). */
export const DEFAULT_UPLOAD_QUEUE_MS = 60_000;

/** Longest a download waits for its identity's share by default before it gets 503 (`downloadQueueTimeoutMs`). */
export const DEFAULT_DOWNLOAD_QUEUE_MS = 60_000;

/**
 * The slowest an upload may arrive on average by default, after its first
 * `bodyIdleTimeoutMs` (`uploadMinRate`): 16 KiB/s (128 kbit/s), under any
 * broadband or mobile uplink, so `curl --limit-rate 100k` is never cut.
 */
export const DEFAULT_UPLOAD_MIN_RATE = 16 * 1024;

/**
 * How long (ms) a streamed download of `length` bytes may take: the body
 * idle timeout plus its length at `minRate` bytes/s; `undefined` (no bound)
 * when either is 0 or not finite. Capped at setTimeout's longest delay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadBound } from "./handler.ts";
 * assert(downloadBound(1 << 20, 60_000, 65_536) === 76_000);
 * assert(downloadBound(1 << 20, 0, 65_536) === undefined);
 * ```
 */
export function downloadBound(length: number, idleMs: number, minRate: number): number | undefined {
  if (!(idleMs > 0 && idleMs < Infinity && minRate > 0 && minRate < Infinity)) return undefined;
  return Math.min(MAX_TIMER_MS, Math.ceil(idleMs + length / minRate * 1000));
}
