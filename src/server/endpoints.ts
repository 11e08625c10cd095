/**
 * The four cache endpoints of API v1. Each takes the request and what the
 * handler set up, and returns a response or throws `HttpError`.
 *
 * @module
 */
import { JSON_TINY_READS_GRACE, TinyReadsGuard } from "./tiny_reads.ts";
import { jsonBodyText } from "./json_bytes.ts";
import { readUpTo } from "../bytes.ts";
import { md5Hex } from "../hash.ts";
import { reprDigest } from "./repr_digest.ts";
import { lastModified, modifiedSince, notModifiedSince } from "./last_modified.ts";
import type { AuthProvider, Identity } from "./auth.ts";
import { cacheId, isCacheId } from "./cache_id.ts";
import { misplacedToken } from "./misplaced_token.ts";
import type { GetOptions, GetResult } from "../store/types.ts";
import { contended, type Entries, type EntryMeta } from "./entries.ts";
import {
  bodyReadFailed,
  cacheIdNotFound,
  HttpError,
  jsonResponse,
  shuttingDown,
} from "./http_error.ts";
import { contentDisposition } from "./mime.ts";
import { contentTypeFor } from "../content_type.ts";
import { mediaType, mediaTypeCharset } from "./upload_fields.ts";
import { readFilePart } from "./multipart.ts";
import { withinIdle } from "./body_idle.ts";
import { idleBoundedBody } from "./relay_idle.ts";
import { shortened } from "../printable.ts";
import type { Limiter } from "../pool.ts";
import { deadline } from "../deadline.ts";
import { fileArrival } from "./request_budget.ts";
import { JsonSyntaxError, parsePyJson } from "./python_json.ts";

/**
 * The bytes of the `cache_id` bodies held while they arrive, all together
 * (`held`, at most `limit`) and by identity (each at most `perIdentity`):
 * past either, 503.
 */
export interface JsonBodies {
  held: number;
  readonly limit: number;
  readonly byIdentity: Map<string, number>;
  readonly perIdentity: number;
}

/** What every endpoint gets besides the request. */
export interface EndpointContext {
  /** The entries over the store. */
  entries: Entries;
  /** The auth provider. */
  auth: AuthProvider;
  /** Largest file accepted by an upload. */
  maxUploadBytes: number;
  /** Slots for uploads streaming to the store at once. */
  uploads: Limiter;
  /**
   * Runs an upload's `job` within its identity's share of `uploads` (see
   * `maxUploadsPerIdentity`; absent: no share).
   */
  identitySlots?: <T>(tokenId: string, job: () => Promise<T>, signal: AbortSignal) => Promise<T>;
  /**
   * Takes one of the identity's download slots (see `maxDownloadsPerIdentity`),
   * held until the response has been sent; throws `HttpError` 503 when none
   * came free in time.
   */
  downloadSlot?: (tokenId: string) => Promise<void>;
  /** Largest JSON body of `POST /v1/cache_id`. */
  maxJsonBytes: number;
  /**
   * The bytes of all `cache_id` bodies held while they arrive (`held`), and
   * the most they may hold together (`limit`): past it, 503.
   */
  jsonBodies: JsonBodies;
  /** Longest a request body may send nothing (0: no bound); then 408. */
  bodyIdleMs: number;
  /** Longest an upload waits for a slot (0: no bound); then 503. */
  uploadQueueMs: number;
  /** Slowest average rate of an upload's body after its first `bodyIdleMs` (0: none); then 408. */
  uploadMinRate: number;
  /** Set once the caller authenticated (for the log line). */
  identity?: Identity;
  /** The cache ID `POST /v1/cache_id` computed (for the log line). */
  cacheId?: string;
  /** Abandons the uploads in flight: their store writes are aborted, and they get 503. */
  cancel?: AbortSignal;
  /** Request body bytes read so far. */
  bytesIn: number;
  /** Aborts the store read of a download (one that outlived its bound). */
  download?: AbortSignal;
  /** Something the request's log line should say although it succeeded. */
  warning?: string;
  /** Set when the response is a file streamed from the store (bounded in time by the handler). */
  streamed?: boolean;
  /**
   * The idle bound of a streamed file's relay through
   * {@linkcode idleBoundedBody} (0: none, as for a directory store's
   * bodies): an S3 store's `idleTimeoutMs` (its raw fetch body `Deno.serve`
   * would relay past any abort), so a store gone silent mid-body, or the
   * handler's `download` cut, closes the client's connection, and a body
   * that ended short is logged with the bytes handed on. Unset: the store's
   * body is handed to Deno.serve as it is (an S3 store with no bound at all).
   */
  relayIdleMs?: number;
  /**
   * Set when an upload was answered with its request body not read to its
   * end (what followed its closing delimiter went on past a moment's reads):
   * its connection is closed after the answer, not left to Deno.serve to drain.
   */
  bodyLeftUnread?: boolean;
  /** Why a streamed file stopped mid-body (the store went silent), for the log line. */
  streamError?: string;
  /**
   * The bytes a guarded relay (see `relayIdleMs`) passed on before it ended
   * short (cut, or its client left).
   */
  relayedBeforeCut?: number;
  /** Counts download hits and misses. */
  onLookup(hit: boolean): void;
}

