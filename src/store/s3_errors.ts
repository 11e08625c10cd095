/**
 * Turning S3 responses and network failures into vc's error classes, for both
 * the lean fetch path and the SDK path, so that callers see the same
 * `NotFoundError` / `AccessDeniedError` / ... whichever path served them.
 *
 * @module
 */
import { REQUEST_TIMEOUT_HINT } from "./retry_notice.ts";
import { isWebPageType } from "../content_type.ts";
export { isWebPageType };
import { bucketNameHint } from "./bucket_name_hint.ts";
import { regionNameHint } from "./region_name_hint.ts";
import { endpointPathHint } from "./endpoint_path_hint.ts";
import { findCause, hasCause } from "../causes.ts";
import {
  AccessDeniedError,
  causeChain,
  InvalidInputError,
  NotFoundError,
  NotModifiedError,
  ObjectArchivedError,
  OfflineError,
  PreconditionFailedError,
  StoreError,
  StoreNotFoundError,
  type VcError,
} from "../errors.ts";
import { isUnreachableError } from "./retry.ts";
import { proxyFor } from "./http1_client.ts";
import { awsS3Host } from "./aws_partition.ts";
import { awsEndpoint } from "./s3_config.ts";
import { isProxyAuthRefusal, proxyRefusalText } from "./proxy_refusal.ts";
import { redactSecrets, redactUrl } from "../redact.ts";
import { noCredentialsError, refusedCredentialsError } from "./no_credentials.ts";
import type { S3ErrorDetails } from "./s3_xml.ts";

/** What a failed request was doing, for error messages. */
export interface S3RequestContext {
  /** Operation name, e.g. `GET`, `PUT`, `LIST`, `CompleteMultipartUpload`. */
  operation: string;
  /** The object (or prefix) URI, `s3://bucket/key`. */
  uri: string;
  /** The bucket name. */
  bucket: string;
  /** Endpoint URL the request went to. */
  endpoint: string;
  /**
   * The setting that named `endpoint` (`AWS_ENDPOINT_URL_S3`, a profile's
   * `endpoint_url` with its file and line), so an endpoint that cannot be
   * reached is traced to where it was configured; unset for AWS itself.
   */
  endpointSource?: string | undefined;
  /** Region the request was signed for. */
  region: string;
  /** Where the credentials came from (no secrets). */
  credentialSource: string;
  /** Access key ID used, when known. */
  accessKeyId?: string | undefined;
  /**
   * The secrets the request was signed with (the secret key, the session
   * token), never shown: a server or proxy that echoes the request back in
   * its error (`x-amz-security-token: …`) has them starred in the message.
   */
  secrets?: readonly (string | undefined)[] | undefined;
  /** What a 412 means for this request, e.g. `If-None-Match: *`. */
  condition?: string | undefined;
  /** The `Range` header sent, if any. */
  range?: string | undefined;
  /**
   * A conditional write with `If-Match`: S3 answers 404 NoSuchKey when the key
   * is missing, which for compare-and-swap is a failed precondition.
   */
  missingIsPrecondition?: boolean | undefined;
  /** The CA bundle https requests trusted, `file (setting)`, when one is set. */
  caBundle?: string | undefined;
  /** The request went unsigned (`VC_S3_ANONYMOUS`): a refusal is the bucket's, not the credentials'. */
  anonymous?: boolean | undefined;
  /** The request said the requester pays (`VC_S3_REQUEST_PAYER`). */
  requestPayer?: boolean | undefined;
}

const REFUSED_CREDENTIAL_CODES = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
]);

// Refusals of the credentials themselves, never of one key (see s3HttpError).
const STORE_WIDE_REFUSAL_CODES = new Set([
  "InvalidAccessKeyId",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
]);

/**
 * Whether S3 refused a request's credentials in a way new ones from the
 * same source may mend: temporary credentials expired (`ExpiredToken`,
 * `TokenRefreshRequired`) or replaced (`InvalidToken`), or a key rotated
 * away (`InvalidAccessKeyId`: the file or process they came from may hold
 * its successor by now). A long-running vc asks its credential source
 * again, once, before failing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renewableCredentialCode } from "./s3_errors.ts";
 * assert(renewableCredentialCode("ExpiredToken"));
 * assert(renewableCredentialCode("InvalidAccessKeyId"));
 * assert(!renewableCredentialCode("AccessDenied"));
 * ```
 */
export function renewableCredentialCode(code: string | undefined): boolean {
  return code !== undefined && RENEWABLE_CREDENTIAL_CODES.has(code);
}

const RENEWABLE_CREDENTIAL_CODES = new Set([
  "ExpiredToken",
  "TokenRefreshRequired",
  "InvalidToken",
  "InvalidAccessKeyId",
]);

/**
 * Whether an answer is a HEAD refused with a bare 400: no error code (a HEAD
 * has no body) and no `x-amz-bucket-region` (that is a wrong region). S3
 * answers so to a HEAD signed with expired temporary credentials, where any
 * other request gets `ExpiredToken`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bareHeadRefusal } from "./s3_errors.ts";
 * assert(bareHeadRefusal("HEAD", 400, {}));
 * assert(!bareHeadRefusal("HEAD", 400, { region: "eu-west-1" }));
 * assert(!bareHeadRefusal("GET", 400, {}));
 * ```
 */
export function bareHeadRefusal(method: string, status: number, details: S3ErrorDetails): boolean {
  return method === "HEAD" && status === 400 && details.code === undefined &&
    details.region === undefined;
}

