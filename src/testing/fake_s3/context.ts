/**
 * What every operation handler gets besides the request: storage, upload
 * state and limits, plus helpers shared by the handler files.
 *
 * @module
 */
import type { Backend, Body, ObjectFields, StoredObject } from "./backend.ts";
import { MemoryBackend } from "./memory_backend.ts";
import { UploadRegistry } from "./multipart.ts";
import { VersioningBackend, VersionLog } from "./versioning.ts";
import type { Route } from "./router.ts";
import { S3Error } from "./s3_error.ts";
import { parseXml, xmlDocument, type XmlElement, type XmlNode } from "./xml.ts";

/** Shared state of one server. */
export interface HandlerContext {
  /** Object storage. */
  backend: Backend;
  /** Multipart uploads in progress. */
  uploads: UploadRegistry;
  /** Smallest part other than the last. */
  minPartSize: number;
  /** Largest single PUT, part or copy. */
  maxObjectSize: number;
  /** CompleteMultipartUpload ignores If-None-Match / If-Match (as moto does). */
  completeIgnoresConditions: boolean;
  /**
   * The buckets' S3 versioning (what `backend` writes and deletes are told
   * to when it is a `VersioningBackend`); none on by default.
   */
  versioning: VersionLog;
}

const MiB = 1024 * 1024;

/**
 * A handler context with S3's limits by default (5 MiB minimum part, 5 GiB
 * maximum single upload) and an in-memory backend unless one is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * const ctx = newHandlerContext({ minPartSize: 1 });
 * assert(ctx.minPartSize === 1 && ctx.maxObjectSize === 5 * 1024 ** 3);
 * ```
 */
export function newHandlerContext(
  options: {
    backend?: Backend;
    minPartSize?: number;
    maxObjectSize?: number;
    completeIgnoresConditions?: boolean;
  } = {},
): HandlerContext {
  const versioning = new VersionLog();
  return {
    // Every write and delete tells the versioning state, which keeps the
    // history of the buckets that have versioning on.
    backend: new VersioningBackend(options.backend ?? new MemoryBackend(), versioning),
    versioning,
    uploads: new UploadRegistry(),
    minPartSize: options.minPartSize ?? 5 * MiB,
    maxObjectSize: options.maxObjectSize ?? 5 * 1024 * MiB,
    completeIgnoresConditions: options.completeIgnoresConditions ?? false,
  };
}

/** An operation handler. */
export type Handler = (req: Request, route: Route, ctx: HandlerContext) => Promise<Response>;

/**
 * The route's bucket, after checking it exists (NoSuchBucket otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireBucket } from "./context.ts";
 * import { MemoryBackend } from "./memory_backend.ts";
 * const backend = new MemoryBackend();
 * await backend.createBucket("b");
 * assert(requireBucket(backend, { bucket: "b" }) === "b");
 * ```
 */
export function requireBucket(backend: Backend, route: { bucket?: string }): string {
  const bucket = route.bucket;
  if (bucket === undefined || !backend.hasBucket(bucket)) {
    throw new S3Error("NoSuchBucket", `The specified bucket does not exist: ${bucket}`, {
      ...(bucket === undefined ? {} : { bucket }),
    });
  }
  return bucket;
}

/**
 * The object, or NoSuchKey.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireObject } from "./context.ts";
 * import { MemoryBackend } from "./memory_backend.ts";
 * const backend = new MemoryBackend();
 * await backend.createBucket("b");
 * try {
 *   requireObject(backend, "b", "missing");
 * } catch (e) {
 *   assert((e as { code: string }).code === "NoSuchKey");
 * }
 * ```
 */
export function requireObject(backend: Backend, bucket: string, key: string): StoredObject {
  const object = backend.get(bucket, key);
  if (!object) {
    throw new S3Error("NoSuchKey", `The specified key does not exist: ${key}`, { bucket, key });
  }
  return object;
}

// Response headers S3 stores with an object and returns on GET/HEAD.
const STORED_HEADERS = [
  "cache-control",
  "content-disposition",
  "content-language",
  "expires",
];