/**
 * The `Authorization` header; 400 without one (checked before the body is
 * looked at), naming where a token came instead, if anywhere.
 */
function authorizationHeader(req: Request): string {
  const header = req.headers.get("authorization")?.trim();
  if (header === undefined || header === "") {
    // A token sent elsewhere (`?token=`, `X-Auth-Token`, a KBase session
    // cookie) is named, by where it came, never by its value.
    const where = misplacedToken(req);
    throw new HttpError(
      400,
      where === undefined
        ? "missing Authorization header"
        : `missing Authorization header (a token came in ${where}: send it as the Authorization header, -H "Authorization: TOKEN")`,
    );
  }
  return header;
}

/** Authenticates the caller: 400 without an `Authorization` header, 401 for a bad token. */
async function authenticate(req: Request, ctx: EndpointContext): Promise<Identity> {
  const header = authorizationHeader(req);
  try {
    ctx.identity = await ctx.auth.authenticate(header);
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) throw error;
    // Two Authorization headers reach the service joined by ", " (as HTTP
    // joins a repeated header), and a token under another scheme (`curl -u
    // user:TOKEN` or `user:TOKEN@` in a URL send `Basic <base64>`,
    // Django-style clients `Token <token>`): said, rather than only
    // "invalid token" (the scheme is named, never the credentials).
    const scheme = OTHER_SCHEME.exec(header)?.[1];
    // A URL's user:password@ makes fetch send Basic credentials beside the
    // token, joined with it into one value: said so, not "sent twice".
    const hint = header.includes(", ")
      ? scheme === undefined
        ? `the Authorization header holds ", ": was it sent twice? send one`
        : `the Authorization header holds two credentials, the first with the ${
          JSON.stringify(scheme)
        } scheme (as a service URL with user:password@ adds them): send the token alone`
      : scheme === undefined
      ? undefined
      : `sent with the ${
        JSON.stringify(scheme)
      } scheme: send the token itself, bare or after Bearer${
        /^basic$/i.test(scheme) ? "; curl -u and user:password@ in a URL send Basic" : ""
      }`;
    if (hint === undefined) throw error;
    throw new HttpError(401, `${error.message} (${hint})`, {
      headers: error.headers,
      cause: error,
    });
  }
  return ctx.identity;
}

/**
 * HTTP authentication schemes other than `Bearer` (the IANA registry's, and
 * the `Token` of Django REST and others) that start an `Authorization`
 * header, followed by credentials.
 */
const OTHER_SCHEME =
  /^(Basic|Digest|HOBA|Mutual|Negotiate|NTLM|OAuth|SCRAM-SHA-1|SCRAM-SHA-256|vapid|Token|AWS4-HMAC-SHA256)\s+\S/i;

function ok(): Response {
  return jsonResponse({ status: "ok" });
}

/** The request body (empty when there is none). */
function bodyOf(req: Request): ReadableStream<Uint8Array> {
  return req.body ?? ReadableStream.from<Uint8Array>([]);
}

/**
 * Refuses a body sent with a `Content-Encoding` other than `identity` (415,
 * RFC 9110 §15.5.16): Deno.serve does not decode request bodies, so a
 * gzipped one would be read as garbled JSON or multipart, and one labelled
 * gzip but sent plain would be stored although its sender said otherwise.
 */
function checkUncoded(req: Request): void {
  // A transfer coding besides chunked (`Transfer-Encoding: gzip, chunked`):
  // Deno.serve undoes only the chunking and hands on the coded bytes, read
  // as a "malformed" body (or, sent plain under that label, stored). RFC
  // 9112 6.1: a server answers a transfer coding it does not understand 501.
  const transfer = req.headers.get("transfer-encoding");
  if (transfer !== null) {
    const codings = transfer.split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "");
    if (codings.some((c) => c !== "chunked")) {
      throw new HttpError(
        501,
        `Transfer-Encoding ${
          shortened(transfer)
        } is not supported: send the body uncoded (chunked only)`,
      );
    }
  }
  const coding = req.headers.get("content-encoding");
  if (coding === null) return;
  const codings = coding.split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "");
  if (codings.every((c) => c === "identity")) return;
  throw new HttpError(
    415,
    `Content-Encoding ${shortened(coding)} is not supported: send the body uncoded`,
    {
      headers: { "accept-encoding": "identity" },
    },
  );
}

