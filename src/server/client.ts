/**
 * A client for the cache service (and any KBase file cache API v1 server):
 * {@linkcode CacheClient} for IDs, uploads, downloads and deletes, and
 * {@linkcode withCache} to run a computation only when its output is not
 * cached yet. Uploads stream (a file is never read into memory).
 *
 * @module
 */
import { forwardAbort, onAbort, signalOption } from "../abort_hub.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { withCallbackGuard } from "../callback.ts";
import { linkTarget } from "../link_target.ts";
import { copyOutError } from "../cache/cache_errors.ts";
import {
  causeChain,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  VcError,
} from "../errors.ts";
import {
  checkedFetch,
  checkFunction,
  checkOptions,
  checkPathArgument,
  checkRequiredOptions,
  describeValue,
  isPlainObject,
  type OptionNames,
} from "../options_check.ts";
import { Md5, md5Hex } from "../hash.ts";
import { checkableMd5, uncoded } from "./repr_digest.ts";
import { resumedBody } from "./resumed_body.ts";
import { restartWaitMs } from "./restart_wait.ts";
import { failureKind } from "./failure_kind.ts";
import { DAMAGED_ON_THE_WAY, mediaType } from "./upload_fields.ts";
import { proxyApplies } from "../store/http1_client.ts";
import { isUntrustedCertificate } from "../store/s3_errors.ts";
import { isProxyAuthRefusal, proxyRefusalText } from "../store/proxy_refusal.ts";
import { redactSecrets, redactUrl } from "../redact.ts";
import { deadline, MIN_PROGRESS_BYTES } from "../deadline.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../store/s3_config.ts";
import { retryReason, storeRetried } from "../store/retry_notice.ts";
import { regularFile } from "../regular_file.ts";
import {
  answerRetryAfterMs,
  elapsedSaid,
  isRetryableStatus,
  isTransientError,
  isUnreachableError,
  retry,
} from "../store/retry.ts";

/** How a file given to upload is named in errors. */
const UPLOAD_WHAT = "file to upload";

/**
 * The service answered with an error; `status` is its HTTP status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheServiceError } from "./client.ts";
 * const e = new CacheServiceError("upload of cache 4b…: the cache service at http://svc failed (413): too big", 413);
 * assert(e.status === 413 && e.name === "CacheServiceError");
 * ```
 */
export class CacheServiceError extends VcError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Creates the error. */
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** Options for {@linkcode CacheClient}. */
export interface CacheClientOptions {
  /** Base URL of the service, including any base path (`https://host/cache`). */
  url: string;
  /** The token sent as the `Authorization` header. */
  token: string;
  /** HTTP client (default: global fetch). */
  fetch?: typeof fetch;
  /**
   * Gives up on a request the service leaves silent this long, in ms
   * (default 60 s, as `VC_REQUEST_TIMEOUT`; 0 = never): no answer (counted
   * after the time an upload's body takes at 64 KiB/s), or no byte of a
   * download for that long. An `OfflineError` naming the service.
   */
  timeoutMs?: number;
  /**
   * Attempts of a request that is safe to repeat, the first included
   * (default 5; 1 = no retries): `id`, `get`, `getBytes`, `download`, `rm`,
   * and `put` of bytes or a file (not of a stream, which cannot be sent
   * twice). Retried: 408, 429, 500, 502, 503 and 504 answers, a reset
   * connection or an answer that broke off, and a refused connection once
   * an earlier attempt reached the service (a restart: waited 1 s, then 2,
   * then 4, as the service starts again); not a first refusal or a silence
   * past `timeoutMs`.
   */
  maxAttempts?: number;
  /** Cap of the first retry's random delay in ms (default 100); doubles per attempt. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry in ms, also for a `Retry-After` (default 20,000). */
  maxRetryDelayMs?: number;
  /**
   * Most bytes a download (`get`, `getBytes`, `download`) takes (default:
   * no limit). An answer announcing more (`Content-Length`) is refused before
   * its body, and one without a length (a server or proxy streaming without
   * end) is cut once it passes the limit: a `CacheServiceError` naming the
   * cache, the URL and the limit, not retried; `download` leaves no file.
   */
  maxDownloadBytes?: number;
}

/** The MD5 of no bytes: a value of the upload's `file_md5` field, for its length. */
const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

/** An upload's send time on top of the timeout, at a rate any working link beats. */
const MIN_SEND_BYTES_PER_S = 64 * 1024;

/** What `POST /v1/cache_id` returns. */
export interface CacheIdResult {
  /** The cache ID. */
  cacheId: string;
  /** `"placeholder"` until a file is uploaded. */
  filename: string;
  /** The caller's token_id. */
  tokenId: string;
  /** Expiry, seconds since the epoch. */
  expiration: number;
}

/** A file to upload: bytes, a stream, or a local file. */
export type UploadBody = Uint8Array | ReadableStream<Uint8Array> | { path: string };

/** Options for {@linkcode CacheClient.put}. */
export interface PutFileOptions {
  /** Filename stored with the file (default: the path's name, else `"file"`). */
  filename?: string;
  /** Content type sent with the file (default `application/octet-stream`). */
  contentType?: string;
  /** Called as the file's bytes are sent (`total` when the size is known). */
  onProgress?: (progress: { bytes: number; total?: number }) => void;
  /** Stops the upload (the request is aborted; the service keeps the previous file). */
  signal?: AbortSignal;
}