/**
 * The vc error for an S3 error response: 404 → `NotFoundError`, 304 →
 * `NotModifiedError`, 412 → `PreconditionFailedError`, 401/403 (and 400
 * `ExpiredToken`) → `AccessDeniedError` but for 403 `InvalidObjectState` (an
 * archived object: `StoreError` naming its storage class), 416 →
 * `InvalidInputError`, anything else → `StoreError` with `status`. Messages
 * name the `s3://` URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3HttpError } from "./s3_errors.ts";
 * import { NotFoundError } from "../errors.ts";
 * const e = s3HttpError(404, { code: "NoSuchKey" }, {
 *   operation: "GET", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9000",
 *   region: "us-east-1", credentialSource: "options",
 * });
 * assert(e instanceof NotFoundError && e.message.includes("s3://b/k"));
 * ```
 */
export function s3HttpError(
  status: number,
  details: S3ErrorDetails,
  ctx: S3RequestContext,
  cause?: unknown,
): VcError {
  const error = httpError(status, details, ctx, cause);
  const region = regionAnswered(status, details);
  if (region !== undefined) answeredRegions.set(error, region);
  return error;
}

/**
 * The region an S3 error answer says the bucket is in: a redirect (301,
 * 307, by its `x-amz-bucket-region`, `<Region>`, or the AWS host it points
 * to), `AuthorizationHeaderMalformed` and the like, a HEAD's bare 400 with
 * the header; else undefined.
 */
function regionAnswered(status: number, details: S3ErrorDetails): string | undefined {
  const code = details.code;
  // A redirect without x-amz-bucket-region (S3's 307 for a new bucket, a
  // proxy that drops the header) still names the region in the host it
  // points to: b.s3.eu-west-2.amazonaws.com, s3-eu-west-2, s3.dualstack.….
  const bucketRegion = details.region ??
    (status >= 300 && status < 400
      ? awsRegionOfHost(details.location ?? details.endpoint)
      : undefined);
  // A HEAD has no body: S3 answers one in the wrong region with a bare
  // 400 (or 301) and only the x-amz-bucket-region header.
  return status === 301 || status === 307 || (status === 400 && code === undefined) ||
      code === "AuthorizationHeaderMalformed" || code === "PermanentRedirect" ||
      code === "IllegalLocationConstraintException"
    ? bucketRegion
    : undefined;
}

// The region each error made of a region answer names (see regionAnswered).
const answeredRegions = new WeakMap<object, string>();

/**
 * The region S3 said the bucket is in, when `error` was made of such an
 * answer (a 301 PermanentRedirect, a 400 AuthorizationHeaderMalformed, a
 * HEAD's bare 301 or 400 with `x-amz-bucket-region`): the region the
 * request is to be signed for to be answered. Whether it differs from the
 * region the request was signed for is the caller's to tell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answeredRegion, s3HttpError } from "./s3_errors.ts";
 * const ctx = {
 *   operation: "HEAD", uri: "s3://b/k", bucket: "b", endpoint: "https://s3.us-east-1.amazonaws.com",
 *   region: "us-east-1", credentialSource: "options",
 * };
 * assert.equal(answeredRegion(s3HttpError(301, { region: "eu-west-1" }, ctx)), "eu-west-1");
 * assert.equal(answeredRegion(s3HttpError(404, { code: "NoSuchKey" }, ctx)), undefined);
 * ```
 */
export function answeredRegion(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? answeredRegions.get(error) : undefined;
}

