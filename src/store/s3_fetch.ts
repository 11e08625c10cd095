/**
 * The lean request path: one SigV4-signed `fetch` per S3 request, used for the
 * hot operations (GET, ranged GET, HEAD, PUT, UploadPart). The AWS SDK spends
 * most of a small GET in its middleware stack (≈3,000 GETs/s in Deno against
 * ≈14,600/s for raw fetch), so objects are moved here and only the XML-heavy
 * control operations go through the SDK.
 *
 * Retries transient failures (5xx, 429, 408, resets, timeouts) with jittered
 * backoff before the response body is handed out. Every request has a
 * timeout (connect + response headers, then idle time between body chunks),
 * so a server that accepts and never answers, or trickles, cannot hang vc. A body that fails mid-stream is the
 * caller's to retry, e.g. by reissuing a ranged GET from the last byte read.
 *
 * @module
 */
import { throttledError } from "./throttled.ts";
import {
  abortableBody,
  forwardAbort,
  holdingResponse,
  HubController,
  readUntilAborted,
} from "../abort_hub.ts";
import { type OfflineError, StoreError } from "../errors.ts";
import { answerRetryAfterMs, fullJitterDelay, isTransientError, retry } from "./retry.ts";
import {
  bareHeadRefusal,
  isForeignErrorBody,
  isWebPage,
  notAnS3Answer,
  notS3XmlMessage,
  renewableCredentialCode,
  s3HttpError,
  s3NetworkError,
  type S3RequestContext,
  s3TimeoutError,
  unaskedNotModified,
  unaskedPreconditionFailed,
} from "./s3_errors.ts";
import { parseS3ErrorXml, type S3ErrorDetails } from "./s3_xml.ts";
import { md5Vouches } from "./s3_request.ts";
import { retryReason, storeRetried } from "./retry_notice.ts";
import { concatBytes } from "../bytes.ts";
import { MIN_PROGRESS_BYTES } from "../deadline.ts";
import { type Clock, deadlineOf, systemClock } from "../clock.ts";
import { credentialErrorText, DEFAULT_REQUEST_TIMEOUT_MS } from "./s3_config.ts";
import { followRegionRedirect } from "./region_redirect.ts";
import { noCredentialsError } from "./no_credentials.ts";
import { type AwsCredentials, EMPTY_SHA256, SigV4Signer, uriEncode } from "./sigv4.ts";
// node:http loads only for the first large body (it costs a small request's start-up).
import type { NodeBodySender } from "./node_http_send.ts";
import { Http1Client, proxyApplies } from "./http1_client.ts";
import { type RequestUrl, UrlBase } from "./request_url.ts";

/** How to reach and sign for one bucket. */
export interface S3FetchOptions {
  /** Bucket name (for messages). */
  bucket: string;
  /** URL of the bucket without trailing slash (see `bucketBaseUrl`). */
  baseUrl: string;
  /**
   * The endpoint as configured, for messages (a gateway's path included:
   * `http://gw/s3`); default the base URL's origin.
   */
  endpoint?: string;
  /** The setting that named `endpoint` (`AWS_ENDPOINT_URL`, ...), for messages. */
  endpointSource?: string;
  /** Region to sign for. */
  region: string;
  /**
   * The bucket's base URL for another region (AWS: its regional host; a
   * custom endpoint: the same URL). Given, a request S3 answers with the
   * bucket's region (301 PermanentRedirect, 400 AuthorizationHeaderMalformed,
   * a HEAD's bare 301 or 400 with `x-amz-bucket-region`) is signed for that
   * region and sent there once more, as the aws CLI does, and so is every
   * later request; unset, it fails ("set AWS_REGION=…").
   */
  regionBaseUrl?: (region: string) => string;
  /** Called with the bucket's region when a request followed a region redirect and was answered. */
  onRegion?: (region: string) => void;
  /**
   * Returns current credentials; called again when they near expiry, and
   * with `forceRefresh` when the store said they expired (a provider that
   * caches them, as the SDK's chain does, must then fetch new ones).
   */
  credentials: (options?: { forceRefresh?: boolean }) => Promise<AwsCredentials>;
  /** Where credentials come from, for messages (no secrets). */
  credentialSource: string;
  /**
   * `credentials` always gives the same keys (given as an option, or the
   * environment's): a refusal of them is final, not asked about again.
   */
  fixedCredentials?: boolean;
  /** More to say when `credentials` fails (see `credentialProcessHint`); default nothing. */
  credentialHint?: () => string;
  /**
   * Send every request unsigned, `credentials` never asked (the aws CLI's
   * `--no-sign-request`): a public bucket's reads need none. A 401 or 403 is
   * then said as the bucket refusing anonymous requests.
   */
  anonymous?: boolean;
  /**
   * Say on every request that the requester pays
   * (`x-amz-request-payer: requester`, signed), as a requester-pays bucket
   * demands of anyone but its owner.
   */
  requestPayer?: boolean;
  /** Total attempts per request (default 5). */
  maxAttempts?: number;
  /** First retry delay cap in ms (default 100). */
  retryBaseDelayMs?: number;
  /**
   * Request timeout in ms (default 60 000): the longest wait for a
   * connection and response headers (plus time to send the body at 64 KiB/s),
   * and between two chunks of a response body. A timed-out request is
   * retried; the last failure is an `OfflineError` naming the endpoint. `0`: none.
   */
  timeoutMs?: number;
  /**
   * Where the request deadlines above take their time from (default: the
   * system clock). A test's `ManualClock` times requests out only when it
   * is advanced, whatever the machine's load.
   */
  clock?: Clock;
  /**
   * Send requests with bodies under 1 MiB (GETs and HEADs included) over
   * vc's own HTTP/1.1 keep-alive connections (`http1_client.ts`) when the
   * endpoint is plain `http:` and no proxy is configured; `rawBody` requests
   * stay on `fetch` (Deno relays their bodies without JavaScript). Less CPU
   * per small request (default false).
   */
  http1?: boolean;
  /**
   * The extra CA certificates (PEM) https requests trust besides the
   * default roots (`AWS_CA_BUNDLE`, a profile's `ca_bundle`): called once,
   * before the first https request; a throw fails that request unretried.
   */
  caCerts?: () => { certs: string[]; label: string } | undefined;
}