/** Options of the requests of a {@linkcode CacheClient}. */
export interface RequestOptions {
  /** Aborts the request (and a download's body) with the signal's reason. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

const CLIENT_OPTIONS: OptionNames<CacheClientOptions> = {
  url: true,
  token: true,
  fetch: true,
  timeoutMs: true,
  maxAttempts: true,
  retryBaseDelayMs: true,
  maxRetryDelayMs: true,
  maxDownloadBytes: true,
};
const REQUEST_OPTIONS: OptionNames<RequestOptions> = { signal: true };
const GET_OPTIONS = { range: true, signal: true } as const;
const DOWNLOAD_OPTIONS = { onProgress: true, signal: true } as const;
const PUT_OPTIONS: OptionNames<PutFileOptions> = {
  filename: true,
  contentType: true,
  onProgress: true,
  signal: true,
};
const WITH_CACHE_OPTIONS: OptionNames<WithCacheOptions> = { ...PUT_OPTIONS, client: true };

/**
 * Refuses a cache ID that is not a non-empty string before any request: the
 * service would answer 404, which `get` reports as a miss (`undefined`).
 */
function checkCacheIdArgument(what: string, id: unknown): void {
  if (typeof id !== "string" || id === "") {
    throw new InvalidInputError(
      `${what}: the cache ID must be a non-empty string, got ${describeValue(id)}`,
    );
  }
  // A path segment that URL parsing resolves away: `/v1/cache/..` is `/v1/`,
  // whose 200 (the route list) was taken for the file.
  if (id === "." || id === "..") {
    throw new InvalidInputError(
      `${what}: the cache ID must name a cache, got ${JSON.stringify(id)} ` +
        "(a URL resolves it to another route)",
    );
  }
}

/** Refuses `params` that are neither a plain object nor JSON text, before any request. */
function checkParams(what: string, params: unknown): void {
  if (typeof params !== "string" && !isPlainObject(params)) {
    throw new InvalidInputError(
      `${what}: params must be an object (or JSON text), got ${describeValue(params)}`,
    );
  }
  // A BigInt or a cycle would be JSON.stringify's bare TypeError, from the request.
  if (typeof params !== "string") {
    try {
      JSON.stringify(params);
    } catch (e) {
      throw new InvalidInputError(
        `${what}: params cannot be written as JSON: ${(e as Error).message.split("\n")[0]}`,
      );
    }
  }
}

/**
 * Talks to a cache service.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { serveCache } from "./serve.ts";
 * import { CacheClient } from "./client.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using service = await serveCache({
 *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
 *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
 *   });
 *   const client = new CacheClient({ url: service.url, token: "alice" });
 *   const { cacheId } = await client.id({ sample: 1 });
 *   assert(await client.getBytes(cacheId) === undefined);
 *   await client.put(cacheId, new TextEncoder().encode("result"), { filename: "r.txt" });
 *   assert(new TextDecoder().decode(await client.getBytes(cacheId)) === "result");
 *   await client.rm(cacheId);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class CacheClient {
  readonly #url: string;
  readonly #token: string;
  readonly #fetchImpl: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #maxDownloadBytes: number;

  /**
   * Creates a client. Throws `InvalidInputError` for an unknown option, when `url` is not an
   * http(s) URL or `timeoutMs` not a number of ms.
   */
  constructor(options: CacheClientOptions) {
    // `timeout` for `timeoutMs` was ignored: the default 60 s was used.
    checkOptions("CacheClient", options, CLIENT_OPTIONS);
    // `url: Deno.env.get("VC_CACHE_URL")!` is undefined when the variable is unset.
    for (const key of ["url", "token"] as const) {
      if (typeof options?.[key] !== "string" || options[key] === "") {
        throw new InvalidInputError(
          `CacheClient: the option ${key} must be a non-empty string, got ${
            describeValue(options?.[key])
          }`,
        );
      }
    }
    // Blank, it is sent as no Authorization header: the service's "missing
    // Authorization header" (400) came after a round trip, for a token given.
    if (options.token.trim() === "") {
      throw new InvalidInputError("CacheClient: the option token is blank (only whitespace)");
    }
    // fetch refuses such a header value, which was reported as "cannot reach
    // the cache service" (a token file read with a line break inside, say).
    // Not shown: the token is a secret.
    // deno-lint-ignore no-control-regex -- matching control characters is the point
    if (/[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/.test(options.token.trim())) {
      throw new InvalidInputError(
        "CacheClient: the option token cannot be sent as an Authorization header: it has a " +
          "line break, a control character or a character beyond U+00FF inside (only the " +
          "token's own line?)",
      );
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(options.url);
    } catch {
      // reported below
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new InvalidInputError(
        `cache service URL ${
          JSON.stringify(redactUrl(options.url))
        } is not an http:// or https:// URL`,
      );
    }
    // Routes are appended to the URL's text: after a `?` or `#` they would
    // land in the query or fragment, and every request went to the base path.
    if (/[?#]/.test(options.url)) {
      throw new InvalidInputError(
        `cache service URL ${
          JSON.stringify(redactUrl(options.url))
        } is not a base URL: a service URL has no query or fragment`,
      );
    }
    // fetch sends a URL's user:password as Basic credentials in the
    // Authorization header beside the token, joined into one value
    // (`Basic …, <token>`): every request was refused 401 as a header "sent
    // twice", which the user never sent.
    if (parsed.username !== "" || parsed.password !== "") {
      throw new InvalidInputError(
        `cache service URL ${
          JSON.stringify(redactUrl(options.url))
        } carries credentials (user:password@): they would be sent in the Authorization ` +
          "header beside the token, which the service then refuses; give the URL without them " +
          "and the token alone",
      );
    }
    // Trimmed, as URL parsing and an AWS_ENDPOINT_URL take it: routes are
    // appended to the text, and `http://h:8080 /v1/cache/…` failed every
    // request as "cannot reach the cache service … Invalid URL".
    this.#url = options.url.trim().replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetchImpl = options.fetch == null ? fetch : checkedFetch("CacheClient", options.fetch);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new InvalidInputError(
        `timeoutMs option is ${timeoutMs}: expected a number of ms (0 = none)`,
      );
    }
    this.#timeoutMs = timeoutMs;
    const count = (name: string, value: number, min: number) => {
      if (!(Number.isSafeInteger(value) && value >= min)) {
        throw new InvalidInputError(
          `${name} option is ${describeValue(value)}: expected an integer of at least ${min}`,
        );
      }
      return value;
    };
    this.#maxAttempts = count("maxAttempts", options.maxAttempts ?? 5, 1);
    this.#retryBaseDelayMs = count("retryBaseDelayMs", options.retryBaseDelayMs ?? 100, 0);
    this.#maxRetryDelayMs = count("maxRetryDelayMs", options.maxRetryDelayMs ?? 20_000, 0);
    this.#maxDownloadBytes = options.maxDownloadBytes === undefined
      ? Infinity
      : count("maxDownloadBytes", options.maxDownloadBytes, 0);
  }

