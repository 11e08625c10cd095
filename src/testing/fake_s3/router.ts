/**
 * Maps an HTTP request to an S3 operation, bucket and key. Path-style
 * (`/bucket/key`) always; virtual-host style when the Host is
 * `<bucket>.localhost[:port]`.
 *
 * The path is taken from the raw request target, never through `new URL()`,
 * which would collapse `..` and `.` segments that are legal in S3 keys.
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";
import type { S3Operation } from "./types.ts";

/** A routed request. */
export interface Route {
  /** The operation. */
  op: S3Operation;
  /** The bucket, when the request addresses one. */
  bucket?: string;
  /** The decoded key, when the request addresses an object. */
  key?: string;
  /** The query parameters. */
  query: URLSearchParams;
  /** The request target as received (path and query), for logs. */
  target: string;
}

// Bucket subresources we do not implement: answering them as a listing
// would mislead a client, so they get 501 NotImplemented.
const BUCKET_UNSUPPORTED = [
  "acl",
  "policy",
  "cors",
  "tagging",
  "lifecycle",
  "website",
  "logging",
  "notification",
  "replication",
  "encryption",
  "ownershipControls",
  "publicAccessBlock",
  "object-lock",
  "accelerate",
  "requestPayment",
  "analytics",
  "inventory",
  "metrics",
  "intelligent-tiering",
  "policyStatus",
];
const OBJECT_UNSUPPORTED = [
  "acl",
  "tagging",
  "retention",
  "legal-hold",
  "torrent",
  "attributes",
  "restore",
  "select",
  // A read of one version of an object is not served (versioning.ts keeps
  // old bytes only to make them current again); DeleteObject of one is.
  "versionId",
];

function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error("InvalidURI", `Couldn't parse the specified URI: bad ${what} ${raw}`);
  }
}

function has(query: URLSearchParams, names: readonly string[]): boolean {
  return names.some((n) => query.has(n));
}

/**
 * Routes a request. Throws `InvalidURI` for undecodable paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeRequest } from "./router.ts";
 * const r = routeRequest(new Request("http://127.0.0.1:9000/b/dir/x%20y+%25?uploadId=1", { method: "DELETE" }));
 * assert(r.op === "AbortMultipartUpload" && r.bucket === "b" && r.key === "dir/x y+%");
 * ```
 */
export function routeRequest(req: Request): Route {
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("://") + 3);
  const target = pathStart === -1 ? "/" : url.slice(pathStart);
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : target.slice(q + 1));

  let bucket: string | undefined;
  let rawKey: string;
  const host = req.headers.get("host") ?? "";
  const vhost = /^(.+)\.localhost(?::\d+)?$/i.exec(host);
  if (vhost) {
    bucket = vhost[1]!;
    rawKey = rawPath.slice(1);
  } else {
    const rest = rawPath.slice(1);
    const slash = rest.indexOf("/");
    const rawBucket = slash === -1 ? rest : rest.slice(0, slash);
    if (rawBucket !== "") bucket = decode(rawBucket, "bucket");
    rawKey = slash === -1 ? "" : rest.slice(slash + 1);
  }
  const key = rawKey === "" ? undefined : decode(rawKey, "key");
  const route: Route = { op: "Unsupported", query, target };
  if (bucket !== undefined) route.bucket = bucket;
  if (key !== undefined) route.key = key;
  route.op = operation(req.method, bucket, key, query, req.headers);
  return route;
}

function operation(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: URLSearchParams,
  headers: Headers,
): S3Operation {
  if (bucket === undefined) return method === "GET" ? "ListBuckets" : "Unsupported";
  if (key === undefined) {
    switch (method) {
      case "GET":
        if (has(query, BUCKET_UNSUPPORTED)) return "Unsupported";
        if (query.has("uploads")) return "ListMultipartUploads";
        if (query.has("versions")) return "ListObjectVersions";
        if (query.has("versioning")) return "GetBucketVersioning";
        if (query.has("location")) return "GetBucketLocation";
        return query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
      case "PUT":
        if (has(query, BUCKET_UNSUPPORTED)) return "Unsupported";
        return query.has("versioning") ? "PutBucketVersioning" : "CreateBucket";
      case "DELETE":
        return has(query, BUCKET_UNSUPPORTED) ? "Unsupported" : "DeleteBucket";
      case "HEAD":
        return "HeadBucket";
      case "POST":
        return query.has("delete") ? "DeleteObjects" : "Unsupported";
    }
    return "Unsupported";
  }
  // DeleteObject of one version is served (versioning.ts); a read of one is not.
  const unsupported = method === "DELETE"
    ? OBJECT_UNSUPPORTED.filter((n) => n !== "versionId")
    : OBJECT_UNSUPPORTED;
  if (has(query, unsupported)) return "Unsupported";
  switch (method) {
    case "GET":
      return query.has("uploadId") ? "ListParts" : "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (query.has("uploadId") || query.has("partNumber")) {
        return headers.has("x-amz-copy-source") ? "UploadPartCopy" : "UploadPart";
      }
      return headers.has("x-amz-copy-source") ? "CopyObject" : "PutObject";
    case "DELETE":
      return query.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    case "POST":
      if (query.has("uploads")) return "CreateMultipartUpload";
      if (query.has("uploadId")) return "CompleteMultipartUpload";
      return "Unsupported";
  }
  return "Unsupported";
}
