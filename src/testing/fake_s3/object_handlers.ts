/**
 * Handlers of single-object operations: PutObject, GetObject, HeadObject,
 * DeleteObject and CopyObject.
 *
 * @module
 */
import type { ObjectFields, StoredObject } from "./backend.ts";
import { answerChecksum, checkObjectBody, storedEtag } from "./object_checksum.ts";
import {
  checkReadConditions,
  checkWriteConditions,
  etagMatches,
  parseRange,
} from "./conditions.ts";
import {
  bodyIterable,
  fieldsFromHeaders,
  type HandlerContext,
  isoTime,
  parseCopySource,
  requireBucket,
  requireObject,
  xmlResponse,
} from "./context.ts";
import { announcedSize, bodyChunks, contentMd5Hex } from "./request_body.ts";
import type { Route } from "./router.ts";
import { S3Error } from "./s3_error.ts";
import { VersioningBackend } from "./versioning.ts";

// `response-*` query parameters override these headers of a GET (presigned downloads use them).
const OVERRIDABLE = [
  "content-type",
  "content-language",
  "expires",
  "cache-control",
  "content-disposition",
  "content-encoding",
];

/**
 * The headers S3 returns for an object on GET and HEAD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectHeaders } from "./object_handlers.ts";
 * const h = objectHeaders({
 *   key: "k", size: 3, etag: "abc", lastModified: new Date(0), contentType: undefined,
 *   metadata: { a: "1" }, headers: {}, partSizes: undefined, data: [],
 * });
 * assert(h.etag === '"abc"' && h["x-amz-meta-a"] === "1");
 * assert(h["content-type"] === "binary/octet-stream");
 * ```
 */
export function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    "etag": `"${object.etag}"`,
    "last-modified": object.lastModified.toUTCString(),
    "accept-ranges": "bytes",
    "content-type": object.contentType ?? "binary/octet-stream",
    ...object.headers,
  };
  for (const name in object.metadata) headers[`x-amz-meta-${name}`] = object.metadata[name]!;
  return headers;
}

function partRange(
  object: StoredObject,
  raw: string,
): { start: number; end: number; count: number | undefined } {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const sizes = object.partSizes ?? [object.size];
  if (!(n >= 1 && n <= sizes.length)) {
    throw new S3Error("InvalidPartNumber", `The requested partnumber ${raw} is not satisfiable`, {
      key: object.key,
    });
  }
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += sizes[i]!;
  return { start, end: start + sizes[n - 1]!, count: object.partSizes?.length };
}

/**
 * GetObject and HeadObject: conditions, ranges, `partNumber`, `response-*` overrides.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { copyObject, deleteObject, getObject, putObject } from "./object_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const call = async (handler: typeof getObject, path: string, init?: RequestInit) => {
 *   const req = new Request(`http://x${path}`, init);
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * await (await call(putObject, "/b/k", { method: "PUT", body: "hello" })).body?.cancel();
 * const res = await call(getObject, "/b/k", { headers: { range: "bytes=1-3" } });
 * assert(res.status === 206 && await res.text() === "ell");
 * ```
 */
export function getObject(req: Request, route: Route, ctx: HandlerContext): Promise<Response> {
  // Synchronous from lookup to read, so the bytes belong to the record whose
  // headers we send even if a write of the same key is in flight.
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  const object = requireObject(ctx.backend, bucket, key);
  checkReadConditions(req.headers, object, key);
  const headers = objectHeaders(object);
  let status = 200;
  let start = 0;
  let end = object.size;
  const partNumber = route.query.get("partNumber");
  if (partNumber !== null) {
    const part = partRange(object, partNumber);
    ({ start, end } = part);
    status = 206;
    if (part.count !== undefined) headers["x-amz-mp-parts-count"] = String(part.count);
  } else {
    const range = parseRange(req.headers.get("range"), object.size, key);
    if (range) ({ start, end } = range);
    if (range) status = 206;
  }
  if (status === 206) headers["content-range"] = `bytes ${start}-${end - 1}/${object.size}`;
  headers["content-length"] = String(end - start);
  answerChecksum(headers, req.headers, status);
  for (const name of OVERRIDABLE) {
    const value = route.query.get(`response-${name}`);
    if (value !== null) headers[name] = value;
  }
  if (req.method === "HEAD") return Promise.resolve(new Response(null, { status, headers }));
  const body = ctx.backend.read(object, start, end);
  return Promise.resolve(new Response(body, { status, headers }));
}

