/**
 * Handlers of multipart operations: CreateMultipartUpload, UploadPart,
 * UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts
 * and ListMultipartUploads.
 *
 * @module
 */
import type { Staged } from "./backend.ts";
import { checkWriteConditions, parseRange } from "./conditions.ts";
import {
  bodyIterable,
  fieldsFromHeaders,
  type HandlerContext,
  isoTime,
  parseCopySource,
  parseXmlRequest,
  requireBucket,
  requireObject,
  xmlResponse,
} from "./context.ts";
import { planCompletion, type RequestedPart, type Upload } from "./multipart.ts";
import { checkCopySourceConditions } from "./object_handlers.ts";
import { checkPart, completionChecksum, uploadChecksum } from "./part_checksum.ts";
import { announcedSize, bodyChunks, contentMd5Hex, readSmallBody } from "./request_body.ts";
import type { Route } from "./router.ts";
import { S3Error } from "./s3_error.ts";
import { childText, type XmlElement } from "./xml.ts";

const MAX_PARTS = 10000;
// 10,000 parts with ETags and checksums fit easily.
const MAX_COMPLETE_BODY = 4 * 1024 * 1024;

/**
 * CreateMultipartUpload: records content type and metadata for the final
 * object, and the part checksum algorithm (checked when it is CRC32).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * assert(id.length > 0);
 * ```
 */
export function createMultipartUpload(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  const { contentType, metadata, headers } = fieldsFromHeaders(req.headers, "");
  const checksum = uploadChecksum(req.headers);
  const upload = ctx.uploads.create(bucket, key, { contentType, metadata, headers }, checksum);
  const res = xmlResponse("InitiateMultipartUploadResult", [
    ["Bucket", bucket],
    ["Key", key],
    ["UploadId", upload.id],
    ...(checksum === undefined ? [] : [
      ["ChecksumAlgorithm", checksum.algorithm] as XmlElement,
      ["ChecksumType", checksum.type] as XmlElement,
    ]),
  ]);
  if (checksum !== undefined) {
    res.headers.set("x-amz-checksum-algorithm", checksum.algorithm);
    res.headers.set("x-amz-checksum-type", checksum.type);
  }
  return Promise.resolve(res);
}

function partNumber(route: Route): number {
  const raw = route.query.get("partNumber") ?? "";
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PARTS)) {
    throw new S3Error(
      "InvalidArgument",
      `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive: ${raw}`,
      { key: route.key ?? "" },
    );
  }
  return n;
}

/** Stores a staged part, replacing (and freeing) a previous one with the same number. */
async function storePart(
  ctx: HandlerContext,
  upload: Upload,
  number: number,
  staged: Staged,
  crc32?: string,
): Promise<{ etag: string; lastModified: Date }> {
  if (!ctx.uploads.isActive(upload)) {
    await ctx.backend.discard(staged);
    throw new S3Error("NoSuchUpload", `The upload ${upload.id} was completed or aborted`, {
      uploadId: upload.id,
    });
  }
  const old = upload.parts.get(number);
  const part = {
    number,
    etag: staged.md5,
    size: staged.size,
    crc32,
    lastModified: new Date(),
    staged,
  };
  upload.parts.set(number, part);
  if (old) await ctx.backend.discard(old.staged);
  return part;
}

/**
 * UploadPart: streams a part in, verifies Content-MD5 and a CRC32 checksum
 * (header or trailer; required when the upload was created with CRC32),
 * and answers with the checksum it verified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * const res = await call("PUT", `/b/k?partNumber=1&uploadId=${id}`, mp.uploadPart, "abc");
 * assert(res.headers.get("etag") === '"900150983cd24fb0d6963f7d28e17f72"');
 * ```
 */