/** `POST /v1/cache_id`. */
export async function postCacheId(req: Request, ctx: EndpointContext): Promise<Response> {
  authorizationHeader(req);
  const type = req.headers.get("content-type") ?? "";
  if (type.split(";")[0]!.trim().toLowerCase() !== "application/json") {
    throw new HttpError(
      400,
      `Content-Type must be application/json, got ${shortened(type) || "none"}`,
    );
  }
  checkUncoded(req);
  const identity = await authenticate(req, ctx);
  const text = await readJson(req, ctx, identity.tokenId);
  // No body at all (a client that forgot it) is said so, not reported as
  // malformed JSON "at offset 0".
  if (/^[ \t\n\r]*$/.test(text)) {
    throw new HttpError(
      400,
      "the request has no JSON body: send the cache's parameters as a JSON object",
    );
  }
  let body;
  try {
    body = parsePyJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw new HttpError(400, `malformed JSON body: ${e.message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body) || body.kind !== "object") {
    throw new HttpError(400, "the JSON body must be an object");
  }
  if (body.entries.size === 0) throw new HttpError(400, "the JSON body must not be empty");
  const id = cacheId(identity.tokenId, body);
  ctx.cacheId = id;
  const meta = await ctx.entries.reserve(id, identity.tokenId);
  return jsonResponse({
    cache_id: id,
    status: "ok",
    metadata: describe(meta),
  });
}

/**
 * The `metadata` object of API responses. `expiration` is a string of Unix
 * seconds, as the KBase file cache server sends it.
 */
function describe(meta: EntryMeta): Record<string, unknown> {
  return {
    filename: meta.filename,
    token_id: meta.owner,
    expiration: String(Math.floor(meta.expiresAt / 1000)),
  };
}

/**
 * The JSON body as text: over the limit by its `Content-Length`, 413 before
 * reading, as an upload's is (a client that declared more than it sent
 * waited for the body timeout, then got 408); otherwise streamed, stopping
 * at the limit. Streamed, not `arrayBuffer()`: a body is held as the bytes
 * that came (Deno's `arrayBuffer()` held about 4 MiB while a 1 MiB body
 * arrived), counted against the budget of all bodies held at once.
 */
async function readJson(req: Request, ctx: EndpointContext, owner: string): Promise<string> {
  const header = req.headers.get("content-length");
  const length = header === null ? NaN : Number(header);
  if (length > ctx.maxJsonBytes) {
    // The header as sent: a number past 2^53 prints rounded
    // (18446744073709551615 as 18446744073709552000).
    throw new HttpError(
      413,
      `JSON body exceeds ${ctx.maxJsonBytes} bytes (Content-Length: ${shortened(header!)})`,
    );
  }
  return await readText(bodyOf(req), ctx.maxJsonBytes, ctx, owner);
}

/**
 * Why a JSON body was given up: the bound is on the whole body, so one that
 * trickles in (a byte a second) is given up too, not only one that stops.
 */
function jsonTooSlow(ctx: EndpointContext): string {
  return `the JSON body did not arrive whole within ${ctx.bodyIdleMs / 1000} s`;
}

function decodeUtf8(bytes: Uint8Array): string {
  // UTF-16/32 too, told from the bytes as the KBase server's json.loads does.
  const text = jsonBodyText(bytes);
  if (text === undefined) {
    throw new HttpError(400, "malformed JSON body: not UTF-8, UTF-16 or UTF-32");
  }
  return text;
}

/**
 * The body as UTF-8 text of at most `max` bytes, counted into `ctx.bytesIn`
 * and, as they arrive, against `owner`'s share of the JSON bodies' budget.
 */
async function readText(
  body: ReadableStream<Uint8Array>,
  max: number,
  ctx: EndpointContext,
  owner: string,
): Promise<string> {
  let bytes: Uint8Array | undefined;
  const budget = ctx.jsonBodies;
  let held = 0;
  // A body given up (408) is cancelled, its bytes let go: else it went on
  // being read, and held, for as long as its client kept the connection.
  const reader = body.getReader();
  const tiny = new TinyReadsGuard(JSON_TINY_READS_GRACE);
  const source = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      try {
        tiny.count(value.length);
      } catch (e) {
        // Let go, as a body given up for its time is (below).
        await reader.cancel(e).catch(() => {});
        throw e;
      }
      controller.enqueue(value);
    },
    cancel: (why) => reader.cancel(why),
  }, { highWaterMark: 0 });
  const reading = readUpTo(source, max, (n) => {
    ctx.bytesIn += n;
    const own = budget.byIdentity.get(owner) ?? 0;
    if (budget.held + n > budget.limit || own + n > budget.perIdentity) {
      const [whose, now, most] = own + n > budget.perIdentity
        ? ["this identity's", own, budget.perIdentity]
        : ["the service's", budget.held, budget.limit];
      throw new HttpError(
        503,
        `${whose} JSON bodies still arriving hold ${now} bytes, all they may hold at once ` +
          `(${most}); try again`,
        { headers: { "retry-after": "1" } },
      );
    }
    budget.held += n;
    budget.byIdentity.set(owner, own + n);
    held += n;
  }).finally(() => {
    budget.held -= held;
    const left = (budget.byIdentity.get(owner) ?? 0) - held;
    if (left > 0) budget.byIdentity.set(owner, left);
    else budget.byIdentity.delete(owner);
  });
  try {
    // A JSON body is small: the bound is on all of it (see readJson).
    bytes = await withinIdle(
      reading,
      ctx.bodyIdleMs,
      (stalled) => void reader.cancel(stalled).catch(() => {}),
      jsonTooSlow(ctx),
    );
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw bodyReadFailed(e, "request body was cut off");
  }
  if (bytes === undefined) throw new HttpError(413, `JSON body exceeds ${max} bytes`);
  return decodeUtf8(bytes);
}

function checkId(id: string): void {
  if (!isCacheId(id)) {
    throw cacheIdNotFound(`${JSON.stringify(id.slice(0, 200))} is not a cache ID`);
  }
}

/**
 * How the API takes a file, for a client that sent it another way: as the
 * raw body, as HTTP build caches and object stores take it (`curl -T`, a
 * PUT; `curl --data-binary`, a POST of another type).
 */
export const MULTIPART_UPLOAD_HINT =
  'POST it as multipart/form-data, the file in the field "file" (curl -F file=@PATH, ' +
  'requests files={"file": f})';

/** How the API takes a `cache_id` request, for a client that sent it another way (GET, PUT). */
export const CACHE_ID_HINT =
  "POST the JSON object that identifies the cache, with Content-Type: application/json " +
  `(curl -d '{"tool": "x"}' -H 'Content-Type: application/json', requests json={...})`;

/** `POST /v1/cache/<id>`: stores the multipart field `file`. */
export async function postFile(req: Request, id: string, ctx: EndpointContext): Promise<Response> {
  authorizationHeader(req);
  const type = req.headers.get("content-type") ?? "";
  if (type.split(";")[0]!.trim().toLowerCase() !== "multipart/form-data") {
    throw new HttpError(
      400,
      `Content-Type must be multipart/form-data, got ${
        shortened(type) || "none"
      }: to upload a file, ${MULTIPART_UPLOAD_HINT}`,
    );
  }
  checkUncoded(req);
  const identity = await authenticate(req, ctx);
  checkId(id);
  const declared = req.headers.get("content-length");
  const length = Number(declared ?? "NaN");
  // Framing and other fields get 1 MiB on top of the file.
  if (length > ctx.maxUploadBytes + (1 << 20)) {
    throw new HttpError(
      413,
      `upload of ${shortened(declared!)} bytes exceeds the limit of ${ctx.maxUploadBytes}`,
    );
  }
  const check = preconditions(req, id);
  // A queued upload waits at most uploadQueueMs: clients holding every slot
  // (trickling their bodies) left the uploads behind them with no answer.
  const queue = new AbortController();
  // Whether the upload waits for its identity's share of the slots, or for a slot.
  let waitsForIdentity = ctx.identitySlots !== undefined;
  const busy = () =>
    new HttpError(
      503,
      `no upload slot came free within ${ctx.uploadQueueMs / 1000} s ` +
        (waitsForIdentity
          ? `(this identity's uploads hold all it may hold at once)`
          : `(all ${ctx.uploads.limit} are taken)`) +
        `; send the file again later`,
      { headers: { "retry-after": "5", connection: "close" } },
    );
  const stopQueueWait = ctx.uploadQueueMs > 0 && ctx.uploadQueueMs < Infinity
    ? deadline(ctx.uploadQueueMs, () => queue.abort(busy()))
    : () => {};
  const waiting = ctx.cancel === undefined
    ? queue.signal
    : AbortSignal.any([ctx.cancel, queue.signal]);
  try {
    // The body is read only once the upload has a slot: its parts are held
    // in memory while they go to the store, so the slots bound the memory.
    const slot = (job: () => Promise<void>): Promise<void> => {
      if (ctx.identitySlots === undefined) return ctx.uploads.run(job, waiting);
      return ctx.identitySlots(identity.tokenId, () => {
        waitsForIdentity = false;
        return ctx.uploads.run(job, waiting);
      }, waiting);
    };
    await slot(async () => {
      stopQueueWait();
      const part = await readFilePart(bodyOf(req), type, {
        maxFileBytes: ctx.maxUploadBytes,
        onRead: (bytes) => ctx.bytesIn += bytes,
        // A chunked body (no length) is read by the default reader (see inPlace).
        inPlace: Number.isFinite(length),
        idleTimeoutMs: ctx.bodyIdleMs,
        minRate: ctx.uploadMinRate,
        refuseTinyReads: true,
        onFileEnd: fileArrival(),
      });
      await ctx.entries.upload(id, identity.tokenId, {
        filename: part.filename,
        ...(part.contentType === undefined ? {} : { contentType: part.contentType }),
        body: part.body,
        bytes: part.bytes,
        md5: part.md5,
        ...(check === undefined ? {} : { check }),
        ...(ctx.cancel === undefined ? {} : { signal: ctx.cancel }),
        onWarning: (message) => ctx.warning = message,
      });
      if (!await part.ended()) ctx.bodyLeftUnread = true;
    });
  } catch (e) {
    // Abandoned by the server, not refused: the client may send it again
    // (to another instance, or to this one once it is back).
    if (ctx.cancel?.aborted) throw shuttingDown({ cause: e });
    throw e;
  } finally {
    stopQueueWait();
  }
  return ok();
}

/** `DELETE /v1/cache/<id>`. */
export async function deleteFile(
  req: Request,
  id: string,
  ctx: EndpointContext,
): Promise<Response> {
  const identity = await authenticate(req, ctx);
  checkId(id);
  await ctx.entries.remove(
    id,
    identity.tokenId,
    preconditions(req, id),
    (message) => ctx.warning = message,
  );
  return ok();
}

/**
 * The `If-Match` / `If-None-Match` of an upload or a DELETE as a check of
 * the entry it would replace or remove (RFC 9110 13.2.1: evaluated before
 * the method is performed; 412 when false): `If-Match: "<etag>"` replaces
 * or deletes only the file a client saw, `If-None-Match: *` uploads only
 * where no file is stored yet. A placeholder has no file: no tag matches it.
 * Before, both were ignored, and a DELETE with `If-Match` of a file since
 * replaced deleted the new one.
 */
function preconditions(req: Request, id: string): ((meta: EntryMeta) => void) | undefined {
  const ifMatch = req.headers.get("if-match");
  const ifNoneMatch = req.headers.get("if-none-match");
  const ifUnmodifiedSince = req.headers.get("if-unmodified-since");
  if (ifMatch === null && ifNoneMatch === null && ifUnmodifiedSince === null) return undefined;
  return (meta) => {
    const etag = meta.dataKey === undefined ? undefined : `"${meta.etag}"`;
    const now = etag === undefined ? "no file" : etag;
    if (ifMatch !== null && (etag === undefined || !matchesStrongly(ifMatch, etag))) {
      throw new HttpError(412, `cache ${id} holds another file than If-Match names (now ${now})`, {
        headers: etag === undefined ? {} : { etag },
      });
    }
    // Only without If-Match (RFC 9110 13.2.2), and only on a file: a placeholder has no date.
    if (
      ifMatch === null && etag !== undefined && modifiedSince(ifUnmodifiedSince, meta.uploadedAt)
    ) {
      throw unmodifiedSinceFailed(id, ifUnmodifiedSince!, etag);
    }
    if (ifNoneMatch !== null && etag !== undefined && matchesEtag(ifNoneMatch, etag)) {
      throw new HttpError(412, `cache ${id} holds a file If-None-Match names (${etag})`, {
        headers: { etag },
      });
    }
  };
}

/** The 412 of an `If-Unmodified-Since` whose date is before the stored file's upload. */
function unmodifiedSinceFailed(id: string, date: string, etag: string): HttpError {
  return new HttpError(
    412,
    `cache ${id} holds a file uploaded after If-Unmodified-Since (${date.slice(0, 100)})`,
    { headers: { etag } },
  );
}

/** A data read started before the metadata confirmed which data to read. */
interface EarlyRead {
  dataKey: string;
  range: { start: number; end: number } | undefined;
  result: Promise<GetResult | undefined>;
}

/** `GET` / `HEAD /v1/cache/<id>`: the file, with Range and ETag. */
export async function getFile(req: Request, id: string, ctx: EndpointContext): Promise<Response> {
  const identity = await authenticate(req, ctx);
  checkId(id);
  // Before the store is touched: a download waiting for its identity's
  // share holds no store stream.
  await ctx.downloadSlot?.(identity.tokenId);
  // When this process knows the entry's data key, the data is asked for
  // while the metadata is read (one round trip instead of two); it is served
  // only if the metadata, read afresh, still points at it.
  let early = earlyRead(req, ctx, id, identity.tokenId);
  const drop = () => {
    const unused = early;
    early = undefined;
    unused?.result.then((r) => r?.body.cancel().catch(() => {}), () => {});
  };
  try {
    // Two tries: an upload may replace (and delete) the data between our reads.
    // The metadata version whose data object the store did not have.
    let missingIn: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      let meta: EntryMeta;
      let version: string;
      try {
        const entry = await ctx.entries.open(id, identity.tokenId);
        ({ meta, version } = entry);
        if (entry.refreshFailed !== undefined) {
          ctx.warning = `the entry's expiry was not moved: ${entry.refreshFailed}`;
        }
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) ctx.onLookup(false);
        throw e;
      }
      const etag = `"${meta.etag}"`;
      const headers = new Headers({
        "content-type": servedType(meta),
        "content-disposition": contentDisposition(meta.filename),
        etag,
        "accept-ranges": "bytes",
        "cache-control": "private, no-cache",
      });
      const now = ctx.entries.now();
      const modified = lastModified(meta.uploadedAt, now);
      if (modified !== undefined) headers.set("last-modified", modified);
      // If-Match first (RFC 9110 13.2.2): a client resuming a download of
      // the file it had must not get bytes of the one that replaced it.
      const ifMatch = req.headers.get("if-match");
      if (ifMatch !== null && !matchesStrongly(ifMatch, etag)) {
        ctx.onLookup(true);
        throw new HttpError(
          412,
          `cache ${id} holds another file than If-Match names (now ${etag})`,
          {
            headers: { etag },
          },
        );
      }
      if (
        ifMatch === null && modifiedSince(req.headers.get("if-unmodified-since"), meta.uploadedAt)
      ) {
        ctx.onLookup(true);
        throw unmodifiedSinceFailed(id, req.headers.get("if-unmodified-since")!, etag);
      }
      // If-Modified-Since only without If-None-Match (RFC 9110 13.2.2): a
      // client's ETag is exact, a date is not.
      const ifNoneMatch = req.headers.get("if-none-match");
      if (
        ifNoneMatch === null
          ? notModifiedSince(req.headers.get("if-modified-since"), modified, now)
          : matchesEtag(ifNoneMatch, etag)
      ) {
        ctx.onLookup(true);
        return new Response(null, { status: 304, headers });
      }
      const range = parseRange(
        req.headers.get("range"),
        meta.size,
        req.headers.get("if-range"),
        etag,
      );
      if (range === "unsatisfiable") {
        throw new HttpError(
          416,
          `range ${shortened(req.headers.get("range") ?? "")} is outside the file`,
          {
            headers: { "content-range": `bytes */${meta.size}` },
          },
        );
      }
      const length = range === undefined ? meta.size : range.end - range.start + 1;
      headers.set("content-length", String(length));
      if (range !== undefined) {
        headers.set("content-range", `bytes ${range.start}-${range.end}/${meta.size}`);
      }
      const status = range === undefined ? 200 : 206;
      // The MD5 of the upload (see repr_digest.ts), for GET and HEAD alike;
      // only on the whole file, the one body a client can check with it.
      if (range === undefined && meta.md5 !== undefined) {
        headers.set("repr-digest", reprDigest(meta.md5));
      }
      if (length === 0) {
        ctx.onLookup(true);
        return new Response(null, { status, headers });
      }
      const checkWhole = range === undefined && meta.md5 !== undefined && length <= SMALL_FILE;
      if (req.method === "HEAD" && !checkWhole) {
        // The status a GET would answer, without the bytes: the data object
        // must still be there, at the upload's size (a small whole file is
        // read and checked below, as a GET does).
        drop();
        const size = await ctx.entries.dataSize(meta);
        if (size === undefined) {
          if (missingIn !== undefined && missingIn === version) throw lostFile(ctx, id);
          missingIn = version;
          continue;
        }
        if (size !== meta.size) throw damaged(id);
        ctx.onLookup(true);
        return new Response(null, { status, headers });
      }
      let result: GetResult | undefined;
      if (
        early !== undefined && early.dataKey === meta.dataKey &&
        early.range?.start === range?.start && early.range?.end === range?.end
      ) {
        const confirmed = early;
        early = undefined;
        result = await confirmed.result;
      } else {
        drop();
        result = await ctx.entries.read(meta, dataOptions(range, meta.size, ctx.download));
      }
      if (result === undefined) {
        // The same metadata twice without its data: not an upload switching
        // files but data deleted behind the service's back (a lifecycle rule,
        // a cleanup). A miss the client recovers from by uploading again.
        if (missingIn !== undefined && missingIn === version) throw lostFile(ctx, id);
        missingIn = version;
        continue; // replaced meanwhile: read the new metadata
      }
      if (result.info.size !== meta.size) {
        // Another object than the upload now sits at its data key (rewritten
        // behind the service's back). Its size costs nothing to check, and a
        // larger file is relayed unchecked: sent under the upload's
        // Content-Length it arrived cut short, or (a longer object) as the
        // first bytes of another file that curl saved with exit 0.
        await result.body.cancel().catch(() => {});
        throw damaged(id, result.info.contentEncoding);
      }
      ctx.onLookup(true);
      if (checkWhole) {
        // A small file is in memory anyway: checked here, damaged bytes are
        // never sent (a larger one is relayed as it comes; the client checks it).
        const bytes = result.bytes ?? await new Response(result.body).bytes();
        if (md5Hex(bytes) !== meta.md5) throw damaged(id, result.info.contentEncoding);
        if (req.method === "HEAD") return new Response(null, { status, headers });
        return new Response(bytes as Uint8Array<ArrayBuffer>, { status, headers });
      }
      // Bytes the store read whole go out as they are (no stream to pump).
      if (result.bytes !== undefined && result.bytes.length === length) {
        return new Response(result.bytes as Uint8Array<ArrayBuffer>, { status, headers });
      }
      ctx.streamed = true;
      return new Response(relayed(result.body, ctx, id), { status, headers });
    }
    throw contended(id, "its file was replaced on every read");
  } finally {
    drop();
  }
}

