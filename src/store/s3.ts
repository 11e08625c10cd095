/**
 * `S3Store`: the {@linkcode ObjectStore} for AWS S3 and S3-compatible servers
 * (MinIO, Ceph, moto, vc's fake).
 *
 * Two request paths share one configuration and one credential chain:
 * - objects (GET, ranged GET, HEAD, PUT, UploadPart, DELETE of one key) go
 *   through a lean SigV4-signed `fetch` (`s3_fetch.ts`), several times faster
 *   than the SDK for small objects;
 * - listings (ListObjectsV2, `s3_list.ts`) too, page by page;
 * - control operations (DeleteObjects of many keys, CopyObject, create /
 *   complete / abort multipart) go through `@aws-sdk/client-s3`.
 *
 * AWS SDK types never leave this file. The SDK itself (about 100 ms of
 * module loading) is imported only when a control operation needs it, or
 * when credentials or the region can only come from its chain (profiles,
 * SSO, instance metadata): GETs and HEADs with environment credentials and
 * region, as in CI, never load it.
 *
 * @module
 */
import type * as Sdk from "./s3_sdk.ts";
import { redactSecrets } from "../redact.ts";
import { importBundled } from "../bundled_modules.ts";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import {
  AccessDeniedError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  PreconditionFailedError,
  StoreError,
} from "../errors.ts";
import { checkRequiredOptions } from "../options_check.ts";
import { checkS3OptionValues, S3_STORE_OPTIONS } from "./store_options_check.ts";
import type { Clock } from "../clock.ts";
import { concatBytes, readUpTo } from "../bytes.ts";
import {
  md5Hex,
  multipartEtag,
  normalizeEtag,
  parseEtag,
  RCLONE_MD5_KEY,
  statedMd5,
} from "../hash.ts";
import { forEachLimit } from "../pool.ts";
// What only writes, copies, listings, deletes and the AWS SDK's client use is
// imported where it is used (literal `import()`s: `deno run` reads them at
// start but evaluates them only then), so a cold read (`vc prefill`)
// evaluates none of it before its first request
// (tests/cold_prefill_imports_test.ts).
import type { MultipartTarget, PartSource } from "./multipart_upload.ts";
import {
  ANONYMOUS_ENV,
  awsEndpoint,
  bucketBaseUrl,
  credentialErrorText,
  credentialHint,
  denoEnv,
  describeCredentialSource,
  type EnvReader,
  missingProfileProblem,
  resolveS3Settings,
  type S3ConnectionSettings,
} from "./s3_config.ts";
import { caBundleSettings, readCaBundle } from "./ca_bundle.ts";
import { type EnvOption, envOption } from "../env_option.ts";
import { noCredentialsError } from "./no_credentials.ts";
import { namedProfile, sharedFileNotRegular } from "./aws_profile.ts";
import { awsPartition } from "./aws_partition.ts";
import { environmentKeys, environmentKeysProblem } from "./credential_env.ts";
import { bucketRegionKey, learnBucketRegion, learnedBucketRegion } from "./bucket_region.ts";
import { bucketRegionFound } from "./region_notice.ts";
import { followRegionRedirect } from "./region_redirect.ts";
import {
  isBareHeadRefusal,
  isWebPageType,
  notS3XmlMessage,
  renewableCredentialCode,
  s3HttpError,
  s3NetworkError,
  type S3RequestContext,
} from "./s3_errors.ts";
import {
  readBody,
  type ReplyHeaders,
  REQUEST_PAYER_HEADER,
  S3Fetch,
  type S3FetchOptions,
  type S3FetchRequest,
  type S3Reply,
} from "./s3_fetch.ts";
import { proxyApplies, proxyConfigured } from "./http1_client.ts";
import { markGaveUp } from "./retry.ts";
import { httpDateMs } from "./store_time.ts";
import { parseS3ErrorXml, type S3ErrorDetails } from "./s3_xml.ts";
import { decodeMetadataValue, encodeMetadataValue } from "./s3_metadata.ts";
import {
  checkDeleteKeys,
  checkMetadata,
  checkObjectKey,
  checkPutBody,
  checkRange,
  checkReadOptions,
  checkWriteOptions,
  copySourceChanged,
  listPosition,
} from "./object_rules.ts";
import {
  answersRange,
  checkKey,
  checkMd5,
  DEFAULT_COPY_PART_SIZE,
  describeCondition,
  googHashDenies,
  hasDotSegment,
  hasOpaqueEtag,
  hexToBase64,
  isPrecondition,
  MAX_COPY_SIZE,
  quoteEtag,
  sliceStream,
  zeroLengthBelied,
} from "./s3_request.ts";
import { sha256Hex, UNSIGNED_PAYLOAD, uriEncode } from "./sigv4.ts";

/** Whether an SDK error is S3 refusing credentials that new ones may replace (`renewableCredentialCode`). */
function isRenewableCredentialError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return renewableCredentialCode((error as { Code?: string }).Code ?? error.name);
}

/** What signs the lean requests: the SDK chain's provider, or fixed keys. */
type CredentialSource = S3FetchOptions["credentials"];
import {
  CHECKSUM_HEADERS,
  googHashChecksum,
  googHashMd5,
  parseChecksum,
} from "../object_checksum.ts";
import type {
  ChecksumAlgorithm,
  CopyOptions,
  DeleteOptions,
  GetOptions,
  GetResult,
  KeyVersion,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  PendingUpload,
  PutBody,
  PutOptions,
  PutResult,
} from "./types.ts";

/** The credentials of an anonymous store: none to sign with (its requests go unsigned). */
const noCredentials = () => Promise.resolve({ accessKeyId: "", secretAccessKey: "" });

/** Options of {@linkcode S3Store}. Everything but `bucket` has a sensible default. */
export interface S3StoreOptions {
  /** Bucket name. */
  bucket: string;
  /** Key prefix all keys are relative to (no leading or trailing slash needed). */
  prefix?: string | undefined;
  /** Endpoint URL of an S3-compatible server; else `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` / AWS. */
  endpoint?: string | undefined;
  /** Region; else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region, `us-east-1`. */
  region?: string | undefined;
  /** Path-style addressing; else `VC_S3_PATH_STYLE`, else automatic for IP / localhost endpoints. */
  forcePathStyle?: boolean | undefined;
  /** Static credentials; else the AWS SDK's default chain (env, profile, SSO, metadata). */
  credentials?:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
    | undefined;
  /**
   * Send every request unsigned, with no credentials (the aws CLI's
   * `--no-sign-request`), to read a public bucket on a machine without AWS
   * credentials; else `VC_S3_ANONYMOUS`, else false. Writes (put, delete,
   * copy, aborting uploads) are then refused before any request is sent,
   * and a refused read is said as the bucket not being public.
   */
  anonymous?: boolean | undefined;
  /**
   * Say on every request that the requester pays for it
   * (`x-amz-request-payer: requester`, the aws CLI's `--request-payer
   * requester`), as a requester-pays bucket demands of anyone but its
   * owner; else `VC_S3_REQUEST_PAYER`, else false.
   */
  requestPayer?: boolean | undefined;
  /**
   * Attempts per request including the first; else `AWS_MAX_ATTEMPTS`, else
   * the AWS profile's `max_attempts`, else 5.
   */
  maxAttempts?: number | undefined;
  /** Bodies larger than this many bytes are uploaded in parts (default 16 MiB). */
  multipartThreshold?: number | undefined;
  /**
   * Part size in bytes (default 16 MiB; raised so an upload has at most 10,000
   * parts). S3 rejects parts under 5 MiB other than the last; over 5 GiB is
   * refused here (no S3 part is that large).
   */
  partSize?: number | undefined;
  /** Parts uploaded (or copied) at once (default 8). */
  concurrency?: number | undefined;
  /**
   * `copy` of a larger source goes through a multipart upload of
   * server-side part copies (default 5 GiB, the most S3 copies in one
   * request).
   */
  multipartCopyThreshold?: number | undefined;
  /** Part size of such a copy (default 512 MiB; raised to stay within 10,000 parts). */
  copyPartSize?: number | undefined;
  /**
   * Request timeout in ms: connect + response headers, and idle time between
   * body chunks (default: `VC_REQUEST_TIMEOUT` seconds, else 60 s). A timed
   * out request is retried, then fails with `OfflineError` naming the endpoint.
   * `0` turns timeouts off (and leaves response bodies unwrapped).
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Environment to read the endpoint, region, path style, profile,
   * `VC_REQUEST_TIMEOUT` and credentials from instead of `Deno.env`: its
   * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN`), else
   * its `AWS_PROFILE` through the AWS SDK's chain, else that chain as it is
   * (the process's environment, `~/.aws`, metadata). So a profile's endpoint is
   * signed with that profile's keys. An asset cache given its own `env` passes
   * it (unless this one is given), so the endpoint it files entries under is
   * the one they are fetched from.
   * A function of the variable's name, or an object of variables
   * (`startFakeS3().env`).
   */
  env?: EnvOption | undefined;
  /**
   * Requests to a plain `http:` endpoint (no proxy configured) go over vc's
   * own HTTP/1.1 keep-alive connections instead of `fetch`: GETs and HEADs
   * (bodies up to 1 MiB read whole, larger ones streamed; `rawBody` GETs
   * stay on `fetch`) and PUTs under 1 MiB. A small GET then costs about the
   * CPU of a bare unsigned `fetch`, half of what it costs signed through
   * `fetch` (`scripts/bench/small_get.ts`). `https:` endpoints always use
   * `fetch`. Default true; `false` keeps every request on `fetch`.
   */
  http1?: boolean | undefined;
  /**
   * The clock the request timeouts are counted on (default: the system
   * clock). Tests give a `ManualClock` (from `vc/testing`): a request then
   * times out only when the test advances it, never because the machine is
   * slow. Signing times stay the real time.
   */
  clock?: Clock | undefined;
}

// The SDK's commands, bound by loadSdk() before any control operation runs
// (they all go through #init), so the call sites read like static imports.
let AbortMultipartUploadCommand: typeof Sdk.AbortMultipartUploadCommand;
let CompleteMultipartUploadCommand: typeof Sdk.CompleteMultipartUploadCommand;
let CopyObjectCommand: typeof Sdk.CopyObjectCommand;
let CreateMultipartUploadCommand: typeof Sdk.CreateMultipartUploadCommand;
let DeleteObjectsCommand: typeof Sdk.DeleteObjectsCommand;
let S3ClientClass: typeof Sdk.S3Client;
let UploadPartCopyCommand: typeof Sdk.UploadPartCopyCommand;
let sdkLoaded: Promise<void> | undefined;

// Computed, so `deno run` does not resolve the SDK's npm package at every
// start (see s3_sdk.ts); `typeof Sdk` keeps it type-checked.
const SDK_MODULE: string = "./s3_sdk.ts";

// Object reads without loading the SDK at all (saves ~75 ms of a cold
// process) are off: with it, an interrupted `vc prefill` (SIGINT while
// downloads stall) did not exit (tests/cache_hardening_process_test.ts,
// issue 7.8), so the SDK loads before the first GET or HEAD. Since then the
// same test hangs with the SDK loaded too once the 5 s grace exit of cli.ts
// is taken out (the stall is a stalled body piped to a file), and passes
// with this flag on and the grace in place. Single PUTs never wait for the
// SDK (`#lean(true)`): their body is bytes that fetch sends under the
// attempt's abort signal, and `vc mirror` uploads should not pay ~75-90 ms
// of SDK loading for a run of small files.
// On again (issue 11, cold prefill): with the grace exit in cli.ts, the
// interrupted-prefill test passes (3 runs of tests/cache_hardening_process_test.ts),
// and a cold `vc prefill` no longer loads the SDK when the environment gives
// region and keys (the SDK still loads for any control operation).
const LEAN_WITHOUT_SDK = true;

function loadSdk(): Promise<void> {
  return sdkLoaded ??= importBundled<typeof Sdk>(
    "src/store/s3_sdk.ts",
    () => import(SDK_MODULE),
  ).then((m) => {
    AbortMultipartUploadCommand = m.AbortMultipartUploadCommand;
    CompleteMultipartUploadCommand = m.CompleteMultipartUploadCommand;
    CopyObjectCommand = m.CopyObjectCommand;
    CreateMultipartUploadCommand = m.CreateMultipartUploadCommand;
    DeleteObjectsCommand = m.DeleteObjectsCommand;
    S3ClientClass = m.S3Client;
    UploadPartCopyCommand = m.UploadPartCopyCommand;
  }, (error) => {
    sdkLoaded = undefined;
    throw sdkLoadError(error);
  });
}

/**
 * The SDK reads its settings from `process.env` as it loads (and Deno's
 * denial of one names a variable like `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA`
 * that no user sets), and its requests read the OS's release for their user
 * agent: said as the permission an S3 store needs, in vc's class. Without
 * this, a script run without `--allow-env` got a bare `NotCapable`, which the
 * asset cache reported as a cache dir it could not write, and one without
 * `--allow-sys` a `StoreError`, as if the store had refused the request.
 */
function sdkPermissionError(error: unknown): unknown {
  if (!(error instanceof Deno.errors.NotCapable)) return error;
  if (/\benv access\b/.test(error.message)) {
    return new AccessDeniedError(
      `an s3:// store needs env permission: the AWS SDK reads its settings and credentials from ` +
        `the environment (${error.message}); run with --allow-env (and --allow-sys, which its ` +
        `requests need too)`,
      { cause: error },
    );
  }
  if (/\bsys access\b/.test(error.message)) {
    return new AccessDeniedError(
      `an s3:// store needs sys permission: the AWS SDK's requests (batch deletes, copies, ` +
        `multipart uploads) read the OS's release (${error.message}); run with --allow-sys`,
      { cause: error },
    );
  }
  return error;
}

/**
 * The SDK's module is imported by a computed specifier (see `SDK_MODULE`),
 * which Deno loads only with read access to it (from a checkout or a vendored
 * copy) or import access to its host (from JSR, beyond the hosts allowed by
 * default): a script given `--allow-read` for its data alone got a bare
 * `TypeError: Requires read access to ".../s3_sdk.ts"` from its first batch
 * delete, copy or multipart upload.
 */
function sdkLoadError(error: unknown): unknown {
  const denied = error instanceof Error &&
    /^Requires (read|import|net) access to "([^"]*)"/.exec(error.message);
  if (!denied) return sdkPermissionError(error);
  const flag = `--allow-${denied[1]}`;
  return new AccessDeniedError(
    `an s3:// store loads the AWS SDK's module for its batch deletes, copies and multipart ` +
      `uploads, which this run may not load (${error.message}): allow it with ` +
      `${flag}=${denied[2]}${denied[1] === "read" ? " (vc's own files)" : ""}`,
    { cause: error },
  );
}

const MiB = 1024 * 1024;
// Asks S3 for the object's own checksum (`x-amz-checksum-*`) on a HEAD and a
// whole-object GET: one header, the only content check of an object whose
// ETag is no MD5 (SSE-KMS, SSE-C) and that has no vc-md5. Stores that keep
// no checksums ignore it.
const CHECKSUM_MODE: Readonly<Record<string, string>> = { "x-amz-checksum-mode": "ENABLED" };
const DEFAULT_THRESHOLD = 16 * MiB;
const DEFAULT_PART_SIZE = 16 * MiB;
const DEFAULT_CONCURRENCY = 8;
// Hashing a small body for the signature is cheaper than a round trip for a
// server that dislikes UNSIGNED-PAYLOAD; big bodies are protected by Content-MD5.
const SIGNED_PAYLOAD_LIMIT = 64 * 1024;
// What a byte stream is read into before the size tells single PUT from multipart.
const BYOB_BLOCK = 1024 * 1024;
const DELETE_BATCH = 1000;
/**
 * A character XML 1.0 has no way to write (controls but tab and LF; CR,
 * which parsers turn into LF; U+FFFE/U+FFFF; a lone surrogate).
 */
const NOT_XML_TEXT =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DELETE_CONCURRENCY = 4;
/** The key `serverTime` HEADs (never written: its 404 carries the Date). */
const TIME_PROBE_KEY = ".vc-clock-probe";

/**
 * A failure saying the server does not do what was asked at all (501, or
 * the code `NotImplemented` under another status), or not with the checksum
 * headers the SDK adds (Backblaze B2's 400 "Unsupported header
 * 'x-amz-checksum-crc32'"): no retry or permission changes that.
 */