/** One request on the lean path. */
export interface S3FetchRequest {
  /** HTTP method. */
  method: "GET" | "HEAD" | "PUT" | "DELETE";
  /** Full key inside the bucket (prefix included), unencoded. */
  key: string;
  /** Query parameters, unencoded. */
  query?: Record<string, string>;
  /** Extra headers to send and sign (`range`, `if-match`, `x-amz-meta-*`, ...). */
  headers?: Record<string, string>;
  /** Request body. Bytes, so a retry can resend it. */
  body?: Uint8Array;
  /** Payload hash to sign; defaults to the empty-body hash. */
  payloadHash?: string;
  /** Aborts the request (and the returned body). */
  signal?: AbortSignal | undefined;
  /** Statuses returned as responses instead of thrown (e.g. 404 for HEAD). */
  passStatuses?: readonly number[];
  /** Operation name for messages (defaults to the method). */
  operation?: string;
  /** The key messages name, when not `key` (a listing's prefix: its request's key is ""). */
  subject?: string;
  /** What a 412 means, for messages. */
  condition?: string;
  /** Map 404 NoSuchKey to `PreconditionFailedError` (writes with If-Match). */
  missingIsPrecondition?: boolean;
  /** Called before each retry. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Return a 2xx body as `fetch` gave it: no idle-read guard, not buffered. */
  rawBody?: boolean;
  /**
   * Read a 2xx body to its end within the attempt's deadline and drop it:
   * the caller wants the status and headers only (a PUT). The response is
   * returned with its body used.
   */
  discardBody?: boolean;
}

/**
 * Response headers as {@linkcode S3Fetch.send} hands them out: the
 * response's `Headers`, or a lighter map for answers read by vc's own
 * HTTP/1.1 client. Names are lower case.
 */
export interface ReplyHeaders {
  /** The value of header `name` (lower case; repeated headers joined by ", "), or null. */
  get(name: string): string | null;
  /** Whether header `name` (lower case) is present. */
  has(name: string): boolean;
  /**
   * Calls `fn` for every header. (For `Headers`, ten times cheaper than
   * iterating it in Deno 2.9.)
   */
  forEach(fn: (value: string, name: string) => void): void;
}

/** The answer to a request (see {@linkcode S3Fetch.send}). */
export interface S3Reply {
  /** HTTP status (2xx, or one of the request's `passStatuses`). */
  status: number;
  /** Reason phrase. */
  statusText: string;
  /** Response headers. */
  headers: ReplyHeaders;
  /** The whole body, when it was read within the attempt's deadline (`body` is null then). */
  bytes: Uint8Array | undefined;
  /** The body to read (the caller must consume or cancel it), when not read whole; else null. */
  body: ReadableStream<Uint8Array> | null;
}

/** A reply, and the `Response` it came as when `request` must return that very object. */
interface Reply extends S3Reply {
  response: Response | undefined;
}

/** Header pairs from {@linkcode Http1Client} as {@linkcode ReplyHeaders}, repeats joined as `Headers` joins them. */
class PairHeaders implements ReplyHeaders {
  readonly pairs: [string, string][];
  /**
   * The values by name, repeats joined: made only for a head that repeats a
   * name, or has too many to search (an S3 answer has about ten, none twice:
   * searched in place, without a Map and its iterator's entries per response).
   */
  readonly #joined: Map<string, string> | undefined;

  constructor(pairs: [string, string][]) {
    this.pairs = pairs;
    if (pairs.length > MAX_SEARCHED_HEADERS || repeatsName(pairs)) {
      const joined = new Map<string, string>();
      for (const [name, value] of pairs) {
        const had = joined.get(name);
        joined.set(name, had === undefined ? value : `${had}, ${value}`);
      }
      this.#joined = joined;
    }
  }

  get(name: string): string | null {
    if (this.#joined !== undefined) return this.#joined.get(name) ?? null;
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i]![0] === name) return pairs[i]![1];
    }
    return null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  forEach(fn: (value: string, name: string) => void): void {
    if (this.#joined !== undefined) {
      this.#joined.forEach(fn);
      return;
    }
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i++) fn(pairs[i]![1], pairs[i]![0]);
  }
}

/** Most header pairs {@linkcode PairHeaders} searches in place (each name against those before it). */
const MAX_SEARCHED_HEADERS = 32;

/** Whether a name occurs twice among `pairs`. */
function repeatsName(pairs: readonly [string, string][]): boolean {
  for (let i = 1; i < pairs.length; i++) {
    const name = pairs[i]![0];
    for (let j = 0; j < i; j++) if (pairs[j]![0] === name) return true;
  }
  return false;
}

// Bodies from this size on are sent with node:http (fewer copies than fetch).
const LARGE_BODY = 1024 * 1024;
/** What of `credentials` is secret: never shown, starred where an answer echoes it. */
function credentialSecrets(credentials: AwsCredentials | undefined): (string | undefined)[] {
  return credentials === undefined ? [] : [credentials.secretAccessKey, credentials.sessionToken];
}

// Renew cached credentials this long before they expire (the SDK uses 5 min too).
const CREDENTIAL_REFRESH_MS = 5 * 60_000;
// fetch cannot report upload progress: a request with a body gets its send
// time on top of the timeout, at a rate any working link beats.
const MIN_SEND_BYTES_PER_S = 64 * 1024;

/** The header that says who pays for a request to a requester-pays bucket. */
export const REQUEST_PAYER_HEADER = "x-amz-request-payer";

/**
 * A minimal S3 client over `fetch`: signs, sends, retries, maps errors.
 * Returns the `Response` of a successful request; the caller must consume or
 * cancel its body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Fetch } from "./s3_fetch.ts";
 * const s3 = new S3Fetch({
 *   bucket: "b", baseUrl: "http://127.0.0.1:9000/b", region: "us-east-1",
 *   credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
 *   credentialSource: "example",
 * });
 * assert(s3.objectUrl("a b/c") === "http://127.0.0.1:9000/b/a%20b/c");
 * s3.close();
 * ```
 */