  /**
   * Runs `attempt` (one request, its answer read) up to `maxAttempts` times
   * while it fails transiently (see {@linkcode CacheClientOptions.maxAttempts}),
   * waiting a `Retry-After` (capped) or a jittered backoff in between.
   * `repeatable` false (a stream's upload) makes one attempt. `refetchDamaged`
   * (see {@linkcode #retryingWhole}) also retries a body whose MD5 failed its
   * check, until the same wrong bytes come twice. The last error says how
   * many attempts were made at `url`.
   */
  async #retrying<T>(
    url: string,
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
    repeatable = true,
    refetchDamaged = false,
  ): Promise<T> {
    let attempts = 0;
    const started = performance.now();
    // The MD5 of the last damaged body, and the error that brought it again.
    let damagedMd5: string | undefined;
    let damagedAgain: unknown;
    try {
      return await retry(() => {
        attempts++;
        return attempt();
      }, {
        maxAttempts: repeatable ? this.#maxAttempts : 1,
        baseDelayMs: this.#retryBaseDelayMs,
        maxDelayMs: this.#maxRetryDelayMs,
        signal,
        shouldRetry: (error, n) => {
          const md5 = receivedMd5.get(error as object);
          if (md5 !== undefined) {
            if (md5 === damagedMd5) damagedAgain = error;
            damagedMd5 = md5;
            return refetchDamaged && damagedAgain === undefined;
          }
          // Damaged on the way, an upload is sent again: the next copy is whole.
          if (damagedUpload.has(error as object)) return true;
          // A refusal after an earlier attempt reached the service is a restart.
          return isTransientError(error) || (n > 1 && isUnreachableError(error));
        },
        delayFor: (error, n) =>
          retryAfter.get(error as object) ??
            (isUnreachableError(error) ? restartWaitMs(n - 1, this.#maxRetryDelayMs) : undefined),
        // Told as a store's retries are: a service answering 503 or
        // restarting held `vc cache-client` for seconds without a word.
        onRetry: ({ error, attempt, delayMs }) =>
          storeRetried({
            reason: retryReason(error),
            error,
            attempt,
            maxAttempts: this.#maxAttempts,
            delayMs,
          }),
      });
    } catch (error) {
      if (attempts > 1 && error instanceof VcError && !signal?.aborted) {
        // retry() says it gave up already, without where (or a body cut on
        // each of its resumes, the time of its last attempt only): said once,
        // with the URL and the time of them all.
        const over = elapsedSaid(performance.now() - started);
        let message = error.message.replace(GAVE_UP, "");
        if (error === damagedAgain) {
          // Not "try again": a third answer would bring the same bytes.
          if (message.endsWith(TRY_AGAIN)) message = message.slice(0, -TRY_AGAIN.length);
          message += "; the same bytes came 2 times: it is what the service's store holds, not " +
            "damage on the way";
        }
        error.message = message +
          ` (gave up after ${attempts} attempts${over} at ${redactUrl(url)})`;
      }
      throw error;
    }
  }

  /**
   * {@linkcode #retrying} of a whole download (`download`, `getBytes`), whose
   * bytes reach no one before they are checked: a body whose MD5 failed its
   * check is fetched again too, as one that broke off is. Noise on the way
   * differs between answers; the same wrong bytes twice are the store's
   * copy, and it stops there.
   */
  #retryingWhole<T>(url: string, signal: AbortSignal | undefined, attempt: () => Promise<T>) {
    return this.#retrying(url, signal, attempt, true, true);
  }

  /**
   * A request to the service; a connection failure is an `OfflineError`
   * naming it. Redirects are not followed: fetch would resend a POST as a
   * GET and drop the token on another origin, so the service's answer was
   * a puzzling 405 or "missing Authorization header"; a 3xx is reported
   * with its `Location` instead (see `#json`).
   */
  #fetch(url: string, init: RequestInit, what: string, bodyBytes = 0): Promise<Response> {
    return this.#reach(
      (signal) => this.#fetchImpl(url, { ...init, redirect: "manual", ...signalOption(signal) }),
      what,
      init.signal ?? undefined,
      bodyBytes,
    );
  }

  /**
   * `send`'s response; a failure to reach the service (fetch's `TypeError`,
   * `node:http`'s connection codes) is an `OfflineError` naming it, an abort
   * its signal's reason. `send` gets the signal to send with: the caller's,
   * plus the silence timeout (`timeoutMs`) for the answer, counted after the
   * time `bodyBytes` take to send (`Infinity`: an upload of unknown size,
   * whose answer is waited for as long as it takes), and then for each chunk
   * of the response body.
   */
  async #reach(
    send: (signal: AbortSignal | undefined) => Promise<Response>,
    what: string,
    signal?: AbortSignal,
    bodyBytes = 0,
  ): Promise<Response> {
    const timeoutMs = this.#timeoutMs;
    const attempt = timeoutMs > 0 ? new AbortController() : undefined;
    const stopForwarding = attempt === undefined ? undefined : forwardAbort(signal, attempt);
    let silence: OfflineError | undefined;
    const silent = (state: string) => () => {
      silence = new OfflineError(
        `${what}: the cache service at ${redactUrl(this.#url)} ${state} for ${
          timeoutMs / 1000
        } s ` +
          "(request timeout: the timeoutMs option, in ms)",
      );
      attempt!.abort(silence);
    };
    const waitMs = timeoutMs + (bodyBytes / MIN_SEND_BYTES_PER_S) * 1000;
    const cancel = attempt === undefined || !Number.isFinite(waitMs)
      ? undefined
      : deadline(waitMs, silent("sent no answer"));
    let res: Response;
    try {
      res = await send(attempt?.signal ?? signal);
    } catch (error) {
      stopForwarding?.();
      if (silence !== undefined) throw silence;
      signal?.throwIfAborted();
      // vc's own refusals (a file that changed while it was sent) stand; any
      // other failure to get an answer (refused, reset, a TLS handshake with
      // a plain-HTTP port or an unknown certificate) names the service and
      // its causes: fetch's own message is only "fetch failed".
      if (error instanceof VcError) throw error;
      // The proxy answered the CONNECT 407: it was reached, and no attempt
      // passes without its credentials (not retried, as an http service's 407).
      if (isProxyAuthRefusal(error)) {
        throw new CacheServiceError(`${what}: ${proxyRefusalText(this.#url)}`, 407, {
          cause: error,
        });
      }
      // Not a service that is down: say what to trust (Deno's fetch reads
      // NODE_EXTRA_CA_CERTS; AWS_CA_BUNDLE is only for S3 requests).
      const hint = isUntrustedCertificate(error)
        ? " (the service's certificate is not trusted: for a private CA, set " +
          "NODE_EXTRA_CA_CERTS to its PEM file)"
        : "";
      throw new OfflineError(
        `${what}: cannot reach the cache service at ${redactUrl(this.#url)}: ${
          causeChain(error)
        }${hint}`,
        { cause: error },
      );
    } finally {
      cancel?.();
    }
    if (res.body === null) {
      stopForwarding?.();
      return res;
    }
    // The body: each chunk within the timeout; the end (or a cancel) stops the guard.
    const reader = res.body.getReader();
    let stopIdle: (() => void) | undefined;
    // fetch's abort does not end a body already flowing (its chunks kept
    // coming, and a Ctrl-C of `vc cache-client get` let the download run to
    // its end): the caller's abort ends the body itself, as an error, never
    // as a short body that looks whole.
    const stopOnAbort = onAbort(signal, () => reader.cancel(signal!.reason).catch(() => {}));
    const end = () => {
      stopIdle?.();
      stopForwarding?.();
      stopOnAbort();
    };
    // Only a file's answer is a download; a cache_id, upload or delete answer is JSON.
    const answer = what.startsWith("download") ? "a download" : "its answer";
    const service = redactUrl(this.#url);
    // Time spent waiting for the network and bytes since the body last
    // moved (MIN_PROGRESS_BYTES, as the store's downloads): a server that
    // trickles a byte a second re-armed the timeout with each byte, and
    // held a download for days. (Monotonic: a step of the system clock is
    // no silence.)
    let waitedBefore = 0;
    let windowBytes = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const started = performance.now();
        const before = waitedBefore;
        // The abort does not always end a body read that waits: the reader
        // is cancelled too, and its read then ends as if the body had.
        stopIdle = attempt === undefined
          ? () => {}
          : deadline(Math.max(1, timeoutMs - before), () => {
            // Mostly this read's silence: a stall; else a trickle.
            silent(
              performance.now() - started >= before
                ? `sent nothing more of ${answer}`
                : `sent ${answer} too slowly (under ${MIN_PROGRESS_BYTES / 1024} KiB)`,
            )();
            reader.cancel(silence).catch(() => {});
          });
        try {
          const { done, value } = await reader.read();
          stopIdle();
          if (silence !== undefined) throw silence;
          signal?.throwIfAborted();
          if (done) {
            end();
            controller.close();
          } else {
            windowBytes += value.length;
            if (windowBytes >= MIN_PROGRESS_BYTES) {
              windowBytes = 0;
              waitedBefore = 0;
            } else waitedBefore += performance.now() - started;
            controller.enqueue(value);
          }
        } catch (error) {
          end();
          // A body cut off (reset, closed before its Content-Length) is named
          // as the request it answers, not left as fetch's bare TypeError.
          if (silence === undefined && signal?.aborted) {
            controller.error(signal.reason);
            return;
          }
          const cut = silence ?? new OfflineError(
            `${what}: the answer of the cache service at ${service} broke off: ${
              causeChain(error)
            }`,
            { cause: error },
          );
          cutAnswers.add(cut);
          controller.error(cut);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    });
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  }

  /**
   * The cache ID for `params` (a JSON object, or JSON text sent as is so
   * number lexemes are kept), reserving a placeholder when it is new.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const a = await client.id({ sample: 1, k: 5 });
   *   assert(a.filename === "placeholder" && a.tokenId === "t:alice");
   *   assert((await client.id({ k: 5, sample: 1 })).cacheId === a.cacheId); // key order is ignored
   *   assert((await client.id({ sample: 2, k: 5 })).cacheId !== a.cacheId);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async id(
    params: Record<string, unknown> | string,
    options: RequestOptions = {},
  ): Promise<CacheIdResult> {
    checkParams("CacheClient.id()", params);
    checkOptions("CacheClient.id()", options, REQUEST_OPTIONS);
    const url = `${this.#url}/v1/cache_id`;
    const { res, doc } = await this.#retrying(url, options.signal, async () => {
      const res = await this.#fetch(url, {
        method: "POST",
        headers: { authorization: this.#token, "content-type": "application/json" },
        body: typeof params === "string" ? params : JSON.stringify(params),
        ...signalOption(options.signal),
      }, "cache_id");
      return { res, doc: await this.#json(res, "cache_id") };
    });
    const meta = doc.metadata as Record<string, unknown> | undefined;
    // Another server's "ok" (a proxy's, an older API) gave a TypeError, or a
    // cache ID printed as "undefined".
    if (
      typeof doc.cache_id !== "string" || doc.cache_id === "" || typeof meta !== "object" ||
      meta === null
    ) {
      throw new CacheServiceError(
        `cache_id: the cache service at ${
          redactUrl(this.#url)
        } failed (${res.status}): it answered ${
          JSON.stringify(this.#withoutToken(JSON.stringify(doc)).slice(0, 200))
        }, ` +
          'not {"cache_id", "metadata"}: is the url option a KBase file cache service?',
        res.status,
      );
    }
    return {
      cacheId: doc.cache_id as string,
      filename: meta.filename as string,
      tokenId: meta.token_id as string,
      // A string of Unix seconds (KBase's form); a number from older servers.
      expiration: Number(meta.expiration),
    };
  }

  /**
   * Uploads a file for `id`, replacing any previous one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(`${dir}/store`), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const { cacheId } = await client.id({ sample: 1 });
   *   await Deno.writeTextFile(`${dir}/result.txt`, "first");
   *   await client.put(cacheId, { path: `${dir}/result.txt` }); // streamed from the file
   *   assert(new TextDecoder().decode(await client.getBytes(cacheId)) === "first");
   *   await client.put(cacheId, new TextEncoder().encode("second"), { filename: "r.txt" });
   *   assert(new TextDecoder().decode(await client.getBytes(cacheId)) === "second");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async put(id: string, body: UploadBody, options: PutFileOptions = {}): Promise<void> {
    checkCacheIdArgument("CacheClient.put()", id);
    if (
      !(body instanceof Uint8Array) && !(body instanceof ReadableStream) &&
      !(isPlainObject(body) && typeof body.path === "string" && body.path !== "")
    ) {
      throw new InvalidInputError(
        "CacheClient.put(): the body must be a Uint8Array, a ReadableStream or { path }, got " +
          describeValue(body),
      );
    }
    checkOptions("CacheClient.put()", options, PUT_OPTIONS);
    const filename = options.filename ??
      ("path" in body ? body.path.split(/[\\/]/).pop() || "file" : "file");
    // A lone surrogate has no UTF-8 form: encodeURIComponent's bare "URIError: URI malformed".
    if (typeof filename === "string" && !filename.isWellFormed()) {
      throw new InvalidInputError(
        `CacheClient.put(): the filename ${
          JSON.stringify(filename.slice(0, 200))
        } is not well-formed Unicode (a lone surrogate)`,
      );
    }
    // Written into the part's headers: a CR/LF would forge others, and the
    // service refuses anything that is not a media type anyway.
    if (options.contentType !== undefined && mediaType(options.contentType) === undefined) {
      throw new InvalidInputError(
        `content type ${JSON.stringify(options.contentType)} is not a valid media type`,
      );
    }
    const boundary = `vc-${crypto.randomUUID()}`;
    const head = encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${
        filename.replace(/["\\\r\n]/g, "_")
      }"; filename*=UTF-8''${encodeURIComponent(filename)}\r\nContent-Type: ${
        options.contentType ?? "application/octet-stream"
      }\r\n\r\n`,
    );
    // After the file, the MD5 of the bytes sent (taken as they go): the
    // service refuses a file that arrived as other bytes (vc serve; other
    // services ignore the field), which it stored and then served as good.
    const tail = (md5: string) =>
      encoder.encode(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file_md5"\r\n\r\n` +
          `${md5}\r\n--${boundary}--\r\n`,
      );
    const url = `${this.#url}/v1/cache/${encodeURIComponent(id)}`;
    const headers = {
      authorization: this.#token,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    };
    // Checked before any request: a directory read mid-request fails as
    // "fetch failed", taken for an unreachable service; a FIFO would block.
    const fileInfo = "path" in body ? await regularFile(body.path, UPLOAD_WHAT) : undefined;
    // An onProgress that throws (or whose promise rejects) stops the upload
    // (its request aborted, so nothing is stored) and is what put rejects
    // with, a CallbackError: not an upload error to try again.
    try {
      await withCallbackGuard(options, ["onProgress"], (sending) =>
        // Bytes and a file can be sent again; a stream only once.
        this.#retrying(
          url,
          sending.signal,
          () => this.#putOnce(id, body, sending, { url, headers, head, tail, fileInfo }),
          !(body instanceof ReadableStream),
        ));
    } catch (error) {
      // The service knows at most the bytes it read before it refused (a
      // quota's 413 stops reading): the file's size is the client's to say.
      const size = body instanceof Uint8Array ? body.length : fileInfo?.size;
      if (error instanceof CacheServiceError && error.status === 413 && size !== undefined) {
        error.message += ` (the file sent: ${size} bytes)`;
      }
      throw error;
    }
  }

  /** One attempt of `put` (a file is opened again for each). */
  async #putOnce(
    id: string,
    body: UploadBody,
    options: PutFileOptions,
    { url, headers, head, tail, fileInfo }: {
      url: string;
      headers: Record<string, string>;
      head: Uint8Array<ArrayBuffer>;
      tail: (md5: string) => Uint8Array<ArrayBuffer>;
      fileInfo: Deno.FileInfo | undefined;
    },
  ): Promise<void> {
    if ("path" in body && this.#fetchImpl === fetch && !proxyApplies(url)) {
      // fetch sends a stream chunked, which Deno.serve reads slowly once its
      // reader pauses (a 1 GiB file took 7 minutes of the service's CPU):
      // a file's length is known, so it goes with a Content-Length.
      const res = await this.#reach(
        (signal) =>
          sendFile(url, headers, head, body.path, tail, { ...options, ...signalOption(signal) }, {
            what: `upload of cache ${id}`,
            service: redactUrl(this.#url),
          }),
        `upload of cache ${id}`,
        options.signal,
        fileInfo?.size ?? 0,
      );
      await this.#uploadAnswer(res, id);
      return;
    }
    let payload: BodyInit;
    if (body instanceof Uint8Array && options.onProgress === undefined) {
      payload = new Blob([head, body as Uint8Array<ArrayBuffer>, tail(md5Hex(body))]);
    } else {
      let stream: ReadableStream<Uint8Array>;
      let total: number | undefined;
      if (body instanceof Uint8Array) {
        stream = ReadableStream.from([body]);
        total = body.length;
      } else if (body instanceof ReadableStream) {
        stream = body;
      } else {
        total = fileInfo?.size;
        stream = (await Deno.open(body.path, { read: true })).readable;
      }
      if (options.onProgress !== undefined) stream = counting(stream, total, options.onProgress);
      payload = ReadableStream.from(framed(head, stream, tail, options.signal));
    }
    const res = await this.#fetch(
      url,
      {
        method: "POST",
        headers,
        body: payload,
        ...signalOption(options.signal),
      },
      `upload of cache ${id}`,
      body instanceof Uint8Array ? body.length : fileInfo?.size ?? Infinity,
    );
    await this.#uploadAnswer(res, id);
  }

  /**
   * An upload's answer read; a refusal of the file as damaged on the way
   * (its `file_md5` differs) is marked to be sent again (see `#retrying`).
   */
  async #uploadAnswer(res: Response, id: string): Promise<void> {
    try {
      await this.#json(res, `upload of cache ${id}`);
    } catch (error) {
      if (
        error instanceof CacheServiceError && error.status === 400 &&
        error.message.includes(`(400): ${DAMAGED_ON_THE_WAY}`)
      ) damagedUpload.add(error);
      throw error;
    }
  }

  /**
   * The file's response (stream it from `body`), or `undefined` when not cached (404).
   * A whole file (200) sent with a `Repr-Digest` MD5 (see repr_digest.ts) is
   * checked as it passes: a body of other bytes errors at its end with an
   * `IntegrityError`. Without the field (older entries, other servers), or
   * with a content coding (see checkableMd5), the body is as sent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const { cacheId } = await client.id({ sample: 1 });
   *   assert(await client.get(cacheId) === undefined);
   *   await client.put(cacheId, new TextEncoder().encode("result"), { filename: "r.txt" });
   *   const res = await client.get(cacheId, { range: "bytes=0-2" });
   *   assert(res?.status === 206 && await res.text() === "res");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async get(
    id: string,
    init: { range?: string } & RequestOptions = {},
  ): Promise<Response | undefined> {
    checkCacheIdArgument("CacheClient.get()", id);
    checkOptions("CacheClient.get()", init, GET_OPTIONS);
    return await this.#retrying(this.#cacheUrl(id), init.signal, () => this.#getOnce(id, init));
  }

  /** The URL of cache `id`'s file. */
  #cacheUrl(id: string): string {
    return `${this.#url}/v1/cache/${encodeURIComponent(id)}`;
  }

  /** One attempt of `get`: the answer's head read, its body not. */
  async #getOnce(
    id: string,
    init: { range?: string } & RequestOptions,
  ): Promise<Response | undefined> {
    const res = await this.#fetch(this.#cacheUrl(id), {
      headers: {
        authorization: this.#token,
        ...(init.range === undefined ? {} : { range: init.range }),
      },
      ...signalOption(init.signal),
    }, `download of cache ${id}`);
    if (res.status === 404) {
      const text = await this.#answerText(res, `download of cache ${id}`);
      if (isMiss(text)) return undefined;
      // Not the API's "no such file": a wrong --url (base path) or another
      // server was reported as "cache … has no file", and withCache computed
      // only to fail at the upload.
      throw this.#failed(res, text, `download of cache ${id}`);
    }
    if (!res.ok) await this.#json(res, `download of cache ${id}`);
    // Only a 200 is the whole file (a 206 too when a range was asked for): a
    // proxy's 206 to a plain GET was written as the file, its part only, and
    // reported downloaded; a 204 read as a miss here, an empty file there.
    if (res.status !== 200 && !(res.status === 206 && init.range !== undefined)) {
      await res.body?.cancel().catch(() => {});
      throw this.#notAFile(res, `download of cache ${id}`);
    }
    if (res.body === null) return res;
    // The length picks how to hash (a small file without node:crypto), and
    // where a resumed body ends.
    const length = Number(res.headers.get("content-length") ?? NaN);
    const size = Number.isSafeInteger(length) && length >= 0 ? length : Infinity;
    const max = this.#maxDownloadBytes;
    if (size !== Infinity && size > max && uncoded(res)) {
      await res.body.cancel().catch(() => {});
      throw this.#tooLarge(id, res, `announced ${size} bytes (Content-Length)`);
    }
    let body = init.range === undefined ? this.#resumable(id, res, size, init.signal) : res.body;
    const md5 = checkableMd5(res);
    if (md5 !== undefined) body = body.pipeThrough(checkedMd5(id, md5, size, redactUrl(this.#url)));
    // Counted as it comes: an answer without a length (a server or proxy
    // that streams without end), or with a content coding (its length is the
    // coded bytes': a gzip of zeros inflates a thousandfold), is cut at the
    // limit, before the disk or the memory fills.
    if (max !== Infinity) {
      body = body.pipeThrough(
        bounded(max, () => this.#tooLarge(id, res, `sent more than ${max} bytes`)),
      );
    }
    if (body === res.body) return res;
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  }

  /** The error of a download past `maxDownloadBytes` (see `#getOnce`). */
  #tooLarge(id: string, res: Response, what: string): CacheServiceError {
    return new CacheServiceError(
      `download of cache ${id}: the cache service at ${redactUrl(this.#url)} ${what}, ` +
        `over the limit of ${this.#maxDownloadBytes} bytes (the maxDownloadBytes option)`,
      res.status,
    );
  }

  /** The error of a success that is not the whole file a download asked for (see `#getOnce`). */
  #notAFile(res: Response, what: string): CacheServiceError {
    const range = res.headers.get("content-range");
    const part = res.status === 206 ? ` (part of the file only${range ? `: ${range}` : ""})` : "";
    return new CacheServiceError(
      `${what}: the cache service at ${
        redactUrl(this.#url)
      } answered ${res.status}${part}, not the whole file (200); nothing was written: ` +
        "is the url option a KBase file cache service, or a proxy in front of one?",
      res.status,
    );
  }

  /**
   * The body of a whole file's answer (200 of `size` bytes, a strong ETag,
   * no content coding), continued after a cut with `Range: bytes=N-` and
   * `If-Range: <its ETag>` (see resumed_body.ts): a proxy that cuts every
   * answer after some megabytes made each attempt start over, and a large
   * file never came through. A server that ignores the range, or a file
   * replaced meanwhile (`If-Range` then gets the whole new file, 200), is
   * not continued: the cut stands, and `download` starts over.
   */
  #resumable(
    id: string,
    res: Response,
    size: number,
    signal: AbortSignal | undefined,
  ): ReadableStream<Uint8Array> {
    const etag = res.headers.get("etag");
    const body = res.body!;
    if (
      res.status !== 200 || etag === null || etag.startsWith("W/") || !uncoded(res) ||
      !Number.isFinite(size)
    ) return body;
    const what = `download of cache ${id}`;
    return resumedBody(body, {
      what,
      size,
      maxAttempts: this.#maxAttempts,
      baseDelayMs: this.#retryBaseDelayMs,
      maxDelayMs: this.#maxRetryDelayMs,
      signal,
      resume: async (offset) => {
        const rest = await this.#fetch(this.#cacheUrl(id), {
          headers: { authorization: this.#token, range: `bytes=${offset}-`, "if-range": etag },
          ...signalOption(signal),
        }, what);
        // A service restarting (503) is waited for; any other refusal ends the resume.
        if (!rest.ok && isRetryableStatus(rest.status)) await this.#json(rest, what);
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(rest.headers.get("content-range") ?? "");
        if (
          rest.status === 206 && rest.body !== null && uncoded(rest) &&
          Number(range?.[1]) === offset && Number(range?.[2]) === size - 1 &&
          Number(range?.[3]) === size
        ) return rest.body;
        await rest.body?.cancel().catch(() => {});
        return undefined;
      },
    });
  }

  /**
   * The file's bytes, or `undefined` when not cached.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const { cacheId } = await client.id({ sample: 1 });
   *   assert(await client.getBytes(cacheId) === undefined);
   *   await client.put(cacheId, new Uint8Array([1, 2, 3]));
   *   assert.deepEqual(await client.getBytes(cacheId), new Uint8Array([1, 2, 3]));
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async getBytes(id: string, options: RequestOptions = {}): Promise<Uint8Array | undefined> {
    checkCacheIdArgument("CacheClient.getBytes()", id);
    checkOptions("CacheClient.getBytes()", options, REQUEST_OPTIONS);
    // The whole exchange is an attempt: a body that broke off, or whose bytes
    // failed their MD5, is fetched again.
    return await this.#retryingWhole(this.#cacheUrl(id), options.signal, async () => {
      const res = await this.#getOnce(id, options);
      return res === undefined ? undefined : new Uint8Array(await res.arrayBuffer());
    });
  }

  /**
   * Downloads the file to `path` atomically; false when not cached. A
   * `path` that is a symbolic link is written through to its target (the
   * link stays), as `curl -o` and `wget -O` do.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(`${dir}/store`), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const { cacheId } = await client.id({ sample: 1 });
   *   assert(await client.download(cacheId, `${dir}/out.txt`) === false);
   *   await client.put(cacheId, new TextEncoder().encode("result"));
   *   assert(await client.download(cacheId, `${dir}/out.txt`) === true);
   *   assert(await Deno.readTextFile(`${dir}/out.txt`) === "result");
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async download(
    id: string,
    path: string,
    options: {
      onProgress?: (progress: { bytes: number; total?: number }) => void;
    } & RequestOptions = {},
  ): Promise<boolean> {
    checkCacheIdArgument("CacheClient.download()", id);
    checkPathArgument("CacheClient.download(): the path", path);
    checkOptions("CacheClient.download()", options, DOWNLOAD_OPTIONS);
    // An onProgress that throws (or whose promise rejects) stops the
    // download as an abort does (nothing written) and is what it rejects
    // with, a CallbackError: it was "cannot write DEST: <what it threw>".
    // The atomic write renames over its destination: at a link's name it
    // would replace the link by a file and leave the target as it was.
    const target = await linkTarget(path, "the download's destination");
    return await withCallbackGuard(options, ["onProgress"], ({ onProgress, signal: stop }) =>
      // The whole exchange is an attempt: a body that broke off, or whose
      // bytes failed their MD5, leaves no file (the atomic write is dropped)
      // and is fetched again.
      this.#retryingWhole(this.#cacheUrl(id), stop, async () => {
        const res = await this.#getOnce(id, signalOption(stop));
        if (res === undefined || res.body === null) return false;
        const length = Number(res.headers.get("content-length") ?? "NaN");
        const body = onProgress === undefined
          ? res.body
          : counting(res.body, Number.isFinite(length) ? length : undefined, onProgress);
        // The one atomic writer: temp file beside `path`, flush, rename; the
        // stream is written chunk by chunk (see writeFileAtomic). `path` is
        // the user's: the partial file a killed download left beside it is
        // removed by the next download to it. Stopped as the body ends (an
        // onProgress whose promise rejected at the last chunk), it writes nothing.
        try {
          await writeFileAtomic(target, body, { sweepAbandoned: true, ...signalOption(stop) });
        } catch (error) {
          throw destinationError(error, id, path, stop);
        }
        return true;
      }));
  }

  /**
   * Deletes the entry. Nothing to delete is a `CacheServiceError` (404,
   * `errorKind` `NotFoundError`),
   * except at a retry: an earlier attempt whose answer was lost may have
   * removed it, so there the 404 means done.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient, CacheServiceError } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   const { cacheId } = await client.id({ sample: 1 });
   *   await client.put(cacheId, new TextEncoder().encode("result"));
   *   await client.rm(cacheId);
   *   assert(await client.getBytes(cacheId) === undefined);
   *   const again = await client.rm(cacheId).catch((e) => e); // nothing left to delete
   *   assert(again instanceof CacheServiceError && again.status === 404);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  async rm(id: string, options: RequestOptions = {}): Promise<void> {
    checkCacheIdArgument("CacheClient.rm()", id);
    checkOptions("CacheClient.rm()", options, REQUEST_OPTIONS);
    let attempts = 0;
    await this.#retrying(this.#cacheUrl(id), options.signal, async () => {
      const retried = attempts++ > 0;
      const res = await this.#fetch(this.#cacheUrl(id), {
        method: "DELETE",
        headers: { authorization: this.#token },
        ...signalOption(options.signal),
      }, `delete of cache ${id}`);
      if (retried && res.status === 404) {
        // An earlier attempt may have removed the entry, its answer lost (a
        // proxy's 502/504, a reset): the API's 404 then says it is gone,
        // which is what was asked. Its own removal or another's cannot be
        // told apart, and either leaves no cache. Another server's 404 fails.
        const text = await this.#answerText(res, `delete of cache ${id}`);
        if (isMiss(text)) return;
        throw this.#failed(res, text, `delete of cache ${id}`);
      }
      await this.#json(res, `delete of cache ${id}`);
    });
  }

  /**
   * Runs `compute` only when `params` has no cached file; see {@linkcode withCache}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FsStore } from "../store/fs.ts";
   * import { serveCache } from "./serve.ts";
   * import { CacheClient } from "./client.ts";
   * const dir = await Deno.makeTempDir();
   * try {
   *   await using service = await serveCache({
   *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
   *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
   *   });
   *   const client = new CacheClient({ url: service.url, token: "alice" });
   *   let runs = 0;
   *   const compute = () => Promise.resolve(new TextEncoder().encode(`run ${++runs}`));
   *   const first = await client.withCache({ k: 1 }, compute);
   *   const second = await client.withCache({ k: 1 }, compute);
   *   assert(runs === 1 && new TextDecoder().decode(second) === "run 1");
   *   assert.deepEqual(second, first);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  withCache(
    params: Record<string, unknown>,
    compute: () => Promise<Uint8Array>,
    options: PutFileOptions = {},
  ): Promise<Uint8Array> {
    return withCache(params, compute, { ...options, client: this });
  }

  /**
   * `text` from the server (its error, a page's title, a JSON answer) with
   * the token shown as `***`: a service or a proxy that echoes the
   * Authorization header back ("Invalid token …") put the secret into the
   * error, so into terminals and CI logs. A token under 8 characters is not
   * looked for: its letters would be starred inside ordinary words. Called
   * before an answer is cut: an echo straddling the cut kept its first half.
   */
  #withoutToken(text: string): string {
    const token = this.#token.trim();
    // Given as `Bearer <token>`, it is echoed bare too (KBase's "Invalid token …").
    const bare = token.replace(/^bearer\s+/i, "");
    return redactSecrets(text, [token, bare]);
  }

  /**
   * What an answer that is not the API's JSON says: a redirect where it
   * points (to pass as the URL), an HTML page its title, an empty body so.
   */
  #notApi(res: Response, text: string): string {
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      // Unparsable (`http://[::1`), it is shown as sent: new URL's bare
      // "TypeError: Invalid URL" named neither the cache nor the service.
      const href = URL.parse(location, res.url || this.#url)?.href;
      const to = href === undefined
        ? `${JSON.stringify(redactUrl(location.slice(0, 200)))} (not a valid URL)`
        : redactUrl(href);
      // "the url option" stands last-but-not-in-parentheses: the CLI says it
      // as "--url (VC_CACHE_URL)", which must not close this parenthesis.
      return `it redirects to ${to} (not followed: the url option must name the service itself)`;
    }
    const isHtml = /html/i.test(res.headers.get("content-type") ?? "") || /^\s*</.test(text);
    if (isHtml) {
      return `it answered an HTML page (${
        pageText(text)
      }), not the cache API's JSON: is it a KBase file cache service, or a proxy in front of one?`;
    }
    return text === "" ? "an empty answer" : text.slice(0, 200);
  }

  async #json(res: Response, what: string): Promise<Record<string, unknown>> {
    const text = await this.#answerText(res, what);
    let doc: Record<string, unknown> | undefined;
    try {
      doc = JSON.parse(text);
    } catch {
      // reported below
    }
    if (!res.ok || doc?.status !== "ok") throw this.#failed(res, text, what, doc);
    return doc;
  }

  /**
   * The text of an answer that should be the API's JSON (or an error page),
   * read up to {@linkcode MAX_ANSWER_BYTES} (an error's first bytes): an
   * endless or huge answer from another server grew the client's memory by
   * gigabytes before a bare "RangeError: string too long".
   */
  async #answerText(res: Response, what: string): Promise<string> {
    if (res.body === null) return "";
    const chunks: Uint8Array[] = [];
    let size = 0;
    const text = async () =>
      new TextDecoder().decode(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).bytes());
    try {
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          // Leaving the loop cancels the body. An error's start is enough to name it.
          if (!res.ok) break;
          throw new CacheServiceError(
            `${what}: the cache service at ${
              redactUrl(this.#url)
            } failed (${res.status}): it answered more than ${
              MAX_ANSWER_BYTES / 1024 / 1024
            } MiB where the cache API sends a short JSON document: is the url option a KBase file cache service?`,
            res.status,
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      // A refusal whose body broke off (or went silent) is that refusal: its
      // status said it. As a cut answer it was retried, an upload sent whole
      // again each time, to end as "broke off" (a 503's cut body still is,
      // and a 404's: its body tells a miss from a wrong URL).
      if (res.ok || res.status === 404 || !cutAnswers.has(error as object)) throw error;
      const failed = this.#failed(res, await text(), what);
      // A silence has no cause: the rest did not come within the request timeout.
      const cause = (error as Error).cause;
      failed.message += cause === undefined
        ? " (the rest of its answer did not come within the request timeout)"
        : ` (its answer broke off: ${causeChain(cause)})`;
      throw failed;
    }
    return await text();
  }

  /** The error of an answer that is not a success: the API's error text, else what the server sent. */
  #failed(res: Response, text: string, what: string, doc = parseJson(text)): CacheServiceError {
    // The proxy's answer, never the service's: its credentials are missing or wrong.
    if (res.status === 407) {
      return new CacheServiceError(`${what}: ${proxyRefusalText(this.#url)}`, 407);
    }
    let message = typeof doc?.error === "string"
      ? doc.error
      : this.#notApi(res, this.#withoutToken(text));
    if (res.status === 404 && message.startsWith(NO_ROUTE)) {
      message += ` (is ${redactUrl(this.#url)} the service's URL, with its base path?)`;
    }
    // The API's own 404 (`Cache ID not found`: a `put` or `rm` of an ID the
    // service does not know) is a NotFoundError to errorKind, as a missing
    // object is (`--json`'s `kind`); a 404 of no route or of another server
    // is not, having said nothing of the cache.
    const cause = failureKind(res.status) ??
      (res.status === 404 && isMiss(text)
        ? new NotFoundError(`the cache service has no such cache ID (404)`)
        : undefined);
    const error = new CacheServiceError(
      `${what}: the cache service at ${redactUrl(this.#url)} failed (${res.status}): ${
        this.#withoutToken(message)
      }`,
      res.status,
      cause === undefined ? undefined : { cause },
    );
    const wait = answerRetryAfterMs(res.headers);
    if (wait !== undefined) retryAfter.set(error, wait);
    return error;
  }
}

