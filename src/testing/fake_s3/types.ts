/**
 * Public types of the fake S3 server.
 *
 * @module
 */
import type { ChecksumAlgorithm } from "../../store/types.ts";

/** The S3 operations the fake understands, named like the S3 API actions. */
export type S3Operation =
  | "ListBuckets"
  | "CreateBucket"
  | "DeleteBucket"
  | "HeadBucket"
  | "GetBucketLocation"
  | "ListObjects"
  | "ListObjectsV2"
  | "ListMultipartUploads"
  | "ListObjectVersions"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "PutObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "DeleteObjects"
  | "CopyObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts"
  | "Unsupported";

/**
 * Every {@linkcode S3Operation}, in a stable order (used to initialise statistics).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3_OPERATIONS } from "./types.ts";
 * assert(S3_OPERATIONS.includes("GetObject"));
 * ```
 */
export const S3_OPERATIONS: readonly S3Operation[] = [
  "ListBuckets",
  "CreateBucket",
  "DeleteBucket",
  "HeadBucket",
  "GetBucketLocation",
  "ListObjects",
  "ListObjectsV2",
  "ListMultipartUploads",
  "ListObjectVersions",
  "GetBucketVersioning",
  "PutBucketVersioning",
  "PutObject",
  "GetObject",
  "HeadObject",
  "DeleteObject",
  "DeleteObjects",
  "CopyObject",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "ListParts",
  "Unsupported",
];

/** The request a fault decision is made for; handed to {@linkcode FaultOptions.match}. */
export interface FaultTarget {
  /** The S3 operation. */
  op: S3Operation;
  /** The HTTP method. */
  method: string;
  /** The addressed bucket, if any. */
  bucket?: string;
  /** The addressed key (decoded), if any. */
  key?: string;
  /**
   * The request's headers (lower-case names), as the request log has them:
   * `range` tells a download's later ranges from its first GET.
   */
  headers: Record<string, string>;
}

/**
 * A kind of injected failure.
 *
 * - `internal`: 500 InternalError; the operation does not run.
 * - `slowdown`: 503 SlowDown; the operation does not run.
 * - `reset`: the connection drops. For responses that carry object data
 *   (GetObject) after the headers and half the body; otherwise before the
 *   operation runs (Deno.serve cannot drop a connection without a status
 *   line, so the client sees a 500 whose body breaks off; HEAD sees a plain 500).
 * - `truncate`: GetObject only; headers announce the full Content-Length,
 *   the body ends after half of it.
 * - `corrupt`: GetObject only; one byte of the body is flipped (the middle
 *   one first, then the next one each time, as noise on a link would differ
 *   between answers); length and ETag headers are unchanged.
 * - `lostResponse`: the operation runs and succeeds, then the connection
 *   drops before the response completes (the "did my write happen?" case).
 *   HEAD gets a plain 500 instead.
 */
export type FaultKind = "internal" | "slowdown" | "reset" | "truncate" | "corrupt" | "lostResponse";

/**
 * Fault injection settings. Rates are probabilities in `0..1`, rolled per
 * matching request from a seeded PRNG, so a run is reproducible when requests
 * arrive in the same order.
 */
export interface FaultOptions {
  /** Fraction of requests answered with an error instead of running (see `errorKind`). */
  errorRate?: number;
  /** Which error `errorRate` produces: `internal` (500, default) or `slowdown` (503). */
  errorKind?: "internal" | "slowdown";
  /** Fraction of requests whose connection drops (see {@linkcode FaultKind} `reset`). */
  resetRate?: number;
  /** Fraction of GetObject responses cut short after the headers. */
  truncateRate?: number;
  /** Fraction of GetObject responses with a flipped byte. */
  corruptRate?: number;
  /** Milliseconds added before every matching request is handled. */
  latencyMs?: number;
  /**
   * Every matching request waits for this promise (resolved or rejected)
   * before it is handled, after any `latencyMs`: a test holds a request back
   * until it has seen what happens meanwhile, then lets it go, instead of a
   * delay a loaded machine may outlast. Let it go before closing the server,
   * which waits for the requests in flight.
   */
  hold?: PromiseLike<unknown>;
  /** PRNG seed for the rates (default 1). Setting faults with a seed restarts the sequence. */
  seed?: number;
  /** Only requests for which this returns true get latency and rate-based faults. */
  match?: (target: FaultTarget) => boolean;
}

