/**
 * Handlers of service- and bucket-level operations: ListBuckets,
 * CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, ListObjects
 * (v1 and v2) and DeleteObjects.
 *
 * @module
 */
import { md5Hex } from "../../hash.ts";
import { isValidBucketName, s3TakesBucketName } from "./backend.ts";
import {
  type HandlerContext,
  isoTime,
  parseXmlRequest,
  requireBucket,
  xmlResponse,
} from "./context.ts";
import { decodeToken, encodeToken, type ListCursor, listPage, urlEncodeKey } from "./listing.ts";
import { checkObjectBody } from "./object_checksum.ts";
import { contentMd5Hex, drainBody, readSmallBody } from "./request_body.ts";
import type { Route } from "./router.ts";
import { S3Error } from "./s3_error.ts";
import { childText, type XmlElement } from "./xml.ts";

const OWNER: XmlElement[] = [["ID", "fake-s3-owner"], ["DisplayName", "fake-s3"]];
const MAX_DELETE_BODY = 2 * 1024 * 1024;

/**
 * ListBuckets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listBuckets } from "./bucket_handlers.ts";
 * import { MemoryBackend } from "./memory_backend.ts";
 * import { UploadRegistry } from "./multipart.ts";
 * import { VersionLog } from "./versioning.ts";
 * const backend = new MemoryBackend();
 * await backend.createBucket("b1");
 * const ctx = {
 *   backend,
 *   uploads: new UploadRegistry(),
 *   minPartSize: 5,
 *   maxObjectSize: 1e9,
 *   completeIgnoresConditions: false,
 *   versioning: new VersionLog(),
 * };
 * const res = await listBuckets(new Request("http://x/"), { op: "ListBuckets", query: new URLSearchParams(), target: "/" }, ctx);
 * assert((await res.text()).includes("<Name>b1</Name>"));
 * ```
 */
export function listBuckets(_req: Request, _route: Route, ctx: HandlerContext): Promise<Response> {
  return Promise.resolve(xmlResponse("ListAllMyBucketsResult", [
    ["Owner", OWNER],
    [
      "Buckets",
      ctx.backend.listBuckets().map((b): XmlElement => [
        "Bucket",
        [["Name", b.name], ["CreationDate", isoTime(b.created)]],
      ]),
    ],
  ]));
}

/**
 * CreateBucket: 200, or 409 BucketAlreadyOwnedByYou when it exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { createBucket } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * const req = new Request("http://x/new-bucket", { method: "PUT" });
 * const res = await createBucket(req, routeRequest(req), ctx);
 * assert(res.status === 200 && ctx.backend.hasBucket("new-bucket"));
 * ```
 */
export async function createBucket(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = route.bucket!;
  // The body is an optional CreateBucketConfiguration (region); nothing to keep.
  await drainBody(req);
  // S3's rules, not the lenient ones of the `buckets` option: a test that
  // makes its bucket with `aws s3 mb` or the SDK must fail here as on S3.
  if (!isValidBucketName(bucket) || !s3TakesBucketName(bucket)) {
    throw new S3Error("InvalidBucketName", `The specified bucket is not valid: ${bucket}`, {
      bucket,
    });
  }
  if (!await ctx.backend.createBucket(bucket)) {
    throw new S3Error(
      "BucketAlreadyOwnedByYou",
      `Your previous request to create the named bucket succeeded and you already own it: ${bucket}`,
      { bucket },
    );
  }
  return new Response(null, { headers: { "location": `/${bucket}` } });
}

/**
 * DeleteBucket: 204; BucketNotEmpty when objects remain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { deleteBucket } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("old");
 * const req = new Request("http://x/old", { method: "DELETE" });
 * const res = await deleteBucket(req, routeRequest(req), ctx);
 * assert(res.status === 204 && !ctx.backend.hasBucket("old"));
 * ```
 */
export async function deleteBucket(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  await ctx.backend.deleteBucket(requireBucket(ctx.backend, route));
  return new Response(null, { status: 204 });
}

/**
 * HeadBucket: 200 or 404.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { headBucket } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const req = new Request("http://x/b", { method: "HEAD" });
 * assert((await headBucket(req, routeRequest(req), ctx)).status === 200);
 * ```
 */