/** The suffix retry() adds to an error it gave up on (see markGaveUp). */
const GAVE_UP = / \(gave up after \d+ attempts(?: over [^)]+)?\)$/;

/** The wait a failed answer's `Retry-After` asked for, in ms. */
const retryAfter = new WeakMap<object, number>();

/** How a `checkedMd5` error ends: dropped when the same bytes came again (see `#retrying`). */
const TRY_AGAIN = "; try again";

/** Errors of an answer's body that broke off or went silent (see `#reach`), not aborts. */
const cutAnswers = new WeakSet<object>();

/** Upload errors of a file the service received damaged (see `#uploadAnswer`). */
const damagedUpload = new WeakSet<object>();

/** The MD5 of the body a `checkedMd5` error found damaged (see `#retrying`). */
const receivedMd5 = new WeakMap<object, string>();

/** The most read of an answer that should be the API's JSON (its answers are a few hundred bytes). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** The start of vc serve's 404 for a path that is no route (a wrong base path in the URL). */
const NO_ROUTE = "no route for ";

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const doc = JSON.parse(text);
    return isPlainObject(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a 404's body says the cache has no file: the API's JSON error
 * (`Cache ID not found`, or vc serve's "lost its file" that an upload
 * repairs), not a proxy's page, another server's 404 or vc serve's
 * "no route" for a URL with a wrong base path.
 */
function isMiss(text: string): boolean {
  const doc = parseJson(text);
  return doc?.status === "error" && typeof doc.error === "string" &&
    !doc.error.startsWith(NO_ROUTE);
}

/** The `<title>` of an HTML page (a proxy's error page), else its start. */
function pageText(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const plain = title || text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

/** Passes at most `max` bytes on, then errors with `tooLarge()` (the source cancelled). */
function bounded(max: number, tooLarge: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.length;
      if (bytes > max) throw tooLarge();
      controller.enqueue(chunk);
    },
  });
}