/**
 * Content type, user metadata and stored headers from a request's headers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fieldsFromHeaders } from "./context.ts";
 * const f = fieldsFromHeaders(new Headers({ "x-amz-meta-Color": "red", "content-type": "text/csv" }), "e");
 * assert(f.metadata.color === "red" && f.contentType === "text/csv" && f.etag === "e");
 * ```
 */
export function fieldsFromHeaders(headers: Headers, etag: string): ObjectFields {
  const metadata: Record<string, string> = {};
  const stored: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith("x-amz-meta-")) metadata[name.slice(11)] = value;
    else if (STORED_HEADERS.includes(name)) stored[name] = value;
  }
  // aws-chunked is transfer framing, not a property of the object.
  const encoding = headers.get("content-encoding")?.split(",").map((e) => e.trim())
    .filter((e) => e !== "" && e.toLowerCase() !== "aws-chunked").join(", ");
  if (encoding) stored["content-encoding"] = encoding;
  return {
    etag,
    contentType: headers.get("content-type") ?? undefined,
    metadata,
    headers: stored,
    partSizes: undefined,
  };
}

/**
 * An async iterable over a body, for copying stored bytes into a new object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyIterable } from "./context.ts";
 * let n = 0;
 * for await (const c of bodyIterable(new Uint8Array(3))) n += c.length;
 * assert(n === 3);
 * ```
 */
export async function* bodyIterable(body: Body): AsyncGenerator<Uint8Array, void, undefined> {
  if (body instanceof Uint8Array) yield body;
  else yield* body;
}

/**
 * Parses `x-amz-copy-source` (`[/]bucket/key[?versionId=...]`, URL-encoded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCopySource } from "./context.ts";
 * const s = parseCopySource("/src-bucket/a%20b/c.txt");
 * assert(s.bucket === "src-bucket" && s.key === "a b/c.txt");
 * ```
 */
export function parseCopySource(header: string | null): { bucket: string; key: string } {
  const raw = (header ?? "").replace(/^\//, "").replace(/\?versionId=.*$/, "");
  const slash = raw.indexOf("/");
  let decoded: string[];
  try {
    decoded = slash <= 0 ? [] : [raw.slice(0, slash), raw.slice(slash + 1)].map(decodeURIComponent);
  } catch {
    decoded = [];
  }
  const [bucket, key] = decoded;
  if (!bucket || !key) {
    throw new S3Error("InvalidArgument", `Invalid copy source: ${JSON.stringify(header)}`);
  }
  return { bucket, key };
}

/**
 * A 200 response with an S3 XML document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlResponse } from "./context.ts";
 * const res = xmlResponse("R", [["A", "1"]]);
 * assert(res.headers.get("content-type") === "application/xml");
 * await res.body?.cancel();
 * ```
 */
export function xmlResponse(root: string, children: readonly XmlElement[]): Response {
  return new Response(xmlDocument(root, children), {
    headers: { "content-type": "application/xml" },
  });
}

/**
 * S3's timestamp format in XML (`2024-01-02T03:04:05.000Z`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoTime } from "./context.ts";
 * assert(isoTime(new Date(0)) === "1970-01-01T00:00:00.000Z");
 * ```
 */
export function isoTime(date: Date): string {
  return date.toISOString();
}

/**
 * Parses an XML request body whose root element must be `rootName`; anything
 * else (bad UTF-8, bad XML, another root) is S3's `MalformedXML`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseXmlRequest } from "./context.ts";
 * const root = parseXmlRequest(new TextEncoder().encode("<Delete><Quiet>true</Quiet></Delete>"), "Delete");
 * assert(root.children.length === 1);
 * ```
 */
export function parseXmlRequest(body: Uint8Array, rootName: string): XmlNode {
  let root: XmlNode;
  try {
    root = parseXml(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (e) {
    throw new S3Error(
      "MalformedXML",
      `The XML you provided was not well-formed: ${(e as Error).message}`,
    );
  }
  if (root.name !== rootName) {
    throw new S3Error("MalformedXML", `expected <${rootName}>, got <${root.name}>`);
  }
  return root;
}