export function headBucket(_req: Request, route: Route, ctx: HandlerContext): Promise<Response> {
  requireBucket(ctx.backend, route);
  return Promise.resolve(
    new Response(null, { headers: { "x-amz-bucket-region": "us-east-1" } }),
  );
}

/**
 * GetBucketLocation: always us-east-1 (an empty constraint).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { getBucketLocation } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const req = new Request("http://x/b?location");
 * const res = await getBucketLocation(req, routeRequest(req), ctx);
 * assert((await res.text()).includes("LocationConstraint"));
 * ```
 */
export function getBucketLocation(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  requireBucket(ctx.backend, route);
  return Promise.resolve(xmlResponse("LocationConstraint", []));
}

function maxKeys(query: URLSearchParams): number {
  const raw = query.get("max-keys");
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error(
      "InvalidArgument",
      `Provided max-keys not an integer or within integer range: ${raw}`,
    );
  }
  return Math.min(1000, Number(raw));
}

function encoder(query: URLSearchParams): (s: string) => string {
  const type = query.get("encoding-type");
  if (type === null) return (s) => s;
  if (type.toLowerCase() !== "url") {
    throw new S3Error("InvalidArgument", `Invalid Encoding Method specified in Request: ${type}`);
  }
  return urlEncodeKey;
}

function contents(
  ctx: HandlerContext,
  bucket: string,
  keys: readonly string[],
  enc: (s: string) => string,
): XmlElement[] {
  return keys.map((key): XmlElement => {
    const o = ctx.backend.get(bucket, key)!;
    return [
      "Contents",
      [
        ["Key", enc(key)],
        ["LastModified", isoTime(o.lastModified)],
        ["ETag", `"${o.etag}"`],
        ["Size", o.size],
        ["StorageClass", "STANDARD"],
      ],
    ];
  });
}

function commonPrefixes(prefixes: readonly string[], enc: (s: string) => string): XmlElement[] {
  return prefixes.map((p): XmlElement => ["CommonPrefixes", [["Prefix", enc(p)]]]);
}

/**
 * ListObjectsV2: prefix, delimiter, start-after, continuation-token, max-keys, encoding-type=url.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { listObjectsV2 } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const req = new Request("http://x/b?list-type=2&prefix=a");
 * const res = await listObjectsV2(req, routeRequest(req), ctx);
 * assert((await res.text()).includes("<KeyCount>0</KeyCount>"));
 * ```
 */
export function listObjectsV2(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const q = route.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const startAfter = q.get("start-after");
  const token = q.get("continuation-token");
  const enc = encoder(q);
  let after: ListCursor | undefined;
  if (token !== null) {
    after = decodeToken(token);
    if (!after) {
      throw new S3Error(
        "InvalidArgument",
        `The continuation token provided is incorrect: ${token}`,
      );
    }
  } else if (startAfter !== null && startAfter !== "") {
    after = { value: startAfter, isPrefix: false };
  }
  const max = maxKeys(q);
  const page = listPage(ctx.backend.sortedKeys(bucket), {
    prefix,
    delimiter,
    maxKeys: max,
    ...(after ? { after } : {}),
  });
  return Promise.resolve(xmlResponse("ListBucketResult", [
    ["Name", bucket],
    ["Prefix", enc(prefix)],
    ["Delimiter", delimiter === "" ? undefined : enc(delimiter)],
    ["StartAfter", startAfter === null ? undefined : enc(startAfter)],
    ["ContinuationToken", token ?? undefined],
    ["MaxKeys", max],
    ["KeyCount", page.keys.length + page.prefixes.length],
    ["EncodingType", q.has("encoding-type") ? "url" : undefined],
    ["IsTruncated", page.truncated],
    ["NextContinuationToken", page.truncated && page.last ? encodeToken(page.last) : undefined],
    ...contents(ctx, bucket, page.keys, enc),
    ...commonPrefixes(page.prefixes, enc),
  ]));
}

/**
 * ListObjects (v1): prefix, delimiter, marker, max-keys, encoding-type=url.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { listObjects } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const req = new Request("http://x/b?marker=m");
 * const res = await listObjects(req, routeRequest(req), ctx);
 * assert((await res.text()).includes("<Marker>m</Marker>"));
 * ```
 */