function counting(
  stream: ReadableStream<Uint8Array>,
  total: number | undefined,
  onProgress: (progress: { bytes: number; total?: number }) => void,
): ReadableStream<Uint8Array> {
  let bytes = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.length;
        onProgress(total === undefined ? { bytes } : { bytes, total });
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Passes the bytes on, hashing them; at the end, errors with an
 * `IntegrityError` unless their MD5 is `md5` (hex): the reader gets every
 * byte, then the error (a file writer then discards what it wrote). `size`:
 * how many bytes are expected, when known; `service` names the service (redacted).
 */
function checkedMd5(
  id: string,
  md5: string,
  size: number,
  service: string,
): TransformStream<Uint8Array, Uint8Array> {
  const hash = new Md5(size);
  return new TransformStream({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      const got = hash.hex();
      if (got !== md5) {
        const error = new IntegrityError(
          `download of cache ${id}: the bytes received from the cache service at ${service} ` +
            `have MD5 ${got}, ` +
            `not ${md5} of the file uploaded (damaged by the store or on the way)${TRY_AGAIN}`,
        );
        receivedMd5.set(error, got);
        throw error;
      }
    },
  });
}

async function* framed(
  head: Uint8Array,
  body: ReadableStream<Uint8Array>,
  tail: (md5: string) => Uint8Array,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  yield head;
  const hash = new Md5();
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
  // An onProgress whose promise rejects stops the upload once it has (a
  // microtask after the last chunk's call): the tail completes the form the
  // service stores, so it waits a turn of the event loop and that stop (a
  // 10-byte upload was stored now and then, its callback's failure too late).
  await new Promise((resolve) => setTimeout(resolve, 0));
  signal?.throwIfAborted();
  yield tail(hash.hex());
}