/** Request counts per operation, plus the total and how many faults were injected. */
export type FakeS3Stats = Record<S3Operation, number> & {
  /** Every request received, whatever its operation. */
  total: number;
  /** Requests that got an injected fault (latency alone does not count). */
  faults: number;
};

/** What the server records about one handled request (see {@linkcode FakeS3Options.onRequest}). */
export interface RequestLogEntry {
  /** HTTP method. */
  method: string;
  /** Request target as received (path and query). */
  path: string;
  /** The S3 operation it was routed to. */
  op: S3Operation;
  /** Response status. */
  status: number;
  /** Milliseconds until the response headers were ready. */
  ms: number;
  /** The injected fault, if any. */
  fault?: FaultKind;
  /**
   * The request's headers (lower-case names): e.g. `range` and `if-match`
   * tell a download's first GET from its resumes and retries, and the
   * access key in `authorization` tells processes apart.
   */
  headers: Record<string, string>;
}

/** Options for `startFakeS3`. */
export interface FakeS3Options {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  hostname?: string;
  /**
   * Keep objects in this directory instead of memory. Bodies stream to temp
   * files; metadata lives in JSON sidecars. Objects survive restarts;
   * unfinished multipart uploads do not.
   */
  dir?: string;
  /** Buckets to create at start. */
  buckets?: readonly string[];
  /** Initial fault settings. */
  faults?: FaultOptions;
  /** Shorthand for `faults.latencyMs`. */
  latencyMs?: number;
  /** Smallest allowed size of a multipart part other than the last (default 5 MiB, like S3). */
  minPartSize?: number;
  /** Largest single PUT, multipart part or copy, in bytes (default 5 GiB, like S3). */
  maxObjectSize?: number;
  /**
   * Ignore If-None-Match / If-Match on CompleteMultipartUpload and replace
   * the object, as moto does (default false: honoured, as S3 does). For
   * testing clients against S3-compatible stores that are not atomic there.
   */
  completeIgnoresConditions?: boolean;
  /** Called after each request's response headers are ready (for logging). */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Serve `GET /_fake_s3/stats` (the {@linkcode FakeS3Stats} as JSON) and
   * `POST /_fake_s3/reset` (zeroes them, 204) on the S3 port, so another
   * process can read the counts of a standalone server. Off by default so
   * that every path keeps its S3 meaning in tests. No S3 request can be
   * shadowed: bucket names cannot start with `_`. Control requests are not
   * counted, logged or subject to faults.
   */
  controlEndpoints?: boolean;
  /**
   * Buckets anyone may read without signing (GET, HEAD, list), as a
   * public-read bucket on S3. Given (even empty), every other unsigned
   * request (no `Authorization`) is refused 403 AccessDenied, as S3 refuses
   * it; signed requests are accepted unless their signature is checked and
   * wrong (see `credentials`). Unset
   * (default): unsigned requests are accepted too.
   */
  publicBuckets?: readonly string[];
  /**
   * Requester-pays buckets: a request to one of them without
   * `x-amz-request-payer: requester` is refused 403 `AccessDenied`, as S3
   * refuses a requester other than the bucket's owner; one with it is
   * answered with `x-amz-request-charged: requester`. Default: none.
   */
  requesterPaysBuckets?: readonly string[];
  /**
   * Buckets created with S3 versioning on (as `PUT ?versioning` turns it
   * on): a delete leaves a delete marker and keeps the object's entry as a
   * noncurrent version, which ListObjectVersions lists. Its bytes are kept:
   * DeleteObject with `versionId` of the delete marker (or of the version
   * written over it) makes it current again, as on S3; a read of one
   * version (`GET ?versionId=`) is not served (501). Default: none.
   */
  versionedBuckets?: readonly string[];
  /**
   * Operations refused 403 `AccessDenied` whoever asks, as S3 refuses a
   * grant whose policy leaves them out (`ListObjectVersions` for one
   * without `s3:ListBucketVersions`). Default: none.
   */
  deniedOperations?: readonly S3Operation[];
  /**
   * Buckets in a region of their own, by name: a request to one of them
   * signed for another region is answered as S3 answers it, 301
   * `PermanentRedirect` with the bucket's region in the
   * `x-amz-bucket-region` header and in the `<Error>` document (`<Region>`,
   * `<Endpoint>`); a HEAD gets the bare 301 with the header. Default: none
   * (any region is accepted).
   */
  bucketRegions?: Readonly<Record<string, string>>;
  /**
   * Access key IDs and their secret keys whose AWS SigV4 signatures are
   * checked, as S3 checks them: a request signed with one of them (in its
   * `Authorization` header or as a presigned URL) whose signature is not the
   * one S3 would compute is answered 403 `SignatureDoesNotMatch`, the XML
   * naming the canonical request and string to sign the server expected.
   * Requests signed with any other access key are accepted unchecked. The
   * first pair is the one {@linkcode FakeS3.env} hands out. Default
   * `{ test: "test" }`; `false` checks no signature.
   */
  credentials?: Readonly<Record<string, string>> | false;
}