function isNotImplemented(error: Error): boolean {
  return (error instanceof StoreError && error.status === 501) ||
    (error.cause as { name?: unknown } | undefined)?.name === "NotImplemented" ||
    refusesHeader(error, /x-amz-(?:sdk-)?checksum-/);
}

/**
 * A 400 or 501 whose server names `header` as one it does not support
 * (Backblaze B2: 400 "Unsupported header 'x-amz-checksum-mode' received for
 * this API call."; Cloudflare R2: 501 "Header 'x-amz-checksum-crc32' with
 * value '…' not implemented").
 */
function refusesHeader(error: unknown, header: RegExp): boolean {
  if (!(error instanceof StoreError) || (error.status !== 400 && error.status !== 501)) {
    return false;
  }
  const named = /unsupported header '([^']*)'/i.exec(error.message)?.[1] ??
    /\bheader '([^']*)' with value '[^']*' not implemented/i.exec(error.message)?.[1];
  return named !== undefined && header.test(named.toLowerCase());
}

/**
 * Whether a request asking for the object's checksum (`x-amz-checksum-mode`)
 * may have been refused for that header: the server names it (above), or
 * answers 501 (a HEAD's has no body to name it), so it is worth sending
 * once more without it.
 */
function mayRefuseChecksumMode(error: unknown): boolean {
  return refusesHeader(error, /checksum-mode/) ||
    (error instanceof StoreError && error.status === 501);
}

/** What an SDK call was doing, for error messages. */
interface SdkCallContext {
  operation: string;
  key: string;
  condition?: string | undefined;
  /** 404 NoSuchKey means a failed If-Match (see `S3RequestContext`). */
  missingIsPrecondition?: boolean;
  /** For copies: the source key, which a 404 is about. */
  sourceKey?: string;
}

interface Ready {
  client: S3Client;
  lean: S3Fetch;
  region: string;
  /** The client signs with given keys (the option's, the store's environment's): asking again gives the same. */
  fixedCredentials: boolean;
}

/**
 * An {@linkcode ObjectStore} over an S3 bucket (and optional key prefix).
 *
 * Construction does no I/O; the SDK client and connections are created on
 * first use and released by {@linkcode S3Store.close}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Store } from "./s3.ts";
 * const store = new S3Store({
 *   bucket: "my-assets",
 *   prefix: "team/data",
 *   endpoint: "http://127.0.0.1:9000",
 *   region: "us-east-1",
 *   credentials: { accessKeyId: "minio", secretAccessKey: "minio123" },
 * });
 * assert(store.url === "s3://my-assets/team/data");
 * await store.close();
 * ```
 */
export class S3Store implements ObjectStore {
  /** `s3://bucket/prefix` (or `s3://bucket` without a prefix). */
  readonly url: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix without leading or trailing slashes (may be empty). */
  readonly prefix: string;
  /** The options, `env` as a reader (an object of variables is read through one). */
  readonly #options: Omit<S3StoreOptions, "env"> & { env?: EnvReader | undefined };
  /**
   * The request timeout, for callers that read `rawBody` bodies (unguarded here).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { S3Store } from "./s3.ts";
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: "http://127.0.0.1:9000",
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   requestTimeoutMs: 30_000,
   * });
   * assert(store.idleTimeoutMs === 30_000); // construction does no I/O
   * ```
   */
  get idleTimeoutMs(): number {
    return this.#settings.requestTimeoutMs;
  }

  /**
   * The clock {@linkcode S3Store.idleTimeoutMs} is counted on (the
   * `clock` option; undefined: the system clock).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { S3Store } from "./s3.ts";
   * import { ManualClock } from "../testing/manual_clock.ts";
   * const clock = new ManualClock(0);
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: "http://127.0.0.1:9000",
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   clock,
   * });
   * assert(store.clock === clock);
   * ```
   */
  get clock(): Clock | undefined {
    return this.#options.clock;
  }
  readonly #settings: S3ConnectionSettings;
  readonly #credentialSource: string;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #concurrency: number;
  readonly #copyThreshold: number;
  readonly #copyPartSize: number;
  #ready: Promise<Ready> | undefined;
  /** The lean path alone, when it needs nothing from the SDK (see #leanOnly). */
  #leanReady: S3Fetch | undefined;
  #closed = false;
  /**
   * The store answered a DeleteObjects 501 NotImplemented (GCS's XML API,
   * MEGA S4, Riak CS), or refused its checksum header (Backblaze B2):
   * deletes of many keys send one DELETE a key.
   */
  #noBatchDelete = false;
  /**
   * Whether HEADs and whole-object GETs ask for the object's checksum
   * (`x-amz-checksum-mode`), and multipart uploads send CRC32s when asked
   * to: not once the store refused such a header (Backblaze B2 did, 400 on
   * every read).
   */
  #checksumMode = true;