export async function uploadPart(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const { bucket, key, upload } = addressedUpload(route, ctx);
  const number = partNumber(route);
  const expectedMd5 = contentMd5Hex(req.headers.get("content-md5"));
  const body = await checkPart(
    req.headers,
    (onTrailer) => bodyChunks(req, onTrailer),
    upload.checksum,
    key,
  );
  const staged = await ctx.backend.stage(
    body.chunks,
    announcedSize(req.headers),
    ctx.maxObjectSize,
  );
  let crc32: string | undefined;
  try {
    crc32 = body.verify();
    if (expectedMd5 !== undefined && expectedMd5 !== staged.md5) {
      throw new S3Error(
        "BadDigest",
        `The Content-MD5 you specified did not match what we received for part ${number} of ${key}`,
        { bucket, key },
      );
    }
  } catch (e) {
    await ctx.backend.discard(staged);
    throw e;
  }
  const part = await storePart(ctx, upload, number, staged, crc32);
  const headers: Record<string, string> = { "etag": `"${part.etag}"` };
  if (crc32 !== undefined) headers["x-amz-checksum-crc32"] = crc32;
  return new Response(null, { headers });
}

/**
 * UploadPartCopy: a part copied from (a range of) an existing object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { uploadPartCopy } from "./multipart_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * async function* bytes() { yield new TextEncoder().encode("source"); }
 * const staged = await ctx.backend.stage(bytes(), 6, 100);
 * await ctx.backend.commit("b", "src", staged, {
 *   etag: staged.md5, contentType: undefined, metadata: {}, headers: {}, partSizes: undefined,
 * }, () => {});
 * const upload = ctx.uploads.create("b", "dst", { contentType: undefined, metadata: {}, headers: {} });
 * const req = new Request(`http://x/b/dst?partNumber=1&uploadId=${upload.id}`, {
 *   method: "PUT",
 *   headers: { "x-amz-copy-source": "/b/src", "x-amz-copy-source-range": "bytes=0-1" },
 * });
 * await uploadPartCopy(req, routeRequest(req), ctx);
 * assert(upload.parts.get(1)?.size === 2);
 * ```
 */
export async function uploadPartCopy(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const { key, upload } = addressedUpload(route, ctx);
  const number = partNumber(route);
  const from = parseCopySource(req.headers.get("x-amz-copy-source"));
  requireBucket(ctx.backend, from);
  const source = requireObject(ctx.backend, from.bucket, from.key);
  checkCopySourceConditions(req.headers, source, from.key);
  const rangeHeader = req.headers.get("x-amz-copy-source-range");
  const range = rangeHeader === null
    ? { start: 0, end: source.size }
    : parseRange(rangeHeader, source.size, from.key);
  if (!range) {
    throw new S3Error("InvalidArgument", `Invalid x-amz-copy-source-range: ${rangeHeader}`, {
      key,
    });
  }
  const staged = await ctx.backend.stage(
    bodyIterable(ctx.backend.read(source, range.start, range.end)),
    range.end - range.start,
    ctx.maxObjectSize,
  );
  const part = await storePart(ctx, upload, number, staged);
  return xmlResponse("CopyPartResult", [
    ["LastModified", isoTime(part.lastModified)],
    ["ETag", `"${part.etag}"`],
  ]);
}

/** The bucket, key and open upload (`?uploadId=`) that a request addresses. */
function addressedUpload(
  route: Route,
  ctx: HandlerContext,
): { bucket: string; key: string; upload: Upload } {
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  return { bucket, key, upload: ctx.uploads.get(route.query.get("uploadId"), bucket, key) };
}

function parseCompletion(body: Uint8Array): RequestedPart[] {
  const root = parseXmlRequest(body, "CompleteMultipartUpload");
  return root.children.filter((c) => c.name === "Part").map((p) => {
    const number = childText(p, "PartNumber")?.trim() ?? "";
    const etag = childText(p, "ETag");
    if (!/^\d+$/.test(number) || etag === undefined) {
      throw new S3Error("MalformedXML", "a <Part> needs a <PartNumber> and an <ETag>");
    }
    return { number: Number(number), etag, crc32: childText(p, "ChecksumCRC32") };
  });
}

