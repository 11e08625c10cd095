/**
 * Handlers of S3 versioning in the fake S3 server (state: versioning.ts):
 * PutBucketVersioning, GetBucketVersioning and ListObjectVersions, in S3's XML.
 *
 * @module
 */
import {
  type HandlerContext,
  isoTime,
  parseXmlRequest,
  requireBucket,
  xmlResponse,
} from "./context.ts";
import { compareKeys, urlEncodeKey } from "./listing.ts";
import { readSmallBody } from "./request_body.ts";
import type { Route } from "./router.ts";
import { S3Error } from "./s3_error.ts";
import { childText, type XmlElement } from "./xml.ts";

/**
 * PutBucketVersioning: `<VersioningConfiguration><Status>Enabled|Suspended`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { getBucketVersioning, putBucketVersioning } from "./versioning_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * const body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
 * const put = new Request("http://x/b?versioning", { method: "PUT", body });
 * assert.equal((await putBucketVersioning(put, routeRequest(put), ctx)).status, 200);
 * const get = new Request("http://x/b?versioning");
 * const res = await getBucketVersioning(get, routeRequest(get), ctx);
 * assert((await res.text()).includes("<Status>Enabled</Status>"));
 * ```
 */
export async function putBucketVersioning(
  req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const root = parseXmlRequest(await readSmallBody(req, 64 * 1024), "VersioningConfiguration");
  const status = childText(root, "Status")?.trim();
  if (status !== "Enabled" && status !== "Suspended") {
    throw new S3Error("MalformedXML", `the versioning Status must be Enabled or Suspended`);
  }
  ctx.versioning.setStatus(bucket, status);
  return new Response(null, { status: 200 });
}

/** GetBucketVersioning: the status, or an empty configuration when it was never set. */
export function getBucketVersioning(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const status = ctx.versioning.status(bucket);
  return Promise.resolve(
    xmlResponse("VersioningConfiguration", status === undefined ? [] : [["Status", status]]),
  );
}

/**
 * ListObjectVersions: `prefix`, `max-keys`, `key-marker`, `version-id-marker`,
 * `encoding-type=url` (no delimiter).
 * Current objects and the history of keys, in key order, newest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newHandlerContext } from "./context.ts";
 * import { routeRequest } from "./router.ts";
 * import { listObjectVersions } from "./versioning_handlers.ts";
 * const ctx = newHandlerContext();
 * await ctx.backend.createBucket("b");
 * ctx.versioning.setStatus("b", "Enabled");
 * await ctx.backend.delete("b", "gone.csv");
 * const req = new Request("http://x/b?versions&prefix=gone");
 * const text = await (await listObjectVersions(req, routeRequest(req), ctx)).text();
 * assert(text.includes("<DeleteMarker><Key>gone.csv</Key>"));
 * ```
 */
export function listObjectVersions(
  _req: Request,
  route: Route,
  ctx: HandlerContext,
): Promise<Response> {
  const bucket = requireBucket(ctx.backend, route);
  const q = route.query;
  if (q.has("delimiter")) {
    throw new S3Error("NotImplemented", "fake-s3 lists versions without a delimiter");
  }
  const prefix = q.get("prefix") ?? "";
  const marker = q.get("key-marker") ?? "";
  const versionMarker = marker === "" ? "" : q.get("version-id-marker") ?? "";
  const rawMax = q.get("max-keys");
  if (rawMax !== null && !/^\d+$/.test(rawMax)) {
    throw new S3Error("InvalidArgument", `Provided max-keys not an integer: ${rawMax}`);
  }
  const max = Math.min(1000, rawMax === null ? 1000 : Number(rawMax));
  const type = q.get("encoding-type");
  if (type !== null && type.toLowerCase() !== "url") {
    throw new S3Error("InvalidArgument", `Invalid Encoding Method specified in Request: ${type}`);
  }
  const enc = type === null ? (s: string) => s : urlEncodeKey;
  const keys = [
    ...new Set([...ctx.backend.sortedKeys(bucket), ...ctx.versioning.keysWithHistory(bucket)]),
  ].filter((k) =>
    k.startsWith(prefix) &&
    (marker === "" || compareKeys(k, marker) > (versionMarker === "" ? 0 : -1))
  )
    .sort(compareKeys);
  const items: XmlElement[] = [];
  let truncated = false;
  let next: { key: string; versionId: string } | undefined;
  for (const key of keys) {
    let entries = ctx.versioning.entries(bucket, key, ctx.backend.get(bucket, key));
    // Continuing within the key-marker's own entries, after version-id-marker.
    if (key === marker && versionMarker !== "") {
      const at = entries.findIndex((e) => e.versionId === versionMarker);
      entries = at === -1 ? [] : entries.slice(at + 1);
    }
    for (const e of entries) {
      if (items.length === max) {
        truncated = true;
        break;
      }
      next = { key, versionId: e.versionId };
      items.push([e.deleteMarker ? "DeleteMarker" : "Version", [
        ["Key", enc(key)],
        ["VersionId", e.versionId],
        ["IsLatest", e.isLatest],
        ["LastModified", isoTime(e.lastModified)],
        ...(e.deleteMarker ? [] : [
          ["ETag", `"${e.etag}"`] as XmlElement,
          ["Size", e.size] as XmlElement,
          ["StorageClass", "STANDARD"] as XmlElement,
        ]),
        ["Owner", [["ID", "fake-s3-owner"], ["DisplayName", "fake-s3"]]],
      ]]);
    }
    if (truncated) break;
  }
  return Promise.resolve(xmlResponse("ListVersionsResult", [
    ["Name", bucket],
    ["Prefix", enc(prefix)],
    ["KeyMarker", enc(marker)],
    ["VersionIdMarker", versionMarker],
    ["MaxKeys", max],
    ["EncodingType", type === null ? undefined : "url"],
    ["IsTruncated", truncated],
    ["NextKeyMarker", truncated && next !== undefined ? enc(next.key) : undefined],
    ["NextVersionIdMarker", truncated && next !== undefined ? next.versionId : undefined],
    ...items,
  ]));
}