  /**
   * Validates the options and resolves endpoint, region and path style from
   * options and environment. Throws `InvalidInputError` for a bad bucket name,
   * endpoint or `VC_S3_PATH_STYLE`.
   */
  constructor(options: S3StoreOptions) {
    checkRequiredOptions("S3Store", options, S3_STORE_OPTIONS);
    if (
      typeof options.bucket !== "string" ||
      !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(options.bucket)
    ) {
      throw new InvalidInputError(`invalid bucket name ${JSON.stringify(options.bucket)}`);
    }
    checkS3OptionValues("S3Store", options);
    // S3 refuses a part over 5 GiB (EntityTooLarge), and each part in flight
    // is held in memory: say so now, not after reading gigabytes per part.
    if (options.partSize !== undefined && options.partSize > MAX_COPY_SIZE) {
      throw new InvalidInputError(
        `S3Store option partSize=${options.partSize} is over 5 GiB (${MAX_COPY_SIZE} bytes), the largest part S3 takes`,
      );
    }
    this.#options = { ...options, env: envOption("S3Store", options.env) };
    this.bucket = options.bucket;
    // One leading and one trailing slash are the option's own (`/data/`);
    // any other empty segment is refused, as `s3://b/p/../x` is: such a root
    // would report one key and write another.
    const prefix = (options.prefix ?? "").replace(/^\//, "");
    if (prefix !== "") checkKey(prefix, `s3://${this.bucket}`, "prefix");
    this.prefix = prefix.replace(/\/$/, "");
    this.url = this.prefix === "" ? `s3://${this.bucket}` : `s3://${this.bucket}/${this.prefix}`;
    this.#settings = resolveS3Settings(options, this.#options.env);
    if (this.#settings.endpoint === undefined) refuseSmallAwsParts(options);
    this.#credentialSource = this.#settings.anonymous
      ? `no credentials (${this.#settings.anonymousSource})`
      : describeCredentialSource(options.credentials !== undefined, this.#options.env);
    this.#threshold = options.multipartThreshold ?? DEFAULT_THRESHOLD;
    this.#partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#copyThreshold = Math.min(options.multipartCopyThreshold ?? MAX_COPY_SIZE, MAX_COPY_SIZE);
    this.#copyPartSize = options.copyPartSize ?? DEFAULT_COPY_PART_SIZE;
  }

  /**
   * Metadata of `key`, or `undefined` when it does not exist (one HEAD request).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * assert((await store.head("data.csv")) === undefined);
   * await s3.putObject("assets", "data.csv", "a,b\n");
   * const info = await store.head("data.csv");
   * assert(info?.size === 4 && info.etag === s3.headObject("assets", "data.csv")?.etag);
   * ```
   */
  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | undefined> {
    const full = this.#fullKey(key);
    checkReadOptions(`HEAD ${this.#uri(full)}`, "head", options);
    const lean = this.#leanNow() ?? (await this.#lean()).lean;
    const head = (headers: Record<string, string>) =>
      lean.send({
        method: "HEAD",
        key: full,
        headers,
        signal: options.signal,
        passStatuses: [404],
      });
    let res: S3Reply;
    const asked = this.#checksumMode;
    try {
      res = await head(asked ? CHECKSUM_MODE : {});
    } catch (e) {
      let plain: S3Reply | undefined;
      if (asked && mayRefuseChecksumMode(e)) {
        // A store that does not implement x-amz-checksum-mode, answering a
        // bare 501 (Cloudflare R2's kind of refusal): asked without it. What
        // that answer fails with is the error (an AccessDenied told as the
        // 501 sent users after the header), as get()'s; a 501 again stays.
        plain = await head({}).catch((again) => {
          throw again instanceof StoreError && again.status === 501 ? e : again;
        });
      } else {
        if (!isBareHeadRefusal(e)) throw e;
        const cause = await this.#bareHeadCause(lean, full, e, options.signal);
        // The GET of its first byte worked: a store that refuses
        // x-amz-checksum-mode (Backblaze B2) refuses a HEAD with a bare 400,
        // and answers one asked without it.
        plain = cause === e && asked ? await head({}).catch(() => undefined) : undefined;
        if (plain === undefined) throw cause;
      }
      this.#checksumMode = false;
      res = plain;
    }
    await res.body?.cancel();
    if (res.status === 404) return undefined;
    if (
      res.status === 200 && (!res.headers.has("content-length") || zeroLengthBelied(res.headers))
    ) {
      // Read as size 0, an answer without its size (or one whose length is
      // of its own empty body, its MD5 ETag says: zeroLengthBelied) made a
      // cache or mirror take the object for empty: its first byte's
      // Content-Range tells.
      let ranged: S3Reply | undefined;
      try {
        ranged = await this.#getFromStart(lean, full, res, 0, {}, options.signal);
      } catch (e) {
        if (e instanceof NotFoundError) return undefined; // deleted in between
        throw e;
      }
      await ranged?.body?.cancel();
      if (ranged !== undefined) return this.#infoFromHeaders(key, ranged.headers, ranged.status);
    }
    return this.#infoFromHeaders(key, res.headers, res.status);
  }

  /**
   * A HEAD refused with a bare 400 has no body to say why: expired temporary
   * credentials, or an object stored with a customer-provided key (SSE-C)
   * asked without it, among others. The GET of its first byte is answered
   * with the error's code and message, which then is the HEAD's error; when
   * that GET works, or fails otherwise, the HEAD's own error stands.
   */
  async #bareHeadCause(
    lean: S3Fetch,
    full: string,
    headError: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    try {
      const res = await lean.send({
        method: "GET",
        key: full,
        headers: { range: "bytes=0-0" },
        signal,
        passStatuses: [404, 416],
      });
      await res.body?.cancel();
    } catch (e) {
      if (e instanceof StoreError && e.status === 400 && !isBareHeadRefusal(e)) return e;
      if (e instanceof AccessDeniedError) return e;
    }
    return headError;
  }

  /**
   * For an answer to a HEAD or whole GET that did not tell the object's size
   * (no Content-Length: a proxy re-chunking answers, a server answering HEAD
   * without it, HTTP/1.0): the answer to a ranged GET of the same version
   * from byte 0 (to `end`, or to the last byte), whose Content-Range total
   * tells the size; `undefined` when the object is empty (416: it has no
   * byte 0, or a 200 of its whole empty body). `first`'s body is cancelled. Throws `IntegrityError` when that
   * answer does not tell the size either.
   */
  async #getFromStart(
    lean: S3Fetch,
    full: string,
    first: S3Reply,
    end: number | undefined,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<S3Reply | undefined> {
    await first.body?.cancel().catch(() => {});
    const asked: Record<string, string> = { ...headers, range: `bytes=0-${end ?? ""}` };
    // The same version only: a weak ETag never matches an If-Match.
    const etag = first.headers.get("etag")?.trim() ?? "";
    if (asked["if-match"] === undefined && etag !== "" && !etag.startsWith("W/")) {
      asked["if-match"] = quoteEtag(etag);
    }
    const res = await lean.send({
      method: "GET",
      key: full,
      headers: asked,
      signal,
      passStatuses: [416],
      ...(asked["if-match"] !== undefined ? { condition: `If-Match: ${asked["if-match"]}` } : {}),
    });
    const contentRange = res.headers.get("content-range");
    if (res.status === 416 && /^(?:bytes \*\/0)?$/.test(contentRange?.trim() ?? "")) {
      return undefined;
    }
    // The whole object, empty: a server may ignore Range (RFC 9110), and one
    // does for an empty object, which has no byte 0 to send.
    if (res.status === 200 && res.headers.get("content-length")?.trim() === "0") {
      await res.body?.cancel().catch(() => {});
      return undefined;
    }
    if (res.status === 206 && answersRange({ start: 0, end }, contentRange)) return res;
    await res.body?.cancel().catch(() => {});
    throw new IntegrityError(
      `${this.#uri(full)}: ${lean.context("GET", full).endpoint} tells no size for it: ` +
        `its answer has no Content-Length, and a GET of bytes=0-${
          end ?? ""
        } was answered ${res.status}${
          contentRange === null ? "" : ` with Content-Range ${JSON.stringify(contentRange)}`
        }${unsizedCause(`gs://${this.bucket}/${full}`, res.headers, first.headers)}`,
    );
  }

  /**
   * Size of part `partNumber` of a multipart object (`HEAD ?partNumber=N`),
   * or `undefined` when the object or the part does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   *   multipartThreshold: 4,
   *   partSize: 4,
   * });
   * const { etag } = await store.put("big.bin", new Uint8Array(10)); // parts of 4, 4 and 2 bytes
   * assert(etag.endsWith("-3"));
   * assert((await store.partSize("big.bin", 1)) === 4);
   * assert((await store.partSize("big.bin", 3)) === 2);
   * assert((await store.partSize("big.bin", 4)) === undefined);
   * ```
   */
  async partSize(
    key: string,
    partNumber: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<number | undefined> {
    const { lean } = await this.#lean();
    const res = await lean.request({
      method: "HEAD",
      key: this.#fullKey(key),
      query: { partNumber: String(partNumber) },
      signal: options.signal,
      passStatuses: [400, 404, 416],
    });
    await res.body?.cancel();
    if (res.status >= 300) return undefined;
    // 0 is a size: a writer streaming a body of unknown length may end with an
    // empty part (S3 takes an empty last part).
    const header = res.headers.get("content-length");
    const length = header === null || header.trim() === "" ? NaN : Number(header);
    return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  }

  /**
   * The object's body (one signed `fetch`; a ranged GET too, which is what
   * parallel downloaders rely on). Throws `NotFoundError`, `NotModifiedError`
   * (`ifNoneMatch` matched), `PreconditionFailedError` (`ifMatch` did not),
   * `InvalidInputError` (range not satisfiable).
   *
   * Transient failures before the body starts are retried; bodies up to
   * 1 MiB are read within the request's deadline (a short one is retried),
   * larger ones are streamed under the idle-read timeout (unless `rawBody`).
   * A body that fails mid-stream is the caller's to resume: reissue `get` with
   * `range: { start: start + bytesReceived }` and `ifMatch: info.etag`, so the
   * rest comes from the same version of the object.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await s3.putObject("assets", "notes.txt", "hello world");
   * const whole = await store.get("notes.txt");
   * assert(await new Response(whole.body).text() === "hello world");
   * const part = await store.get("notes.txt", { range: { start: 6 } });
   * assert(await new Response(part.body).text() === "world" && part.info.size === 11);
   * ```
   */
  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const full = this.#fullKey(key);
    checkReadOptions(`GET ${this.#uri(full)}`, "get", options);
    const headers: Record<string, string> = {};
    const range = options.range;
    if (range !== undefined) {
      checkRange(this.#uri(full), range);
      headers["range"] = `bytes=${range.start}-${range.end ?? ""}`;
    } else if (this.#checksumMode) {
      Object.assign(headers, CHECKSUM_MODE);
    }
    const conditions: string[] = [];
    if (options.ifNoneMatch !== undefined) {
      headers["if-none-match"] = quoteEtag(options.ifNoneMatch);
      conditions.push(`If-None-Match: ${headers["if-none-match"]}`);
    }
    if (options.ifMatch !== undefined) {
      headers["if-match"] = quoteEtag(options.ifMatch);
      conditions.push(`If-Match: ${headers["if-match"]}`);
    }
    const lean = this.#leanNow() ?? (await this.#lean()).lean;
    const send = () =>
      lean.send({
        method: "GET",
        key: full,
        headers,
        signal: options.signal,
        ...(conditions.length > 0 ? { condition: conditions.join(", ") } : {}),
        ...(options.rawBody ? { rawBody: true } : {}),
      });
    let res: S3Reply;
    try {
      res = await send();
    } catch (e) {
      // A store that refuses x-amz-checksum-mode (Backblaze B2, 400
      // "Unsupported header"; 501 NotImplemented): asked without it, from
      // now on once that is answered (a 501 for another cause stays).
      if (headers["x-amz-checksum-mode"] === undefined || !mayRefuseChecksumMode(e)) throw e;
      delete headers["x-amz-checksum-mode"];
      if (refusesHeader(e, /checksum-mode/)) this.#checksumMode = false;
      res = await send().catch((again) => {
        throw again instanceof StoreError && again.status === 501 ? e : again;
      });
      this.#checksumMode = false;
    }
    if (res.status === 200 && range === undefined && !res.headers.has("content-length")) {
      // A chunked answer (some S3-compatible servers, proxies) tells no size
      // to verify the bytes against: a 206 tells it in Content-Range.
      const ranged = await this.#getFromStart(
        lean,
        full,
        res,
        undefined,
        headers,
        options.signal,
      );
      if (ranged === undefined) {
        const info = this.#infoFromHeaders(key, res.headers, res.status);
        return { info, bytes: new Uint8Array(), body: ReadableStream.from<Uint8Array>([]) };
      }
      res = ranged;
    }
    const info = this.#infoFromHeaders(
      key,
      res.headers,
      res.status,
      () =>
        `${this.#uri(full)}: the answer of ${
          lean.context("GET", full).endpoint
        } has no Content-Length, so the object's size is unknown and its bytes cannot be ` +
        `verified${unsizedCause(`gs://${this.bucket}/${full}`, res.headers)}`,
    );
    if (range !== undefined && res.status === 206) {
      const answered = res.headers.get("content-range");
      if (!answersRange(range, answered)) {
        // Other bytes than asked (a proxy's cache, a buggy server) would be
        // written at the asked offset; only an MD5 would notice, and SSE-KMS
        // objects without vc-md5 have none.
        await res.body?.cancel().catch(() => {});
        throw new IntegrityError(
          `${this.#uri(full)}: asked ${lean.context("GET", full).endpoint} for bytes ` +
            `${headers["range"]!.slice(6)}, it answered 206 with Content-Range ` +
            `${JSON.stringify(answered)}; is a proxy or cache on the way mixing up ranges?`,
        );
      }
    }
    const bytes = res.bytes;
    if (bytes !== undefined && range === undefined) {
      // Read whole already (a small object): the stream is made only if asked for.
      let stream: ReadableStream<Uint8Array> | undefined;
      return {
        info,
        bytes,
        get body(): ReadableStream<Uint8Array> {
          return stream ??= bytes.length === 0
            ? ReadableStream.from<Uint8Array>([])
            : new Response(bytes as BodyInit).body!;
        },
      };
    }
    let body: ReadableStream<Uint8Array> = res.body ??
      (bytes === undefined || bytes.length === 0
        ? ReadableStream.from<Uint8Array>([])
        : new Response(bytes as BodyInit).body!);
    if (range !== undefined && res.status === 200) {
      // The server ignored Range and sent the whole object: cut it ourselves.
      body = body.pipeThrough(sliceStream(range.start, range.end));
      return { info, body, rangeIgnored: true };
    }
    return { info, body };
  }

  /**
   * Stores an object. Bytes, streams and files up to `multipartThreshold` go
   * up in one PUT with Content-MD5; larger bodies in parallel parts (files are
   * read part by part at their offsets; streams are cut into parts with at
   * most `concurrency` parts in memory). A multipart upload that fails is
   * aborted. `ifNoneMatch: "*"` / `ifMatch` make the write conditional
   * (for multipart uploads the condition is checked by CompleteMultipartUpload,
   * which S3 supports since 2024; for servers that ignore it there, as moto
   * does, vc also checks the key just before completing, which leaves them
   * one round trip of race). When `md5` is given, multipart uploads also record it as
   * user metadata `vc-md5` (and rclone's `md5chksum`), since their ETag is not
   * the content's MD5.
   * Throws `IntegrityError` when the server's ETag disagrees with the MD5 sent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * const utf8 = new TextEncoder();
   * const { etag } = await store.put("a.json", utf8.encode("{}"), {
   *   contentType: "application/json",
   *   metadata: { source: "example" },
   * });
   * const info = await store.head("a.json");
   * assert(info?.etag === etag && info.contentType === "application/json");
   * assert(info.metadata?.source === "example");
   * // Create-only: a second writer does not replace the object.
   * await assert.rejects(store.put("a.json", utf8.encode("[]"), { ifNoneMatch: "*" }));
   * ```
   */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const full = this.#fullKey(key);
    this.#refuseUnsignedWrite("PUT", full);
    checkPutBody(body, this.#uri(full));
    checkWriteOptions(`PUT ${this.#uri(full)}`, "put", options);
    if (options.metadata !== undefined) checkMetadata(options.metadata, this.#uri(full));
    options.signal?.throwIfAborted();
    if (body instanceof Uint8Array) {
      if (options.size !== undefined && options.size !== body.length) {
        throw new IntegrityError(
          `${this.#uri(full)}: body has ${body.length} bytes, but size ${options.size} was given`,
        );
      }
      if (body.length <= this.#threshold) return await this.#putSingle(full, body, options);
      if (options.md5 !== undefined) checkMd5(body, options.md5, this.#uri(full));
      const { bytesPartSource, choosePartSize } = await import("./multipart_upload.ts");
      const partSize = choosePartSize(body.length, this.#partSize);
      return await this.#putMultipart(full, bytesPartSource(body, partSize), options);
    }
    if (body instanceof ReadableStream) return await this.#putStream(full, body, options);
    if (typeof body === "object" && body !== null && typeof body.path === "string") {
      return await this.#putFile(full, body.path, options);
    }
    throw new TypeError(
      `unsupported body for ${this.#uri(full)}: expected bytes, a stream or { path }`,
    );
  }

  async #putFile(full: string, path: string, options: PutOptions): Promise<PutResult> {
    const info = await Deno.stat(path);
    // A FIFO (or device) would block the read for good, or never end.
    if (!info.isFile) {
      throw new InvalidInputError(
        `${path} is not a regular file: not uploaded to ${this.#uri(full)}`,
      );
    }
    const size = info.size;
    if (size <= this.#threshold) {
      const bytes = await Deno.readFile(path);
      return await this.#putSingle(full, bytes, options);
    }
    const { choosePartSize, filePartSource } = await import("./multipart_upload.ts");
    const partSize = choosePartSize(size, this.#partSize);
    return await this.#putMultipart(full, filePartSource(path, size, partSize), options);
  }

  async #putStream(
    full: string,
    stream: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<PutResult> {
    // A byte stream (the cache service's upload body) is read straight into
    // our buffers: no copy of each chunk into the part.
    let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
    try {
      reader = stream.getReader({ mode: "byob" });
    } catch {
      reader = stream.getReader();
    }
    let ok = false;
    // A source that stalls must not keep an aborted upload waiting.
    const onAbort = () => reader.cancel(options.signal?.reason).catch(() => {});
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const chunks: Uint8Array[] = [];
      let total = 0;
      let ended = false;
      // Read one byte past the threshold to know which way to go.
      while (total <= this.#threshold) {
        options.signal?.throwIfAborted();
        if (reader instanceof ReadableStreamBYOBReader) {
          // Each block is filled before the next is taken (a read brings
          // what is at hand), so memory stays at the bytes read.
          let block = new Uint8Array(Math.min(this.#threshold + 1 - total, BYOB_BLOCK));
          let filled = 0;
          while (filled < block.length) {
            const { done, value } = await reader.read(
              new Uint8Array(block.buffer, filled, block.length - filled),
            );
            if (value !== undefined) block = new Uint8Array(value.buffer as ArrayBuffer);
            if (done) {
              ended = true;
              break;
            }
            filled += value!.length;
          }
          if (filled > 0) chunks.push(block.subarray(0, filled));
          total += filled;
          if (ended) break;
          continue;
        }
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        chunks.push(value);
        total += value.length;
      }
      if (ended) {
        const bytes = concatBytes(chunks, total);
        if (options.size !== undefined && options.size !== total) {
          throw new IntegrityError(
            `${this.#uri(full)}: stream had ${total} bytes, but size ${options.size} was given`,
          );
        }
        const result = await this.#putSingle(full, bytes, options);
        ok = true;
        return result;
      }
      const { choosePartSize, streamPartSource } = await import("./multipart_upload.ts");
      const partSize = choosePartSize(options.size, this.#partSize);
      const source = streamPartSource(reader, partSize, {
        initial: chunks,
        expectedSize: options.size,
        expectedMd5: options.md5,
        uri: this.#uri(full),
      });
      // The source took its own copy of the list; this frame lives until the
      // upload ends, and must not keep the first threshold's worth of chunks
      // (16 MiB by default) alive all along.
      chunks.length = 0;
      const result = await this.#putMultipart(full, source, options);
      ok = true;
      return result;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      if (!ok) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }

  async #putSingle(full: string, bytes: Uint8Array, options: PutOptions): Promise<PutResult> {
    const uri = this.#uri(full);
    const md5 = md5Hex(bytes);
    if (options.md5 !== undefined && options.md5.toLowerCase() !== md5) {
      throw new IntegrityError(`${uri}: body MD5 is ${md5}, but md5 ${options.md5} was given`);
    }
    const headers: Record<string, string> = {
      "content-md5": hexToBase64(md5),
      ...this.#writeHeaders(options),
    };
    const condition = describeCondition(options);
    let retried = false;
    const { lean } = await this.#lean(true);
    let res: Response;
    try {
      res = await lean.request({
        method: "PUT",
        key: full,
        body: bytes,
        headers,
        payloadHash: bytes.length <= SIGNED_PAYLOAD_LIMIT ? sha256Hex(bytes) : UNSIGNED_PAYLOAD,
        signal: options.signal,
        discardBody: true,
        ...(condition !== undefined ? { condition } : {}),
        ...(options.ifMatch !== undefined ? { missingIsPrecondition: true } : {}),
        onRetry: () => {
          retried = true;
        },
      });
    } catch (error) {
      // A create-only PUT whose first attempt landed but whose response was
      // lost fails its retry with 412: that is our own write, not a conflict.
      if (retried && options.ifNoneMatch === "*" && isPrecondition(error)) {
        let etag: string | undefined;
        try {
          etag = await this.#holds(full, bytes, md5, options.signal);
        } catch (readBack) {
          // A stop is the caller's; any other failure of the read back leaves
          // the 412 its meaning ("already exists"), not a GET's error class.
          options.signal?.throwIfAborted();
          throw readBackFailed(error, "this PUT's own first attempt", readBack);
        }
        if (etag !== undefined) {
          options.onProgress?.(bytes.length);
          return { etag };
        }
      }
      throw error;
    }
    let answered = answeredEtag(res.headers.get("etag"));
    if (answered === undefined) {
      // S3 always answers a PUT with its ETag: without one, something on the
      // way (a proxy answering 200 to all) may have stored nothing. Look.
      const now = await this.head(
        this.#relative(full),
        options.signal === undefined ? {} : { signal: options.signal },
      );
      // Of another size, but with the vc-md5 this PUT sent: its body, cut or
      // padded on the way (a create-only key would be blocked by it).
      const sentMd5 = options.metadata?.["vc-md5"]?.toLowerCase();
      if (
        now !== undefined && now.size !== bytes.length && sentMd5 === md5 &&
        now.metadata?.["vc-md5"]?.toLowerCase() === md5
      ) {
        const fate = options.ifNoneMatch === "*" && now.etag !== ""
          ? await this.#dropAltered(full, now.etag, options.signal, res.headers)
          : "";
        throw new IntegrityError(
          `PUT ${uri}: the server answered 200 without an ETag, and the object there has ${now.size} bytes, not ${bytes.length}: the body was altered on the way${fate}`,
        );
      }
      if (now === undefined || now.size !== bytes.length) {
        throw new StoreError(
          `PUT ${uri}: the server answered 200 without an ETag, and ${
            now === undefined
              ? "the object is not there"
              : `the object there has ${now.size} bytes, not ${bytes.length}`
          }: nothing was stored (a proxy or an S3-compatible server answering for S3?)`,
        );
      }
      // The object's own ETag, when the HEAD has one: an older object of the
      // same size left in place is then told by its MD5 below.
      if (now.etag !== "") answered = now.etag;
    }
    const etag = normalizeEtag(answered ?? md5);
    const kind = parseEtag(etag);
    // Google Cloud Storage's own MD5 of what it stored (x-goog-hash), which
    // stands where its ETag is no MD5 (googHashDenies): not the body's, the
    // stored bytes are other ones, whatever the ETag.
    const googMd5 = googHashMd5(res.headers.get("x-goog-hash") ?? "");
    // SSE-KMS / SSE-C (a bucket's default encryption too): the ETag is no MD5,
    // and S3 checked the Content-MD5 sent.
    if (
      (kind.kind === "md5" && kind.md5 !== md5 && !hasOpaqueEtag(res.headers)) ||
      (googMd5 !== undefined && googMd5 !== md5)
    ) {
      // Other bytes than sent (a proxy that altered the body). Left at a key
      // a create-only write claimed, they would block every later write of
      // it ("already exists"): that PUT's own object goes, by its ETag.
      const fate = options.ifNoneMatch === "*"
        ? await this.#dropAltered(full, etag, options.signal, res.headers)
        : "";
      const stored = googMd5 !== undefined && googMd5 !== md5
        ? `MD5 ${googMd5} (x-goog-hash)`
        : `ETag ${etag}`;
      throw new IntegrityError(
        `${uri} was stored with ${stored}, but the body's MD5 is ${md5}${fate}`,
      );
    }
    options.onProgress?.(bytes.length);
    const versionId = answeredVersionId(res.headers.get("x-amz-version-id"));
    return versionId === undefined ? { etag } : { etag, versionId };
  }

  /**
   * Deletes the object a create-only PUT stored with other bytes than sent
   * (the answered `etag`, If-Match: never another writer's), and says what
   * became of it, for the error. In a bucket with versioning, the version
   * the PUT was answered with (`answer`'s `x-amz-version-id`) goes for good:
   * a delete marker would tell the next publish of the key that it held
   * other bytes once. Where that is refused, the If-Match delete.
   */
  async #dropAltered(
    full: string,
    etag: string,
    signal: AbortSignal | undefined,
    answer: Headers,
  ): Promise<string> {
    const versionId = answeredVersionId(answer.get("x-amz-version-id"));
    if (versionId !== undefined) {
      try {
        await this.deleteVersion(
          this.#relative(full),
          versionId,
          signal === undefined ? {} : { signal },
        );
        return "; the object this create-only PUT stored was deleted";
      } catch {
        signal?.throwIfAborted();
      }
    }
    try {
      await this.#deleteOne(
        full,
        signal === undefined ? { ifMatch: etag } : { ifMatch: etag, signal },
      );
      return "; the object this create-only PUT stored was deleted";
    } catch (error) {
      if (isPrecondition(error)) return "; the object there has another ETag and was left as it is";
      return `; it could not be deleted (${(error as Error).message}): remove ${this.#uri(full)}`;
    }
  }

  /**
   * The ETag of the object at `full` when it holds exactly `bytes` (whose
   * MD5 is `md5`), else undefined: how a create-only PUT whose first answer
   * was lost tells its own write from another writer's in the 412 of its
   * retry. A plain ETag is the MD5 and decides; one that is none (SSE-KMS,
   * SSE-C: 32 hex digits too, which the HEAD marks) leaves the size, then the
   * bytes read back (at most a single PUT's, under If-Match so they are that
   * object's), compared by MD5.
   */
  async #holds(
    full: string,
    bytes: Uint8Array,
    md5: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const key = this.#relative(full);
    const on = signal === undefined ? {} : { signal };
    const now = await this.head(key, on);
    if (now === undefined || now.size !== bytes.length) return undefined;
    const etag = normalizeEtag(now.etag);
    if (now.opaqueEtag !== true && parseEtag(etag).kind === "md5") {
      return etag.toLowerCase() === md5 ? etag : undefined;
    }
    const got = await this.get(key, { ...on, ifMatch: now.etag });
    // Never more than the bytes sent: a GET of another length (a server or
    // proxy streaming on and on) is not our object, and is not read on.
    if (got.info.size !== bytes.length) {
      await got.body.cancel().catch(() => {});
      return undefined;
    }
    const stored = await readUpTo(got.body, bytes.length);
    return stored?.length === bytes.length && md5Hex(stored) === md5 ? etag : undefined;
  }

  async #putMultipart(full: string, source: PartSource, options: PutOptions): Promise<PutResult> {
    const { client, lean } = await this.#init();
    const { uploadMultipart } = await import("./multipart_upload.ts");
    const uri = this.#uri(full);
    const metadata = { ...(options.metadata ?? {}) };
    if (options.md5 !== undefined) {
      metadata["vc-md5"] = options.md5.toLowerCase();
      // rclone's spelling of the same: without it `rclone check` cannot
      // compare this object and `rclone sync` uploads it all again.
      metadata[RCLONE_MD5_KEY] = hexToBase64(options.md5);
    }
    const condition = describeCondition(options);
    const target: MultipartTarget = {
      create: (checksum) =>
        this.#createUpload(client, full, {
          metadata,
          contentType: options.contentType,
          crc32: checksum === "crc32",
        }),
      uploadPart: async (uploadId, partNumber, body, digest, signal) => {
        const res = await lean.request({
          method: "PUT",
          key: full,
          query: { partNumber: String(partNumber), uploadId },
          // The SDKs send the algorithm beside the checksum; some servers
          // (moto) confirm the checksum only then.
          headers: digest.crc32 !== undefined
            ? { "x-amz-checksum-crc32": digest.crc32, "x-amz-sdk-checksum-algorithm": "CRC32" }
            : { "content-md5": hexToBase64(digest.md5) },
          body,
          payloadHash: UNSIGNED_PAYLOAD,
          signal,
          operation: `UploadPart ${partNumber}`,
        });
        await readBody(res, uri);
        const etag = answeredEtag(res.headers.get("etag")) ?? digest.md5;
        if (etag === undefined) {
          throw new StoreError(`UploadPart ${partNumber} of ${uri} returned no ETag`);
        }
        // GCS's own MD5 of the part it stored, which stands where its ETag
        // is no MD5 (hasOpaqueEtag): not the part's, it stored other bytes.
        const googMd5 = googHashMd5(res.headers.get("x-goog-hash") ?? "");
        const partMd5 = googMd5 === undefined ? undefined : (digest.md5 ?? md5Hex(body));
        if (googMd5 !== undefined && googMd5 !== partMd5) {
          throw new IntegrityError(
            `${uri}: part ${partNumber} was stored with MD5 ${googMd5} (x-goog-hash), but its ` +
              `MD5 is ${partMd5}`,
          );
        }
        return {
          etag,
          crc32: res.headers.get("x-amz-checksum-crc32") ?? undefined,
          opaque: hasOpaqueEtag(res.headers),
        };
      },
      complete: (uploadId, parts) =>
        this.#completeUpload(client, full, uploadId, parts, {
          ifNoneMatch: options.ifNoneMatch,
          ifMatch: options.ifMatch,
          signal: options.signal,
          what: `PUT ${uri}`,
          partOption: { name: "partSize", size: this.#partSize },
          context: {
            operation: "CompleteMultipartUpload",
            key: full,
            condition,
            missingIsPrecondition: options.ifMatch !== undefined,
          },
        }),
      abort: (uploadId) => this.#abortUpload(client, full, uploadId),
    };
    let started = false;
    const create = target.create;
    target.create = async (checksum) => {
      const uploadId = await create(checksum);
      started = true;
      return uploadId;
    };
    const upload = (checksum: PutOptions["partChecksum"]) =>
      uploadMultipart(target, source, {
        concurrency: this.#concurrency,
        checksum,
        signal: options.signal,
        onProgress: options.onProgress,
        beforeComplete: options.beforeCommit,
        uri,
        endpoint: this.#settings.endpoint,
      });
    const checksum = this.#checksumMode ? options.partChecksum : undefined;
    // The version id CompleteMultipartUpload answered, kept beside the
    // receipt (uploadMultipart passes on the ETag only).
    let versionId: string | undefined;
    const complete = target.complete;
    target.complete = async (uploadId, parts) => {
      const done = await complete(uploadId, parts);
      versionId = done.versionId;
      return done;
    };
    const result = (etag: string): PutResult =>
      versionId === undefined ? { etag } : { etag, versionId };
    try {
      return result((await upload(checksum)).etag);
    } catch (error) {
      // A store that refuses the checksum headers (Backblaze B2: 400
      // "Unsupported header 'x-amz-checksum-algorithm'") refused the upload
      // at its start, before any part was read: it goes with Content-MD5.
      if (checksum !== "crc32" || started || !refusesHeader(error, /checksum-/)) throw error;
      this.#checksumMode = false;
      return result((await upload("md5")).etag);
    }
  }