function completionResponse(
  req: Request,
  bucket: string,
  key: string,
  etag: string,
  crc32: string | undefined,
): Response {
  const origin = new URL(req.url).origin;
  const path = key.split("/").map(encodeURIComponent).join("/");
  return xmlResponse("CompleteMultipartUploadResult", [
    ["Location", `${origin}/${bucket}/${path}`],
    ["Bucket", bucket],
    ["Key", key],
    ["ETag", `"${etag}"`],
    ...(crc32 === undefined
      ? []
      : [["ChecksumCRC32", crc32] as XmlElement, ["ChecksumType", "COMPOSITE"] as XmlElement]),
  ]);
}

/**
 * CompleteMultipartUpload: validates the part list (and the parts' CRC32
 * checksums, for an upload created with CRC32), joins the parts and
 * commits with the multipart ETag, honouring If-None-Match / If-Match. A
 * retry of a completion that already succeeded gets the same answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * const part = await call("PUT", `/b/k?partNumber=1&uploadId=${id}`, mp.uploadPart, "abc");
 * const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.get("etag")}</ETag></Part></CompleteMultipartUpload>`;
 * const done = await call("POST", `/b/k?uploadId=${id}`, mp.completeMultipartUpload, xml);
 * assert((await done.text()).includes("-1&quot;</ETag>"));
 * assert(ctx.backend.get("b", "k")?.size === 3);
 * ```
 */
export async function completeMultipartUpload(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const key = route.key!;
  const uploadId = route.query.get("uploadId");
  const body = await readSmallBody(req, MAX_COMPLETE_BODY);
  const done = ctx.uploads.completion(uploadId, bucket, key);
  if (done) return completionResponse(req, bucket, key, done.etag, done.crc32);
  const upload = ctx.uploads.get(uploadId, bucket, key);
  const requested = parseCompletion(body);
  const plan = planCompletion(upload, requested, ctx.minPartSize);
  const crc32 = await completionChecksum(
    upload.checksum,
    requested,
    (n) => upload.parts.get(n)?.crc32,
    upload.id,
  );
  const staged = await ctx.backend.concat(plan.parts.map((p) => p.staged));
  try {
    await ctx.backend.commit(bucket, key, staged, {
      ...upload.fields,
      // S3 keeps the composite checksum (`-N` included), answered to a GET or
      // HEAD of the whole object asked with `x-amz-checksum-mode: ENABLED`.
      headers: crc32 === undefined ? upload.fields.headers : {
        ...upload.fields.headers,
        "x-amz-checksum-crc32": crc32,
        "x-amz-checksum-type": "COMPOSITE",
      },
      etag: plan.etag,
      partSizes: plan.parts.map((p) => p.size),
    }, (existing) => {
      // Checked inside the commit so a concurrent completion or abort cannot slip in.
      if (!ctx.uploads.isActive(upload)) {
        throw new S3Error("NoSuchUpload", `The upload ${upload.id} was completed or aborted`, {
          uploadId: upload.id,
        });
      }
      if (!ctx.completeIgnoresConditions) checkWriteConditions(req.headers, existing, key);
      ctx.uploads.remove(upload);
    });
  } catch (e) {
    await ctx.backend.discard(staged);
    throw e;
  }
  ctx.uploads.completed(upload.id, { bucket, key, etag: plan.etag, crc32 });
  for (const part of upload.parts.values()) await ctx.backend.discard(part.staged);
  const res = completionResponse(req, bucket, key, plan.etag, crc32);
  // In a bucket with versioning on, the version this completion made.
  const versionId = ctx.versioning.currentId(bucket, key);
  if (versionId !== undefined) res.headers.set("x-amz-version-id", versionId);
  return res;
}

