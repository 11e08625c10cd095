/**
 * The fake S3 server: an S3-compatible HTTP endpoint on `Deno.serve` for
 * tests and benchmarks, with fault injection and request statistics.
 *
 * @module
 */
import { type Backend, isValidBucketName } from "./backend.ts";
import { InvalidInputError } from "../../errors.ts";
import { checkOptions, describeValue, listOption, type OptionNames } from "../../options_check.ts";
import {
  createBucket,
  deleteBucket,
  deleteObjects,
  getBucketLocation,
  headBucket,
  listBuckets,
  listObjects,
  listObjectsV2,
} from "./bucket_handlers.ts";
import { type Handler, type HandlerContext, newHandlerContext } from "./context.ts";
import { DiskBackend } from "./disk_backend.ts";
import {
  brokenResponse,
  corruptBody,
  cutBody,
  FAULT_OPTIONS,
  FaultController,
  InjectedReset,
} from "./faults.ts";
import { MemoryBackend } from "./memory_backend.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from "./multipart_handlers.ts";
import { copyObject, deleteObject, getObject, putObject } from "./object_handlers.ts";
import { checkObjectBody, storedEtag } from "./object_checksum.ts";
import type { ChecksumAlgorithm } from "../../store/types.ts";
import { drainBody } from "./request_body.ts";
import { type Route, routeRequest } from "./router.ts";
import { checkBucketRegion } from "./bucket_region.ts";
import { checkAnonymousAccess } from "./public_access.ts";
import { checkRequesterPays } from "./requester_pays.ts";
import { checkSignature, type SigningCredentials } from "./signature.ts";
import {
  getBucketVersioning,
  listObjectVersions,
  putBucketVersioning,
} from "./versioning_handlers.ts";
import { errorResponse, S3Error } from "./s3_error.ts";
import {
  type FakeObjectInfo,
  type FakeS3,
  type FakeS3Options,
  type FakeS3Stats,
  type FaultKind,
  type FaultOptions,
  type FaultTarget,
  type RequestLogEntry,
  S3_OPERATIONS,
  type S3Operation,
} from "./types.ts";

// Prefix of the control endpoints (`controlEndpoints` option). `_` cannot
// start a bucket name (ours or S3's), so no S3 request is ever taken here.
const CONTROL_PREFIX = "/_fake_s3/";

// How long stop() waits for in-flight responses before giving up on them.
const STOP_GRACE_MS = 2000;

/** The credentials whose signatures are checked unless told otherwise (those of `env`). */
const DEFAULT_CREDENTIALS: Readonly<Record<string, string>> = { test: "test" };

/** S3's longest key, in bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;
/** The operations that create a key. */
const CREATES_KEY: ReadonlySet<string> = new Set([
  "PutObject",
  "CopyObject",
  "CreateMultipartUpload",
]);

const HANDLERS: Record<S3Operation, Handler | undefined> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListMultipartUploads: listMultipartUploads,
  ListObjectVersions: listObjectVersions,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: getObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  CopyObject: copyObject,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  Unsupported: undefined,
};