function httpError(
  status: number,
  details: S3ErrorDetails,
  ctx: S3RequestContext,
  cause?: unknown,
): VcError {
  const options: ErrorOptions = cause === undefined ? {} : { cause };
  const secrets = ctx.secrets ?? [];
  // The SDK's error (the cause, shown by --verbose) says what the server said too.
  if (cause instanceof Error) cause.message = redactSecrets(cause.message, secrets);
  // An <Error> in a 200's body has no status of its own: the status (the
  // SDK's 503, so that it is retried) is not what the server said.
  const what = redactSecrets(
    `${details.in200 ? "the server answered 200 OK with an <Error> in the body:" : status}${
      details.code ? ` ${details.code}` : ""
    }${details.message ? `: ${details.message}` : ""}${
      details.requestId ? ` (request id ${details.requestId})` : ""
    }`,
    secrets,
  );
  const code = details.code;
  if (status === 407) return proxyRefusal(ctx, options);
  if (status === 404) {
    if (code === "NoSuchBucket") {
      return new StoreNotFoundError(
        `bucket s3://${ctx.bucket} does not exist at ${ctx.endpoint} (${ctx.operation} ${ctx.uri}: ${what})${
          bucketNameHint(ctx.bucket)
        }`,
        options,
      );
    }
    if (ctx.missingIsPrecondition && code !== "NoSuchUpload") {
      return new PreconditionFailedError(
        `${ctx.operation} ${ctx.uri}: precondition failed, the key does not exist${
          ctx.condition ? ` (${ctx.condition})` : ""
        }: ${what}`,
        options,
      );
    }
    if (code === "NoSuchUpload") {
      return new NotFoundError(
        `${ctx.operation} ${ctx.uri}: the multipart upload no longer exists (${what})`,
        options,
      );
    }
    return new NotFoundError(
      `${ctx.uri} does not exist (${ctx.operation}: ${what})${
        endpointPathHint(ctx.endpoint, ctx.bucket)
      }`,
      options,
    );
  }
  if (status === 304) {
    return new NotModifiedError(`${ctx.uri} is not modified (${ctx.operation}: ${what})`, options);
  }
  if (status === 412) {
    const condition = ctx.condition ? `, ${ctx.condition}` : "";
    return new PreconditionFailedError(
      `${ctx.operation} ${ctx.uri}: precondition failed${condition}: ${what}`,
      options,
    );
  }
  if (status === 416) {
    return new InvalidInputError(
      `${ctx.operation} ${ctx.uri}: range ${ctx.range ?? "(none)"} is not satisfiable (${what})`,
      options,
    );
  }
  if (code === "InvalidObjectState") {
    // A 403, but no matter of credentials: the object is archived (a
    // lifecycle rule moved it to Glacier), and no retry or permission reads
    // it until it is restored. Said so, rather than "access denied" (which
    // sent users to their IAM policy).
    const tier = details.accessTier ? `, access tier ${details.accessTier}` : "";
    return new ObjectArchivedError(
      `${ctx.operation} ${ctx.uri}: the object is archived (storage class ${
        details.storageClass ?? "GLACIER or DEEP_ARCHIVE"
      }${tier}) and cannot be read until it is restored: restore it first (aws s3api ` +
        `restore-object; it takes minutes to hours), then try again (${what})`,
      { ...options, status },
    );
  }
  if (
    (status === 501 || code === "NotImplemented") && ctx.condition !== undefined &&
    ctx.operation !== "GET" && ctx.operation !== "HEAD"
  ) {
    // A store without conditional writes (S3 before 2024, older
    // S3-compatible servers): "a header you provided implies functionality
    // that is not implemented" names no header, nor why vc sent one.
    const header = /\(([^()]*)\)$/.exec(ctx.condition)?.[1] ?? ctx.condition;
    return new StoreError(
      `${ctx.operation} ${ctx.uri} failed: ${ctx.endpoint} does not support conditional writes ` +
        `(${header}), which vc sends so that a write never replaces an object it did not expect ` +
        `(a create-only publish, a compare-and-swap): use a store that supports them (${what})`,
      { ...options, status },
    );
  }
  const key = ctx.accessKeyId ? ` (access key ${ctx.accessKeyId})` : "";
  if (code === "RequestTimeTooSkewed") {
    return new AccessDeniedError(
      `${ctx.operation} ${ctx.uri}: the local clock differs too much from the server's (${what})`,
      options,
    );
  }
  if ((status === 401 || status === 403) && ctx.anonymous) {
    // No credentials were sent, so none can be blamed: the bucket (or this
    // key, or listing it) is not open to anyone.
    return new AccessDeniedError(
      `${ctx.operation} ${ctx.uri}: access denied (${what}): the request was sent unsigned ` +
        `(${ctx.credentialSource}) and bucket ${ctx.bucket} does not allow that: it is not ` +
        `public, or not for this ${ctx.operation === "LIST" ? "listing" : "key"}; set AWS ` +
        `credentials and turn unsigned requests off`,
      options,
    );
  }
  if (
    status === 401 || status === 403 || (code !== undefined && REFUSED_CREDENTIAL_CODES.has(code))
  ) {
    const why = code !== undefined && REFUSED_CREDENTIAL_CODES.has(code)
      ? `the credentials from ${ctx.credentialSource}${key} were refused`
      : `the credentials from ${ctx.credentialSource}${key} are not allowed to do this${
        // S3 refuses a read of a missing key so (not 404) when the
        // credentials may not list the bucket: a misspelt key, not the policy.
        ctx.operation === "HEAD" || ctx.operation === "GET"
          ? " (S3 also answers 403 for a missing key without s3:ListBucket)"
          : ""}${
        // A requester-pays bucket answers a plain 403 AccessDenied, nothing
        // more, to a read that does not say the requester pays (a bucket
        // one writes to is one's own: its owner pays).
        status === 403 && (code === "AccessDenied" || code === undefined) && !ctx.requestPayer &&
          (ctx.operation === "HEAD" || ctx.operation === "GET" || ctx.operation === "LIST")
          ? `; a requester-pays bucket also refuses requests that do not say the requester pays: ` +
            "set VC_S3_REQUEST_PAYER=1 (the aws CLI's --request-payer requester)"
          : ""}`;
    const message = `${ctx.operation} ${ctx.uri}: access denied (${what}): ${why}`;
    // Credentials refused whatever the key (a key rotated away, a session
    // token expired or revoked, still so once asked for afresh) are refused
    // for every request of the store, as missing ones are: a run over many
    // items says it once and tries no more (`SignatureDoesNotMatch` is not
    // one: a key of its own may be signed otherwise than a server checks).
    // A signature refused (a wrong secret key) is marked with what was
    // refused, so a run whose first items of the store are all refused alike
    // stops asking. A refusal by policy (`AccessDenied`, a 403 with no code)
    // is not: it may be of the run's first keys only (a policy on a prefix,
    // missing keys without s3:ListBucket), and every run would stop at them.
    if (code !== undefined && STORE_WIDE_REFUSAL_CODES.has(code)) {
      return noCredentialsError(message, options);
    }
    return code === undefined || !REFUSED_CREDENTIAL_CODES.has(code)
      ? new AccessDeniedError(message, options)
      : refusedCredentialsError(
        message,
        { code: `${status} ${code}`, credentials: `${ctx.credentialSource}${key}` },
        options,
      );
  }
  const bucketRegion = regionAnswered(status, details);
  if (bucketRegion !== undefined && bucketRegion !== ctx.region) {
    return new StoreError(
      `${ctx.operation} ${ctx.uri}: bucket ${ctx.bucket} is in region ${bucketRegion}, not ${ctx.region}: ${
        regionAdvice(bucketRegion, ctx)
      } (${what})`,
      { ...options, status },
    );
  }
  if (status >= 300 && status < 400) {
    // vc does not follow redirects (a signed request must not go elsewhere):
    // say where the server pointed, even when it sent no XML body.
    const target = details.location ?? details.endpoint;
    // Only S3's own redirect documents name an endpoint to use: a bare
    // Location may be a proxy's or a captive portal's login page.
    // One that sends the object's own request elsewhere (`http:` to
    // `https:`, a base path added) names the endpoint it moved to, or is a loop.
    const endpoint = target === undefined
      ? undefined
      : code === "PermanentRedirect" || code === "TemporaryRedirect"
      ? redirectEndpoint(target, ctx)
      : sameObjectEndpoint(target, ctx);
    const loop = endpoint !== undefined && sameEndpoint(endpoint, ctx.endpoint);
    return new StoreError(
      `${ctx.operation} ${ctx.uri} failed: ${ctx.endpoint} redirected (${what}) to ${
        // A presigned URL there is a secret: its query values are hidden.
        target === undefined ? "an unnamed location (no Location header)" : redactUrl(target)}: ${
        loop
          ? "its own address, a redirect loop (a proxy or load balancer on the way sending the " +
            "request back?)"
          : endpoint === undefined
          ? "point the endpoint (AWS_ENDPOINT_URL) or region (AWS_REGION) there"
          : `point the endpoint there (AWS_ENDPOINT_URL=${endpoint}${
            ctx.endpointSource === undefined ? "" : `, in place of ${ctx.endpointSource}`
          })`
      }`,
      { ...options, status },
    );
  }
  const bare = bareHeadRefusal(ctx.operation, status, details);
  const expiredHint = bare
    ? ` (S3 answers a HEAD with a bare 400 when its credentials have expired: renew the ` +
      `temporary credentials from ${ctx.credentialSource}${key}, e.g. aws sso login or a new ` +
      "AWS_SESSION_TOKEN)"
    : "";
  // S3's refusal of an object stored with a customer-provided key asks for
  // "the correct parameters", which vc has no setting for.
  const sseCHint = status === 400 && code === "InvalidRequest" &&
      /stored using a form of Server Side Encryption/i.test(details.message ?? "")
    ? ": the object is encrypted with a customer-provided key (SSE-C), which vc does not " +
      "send: read it with that key (aws s3 cp --sse-c AES256 --sse-c-key fileb://KEY …) and " +
      "use the local copy"
    : "";
  const error = new StoreError(
    `${ctx.operation} ${ctx.uri} failed: ${what}${expiredHint}${sseCHint}`,
    { ...options, status },
  );
  if (bare) bareHeadErrors.add(error);
  return error;
}