/**
 * AbortMultipartUpload: 204, NoSuchUpload for unknown uploads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * const res = await call("DELETE", `/b/k?uploadId=${id}`, mp.abortMultipartUpload);
 * assert(res.status === 204 && ctx.uploads.all().length === 0);
 * ```
 */
export async function abortMultipartUpload(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const { upload } = addressedUpload(route, ctx);
  ctx.uploads.remove(upload);
  for (const part of upload.parts.values()) await ctx.backend.discard(part.staged);
  return new Response(null, { status: 204 });
}

function boundedInt(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error("InvalidArgument", `${name} must be an integer: ${raw}`);
  }
  return Math.min(Number(raw), 1000);
}

/**
 * ListParts: part-number-marker and max-parts paging.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * await (await call("PUT", `/b/k?partNumber=1&uploadId=${id}`, mp.uploadPart, "abc")).body?.cancel();
 * const res = await call("GET", `/b/k?uploadId=${id}`, mp.listParts);
 * assert((await res.text()).includes("<Size>3</Size>"));
 * ```
 */
export function listParts(_req: Request, route: Route, ctx: HandlerContext): Promise<Response> {
  const { bucket, key, upload } = addressedUpload(route, ctx);
  const marker = boundedInt(route.query, "part-number-marker", 0);
  const max = boundedInt(route.query, "max-parts", 1000);
  const all = [...upload.parts.values()].filter((p) => p.number > marker)
    .sort((a, b) => a.number - b.number);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  return Promise.resolve(xmlResponse("ListPartsResult", [
    ["Bucket", bucket],
    ["Key", key],
    ["UploadId", upload.id],
    ["Initiator", [["ID", "fake-s3-owner"], ["DisplayName", "fake-s3"]]],
    ["Owner", [["ID", "fake-s3-owner"], ["DisplayName", "fake-s3"]]],
    ["StorageClass", "STANDARD"],
    ["PartNumberMarker", marker],
    ["NextPartNumberMarker", page.at(-1)?.number ?? marker],
    ["MaxParts", max],
    ["IsTruncated", truncated],
    ...page.map((p): XmlElement => [
      "Part",
      [
        ["PartNumber", p.number],
        ["LastModified", isoTime(p.lastModified)],
        ["ETag", `"${p.etag}"`],
        ["Size", p.size],
        ...(p.crc32 === undefined ? [] : [["ChecksumCRC32", p.crc32] as XmlElement]),
      ],
    ]),
  ]));
}

/**
 * ListMultipartUploads: uploads in progress under a prefix (one page, no paging).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import * as mp from "./multipart_handlers.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * await ctx.backend.createBucket("b");
 * const call = async (method: string, path: string, handler: typeof mp.uploadPart, body?: string) => {
 *   const req = new Request(`http://x${path}`, { method, ...(body === undefined ? {} : { body }) });
 *   return await handler(req, routeRequest(req), ctx);
 * };
 * const created = await (await call("POST", "/b/k?uploads", mp.createMultipartUpload)).text();
 * const id = /<UploadId>(.*)<\/UploadId>/.exec(created)![1]!;
 * const res = await call("GET", "/b?uploads", mp.listMultipartUploads);
 * assert((await res.text()).includes(id));
 * ```
 */
export function listMultipartUploads(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const prefix = route.query.get("prefix") ?? "";
  const uploads = ctx.uploads.list(bucket, prefix);
  return Promise.resolve(xmlResponse("ListMultipartUploadsResult", [
    ["Bucket", bucket],
    ["KeyMarker", ""],
    ["UploadIdMarker", ""],
    ["Prefix", prefix],
    ["MaxUploads", 1000],
    ["IsTruncated", false],
    ...uploads.map((u): XmlElement => [
      "Upload",
      [
        ["Key", u.key],
        ["UploadId", u.id],
        ["Initiated", isoTime(u.initiated)],
        ["StorageClass", "STANDARD"],
      ],
    ]),
  ]));
}