/**
 * A streamed file's body as the response's: the store's own, or (a raw
 * body, see `relayIdleMs`) passed through {@linkcode idleBoundedBody}: a
 * read that brings nothing for the store's idle timeout, or the handler's
 * cut, fails it, which closes the connection (the client sees a body
 * shorter than its Content-Length, never a whole one).
 */
function relayed(
  body: ReadableStream<Uint8Array>,
  ctx: EndpointContext,
  id: string,
): ReadableStream<Uint8Array> {
  const idleMs = ctx.relayIdleMs;
  if (idleMs === undefined) return body;
  return idleBoundedBody(body, idleMs, ctx.download, (bytes) => {
    const why = `download cut: the store sent nothing of cache ${id}'s file for ${
      idleMs / 1000
    } s after ${bytes} bytes (its connection open); the client's connection was closed`;
    ctx.streamError = why;
    return new HttpError(503, why);
  }, (bytes, failed) => {
    ctx.relayedBeforeCut = bytes;
    // The store's body broke off (a reset, a connection dropped): said, as
    // a stall and the handler's cut say themselves.
    if (failed !== undefined && ctx.streamError === undefined && !ctx.download?.aborted) {
      ctx.streamError =
        `download cut: the store's body of cache ${id}'s file failed after ${bytes} bytes: ${
          failed instanceof Error ? failed.message : String(failed)
        }`;
    }
  });
}