  /**
   * Every object under `prefix` (relative to the store's prefix) in key order,
   * via ListObjectsV2 pages of 1000 on the lean path (`s3_list.ts`), each
   * requested when the previous one is consumed (memory holds one page). Keys
   * come back exact (URL-encoded on the wire, so control characters survive)
   * and relative to the store's prefix. `startAfter` skips keys up to and
   * including it. S3 listings always carry ETags and never skip entries, so
   * `etags` and `onWarning` change nothing; a page that fails after its
   * retries fails the listing (it never ends short).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * for (const key of ["logs/b.txt", "logs/a.txt", "data.csv"]) {
   *   await s3.putObject("assets", key, key);
   * }
   * const keys: string[] = [];
   * for await (const info of store.list("logs/")) keys.push(info.key);
   * assert.deepEqual(keys, ["logs/a.txt", "logs/b.txt"]);
   * ```
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix, options)) yield* page;
  }

  /**
   * {@linkcode list} a page (up to 1000 objects, never empty) at a time:
   * one async step per page, not per object, for callers that go through
   * many objects (a mirror's listing). The next page is requested when the
   * consumer asks for it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * for (const key of ["a", "b", "c"]) await s3.putObject("assets", key, key);
   * let count = 0;
   * for await (const page of store.listPages("")) {
   *   assert(page.length > 0);
   *   count += page.length;
   * }
   * assert(count === 3);
   * ```
   */
  async *listPages(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo[]> {
    const listPrefix = this.#fullPrefix(prefix);
    checkReadOptions(`list ${this.#uri(listPrefix)}`, "list", options);
    const startAfter = options.startAfter === undefined || options.startAfter === ""
      ? undefined
      : this.#fullPosition(options.startAfter);
    // The lean path: the SDK's listing cost 0.3-0.7 s per 10,000 keys. With
    // static credentials and region a listing never loads the SDK (a no-op
    // `vc mirror` only lists); LEAN_WITHOUT_SDK gates object requests only.
    const { lean } = await this.#lean(true);
    const { listPages } = await import("./s3_list.ts");
    for await (
      const page of listPages(lean, {
        prefix: listPrefix,
        startAfter,
        signal: options.signal,
        maxAttempts: this.#settings.maxAttempts,
        onStartAfterIgnored: options.onStartAfterIgnored,
      })
    ) {
      // The page's objects are ours (parsed for this call): keys made
      // relative in place rather than copied.
      const infos: ObjectInfo[] = page;
      if (this.prefix !== "") { for (const item of infos) item.key = this.#relative(item.key); }
      yield infos;
    }
  }

  /**
   * Multipart uploads in progress under `prefix` (`ListMultipartUploads`,
   * page after page), keys relative to this store.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * // A writer killed mid-upload leaves its multipart upload behind:
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * const pending = [];
   * for await (const upload of store.pendingUploads("")) pending.push(upload);
   * assert(pending.length === 1 && pending[0]?.key === "big.bin");
   * ```
   */
  async *pendingUploads(
    prefix: string,
    options: { signal?: AbortSignal } = {},
  ): AsyncIterable<PendingUpload> {
    const listPrefix = this.#fullPrefix(prefix);
    // The lean path, as for listPages: the look a mirror pass and a publish
    // take for uploads left open must not load the SDK.
    const { lean } = await this.#lean(true);
    const { listUploads } = await import("./s3_uploads_list.ts");
    for await (
      const upload of listUploads(lean, {
        prefix: listPrefix,
        signal: options.signal,
        maxAttempts: this.#settings.maxAttempts,
      })
    ) {
      yield {
        key: this.#relative(upload.key),
        uploadId: upload.uploadId,
        initiated: upload.initiated,
      };
    }
  }

  /**
   * The newest entries S3 versioning keeps of exactly `key` (one
   * ListObjectVersions request with the key as prefix, `limit` entries,
   * default 2), newest first; `[]` for a key that never held an object, and
   * for one in a bucket without versioning that holds none now. A grant
   * without `s3:ListBucketVersions` fails it with `AccessDeniedError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], versionedBuckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await store.put("a.csv", new TextEncoder().encode("a"));
   * const [current] = await store.keyVersions("a.csv");
   * assert(current?.isLatest === true && current.deleteMarker === false);
   * ```
   */
  async keyVersions(
    key: string,
    options: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<KeyVersion[]> {
    const full = this.#fullKey(key);
    // The lean path, as for pendingUploads: asked before every publish.
    const { lean } = await this.#lean(true);
    const { keyVersions } = await import("./s3_key_history.ts");
    return await keyVersions(lean, {
      key: full,
      limit: options.limit ?? 2,
      signal: options.signal,
      maxAttempts: this.#settings.maxAttempts,
    });
  }

  /**
   * When the pending upload last took a part (its newest part's
   * LastModified, by ListParts on the lean path); `undefined` when it holds
   * none yet, or is gone.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * const [upload] = await Array.fromAsync(store.pendingUploads(""));
   * assert(await store.lastPartAt(upload!) === undefined); // no part yet
   * await fetch(`${s3.url}/assets/big.bin?partNumber=1&uploadId=${upload!.uploadId}`, {
   *   method: "PUT",
   *   body: "x",
   * }).then((r) => r.body?.cancel());
   * assert((await store.lastPartAt(upload!))! >= upload!.initiated);
   * ```
   */
  async lastPartAt(
    upload: PendingUpload,
    options: { signal?: AbortSignal } = {},
  ): Promise<Date | undefined> {
    const { lean } = await this.#lean(true);
    const { lastPartTime } = await import("./s3_uploads_list.ts");
    return await lastPartTime(lean, {
      key: this.#fullKey(upload.key),
      uploadId: upload.uploadId,
      signal: options.signal,
    });
  }

  /**
   * Aborts a pending multipart upload; one already gone (`NoSuchUpload`) is not an error.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * // A writer killed mid-upload leaves its multipart upload behind:
   * await fetch(`${s3.url}/assets/big.bin?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
   * for await (const upload of store.pendingUploads("")) await store.abortUpload(upload);
   * for await (const _ of store.pendingUploads("")) assert.fail("nothing is pending any more");
   * ```
   */
  async abortUpload(upload: PendingUpload, options: { signal?: AbortSignal } = {}): Promise<void> {
    const full = this.#fullKey(upload.key);
    this.#refuseUnsignedWrite("AbortMultipartUpload", full);
    const { client } = await this.#init();
    try {
      await this.#abortUpload(client, full, upload.uploadId, options.signal);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
  }

  /**
   * The store's time by the `Date` header of a HEAD of a key nobody writes
   * (its 404, or the 403 of a grant without ListBucket, dates it as well);
   * `undefined` when the header is missing or not a date. Never an object's
   * LastModified: moto dates every upload in 2010. The header has whole
   * seconds: half of one is added, the middle of the second it names.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * const time = await store.serverTime();
   * assert(time !== undefined && Math.abs(time - Date.now()) < 60_000);
   * ```
   */
  async serverTime(options: { signal?: AbortSignal } = {}): Promise<number | undefined> {
    const lean = this.#leanNow() ?? (await this.#lean()).lean;
    const res = await lean.send({
      method: "HEAD",
      key: this.#fullKey(TIME_PROBE_KEY),
      signal: options.signal,
      passStatuses: [403, 404],
    });
    await res.body?.cancel();
    return httpDateMs(res.headers.get("date"));
  }

  /**
   * Deletes the keys. One key is one plain DELETE on the lean path (several
   * times faster than the SDK's DeleteObjects); more go through DeleteObjects,
   * 1000 per request (a few requests at once). Missing keys are not an error;
   * keys S3 refused to delete are reported, named, in one `StoreError`
   * (`AccessDeniedError` when every failure was access denied).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await s3.putObject("assets", "a", "1");
   * await s3.putObject("assets", "b", "2");
   * await store.delete(["a", "b", "never-there"]); // missing keys are no error
   * assert.deepEqual(s3.listKeys("assets"), []);
   * ```
   */
  async delete(keys: readonly string[], options: DeleteOptions = {}): Promise<void> {
    checkDeleteKeys(keys, this.url);
    checkWriteOptions(`delete in ${this.url}`, "delete", options);
    // The key named as the delete names it: a `.` segment may go in its body.
    if (keys.length > 0) {
      this.#refuseUnsignedWrite("DELETE", this.#fullKey(keys[0]!, { inBody: true }));
    }
    if (options.ifMatch !== undefined) {
      const unique = [...new Set(keys)];
      if (unique.length !== 1) {
        throw new InvalidInputError(
          `delete with ifMatch takes exactly one key, got ${unique.length} (in ${this.url})`,
        );
      }
      return await this.#deleteOne(this.#fullKey(unique[0]!), options);
    }
    if (keys.length === 0) return;
    // A key with a `.` or `..` segment (another tool wrote it) has no URL of
    // its own, but a DeleteObjects body names it exactly: it goes there, even
    // alone, so a mirror's --delete removes it rather than fail every run.
    // One XML cannot carry either is refused, as any request refuses it.
    // Each full key back to the key it was given as, for the per-key
    // failures the error carries (`failedDeletes`).
    const given = new Map<string, string>();
    for (const k of keys) given.set(this.#fullKey(k, { inBody: !NOT_XML_TEXT.test(k) }), k);
    const full = [...given.keys()];
    if (full.length === 1 && !hasDotSegment(full[0]!)) {
      return await this.#deleteOne(full[0]!, options);
    }
    // XML 1.0 cannot hold these characters, not even escaped (and a CR
    // would be read back as a LF): a DeleteObjects body naming such a key is
    // refused whole, its other 999 keys with it. Each goes alone, by URL.
    // A store without DeleteObjects (see #noBatchDelete) gets one DELETE a
    // key; but for a key with a `.` or `..` segment, which no URL names.
    const noBatch = this.#noBatchDelete;
    const byUrl = (k: string) => NOT_XML_TEXT.test(k) || (noBatch && !hasDotSegment(k));
    const alone = full.filter(byUrl);
    const batched = alone.length === 0 ? full : full.filter((k) => !byUrl(k));
    const failures: { key: string; code: string; message: string; error: Error; whole?: true }[] =
      [];
    // The batches whose DeleteObjects failed whole (after its retries):
    // each of their keys failed with it.
    const batchFailed: Error[] = [];
    const deleteEach = (keys: readonly string[]) =>
      forEachLimit(keys, DELETE_CONCURRENCY, async (key) => {
        try {
          await this.#deleteOne(key, options);
        } catch (e) {
          if (options.signal?.aborted) throw e;
          const code = e instanceof AccessDeniedError ? "AccessDenied" : (e as Error).name;
          const error = e instanceof Error ? e : new StoreError(String(e));
          failures.push({ key, code, message: error.message, error });
        }
      }, options.signal === undefined ? {} : { signal: options.signal });
    await deleteEach(alone);
    const batches: string[][] = [];
    for (let i = 0; i < batched.length; i += DELETE_BATCH) {
      batches.push(batched.slice(i, i + DELETE_BATCH));
    }
    const { client } = batches.length === 0 ? { client: undefined } : await this.#init();
    const lean = batches.length === 0 ? undefined : (await this.#lean()).lean;
    await forEachLimit(batches, DELETE_CONCURRENCY, async (batch) => {
      let out;
      try {
        out = await this.#send(
          (o) =>
            client!.send(
              new DeleteObjectsCommand({
                Bucket: this.bucket,
                Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
              }),
              o,
            ),
          // A batch's failure is not its first key's: name the batch, so the
          // message does not blame one key for a request about many.
          { operation: `DeleteObjects of ${batch.length} keys starting at`, key: batch[0]! },
          options.signal,
        );
      } catch (e) {
        if (options.signal?.aborted || !(e instanceof Error)) throw e;
        let unsent = batch;
        if (isNotImplemented(e)) {
          // The store has no DeleteObjects (GCS's XML API, MEGA S4, Riak
          // CS), or not with the SDK's checksum header (Backblaze B2): its
          // keys go one by one, as every later delete's do.
          this.#noBatchDelete = true;
          await deleteEach(batch.filter((k) => !hasDotSegment(k)));
          unsent = batch.filter((k) => hasDotSegment(k));
          if (unsent.length === 0) return;
        }
        const code = e instanceof AccessDeniedError ? "AccessDenied" : e.name;
        // Each key's error reads as its own DELETE's would (`DELETE
        // s3://b/k: access denied (…)`), so a caller naming the key says the
        // same of every key of the batch, not of its first.
        const subject = `DeleteObjects of ${batch.length} keys starting at ${this.#uri(batch[0]!)}`;
        for (const key of unsent) {
          failures.push({
            key,
            code,
            message: e.message,
            error: keyError(e, subject, this.#uri(key)),
            whole: true,
          });
        }
        batchFailed.push(e);
        return;
      }
      // Quiet answers name only failures; a server that ignores Quiet names
      // the asked keys as deleted too. One naming a key never asked answers
      // some other request: none of this batch's keys is confirmed deleted.
      const stranger = strangerDeleted(out.Deleted ?? [], batch);
      if (stranger !== undefined) {
        const message = `the server's DeleteObjects answer names ${
          JSON.stringify(stranger.slice(0, 200))
        } as deleted, a key not asked for: nothing in this batch is confirmed deleted`;
        const error = new StoreError(`DeleteObjects of ${batch.length} keys: ${message}`);
        for (const key of batch) failures.push({ key, code: "NotConfirmed", message, error });
        return;
      }
      for (const e of out.Errors ?? []) {
        const key = e.Key ?? "(unknown key)";
        const code = e.Code ?? "Error";
        // A server echoing the request has its secrets starred, as in s3HttpError.
        const message = redactSecrets(e.Message ?? "", lean?.secrets() ?? []);
        // The key's own error, as a DELETE of it alone would have given it.
        const details = { code, ...(message ? { message } : {}) };
        const error = code === "AccessDenied"
          ? s3HttpError(403, details, lean!.context("DELETE", key))
          : new StoreError(
            `DELETE ${this.#uri(key)} failed (in the DeleteObjects answer): ${code}${
              message ? `: ${message}` : ""
            }`,
          );
        failures.push({ key, code, message, error });
      }
    }, options.signal === undefined ? {} : { signal: options.signal });
    if (failures.length > 0) {
      const { withFailedDeletes } = await import("./delete_failures.ts");
      const failed = new Map<string, Error>();
      for (const f of failures) {
        const key = given.get(f.key);
        if (key !== undefined) failed.set(key, f.error);
      }
      // Only whole batches failed (the store down, the request refused):
      // the first one's own error, as it was before any answer came.
      if (failures.every((f) => f.whole)) {
        throw withFailedDeletes(batchFailed[0]!, failed);
      }
      const shown = failures.slice(0, 10).map((f) =>
        `${this.#uri(f.key)} (${f.code}${f.message ? `: ${f.message}` : ""})`
      );
      const more = failures.length > shown.length
        ? `, and ${failures.length - shown.length} more`
        : "";
      const message = `could not delete ${failures.length} of ${full.length} keys: ${
        shown.join(", ")
      }${more}`;
      // A key the answer names that was never asked for (or not in the
      // form asked): which keys failed is not known.
      const known = failures.every((f) => given.has(f.key));
      const error = failures.every((f) => f.code === "AccessDenied")
        ? new AccessDeniedError(message)
        : new StoreError(message);
      throw known ? withFailedDeletes(error, failed) : error;
    }
  }

  /**
   * DeleteObject of one key, with If-Match when asked: S3 answers 412 when the
   * ETag differs and 204 when the key is missing (so a retry after a lost
   * response is harmless).
   */
  async #deleteOne(full: string, options: DeleteOptions): Promise<void> {
    const ifMatch = options.ifMatch;
    await this.#deleteGoneIsFine(full, {
      signal: options.signal,
      ...(ifMatch === undefined ? {} : {
        headers: { "if-match": quoteEtag(ifMatch) },
        condition: `the object's ETag is not ${normalizeEtag(ifMatch)} (If-Match)`,
      }),
    });
  }

  /**
   * Sends a DELETE of `full` (with `request`'s query, headers and signal) on
   * the lean path: a 404 for the key or version (already gone, e.g. a retry
   * after a lost response) is fine; a 404 for the bucket is not.
   */
  async #deleteGoneIsFine(
    full: string,
    request: Omit<S3FetchRequest, "method" | "key" | "passStatuses">,
  ): Promise<void> {
    const { lean } = await this.#lean();
    const res = await lean.request({
      method: "DELETE",
      key: full,
      ...request,
      passStatuses: [404],
    });
    const text = new TextDecoder().decode(await readBody(res, this.#uri(full)));
    if (res.status === 404) {
      const details = parseS3ErrorXml(text);
      if (details.code === "NoSuchBucket") {
        throw s3HttpError(404, details, lean.context("DELETE", full));
      }
    }
  }

  /**
   * Deletes exactly version `versionId` of `key` (DeleteObject with
   * `versionId`, on the lean path): in a bucket with versioning no delete
   * marker is left, so a writer taking back the version its own write made
   * (`put`'s `versionId`) leaves the key as it was. A version already gone
   * is no error; a grant without `s3:DeleteObjectVersion` fails it with
   * `AccessDeniedError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ versionedBuckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * const { versionId } = await store.put("a.csv", new TextEncoder().encode("a"));
   * await store.deleteVersion("a.csv", versionId!);
   * assert.deepEqual(await store.keyVersions("a.csv"), []);
   * ```
   */
  async deleteVersion(
    key: string,
    versionId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const full = this.#fullKey(key);
    this.#refuseUnsignedWrite("DELETE", full);
    if (typeof versionId !== "string" || versionId === "") {
      throw new InvalidInputError(
        `deleteVersion of ${this.#uri(full)}: the version id must be a non-empty string`,
      );
    }
    await this.#deleteGoneIsFine(full, {
      query: { versionId },
      signal: options.signal,
      operation: "DeleteObject (one version)",
    });
  }

  /**
   * Server-side copy, metadata and content type kept. `ifNoneMatch: "*"`
   * makes it create-only: the destination is checked with a HEAD first (some
   * servers, e.g. moto, ignore the condition on CopyObject) and the condition
   * is also sent, so S3 closes the race between the check and the copy.
   *
   * A source up to `multipartCopyThreshold` (5 GiB) is one CopyObject; a
   * larger one, which S3 refuses to copy in one request, is a multipart
   * upload of server-side part copies (`multipart_copy.ts`), each
   * conditional on the source's ETag, so a source replaced mid-copy fails
   * the copy (`PreconditionFailedError`) instead of mixing two versions. Such
   * a copy keeps the user metadata and the content type; other headers
   * (`Content-Encoding`, `Cache-Control`) are not carried over, and the new
   * ETag is a multipart one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * await using store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await s3.putObject("assets", "v1/model.bin", "weights", { metadata: { run: "7" } });
   * await store.copy("v1/model.bin", "latest/model.bin");
   * assert((await store.head("latest/model.bin"))?.metadata?.run === "7");
   * // Create-only: an existing target stays as it is.
   * await assert.rejects(store.copy("v1/model.bin", "latest/model.bin", { ifNoneMatch: "*" }));
   * ```
   */
  async copy(from: string, to: string, options: CopyOptions = {}): Promise<PutResult> {
    const src = this.#fullKey(from);
    const dst = this.#fullKey(to);
    checkWriteOptions(`COPY to ${this.#uri(dst)}`, "copy", options);
    this.#refuseUnsignedWrite("COPY", dst);
    const signal = options.signal;
    const on = signal === undefined ? {} : { signal };
    signal?.throwIfAborted();
    const { client } = await this.#init();
    const what = `COPY ${this.#uri(src)} to ${this.#uri(dst)}`;
    const taken = async () => {
      if (options.ifNoneMatch === "*" && await this.head(to, on) !== undefined) {
        throw new PreconditionFailedError(
          `${what}: precondition failed, the key already exists (If-None-Match: *)`,
        );
      }
    };
    const known = options.source;
    // The source as the caller found it, copied in one request: no HEAD,
    // the copy is conditional on its ETag (x-amz-copy-source-if-match). A
    // create-only copy still HEADs: its lost-answer check needs the
    // source's vc-md5; one in parts needs its metadata.
    const source: { size: number; etag: string } & Partial<ObjectInfo> =
      known !== undefined && src !== dst && options.ifNoneMatch === undefined &&
        known.size <= this.#copyThreshold
        ? known
        : await (async () => {
          await taken();
          const found = await this.head(from, on);
          if (found === undefined) {
            const bucket = await this.#missingBucket(from);
            throw new NotFoundError(
              `${what}: ${bucket?.message ?? `${this.#uri(src)} does not exist`}`,
              bucket === undefined ? {} : { cause: bucket },
            );
          }
          if (known !== undefined && normalizeEtag(known.etag) !== normalizeEtag(found.etag)) {
            throw copySourceChanged(what, this.#uri(src), known.etag);
          }
          return found;
        })();
    // Onto itself: the object as it is, as in every store (S3 refuses such a
    // CopyObject with 400 InvalidRequest, and copies a large one in parts).
    if (src === dst) return { etag: source.etag };
    const changed = `${this.#uri(src)} changed since it was found (its ETag is no longer ${
      known?.etag ?? source.etag
    })`;
    const context = {
      operation: `COPY ${this.#uri(src)} to`,
      key: dst,
      ...(options.ifNoneMatch !== undefined
        ? {
          condition: `the key already exists (If-None-Match: *)${
            known !== undefined ? `, or ${changed}` : ""
          }`,
        }
        : known !== undefined
        ? { condition: changed }
        : {}),
      sourceKey: src,
    };
    const copySource = `${this.bucket}/${uriEncode(src, true)}`;
    const condition = {
      ...(options.ifNoneMatch !== undefined ? { IfNoneMatch: options.ifNoneMatch } : {}),
      ...(known !== undefined ? { CopySourceIfMatch: quoteEtag(known.etag) } : {}),
    };
    if (source.size <= this.#copyThreshold) {
      const out = await this.#send(
        (o) =>
          client!.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: dst,
              CopySource: copySource,
              ...condition,
            }),
            o,
          ),
        context,
        signal,
      ).catch(async (error: unknown) => {
        // A create-only copy whose first attempt landed but whose answer was
        // lost fails the SDK's retry with 412: that is its own copy when the
        // key holds the source's content (a racing writer's copy of the same
        // source is the same object), not another writer's object.
        if (options.ifNoneMatch !== "*" || !(error instanceof PreconditionFailedError)) {
          throw error;
        }
        const now = sdkAttempts(error) > 1
          ? await this.head(to, on).catch(() => undefined)
          : undefined;
        if (now === undefined || now.size !== source.size) throw error;
        const md5 = statedMd5(source);
        if (md5 === undefined || statedMd5(now) !== md5) throw error;
        return { CopyObjectResult: { ETag: now.etag } };
      });
      const etag = answeredEtag(out.CopyObjectResult?.ETag);
      if (etag === undefined) throw new StoreError(`${what} returned no ETag`);
      return { etag: normalizeEtag(etag) };
    }
    const sourceEtag = quoteEtag(source.etag);
    const { copyInParts } = await import("./multipart_copy.ts");
    const etag = await copyInParts(
      {
        create: () =>
          this.#createUpload(client, dst, {
            ...(source.metadata !== undefined ? { metadata: source.metadata } : {}),
            ...(source.contentType !== undefined ? { contentType: source.contentType } : {}),
          }),
        copyPart: async (uploadId, partNumber, range, signal) => {
          const out = await this.#send(
            (o) =>
              client.send(
                new UploadPartCopyCommand({
                  Bucket: this.bucket,
                  Key: dst,
                  UploadId: uploadId,
                  PartNumber: partNumber,
                  CopySource: copySource,
                  CopySourceRange: `bytes=${range.start}-${range.end}`,
                  CopySourceIfMatch: sourceEtag,
                }),
                o,
              ),
            {
              ...context,
              operation: `COPY (part ${partNumber}) ${this.#uri(src)} to`,
              condition: `${
                this.#uri(src)
              } changed during the copy (its ETag is no longer ${source.etag})`,
            },
            signal,
          );
          const partEtag = answeredEtag(out.CopyPartResult?.ETag);
          if (partEtag === undefined) {
            throw new StoreError(
              `${what}: part ${partNumber} returned no ETag`,
            );
          }
          return partEtag;
        },
        complete: async (uploadId, parts) =>
          (await this.#completeUpload(client, dst, uploadId, parts, {
            ...(options.ifNoneMatch !== undefined ? { ifNoneMatch: options.ifNoneMatch } : {}),
            what,
            partOption: { name: "copyPartSize", size: this.#copyPartSize },
            context: { ...context, operation: `COPY (completion) ${this.#uri(src)} to` },
          })).etag,
        abort: (uploadId) => this.#abortUpload(client, dst, uploadId),
      },
      source.size,
      {
        partSize: this.#copyPartSize,
        concurrency: this.#concurrency,
        uri: this.#uri(dst),
        endpoint: this.#settings.endpoint,
        ...on,
      },
    );
    return { etag: normalizeEtag(etag) };
  }

  /**
   * Starts a multipart upload of `full` (CreateMultipartUpload) and returns
   * its id. Not under the caller's signal: a create cut off in flight may
   * still happen on the server, leaving an upload whose id nobody knows
   * (billed until a lifecycle rule). It is bounded by the request timeout;
   * the callers abort the upload if their caller gave up meanwhile.
   */
  async #createUpload(
    client: S3Client,
    full: string,
    init: { metadata?: Record<string, string>; contentType?: string | undefined; crc32?: boolean },
  ): Promise<string> {
    const out = await this.#send(
      (o) =>
        client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.bucket,
            Key: full,
            ...(init.crc32 === true ? { ChecksumAlgorithm: "CRC32" } : {}),
            ...(init.metadata !== undefined && Object.keys(init.metadata).length > 0
              ? {
                Metadata: Object.fromEntries(
                  Object.entries(init.metadata).map(([k, v]) => [k, encodeMetadataValue(v)]),
                ),
              }
              : {}),
            ...(init.contentType !== undefined ? { ContentType: init.contentType } : {}),
          }),
          o,
        ),
      { operation: "CreateMultipartUpload", key: full },
      undefined,
    );
    // An empty `<UploadId></UploadId>` is none: its parts would go out as
    // `?uploadId=`, which a lax server may take for plain PUTs of the key.
    if (out.UploadId === undefined || out.UploadId === "") {
      throw new StoreError(`CreateMultipartUpload ${this.#uri(full)} returned no UploadId`);
    }
    return out.UploadId;
  }

  /**
   * Completes an upload of `full` from `parts` under the caller's
   * conditions. `what` names the operation in the message of a key found
   * taken; `context` describes the call for the SDK's errors.
   */
  async #completeUpload(
    client: S3Client,
    full: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string; crc32?: string | undefined }[],
    options: {
      ifNoneMatch?: "*" | undefined;
      ifMatch?: string | undefined;
      signal?: AbortSignal | undefined;
      what: string;
      /** The option that set the parts' size, named when the server finds a part too small. */
      partOption: { name: string; size: number };
      context: SdkCallContext;
    },
  ): Promise<
    { etag: string; crc32: string | undefined; opaque: boolean; versionId?: string | undefined }
  > {
    if (options.ifNoneMatch === "*" || options.ifMatch !== undefined) {
      // S3 honours If-None-Match and If-Match on completion; some
      // S3-compatible stores (moto) ignore both and overwrite. A look just
      // before completing narrows their race to one round trip: a key taken
      // (If-None-Match), or replaced or deleted (If-Match), during the upload
      // fails it (the upload is aborted) instead of being overwritten.
      const current = await this.head(
        this.#relative(full),
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const failed = options.ifNoneMatch === "*" ? current !== undefined : current === undefined ||
        normalizeEtag(current.etag) !== normalizeEtag(options.ifMatch ?? "");
      if (failed) {
        throw new PreconditionFailedError(
          `${options.what}: precondition failed, ${options.context.condition}`,
        );
      }
    }
    const out = await this.#send(
      (o) =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: full,
            UploadId: uploadId,
            MultipartUpload: {
              Parts: parts.map((p) => ({
                PartNumber: p.partNumber,
                ETag: quoteEtag(p.etag),
                ...(p.crc32 !== undefined ? { ChecksumCRC32: p.crc32 } : {}),
              })),
            },
            ...(options.ifNoneMatch !== undefined ? { IfNoneMatch: options.ifNoneMatch } : {}),
            ...(options.ifMatch !== undefined ? { IfMatch: quoteEtag(options.ifMatch) } : {}),
          }),
          o,
        ),
      options.context,
      options.signal,
    ).catch(async (error) => {
      const landed = await this.#completedEarlier(full, parts, error, options);
      if (landed === undefined) throw partTooSmallError(error, options.partOption) ?? error;
      // Found by reading back: which version the first answer named is not known.
      return {
        ETag: landed,
        ChecksumCRC32: undefined,
        ServerSideEncryption: undefined,
        VersionId: undefined,
      };
    });
    const etag = answeredEtag(out.ETag);
    if (etag === undefined) {
      throw new StoreError(`CompleteMultipartUpload ${this.#uri(full)} returned no ETag`);
    }
    const opaque = String(out.ServerSideEncryption ?? "").toLowerCase().startsWith("aws:kms");
    return { etag, crc32: out.ChecksumCRC32, opaque, versionId: answeredVersionId(out.VersionId) };
  }

  /**
   * The ETag of `full` when a CompleteMultipartUpload that failed with 404
   * NoSuchUpload (`error`) had in fact completed: its first answer was lost
   * (a reset, a timeout), the SDK sent it again, and the upload was gone by
   * then (MinIO answers so at once, S3 once it forgets the upload). A
   * create-only completion (`If-None-Match: *`) sent again is answered 412
   * instead, the key holding what the first one made. The object is ours
   * when its ETag is the one these parts make; else undefined, and the
   * error stands. When the key cannot be read back, the error of a request
   * sent again throws, saying so.
   */
  async #completedEarlier(
    full: string,
    parts: readonly { etag: string }[],
    error: unknown,
    options: { ifNoneMatch?: "*" | undefined; signal?: AbortSignal | undefined },
  ): Promise<string | undefined> {
    const signal = options.signal;
    const gone = error instanceof NotFoundError &&
      (error.cause as { name?: unknown } | undefined)?.name === "NoSuchUpload";
    const taken = options.ifNoneMatch === "*" && error instanceof PreconditionFailedError &&
      sdkAttempts(error) > 1;
    if (!gone && !taken) return undefined;
    const md5s = parts.map((p) => normalizeEtag(p.etag).toLowerCase());
    if (md5s.some((m) => !/^[0-9a-f]{32}$/.test(m))) return undefined;
    let current: ObjectInfo | undefined;
    try {
      current = await this.head(this.#relative(full), signal === undefined ? {} : { signal });
    } catch (readBack) {
      // A stop is the caller's. A 412 stays one ("already exists"), and a
      // 404 of a completion sent again one ("no longer exists"), saying the
      // check of whether it is this upload's own object could not be made.
      signal?.throwIfAborted();
      if (taken) throw readBackFailed(error, "this upload's own completion", readBack);
      if (sdkAttempts(error as NotFoundError) > 1) throw completionUnconfirmed(error, readBack);
      return undefined;
    }
    if (current === undefined) return undefined;
    const etag = normalizeEtag(current.etag);
    return etag.toLowerCase() === multipartEtag(md5s) ? etag : undefined;
  }

  /** Aborts an upload of `full`, discarding its parts. */
  /** Aborts an upload; one the store no longer has is a `NotFoundError`. */
  async #abortUpload(
    client: S3Client,
    full: string,
    uploadId: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#send(
      (o) =>
        client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: full, UploadId: uploadId }),
          o,
        ),
      { operation: "AbortMultipartUpload", key: full },
      signal,
    );
  }

  /**
   * Closes the SDK client and pooled connections. Further calls throw.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startFakeS3 } from "../testing/mod.ts";
   * import { S3Store } from "./s3.ts";
   * await using s3 = await startFakeS3({ buckets: ["assets"] });
   * const store = new S3Store({
   *   bucket: "assets",
   *   endpoint: s3.url,
   *   region: "us-east-1",
   *   credentials: { accessKeyId: "test", secretAccessKey: "test" },
   * });
   * await s3.putObject("assets", "a", "1");
   * assert((await store.head("a"))?.size === 1);
   * await store.close();
   * await assert.rejects(store.head("a"), /closed/);
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = undefined;
    this.#leanReady?.close();
    this.#leanReady = undefined;
    if (ready === undefined) return;
    try {
      const { client, lean } = await ready;
      client.destroy();
      lean.close();
    } catch {
      // Initialization failed: nothing was opened.
    }
  }

  /** Same as {@linkcode S3Store.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Runs an SDK call, mapping its errors to vc's. */
  async #send<Out>(
    call: (options: { abortSignal?: AbortSignal }) => Promise<Out>,
    what: SdkCallContext,
    signal?: AbortSignal,
  ): Promise<Out> {
    let refreshed = false;
    // One attempt, signed for the region the client reads now (see #create).
    const attempt = async (): Promise<Out> => {
      const signedFor = learnedBucketRegion(this.#regionKey);
      for (;;) {
        // The SDK's attempts and its waits between them: their time, said as vc's own.
        const started = performance.now();
        try {
          return await call(signal ? { abortSignal: signal } : {});
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          // Refused at the door, so nothing happened: safe to send again
          // (even a CompleteMultipartUpload, at the end of a long upload)
          // once the chain has fetched new credentials, as the lean
          // requests do.
          if (
            !refreshed && isRenewableCredentialError(error) && await this.#refreshCredentials()
          ) {
            refreshed = true;
            continue;
          }
          const mapped = await this.#sdkError(error, what, signedFor);
          // The SDK retried it itself: said as vc's own retries say it.
          const attempts = (error as { $metadata?: { attempts?: unknown } } | null)?.$metadata
            ?.attempts;
          const max = this.#settings.maxAttempts;
          if (typeof attempts === "number" && attempts > 1 && attempts >= max) {
            markGaveUp(mapped, attempts, performance.now() - started);
          }
          throw mapped;
        }
      }
    };
    const learned = learnedBucketRegion(this.#regionKey);
    try {
      return await attempt();
    } catch (error) {
      // The bucket is in another region: followed once, as the lean requests
      // follow it (region_redirect.ts), by the client's region, which it
      // reads per request from the regions learned. (Not the SDK's
      // followRegionRedirects: it swaps the client's region for the time of
      // one call, which concurrent calls see, and fails them with "Region
      // was not restored".)
      const ready = await this.#ready;
      return await followRegionRedirect(error, attempt, {
        signedFor: learned ?? ready?.region,
        signal,
        moveTo: (region) => {
          learnBucketRegion(this.#regionKey, region);
          ready?.lean.moveToRegion(region);
        },
        moveBack: () => {
          learnBucketRegion(this.#regionKey, learned);
          if (ready !== undefined) ready.lean.moveToRegion(learned ?? ready.region);
        },
        found: (region) => {
          if (ready !== undefined) this.#regionFound(ready.region, region);
        },
      });
    }
  }

  /** Makes the SDK's credential chain fetch new credentials; false when it cannot (none, or given keys). */
  async #refreshCredentials(): Promise<boolean> {
    try {
      const ready = await this.#ready;
      if (ready === undefined || ready.fixedCredentials) return false;
      await ready.client.config.credentials({ forceRefresh: true });
      return true;
    } catch {
      return false; // the expired credentials' error says more
    }
  }

  /** `signedFor`: the region the call was signed for, when not the client's first. */
  async #sdkError(
    error: unknown,
    what: SdkCallContext,
    signedFor?: string | undefined,
  ): Promise<Error> {
    if (error instanceof Error && error.name === "AbortError") return error;
    const denied = sdkPermissionError(error);
    if (denied instanceof AccessDeniedError) return denied;
    const ready = await this.#ready;
    const region = signedFor ?? ready?.region ?? "us-east-1";
    const ctx: S3RequestContext = {
      operation: what.operation,
      uri: this.#uri(what.key),
      bucket: this.bucket,
      endpoint: this.#settings.endpoint ?? awsEndpoint(this.#settings, region),
      endpointSource: this.#settings.endpointSource,
      region,
      credentialSource: this.#credentialSource,
      ...(ready === undefined ? {} : { secrets: ready.lean.secrets() }),
      condition: what.condition,
      missingIsPrecondition: what.missingIsPrecondition,
      ...(this.#caCertsRead ? { caBundle: this.#caCertsRead.label } : {}),
    };
    const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } })
      .$metadata;
    const status = meta?.httpStatusCode;
    if (typeof status === "number" && error instanceof Error) {
      const details: S3ErrorDetails = {};
      const code = (error as { Code?: string }).Code ?? error.name;
      // An error answer without a body (a proxy's bare 403 or 502) is
      // "Unknown: UnknownError" to the SDK, which says less than the status
      // alone: said as the lean path says it.
      // A body that is no XML (a proxy's HTML 502 page, a plain-text 500)
      // failed the SDK's parser, whose message told of its own internals
      // ("XML parse error: mismatched tags <hr> and </body>", "inspect the
      // hidden field {error}.$response"): said as the lean path says it.
      const bodyText = (error as { $responseBodyText?: unknown }).$responseBodyText;
      if (typeof bodyText === "string" || error.message.includes("Deserialization error:")) {
        details.message = typeof bodyText === "string"
          ? notS3XmlMessage(bodyText)
          : "the answer is not S3's XML: (unreadable)";
      } else if (code !== "Unknown" || error.message !== "UnknownError") {
        details.code = code;
        details.message = error.message;
      }
      if (meta?.requestId !== undefined) details.requestId = meta.requestId;
      // The region from the error's XML, else from the header (a HEAD, or
      // an error body without <Region>, as S3's 301 PermanentRedirect).
      const headers = (error as { $response?: { headers?: Record<string, string> } }).$response
        ?.headers;
      const region = (error as { Region?: string }).Region ?? headers?.["x-amz-bucket-region"];
      if (region !== undefined) details.region = region;
      // Where a redirect pointed (vc follows none), as the lean path names it.
      const location = headers?.["location"];
      if (location !== undefined) details.location = location;
      const endpoint = (error as { Endpoint?: string }).Endpoint;
      if (endpoint !== undefined) details.endpoint = endpoint;
      const { StorageClass: storageClass, AccessTier: accessTier } = error as {
        StorageClass?: string;
        AccessTier?: string;
      };
      if (storageClass !== undefined) details.storageClass = storageClass;
      if (accessTier !== undefined) details.accessTier = accessTier;
      if (headers?.[ERROR_IN_200_HEADER] !== undefined) details.in200 = true;
      // A copy's NoSuchKey is about the source, not the destination, and so
      // is InvalidObjectState (the source is archived).
      if (
        what.sourceKey !== undefined &&
        ((status === 404 && details.code === "NoSuchKey") ||
          details.code === "InvalidObjectState")
      ) {
        return s3HttpError(status, details, {
          ...ctx,
          operation: "COPY",
          uri: this.#uri(what.sourceKey),
        }, error);
      }
      return s3HttpError(status, details, ctx, error);
    }
    if (error instanceof Error && error.name === "CredentialsProviderError") {
      return noCredentialsError(
        `${ctx.operation} ${ctx.uri}: no usable AWS credentials from ${ctx.credentialSource}: ${
          credentialErrorText(error)
        }` +
          this.#credentialHint(),
        { cause: error },
      );
    }
    return s3NetworkError(error, ctx);
  }

  /**
   * Refuses a write when requests go unsigned: S3 would refuse it too (a
   * bucket writable by anyone is a mistake), after a multipart upload had
   * sent its parts, so the user hears which setting to change before that.
   */
  #refuseUnsignedWrite(operation: string, fullKey: string): void {
    const why = this.readOnly;
    if (why !== undefined) {
      throw new AccessDeniedError(`${operation} ${this.#uri(fullKey)}: refused: ${why}`);
    }
  }

  /**
   * The S3-compatible endpoint requests go to, normalized (no trailing
   * slash), from the `endpoint` option or the environment and profile;
   * `undefined` for AWS's commercial partition. With none configured and a
   * region of another partition (GovCloud's `us-gov-`, China's `cn-`, the
   * ISO regions' `us-iso-`, `us-isob-`, `eu-isoe-`, `us-isof-`), whose buckets
   * are not the commercial ones of the same name, it is the endpoint the AWS
   * SDK resolves there (`https://s3.us-gov-west-1.amazonaws.com`,
   * `https://s3.cn-north-1.amazonaws.com.cn`). The URL (`s3://bucket/prefix`)
   * does not name it: a mirror's state file is named by it too.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { S3Store } from "./s3.ts";
   * const env = () => undefined;
   * await using minio = new S3Store({ bucket: "b", endpoint: "http://127.0.0.1:9000/", region: "us-east-1", env });
   * assert.equal(minio.endpoint, "http://127.0.0.1:9000");
   * await using aws = new S3Store({ bucket: "b", region: "us-east-1", env });
   * assert.equal(aws.endpoint, undefined);
   * await using gov = new S3Store({ bucket: "b", region: "us-gov-west-1", env });
   * assert.equal(gov.endpoint, "https://s3.us-gov-west-1.amazonaws.com");
   * ```
   */
  get endpoint(): string | undefined {
    const { endpoint, regionShown } = this.#settings;
    if (endpoint !== undefined || awsPartition(regionShown).id === "aws") return endpoint;
    return awsEndpoint(this.#settings, regionShown);
  }

  /**
   * Why this store refuses every write: it sends unsigned requests
   * (`anonymous`, `VC_S3_ANONYMOUS`), which only read public buckets.
   * `undefined` when it signs.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { S3Store } from "./s3.ts";
   * await using store = new S3Store({ bucket: "noaa-ghcn-pds", anonymous: true, region: "us-east-1" });
   * assert.match(store.readOnly!, /unsigned requests/);
   * ```
   */
  get readOnly(): string | undefined {
    if (!this.#settings.anonymous) return undefined;
    return `this store sends unsigned requests (${this.#settings.anonymousSource}), which only ` +
      `read public buckets; set AWS credentials and turn unsigned requests off to write`;
  }

  #init(): Promise<Ready> {
    if (this.#closed) {
      return Promise.reject(new StoreError(`S3Store ${this.url} is closed`));
    }
    return this.#ready ??= this.#create();
  }

  /**
   * The lean path for object requests. Without the SDK when the credentials
   * are given or static in the environment (they come before any profile,
   * as for the aws CLI) and the region is known,
   * and `withoutSdk` (see LEAN_WITHOUT_SDK); else after loading the SDK.
   */
  #lean(withoutSdk: boolean = LEAN_WITHOUT_SDK): Promise<{ lean: S3Fetch }> {
    if (this.#closed) {
      return Promise.reject(new StoreError(`S3Store ${this.url} is closed`));
    }
    if (this.#ready !== undefined || !withoutSdk) return this.#init();
    this.#leanReady ??= this.#leanOnly();
    if (this.#leanReady !== undefined) return Promise.resolve({ lean: this.#leanReady });
    return this.#init();
  }

  /** The lean path when it is ready (no promise to wait for), as {@linkcode S3Store.#lean} would give it. */
  #leanNow(): S3Fetch | undefined {
    return this.#closed || this.#ready !== undefined || !LEAN_WITHOUT_SDK
      ? undefined
      : this.#leanReady;
  }

  #leanOnly(): S3Fetch | undefined {
    const region = this.#settings.region;
    if (region === undefined) return undefined;
    if (this.#settings.anonymous) return this.#leanFetch(region, noCredentials, true);
    const fixed = this.#options.credentials ?? this.#envCredentials();
    if (fixed === undefined) return undefined;
    return this.#leanFetch(region, () => Promise.resolve(fixed), true);
  }

  #caCertsRead: { certs: string[]; label: string } | undefined | null = null;

  /**
   * The certificates of `AWS_CA_BUNDLE` (else the profile's `ca_bundle`)
   * and of `DENO_CERT` (see `caBundleSettings`), read once, when the first https request needs them.
   */
  #caCerts(): { certs: string[]; label: string } | undefined {
    if (this.#caCertsRead !== null) return this.#caCertsRead;
    const settings = caBundleSettings((name) => this.#env(name));
    return this.#caCertsRead = settings.length === 0 ? undefined : {
      certs: settings.flatMap(readCaBundle),
      label: settings.map((s) => `${s.file} (${s.source})`).join(" and "),
    };
  }

  /** A non-empty variable of the store's environment (`env` option, else `Deno.env`). */
  #env(name: string): string | undefined {
    let v: string | undefined;
    try {
      v = (this.#options.env ?? denoEnv)(name);
    } catch {
      v = undefined; // no env permission: the SDK's chain decides
    }
    return v === undefined || v === "" ? undefined : v;
  }

  /**
   * The environment's static keys, when they are what signs (both set; they
   * come before any profile, as for the aws CLI): else undefined, and the
   * SDK's chain decides.
   */
  #envCredentials(): NonNullable<S3StoreOptions["credentials"]> | undefined {
    return environmentKeys((name) => this.#env(name));
  }

  /**
   * What is wrong with the environment's keys (see `environmentKeysProblem`),
   * or, when they sign, with the profile named beside them: one that does
   * not exist would leave its endpoint and region out without a word.
   */
  #envKeysProblem(): string | undefined {
    if (this.#options.credentials !== undefined) return undefined;
    const env = (name: string) => this.#env(name);
    const problem = environmentKeysProblem(env);
    if (problem !== undefined || environmentKeys(env) === undefined) return problem;
    // Asked before every request of the lean path: the shared files are read once.
    if (this.#profileMissing === null) this.#profileMissing = missingProfileProblem(env);
    return this.#profileMissing;
  }

  #profileMissing: string | undefined | null = null;

  /**
   * What a message about credentials the chain could not load adds: what is
   * wrong with the configuration (`credentialHint`), and, as a machine with
   * none at all may only want a public bucket, how to read one without.
   */
  #credentialHint(): string {
    return `${credentialHint((name) => this.#env(name))}; a public bucket is read without ` +
      `credentials with ${ANONYMOUS_ENV}=1 (vc's --no-sign-request)`;
  }

  /** This store's bucket for the regions learned (see bucket_region.ts). */
  get #regionKey(): string {
    return bucketRegionKey(this.#settings.endpoint, this.bucket);
  }

  /** Tells of the bucket found in `region`, not the `configured` one (see region_notice.ts). */
  #regionFound(configured: string, region: string): void {
    if (region === configured) return;
    bucketRegionFound(this.#regionKey, {
      bucket: this.bucket,
      region,
      configured,
      configuredSource: this.#settings.regionSource,
    });
  }

  #leanFetch(configured: string, credentials: CredentialSource, fixed: boolean): S3Fetch {
    // Where an earlier request found the bucket, else where configured.
    const region = learnedBucketRegion(this.#regionKey) ?? configured;
    return new S3Fetch({
      bucket: this.bucket,
      baseUrl: bucketBaseUrl(this.#settings, this.bucket, region),
      // A bucket in another region is followed there (the regional host on
      // AWS; a custom endpoint is asked again, signed for it).
      regionBaseUrl: (to) => bucketBaseUrl(this.#settings, this.bucket, to),
      onRegion: (to) => {
        learnBucketRegion(this.#regionKey, to);
        this.#regionFound(configured, to);
      },
      // Messages name the endpoint as configured, its path too (a gateway's).
      ...(this.#settings.endpoint !== undefined
        ? { endpoint: this.#settings.endpoint.replace(/\/+$/, "") }
        : {}),
      ...(this.#settings.endpointSource !== undefined
        ? { endpointSource: this.#settings.endpointSource }
        : {}),
      region,
      // Keys no request can carry (a CR that `$(cat key.txt)` kept) are
      // refused before one is sent: the header could not be sent, which read
      // as an unreachable store (the cache served a stale copy).
      credentials: (options) => {
        const bad = this.#settings.anonymous ? undefined : this.#envKeysProblem();
        return bad === undefined
          ? credentials(options)
          : Promise.reject(new InvalidInputError(bad));
      },
      credentialSource: this.#credentialSource,
      fixedCredentials: fixed,
      credentialHint: () => this.#credentialHint(),
      ...(this.#settings.anonymous ? { anonymous: true } : {}),
      ...(this.#settings.requestPayer ? { requestPayer: true } : {}),
      maxAttempts: this.#settings.maxAttempts,
      timeoutMs: this.#settings.requestTimeoutMs,
      ...(this.#options.clock !== undefined ? { clock: this.#options.clock } : {}),
      ...(this.#options.http1 !== false ? { http1: true } : {}),
      caCerts: () => this.#caCerts(),
    });
  }

  async #create(): Promise<Ready> {
    // The SDK reads the shared files whole as it loads: a FIFO there would
    // hold this store for good without a word.
    const notRegular = sharedFileNotRegular((name) => this.#env(name));
    if (notRegular !== undefined) throw new InvalidInputError(notRegular);
    await loadSdk();
    const [{ SdkFetchHandler }, { capSdkResponseBodies, MAX_SDK_BODY_BYTES, SDK_BODY_TIMEOUTS }, {
      noticeSdkRetries,
    }] = await Promise.all([
      import("./sdk_fetch_handler.ts"),
      import("./sdk_body_cap.ts"),
      import("./sdk_retry_notice.ts"),
    ]);
    // The profile the aws CLI would use: AWS_DEFAULT_PROFILE first, which
    // the SDK does not read by itself.
    const profile = namedProfile((name) => this.#env(name))?.name;
    const region = this.#settings.region ?? await profileRegion(profile);
    // AWS itself, or an https endpoint: trust the CA bundle too (node:https's
    // `ca` replaces its default roots, so they are passed along).
    const https = (this.#settings.endpoint ?? "https:").startsWith("https:");
    const ca = https ? this.#caCerts() : undefined;
    const httpsAgent = ca === undefined
      ? undefined
      : { ca: [...(await import("node:tls")).rootCertificates, ...ca.certs] };
    // Behind a proxy the SDK sends through fetch too: node:http(s) ignores
    // HTTP(S)_PROXY / ALL_PROXY and would go straight to the store. An
    // endpoint NO_PROXY names keeps node:http(s), as the lean path keeps its
    // own client (a bucket's virtual host is in the endpoint's domain); AWS's
    // hosts vary by bucket and region: fetch whenever a proxy is set.
    const viaProxy = this.#settings.endpoint === undefined
      ? proxyConfigured()
      : proxyApplies(this.#settings.endpoint);
    const regionKey = this.#regionKey;
    const config: S3ClientConfig = {
      // The bucket's region once a request learned it (a region redirect
      // followed, see #send), else the one configured: read per request.
      region: () => Promise.resolve(learnedBucketRegion(regionKey) ?? region),
      forcePathStyle: this.#settings.forcePathStyle,
      // S3-compatible servers reject the SDK's newer default CRC32 checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: this.#settings.maxAttempts,
      // The credential chain reads the shared files again each time it runs
      // (at the first request, and when S3 refused what it gave): the SDK
      // otherwise keeps their first content for the process, and a long
      // `serve` or `mirror --watch` never saw a key or token rewritten there.
      ...{ ignoreCache: true },
      // Connect timeout and idle-socket timeout: the same limit as the lean path.
      ...(viaProxy
        ? {
          requestHandler: new SdkFetchHandler({
            timeoutMs: this.#settings.requestTimeoutMs,
            ...(ca === undefined ? {} : { caCerts: ca.certs }),
          }),
        }
        : this.#settings.requestTimeoutMs > 0 || httpsAgent !== undefined
        ? {
          requestHandler: {
            ...(this.#settings.requestTimeoutMs > 0
              ? {
                connectionTimeout: this.#settings.requestTimeoutMs,
                socketTimeout: this.#settings.requestTimeoutMs,
              }
              : {}),
            ...(httpsAgent === undefined ? {} : { httpsAgent }),
          },
        }
        : {}),
    };
    if (this.#settings.endpoint !== undefined) config.endpoint = this.#settings.endpoint;
    // Otherwise AWS itself, as for the hand-signed requests and the cache's
    // `s3` namespace (the profile's endpoints were weighed by
    // resolveS3Settings, which found none or was told to ignore them): the SDK
    // must not find one of its own for copies, deletes and multipart uploads.
    else {
      config.ignoreConfiguredEndpointUrls = true;
      // The same AWS endpoint as the hand-signed requests (bucketBaseUrl).
      config.useFipsEndpoint = this.#settings.useFipsEndpoint;
      config.useDualstackEndpoint = this.#settings.useDualstackEndpoint;
    }
    // Keys in the environment sign before any profile, as for the aws CLI;
    // the SDK's chain would take a named profile's (or find none in one that
    // only names an endpoint). The store's own environment (`env`) signs,
    // not the process's.
    const keys = this.#options.credentials ?? this.#envCredentials();
    if (this.#settings.anonymous) {
      // The SDK has no anonymous mode: a signer that leaves requests as they
      // are, and credentials that never run the chain (instance metadata
      // would be asked, slowly, on a machine without credentials).
      config.credentials = noCredentials;
      config.signer = { sign: (request) => Promise.resolve(request) };
    } else if (keys !== undefined) config.credentials = keys;
    else if (profile !== undefined) config.profile = profile;
    // The SDK's own requests (copies, batch deletes, multipart uploads) would
    // sign with such keys too, and fail as if the store could not be reached.
    const badKeys = this.#settings.anonymous ? undefined : this.#envKeysProblem();
    if (badKeys !== undefined) {
      throw noCredentialsError(
        `no usable AWS credentials from ${this.#credentialSource}: ${badKeys}`,
      );
    }
    const fixedCredentials = config.credentials !== undefined;
    const client = new S3ClientClass(config);
    addContentMd5ToDeleteObjects(client);
    if (this.#settings.requestPayer) sayRequesterPays(client);
    trimErrorsIn200(client);
    // The lean path holds the credentials in use: a retry's notice stars them.
    const made: { lean?: S3Fetch } = {};
    noticeSdkRetries(client, this.#settings.maxAttempts, () => made.lean?.secrets() ?? []);
    capSdkResponseBodies(
      client,
      "vcTrimErrorsIn200",
      MAX_SDK_BODY_BYTES,
      this.#settings.requestTimeoutMs * SDK_BODY_TIMEOUTS,
    );
    const explicit = this.#options.credentials;
    const credentials: CredentialSource = this.#settings.anonymous
      ? noCredentials
      : explicit !== undefined
      ? () => Promise.resolve(explicit)
      : (options) => client.config.credentials(options);
    // One lean path per store: the one made without the SDK, if any, stays.
    const lean = this.#leanReady ?? this.#leanFetch(region, credentials, fixedCredentials);
    made.lean = lean;
    this.#leanReady = undefined;
    return { client, lean, region, fixedCredentials };
  }

  /** `inBody`: the key travels in a request body, where `.` segments are safe. */
  #fullKey(key: string, { inBody = false }: { inBody?: boolean } = {}): string {
    if (typeof key !== "string" || key === "") {
      throw new InvalidInputError(`empty key in ${this.url}`);
    }
    if (!inBody || !key.isWellFormed()) checkKey(key, this.url);
    const full = this.prefix === "" ? key : `${this.prefix}/${key}`;
    // S3 answers 400 KeyTooLongError past 1024 bytes, but only after a put
    // has sent its whole body (a mirror sent such a file again every run).
    checkObjectKey(full, this.url, { byName: true }); // dot segments: checkKey above
    return full;
  }

  /**
   * A listing's `startAfter` under the store's prefix: checked as a key is,
   * but a position past the longest key (the store's prefix before a
   * relative one of 1,024 bytes) is not refused as too long: S3 lists from
   * its first 1,024 bytes (see `listPosition`).
   */
  #fullPosition(startAfter: string): string {
    checkKey(startAfter, this.url);
    return listPosition(this.prefix === "" ? startAfter : `${this.prefix}/${startAfter}`);
  }

  /**
   * The bucket's `NotFoundError` when the bucket itself does not exist, for
   * a HEAD of `key` answered 404: a HEAD's answer has no body to say
   * NoSuchBucket, so a mistyped bucket read as a missing key. Asked of a
   * listing of the key (its 404 says which); undefined when the bucket is
   * there, or the listing cannot tell (no s3:ListBucket). Only on the way
   * to an error: a found key costs nothing.
   */
  async #missingBucket(key: string): Promise<NotFoundError | undefined> {
    try {
      for await (const _ of this.listPages(key)) break;
    } catch (error) {
      if (error instanceof NotFoundError) return error;
    }
    return undefined;
  }

  #fullPrefix(prefix: string): string {
    if (prefix !== "") checkKey(prefix, this.url);
    return this.prefix === "" ? prefix : `${this.prefix}/${prefix}`;
  }

  #relative(fullKey: string): string {
    return this.prefix === "" ? fullKey : fullKey.slice(this.prefix.length + 1);
  }

  #uri(fullKey: string): string {
    return `s3://${this.bucket}/${fullKey}`;
  }

  #writeHeaders(options: PutOptions): Record<string, string> {
    const headers: Record<string, string> = {};
    if (options.contentType !== undefined) headers["content-type"] = options.contentType;
    for (const [k, v] of Object.entries(options.metadata ?? {})) {
      headers[`x-amz-meta-${k.toLowerCase()}`] = encodeMetadataValue(v);
    }
    if (options.ifNoneMatch !== undefined) headers["if-none-match"] = options.ifNoneMatch;
    if (options.ifMatch !== undefined) headers["if-match"] = quoteEtag(options.ifMatch);
    return headers;
  }

  /**
   * The object info a response's headers tell. With `unsized` (a GET), an
   * answer that does not tell the object's size (no Content-Length, no
   * Content-Range total) is an `IntegrityError` with its message: read as
   * size 0, its body would be blamed on the object.
   */
  #infoFromHeaders(
    key: string,
    headers: ReplyHeaders,
    status: number,
    unsized?: () => string,
  ): ObjectInfo {
    // One pass over the headers: for a fetch `Headers`, each get() costs
    // about as much as the whole forEach (and iterating it ten times more).
    let length: string | undefined;
    let contentRange = "";
    let etag = "";
    let lastModified: string | undefined;
    let contentType: string | undefined;
    let contentEncoding: string | undefined;
    let encryption = "";
    let customerKey = false;
    let checksum: [ChecksumAlgorithm, string] | undefined;
    let checksumType: string | undefined;
    let googHash: string | undefined;
    // Google Cloud Storage answers user metadata as x-goog-meta-*, also
    // metadata sent as x-amz-meta-* (its vc-md5 was not seen).
    let googMetadata: Record<string, string> | undefined;
    let googStoredEncoding = "";
    let storageClass = "";
    let archiveStatus = "";
    let restore = "";
    const metadata: Record<string, string> = {};
    // Whether any of a store's own headers came (S3's x-amz-request-id,
    // x-amz-meta-*, x-amzn-*; Google's x-goog-*, Azure's x-ms-*). Not every
    // S3-compatible store sends one (Garage's GET and HEAD of an object
    // without user metadata carry none): the rule below also needs an ETag
    // that is no MD5 and no multipart ETag, which Garage never makes (an
    // MD5, a multipart ETag, or under SSE-C 32 random hex digits).
    let s3Headers = false;
    headers.forEach((value, name) => {
      if (
        !s3Headers &&
        (name.startsWith("x-amz") || name.startsWith("x-goog-") || name.startsWith("x-ms-"))
      ) {
        s3Headers = true;
      }
      switch (name) {
        case "x-amz-storage-class":
          storageClass = value.trim();
          break;
        case "x-amz-archive-status":
          archiveStatus = value.trim();
          break;
        case "x-amz-restore":
          restore = value;
          break;
        case "content-length":
          length = value;
          break;
        case "content-range":
          contentRange = value;
          break;
        case "etag":
          etag = value;
          break;
        case "last-modified":
          // Empty (a gateway writing the header for a time it does not
          // know): says what none says, not a date to refuse.
          if (value.trim() !== "") lastModified = value;
          break;
        case "content-type":
          contentType = value;
          break;
        case "content-encoding":
          contentEncoding = value;
          break;
        case "x-amz-server-side-encryption":
          encryption = value;
          break;
        case "x-amz-server-side-encryption-customer-algorithm":
          customerKey = true;
          break;
        case "x-amz-checksum-type":
          checksumType = value;
          break;
        case "x-goog-hash":
          googHash = value;
          break;
        case "x-goog-stored-content-encoding":
          googStoredEncoding = value.trim().toLowerCase();
          break;
        default:
          if (name.startsWith("x-amz-checksum-") && CHECKSUM_HEADERS[name] !== undefined) {
            checksum = [CHECKSUM_HEADERS[name], value];
          }
          if (name.startsWith("x-amz-meta-")) {
            metadata[name.slice("x-amz-meta-".length)] = decodeMetadataValue(value);
          } else if (name.startsWith("x-goog-meta-")) {
            (googMetadata ??= {})[name.slice("x-goog-meta-".length)] = decodeMetadataValue(value);
          }
      }
    });
    if (googMetadata !== undefined) {
      for (const [name, value] of Object.entries(googMetadata)) {
        if (!Object.hasOwn(metadata, name)) metadata[name] = value;
      }
    }
    let size = length === undefined ? undefined : Number(length);
    if (status === 206) {
      const total = /\/(\d+)\s*$/.exec(contentRange)?.[1];
      size = total === undefined ? undefined : Number(total);
      // Not "no Content-Length": the answer may well have one.
      if (size === undefined && unsized !== undefined) {
        throw new IntegrityError(
          `${this.#uri(this.#fullKey(key))}: the store answered a ranged GET with 206 but ${
            contentRange === ""
              ? "no Content-Range"
              : `the Content-Range ${JSON.stringify(contentRange)}, without the total`
          }, so the object's size is unknown and its bytes cannot be verified`,
        );
      }
    }
    if (size === undefined) {
      if (unsized !== undefined) throw new IntegrityError(unsized());
      size = 0;
    }
    // A size past 2^53 (or negative) is no object's (S3's largest is 5 TiB):
    // a download would plan ranges for it without end, until memory ran out.
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new IntegrityError(
        `${
          this.#uri(this.#fullKey(key))
        }: refusing the store's answer: it gives the object's size as ${
          JSON.stringify(status === 206 ? contentRange : length)
        }, which no object has`,
      );
    }
    // An Invalid Date handed on breaks every reader of it (`toISOString`
    // throws a RangeError far from here; an age check is never true).
    const modified = new Date(lastModified ?? 0);
    if (Number.isNaN(modified.getTime())) {
      throw new IntegrityError(
        `${this.#uri(this.#fullKey(key))}: refusing the store's answer: its Last-Modified ${
          JSON.stringify(lastModified!.slice(0, 60))
        } is no date`,
      );
    }
    const info: ObjectInfo = {
      key,
      size,
      // A weak ETag keeps its `W/`: it says nothing about the bytes (verify.ts).
      etag: etag.trim().startsWith("W/") ? `W/${normalizeEtag(etag)}` : plainEtag(etag),
      lastModified: modified,
      metadata,
    };
    if (contentType !== undefined) info.contentType = contentType;
    const coding = contentEncoding?.trim();
    if (coding !== undefined && coding !== "" && coding.toLowerCase() !== "identity") {
      info.contentEncoding = coding;
    }
    // What hasOpaqueEtag (s3_request.ts) tells from a Headers.
    if (encryption.startsWith("aws:kms") || customerKey || googHashDenies(googHash, etag)) {
      info.opaqueEtag = true;
    }
    // A web page with a strong ETag that is no content hash, and none of
    // S3's headers: a captive portal's or a proxy's own page (nginx gives
    // every static file an ETag, `"<mtime>-<size>"`), which the check by
    // size alone that such an ETag gets would pass as the object.
    if (
      !s3Headers && isWebPageType(contentType ?? null) && parseEtag(info.etag).kind === "opaque"
    ) {
      const raw = etag.trim();
      if (raw !== "" && !raw.startsWith("W/")) {
        throw new IntegrityError(
          `${this.#uri(this.#fullKey(key))}: refusing the store's answer: a web page ` +
            `(${status}, Content-Type: ${
              contentType!.trim().slice(0, 60)
            }) with an ETag of its own ` +
            `(${raw.slice(0, 60)}) that is no MD5, and none of S3's headers (x-amz-request-id, ` +
            `x-amz-*): a captive portal's or a proxy's page, not the object`,
        );
      }
    }
    // Kept where a GET is refused until a restore: a copy restored (done,
    // `ongoing-request="false"`) reads as any other object meanwhile.
    if (!/ongoing-request\s*=\s*"false"/i.test(restore)) {
      if (storageClass === "GLACIER" || storageClass === "DEEP_ARCHIVE") {
        info.archived = storageClass;
      } else if (archiveStatus === "ARCHIVE_ACCESS" || archiveStatus === "DEEP_ARCHIVE_ACCESS") {
        info.archived = `${storageClass || "INTELLIGENT_TIERING"} (${archiveStatus})`;
      }
    }
    // A 206's checksum would be of the range (or a part), not of the object.
    if (checksum !== undefined && status !== 206) {
      const multipart = parseEtag(info.etag).kind === "multipart";
      const parsed = parseChecksum(checksum[0], checksum[1], checksumType, multipart);
      if (parsed !== undefined) info.checksum = parsed;
    }
    // Google Cloud Storage tells no x-amz-checksum-*, but its CRC32C of every
    // object (a composite one's ETag is no MD5: else it was checked by size
    // alone). Of the bytes as stored: not of an answer decoded from gzip.
    if (
      info.checksum === undefined && googHash !== undefined && status !== 206 &&
      (googStoredEncoding === "" || googStoredEncoding === "identity")
    ) {
      const parsed = googHashChecksum(googHash);
      if (parsed !== undefined) info.checksum = parsed;
    }
    return info;
  }
}

/** `normalizeEtag` of a strong ETag, without its regular expressions for the usual `"…"`. */
function plainEtag(etag: string): string {
  const n = etag.length;
  if (n >= 2 && etag.charCodeAt(0) === 0x22 && etag.charCodeAt(n - 1) === 0x22) {
    return etag.slice(1, n - 1);
  }
  return normalizeEtag(etag);
}

/**
 * Why an answer may tell no size, for its error: Google Cloud Storage's
 * decompressive transcoding when the answer says the object is stored
 * encoded (`x-goog-stored-content-encoding: gzip`: served decoded, chunked,
 * Range ignored, to a client that does not accept gzip, as vc does not), with
 * the cure; else the usual suspects.
 */
function unsizedCause(
  gsUri: string,
  ...answers: readonly ({ get(name: string): string | null } | undefined)[]
): string {
  for (const headers of answers) {
    const stored = headers?.get("x-goog-stored-content-encoding")?.trim();
    if (stored === undefined || stored === "" || stored.toLowerCase() === "identity") continue;
    return ` (x-goog-stored-content-encoding: ${stored}: Google Cloud Storage stores the ` +
      `object with Content-Encoding: ${stored} and serves it decompressed, ignoring Range, to a ` +
      `client that does not accept ${stored}, so not the bytes its size and ETag describe; set ` +
      `Cache-Control: no-transform on the object to have it served as stored (gcloud storage ` +
      `objects update ${gsUri} --cache-control=no-transform)`;
  }
  return " (is a proxy on the way re-chunking responses, or a server speaking HTTP/1.0?)";
}

/**
 * The ETag of a write's answer, `undefined` when it has none or an empty one
 * (`""`, `W/""`: a proxy or a server answering for S3): passed on, `""` was
 * recorded as the object's ETag by a cache, a mirror, a repository.
 */
function answeredEtag(etag: string | null | undefined): string | undefined {
  return etag === null || etag === undefined || normalizeEtag(etag.trim()) === ""
    ? undefined
    : etag;
}

/**
 * The version id a write was answered with (`x-amz-version-id`), when it
 * names one this store can delete alone: `null` (a bucket with versioning
 * suspended) is every unversioned write's, so none.
 */
function answeredVersionId(id: string | null | undefined): string | undefined {
  const trimmed = id?.trim();
  return trimmed === undefined || trimmed === "" || trimmed === "null" ? undefined : trimmed;
}

// S3's smallest part, but for the last (EntityTooSmall at the completion).
const MIN_PART_SIZE = 5 * 1024 * 1024;

function sizeWithMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${bytes} bytes${Number.isInteger(mib) ? ` (${mib} MiB)` : ""}`;
}

/**
 * AWS refuses any part but the last under 5 MiB, and only at the
 * completion, after every byte was sent: a part size under that is refused
 * before any request when the store is AWS's own (another endpoint may take
 * smaller parts: its completion says so, see {@linkcode partTooSmallError}).
 */
function refuseSmallAwsParts(options: S3StoreOptions): void {
  for (const name of ["partSize", "copyPartSize"] as const) {
    const size = options[name];
    if (size === undefined || !(size < MIN_PART_SIZE)) continue;
    throw new InvalidInputError(
      `S3Store option ${name}=${size} is under 5 MiB (${MIN_PART_SIZE} bytes), the smallest ` +
        `part AWS S3 takes (but for the last): every multipart upload would be refused ` +
        `(EntityTooSmall) after all of its parts were sent`,
    );
  }
}

/**
 * A completion refused with EntityTooSmall (a part but the last under the
 * server's smallest, 5 MiB on S3) said in terms of the option that set the
 * parts' size; S3's own words name neither. `undefined` for any other error.
 */
function partTooSmallError(
  error: unknown,
  option: { name: string; size: number },
): StoreError | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (!(error instanceof StoreError) || (cause as { name?: unknown })?.name !== "EntityTooSmall") {
    return undefined;
  }
  return new StoreError(
    `${error.message}: the S3Store option ${option.name} is ${sizeWithMiB(option.size)}, under ` +
      `the server's smallest part but the last (5 MiB on S3 and MinIO): set it to at least 5 MiB`,
    { cause },
  );
}

/** The region of the active AWS profile (as the SDK resolves it), else us-east-1. */
async function profileRegion(profile: string | undefined): Promise<string> {
  const probe = new S3ClientClass(profile === undefined ? {} : { profile });
  try {
    return await probe.config.region();
  } catch {
    return "us-east-1";
  } finally {
    probe.destroy();
  }
}

/**
 * The first key a DeleteObjects answer names as deleted that `asked` does not
 * hold (compared without surrounding whitespace, which an XML reader may drop).
 */
function strangerDeleted(
  deleted: readonly { Key?: string | undefined }[],
  asked: readonly string[],
): string | undefined {
  if (deleted.length === 0) return undefined;
  const keys = new Set(asked.map((k) => k.trim()));
  const found = deleted.find((d) => d.Key === undefined || !keys.has(d.Key.trim()));
  return found === undefined ? undefined : (found.Key ?? "(no key)");
}

// Set by trimErrorsIn200 on the 200 answers whose body the SDK may take for an <Error>.
const ERROR_IN_200_HEADER = "x-vc-answered-200";

// Answered 200 with the result, or an <Error>, in the body. DeleteObjects
// too: its per-key failures are <Error> children of <DeleteResult>, so a
// whole-request <Error> the SDK misses reads as "no key failed".
const ANSWER_IN_BODY = new Set([
  "CompleteMultipartUploadCommand",
  "CopyObjectCommand",
  "DeleteObjectsCommand",
  "UploadPartCopyCommand",
]);

/**
 * S3 answers CompleteMultipartUpload, copies and DeleteObjects 200 and may
 * put an `<Error>` in the body; the SDK takes it for one only when the body's last bytes are
 * `</Error>`, so an error followed by a newline (some S3-compatible servers
 * and proxies) was read as a result without an ETag: never retried, even an
 * InternalError. The body's trailing whitespace is dropped before the SDK
 * looks (XML does not care).
 */
function trimErrorsIn200(client: S3Client): void {
  type Handler = (args: unknown) => Promise<{ response: unknown }>;
  const middleware =
    (next: Handler, context: { commandName?: string }): Handler => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (
        !ANSWER_IN_BODY.has(context.commandName ?? "") || response.statusCode !== 200 ||
        response.body === undefined
      ) {
        return result;
      }
      const bytes: Uint8Array = response.body instanceof Uint8Array
        ? response.body
        : await client.config.streamCollector(response.body);
      let end = bytes.length;
      while (end > 0 && isXmlSpace(bytes[end - 1]!)) end--;
      response.body = bytes.subarray(0, end);
      // The SDK turns the 200 into a 503 when the body is an <Error>: mark
      // the answer so that the message says what the server really sent.
      const headers = (response as { headers?: Record<string, string> }).headers;
      if (
        headers !== undefined &&
        new TextDecoder().decode(bytes.subarray(Math.max(0, end - 16), end)).endsWith("</Error>")
      ) {
        headers[ERROR_IN_200_HEADER] = "1";
      }
      return result;
    };
  client.middlewareStack.addRelativeTo(
    middleware as unknown as Parameters<S3Client["middlewareStack"]["addRelativeTo"]>[0],
    {
      name: "vcTrimErrorsIn200",
      relation: "after",
      toMiddleware: "throw200ExceptionsMiddleware",
    },
  );
}

function isXmlSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * A requester-pays bucket refuses any request that does not say the
 * requester pays: the SDK's requests (copies, batch deletes, multipart
 * uploads) say it too, signed as the lean path's are.
 */
function sayRequesterPays(client: S3Client): void {
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers[REQUEST_PAYER_HEADER] = "requester";
      return next(args);
    },
    { step: "build", name: "vcRequestPayer" },
  );
}