const bareHeadErrors = new WeakSet<Error>();

/**
 * What to set for a bucket in `region`: the region, and where the endpoint
 * set is another region's AWS S3 host (`https://s3.amazonaws.com`,
 * `https://s3.us-east-1.amazonaws.com`), that region's host in its place:
 * S3 sends a request to another region's host off, however it is signed.
 */
function regionAdvice(region: string, ctx: S3RequestContext): string {
  const setRegion = `AWS_REGION=${region}`;
  let host: ReturnType<typeof awsS3Host>;
  try {
    host = ctx.endpointSource === undefined ? undefined : awsS3Host(new URL(ctx.endpoint).hostname);
  } catch {
    host = undefined;
  }
  if (host === undefined || host.bucket !== "" || host.accessPoint || host.region === region) {
    return `set ${setRegion} or the region option`;
  }
  return `the endpoint ${ctx.endpoint} is S3's host for ${host.region ?? "us-east-1"}: point ` +
    `it at the bucket's region (AWS_ENDPOINT_URL=${
      awsEndpoint({ useFipsEndpoint: host.fips === true }, region)
    }, in place of ${ctx.endpointSource}; or set no endpoint) and set ${setRegion}`;
}

/**
 * The region of an AWS S3 host a redirect names (a URL or a bare host:
 * `b.s3.eu-west-2.amazonaws.com`, `s3-eu-west-2.amazonaws.com`,
 * `s3.dualstack.eu-west-2.amazonaws.com`, `….amazonaws.com.cn`, an ISO region's
 * `b.s3.us-iso-east-1.c2s.ic.gov`: {@linkcode awsS3Host}), else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsRegionOfHost } from "./s3_errors.ts";
 * assert.equal(awsRegionOfHost("b.s3.eu-west-2.amazonaws.com"), "eu-west-2");
 * assert.equal(awsRegionOfHost("https://b.s3-us-gov-west-1.amazonaws.com/k?x=1"), "us-gov-west-1");
 * assert.equal(awsRegionOfHost("s3.eu-central-1.wasabisys.com"), undefined);
 * ```
 */
export function awsRegionOfHost(target: string | undefined): string | undefined {
  const host = target === undefined ? undefined : hostOf(target);
  if (host === undefined) return undefined;
  return awsS3Host(host)?.region;
}

// A redirect's target with its scheme (a Location header), not a bare
// `host[:port][/path]` (S3's <Endpoint> element).
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A redirect's target as a URL (`http:` for a bare host), if it parses. */
function targetUrl(target: string): URL | undefined {
  try {
    return new URL(HAS_SCHEME.test(target) ? target : `http://${target}`);
  } catch {
    return undefined;
  }
}