/** The same metadata twice without its data: deleted behind the service's back. */
function lostFile(ctx: EndpointContext, id: string): HttpError {
  ctx.onLookup(false);
  return new HttpError(
    404,
    `cache ${id} has lost its file (the store no longer holds its data); upload it again`,
  );
}

/**
 * The store's answer held other bytes than were uploaded: worth another try,
 * not a file to serve. With `coding` (the answer's `Content-Encoding`), the
 * bytes were likely coded on the way (a proxy compressing answers), not
 * damaged in the store: said so, the store not blamed.
 */
function damaged(id: string, coding?: string): HttpError {
  return new HttpError(
    503,
    coding === undefined
      ? `cache ${id}: the store returned damaged bytes (not the upload's size or MD5); try again`
      : `cache ${id}: the store's answer came with Content-Encoding: ${coding} and other bytes ` +
        `than the upload's (size or MD5): something between the service and the store (a ` +
        `proxy) may have coded or changed them`,
    { headers: { "retry-after": "1" } },
  );
}

/**
 * The type a file is served as: from its filename's extension; for an
 * unknown extension the type it was uploaded with, if that is a valid media
 * type (metadata written before uploads were checked may hold anything,
 * which as a header would fail every download). The extension's
 * `charset=utf-8` is only a guess: a charset the upload declared is kept,
 * or a Latin-1 `.txt` would be decoded as UTF-8 by every client.
 */