/**
 * Options for {@linkcode withCache}; its `signal` stops the look-up (`id`,
 * `getBytes`) and the upload, and an abort before `compute` starts skips it.
 */
export interface WithCacheOptions extends PutFileOptions {
  /** The service to use. */
  client: CacheClient;
}

/**
 * Returns the cached output for `params`, or runs `compute`, stores its
 * output under `params` and returns it. `compute` runs only on a miss. When
 * the ID's placeholder went while `compute` ran (its upload gets 404), the
 * ID is asked for again and the output sent once more. An upload that still
 * fails (after the client's retries) rejects with a {@linkcode CacheUploadError}
 * holding the output, also written to a private temp file it names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FsStore } from "../store/fs.ts";
 * import { serveCache } from "./serve.ts";
 * import { CacheClient, withCache } from "./client.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using service = await serveCache({
 *     store: new FsStore(dir), port: 0, log: () => {}, sweepIntervalMs: 0,
 *     auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
 *   });
 *   const client = new CacheClient({ url: service.url, token: "alice" });
 *   let runs = 0;
 *   const compute = () => Promise.resolve(new Uint8Array([++runs]));
 *   const first = await withCache({ k: 1 }, compute, { client });
 *   const second = await withCache({ k: 1 }, compute, { client });
 *   assert(runs === 1 && first[0] === 1 && second[0] === 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function withCache(
  params: Record<string, unknown>,
  compute: () => Promise<Uint8Array>,
  options: WithCacheOptions,
): Promise<Uint8Array> {
  checkParams("withCache()", params);
  checkFunction("withCache(): compute", compute);
  checkRequiredOptions("withCache()", options, WITH_CACHE_OPTIONS);
  // Duck-typed: a stand-in client (a test's) with the same methods is fine.
  const given: unknown = options.client;
  if (typeof (given as Partial<CacheClient> | null)?.id !== "function") {
    throw new InvalidInputError(
      `withCache(): the option client must be a CacheClient, got ${describeValue(given)}`,
    );
  }
  const { client, ...put } = options;
  // The signal stops the look-up too, not only the upload: a service that
  // went silent held an aborted call until the request timeout.
  const request = signalOption(put.signal);
  const { cacheId } = await client.id(params, request);
  const hit = await client.getBytes(cacheId, request);
  if (hit !== undefined) return hit;
  // Aborted during the look-up: no compute (it may take hours) for a call given up.
  put.signal?.throwIfAborted();
  const output = await compute();
  // Told before the upload: put's own refusal ("the body must be …") named
  // no compute, and an output without a length failed as a bare TypeError.
  if (!(output instanceof Uint8Array)) {
    throw new InvalidInputError(
      `withCache(): compute must resolve to a Uint8Array (the bytes to cache), got ${
        describeValue(output)
      }`,
    );
  }
  try {
    await storeOutput(client, params, cacheId, output, put);
  } catch (e) {
    // The upload failed for good (its retries spent: a service failing with
    // a 5xx, gone, or refusing the token by now): the bare error lost an
    // output that may have taken hours. It is kept, in the error and in a
    // file. An abort is the caller's own choice, passed on as is.
    if (put.signal?.aborted) throw e;
    throw await keptOutputError(cacheId, output, e);
  }
  return output;
}

/** Uploads withCache's output under `cacheId`. */
async function storeOutput(
  client: CacheClient,
  params: Record<string, unknown>,
  cacheId: string,
  output: Uint8Array,
  put: PutFileOptions,
): Promise<void> {
  const request = signalOption(put.signal);
  try {
    await client.put(cacheId, output, { filename: "output", ...put });
  } catch (e) {
    // The ID's placeholder went while compute ran (a computation longer
    // than its 7 days, a DELETE by another job): throwing here lost an
    // output that may have taken hours. Asked for again, the ID reserves a
    // new placeholder, which takes the upload.
    if (!(e instanceof CacheServiceError && e.status === 404)) throw e;
    put.signal?.throwIfAborted();
    const again = await client.id(params, request);
    await client.put(again.cacheId, output, { filename: "output", ...put });
  }
}