/**
 * PutObject: streams the body in, verifies Content-MD5, honours If-None-Match / If-Match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { copyObject, deleteObject, getObject, putObject } from "./object_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const call = async (handler: typeof getObject, path: string, init?: RequestInit) => {
 *   const req = new Request(`http://x${path}`, init);
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * await (await call(putObject, "/b/k", { method: "PUT", body: "hello" })).body?.cancel();
 * // Handlers throw S3Error; the server turns it into the XML error response.
 * let status = 0;
 * try {
 *   await call(putObject, "/b/k", { method: "PUT", body: "x", headers: { "if-none-match": "*" } });
 * } catch (e) {
 *   status = (e as { status: number }).status;
 * }
 * assert(status === 412);
 * ```
 */
export async function putObject(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  const expectedMd5 = contentMd5Hex(req.headers.get("content-md5"));
  const checked = await checkObjectBody(
    req.headers,
    (onTrailer) => bodyChunks(req, onTrailer),
    key,
  );
  const staged = await ctx.backend.stage(
    checked.chunks,
    announcedSize(req.headers),
    ctx.maxObjectSize,
  );
  try {
    const kept = checked.finish();
    if (expectedMd5 !== undefined && expectedMd5 !== staged.md5) {
      throw new S3Error(
        "BadDigest",
        `The Content-MD5 you specified did not match what we received for ${key}`,
        { bucket, key },
      );
    }
    const object = await ctx.backend.commit(
      bucket,
      key,
      staged,
      withKept(fieldsFromHeaders(req.headers, storedEtag(staged.md5, kept)), kept),
      (existing) => checkWriteConditions(req.headers, existing, key),
    );
    // In a bucket with versioning on, the version this write made.
    const versionId = ctx.versioning.currentId(bucket, key);
    return new Response(null, {
      headers: {
        ...kept,
        "etag": `"${object.etag}"`,
        ...(versionId === undefined ? {} : { "x-amz-version-id": versionId }),
      },
    });
  } catch (e) {
    await ctx.backend.discard(staged);
    throw e;
  }
}

/**
 * DeleteObject: 204 whether or not the key existed, like S3; with `If-Match`,
 * 412 when the object exists with another ETag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { copyObject, deleteObject, getObject, putObject } from "./object_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const call = async (handler: typeof getObject, path: string, init?: RequestInit) => {
 *   const req = new Request(`http://x${path}`, init);
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * await (await call(putObject, "/b/k", { method: "PUT", body: "hello" })).body?.cancel();
 * const res = await call(deleteObject, "/b/k", { method: "DELETE" });
 * assert(res.status === 204 && ctx.backend.get("b", "k") === undefined);
 * ```
 */
export async function deleteObject(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const versionId = route.query.get("versionId");
  if (versionId !== null) {
    // One version, for good: no delete marker (S3 versioning, versioning.ts).
    if (!(ctx.backend instanceof VersioningBackend)) {
      throw new S3Error("NotImplemented", "DeleteObject of one version is not served here");
    }
    const gone = await ctx.backend.deleteVersion(bucket, route.key!, versionId);
    return new Response(null, {
      status: 204,
      headers: {
        "x-amz-version-id": versionId,
        ...(gone?.deleteMarker === true ? { "x-amz-delete-marker": "true" } : {}),
      },
    });
  }
  const ifMatch = req.headers.get("if-match");
  if (ifMatch !== null) {
    // Like S3: 412 when the ETag differs, 204 when the key is missing.
    const existing = ctx.backend.get(bucket, route.key!);
    if (existing !== undefined) {
      checkReadConditions(new Headers({ "if-match": ifMatch }), existing, route.key!);
    }
  }
  await ctx.backend.delete(bucket, route.key!);
  return new Response(null, { status: 204 });
}