function servedType(meta: EntryMeta): string {
  const byName = contentTypeFor(meta.filename);
  const uploaded = meta.contentType === undefined ? undefined : mediaType(meta.contentType);
  if (uploaded === undefined) return byName;
  if (byName === "application/octet-stream") return uploaded;
  const charset = mediaTypeCharset(uploaded);
  return charset === undefined
    ? byName
    : byName.replace(/; charset=utf-8$/, `; charset=${charset}`);
}

/**
 * Options of a data read. A client going away cancels the body stream; the
 * signal (the handler's) aborts it when the download outlives its bound (a
 * client that stopped reading, or a store that stalls mid-body). rawBody:
 * the store's own fetch body, without the store's per-read guard; it is
 * relayed through {@linkcode idleBoundedBody} instead (see `relayed`):
 * handed to Deno.serve as it is, it is relayed without JavaScript and
 * nothing stops it midway.
 */
function dataOptions(
  range: { start: number; end: number } | undefined,
  size: number,
  signal: AbortSignal | undefined,
): GetOptions {
  const length = range === undefined ? size : range.end - range.start + 1;
  // Small files are read whole within the store's deadline (cheaper than a
  // relayed stream, and then a stall is timed out too). The signal cuts a
  // streamed one that a client holds past its bound (see the handler).
  return {
    ...(range === undefined ? {} : { range }),
    rawBody: length > SMALL_FILE,
    ...(signal === undefined ? {} : { signal }),
  };
}