/** The host (lower case, no port) of a URL or of a bare `host[:port][/path]`. */
function hostOf(target: string): string | undefined {
  return targetUrl(target)?.hostname.toLowerCase();
}

/**
 * The endpoint URL a redirect to another S3-compatible host asks for (the
 * redirect's origin, without the bucket's own label of a virtual-hosted name),
 * in the scheme the store is reached with when only a host is given; undefined
 * for a target that is no host.
 */
function redirectEndpoint(target: string, ctx: S3RequestContext): string | undefined {
  const url = targetUrl(target);
  if (url === undefined || url.hostname === "") return undefined;
  const host = url.hostname.toLowerCase();
  const scheme = HAS_SCHEME.test(target)
    ? url.protocol
    : /^https:/i.test(ctx.endpoint)
    ? "https:"
    : "http:";
  const bucketLabel = `${ctx.bucket.toLowerCase()}.`;
  const bare = host.startsWith(bucketLabel) && host.length > bucketLabel.length
    ? host.slice(bucketLabel.length)
    : host;
  return `${scheme}//${bare.includes(":") ? `[${bare}]` : bare}${url.port ? `:${url.port}` : ""}`;
}

/**
 * The endpoint a bare redirect of an object's request moved it to: the
 * Location is the same object path-style (`/<bucket>/<key>`, after any base
 * path) or virtual-hosted (`<bucket>.host/<key>`), with no query (a
 * presigned URL is another request). Undefined for any other Location.
 */