/**
 * Checks `x-amz-copy-source-if-*` against the source object (412 on failure).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCopySourceConditions } from "./object_handlers.ts";
 * const source = { etag: "e", lastModified: new Date() };
 * const ifMatch = (etag: string) => new Headers({ "x-amz-copy-source-if-match": etag });
 * assert.doesNotThrow(() => checkCopySourceConditions(ifMatch('"e"'), source, "k"));
 * assert.throws(() => checkCopySourceConditions(ifMatch('"other"'), source, "k"), /copy source k/);
 * ```
 */
export function checkCopySourceConditions(
  headers: Headers,
  source: { etag: string; lastModified: Date },
  key: string,
): void {
  const fail = (why: string) =>
    new S3Error("PreconditionFailed", `copy source ${key}: ${why}`, { key });
  const ifMatch = headers.get("x-amz-copy-source-if-match");
  const ifNoneMatch = headers.get("x-amz-copy-source-if-none-match");
  const modifiedSince = headers.get("x-amz-copy-source-if-modified-since");
  const unmodifiedSince = headers.get("x-amz-copy-source-if-unmodified-since");
  const seconds = Math.floor(source.lastModified.getTime() / 1000);
  const at = (v: string) => Math.floor(Date.parse(v) / 1000);
  if (ifMatch !== null && !etagMatches(ifMatch, source.etag)) throw fail("If-Match failed");
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, source.etag)) {
    throw fail("If-None-Match failed");
  }
  if (ifMatch === null && unmodifiedSince !== null && seconds > at(unmodifiedSince)) {
    throw fail("modified since If-Unmodified-Since");
  }
  if (ifNoneMatch === null && modifiedSince !== null && seconds <= at(modifiedSince)) {
    throw fail("not modified since If-Modified-Since");
  }
}

/**
 * CopyObject: server-side copy with the COPY/REPLACE metadata directive and destination conditions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { copyObject, deleteObject, getObject, putObject } from "./object_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const call = async (handler: typeof getObject, path: string, init?: RequestInit) => {
 *   const req = new Request(`http://x${path}`, init);
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * await (await call(putObject, "/b/k", { method: "PUT", body: "hello" })).body?.cancel();
 * const res = await call(copyObject, "/b/copy", { method: "PUT", headers: { "x-amz-copy-source": "/b/k" } });
 * assert(res.status === 200 && ctx.backend.get("b", "copy")?.size === 5);
 * ```
 */
export async function copyObject(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  const from = parseCopySource(req.headers.get("x-amz-copy-source"));
  requireBucket(ctx.backend, from);
  const source = requireObject(ctx.backend, from.bucket, from.key);
  checkCopySourceConditions(req.headers, source, from.key);
  const directive = (req.headers.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error("InvalidArgument", `Unknown metadata directive ${directive}`, { key });
  }
  if (directive === "COPY" && from.bucket === bucket && from.key === key) {
    throw new S3Error(
      "InvalidRequest",
      `This copy request is illegal because it is trying to copy ${key} to itself without changing the object's metadata`,
      { bucket, key },
    );
  }
  if (source.size > ctx.maxObjectSize) {
    throw new S3Error(
      "InvalidRequest",
      `The specified copy source ${from.key} is larger than the maximum allowable size for a copy source: ${ctx.maxObjectSize}`,
      { key },
    );
  }
  const staged = await ctx.backend.stage(
    bodyIterable(ctx.backend.read(source, 0, source.size)),
    source.size,
    ctx.maxObjectSize,
  );
  try {
    const fields = directive === "REPLACE" ? fieldsFromHeaders(req.headers, staged.md5) : {
      etag: staged.md5,
      contentType: source.contentType,
      metadata: source.metadata,
      headers: source.headers,
      partSizes: undefined,
    };
    const object = await ctx.backend.commit(
      bucket,
      key,
      staged,
      fields,
      (existing) => checkWriteConditions(req.headers, existing, key),
    );
    return xmlResponse("CopyObjectResult", [
      ["LastModified", isoTime(object.lastModified)],
      ["ETag", `"${object.etag}"`],
    ]);
  } catch (e) {
    await ctx.backend.discard(staged);
    throw e;
  }
}

// The fields of a PUT with the checksum and encryption headers S3 keeps.
function withKept(fields: ObjectFields, kept: Record<string, string>): ObjectFields {
  return { ...fields, headers: { ...fields.headers, ...kept } };
}