/**
 * Older MinIO, Ceph and other S3-compatible servers insist on Content-MD5 for
 * DeleteObjects, which the SDK no longer sends (it sends CRC32 instead).
 */
function addContentMd5ToDeleteObjects(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (
        context.commandName === "DeleteObjectsCommand" && request.headers !== undefined &&
        (typeof request.body === "string" || request.body instanceof Uint8Array)
      ) {
        request.headers["content-md5"] = hexToBase64(md5Hex(request.body));
      }
      return next(args);
    },
    { step: "build", name: "vcDeleteObjectsContentMd5" },
  );
}

/**
 * How many times the SDK sent the request that failed with `error` (its
 * cause's `$metadata.attempts`; 1 when it does not say): more than 1, a
 * conflict may be the first attempt's own write, its answer lost.
 */
function sdkAttempts(error: { cause?: unknown }): number {
  const attempts = (error.cause as { $metadata?: { attempts?: unknown } } | undefined)
    ?.$metadata?.attempts;
  return typeof attempts === "number" ? attempts : 1;
}

/**
 * The 404 NoSuchUpload `error` of a CompleteMultipartUpload the SDK sent
 * again after its first answer was lost, when reading the key back to see
 * whether that first one completed failed: still a `NotFoundError` (the
 * upload is gone), saying the upload may have completed, that this could
 * not be confirmed and why, the read back's error as the cause.
 */