/**
 * withCache's output could not be stored in the cache service (after the
 * client's retries): the output is in `output`, and in the file `savedTo`
 * unless it could not be written; the upload's error is the `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheUploadError } from "./client.ts";
 * const e = new CacheUploadError("not stored", "4b…", new Uint8Array([1]), "/tmp/vc-with-cache-x");
 * assert(e.output[0] === 1 && e.savedTo === "/tmp/vc-with-cache-x");
 * ```
 */
export class CacheUploadError extends VcError {
  /** The cache ID the output was for. */
  readonly cacheId: string;
  /** The output `compute` returned. */
  readonly output: Uint8Array;
  /** A private file in `TMPDIR` holding the output, when it could be written. */
  readonly savedTo: string | undefined;
  /** Creates the error. */
  constructor(
    message: string,
    cacheId: string,
    output: Uint8Array,
    savedTo: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.cacheId = cacheId;
    this.output = output;
    this.savedTo = savedTo;
  }
}

/**
 * The error of an output that could not be uploaded, after writing the
 * output to a private temp file (mode 0600) that outlives the process: a
 * caller that does not catch the error still has the work, named in the message.
 */
async function keptOutputError(
  cacheId: string,
  output: Uint8Array,
  error: unknown,
): Promise<CacheUploadError> {
  let savedTo: string | undefined;
  let kept: string;
  try {
    savedTo = await Deno.makeTempFile({ prefix: "vc-with-cache-" });
    await Deno.writeFile(savedTo, output);
    kept = `it is kept in ${savedTo} and in the error's output`;
  } catch (e) {
    if (savedTo !== undefined) await Deno.remove(savedTo).catch(() => {});
    savedTo = undefined;
    kept = `it is kept in the error's output only (not written to a file: ${(e as Error).message})`;
  }
  return new CacheUploadError(
    `withCache(): the output (${output.length} bytes) was computed but not stored under ` +
      `cache ${cacheId}: ${error instanceof Error ? error.message : String(error)}; ${kept}`,
    cacheId,
    output,
    savedTo,
    { cause: error },
  );
}

