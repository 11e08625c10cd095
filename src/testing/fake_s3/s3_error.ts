/**
 * S3 error responses: the codes and statuses real S3 uses, rendered as the
 * `<Error>` XML document clients parse.
 *
 * @module
 */
import { VcError } from "../../errors.ts";
import { xmlDocument } from "./xml.ts";

const STATUS: Record<string, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  KeyTooLongError: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 400,
  XAmzContentSHA256Mismatch: 400,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PermanentRedirect: 301,
  PreconditionFailed: 412,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
};

/** What an error response may name besides its code and message. */
export interface S3ErrorDetails {
  /** The bucket the request addressed. */
  bucket?: string;
  /** The key the request addressed. */
  key?: string;
  /** The multipart upload the request addressed. */
  uploadId?: string;
  /** Extra response headers (e.g. `Content-Range` for InvalidRange). */
  headers?: Record<string, string>;
  /** Further elements of the `<Error>` document, in order (e.g. `CanonicalRequest`). */
  fields?: [string, string][];
}

/**
 * An S3 error the fake answers with. Thrown inside handlers and turned into
 * a response by {@linkcode errorResponse}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Error } from "./s3_error.ts";
 * const e = new S3Error("NoSuchKey", "The specified key does not exist: a.csv", { key: "a.csv" });
 * assert(e.status === 404);
 * ```
 */
export class S3Error extends VcError {
  /** The S3 error code, e.g. `NoSuchKey`. */
  readonly code: string;
  /** HTTP status for the code. */
  readonly status: number;
  /** Bucket, key and extra headers to report. */
  readonly details: S3ErrorDetails;

  /** Creates the error; the status follows from the code (500 for unknown codes). */
  constructor(code: string, message: string, details: S3ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.status = STATUS[code] ?? 500;
    this.details = details;
  }
}

/**
 * Renders an S3 error as an HTTP response with an `<Error>` XML body (no
 * body for HEAD requests and 304s, like S3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse, S3Error } from "./s3_error.ts";
 * const res = errorResponse(new S3Error("NoSuchBucket", "no bucket b", { bucket: "b" }), "GET", "1");
 * assert(res.status === 404);
 * assert((await res.text()).includes("<Code>NoSuchBucket</Code>"));
 * ```
 */
export function errorResponse(error: S3Error, method: string, requestId: string): Response {
  const headers: Record<string, string> = {
    "x-amz-request-id": requestId,
    ...error.details.headers,
  };
  if (method === "HEAD" || error.status === 304) {
    return new Response(null, { status: error.status, headers });
  }
  headers["content-type"] = "application/xml";
  const { bucket, key, uploadId } = error.details;
  const body = xmlDocument("Error", [
    ["Code", error.code],
    ["Message", error.message],
    ["BucketName", bucket],
    ["Key", key],
    ["UploadId", uploadId],
    ...error.details.fields ?? [],
    ["RequestId", requestId],
    ["HostId", "fake-s3"],
  ]).replace(' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', "");
  return new Response(body, { status: error.status, headers });
}