/** Metadata of a stored object, as the fake keeps it. */
export interface FakeObjectInfo {
  /** The key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** ETag without quotes (hex MD5, or `<hex>-<parts>` after a multipart upload). */
  etag: string;
  /** Last modification time. */
  lastModified: Date;
  /** Content type (S3's default is `binary/octet-stream`). */
  contentType: string;
  /** User metadata (`x-amz-meta-*` without the prefix, lower-case names). */
  metadata: Record<string, string>;
}

/** A running fake S3 server. Stop it with `stop()` or `await using`. */
export interface FakeS3 extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the endpoint for S3 clients. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The interface it listens on. */
  readonly hostname: string;
  /**
   * Environment for a child process that should talk to this server
   * (`AWS_ENDPOINT_URL`, dummy credentials, `AWS_REGION`).
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A copy of the current fault settings; assigning replaces them (same as
   * {@linkcode FakeS3.setFaults}), mutating the copy changes nothing.
   */
  faults: FaultOptions;
  /**
   * Replaces the fault settings (validated; throws `InvalidInputError` for
   * a bad value, e.g. a rate outside 0..1, or a misspelt option).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await s3.putObject("assets", "a.txt", "a");
   * s3.setFaults({ errorRate: 1, errorKind: "slowdown" }); // every request: 503 SlowDown
   * const res = await fetch(`${s3.url}/assets/a.txt`);
   * await res.body?.cancel();
   * assert(res.status === 503 && s3.stats.faults === 1);
   * ```
   */
  setFaults(faults: FaultOptions): void;
  /**
   * Makes the next `count` requests that the fault can apply to (and that
   * `match` accepts) fail with `kind`, regardless of rates.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await s3.putObject("assets", "a.txt", "a");
   * // The next GET of a.txt fails once: does your client retry?
   * s3.failNext(1, "internal", (t) => t.op === "GetObject" && t.key === "a.txt");
   * const first = await fetch(`${s3.url}/assets/a.txt`);
   * await first.body?.cancel();
   * const second = await fetch(`${s3.url}/assets/a.txt`);
   * assert(first.status === 500 && (await second.text()) === "a");
   * ```
   */
  failNext(count: number, kind: FaultKind, match?: (target: FaultTarget) => boolean): void;
  /**
   * Removes all rate settings, latency and pending `failNext` faults.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await s3.putObject("assets", "a.txt", "a");
   * s3.setFaults({ errorRate: 1 });
   * s3.clearFaults();
   * assert((await fetch(`${s3.url}/assets/a.txt`).then((r) => r.text())) === "a");
   * ```
   */
  clearFaults(): void;
  /** A snapshot of request counts since start or the last {@linkcode FakeS3.resetStats}. */
  readonly stats: FakeS3Stats;
  /**
   * Sets every count back to zero.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await s3.putObject("assets", "a.txt", "a"); // direct: not counted
   * await fetch(`${s3.url}/assets/a.txt`).then((r) => r.body?.cancel());
   * assert.equal(s3.stats.GetObject, 1);
   * s3.resetStats(); // e.g. after a test's set-up
   * assert.equal(s3.stats.total, 0);
   * ```
   */
  resetStats(): void;
  /**
   * Creates a bucket (no error if it exists). Not counted in stats.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3();
   * await s3.createBucket("assets");
   * const res = await fetch(`${s3.url}/assets/a.txt`, { method: "PUT", body: "a" });
   * assert(res.status === 200 && s3.listKeys("assets")[0] === "a.txt");
   * ```
   */
  createBucket(name: string): Promise<void>;
  /**
   * Stores an object directly (creating the bucket if needed), bypassing
   * HTTP, faults and stats. Returns its ETag (hex MD5, no quotes; not the
   * MD5 with `serverSideEncryption: "aws:kms"`, as on S3). `checksum` keeps
   * the content's full-object checksum in that algorithm, returned to a GET
   * or HEAD with `x-amz-checksum-mode: ENABLED`. A key holding a lone
   * UTF-16 surrogate, which no S3 key can hold (keys are UTF-8), throws
   * `InvalidInputError`. Other odd keys are kept as another tool may have
   * written them (`..` segments, `//`, over 1024 bytes).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * const { etag } = await s3.putObject("assets", "a.csv", "x,y\n", {
   *   contentType: "text/csv",
   *   metadata: { owner: "alice" },
   * });
   * const res = await fetch(`${s3.url}/assets/a.csv`);
   * assert(res.headers.get("etag") === `"${etag}"` && res.headers.get("x-amz-meta-owner") === "alice");
   * assert((await res.text()) === "x,y\n");
   * ```
   */
  putObject(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    options?: {
      contentType?: string;
      metadata?: Record<string, string>;
      checksum?: ChecksumAlgorithm;
      serverSideEncryption?: string;
    },
  ): Promise<{ etag: string }>;
  /**
   * The stored bytes of an object, or `undefined`. Bypasses HTTP, faults and stats.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await fetch(`${s3.url}/assets/out.txt`, { method: "PUT", body: "written" });
   * const bytes = await s3.getObject("assets", "out.txt");
   * assert(bytes !== undefined && new TextDecoder().decode(bytes) === "written");
   * assert((await s3.getObject("assets", "missing")) === undefined);
   * ```
   */
  getObject(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /**
   * The stored metadata of an object, or `undefined`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await fetch(`${s3.url}/assets/r.json`, {
   *   method: "PUT",
   *   body: "{}",
   *   headers: { "content-type": "application/json" },
   * });
   * const info = s3.headObject("assets", "r.json");
   * assert(info?.size === 2 && info.contentType === "application/json");
   * assert(s3.headObject("assets", "missing") === undefined);
   * ```
   */
  headObject(bucket: string, key: string): FakeObjectInfo | undefined;
  /**
   * Keys in a bucket (optionally under a prefix), in S3 listing order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * for (const key of ["logs/b", "logs/a", "data"]) await s3.putObject("assets", key, key);
   * assert.deepEqual(s3.listKeys("assets", "logs/"), ["logs/a", "logs/b"]);
   * assert.deepEqual(s3.listKeys("assets"), ["data", "logs/a", "logs/b"]);
   * ```
   */
  listKeys(bucket: string, prefix?: string): string[];
  /**
   * Stops listening, waits for in-flight requests and releases everything. Idempotent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../mod.ts";
   * const s3 = await startFakeS3();
   * try {
   *   assert((await fetch(s3.url).then((r) => r.status)) === 200); // ListBuckets
   * } finally {
   *   await s3.stop(); // or `await using s3 = ...`
   * }
   * await assert.rejects(fetch(s3.url)); // nothing listens any more
   * ```
   */
  stop(): Promise<void>;
}