export class S3Fetch {
  readonly #options: S3FetchOptions;
  #region: string;
  #signer: SigV4Signer;
  #urls: UrlBase;
  #client: Deno.HttpClient | undefined;
  #http1: Http1Client | undefined;
  #bodySender: NodeBodySender | undefined;
  #useBodySender: boolean | undefined;
  /** {@linkcode proxyApplies} of each origin requested, asked once. */
  readonly #proxied = new Map<string, boolean>();
  #caBundle: { certs: string[]; label: string } | undefined | null = null;
  #credentials: AwsCredentials | undefined;
  // Set when the store refused the cached credentials as expired: the next
  // fetch of credentials asks the provider for new ones, not its cached ones.
  #refreshCredentials = false;
  #pendingCredentials: Promise<AwsCredentials> | undefined;
  #clockOffsetMs = 0;
  /** The request deadlines' clock (see S3FetchOptions.clock). */
  readonly #timer: RequestTimer;

  /** Creates the client; no connection is made until the first request. */
  constructor(options: S3FetchOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    this.#timer = { now: () => clock.now(), deadline: deadlineOf(clock) };
    this.#region = options.region;
    this.#signer = new SigV4Signer({ region: options.region });
    this.#urls = new UrlBase(options.baseUrl);
    if (options.http1 && this.#urls.origin.startsWith("http:")) this.#http1 = new Http1Client();
  }

  /** The request timeout in ms (0: none), for bodies a caller reads itself. */
  get timeoutMs(): number {
    return this.#options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** The URL of a key (unencoded, full key inside the bucket). */
  objectUrl(key: string): string {
    return this.#requestUrl(key, "").href;
  }

  /** A request's URL: the key's, with `search` (`?…` or empty). */
  #requestUrl(key: string, search: string): RequestUrl {
    return this.#urls.at(uriEncode(key, true), search);
  }

  /** `s3://bucket/key` for messages. */
  uri(key: string): string {
    return `s3://${this.#options.bucket}/${key}`;
  }

  /**
   * The secrets of the credentials in use (secret key, session token), for
   * error messages to star where a server echoed them back; none yet, none.
   */
  secrets(): (string | undefined)[] {
    return credentialSecrets(this.#credentials);
  }

  /** Context for error messages about `key`. */
  context(operation: string, key: string, extra: Partial<S3RequestContext> = {}): S3RequestContext {
    return {
      operation,
      uri: this.uri(key),
      bucket: this.#options.bucket,
      endpoint: this.#options.endpoint ?? this.#urls.origin,
      ...(this.#options.endpointSource ? { endpointSource: this.#options.endpointSource } : {}),
      region: this.#region,
      credentialSource: this.#options.credentialSource,
      accessKeyId: this.#credentials?.accessKeyId,
      secrets: this.secrets(),
      ...(this.#options.anonymous ? { anonymous: true } : {}),
      ...(this.#options.requestPayer ? { requestPayer: true } : {}),
      ...(this.#caBundle ? { caBundle: this.#caBundle.label } : {}),
      ...extra,
    };
  }

  /**
   * Sends a signed request, retrying transient failures, and returns the
   * response when its status is 2xx or in `passStatuses`. Throws the mapped
   * vc error otherwise.
   */
  async request(req: S3FetchRequest): Promise<Response> {
    const reply = await this.send(req) as Reply;
    if (reply.response !== undefined) return reply.response;
    const init = {
      status: reply.status,
      statusText: reply.statusText,
      headers: reply.headers instanceof PairHeaders
        ? reply.headers.pairs
        : reply.headers as Headers,
    };
    const bytes = reply.bytes;
    if (bytes === undefined) return new Response(reply.body, init);
    // Null-body statuses (204, 304) and empty bodies get no body at all.
    return new Response(bytes.length === 0 ? null : bytes as BodyInit, init);
  }

  /**
   * {@linkcode S3Fetch.request} without building a `Response` where it can
   * be helped: the status, the headers, and the body as bytes (read whole
   * within the attempt's deadline: bodies up to 1 MiB, error documents) or
   * as a stream (guarded by the idle-read timeout unless `rawBody`). What
   * `S3Store.get` and `head` use: a `Response` (and its `Headers`) costs more
   * CPU than the rest of a small GET over {@linkcode S3FetchOptions.http1}.
   */
  async send(req: S3FetchRequest): Promise<S3Reply> {
    const signedFor = this.#region;
    try {
      return await this.#send(req);
    } catch (error) {
      const baseUrl = this.#options.regionBaseUrl;
      if (baseUrl === undefined) throw error;
      return await followRegionRedirect(error, () => this.#send(req), {
        signedFor,
        signal: req.signal,
        // The bucket is elsewhere: this request and the later ones go there
        // (another request may have moved already).
        moveTo: (region) => {
          if (this.#region !== region) this.#useRegion(region, baseUrl(region));
        },
        moveBack: (region) => {
          if (this.#region === region) this.#useRegion(signedFor, baseUrl(signedFor));
        },
        found: (region) => this.#options.onRegion?.(region),
      });
    }
  }

  /**
   * Signs the next requests for `region` (the bucket's, learned by another
   * client of it), sent where `regionBaseUrl` says; without `regionBaseUrl`,
   * nothing changes.
   */
  moveToRegion(region: string): void {
    const baseUrl = this.#options.regionBaseUrl;
    if (baseUrl !== undefined && region !== this.#region) this.#useRegion(region, baseUrl(region));
  }

  /** Signs requests for `region`, sent under `baseUrl`. */
  #useRegion(region: string, baseUrl: string): void {
    this.#region = region;
    this.#signer = new SigV4Signer({ region });
    this.#urls = new UrlBase(baseUrl);
  }

  async #send(req: S3FetchRequest): Promise<S3Reply> {
    // One region per request: a concurrent request that moves this client
    // to another one must not sign this URL for it.
    const signer = this.#signer;
    let search = "";
    if (req.query !== undefined) {
      const q = Object.entries(req.query).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
      if (q.length > 0) search = `?${q.join("&")}`;
    }
    const parsed = this.#requestUrl(req.key, search);
    const url = parsed.href;
    // Made when a message needs it: most requests succeed.
    let context: S3RequestContext | undefined;
    const ctx = () =>
      context ??= this.context(req.operation ?? req.method, req.subject ?? req.key, {
        condition: req.condition,
        range: req.headers?.["range"],
        missingIsPrecondition: req.missingIsPrecondition,
      });
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const baseDelayMs = this.#options.retryBaseDelayMs ?? 100;
    const maxAttempts = this.#options.maxAttempts ?? 5;
    let forcedRefresh = false;
    // Read before the first https request: a missing bundle is the user's to fix, not retried.
    if (this.#caBundle === null && parsed.protocol === "https:") {
      this.#caBundle = this.#options.caCerts?.();
    }
    // A requester-pays bucket refuses any request that does not say who pays.
    const given = this.#options.requestPayer
      ? { ...req.headers, [REQUEST_PAYER_HEADER]: "requester" }
      : req.headers;
    return await retry(async (): Promise<Reply> => {
      const credentials = this.#options.anonymous
        ? undefined
        : this.#freshCredentials() ?? await this.#currentCredentials(ctx());
      const headers = credentials === undefined ? unsignedHeaders(given) : signer.sign(
        {
          method: req.method,
          url: parsed,
          payloadHash: req.payloadHash ?? EMPTY_SHA256,
          ...(given ? { headers: given } : {}),
        },
        credentials,
        new Date(Date.now() + this.#clockOffsetMs),
      );
      // Unsigned on purpose: asking for identity stops fetch from silently
      // gunzipping objects stored with Content-Encoding, which would break
      // size and MD5 checks.
      headers["accept-encoding"] = "identity";
      // One controller per attempt: the timeout aborts this attempt only.
      // Its abort() runs the callbacks registered on its signal (the HTTP
      // exchange's) without an event listener on this fresh signal.
      const attempt = timeoutMs > 0 ? new HubController() : undefined;
      let signal = attempt?.signal ?? req.signal;
      // The caller's abort must reach the attempt, and a streamed body. A
      // listener costs a fraction of AbortSignal.any (and no weak refs): it
      // is removed at the end of this attempt, or when a guarded body ends.
      // A raw body (fetch's own stream, no guard to tell its end) keeps
      // AbortSignal.any.
      const callerSignal = req.signal;
      let stopForwarding: (() => void) | undefined;
      let keepForward = false;
      if (attempt !== undefined && callerSignal !== undefined) {
        if (!req.rawBody || req.discardBody) {
          stopForwarding = forwardAbort(callerSignal, attempt);
        } else {
          signal = AbortSignal.any([callerSignal, attempt.signal]);
        }
      }
      const waitMs = timeoutMs + ((req.body?.length ?? 0) / MIN_SEND_BYTES_PER_S) * 1000;
      // Not setTimeout: see deadline.ts (its first call loads node:timers).
      const timer = this.#timer;
      let cancelTimer = attempt === undefined
        ? undefined
        : timer.deadline(waitMs, () => attempt.abort());
      let received = false;
      // A body read whole here (up to 1 MiB) is held to what a streamed one
      // is (withBodyTimeout): each next MIN_PROGRESS_BYTES within the
      // timeout, counted from the response's head. One timeout for the head
      // and the whole body failed a 1 MB object on a link slower than
      // ~17 KiB/s (at 60 s) every attempt, while a larger, streamed one
      // downloaded.
      let bodyStarted = false;
      let armedAt = 0;
      const bodyMoved = attempt === undefined ? undefined : (bytes: number) => {
        if (bodyStarted && bytes - armedAt < MIN_PROGRESS_BYTES) return;
        bodyStarted = true;
        armedAt = bytes;
        cancelTimer?.();
        cancelTimer = timer.deadline(timeoutMs, () => attempt.abort());
      };
      // A body sent through node:http tells what its connection took: an
      // attempt whose body moves no MIN_PROGRESS_BYTES for the timeout (a
      // store that stopped reading: a frozen process, dropped packets) is
      // given up then, not after its size at MIN_SEND_BYTES_PER_S (a 16 MiB
      // part: 316 s at the default 60 s, five times over).
      const bodyLength = req.body?.length ?? 0;
      let sendStalled = false;
      let sentBytes = 0;
      let sendArmedAt = 0;
      let cancelStall: (() => void) | undefined;
      const armStall = () => {
        cancelStall?.();
        cancelStall = timer.deadline(timeoutMs, () => {
          sendStalled = true;
          attempt!.abort();
        });
      };
      const bodySent = attempt === undefined ? undefined : (bytes: number) => {
        sentBytes = bytes;
        if (bytes >= bodyLength) {
          cancelStall?.();
          cancelStall = undefined;
        } else if (bytes - sendArmedAt >= MIN_PROGRESS_BYTES) {
          sendArmedAt = bytes;
          armStall();
        }
      };
      let reply: Reply;
      try {
        let res: Response | undefined;
        const http1 = this.#http1Client(req, parsed);
        const sender = http1 === undefined && (req.body?.length ?? 0) >= LARGE_BODY
          ? await this.#largeBodySender(req.body, parsed)
          : undefined;
        if (http1 !== undefined) {
          const out = await http1.exchange({
            method: req.method,
            url: parsed,
            headers,
            body: req.body,
            signal,
            onBodyBytes: bodyMoved,
          });
          reply = {
            status: out.status,
            statusText: out.statusText,
            headers: new PairHeaders(out.headers),
            // Read whole already, within this attempt's deadline (unless
            // there is none: then the body stays as it came).
            bytes: out.bytes,
            body: out.body,
            response: undefined,
          };
        } else {
          if (sender !== undefined) {
            try {
              if (bodySent !== undefined) armStall();
              res = await sender.send(new URL(url), {
                method: req.method,
                headers,
                body: req.body!,
                signal,
                onBodyBytes: bodySent,
              });
            } catch (error) {
              // node:https does not see Deno's --cert, DENO_CERT or
              // DENO_TLS_CA_STORE (it does see AWS_CA_BUNDLE): after any failure on https, this client
              // sends through fetch from now on (more copies, same bytes).
              if (parsed.protocol !== "https:" || signal?.aborted) throw error;
              this.#useBodySender = false;
              // fetch tells no progress of a body: its send has the attempt's
              // whole time, not node:http's stall deadline.
              cancelStall?.();
              cancelStall = undefined;
            }
          }
          res ??= await fetch(url, {
            method: req.method,
            headers,
            // A view of a SharedArrayBuffer is fine for fetch; the DOM types are stricter.
            body: (req.body ?? null) as BodyInit | null,
            redirect: "manual",
            client: this.#client ??= Deno.createHttpClient(
              this.#caBundle ? { caCerts: this.#caBundle.certs } : {},
            ),
            ...(signal === undefined ? {} : { signal }),
          });
          reply = {
            status: res.status,
            statusText: res.statusText,
            headers: res.headers,
            bytes: undefined,
            body: res.body,
            response: res,
          };
        }
        received = true;
        // The deadline can fire after the head arrived but before this ran
        // (a busy process checks late): the attempt is aborted, so its body
        // would fail at the first read as a bare abort, a verdict that
        // failed the whole download. It is the timeout it is, retried.
        if (attempt?.signal.aborted) throw attempt.signal.reason;
        bodyMoved?.(0);
        const ok = reply.status >= 200 && reply.status < 300;
        // Small bodies (and error documents) are read here, inside this
        // attempt's deadline: cheaper than guarding a stream, and a body cut
        // short is retried like any transient failure.
        if (reply.body !== null) {
          if (ok && EMPTY_ANSWER_METHODS.has(req.method)) {
            // A write's answer has no body; read what there is (a few bytes
            // at most) to catch an <Error> that came with 200 (below).
            reply.bytes = await readUpTo(reply.body, MAX_ERROR_BODY);
            reply.body = null;
            reply.response = undefined;
          } else if (attempt !== undefined && readWhole(req.method, reply, req.rawBody === true)) {
            reply.bytes = ok
              ? await readUpTo(reply.body, Number.POSITIVE_INFINITY, bodyMoved)
              : await readUpTo(reply.body, MAX_ERROR_BODY);
            reply.body = null;
            reply.response = undefined;
          }
        }
        // A body streamed past this attempt (guarded below) keeps the listener.
        keepForward = stopForwarding !== undefined && reply.body !== null;
      } catch (error) {
        keepForward = false;
        if (req.signal?.aborted) throw req.signal.reason;
        if (attempt?.signal.aborted) {
          throw markRetryable(
            sendStalled
              ? s3TimeoutError(ctx(), timeoutMs, "send", { sent: sentBytes, length: bodyLength })
              : bodyStarted
              ? s3TimeoutError(ctx(), timeoutMs, "body")
              : s3TimeoutError(ctx(), waitMs),
          );
        }
        if (received) {
          const c = ctx();
          throw markRetryable(
            new StoreError(
              `${c.operation} ${c.uri}: reading the response from ${c.endpoint} failed: ${
                (error as Error).message
              }`,
              { cause: error },
            ),
          );
        }
        throw s3NetworkError(error, {
          ...ctx(),
          accessKeyId: credentials?.accessKeyId,
          secrets: credentialSecrets(credentials),
        });
      } finally {
        cancelTimer?.();
        cancelStall?.();
        if (!keepForward) stopForwarding?.();
      }
      // A PUT or DELETE answered 200 with an S3 <Error> in the body (a proxy,
      // a broken S3-compatible server) did nothing: it is the error it says,
      // retried like the SDK retries one on a copy (as a 503).
      if (
        reply.status === 200 && reply.bytes !== undefined && reply.bytes.length > 0 &&
        EMPTY_ANSWER_METHODS.has(req.method)
      ) {
        const details = errorIn200(reply.bytes);
        if (details !== undefined) {
          throw s3HttpError(503, details, {
            ...ctx(),
            accessKeyId: credentials?.accessKeyId,
            secrets: credentialSecrets(credentials),
          });
        }
      }
      // A GET answered 200 with an S3 <Error> in place of the object (a
      // gateway whose backend failed, a broken S3-compatible server): with
      // an ETag that names no MD5 (SSE-KMS, an opaque one) only the size
      // would check it, the document's own, and it was cached as the file.
      // It is the error it says, retried as one; an object whose content is
      // such a document is told by its MD5 (ETag or vc-md5) vouching for it,
      // or by its RequestId naming another request than this answer's (a
      // saved answer, a fixture: S3, MinIO and Ceph give an error they send
      // this answer's id), else, opaque, it could never be had.
      if (req.method === "GET" && reply.status === 200 && reply.bytes !== undefined) {
        const details = reply.bytes.length <= MAX_ERROR_BODY ? errorIn200(reply.bytes) : undefined;
        if (
          details !== undefined && !md5Vouches(reply.headers, reply.bytes) &&
          !namesAnotherRequest(details, reply.headers)
        ) {
          throw s3HttpError(503, details, {
            ...ctx(),
            accessKeyId: credentials?.accessKeyId,
            secrets: credentialSecrets(credentials),
          });
        }
      }
      // Larger bodies get an idle-read guard (one read whole is in memory
      // already). A rawBody one stays fetch's own: piped to a file, Deno then
      // copies socket to file without JavaScript.
      const ok = reply.status >= 200 && reply.status < 300;
      if (attempt !== undefined && reply.body !== null && !(ok && req.rawBody)) {
        reply.body = withBodyTimeout(
          reply.body,
          timeoutMs,
          attempt,
          ctx(),
          timer,
          keepForward ? stopForwarding : undefined,
        );
        reply.response = undefined;
      } else if (keepForward) stopForwarding?.();
      if (reply.body !== null && reply.response !== undefined && signal !== undefined) {
        // Fetch's own body: the abort (the caller's) must still end a read of
        // a stalled body, which fetch alone stopped doing once the Response
        // was garbage. With no timeout (no guard) it is read under the
        // signal; a rawBody one stays fetch's own (copied without
        // JavaScript) and holds its Response instead.
        if (req.rawBody) reply.body = holdingResponse(reply.body, reply.response);
        else if (req.signal !== undefined) {
          reply.body = abortableBody(reply.body, req.signal);
          reply.response = undefined;
        }
      }
      if (ok || req.passStatuses?.includes(reply.status)) return reply;
      let text = "";
      try {
        if (reply.bytes !== undefined) text = new TextDecoder().decode(reply.bytes);
        else if (reply.body !== null) {
          if (req.method === "HEAD") await reply.body.cancel();
          else text = new TextDecoder().decode(await readUpTo(reply.body, MAX_ERROR_BODY));
        }
      } catch {
        // The status says enough; a broken error body must not hide it.
      }
      const details = parseS3ErrorXml(text);
      // A web page or plain text in place of S3's XML: something between vc
      // and the store (a proxy whose backend is down says 404 for every key).
      // (By its body: moto answers a HEAD's 404 as text/html, with no body.)
      const type = reply.headers.get("content-type");
      if (details.code === undefined && isForeignErrorBody(type, text)) {
        if (reply.status < 500) {
          throw notAnS3Answer(
            reply.status,
            type ?? "no content type",
            ctx(),
            isWebPage(type, text),
          );
        }
        // A 5xx stays one (retried: the store behind a proxy may be back
        // soon), said with the start of what came, not the status alone.
        details.message = notS3XmlMessage(text);
      }
      // S3 answers a GET's 404 or 403 with its XML (NoSuchKey, AccessDenied);
      // only a HEAD's has no body. An empty one is a proxy or interceptor's
      // that answers so for every URL: taken for the store's, it recorded a
      // cached entry as deleted, no longer served even offline.
      if (
        req.method === "GET" && (reply.status === 404 || reply.status === 403) &&
        details.code === undefined && text.trim() === ""
      ) {
        throw notAnS3Answer(reply.status, type ?? "no content type", ctx(), "none");
      }
      // 304 answers only a conditional GET or HEAD (If-None-Match): to any
      // other request it is a proxy or cache on the way, never the store.
      if (reply.status === 304 && !isConditionalRead(req.headers)) {
        throw unaskedNotModified(ctx());
      }
      // Likewise 412 answers only a request with a precondition (If-Match,
      // If-None-Match, If-Unmodified-Since, a copy's x-amz-copy-source-if-*).
      if (reply.status === 412 && !hasPrecondition(req.headers)) {
        throw unaskedPreconditionFailed(ctx());
      }
      const location = reply.headers.get("location");
      if (location !== null) details.location = location;
      if (details.region === undefined) {
        const region = reply.headers.get("x-amz-bucket-region");
        if (region !== null) details.region = region;
      }
      // A HEAD refused for clock skew has no body to say so: S3 allows 15
      // minutes, so a 403 whose Date is further off than that is skew.
      if (reply.status === 403 && details.code === undefined) {
        const serverDate = Date.parse(reply.headers.get("date") ?? "");
        if (Math.abs(serverDate - (Date.now() + this.#clockOffsetMs)) > MAX_CLOCK_SKEW_MS) {
          details.code = "RequestTimeTooSkewed";
        }
      }
      const error = s3HttpError(reply.status, details, {
        ...ctx(),
        accessKeyId: credentials?.accessKeyId,
        secrets: credentialSecrets(credentials),
      });
      if (details.code === "RequestTimeTooSkewed" && !forcedRefresh) {
        // Sign with the server's clock from now on, and try once more.
        const serverDate = Date.parse(reply.headers.get("date") ?? "");
        if (!Number.isNaN(serverDate)) this.#clockOffsetMs = serverDate - Date.now();
        forcedRefresh = true;
        throw markRetryable(error);
      }
      if (
        (renewableCredentialCode(details.code) ||
          bareHeadRefusal(req.method, reply.status, details)) &&
        !forcedRefresh && this.#options.fixedCredentials !== true && credentials !== undefined
      ) {
        forcedRefresh = true;
        this.#credentials = undefined;
        this.#refreshCredentials = true;
        throw markRetryable(error);
      }
      // A HEAD's 403 has no body to say `InvalidAccessKeyId`: a key rotated
      // in the shared file (the old one deleted) looked like a key without
      // s3:GetObject, and a `mirror --watch` whose first request after the
      // rotation was a HEAD stopped asking HEAD for good. The source is asked
      // again; the HEAD is sent again only when it gives other credentials.
      if (
        req.method === "HEAD" && reply.status === 403 && details.code === undefined &&
        !forcedRefresh && this.#options.fixedCredentials !== true && credentials !== undefined
      ) {
        forcedRefresh = true;
        if (await this.#credentialsChanged(credentials, ctx())) throw markRetryable(error);
      }
      // A throttling server (503/429 SlowDown) may say when to come back.
      const wait = answerRetryAfterMs(reply.headers);
      if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) {
        // Longer than a retry may wait: say so now rather than ask again early.
        error.message += ` (the server asks to retry after ${Math.ceil(wait / 1000)} s)`;
        throw Object.assign(error, { retryable: false });
      }
      if (wait !== undefined) retryAfterWaits.set(error, wait);
      if (
        reply.status === 503 || reply.status === 429 ||
        (details.code !== undefined && THROTTLING_CODES.has(details.code))
      ) throttledErrors.add(throttledError(error));
      // Codes that say "try again" under a status that does not (a 400, a 409).
      if (details.code !== undefined && RETRIED_CODES.has(details.code)) markRetryable(error);
      throw error;
    }, {
      maxAttempts,
      baseDelayMs,
      signal: req.signal,
      shouldRetry: (error) => retryableErrors.has(error as object) || isTransientError(error),
      // At least the Retry-After asked, and at least the throttled backoff
      // when throttled: a `Retry-After: 0` must not undo it.
      delayFor: (error, attempt) => {
        const asked = retryAfterWaits.get(error as object);
        const throttled = throttledErrors.has(error as object)
          ? fullJitterDelay(attempt, baseDelayMs * THROTTLED_BASE_FACTOR, Infinity)
          : undefined;
        return asked === undefined ? throttled : Math.max(asked, throttled ?? 0);
      },
      onRetry: ({ error, attempt, delayMs }) => {
        req.onRetry?.(error, attempt);
        storeRetried({ reason: retryReason(error), error, attempt, maxAttempts, delayMs });
      },
    });
  }

  /** Whether the credentials' source, asked again, gives other ones than `used` (then signed with). */
  async #credentialsChanged(used: AwsCredentials, ctx: S3RequestContext): Promise<boolean> {
    // (Another request may have asked already: its answer is taken.)
    if (this.#credentials === used) {
      this.#credentials = undefined;
      this.#refreshCredentials = true;
    }
    let fresh: AwsCredentials;
    try {
      fresh = await this.#currentCredentials(ctx);
    } catch {
      return false; // none now: the refusal says more, the next request why
    }
    return fresh.accessKeyId !== used.accessKeyId ||
      fresh.secretAccessKey !== used.secretAccessKey || fresh.sessionToken !== used.sessionToken;
  }

  /** The cached credentials while they are good for a while yet, else undefined. */
  #freshCredentials(): AwsCredentials | undefined {
    const cached = this.#credentials;
    if (
      cached !== undefined &&
      (cached.expiration === undefined ||
        cached.expiration.getTime() - Date.now() > CREDENTIAL_REFRESH_MS)
    ) {
      return cached;
    }
    return undefined;
  }

  async #currentCredentials(ctx: S3RequestContext): Promise<AwsCredentials> {
    const cached = this.#freshCredentials();
    if (cached !== undefined) return cached;
    const forceRefresh = this.#refreshCredentials;
    this.#refreshCredentials = false;
    this.#pendingCredentials ??= this.#options.credentials(
      forceRefresh ? { forceRefresh } : undefined,
    )
      .finally(() => {
        this.#pendingCredentials = undefined;
      });
    try {
      this.#credentials = await this.#pendingCredentials;
      return this.#credentials;
    } catch (cause) {
      throw noCredentialsError(
        `${ctx.operation} ${ctx.uri}: no usable AWS credentials from ${ctx.credentialSource}: ${
          credentialErrorText(cause)
        }${this.#options.credentialHint?.() ?? ""}`,
        { cause },
      );
    }
  }

  /**
   * Large bodies go through `node:http`, which sends the caller's bytes
   * without the copies `fetch` makes (see `node_http_send.ts`), unless a
   * proxy applies to `url`.
   */
  async #largeBodySender(
    body: Uint8Array | undefined,
    url: RequestUrl,
  ): Promise<NodeBodySender | undefined> {
    if (body === undefined || body.length < LARGE_BODY) return undefined;
    if (this.#useBodySender === false || this.#viaProxy(url)) return undefined;
    const { NodeBodySender } = await import("./node_http_send.ts");
    return this.#bodySender ??= new NodeBodySender(this.#caBundle?.certs);
  }

  /** The HTTP/1.1 client for this request, when it takes it (see `S3FetchOptions.http1`). */
  #http1Client(req: S3FetchRequest, url: RequestUrl): Http1Client | undefined {
    if (this.#http1 === undefined || (req.rawBody && !req.discardBody)) return undefined;
    if ((req.body?.length ?? 0) >= LARGE_BODY) return undefined;
    return this.#viaProxy(url) ? undefined : this.#http1;
  }

  /**
   * Whether `fetch` sends requests to `url`'s origin through a proxy (then
   * only `fetch` carries them), asked once per origin: a proxy variable
   * that does not apply to the store (`NO_PROXY` names it) keeps vc's own
   * transports in use.
   */
  #viaProxy(url: RequestUrl): boolean {
    const origin = `${url.protocol}//${url.host}`;
    let via = this.#proxied.get(origin);
    if (via === undefined) this.#proxied.set(origin, via = proxyApplies(origin));
    return via;
  }

  /** Closes pooled connections. Safe to call more than once. */
  close(): void {
    this.#http1?.close();
    this.#client?.close();
    this.#client = undefined;
    this.#bodySender?.close();
    this.#bodySender = undefined;
  }
}

const retryableErrors = new WeakSet<object>();

/**
 * S3 error codes worth another attempt whatever their status: the status of
 * the others decides (5xx, 429 and 408 are retried). `RequestTimeout` comes
 * with 400 when the server gave up waiting for the request's body (a stalled
 * upload: the aws CLI and the SDK retry it, as vc's SDK calls do);
 * `ConditionalRequestConflict` with 409 while a concurrent conditional write
 * is in flight. The throttling codes are the SDK's, for S3-compatible
 * servers that send them with a 400 or 403.
 */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
]);
const RETRIED_CODES: ReadonlySet<string> = new Set([
  "RequestTimeout",
  "RequestTimeoutException",
  "ConditionalRequestConflict",
  ...THROTTLING_CODES,
]);

// Answers that ask to slow down (503, 429, a throttling code) back off from a
// base this many times the usual one, as the SDK does (500 ms against 100):
// from 100 ms, five attempts gave up within 1.5 s, before a SlowDown burst
// (S3 scaling a prefix) is over.
const THROTTLED_BASE_FACTOR = 5;
const throttledErrors = new WeakSet<object>();

// The wait an error response's Retry-After asked for, in ms.
const retryAfterWaits = new WeakMap<object, number>();
// The longest Retry-After waited for; a longer one fails the request at once.
const MAX_RETRY_AFTER_MS = 20_000;

/** The headers of an unsigned request: the given ones, names in lower case as signed ones are. */
function unsignedHeaders(given: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (given !== undefined) {
    for (const name of Object.keys(given)) out[name.toLowerCase()] = given[name]!;
  }
  return out;
}

// How far S3 lets a request's signing time be from its own clock: AWS's
// limit (RequestTimeTooSkewed), not a tolerance of vc's, so none of vc's
// (src/clock_margin.ts) stands for it.
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

// Bodies up to this size are read whole within the request's deadline.
const SMALL_BODY = 1024 * 1024;

// Methods whose successful answers carry no body (object PUT, UploadPart, DELETE).
const EMPTY_ANSWER_METHODS = new Set(["PUT", "DELETE"]);

/** The time and deadlines of an S3Fetch's requests (its clock's). */
interface RequestTimer {
  now(): number;
  deadline(ms: number, fire: () => void): () => void;
}

/** What an S3 `<Error>` document in a 200's body says, or undefined when the body is none. */
function errorIn200(bytes: Uint8Array): S3ErrorDetails | undefined {
  // Most bodies are told apart by their first bytes, undecoded (a small
  // object's GET comes here too): an <Error> starts with `<` (after white
  // space or a BOM).
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && i < 64 && bytes[i]! <= 0x20) i++;
  if (bytes[i] !== 0x3c) return undefined;
  const text = new TextDecoder().decode(bytes);
  if (!/^\s*(?:<\?xml[^>]*\?>\s*)?<Error[\s>]/.test(text)) return undefined;
  const details = parseS3ErrorXml(text);
  if (details.code === undefined) return undefined;
  return { ...details, in200: true };
}