export function listObjects(_req: Request, route: Route, ctx: HandlerContext): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const q = route.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const marker = q.get("marker") ?? "";
  const enc = encoder(q);
  const max = maxKeys(q);
  // A marker that is a common prefix skips everything under it, as a v1
  // client paging with NextMarker expects.
  const markerIsPrefix = delimiter !== "" && marker.endsWith(delimiter) &&
    marker.startsWith(prefix);
  const page = listPage(ctx.backend.sortedKeys(bucket), {
    prefix,
    delimiter,
    maxKeys: max,
    ...(marker === "" ? {} : { after: { value: marker, isPrefix: markerIsPrefix } }),
  });
  return Promise.resolve(xmlResponse("ListBucketResult", [
    ["Name", bucket],
    ["Prefix", enc(prefix)],
    ["Marker", enc(marker)],
    ["Delimiter", delimiter === "" ? undefined : enc(delimiter)],
    ["MaxKeys", max],
    ["EncodingType", q.has("encoding-type") ? "url" : undefined],
    ["IsTruncated", page.truncated],
    ["NextMarker", page.truncated && page.last ? enc(page.last.value) : undefined],
    ...contents(ctx, bucket, page.keys, enc),
    ...commonPrefixes(page.prefixes, enc),
  ]));
}

function parseDeleteRequest(body: Uint8Array): { keys: string[]; quiet: boolean } {
  const root = parseXmlRequest(body, "Delete");
  const keys: string[] = [];
  for (const object of root.children.filter((c) => c.name === "Object")) {
    const key = childText(object, "Key");
    if (key === undefined || key === "") {
      throw new S3Error("MalformedXML", "an <Object> has no <Key>");
    }
    keys.push(key);
  }
  if (keys.length === 0 || keys.length > 1000) {
    throw new S3Error(
      "MalformedXML",
      `a delete request must name 1 to 1000 objects, this one names ${keys.length}`,
    );
  }
  return { keys, quiet: childText(root, "Quiet")?.trim().toLowerCase() === "true" };
}

/**
 * DeleteObjects: POST ?delete with up to 1000 keys; Quiet leaves out the successes.
 * As S3, it needs a `Content-MD5` or an `x-amz-checksum-*` header of the body
 * (400 `InvalidRequest` without either, `BadDigest` when it is of other bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { deleteObjects } from "./bucket_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const body = "<Delete><Object><Key>a</Key></Object></Delete>";
 * const headers = { "content-md5": "aFPqFnlCon58cZ4Qt7zwvQ==" }; // of body
 * const req = new Request("http://x/b?delete", { method: "POST", body, headers });
 * const res = await deleteObjects(req, routeRequest(req), ctx);
 * assert((await res.text()).includes("<Deleted><Key>a</Key></Deleted>"));
 * ```
 */
export async function deleteObjects(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const expectedMd5 = contentMd5Hex(req.headers.get("content-md5"));
  const body = await readSmallBody(req, MAX_DELETE_BODY);
  if (expectedMd5 !== undefined && expectedMd5 !== md5Hex(body)) {
    throw new S3Error(
      "BadDigest",
      "The Content-MD5 you specified did not match the delete request",
    );
  }
  // S3 requires the body's integrity header on DeleteObjects (moto does not):
  // Content-MD5, or an x-amz-checksum-* (what the AWS SDK sends since 3.729),
  // and checks it against the body.
  const checked = await checkObjectBody(req.headers, async function* () {
    yield body;
  }, "?delete");
  for await (const _ of checked.chunks);
  const kept = checked.finish();
  if (expectedMd5 === undefined && kept["x-amz-checksum-type"] === undefined) {
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: Content-MD5",
    );
  }
  const { keys, quiet } = parseDeleteRequest(body);
  const deleted: XmlElement[] = [];
  for (const key of keys) {
    await ctx.backend.delete(bucket, key);
    if (!quiet) deleted.push(["Deleted", [["Key", key]]]);
  }
  return xmlResponse("DeleteResult", deleted);
}
