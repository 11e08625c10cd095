/**
 * ListMultipartUploads on the lean request path (`s3_fetch.ts`), as
 * `s3_list.ts` does ListObjectsV2: a mirror pass and a publish look for
 * uploads left open by a killed writer, and through the AWS SDK that look
 * loaded the SDK and Deno's Node compatibility layer into every `vc mirror`
 * and `vc add` (~0.1–0.2 s each) for a listing that is nearly always empty.
 *
 * @module
 */
import { NotFoundError, StoreError } from "../errors.ts";
import { decodeXmlEntities } from "../xml_entities.ts";
import type { S3Fetch } from "./s3_fetch.ts";
import {
  elementText,
  fetchListDocument,
  headerText,
  listedKey,
  listing,
  listingDocument,
  listTruncated,
  MAX_EMPTY_PAGES_IN_A_ROW,
  unknownEntity,
} from "./s3_list.ts";

/** One open multipart upload as listed: the full key inside the bucket, decoded. */
export interface S3ListedUpload {
  /** Full key (store prefix included), with entities and URL encoding undone. */
  key: string;
  /** The upload's id. */
  uploadId: string;
  /** When it was started (the epoch when the server does not say). */
  initiated: Date;
}

/** One parsed ListMultipartUploads response. */
export interface S3UploadsPage {
  /** The page's uploads, in the server's order. */
  uploads: S3ListedUpload[];
  /** True when more uploads follow. */
  truncated: boolean;
  /** Where the next page starts (decoded), when the server said. */
  nextKeyMarker: string | undefined;
  /** The upload id the next page starts after, when the server said. */
  nextUploadIdMarker: string | undefined;
}

/**
 * Parses a ListMultipartUploads response body. Throws `StoreError` for a body
 * that is not one (a proxy's page, a document cut short, a DOCTYPE), so a
 * broken answer is never taken for "no uploads".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListMultipartUploads } from "./s3_uploads_list.ts";
 * const page = parseListMultipartUploads(
 *   "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>" +
 *     "<Upload><Key>a%26b+c</Key><UploadId>u1</UploadId>" +
 *     "<Initiated>2026-01-01T00:00:00.000Z</Initiated></Upload></ListMultipartUploadsResult>",
 * );
 * assert.equal(page.uploads[0]!.key, "a&b c");
 * assert.equal(page.uploads[0]!.uploadId, "u1");
 * assert.equal(page.uploads[0]!.initiated.toISOString(), "2026-01-01T00:00:00.000Z");
 * assert.equal(page.truncated, false);
 * ```
 */
export function parseListMultipartUploads(xml: string): S3UploadsPage {
  const { root, end, encoded } = listingDocument(xml, "ListMultipartUploadsResult");
  const text = (raw: string) => raw.includes("&") ? decodeXmlEntities(raw, unknownEntity) : raw;
  const uploads: S3ListedUpload[] = [];
  let at = root;
  for (;;) {
    const open = xml.indexOf("<Upload>", at);
    if (open === -1 || open > end) break;
    const close = xml.indexOf("</Upload>", open);
    if (close === -1) throw new StoreError("the uploads listing has an unterminated <Upload>");
    const rawKey = elementText(xml, "Key", open, close);
    const rawId = elementText(xml, "UploadId", open, close);
    if (rawKey === undefined || rawId === undefined) {
      throw new StoreError("the uploads listing has an <Upload> without <Key> or <UploadId>");
    }
    const initiated = elementText(xml, "Initiated", open, close);
    const ms = initiated === undefined ? 0 : Date.parse(initiated);
    if (Number.isNaN(ms)) {
      throw new StoreError(
        `the uploads listing gives ${JSON.stringify(rawKey)} an Initiated that is no date: ${
          JSON.stringify(initiated!.slice(0, 60))
        }`,
      );
    }
    uploads.push({
      key: listedKey(rawKey, encoded),
      uploadId: text(rawId),
      initiated: new Date(ms),
    });
    at = close + 9;
  }
  // The markers are top-level elements; `<Upload>` holds none of these names.
  const nextKey = headerText(xml, "NextKeyMarker", root, end);
  const nextId = headerText(xml, "NextUploadIdMarker", root, end);
  return {
    uploads,
    truncated: listTruncated(headerText(xml, "IsTruncated", root, end)),
    nextKeyMarker: nextKey === undefined || nextKey === ""
      ? undefined
      : listedKey(nextKey, encoded),
    nextUploadIdMarker: nextId === undefined || nextId === "" ? undefined : text(nextId),
  };
}

/**
 * Lists the open multipart uploads under the full key `prefix`, page after
 * page (ListMultipartUploads), yielding each upload as it arrives. An upload
 * outside the prefix (a server ignoring it) is passed over; markers that
 * would list a page again fail the listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "../testing/mod.ts";
 * import { S3Fetch } from "./s3_fetch.ts";
 * import { listUploads } from "./s3_uploads_list.ts";
 * await using fake = await startFakeS3({ buckets: ["b"] });
 * const created = await fetch(`${fake.url}/b/x/big.bin?uploads`, { method: "POST" });
 * await created.body?.cancel();
 * const lean = new S3Fetch({
 *   bucket: "b", baseUrl: `${fake.url}/b`, region: "us-east-1",
 *   credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
 *   credentialSource: "example",
 * });
 * try {
 *   const keys: string[] = [];
 *   for await (const upload of listUploads(lean, { prefix: "x/" })) keys.push(upload.key);
 *   assert.deepEqual(keys, ["x/big.bin"]);
 * } finally {
 *   lean.close();
 * }
 * ```
 */