/**
 * POSTs `head`, the file at `path` and `tail` (given the MD5 of the bytes sent) with a Content-Length (through
 * `node:http`: Deno's fetch sends any stream chunked). A file that changes
 * size while it is read fails the request, so the service keeps what it had.
 */
async function sendFile(
  url: string,
  headers: Record<string, string>,
  head: Uint8Array,
  path: string,
  tail: (md5: string) => Uint8Array,
  options: PutFileOptions,
  names: { what: string; service: string },
): Promise<Response> {
  // A regular file (checked by put); its size now, at this attempt.
  using file = await Deno.open(path, { read: true });
  const total = (await file.stat()).size;
  const { NodeBodySender } = await import("../store/node_http_send.ts");
  const sender = new NodeBodySender();
  let answered: number | undefined;
  let connected = false;
  let sent = 0;
  const hash = new Md5(total);
  try {
    return await sender.send(new URL(url), {
      method: "POST",
      headers,
      ...signalOption(options.signal),
      onResponse: (status) => answered = status,
      onConnect: () => connected = true,
      body: {
        // The tail's length does not depend on the MD5 (32 hex digits).
        length: head.length + total + tail(EMPTY_MD5).length,
        async pipe(write) {
          await write(head);
          const buffer = new Uint8Array(1024 * 1024);
          while (sent < total) {
            const n = await file.read(buffer.subarray(0, Math.min(buffer.length, total - sent)));
            if (n === null) {
              throw new VcError(
                `file to upload ${path} shrank while it was sent; nothing was stored`,
              );
            }
            sent += n;
            // Copied: the buffer is read into again while this chunk may still be queued.
            const chunk = buffer.slice(0, n);
            hash.update(chunk);
            await write(chunk);
            options.onProgress?.({ bytes: sent, total });
          }
          if (await file.read(new Uint8Array(1)) !== null) {
            throw new VcError(`file to upload ${path} grew while it was sent; nothing was stored`);
          }
          await write(tail(hash.hex()));
        },
      },
    });
  } catch (error) {
    // The service was reached and answered: its answer broke off (a proxy,
    // a reset), which is not "cannot reach" — and after a 2xx the file may
    // well be stored. An abort or a silence is told by the caller.
    if (options.signal?.aborted) throw error;
    if (answered === undefined) {
      if (!connected || error instanceof VcError) throw error;
      // Cut while the file went up (a proxy's or the service's limit or
      // timeout, a restart): the service was reached, and "cannot reach" sent
      // the user to check the URL and the network. Retried like a reset.
      throw new OfflineError(
        `${names.what}: the cache service at ${names.service} cut the connection after ` +
          `${sent} of ${total} bytes of ${path} were sent, before any answer` +
          `${sent < total ? "; nothing was stored" : ""}: ${causeChain(error)}`,
        { cause: error },
      );
    }
    // A refusal's body that broke off is that refusal (see #answerText); a
    // 404's body would tell a gone ID from a wrong URL: sent again.
    if ((answered < 200 || answered >= 300) && answered !== 404) {
      const kind = failureKind(answered);
      throw new CacheServiceError(
        `${names.what}: the cache service at ${names.service} failed (${answered}) ` +
          `(its answer broke off after its status: ${causeChain(error)})`,
        answered,
        kind === undefined ? undefined : { cause: kind },
      );
    }
    throw new OfflineError(
      `${names.what}: the answer of the cache service at ${names.service} broke off ` +
        `after its status ${answered}${
          answered >= 200 && answered < 300 ? " (the file may have been stored)" : ""
        }: ${causeChain(error)}`,
      { cause: error },
    );
  } finally {
    sender.close();
  }
}

/**
 * An error writing a download's file (a file where a directory of `path`
 * belongs, no space left, no permission) named as the download and its
 * destination: the bare OS error named only the temp file beside `path`,
 * not the cache nor the file asked for. Errors of the answer itself (already
 * named as the download) and aborts pass unchanged.
 */
function destinationError(
  error: unknown,
  id: string,
  path: string,
  signal: AbortSignal | undefined,
): unknown {
  if (error instanceof VcError || !(error instanceof Error) || signal?.aborted) return error;
  const named = copyOutError(error, path);
  const why = named instanceof VcError ? named.message : `cannot write ${path}: ${error.message}`;
  return new VcError(`download of cache ${id}: ${why}`, { cause: error });
}