function sameObjectEndpoint(target: string, ctx: S3RequestContext): string | undefined {
  const prefix = `s3://${ctx.bucket}/`;
  if (!HAS_SCHEME.test(target) || !ctx.uri.startsWith(prefix)) return undefined;
  const key = ctx.uri.slice(prefix.length);
  const url = targetUrl(target);
  if (url === undefined || url.hostname === "" || url.search !== "" || key === "") {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  const pathStyle = `/${ctx.bucket}/${key}`;
  if (path.endsWith(pathStyle)) {
    return `${url.protocol}//${url.host}${path.slice(0, -pathStyle.length)}`;
  }
  return path === `/${key}` && url.hostname.toLowerCase().startsWith(`${ctx.bucket.toLowerCase()}.`)
    ? redirectEndpoint(target, ctx)
    : undefined;
}

/** Whether two endpoint URLs are one (case of scheme and host, default port, trailing slash aside). */
function sameEndpoint(a: string, b: string): boolean {
  const norm = (u: string) => {
    const url = targetUrl(u);
    return url === undefined
      ? u
      : `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  };
  return norm(a) === norm(b);
}

/**
 * Whether `error` is a HEAD's bare 400 (see {@linkcode bareHeadRefusal}):
 * its cause is unsaid, and a GET of the same object names it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBareHeadRefusal, s3HttpError } from "./s3_errors.ts";
 * const ctx = {
 *   operation: "HEAD", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9000",
 *   region: "us-east-1", credentialSource: "options",
 * };
 * assert(isBareHeadRefusal(s3HttpError(400, {}, ctx)));
 * assert(!isBareHeadRefusal(s3HttpError(400, {}, { ...ctx, operation: "GET" })));
 * ```
 */
export function isBareHeadRefusal(error: unknown): boolean {
  return error instanceof Error && bareHeadErrors.has(error);
}

/**
 * Whether a response (content type `type`, body `body`) is a web page: what
 * a captive portal or a proxy's error page sends, never an S3 answer (XML,
 * or no body). Told by both: some S3 fakes label their empty answers
 * text/html.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWebPage } from "./s3_errors.ts";
 * assert(isWebPage("text/html; charset=utf-8", "<html><body>Log in</body></html>"));
 * assert(!isWebPage("text/html; charset=utf-8", ""));
 * assert(!isWebPage("application/xml", "<Error><Code>NoSuchKey</Code></Error>"));
 * ```
 */
export function isWebPage(type: string | null, body: string): boolean {
  return isWebPageType(type) &&
    /<(?:!doctype\s+html|html|head|body|title)\b/i.test(body.slice(0, 4096));
}

/**
 * Whether an error answer's body is none S3 sends: a web page (see
 * {@linkcode isWebPage}), or a body that is not XML at all (a reverse
 * proxy's plain-text `404 page not found` while the store behind it
 * restarts, an ingress's `default backend - 404`, JSON). S3 and the
 * S3-compatible servers answer errors with XML, or with no body (HEAD).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isForeignErrorBody } from "./s3_errors.ts";
 * assert(isForeignErrorBody("text/plain; charset=utf-8", "404 page not found\n"));
 * assert(!isForeignErrorBody("application/xml", "<Error><Code>NoSuchKey</Code></Error>"));
 * assert(!isForeignErrorBody(null, ""));
 * ```
 */
export function isForeignErrorBody(type: string | null, body: string): boolean {
  if (isWebPage(type, body)) return true;
  const text = body.trimStart();
  return text !== "" && !text.startsWith("<") && !/xml/i.test(type ?? "");
}

/**
 * What an error answer whose body is no S3 XML said, for its error message:
 * the start of that body (a proxy's HTML 502 page, a plain-text 500), so
 * the error tells what answered, not the status alone. Used for vc's own
 * requests and the AWS SDK's alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notS3XmlMessage } from "./s3_errors.ts";
 * assert.equal(notS3XmlMessage("Bad Gateway"), `the answer is not S3's XML: "Bad Gateway"`);
 * assert(notS3XmlMessage("x".repeat(300)).endsWith(`: "${"x".repeat(200)}"`)); // its first 200
 * ```
 */
export function notS3XmlMessage(body: string): string {
  // An echoed signature is starred before the cut: cut first, the digits
  // before the cut would stay (a few missing ones are guessed).
  return `the answer is not S3's XML: ${JSON.stringify(redactSecrets(body, []).slice(0, 200))}`;
}

/**
 * The error for an error status that came with a web page (`webPage`),
 * another body that is not S3's XML, or none where S3 sends one (`"none"`:
 * a GET's 404 or 403): not the store's answer (a 404 that says nothing of the object, a 403
 * that says nothing of the credentials), but something between vc and the
 * store. It carries no status, so the cache takes the store for
 * unreachable: a cached copy is still served, with a warning, and nothing
 * is recorded of the object (not "deleted"). Not retried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notAnS3Answer } from "./s3_errors.ts";
 * const e = notAnS3Answer(404, "text/html", {
 *   operation: "HEAD", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9",
 *   region: "us-east-1", credentialSource: "options",
 * });
 * assert(e.status === undefined && e.message.includes("captive portal"));
 * ```
 */
export function notAnS3Answer(
  status: number,
  type: string,
  ctx: S3RequestContext,
  webPage: boolean | "none" = true,
): StoreError {
  const body = webPage === "none"
    ? "no body"
    : webPage
    ? "a web page"
    : "a body that is not S3's XML";
  return answeredForS3(
    ctx,
    `${status} with ${body} (${type})`,
    "the endpoint a proxy or captive portal",
  );
}

/**
 * "OP URI: ENDPOINT answered `answered`, not S3's answer: is `who` answering
 * for S3? (check …)": the error for an answer S3 never gives, so one from
 * something on the way. No status, so the cache takes the store for
 * unreachable and serves a good cached copy with a warning, recording
 * nothing of the object; not retried, as the same thing would answer again.
 */
function answeredForS3(ctx: S3RequestContext, answered: string, who: string): StoreError {
  return Object.assign(
    new StoreError(
      `${ctx.operation} ${ctx.uri}: ${ctx.endpoint} answered ${answered}, not S3's answer: ` +
        `is ${who} answering for S3? (check AWS_ENDPOINT_URL, the proxy settings and the network)`,
    ),
    { retryable: false },
  );
}

/**
 * The error for a 304 Not Modified to a request that asked nothing
 * conditional: S3 never sends one, a proxy or cache on the way does. Like
 * {@linkcode notAnS3Answer} it carries no status (the cache takes the store
 * for unreachable and serves a good cached copy, with a warning) and is not
 * retried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unaskedNotModified } from "./s3_errors.ts";
 * const e = unaskedNotModified({
 *   operation: "HEAD", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9",
 *   region: "us-east-1", credentialSource: "options",
 * });
 * assert(e.status === undefined && e.message.includes("not conditional"));
 * ```
 */
export function unaskedNotModified(ctx: S3RequestContext): StoreError {
  return answeredForS3(
    ctx,
    "304 Not Modified to a request that was not conditional",
    "a proxy or cache on the way",
  );
}

/**
 * The error for a 412 Precondition Failed to a request that stated no
 * precondition (no `If-*` header, no `x-amz-copy-source-if-*`): S3 never
 * sends one, a proxy or gateway on the way does. As for
 * {@linkcode unaskedNotModified}, it carries no status (a revalidation
 * serves a good cached copy, with a warning) and is not retried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unaskedPreconditionFailed } from "./s3_errors.ts";
 * const e = unaskedPreconditionFailed({
 *   operation: "HEAD", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9",
 *   region: "us-east-1", credentialSource: "options",
 * });
 * assert(e.status === undefined && e.message.includes("no precondition"));
 * ```
 */
export function unaskedPreconditionFailed(ctx: S3RequestContext): StoreError {
  return answeredForS3(
    ctx,
    "412 Precondition Failed to a request with no precondition",
    "a proxy or gateway on the way",
  );
}

/**
 * The vc error for a request that got no HTTP response: `OfflineError` naming
 * the endpoint when it could not be reached (connection refused, DNS
 * failure), else `StoreError` keeping the network error as `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3NetworkError } from "./s3_errors.ts";
 * import { OfflineError } from "../errors.ts";
 * const e = s3NetworkError(new TypeError("tcp connect error: Connection refused"), {
 *   operation: "GET", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9",
 *   region: "us-east-1", credentialSource: "options",
 * });
 * assert(e instanceof OfflineError && e.message.includes("http://127.0.0.1:9"));
 * ```
 */
export function s3NetworkError(error: unknown, ctx: S3RequestContext): VcError {
  const denied = netPermissionDenial(error, ctx);
  if (denied !== undefined) return denied;
  // An https store's CONNECT answered 407 (fetch's words): the same refusal
  // as an http store's 407, and no attempt passes without credentials.
  if (isProxyAuthRefusal(error)) {
    return Object.assign(proxyRefusal(ctx, { cause: error }), { retryable: false });
  }
  const message = causeChain(error) + tlsHint(error, ctx.endpoint, ctx.caBundle);
  if (isTimeoutError(error)) {
    return new OfflineError(
      `${ctx.operation} ${ctx.uri}: timed out waiting for ${ctx.endpoint}${fromSetting(ctx)}${
        throughProxy(ctx.endpoint)
      }: ${message}${REQUEST_TIMEOUT_HINT}`,
      { cause: error },
    );
  }
  if (isUnreachableError(error)) {
    return new OfflineError(
      `${ctx.operation} ${ctx.uri}: cannot reach ${ctx.endpoint}${fromSetting(ctx)}${
        throughProxy(ctx.endpoint)
      }: ${message}${virtualHostHint(message, ctx)}${unknownRegionHint(message, ctx)}`,
      { cause: error },
    );
  }
  return new StoreError(
    `${ctx.operation} ${ctx.uri} failed${throughProxy(ctx.endpoint)}: ${message}${
      connectionCutHint(error, message)
    }${endpointNamingBucket(ctx, message.toLowerCase())}`,
    { cause: error },
  );
}

/** The proxy's 407 (see `proxy_refusal.ts`), as the store's request's error. */
function proxyRefusal(ctx: S3RequestContext, options: ErrorOptions): AccessDeniedError {
  return new AccessDeniedError(
    `${ctx.operation} ${ctx.uri}: ${proxyRefusalText(ctx.endpoint)}`,
    options,
  );
}

/**
 * Deno's refusal to connect (a script run without `--allow-net`, or with
 * another host in it), as the permission an S3 store needs, in vc's class
 * and not retried: it was a `StoreError` as if the store had failed, sent
 * again with backoff although no attempt can pass (as `sdkPermissionError`
 * in s3.ts does for env and sys).
 */
function netPermissionDenial(
  error: unknown,
  ctx: S3RequestContext,
): AccessDeniedError | undefined {
  const e = findCause(
    error,
    (e): e is Deno.errors.NotCapable =>
      e instanceof Deno.errors.NotCapable && /\bnet access\b/.test(e.message),
  );
  if (e === undefined) return undefined;
  const host = /net access to "([^"]+)"/.exec(e.message)?.[1];
  return Object.assign(
    new AccessDeniedError(
      `${ctx.operation} ${ctx.uri}: an s3:// store needs net permission to reach its ` +
        `endpoint ${ctx.endpoint} (${e.message}); run with ` +
        `--allow-net${host === undefined ? "" : ` (or --allow-net=${host})`}`,
      { cause: error },
    ),
    { retryable: false },
  );
}

/**
 * What Node's terse words for a dropped connection mean (the SDK's requests
 * go through `node:http`: `aborted`, `socket hang up`, `read ECONNRESET`),
 * which said nothing to a user; Deno's own messages already say it.
 */
function connectionCutHint(error: unknown, message: string): string {
  if (/connection/i.test(message)) return "";
  const cut = hasCause(error, (e) => {
    const code = (e as { code?: unknown }).code;
    return code === "ECONNRESET" || code === "EPIPE";
  });
  return cut
    ? " (the connection was closed before the answer was complete: the server, a proxy " +
      "or a load balancer dropped it)"
    : "";
}

/** ` (from SETTING)` when the context names where its endpoint was configured. */
function fromSetting(ctx: S3RequestContext): string {
  return ctx.endpointSource === undefined ? "" : ` (from ${ctx.endpointSource})`;
}

/**
 * A hint when a request to AWS itself (no endpoint configured) found no
 * host because its region is no AWS region (`us-east1`): the region's
 * typo, not the network, is named. Any region goes to another server.
 */
function unknownRegionHint(message: string, ctx: S3RequestContext): string {
  if (ctx.endpointSource !== undefined) return "";
  if (!/lookup|name or service|nodename|dns|resolve|no such host/i.test(message)) return "";
  return regionNameHint(ctx.region);
}

/**
 * A hint when virtual-hosted addressing sent the request to `BUCKET.HOST`
 * and that name did not resolve (`bucket.localhost` with `addressing_style =
 * virtual`: the aws CLI fails the same way, as few resolvers answer for
 * `*.localhost`): path-style addressing is the cure.
 */
function virtualHostHint(message: string, ctx: S3RequestContext): string {
  let host: string;
  try {
    host = new URL(ctx.endpoint).hostname;
  } catch {
    return "";
  }
  const virtual = `${ctx.bucket}.${host}`.toLowerCase();
  const text = message.toLowerCase();
  if (!text.includes(`//${virtual}`) && !text.includes(`${virtual}:`)) return "";
  const doubled = endpointNamingBucket(ctx, text);
  if (doubled !== "") return doubled;
  if (!/lookup|name or service|nodename|dns|resolve|no such host/.test(text)) return "";
  return ` (virtual-hosted addressing: the host ${virtual} does not resolve; use path-style ` +
    "addressing with addressing_style = path in the AWS profile's s3 section or VC_S3_PATH_STYLE=1)";
}

/**
 * A hint when the endpoint's host already starts with the bucket's name
 * (`https://BUCKET.nyc3.digitaloceanspaces.com`, a bucket's own URL pasted as
 * the endpoint) and virtual-hosted addressing sent the request (its error
 * `text`, lower case) to `BUCKET.BUCKET.HOST`: the cure is the endpoint
 * without the bucket. Path-style addressing is not: it would send
 * `BUCKET.HOST/BUCKET/KEY`, which such a store takes for the key
 * `BUCKET/KEY`. Empty otherwise.
 */
function endpointNamingBucket(ctx: S3RequestContext, text: string): string {
  let url: URL;
  try {
    url = new URL(ctx.endpoint);
  } catch {
    return "";
  }
  const bucket = ctx.bucket.toLowerCase();
  const host = url.hostname.toLowerCase();
  if (!host.startsWith(`${bucket}.`) || !host.slice(bucket.length + 1).includes(".")) return "";
  const doubled = `${bucket}.${host}`;
  if (!text.includes(`//${doubled}`) && !text.includes(`${doubled}:`)) return "";
  url.hostname = host.slice(bucket.length + 1);
  return ` (the endpoint ${ctx.endpoint} already names bucket ${ctx.bucket}, so virtual-hosted ` +
    `addressing sent the request to ${doubled}: set the endpoint without the bucket, ${
      url.href.replace(/\/+$/, "")
    }; not path-style addressing, which would put the keys under a ${ctx.bucket}/ prefix)`;
}

/**
 * ` through the proxy URL (from VARIABLE)` when requests to `endpoint` go
 * through a proxy, else empty: a proxy that is down, refuses or speaks
 * another protocol fails every request, and the message must not send the
 * user looking at a store that was never reached. Its password is redacted.
 */
function throughProxy(endpoint: string): string {
  const proxy = proxyFor(endpoint);
  return proxy === undefined
    ? ""
    : ` through the proxy ${redactUrl(proxy.url)} (from ${proxy.variable})`;
}

/**
 * Whether `error` (or a cause) is a TLS peer's certificate that no trusted
 * CA issued: rustls' words (Deno's fetch) or OpenSSL's (`node:https`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUntrustedCertificate } from "./s3_errors.ts";
 * assert(isUntrustedCertificate(new TypeError("x", { cause: new Error("invalid peer certificate: UnknownIssuer") })));
 * assert(!isUntrustedCertificate(new Error("connection refused")));
 * ```
 */
export function isUntrustedCertificate(error: unknown): boolean {
  return /UnknownIssuer|unable to verify the first certificate|unable to get (local )?issuer certificate|self[- ]signed certificate/i
    .test(causeChain(error));
}

/**
 * A hint when an `https://` endpoint answered in plain HTTP (or the reverse),
 * or when its certificate's issuer is not trusted: every request trusts
 * `AWS_CA_BUNDLE` (or the profile's `ca_bundle`), as the aws CLI does.
 */
function tlsHint(error: unknown, endpoint: string, caBundle: string | undefined): string {
  const text = causeChain(error);
  if (isUntrustedCertificate(error)) {
    if (caBundle !== undefined) {
      return ` (the endpoint's certificate is not trusted, not by the CA bundle ${caBundle} either: ` +
        "does it hold the CA that issued the certificate?)";
    }
    return " (the endpoint's certificate is not trusted: for a private CA, set AWS_CA_BUNDLE " +
      "(or ca_bundle in the AWS profile) to its PEM file)";
  }
  if (!/InvalidContentType|corrupt message|wrong version number|record overflow/i.test(text)) {
    return "";
  }
  const proxy = proxyFor(endpoint);
  if (proxy !== undefined && !endpoint.startsWith("https:")) {
    // No TLS with the endpoint itself: the handshake was the proxy's.
    return ` (the proxy's TLS handshake failed: check http:// vs https:// in ${proxy.variable})`;
  }
  return endpoint.startsWith("https:")
    ? ` (the endpoint answered without TLS: use ${endpoint.replace(/^https:/, "http:")})`
    : " (the endpoint's TLS handshake failed: check http:// vs https://)";
}

/**
 * The error for a request that got no response, or no body bytes, within the
 * request timeout, or (`send`) whose server took no more of its body for
 * that long, `sent` saying how much it took: an `OfflineError` (the endpoint is as good as
 * unreachable, so the asset cache's offline fallback applies) whose message
 * names the endpoint and says "timed out" (which retry classification treats
 * as transient).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3TimeoutError } from "./s3_errors.ts";
 * import { OfflineError } from "../errors.ts";
 * const e = s3TimeoutError({
 *   operation: "GET", uri: "s3://b/k", bucket: "b", endpoint: "http://127.0.0.1:9",
 *   region: "us-east-1", credentialSource: "options",
 * }, 60_000);
 * assert(e instanceof OfflineError && e.message.includes("http://127.0.0.1:9"));
 * assert(e.message.includes("timed out after 60 s"));
 * ```
 */
export function s3TimeoutError(
  ctx: S3RequestContext,
  timeoutMs: number,
  phase: "response" | "body" | "send" = "response",
  sent?: { sent: number; length: number },
): OfflineError {
  const what = phase === "body" ? "more of the response body" : "a response";
  // A wait that includes the time to send a body (the timeout plus its size
  // at the slowest rate allowed) is no whole number of milliseconds: said to
  // a tenth of a second (a millisecond below one second), not as
  // `2.00006103515625 s`.
  const seconds = timeoutMs < 1000
    ? Math.round(timeoutMs) / 1000
    : Math.round(timeoutMs / 100) / 10;
  if (phase === "send") {
    // The server stopped reading the body: a frozen process, dropped packets.
    return new OfflineError(
      `${ctx.operation} ${ctx.uri}: timed out after ${seconds} s: ${ctx.endpoint} took no more of ` +
        `the request's body (${sent?.sent ?? 0} of ${
          sent?.length ?? 0
        } bytes sent)${REQUEST_TIMEOUT_HINT}`,
    );
  }
  return new OfflineError(
    `${ctx.operation} ${ctx.uri}: timed out after ${seconds} s waiting for ${what} from ${ctx.endpoint}${REQUEST_TIMEOUT_HINT}`,
  );
}

function isTimeoutError(error: unknown): boolean {
  return hasCause(
    error,
    (e) => e.name === "TimeoutError" || (e as { code?: unknown }).code === "ETIMEDOUT",
  );
}