/**
 * Whether an `<Error>` document names a request other than the one `headers`
 * answer (its RequestId and the `x-amz-request-id` both stated, and not the
 * same): content saved from an earlier answer, not the error of this one.
 * A proxy that adds its own id beside the store's sends both (`STORE, PROXY`
 * as the header reads then): the document naming either is this answer's.
 */
function namesAnotherRequest(
  details: S3ErrorDetails,
  headers: { get(name: string): string | null },
): boolean {
  const answered = (headers.get("x-amz-request-id") ?? "").split(",").map((id) => id.trim())
    .filter((id) => id !== "");
  const named = details.requestId?.trim();
  return answered.length > 0 && named !== undefined && named !== "" && !answered.includes(named);
}

// An error document is a few hundred bytes; only its start is read, so a
// server answering an error with a body without end cannot fill memory.
const MAX_ERROR_BODY = 64 * 1024;

/** The first `max` bytes of `body` (all of a shorter one); the rest is cancelled. */
async function readUpTo(
  body: ReadableStream<Uint8Array>,
  max: number,
  onBytes?: (length: number) => void,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      onBytes?.(length);
    }
  } finally {
    if (length >= max) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  return concatBytes(chunks, length).subarray(0, max);
}

function readWhole(method: string, reply: Reply, raw: boolean): boolean {
  if (reply.body === null || method === "HEAD") return false;
  if (reply.status < 200 || reply.status >= 300) return true; // error documents are small
  if (raw) return false;
  const length = Number(reply.headers.get("content-length") ?? NaN);
  return length <= SMALL_BODY;
}