export async function* listUploads(
  lean: S3Fetch,
  request: { prefix: string; signal?: AbortSignal | undefined; maxAttempts?: number },
): AsyncGenerator<S3ListedUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  const seen = new Set<string>();
  let emptyInARow = 0;
  for (;;) {
    const query: Record<string, string> = {
      uploads: "",
      "encoding-type": "url",
      prefix: request.prefix,
    };
    if (keyMarker !== undefined) query["key-marker"] = keyMarker;
    if (uploadIdMarker !== undefined) query["upload-id-marker"] = uploadIdMarker;
    const page = await fetchListDocument(lean, {
      query,
      prefix: request.prefix,
      signal: request.signal,
      maxAttempts: request.maxAttempts,
    }, parseListMultipartUploads);
    request.signal?.throwIfAborted();
    for (const upload of page.uploads) {
      // Callers make keys relative by cutting the prefix off: an upload
      // outside it (a server ignoring the prefix) is not theirs to see.
      if (upload.key.startsWith(request.prefix)) yield upload;
    }
    if (!page.truncated) return;
    // Fresh markers on empty pages without end (a broken or hostile
    // endpoint) would page forever too, as for object listings.
    if (page.uploads.length > 0) emptyInARow = 0;
    else if (++emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
      throw new StoreError(
        `${listing(lean, request.prefix)}: the server gave ${MAX_EMPTY_PAGES_IN_A_ROW} empty ` +
          "pages of uploads in a row, each saying more follow: the listing would never end",
      );
    }
    const last = page.uploads.at(-1);
    const nextKey = page.nextKeyMarker ?? last?.key;
    const nextId = page.nextUploadIdMarker ??
      (page.nextKeyMarker === undefined ? last?.uploadId : undefined);
    const marker = `${nextKey}\u0000${nextId}`;
    // A truncated page with no way forward, or one pointing where a page
    // already started, would list the same page again without end.
    if (nextKey === undefined || seen.has(marker)) {
      throw new StoreError(
        `${listing(lean, request.prefix)}: the server says the uploads listing is truncated ` +
          "but gives no new place to continue from: the listing would never end",
      );
    }
    seen.add(marker);
    keyMarker = nextKey;
    uploadIdMarker = nextId;
  }
}

/**
 * When the parts of a ListParts page were last added to, and where the next
 * page starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListParts } from "./s3_uploads_list.ts";
 * const page = parseListParts(
 *   "<ListPartsResult><IsTruncated>false</IsTruncated>" +
 *     "<Part><PartNumber>1</PartNumber><LastModified>2026-01-02T00:00:00.000Z</LastModified></Part>" +
 *     "<Part><PartNumber>2</PartNumber><LastModified>2026-01-03T00:00:00.000Z</LastModified></Part>" +
 *     "</ListPartsResult>",
 * );
 * assert.equal(page.newest?.toISOString(), "2026-01-03T00:00:00.000Z");
 * assert.equal(page.truncated, false);
 * const moto = parseListParts("<ListPartsResponse><IsTruncated>false</IsTruncated></ListPartsResponse>");
 * assert.equal(moto.newest, undefined);
 * ```
 */
export function parseListParts(
  xml: string,
): { newest: Date | undefined; truncated: boolean; nextPartNumberMarker: string | undefined } {
  // moto names its root ListPartsResponse.
  const { root, end } = listingDocument(
    xml,
    xml.includes("<ListPartsResponse") ? "ListPartsResponse" : "ListPartsResult",
  );
  let newest: number | undefined;
  let at = root;
  for (;;) {
    const open = xml.indexOf("<Part>", at);
    if (open === -1 || open > end) break;
    const close = xml.indexOf("</Part>", open);
    if (close === -1) throw new StoreError("the parts listing has an unterminated <Part>");
    const modified = elementText(xml, "LastModified", open, close);
    const ms = modified === undefined ? NaN : Date.parse(modified);
    if (!Number.isNaN(ms)) newest = Math.max(newest ?? ms, ms);
    at = close + 7;
  }
  const next = headerText(xml, "NextPartNumberMarker", root, end);
  return {
    newest: newest === undefined ? undefined : new Date(newest),
    truncated: listTruncated(headerText(xml, "IsTruncated", root, end)),
    nextPartNumberMarker: next === undefined || next === "" ? undefined : next,
  };
}

/**
 * ListParts of the upload `uploadId` of `key` (full key), page after page:
 * when its newest part was added; `undefined` when it holds no part dated,
 * or is gone (NoSuchUpload: completed or aborted meanwhile).
 */
export async function lastPartTime(
  lean: S3Fetch,
  request: { key: string; uploadId: string; signal?: AbortSignal | undefined },
): Promise<Date | undefined> {
  let newest: Date | undefined;
  let marker: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const query: Record<string, string> = { uploadId: request.uploadId };
    if (marker !== undefined) query["part-number-marker"] = marker;
    // Read as every listing page is: bounded, retried when cut short.
    let page: ReturnType<typeof parseListParts>;
    try {
      page = await fetchListDocument(lean, {
        query,
        prefix: request.key,
        key: request.key,
        operation: "ListParts",
        signal: request.signal,
      }, parseListParts);
    } catch (error) {
      // Gone (NoSuchUpload): completed or aborted meanwhile.
      if (error instanceof NotFoundError) return newest;
      throw error;
    }
    if (page.newest !== undefined && (newest === undefined || page.newest > newest)) {
      newest = page.newest;
    }
    if (!page.truncated) return newest;
    // A truncated page with no new place to go on from would be asked for again without end.
    const next = page.nextPartNumberMarker;
    if (next === undefined || seen.has(next)) {
      throw new StoreError(
        `ListParts of ${request.key}: the server says the parts listing is truncated but ` +
          "gives no new place to continue from: the listing would never end",
      );
    }
    seen.add(next);
    marker = next;
  }
}