/** Files up to this size are read whole from the store and sent from memory. */
const SMALL_FILE = 64 * 1024;

/** Starts reading the data this process last knew for `id`, for a plain GET of its owner. */
function earlyRead(
  req: Request,
  ctx: EndpointContext,
  id: string,
  owner: string,
): EarlyRead | undefined {
  if (
    req.method !== "GET" || req.headers.get("if-none-match") !== null ||
    req.headers.get("if-modified-since") !== null || req.headers.get("if-match") !== null
  ) return undefined;
  const known = ctx.entries.known(id);
  if (known?.dataKey === undefined || known.owner !== owner || known.size === 0) return undefined;
  const range = parseRange(
    req.headers.get("range"),
    known.size,
    req.headers.get("if-range"),
    `"${known.etag}"`,
  );
  if (range === "unsatisfiable") return undefined;
  const result = ctx.entries.read(known, dataOptions(range, known.size, ctx.download));
  result.catch(() => {}); // awaited when used; dropped otherwise
  return { dataKey: known.dataKey, range, result };
}

/** `If-Match`'s strong comparison: `*`, or the very tag (a weak `W/` one never matches). */
function matchesStrongly(header: string, etag: string): boolean {
  return header.split(",").some((t) => {
    const v = t.trim();
    return v === "*" || v === etag;
  });
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(",").some((t) => {
    const v = t.trim().replace(/^W\//, "");
    return v === "*" || v === etag;
  });
}

/**
 * A single `bytes=` range within `size` bytes; `undefined` for none (or
 * several ranges, an invalid one, or an `If-Range` that no longer matches:
 * the whole file). Read as RFC 9110 writes it: the unit is case-insensitive
 * (`Bytes=0-9`) and the range set a list, whose empty elements and spaces
 * around commas a recipient accepts (`bytes=0-9,`); before, such a header
 * was ignored and the whole file sent as 200.
 */
function parseRange(
  header: string | null,
  size: number,
  ifRange: string | null,
  etag: string,
): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  // A date in If-Range never matches: the whole file. Instances whose
  // clocks differ by a second could date two uploads alike, and a range of
  // the new file appended to the old one's bytes is a mixed file.
  if (ifRange !== null && ifRange.trim() !== etag) return undefined;
  const unit = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (unit === null) return undefined;
  const specs = unit[1]!.split(",").map((spec) => spec.trim()).filter((spec) => spec !== "");
  if (specs.length !== 1) return undefined;
  const m = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (m === null || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    // RFC 9110 14.1.1: on an empty file a non-zero suffix is the one
    // satisfiable range; it selects the whole (empty) file, which no 206 can
    // express, so it is ignored: 200. A 416 had failed `curl -f -r -1024`
    // and `raise_for_status()` fetching the tail of a file that is empty.
    if (size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  // A last position before the first makes the header invalid, to be
  // ignored (RFC 9110 14.1.1): the whole file, not a 416.
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  return { start, end };
}