// Deno's FsFile.writable buffers writes under 64 KiB and holds that tail back
// until the stream is closed; consumers pipe bodies into files with
// `preventClose` (download.ts), so guarded bodies hand out chunks of at
// least this size (smaller only when the whole body is).
const MIN_CHUNK = 64 * 1024;

/**
 * The body guarded: a body that sends nothing for
 * `timeoutMs` errors with a timeout `OfflineError` (and the connection is
 * dropped); any other failure mid-body becomes a `StoreError` naming the
 * URI and endpoint (a truncated body used to surface as a bare TypeError).
 */
function withBodyTimeout(
  source: ReadableStream<Uint8Array>,
  timeoutMs: number,
  attempt: AbortController,
  ctx: S3RequestContext,
  clock: RequestTimer,
  onEnd?: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  // One watchdog per body, re-armed lazily: a timer per read would cost more
  // than the read on a fast connection. Only time spent waiting for the
  // network counts, not time the consumer takes between reads.
  let waitingSince = 0;
  // Network wait and bytes since the body last moved (MIN_PROGRESS_BYTES):
  // a trickle of a few bytes per read must not re-arm the timeout forever.
  let waitedBefore = 0;
  let windowBytes = 0;
  let timer: (() => void) | undefined; // cancels the armed watchdog
  let timedOut: OfflineError | undefined;
  const watch = (ms: number) => {
    timer = clock.deadline(ms, () => {
      timer = undefined;
      if (waitingSince === 0) return; // the consumer is busy; the next read re-arms
      const waited = waitedBefore + clock.now() - waitingSince;
      if (waited < timeoutMs) return watch(timeoutMs - waited);
      // Worth another try (a stuck connection): the download resumes with a
      // ranged GET, as after a reset. Response timeouts are retried here instead.
      timedOut = Object.assign(s3TimeoutError(ctx, timeoutMs, "body"), { retryable: true });
      attempt.abort(timedOut); // fails the pending read and drops the connection
    });
  };
  const stop = () => {
    timer?.();
    timer = undefined;
  };
  // The body is over (read to its end, failed or cancelled).
  const end = () => {
    stop();
    onEnd?.();
  };
  const read = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    waitingSince = clock.now();
    if (timer === undefined) watch(Math.max(1, timeoutMs - waitedBefore));
    try {
      // The guard's abort (and the caller's, forwarded to `attempt`) fails
      // the read here, not only through fetch: Deno's fetch hears `attempt`
      // through the Request's own signal, which ours holds only weakly, so
      // once the Response is garbage a collection drops it and the abort no
      // longer reached a stalled read (it hung for good).
      const result = await readUntilAborted(reader, attempt.signal);
      if (result.done) end();
      else {
        windowBytes += result.value.length;
        if (windowBytes >= MIN_PROGRESS_BYTES) {
          windowBytes = 0;
          waitedBefore = 0;
        } else waitedBefore += clock.now() - waitingSince;
      }
      return result;
    } catch (error) {
      end();
      reader.cancel(error).catch(() => {});
      if (timedOut !== undefined) throw timedOut;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(
        `${ctx.operation} ${ctx.uri}: reading the response from ${ctx.endpoint} failed: ${message}`,
        { cause: error },
      );
    } finally {
      waitingSince = 0;
    }
  };
  // Bytes read but not handed out yet: `held` is a ready block (>= MIN_CHUNK)
  // kept until more data or the end arrives, so the last block absorbs a
  // short tail.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let held: Uint8Array | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await read();
        if (done) {
          const tail = concatBytes(pending, pendingBytes);
          if (held !== undefined) {
            controller.enqueue(
              tail.length > 0 ? concatBytes([held, tail], held.length + tail.length) : held,
            );
          } else if (tail.length > 0) controller.enqueue(tail);
          controller.close();
          return;
        }
        if (value.length === 0) continue;
        pending.push(value);
        pendingBytes += value.length;
        if (pendingBytes < MIN_CHUNK) continue;
        const block = concatBytes(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        const ready = held;
        held = block;
        if (ready !== undefined) {
          controller.enqueue(ready);
          return;
        }
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function markRetryable(error: Error): Error {
  retryableErrors.add(error);
  return error;
}

/**
 * Reads a response body fully, mapping a mid-body failure to a `StoreError`
 * that names the URI (and that {@linkcode isTransientError} classifies as
 * retryable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./s3_fetch.ts";
 * const bytes = await readBody(new Response("abc"), "s3://b/k");
 * assert(bytes.length === 3);
 * ```
 */
export async function readBody(res: Response, uri: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (cause) {
    throw new StoreError(`reading the response for ${uri} failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Whether `headers` make a read conditional, so that 304 may answer it. */
function hasPrecondition(headers: Record<string, string> | undefined): boolean {
  if (headers === undefined) return false;
  return Object.keys(headers).some((h) => /^(?:x-amz-copy-source-)?if-/i.test(h));
}

function isConditionalRead(headers: Record<string, string> | undefined): boolean {
  if (headers === undefined) return false;
  return Object.keys(headers).some((h) => /^if-(?:none-match|modified-since)$/i.test(h));
}
