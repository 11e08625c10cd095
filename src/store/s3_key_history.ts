/**
 * ListObjectVersions for one key, on the lean request path (`s3_fetch.ts`),
 * as `s3_uploads_list.ts` lists uploads: a publish asks whether the key it
 * is about to create held an object once (a delete marker, a noncurrent
 * version), without loading the SDK.
 *
 * @module
 */
import { StoreError } from "../errors.ts";
import type { S3Fetch } from "./s3_fetch.ts";
import {
  elementText,
  fetchListDocument,
  listedKey,
  listingDocument,
  unknownEntity,
} from "./s3_list.ts";
import { decodeXmlEntities } from "../xml_entities.ts";
import { normalizeEtag } from "../hash.ts";
import type { KeyVersion } from "./types.ts";

/**
 * The entries of exactly `key` (full key in the bucket) in a
 * ListObjectVersions response (`<Version>` and `<DeleteMarker>`, in the
 * document's order: newest first). Entries of longer keys under the same
 * prefix are passed over. Throws `StoreError` for a body that is not a
 * `ListVersionsResult`, so a broken answer is never taken for "no history".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKeyVersions } from "./s3_key_history.ts";
 * const entries = parseKeyVersions(
 *   "<ListVersionsResult><DeleteMarker><Key>a.csv</Key><VersionId>2</VersionId>" +
 *     "<IsLatest>true</IsLatest></DeleteMarker><Version><Key>a.csv</Key><VersionId>1</VersionId>" +
 *     "<IsLatest>false</IsLatest></Version><Version><Key>a.csv.bak</Key><VersionId>null</VersionId>" +
 *     "<IsLatest>true</IsLatest></Version></ListVersionsResult>",
 *   "a.csv",
 * );
 * assert.deepEqual(entries.map((e) => [e.versionId, e.isLatest, e.deleteMarker]), [
 *   ["2", true, true],
 *   ["1", false, false],
 * ]);
 * ```
 */
export function parseKeyVersions(xml: string, key: string): KeyVersion[] {
  const { root, end, encoded } = listingDocument(xml, "ListVersionsResult");
  const found: KeyVersion[] = [];
  let at = root;
  for (;;) {
    const version = xml.indexOf("<Version>", at);
    const marker = xml.indexOf("<DeleteMarker>", at);
    const deleteMarker = marker !== -1 && (version === -1 || marker < version);
    const open = deleteMarker ? marker : version;
    if (open === -1 || open > end) break;
    const tag = deleteMarker ? "DeleteMarker" : "Version";
    const close = xml.indexOf(`</${tag}>`, open);
    if (close === -1) throw new StoreError(`the versions listing has an unterminated <${tag}>`);
    const rawKey = elementText(xml, "Key", open, close);
    const rawId = elementText(xml, "VersionId", open, close);
    const latest = elementText(xml, "IsLatest", open, close)?.trim();
    if (rawKey === undefined || latest === undefined) {
      throw new StoreError(`the versions listing has a <${tag}> without <Key> or <IsLatest>`);
    }
    if (listedKey(rawKey, encoded) === key) {
      const rawEtag = elementText(xml, "ETag", open, close);
      const rawSize = elementText(xml, "Size", open, close)?.trim();
      const size = rawSize === undefined ? undefined : Number(rawSize);
      found.push({
        ...(rawEtag === undefined || deleteMarker
          ? {}
          : { etag: normalizeEtag(decodeXmlEntities(rawEtag, unknownEntity)) }),
        ...(size === undefined || deleteMarker || !Number.isSafeInteger(size) || size < 0
          ? {}
          : { size }),
        versionId: rawId === undefined
          ? "null"
          : rawId.includes("&")
          ? decodeXmlEntities(rawId, unknownEntity)
          : rawId,
        isLatest: latest === "true",
        deleteMarker,
      });
    }
    at = close + tag.length + 3;
  }
  return found;
}

/**
 * The newest entries (at most `limit`) S3 keeps of exactly the full key
 * `key`: one ListObjectVersions request with the key as prefix. A key sorts
 * before every longer key it prefixes, so its entries come first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "../testing/mod.ts";
 * import { S3Fetch } from "./s3_fetch.ts";
 * import { keyVersions } from "./s3_key_history.ts";
 * await using fake = await startFakeS3({ buckets: ["b"] });
 * const lean = new S3Fetch({
 *   bucket: "b", baseUrl: `${fake.url}/b`, region: "us-east-1",
 *   credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
 *   credentialSource: "example",
 * });
 * try {
 *   assert.deepEqual(await keyVersions(lean, { key: "never.csv", limit: 2 }), []);
 * } finally {
 *   lean.close();
 * }
 * ```
 */
export async function keyVersions(
  lean: S3Fetch,
  request: { key: string; limit: number; signal?: AbortSignal | undefined; maxAttempts?: number },
): Promise<KeyVersion[]> {
  return await fetchListDocument(lean, {
    query: {
      versions: "",
      "encoding-type": "url",
      prefix: request.key,
      "max-keys": String(request.limit),
    },
    prefix: request.key,
    signal: request.signal,
    maxAttempts: request.maxAttempts,
  }, (xml) => parseKeyVersions(xml, request.key).slice(0, request.limit));
}