function completionUnconfirmed(error: unknown, readBack: unknown): NotFoundError {
  return new NotFoundError(
    `${(error as Error).message}; the completion was sent again after its first answer was ` +
      `lost, so the upload may have completed, but that could not be confirmed: reading it ` +
      `back failed: ${(readBack as Error | undefined)?.message ?? String(readBack)}`,
    { cause: readBack },
  );
}

/**
 * The 412 `error` of a create-only write sent again after its first answer
 * was lost, when reading the key back to tell `ours` (the first attempt's
 * own object) from another writer's failed: still "already exists", saying
 * the check could not be made and why, the read back's error as the cause.
 */
function readBackFailed(error: unknown, ours: string, readBack: unknown): PreconditionFailedError {
  return new PreconditionFailedError(
    `${(error as Error).message}; whether it holds ${ours} (its answer lost) is unknown: ` +
      `reading it back failed: ${(readBack as Error | undefined)?.message ?? String(readBack)}`,
    { cause: readBack },
  );
}

/**
 * A failed batch request's error as one of its keys' own: `subject` (the
 * batch, as its message names it) replaced by `DELETE uri`, the class and
 * status kept, the batch's error its cause.
 */
function keyError(error: Error, subject: string, uri: string): Error {
  if (!error.message.startsWith(subject)) return error;
  const text = `DELETE ${uri}${error.message.slice(subject.length)}`;
  if (error instanceof AccessDeniedError) return new AccessDeniedError(text, { cause: error });
  if (error instanceof OfflineError) return new OfflineError(text, { cause: error });
  if (error instanceof StoreError) {
    return new StoreError(text, {
      cause: error,
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  return error;
}