function emptyStats(): FakeS3Stats {
  const stats = { total: 0, faults: 0 } as FakeS3Stats;
  for (const op of S3_OPERATIONS) stats[op] = 0;
  return stats;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

class FakeS3Server implements FakeS3 {
  readonly url: string;
  readonly port: number;
  readonly hostname: string;
  readonly env: Readonly<Record<string, string>>;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #ctx: HandlerContext;
  readonly #faults: FaultController;
  readonly #onRequest: ((entry: RequestLogEntry) => void) | undefined;
  readonly #controlEndpoints: boolean;
  readonly #publicBuckets: ReadonlySet<string> | undefined;
  readonly #requesterPays: ReadonlySet<string>;
  readonly #denied: ReadonlySet<S3Operation>;
  readonly #bucketRegions: ReadonlyMap<string, string>;
  readonly #credentials: SigningCredentials | undefined;
  #stats: FakeS3Stats = emptyStats();
  #requestCounter = 0;
  // Corrupt answers given so far (see #rewrite).
  #corrupted = 0;
  #stopping: Promise<void> | undefined;

  constructor(options: FakeS3Options, backend: Backend, faults: FaultController) {
    this.#ctx = newHandlerContext({
      backend,
      ...(options.minPartSize === undefined ? {} : { minPartSize: options.minPartSize }),
      ...(options.maxObjectSize === undefined ? {} : { maxObjectSize: options.maxObjectSize }),
      ...(options.completeIgnoresConditions === undefined
        ? {}
        : { completeIgnoresConditions: options.completeIgnoresConditions }),
    });
    this.#faults = faults;
    this.#onRequest = options.onRequest;
    this.#controlEndpoints = options.controlEndpoints ?? false;
    this.#publicBuckets = options.publicBuckets === undefined
      ? undefined
      : new Set(options.publicBuckets);
    this.#requesterPays = new Set(options.requesterPaysBuckets ?? []);
    this.#denied = new Set(options.deniedOperations ?? []);
    for (const bucket of options.versionedBuckets ?? []) {
      this.#ctx.versioning.setStatus(bucket, "Enabled");
    }
    this.#bucketRegions = new Map(Object.entries(options.bucketRegions ?? {}));
    this.#credentials = options.credentials === false
      ? undefined
      : new Map(Object.entries(options.credentials ?? DEFAULT_CREDENTIALS));
    const [accessKeyId, secretAccessKey] = this.#credentials?.entries().next().value ??
      Object.entries(DEFAULT_CREDENTIALS)[0]!;
    this.hostname = options.hostname ?? "127.0.0.1";
    this.#server = Deno.serve({
      hostname: this.hostname,
      port: options.port ?? 0,
      onListen: () => {},
      onError: (error) => {
        // Injected resets end response bodies with an error on purpose.
        if (!(error instanceof InjectedReset)) console.error("fake-s3: unexpected error:", error);
        return new Response(null, { status: 500 });
      },
    }, (req) => this.#handle(req));
    this.port = this.#server.addr.port;
    this.url = `http://${urlHost(this.hostname)}:${this.port}`;
    this.env = {
      AWS_ENDPOINT_URL: this.url,
      AWS_ENDPOINT_URL_S3: this.url,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
    };
  }

  get faults(): FaultOptions {
    return this.#faults.options;
  }

  set faults(options: FaultOptions) {
    this.#faults.set(options);
  }

  setFaults(options: FaultOptions): void {
    this.#faults.set(options);
  }

  failNext(count: number, kind: FaultKind, match?: (target: FaultTarget) => boolean): void {
    this.#faults.failNext(count, kind, match);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  get stats(): FakeS3Stats {
    return { ...this.#stats };
  }

  resetStats(): void {
    this.#stats = emptyStats();
  }

  async createBucket(name: string): Promise<void> {
    checkBucketName("createBucket()", name);
    await this.#ctx.backend.createBucket(name);
  }

  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    options: {
      contentType?: string;
      metadata?: Record<string, string>;
      checksum?: ChecksumAlgorithm;
      serverSideEncryption?: string;
    } = {},
  ): Promise<{ etag: string }> {
    // No request could name it, and stored, it failed every listing of the
    // bucket (its URL encoding throws): refused, as every ObjectStore does.
    if (typeof key === "string" && !key.isWellFormed()) {
      throw new InvalidInputError(
        `putObject(): key ${JSON.stringify(key)} is not valid Unicode (a lone UTF-16 ` +
          "surrogate): no S3 key holds one, keys are UTF-8",
      );
    }
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const backend = this.#ctx.backend;
    if (!backend.hasBucket(bucket)) await this.createBucket(bucket);
    async function* once() {
      yield bytes;
    }
    // As a PUT with these headers: the checksum computed, the ETag of SSE-KMS.
    const asked = new Headers();
    if (options.checksum !== undefined) {
      asked.set("x-amz-trailer", `x-amz-checksum-${options.checksum.toLowerCase()}`);
    }
    if (options.serverSideEncryption !== undefined) {
      asked.set("x-amz-server-side-encryption", options.serverSideEncryption);
    }
    const checked = await checkObjectBody(asked, () => once(), key);
    const staged = await backend.stage(checked.chunks, bytes.length, Number.MAX_SAFE_INTEGER);
    const kept = checked.finish();
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.metadata ?? {})) metadata[k.toLowerCase()] = v;
    const object = await backend.commit(bucket, key, staged, {
      etag: storedEtag(staged.md5, kept),
      contentType: options.contentType,
      metadata,
      headers: kept,
      partSizes: undefined,
    }, () => {});
    return { etag: object.etag };
  }

  async getObject(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const backend = this.#ctx.backend;
    const object = backend.hasBucket(bucket) ? backend.get(bucket, key) : undefined;
    if (!object) return undefined;
    const body = backend.read(object, 0, object.size);
    if (body instanceof Uint8Array) return body.slice();
    return new Uint8Array(await new Response(body).arrayBuffer());
  }

  headObject(bucket: string, key: string): FakeObjectInfo | undefined {
    const backend = this.#ctx.backend;
    const o = backend.hasBucket(bucket) ? backend.get(bucket, key) : undefined;
    if (!o) return undefined;
    return {
      key: o.key,
      size: o.size,
      etag: o.etag,
      lastModified: o.lastModified,
      contentType: o.contentType ?? "binary/octet-stream",
      metadata: { ...o.metadata },
    };
  }

  listKeys(bucket: string, prefix = ""): string[] {
    const backend = this.#ctx.backend;
    if (!backend.hasBucket(bucket)) return [];
    return backend.sortedKeys(bucket).filter((k) => k.startsWith(prefix));
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const shutdown = this.#server.shutdown();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = await Promise.race([
        shutdown.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (gaveUp) {
        // Deno.serve cannot force connections closed, and a response whose
        // client never reads it keeps shutdown() pending forever. Stop
        // waiting rather than hang the caller; the test sanitizer will point
        // at the unread body.
        this.#server.unref();
        shutdown.catch(() => {});
        console.warn(
          `fake-s3: responses still in flight ${STOP_GRACE_MS}ms after stop(); ` +
            "did a client leave a response body unread?",
        );
      }
      for (const upload of this.#ctx.uploads.all()) {
        this.#ctx.uploads.remove(upload);
        for (const part of upload.parts.values()) await this.#ctx.backend.discard(part.staged);
      }
      await this.#ctx.backend.close();
    })();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #requestId(): string {
    return (++this.#requestCounter).toString(16).padStart(16, "0").toUpperCase();
  }

  /** Answers a control request, or returns `undefined` for an S3 request. */
  async #control(req: Request): Promise<Response | undefined> {
    const path = new URL(req.url).pathname;
    if (!path.startsWith(CONTROL_PREFIX)) return undefined;
    await drainBody(req);
    const name = path.slice(CONTROL_PREFIX.length);
    const text = (status: number, body: string, extra: Record<string, string> = {}) =>
      new Response(`${body}\n`, {
        status,
        headers: { "content-type": "text/plain; charset=utf-8", ...extra },
      });
    const routes: Record<string, { method: string; run: () => Response }> = {
      stats: {
        method: "GET",
        run: () =>
          new Response(JSON.stringify(this.stats), {
            headers: { "content-type": "application/json", "cache-control": "no-store" },
          }),
      },
      reset: {
        method: "POST",
        run: () => {
          this.resetStats();
          return new Response(null, { status: 204 });
        },
      },
    };
    const route = Object.hasOwn(routes, name) ? routes[name]! : undefined;
    if (!route) {
      return text(
        404,
        `fake-s3: no control endpoint ${path}; try GET /_fake_s3/stats or POST /_fake_s3/reset`,
      );
    }
    const allowed = route.method === "GET" ? ["GET", "HEAD"] : [route.method];
    if (!allowed.includes(req.method)) {
      return text(405, `fake-s3: ${path} takes ${route.method}, not ${req.method}`, {
        allow: allowed.join(", "),
      });
    }
    const response = route.run();
    return req.method === "HEAD" ? new Response(null, response) : response;
  }

  async #handle(req: Request): Promise<Response> {
    if (this.#controlEndpoints) {
      const control = await this.#control(req);
      if (control) return control;
    }
    const started = performance.now();
    const requestId = this.#requestId();
    let route: Route;
    try {
      route = routeRequest(req);
    } catch (e) {
      await drainBody(req);
      this.#stats.total++;
      this.#stats.Unsupported++;
      return this.#toResponse(e, req, requestId);
    }
    this.#stats.total++;
    this.#stats[route.op]++;
    let fault: FaultKind | undefined;
    let response: Response;
    if (this.#faults.active) {
      const target: FaultTarget = {
        op: route.op,
        method: req.method,
        headers: Object.fromEntries(req.headers),
      };
      if (route.bucket !== undefined) target.bucket = route.bucket;
      if (route.key !== undefined) target.key = route.key;
      const before = this.#faults.before(target);
      if (before.latencyMs > 0) await delay(before.latencyMs);
      if (before.hold !== undefined) await Promise.resolve(before.hold).catch(() => {});
      fault = before.fault;
      if (fault === undefined) {
        response = await this.#dispatch(req, route, requestId);
        fault = this.#faults.after(target, {
          method: req.method,
          objectBody: route.op === "GetObject" && response.body !== null &&
            response.headers.get("content-length") !== "0" &&
            (response.status === 200 || response.status === 206),
        });
        if (fault !== undefined) response = await this.#rewrite(response, fault, req.method);
      } else {
        response = await this.#preFault(req, route, fault, requestId);
      }
    } else {
      response = await this.#dispatch(req, route, requestId);
    }
    response.headers.set("x-amz-request-id", requestId);
    if (fault !== undefined) this.#stats.faults++;
    if (this.#onRequest) {
      const entry: RequestLogEntry = {
        method: req.method,
        path: route.target,
        op: route.op,
        status: response.status,
        ms: performance.now() - started,
        headers: Object.fromEntries(req.headers),
      };
      if (fault !== undefined) entry.fault = fault;
      this.#onRequest(entry);
    }
    return response;
  }

  async #dispatch(req: Request, route: Route, requestId: string): Promise<Response> {
    const handler = HANDLERS[route.op];
    try {
      if (!handler) {
        throw new S3Error(
          "NotImplemented",
          `fake-s3 does not implement ${req.method} ${route.target}`,
        );
      }
      // S3 refuses to create a key over 1024 bytes of UTF-8 (reads of such a key just miss).
      if (
        CREATES_KEY.has(route.op) && route.key !== undefined &&
        new TextEncoder().encode(route.key).length > MAX_KEY_BYTES
      ) {
        throw new S3Error("KeyTooLongError", "Your key is too long");
      }
      if (this.#credentials !== undefined) checkSignature(req, route.target, this.#credentials);
      checkBucketRegion(req, route.bucket, this.#bucketRegions);
      checkAnonymousAccess(req, route, this.#publicBuckets);
      const charged = checkRequesterPays(req, route.bucket, this.#requesterPays);
      if (this.#denied.has(route.op)) throw new S3Error("AccessDenied", "Access Denied");
      const res = await handler(req, route, this.#ctx);
      if (charged) res.headers.set("x-amz-request-charged", "requester");
      return res;
    } catch (e) {
      // Answer early errors only after reading the body, so the client
      // gets the error rather than a broken pipe while still sending.
      if (!req.bodyUsed) await drainBody(req);
      return this.#toResponse(e, req, requestId, route);
    }
  }

  #toResponse(e: unknown, req: Request, requestId: string, route?: Route): Response {
    if (e instanceof S3Error) {
      if (route?.bucket !== undefined && e.details.bucket === undefined) {
        e.details.bucket = route.bucket;
      }
      if (route?.key !== undefined && e.details.key === undefined) e.details.key = route.key;
      return errorResponse(e, req.method, requestId);
    }
    // A client that went away mid-upload (an aborted put) is not the
    // server's fault: nothing to report, nobody to answer.
    if (!(e instanceof Deno.errors.BadResource && /request body/.test(e.message))) {
      console.error("fake-s3: internal error:", e);
    }
    const message = e instanceof Error ? e.message : String(e);
    return errorResponse(new S3Error("InternalError", message), req.method, requestId);
  }

  async #preFault(
    req: Request,
    route: Route,
    fault: FaultKind,
    requestId: string,
  ): Promise<Response> {
    if (fault === "reset") {
      // The request body is left unread: the client sees its connection die.
      if (req.method === "HEAD") return new Response(null, { status: 500 });
      return brokenResponse(500, { "content-type": "application/xml" }, 256);
    }
    await drainBody(req);
    const error = fault === "slowdown"
      ? new S3Error("SlowDown", "Please reduce your request rate. (injected)")
      : new S3Error(
        "InternalError",
        "We encountered an internal error. Please try again. (injected)",
      );
    return this.#toResponse(error, req, requestId, route);
  }

  async #rewrite(response: Response, fault: FaultKind, method: string): Promise<Response> {
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (method === "HEAD") {
      await response.body?.cancel();
      return new Response(null, { status: 500 });
    }
    const init = { status: response.status, headers: response.headers };
    switch (fault) {
      case "truncate":
        return new Response(cutBody(response.body!, Math.floor(length / 2), "close"), init);
      case "corrupt": {
        // Noise on the wire: another byte each time (from the middle on), so
        // two corrupt answers for one object differ, as they would on a
        // flaky link; the same wrong bytes twice would be a bad stored copy.
        const at = length > 0 ? (Math.floor(length / 2) + this.#corrupted++) % length : 0;
        return new Response(corruptBody(response.body!, at), init);
      }
      case "reset":
      case "lostResponse": {
        if (response.body === null) {
          const status = response.status === 204 ? 200 : response.status;
          return brokenResponse(status, response.headers, 1);
        }
        if (Number.isFinite(length)) {
          return new Response(cutBody(response.body, Math.floor(length / 2), "error"), init);
        }
        // XML bodies have no Content-Length header yet: measure, then cut.
        const bytes = new Uint8Array(await response.arrayBuffer());
        const headers = new Headers(response.headers);
        headers.set("content-length", String(bytes.length));
        const source = new Response(bytes).body!;
        return new Response(cutBody(source, Math.floor(bytes.length / 2), "error"), {
          status: response.status,
          headers,
        });
      }
      default:
        return response;
    }
  }
}

// The option names startFakeS3 takes (a misspelt one is refused, not ignored).
const FAKE_S3_OPTIONS: OptionNames<FakeS3Options> = {
  port: true,
  hostname: true,
  dir: true,
  buckets: true,
  faults: true,
  latencyMs: true,
  minPartSize: true,
  maxObjectSize: true,
  completeIgnoresConditions: true,
  onRequest: true,
  controlEndpoints: true,
  publicBuckets: true,
  requesterPaysBuckets: true,
  versionedBuckets: true,
  deniedOperations: true,
  bucketRegions: true,
  credentials: true,
};

/**
 * Starts a fake S3 server on `Deno.serve` (127.0.0.1, a free port by
 * default). Path-style (`http://host:port/bucket/key`) and
 * `<bucket>.localhost` virtual-host requests are accepted. The SigV4
 * signature of a request signed with one of `options.credentials` (by
 * default the access key `test`, secret `test`: those of `env`) is checked as
 * S3 checks it, and a wrong one answered 403 `SignatureDoesNotMatch`; any
 * other access key, and unsigned requests, are accepted unchecked (with
 * `publicBuckets`, an unsigned request is answered only when it reads one of
 * those). Objects live in memory, or in `options.dir`.
 *
 * @example Use with fetch
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "./server.ts";
 * await using s3 = await startFakeS3({ buckets: ["assets"] });
 * const put = await fetch(`${s3.url}/assets/hello.txt`, { method: "PUT", body: "hi" });
 * await put.body?.cancel();
 * const res = await fetch(`${s3.url}/assets/hello.txt`);
 * assert(await res.text() === "hi");
 * assert(s3.stats.GetObject === 1 && s3.stats.PutObject === 1);
 * ```
 *
 * @example Inject faults
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "./server.ts";
 * await using s3 = await startFakeS3();
 * await s3.putObject("b", "k", "data");
 * s3.failNext(1, "slowdown");
 * const first = await fetch(`${s3.url}/b/k`);
 * await first.body?.cancel();
 * assert(first.status === 503);
 * const second = await fetch(`${s3.url}/b/k`);
 * assert(await second.text() === "data");
 * ```
 *
 * @example Read stats over HTTP (for a server in another process)
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "./server.ts";
 * await using s3 = await startFakeS3({ controlEndpoints: true });
 * await (await fetch(`${s3.url}/`)).body?.cancel(); // ListBuckets
 * const stats = await (await fetch(`${s3.url}/_fake_s3/stats`)).json();
 * assert(stats.ListBuckets === 1 && stats.total === 1);
 * await (await fetch(`${s3.url}/_fake_s3/reset`, { method: "POST" })).body?.cancel();
 * assert(s3.stats.total === 0);
 * ```
 */
export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  // `startFakeS3({ errorRate: 0.2 })` would inject nothing: it goes in `faults`.
  checkOptions("startFakeS3", options, FAKE_S3_OPTIONS, {
    what: "faults (startFakeS3({ faults: { errorRate: 0.2 } }))",
    known: FAULT_OPTIONS,
  });
  const { port, minPartSize, maxObjectSize } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new InvalidInputError(
      `startFakeS3: option port must be an integer in 0..65535, got ${describeValue(port)}`,
    );
  }
  for (
    const [name, v] of [["minPartSize", minPartSize], ["maxObjectSize", maxObjectSize]] as const
  ) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) {
      throw new InvalidInputError(
        `startFakeS3: option ${name} must be a non-negative integer, got ${describeValue(v)}`,
      );
    }
  }
  // Checked before anything starts, so a bad name leaves nothing to close.
  const buckets = options.buckets === undefined
    ? []
    : listOption(options.buckets, "startFakeS3: option buckets");
  for (const bucket of buckets) checkBucketName("startFakeS3: option buckets", bucket);
  if (options.publicBuckets !== undefined) {
    const open = listOption(options.publicBuckets, "startFakeS3: option publicBuckets");
    for (const bucket of open) checkBucketName("startFakeS3: option publicBuckets", bucket);
  }
  if (options.requesterPaysBuckets !== undefined) {
    const paying = listOption(
      options.requesterPaysBuckets,
      "startFakeS3: option requesterPaysBuckets",
    );
    for (const bucket of paying) {
      checkBucketName("startFakeS3: option requesterPaysBuckets", bucket);
    }
  }
  const versioned = options.versionedBuckets === undefined
    ? []
    : listOption(options.versionedBuckets, "startFakeS3: option versionedBuckets");
  for (const bucket of versioned) checkBucketName("startFakeS3: option versionedBuckets", bucket);
  for (const op of options.deniedOperations ?? []) {
    if (!S3_OPERATIONS.includes(op)) {
      throw new InvalidInputError(
        `startFakeS3: option deniedOperations: ${describeValue(op)} is not an S3 operation ` +
          `(${S3_OPERATIONS.join(", ")})`,
      );
    }
  }
  for (const [bucket, region] of Object.entries(options.bucketRegions ?? {})) {
    checkBucketName("startFakeS3: option bucketRegions", bucket);
    if (typeof region !== "string" || !/^[a-z0-9-]+$/.test(region)) {
      throw new InvalidInputError(
        `startFakeS3: option bucketRegions: bucket ${bucket}: invalid region ${
          describeValue(region)
        }`,
      );
    }
  }
  const faults = new FaultController();
  const initial: FaultOptions = { ...options.faults };
  if (options.latencyMs !== undefined) initial.latencyMs = options.latencyMs;
  faults.set(initial);
  const backend = options.dir === undefined ? new MemoryBackend() : new DiskBackend(options.dir);
  await backend.init();
  try {
    for (const bucket of new Set([...buckets, ...versioned])) await backend.createBucket(bucket);
    return new FakeS3Server(options, backend, faults);
  } catch (e) {
    await backend.close();
    throw e;
  }
}

function checkBucketName(what: string, name: unknown): void {
  if (typeof name !== "string" || !isValidBucketName(name)) {
    throw new InvalidInputError(`${what}: invalid bucket name ${describeValue(name)}`);
  }
}
